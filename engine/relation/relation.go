// Package relation names warehouse objects: database.schema.identifier, and the kind
// of object found there. Rendering a relation as SQL text is the adapter dialect's
// job (quoting and case rules differ per engine); this package holds plain values.
//
// All values are immutable and safe for concurrent use.
package relation

import "strings"

// Kind is what a relation is in the warehouse.
type Kind string

const (
	// None means no relation of that name exists.
	None     Kind = ""
	Table    Kind = "table"
	View     Kind = "view"
	External Kind = "external"
)

// Relation names one object: database (catalog), schema and identifier.
type Relation struct {
	Database   string `json:"database"`
	Schema     string `json:"schema"`
	Identifier string `json:"identifier"`
}

// String renders the relation unquoted as database.schema.identifier, leaving out
// empty parts. It is for messages and map keys, never for SQL.
func (r Relation) String() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{r.Database, r.Schema, r.Identifier} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// WithIdentifier returns a copy with another identifier in the same schema.
func (r Relation) WithIdentifier(id string) Relation {
	r.Identifier = id
	return r
}

// WithSchema returns a copy in another schema.
func (r Relation) WithSchema(schema string) Relation {
	r.Schema = schema
	return r
}
