package docs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/adapter/postgres"
	"github.com/strata-dev/strata/engine/adapter/snowflake"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

func node(id string, typ manifest.ResourceType, mat, db, schema, name string) *manifest.Node {
	n := &manifest.Node{UniqueID: id, ResourceType: typ, Name: name, Config: manifest.Config{Materialized: mat}}
	if mat != "ephemeral" && typ != manifest.Test {
		n.Relation = relation.Relation{Database: db, Schema: schema, Identifier: name}
	}
	return n
}

func testManifest(nodes ...*manifest.Node) *manifest.Manifest {
	m := manifest.New()
	for _, n := range nodes {
		if n.ResourceType == manifest.Source {
			m.Sources[n.UniqueID] = n
		} else {
			m.Nodes[n.UniqueID] = n
		}
	}
	return m
}

func TestDocumentedKeepsRelationsOnly(t *testing.T) {
	m := testManifest(
		node("model.p.t", manifest.Model, "table", "db", "main", "t"),
		node("model.p.eph", manifest.Model, "ephemeral", "", "", "eph"),
		node("seed.p.s", manifest.Seed, "seed", "db", "main", "s"),
		node("snapshot.p.snap", manifest.Snapshot, "snapshot", "db", "snaps", "snap"),
		node("source.p.raw.r", manifest.Source, "", "db", "raw", "r"),
		node("test.p.not_null_t_id", manifest.Test, "test", "", "", "not_null_t_id"),
	)
	var got []string
	for _, n := range Documented(m, nil) {
		got = append(got, n.UniqueID)
	}
	want := "model.p.t seed.p.s snapshot.p.snap source.p.raw.r"
	if strings.Join(got, " ") != want {
		t.Errorf("Documented = %v, want %s", got, want)
	}
	got = got[:0]
	for _, n := range Documented(m, []string{"seed.p.s", "model.p.eph"}) {
		got = append(got, n.UniqueID)
	}
	if strings.Join(got, " ") != "seed.p.s" {
		t.Errorf("Documented(only) = %v, want [seed.p.s]", got)
	}
	if got := len(Documented(m, []string{})); got != 0 {
		t.Errorf("Documented(empty selection) = %d nodes, want 0", got)
	}
	schemas := SchemasOf(Documented(m, nil))
	if fmt.Sprint(schemas) != "[db.main db.raw db.snaps]" {
		t.Errorf("SchemasOf = %v", schemas)
	}
}

func TestAssemble(t *testing.T) {
	owner := "analyst"
	nodes := []*manifest.Node{
		node("model.p.orders", manifest.Model, "table", "db", "marts", "orders"),
		node("model.p.orders_v", manifest.Model, "view", "db", "marts", "orders_v"),
		node("model.p.not_built", manifest.Model, "table", "db", "marts", "not_built"),
		node("model.p.other_schema", manifest.Model, "table", "db", "missing_schema", "other_schema"),
		node("source.p.raw.payments", manifest.Source, "", "db", "raw", "payments"),
		// Snowflake reports unquoted names upper case.
		node("seed.p.countries", manifest.Seed, "seed", "db", "raw", "countries"),
	}
	tables := map[Schema][]Table{
		{"db", "marts"}: {
			{Schema: "marts", Name: "orders", Type: "BASE TABLE", Owner: &owner, Columns: []CatalogColumn{
				{Name: "id", Type: "integer", Index: 1}, {Name: "amount", Type: "numeric(12,2)", Index: 2}}},
			{Schema: "marts", Name: "orders_v", Type: "VIEW", Columns: []CatalogColumn{{Name: "id", Type: "integer", Index: 1}}},
			{Schema: "marts", Name: "unrelated", Type: "BASE TABLE"},
		},
		{"db", "raw"}: {
			{Schema: "RAW", Name: "COUNTRIES", Type: "BASE TABLE", Columns: []CatalogColumn{{Name: "CODE", Type: "TEXT", Index: 1}}},
			{Schema: "raw", Name: "payments", Type: "BASE TABLE", Columns: []CatalogColumn{{Name: "paid_at", Type: "timestamp", Index: 1}}},
		},
	}
	c := Assemble(nodes, tables, CatalogMetadata{DbtSchemaVersion: CatalogSchema})
	if len(c.Nodes) != 3 || len(c.Sources) != 1 {
		t.Fatalf("catalog has %d nodes and %d sources, want 3 and 1: %v %v", len(c.Nodes), len(c.Sources), keys(c.Nodes), keys(c.Sources))
	}
	for _, absent := range []string{"model.p.not_built", "model.p.other_schema"} {
		if _, ok := c.Nodes[absent]; ok {
			t.Errorf("%s is in the catalog but was not built", absent)
		}
	}
	o := c.Nodes["model.p.orders"]
	if o == nil || o.Metadata.Type != "BASE TABLE" || o.Metadata.Name != "orders" || o.Metadata.Schema != "marts" ||
		o.Metadata.Database == nil || *o.Metadata.Database != "db" || o.Metadata.Owner == nil || *o.Metadata.Owner != "analyst" {
		t.Fatalf("orders metadata = %+v", o)
	}
	if col := o.Columns["amount"]; col == nil || col.Type != "numeric(12,2)" || col.Index != 2 {
		t.Errorf("orders.amount = %+v", col)
	}
	if o.UniqueID != "model.p.orders" || o.Stats["has_stats"].ID != "has_stats" {
		t.Errorf("orders unique_id/stats = %q %+v", o.UniqueID, o.Stats)
	}
	if v := c.Nodes["model.p.orders_v"]; v == nil || v.Metadata.Type != "VIEW" {
		t.Errorf("orders_v = %+v", v)
	}
	if s := c.Nodes["seed.p.countries"]; s == nil || s.Metadata.Name != "COUNTRIES" || s.Metadata.Schema != "RAW" || s.Columns["CODE"] == nil {
		t.Errorf("an upper-case relation does not match its lower-case node: %+v", s)
	}
	if p := c.Sources["source.p.raw.payments"]; p == nil || p.Columns["paid_at"].Type != "timestamp" {
		t.Errorf("source payments = %+v", p)
	}
}

