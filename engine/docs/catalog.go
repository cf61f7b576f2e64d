// Package docs produces what `strata docs generate` writes next to the manifest:
// target/catalog.json (dbt's catalog v1: the relations the warehouse holds for
// every model, seed, snapshot and source, with their column types) and
// target/index.html (one self-contained page to browse the project).
//
// The catalog is read with one query per schema where the warehouse's dialect
// has one (adapter.CatalogDialect), never one per relation, so a project of
// thousands of models costs a handful of round trips; any other warehouse is
// read through a listing of the schema and each relation's columns.
// BuildCatalog may run concurrently with other calls on the same warehouse
// (it is safe for concurrent use); the returned Catalog and the page renderer
// hold no shared state, so everything here is safe for concurrent use.
package docs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// CatalogSchema is the catalog version written, as dbt names it.
const CatalogSchema = "https://schemas.getdbt.com/dbt/catalog/v1.json"

// Catalog is dbt's catalog.json: what exists in the warehouse for the project's
// nodes (models, seeds, snapshots) and sources, keyed by unique_id. Nodes that
// are not built are absent, as in dbt.
type Catalog struct {
	Metadata CatalogMetadata          `json:"metadata"`
	Nodes    map[string]*CatalogTable `json:"nodes"`
	Sources  map[string]*CatalogTable `json:"sources"`
	// Errors lists schemas that could not be read (null when none), as dbt does.
	Errors []string `json:"errors"`
}

// CatalogMetadata describes the invocation that read the catalog.
type CatalogMetadata struct {
	DbtSchemaVersion string            `json:"dbt_schema_version"`
	StrataVersion    string            `json:"strata_version"`
	GeneratedAt      string            `json:"generated_at"`
	InvocationID     string            `json:"invocation_id"`
	Env              map[string]string `json:"env"`
}

// CatalogTable is one relation as the warehouse describes it.
type CatalogTable struct {
	Metadata TableMetadata             `json:"metadata"`
	Columns  map[string]*CatalogColumn `json:"columns"`
	Stats    map[string]Stat           `json:"stats"`
	UniqueID string                    `json:"unique_id"`
}

// TableMetadata is a relation's kind and name as the warehouse spells them
// ("BASE TABLE", "VIEW", …); comment and owner are null where the engine has none.
type TableMetadata struct {
	Type     string  `json:"type"`
	Schema   string  `json:"schema"`
	Name     string  `json:"name"`
	Database *string `json:"database"`
	Comment  *string `json:"comment"`
	Owner    *string `json:"owner"`
}

// CatalogColumn is one column: its warehouse type and 1-based position.
type CatalogColumn struct {
	Type    string  `json:"type"`
	Index   int     `json:"index"`
	Name    string  `json:"name"`
	Comment *string `json:"comment"`
}

// Stat is one of dbt's table statistics; strata reports only has_stats=false.
type Stat struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Value       any    `json:"value"`
	Include     bool   `json:"include"`
	Description string `json:"description"`
}

// Schema names one schema of the warehouse.
type Schema struct {
	Database string
	Schema   string
}

func (s Schema) String() string {
	return relation.Relation{Database: s.Database, Schema: s.Schema}.String()
}

// Table is one relation read from a schema, with its columns in order.
type Table struct {
	Schema  string // as the warehouse spells it
	Name    string
	Type    string // "BASE TABLE", "VIEW", …
	Owner   *string
	Comment *string
	Columns []CatalogColumn
}

// Warehouse is what the catalog reads (engine/materialize's Warehouse has
// these methods).
type Warehouse interface {
	Dialect() adapter.Dialect
	Query(ctx context.Context, sql string, limit int) (*adapter.Table, error)
	ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error)
	Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error)
}

// CatalogOptions say what to read.
type CatalogOptions struct {
	Warehouse Warehouse
	Manifest  *manifest.Manifest
	// Only limits the catalog to these unique_ids (--select); nil means every node.
	Only []string
	// Threads bounds the schemas read at once (1 when < 1).
	Threads      int
	InvocationID string
	Version      string
	Now          time.Time
}

