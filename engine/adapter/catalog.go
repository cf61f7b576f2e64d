package adapter

import (
	"context"

	"github.com/strata-dev/strata/engine/relation"
)

// RelationLister is an optional capability: adapters that can list a schema's
// relations in one query implement it (the executor may use it to warm a
// relation cache; the conformance suite uses it to look for leftover temporary
// relations). Without it, callers fall back to RelationKind per name.
type RelationLister interface {
	// ListRelations returns every table and view in database.schema with its
	// kind, sorted by identifier. A missing schema yields no relations.
	ListRelations(ctx context.Context, database, schema string) ([]ListedRelation, error)
}

// ListedRelation is one relation found by ListRelations.
type ListedRelation struct {
	Relation relation.Relation
	Kind     relation.Kind
}