func keys(m map[string]*CatalogTable) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// fakeWarehouse answers the catalog queries of a DuckDB-typed warehouse from
// tables held in memory, and counts every call. Of another type ("exotic") it
// has no catalog query.
type fakeWarehouse struct {
	typ        string
	tables     map[Schema][]Table
	failSchema string

	mu       sync.Mutex
	queries  []string
	lists    int
	colCalls []string
}

// exotic is a dialect without the CatalogDialect capability.
type exotic struct{ adapter.Dialect }

func (f *fakeWarehouse) Dialect() adapter.Dialect {
	if f.typ == "duckdb" {
		return duckdb.Dialect{}
	}
	return exotic{duckdb.Dialect{}}
}

var schemaLiteral = regexp.MustCompile(`table_schema = '([^']*)'`)

func (f *fakeWarehouse) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	f.mu.Lock()
	f.queries = append(f.queries, sql)
	f.mu.Unlock()
	m := schemaLiteral.FindStringSubmatch(sql)
	if m == nil {
		return nil, fmt.Errorf("unexpected query %q", sql)
	}
	if m[1] == f.failSchema {
		return nil, errors.New("permission denied for schema " + m[1])
	}
	t := &adapter.Table{Columns: []string{"table_schema", "table_name", "table_type", "owner", "table_comment",
		"column_name", "data_type", "ordinal_position", "column_comment"}}
	for s, ts := range f.tables {
		if s.Schema != m[1] {
			continue
		}
		for _, tab := range ts {
			for _, c := range tab.Columns {
				// Positions come back as whatever integer type the driver uses.
				t.Rows = append(t.Rows, []any{tab.Schema, tab.Name, tab.Type, nil, nil, c.Name, c.Type, int32(c.Index), nil})
			}
		}
	}
	return t, nil
}

func (f *fakeWarehouse) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	f.mu.Lock()
	f.lists++
	f.mu.Unlock()
	var out []adapter.ListedRelation
	for _, t := range f.tables[Schema{database, schema}] {
		k := relation.Table
		if t.Type == "VIEW" {
			k = relation.View
		}
		out = append(out, adapter.ListedRelation{Relation: relation.Relation{Database: database, Schema: schema, Identifier: t.Name}, Kind: k})
	}
	return out, nil
}

func (f *fakeWarehouse) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	f.mu.Lock()
	f.colCalls = append(f.colCalls, r.Identifier)
	f.mu.Unlock()
	for _, t := range f.tables[Schema{r.Database, r.Schema}] {
		if t.Name == r.Identifier {
			var out []adapter.Column
			for _, c := range t.Columns {
				out = append(out, adapter.Column{Name: c.Name, DataType: c.Type})
			}
			return out, nil
		}
	}
	return nil, nil
}

// manyNodes is a project of n models spread over three schemas, every one built.
func manyNodes(n int) (*manifest.Manifest, map[Schema][]Table) {
	m := manifest.New()
	tables := map[Schema][]Table{}
	for i := range n {
		schema := []string{"staging", "marts", "finance"}[i%3]
		name := fmt.Sprintf("m%05d", i)
		nd := node("model.p."+name, manifest.Model, "table", "db", schema, name)
		m.Nodes[nd.UniqueID] = nd
		s := Schema{"db", schema}
		tables[s] = append(tables[s], Table{Schema: schema, Name: name, Type: "BASE TABLE",
			Columns: []CatalogColumn{{Name: "id", Type: "INTEGER", Index: 1}, {Name: "v", Type: "VARCHAR", Index: 2}}})
	}
	return m, tables
}