// BuildCatalog reads every schema holding a model, seed, snapshot or source of
// the manifest (one query per schema, Threads at a time) and assembles the
// catalog. A schema that cannot be read is recorded in Errors and the rest of
// the catalog is still built; only cancellation returns an error.
func BuildCatalog(ctx context.Context, o CatalogOptions) (*Catalog, error) {
	nodes := Documented(o.Manifest, o.Only)
	schemas := SchemasOf(nodes)
	// Names wanted per schema, for adapters read through the per-relation fallback.
	wanted := make(map[Schema][]string, len(schemas))
	for _, n := range nodes {
		k := schemaOf(n)
		wanted[k] = append(wanted[k], n.Relation.Identifier)
	}
	found := make([][]Table, len(schemas))
	errs := make([]error, len(schemas))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Threads, 1))
	for i, s := range schemas {
		g.Go(func() error {
			found[i], errs[i] = ReadSchema(gctx, o.Warehouse, s, wanted[s])
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	tables := make(map[Schema][]Table, len(schemas))
	var problems []string
	for i, s := range schemas {
		if errs[i] != nil {
			problems = append(problems, fmt.Sprintf("schema %s: %v", s, errs[i]))
			continue
		}
		tables[s] = found[i]
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	c := Assemble(nodes, tables, CatalogMetadata{
		DbtSchemaVersion: CatalogSchema,
		StrataVersion:    o.Version,
		GeneratedAt:      now.UTC().Format(time.RFC3339Nano),
		InvocationID:     o.InvocationID,
		Env:              map[string]string{},
	})
	c.Errors = problems
	return c, nil
}

// Documented returns the manifest's nodes that are built as relations (models
// other than ephemeral, seeds, snapshots) and its sources, sorted by unique_id;
// only those in only when it is non-nil.
func Documented(m *manifest.Manifest, only []string) []*manifest.Node {
	var keep map[string]bool
	if only != nil {
		keep = make(map[string]bool, len(only))
		for _, id := range only {
			keep[id] = true
		}
	}
	var out []*manifest.Node
	m.All(func(n *manifest.Node) {
		if keep != nil && !keep[n.UniqueID] {
			return
		}
		if n.Relation.Identifier == "" {
			return
		}
		switch n.ResourceType {
		case manifest.Model:
			if n.Config.Materialized == "ephemeral" {
				return
			}
		case manifest.Seed, manifest.Snapshot, manifest.Source:
		default:
			return
		}
		out = append(out, n)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

func schemaOf(n *manifest.Node) Schema {
	return Schema{Database: n.Relation.Database, Schema: n.Relation.Schema}
}

// SchemasOf lists the distinct schemas of nodes, sorted.
func SchemasOf(nodes []*manifest.Node) []Schema {
	seen := map[Schema]bool{}
	var out []Schema
	for _, n := range nodes {
		s := schemaOf(n)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Database != out[j].Database {
			return out[i].Database < out[j].Database
		}
		return out[i].Schema < out[j].Schema
	})
	return out
}

// Assemble matches nodes to the tables read per schema. It is pure: the part of
// the catalog that needs no warehouse. Names match exactly first, then
// ignoring case (Snowflake folds unquoted names to upper case).
func Assemble(nodes []*manifest.Node, tables map[Schema][]Table, meta CatalogMetadata) *Catalog {
	c := &Catalog{Metadata: meta, Nodes: map[string]*CatalogTable{}, Sources: map[string]*CatalogTable{}}
	type key struct {
		s    Schema
		name string
	}
	exact := map[key]*Table{}
	folded := map[key]*Table{}
	for s, ts := range tables {
		for i := range ts {
			t := &ts[i]
			exact[key{s, t.Name}] = t
			if _, dup := folded[key{s, strings.ToLower(t.Name)}]; !dup {
				folded[key{s, strings.ToLower(t.Name)}] = t
			}
		}
	}
	for _, n := range nodes {
		s := schemaOf(n)
		t := exact[key{s, n.Relation.Identifier}]
		if t == nil {
			t = folded[key{s, strings.ToLower(n.Relation.Identifier)}]
		}
		if t == nil {
			continue
		}
		ct := tableEntry(n, s, t)
		if n.ResourceType == manifest.Source {
			c.Sources[n.UniqueID] = ct
		} else {
			c.Nodes[n.UniqueID] = ct
		}
	}
	return c
}

func tableEntry(n *manifest.Node, s Schema, t *Table) *CatalogTable {
	var db *string
	if s.Database != "" {
		d := s.Database
		db = &d
	}
	schema := t.Schema
	if schema == "" {
		schema = s.Schema
	}
	ct := &CatalogTable{
		Metadata: TableMetadata{Type: t.Type, Schema: schema, Name: t.Name, Database: db, Comment: t.Comment, Owner: t.Owner},
		Columns:  make(map[string]*CatalogColumn, len(t.Columns)),
		Stats: map[string]Stat{"has_stats": {ID: "has_stats", Label: "Has Stats?", Value: false, Include: false,
			Description: "Indicates whether there are statistics for this table"}},
		UniqueID: n.UniqueID,
	}
	for i := range t.Columns {
		col := t.Columns[i]
		ct.Columns[col.Name] = &col
	}
	return ct
}

// ReadSchema reads one schema's relations and their columns: with the
// dialect's catalog query where it has one, else by listing the schema and
// asking Columns for each wanted relation that exists.
func ReadSchema(ctx context.Context, w Warehouse, s Schema, wanted []string) ([]Table, error) {
	if cd, ok := w.Dialect().(adapter.CatalogDialect); ok {
		t, err := w.Query(ctx, cd.CatalogSQL(s.Database, s.Schema), 0)
		if err != nil {
			return nil, err
		}
		return parseCatalogRows(t)
	}
	return readSchemaSlowly(ctx, w, s, wanted)
}

// parseCatalogRows groups CatalogSQL's rows (ordered by table, then position)
// into tables.
func parseCatalogRows(t *adapter.Table) ([]Table, error) {
	if len(t.Columns) != 9 {
		return nil, fmt.Errorf("catalog query returned %d columns, want 9", len(t.Columns))
	}
	var out []Table
	for _, r := range t.Rows {
		schema, name := text(r[0]), text(r[1])
		if len(out) == 0 || out[len(out)-1].Name != name || out[len(out)-1].Schema != schema {
			out = append(out, Table{Schema: schema, Name: name, Type: text(r[2]), Owner: optText(r[3]), Comment: optText(r[4])})
		}
		tab := &out[len(out)-1]
		idx, err := integer(r[7])
		if err != nil {
			return nil, fmt.Errorf("column %s.%s position: %w", name, text(r[5]), err)
		}
		tab.Columns = append(tab.Columns, CatalogColumn{Name: text(r[5]), Type: text(r[6]), Index: idx, Comment: optText(r[8])})
	}
	return out, nil
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func optText(v any) *string {
	if v == nil {
		return nil
	}
	s := text(v)
	if s == "" {
		return nil
	}
	return &s
}

func integer(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64:
		return int(x), nil
	case uint8:
		return int(x), nil
	case uint16:
		return int(x), nil
	case uint32:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float64:
		return int(x), nil
	case float32:
		return int(x), nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(text(v)))
	if err != nil {
		return 0, fmt.Errorf("not a whole number: %v", v)
	}
	return n, nil
}

// readSchemaSlowly is the fallback for dialects without a catalog query: one
// listing of the schema, then Columns per wanted relation that exists (names
// matched exactly, else ignoring case, as Assemble matches them).
func readSchemaSlowly(ctx context.Context, w Warehouse, s Schema, wanted []string) ([]Table, error) {
	rels, err := w.ListRelations(ctx, s.Database, s.Schema)
	if err != nil {
		return nil, err
	}
	kinds := map[string]relation.Kind{}
	stored := map[string]string{} // lower-cased name -> as the warehouse spells it
	for _, r := range rels {
		kinds[r.Relation.Identifier] = r.Kind
		stored[strings.ToLower(r.Relation.Identifier)] = r.Relation.Identifier
	}
	names := make([]string, 0, len(wanted))
	seen := map[string]bool{}
	for _, n := range wanted {
		if _, ok := kinds[n]; !ok {
			n = stored[strings.ToLower(n)]
		}
		if _, ok := kinds[n]; ok && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]Table, 0, len(names))
	for _, name := range names {
		cols, err := w.Columns(ctx, relation.Relation{Database: s.Database, Schema: s.Schema, Identifier: name})
		if err != nil {
			return nil, err
		}
		t := Table{Schema: s.Schema, Name: name, Type: tableType(kinds[name])}
		for i, c := range cols {
			t.Columns = append(t.Columns, CatalogColumn{Name: c.Name, Type: c.DataType, Index: i + 1})
		}
		out = append(out, t)
	}
	return out, nil
}

func tableType(k relation.Kind) string {
	switch k {
	case relation.View:
		return "VIEW"
	case relation.External:
		return "EXTERNAL TABLE"
	}
	return "BASE TABLE"
}