func TestBuildCatalogQueriesOncePerSchema(t *testing.T) {
	m, tables := manyNodes(300)
	f := &fakeWarehouse{typ: "duckdb", tables: tables}
	c, err := BuildCatalog(context.Background(), CatalogOptions{Warehouse: f, Manifest: m, Threads: 4, InvocationID: "inv", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.queries) != 3 {
		t.Errorf("%d queries for 300 models in 3 schemas, want 3", len(f.queries))
	}
	if len(c.Nodes) != 300 || c.Errors != nil {
		t.Errorf("catalog has %d nodes (errors %v), want 300", len(c.Nodes), c.Errors)
	}
	if got := c.Nodes["model.p.m00007"]; got == nil || got.Columns["v"].Type != "VARCHAR" || got.Columns["v"].Index != 2 {
		t.Errorf("m00007 = %+v", got)
	}
	if c.Metadata.DbtSchemaVersion != CatalogSchema || c.Metadata.InvocationID != "inv" || c.Metadata.GeneratedAt == "" {
		t.Errorf("metadata = %+v", c.Metadata)
	}
}

func TestBuildCatalogRecordsUnreadableSchema(t *testing.T) {
	m, tables := manyNodes(30)
	f := &fakeWarehouse{typ: "duckdb", tables: tables, failSchema: "marts"}
	c, err := BuildCatalog(context.Background(), CatalogOptions{Warehouse: f, Manifest: m, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Errors) != 1 || !strings.Contains(c.Errors[0], "db.marts") || !strings.Contains(c.Errors[0], "permission denied") {
		t.Errorf("errors = %q, want one naming db.marts and the cause", c.Errors)
	}
	if len(c.Nodes) != 20 {
		t.Errorf("catalog has %d nodes, want the 20 outside marts", len(c.Nodes))
	}
}

func TestBuildCatalogCancelled(t *testing.T) {
	m, tables := manyNodes(3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := BuildCatalog(ctx, CatalogOptions{Warehouse: &fakeWarehouse{typ: "duckdb", tables: tables}, Manifest: m})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestBuildCatalogFallsBackToListing(t *testing.T) {
	m, tables := manyNodes(9)
	delete(m.Nodes, "model.p.m00000") // m00000 exists in the warehouse but not in the project
	m.Nodes["model.p.ghost"] = node("model.p.ghost", manifest.Model, "view", "db", "marts", "ghost")
	f := &fakeWarehouse{typ: "exotic", tables: tables}
	c, err := BuildCatalog(context.Background(), CatalogOptions{Warehouse: f, Manifest: m})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.queries) != 0 || f.lists != 3 {
		t.Errorf("%d queries and %d listings, want 0 and one per schema (3)", len(f.queries), f.lists)
	}
	if len(f.colCalls) != 8 {
		t.Errorf("Columns called for %v, want the 8 project relations that exist", f.colCalls)
	}
	if len(c.Nodes) != 8 || c.Nodes["model.p.m00004"].Columns["id"].Index != 1 {
		t.Errorf("fallback catalog = %d nodes", len(c.Nodes))
	}
}

// TestCatalogSQL checks each warehouse's catalog query (the dialects own
// them; docs runs them).
func TestCatalogSQL(t *testing.T) {
	var d adapter.CatalogDialect = duckdb.Dialect{}
	q := d.CatalogSQL("my db", "o'brien")
	if !strings.Contains(q, "t.table_catalog = 'my db'") || !strings.Contains(q, "t.table_schema = 'o''brien'") {
		t.Errorf("duckdb catalog SQL:\n%s", q)
	}
	if q := d.CatalogSQL("", "main"); !strings.Contains(q, "table_catalog = current_database()") {
		t.Errorf("duckdb without a database:\n%s", q)
	}
	if q := (postgres.Dialect{}).CatalogSQL("postgres", "analytics"); !strings.Contains(q, "n.nspname = 'analytics'") || !strings.Contains(q, "format_type") {
		t.Errorf("postgres catalog SQL:\n%s", q)
	}
	if q := (snowflake.Dialect{}).CatalogSQL("ANALYTICS", "MARTS"); !strings.Contains(q, `"ANALYTICS".information_schema.columns`) {
		t.Errorf("snowflake catalog SQL:\n%s", q)
	}
	if _, ok := (adapter.Dialect)(exotic{duckdb.Dialect{}}).(adapter.CatalogDialect); ok {
		t.Error("a dialect without a catalog query has one")
	}
}

func TestParseCatalogRows(t *testing.T) {
	tab := &adapter.Table{Columns: make([]string, 9), Rows: [][]any{
		{"s", "a", "BASE TABLE", "me", "the a table", "x", "int", int16(1), nil},
		{"s", "a", "BASE TABLE", "me", "the a table", "y", "text", "2", "why"},
		{"s", "b", "VIEW", nil, nil, "x", "int", int64(1), nil},
	}}
	got, err := parseCatalogRows(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0].Columns) != 2 || got[0].Columns[1].Index != 2 || *got[0].Columns[1].Comment != "why" ||
		*got[0].Owner != "me" || got[1].Owner != nil || got[1].Type != "VIEW" {
		t.Errorf("parsed = %+v", got)
	}
	tab.Rows[0][7] = "first"
	if _, err := parseCatalogRows(tab); err == nil {
		t.Error("a non-numeric position parsed")
	}
}
