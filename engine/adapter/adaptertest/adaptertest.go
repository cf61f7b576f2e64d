// Package adaptertest is the one conformance suite every strata adapter runs:
// DuckDB always, PostgreSQL when STRATA_TEST_POSTGRES_DSN is set, Snowflake
// against its fake server. Its cases follow dbt's adapter "basic" suite: seeds,
// views, tables, atomic rebuilds, materialization changes, incremental
// strategies, schema changes, queries, errors and cancellation.
//
// The builds go through engine/materialize, driven by the adapter's driver
// (dialect and traits), exactly as a run does; the suite checks what lands in
// the warehouse. It also checks the relation cache and the introspection a
// Warehouse offers, and the fallbacks of the optional capabilities.
//
// An adapter package calls it from a test:
//
//	func TestConformance(t *testing.T) {
//		adaptertest.Run(t, adaptertest.Harness{
//			Driver:    Driver(),
//			Open:      func(t *testing.T) adapter.Conn { ... },
//			Database:  "db",
//			Schema:    func(t *testing.T, c adapter.Conn) string { ... },
//			LongQuery: "select pg_sleep(30)",
//		})
//	}
//
// Every case runs as a subtest with its own connection and schema, so a single
// case can be selected with -run 'TestConformance/incremental_merge'. The
// package holds no state; Run may be called from parallel tests.
package adaptertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

// Harness is what an adapter's test hands the suite.
type Harness struct {
	// Driver is the adapter's driver: its dialect and traits drive the builds.
	Driver adapter.Driver
	// Open connects to the warehouse under test. The suite calls it once per
	// case and closes the connection when the case ends.
	Open func(t *testing.T) adapter.Conn
	// OpenSingle connects with a pool of one connection (threads: 1), for the
	// case that checks no build holds a connection while it waits for another.
	// Nil skips that case.
	OpenSingle func(t *testing.T) adapter.Conn
	// Database is the database (catalog) every relation of the suite lives in.
	Database string
	// Schema returns a fresh, unique schema name for one case and registers its
	// removal with t.Cleanup (it may use c, which stays open until that cleanup
	// has run). The suite creates the schema itself through CreateSchema.
	Schema func(t *testing.T, c adapter.Conn) string
	// LongQuery is a statement that runs for tens of seconds (DuckDB:
	// "select count(*) from range(10000000000)", PostgreSQL: "select pg_sleep(30)").
	// The cancellation cases use it; empty skips them.
	LongQuery string
	// LongSelect is a SELECT yielding at least one column that runs for tens of
	// seconds, used as a model body to cancel a build midway. Empty: LongQuery.
	LongSelect string
	// Skip names cases to skip, with the reason (for an engine or fake that
	// cannot do something); unknown names fail the run so typos show.
	Skip map[string]string
}

// Case is one named conformance check.
type Case struct {
	Name string
	Fn   func(t *testing.T, s *Suite)
}

// Cases lists the suite's cases in run order.
func Cases() []Case {
	return []Case{
		{"ensure_schema", testEnsureSchema},
		{"seed_base", testSeedBase},
		{"seed_types", testSeedTypes},
		{"seed_quoted_columns", testSeedQuoted},
		{"seed_reload", testSeedReload},
		{"view", testView},
		{"table", testTable},
		{"table_rebuild_atomic", testTableAtomic},
		{"materialization_change", testKindChange},
		{"view_over_table_unlisted", testViewOverTableUnlisted},
		{"incremental_append", testIncrementalAppend},
		{"incremental_merge", func(t *testing.T, s *Suite) { testIncrementalKeyed(t, s, "merge") }},
		{"incremental_delete_insert", func(t *testing.T, s *Suite) { testIncrementalKeyed(t, s, "delete+insert") }},
		{"incremental_default_with_key", func(t *testing.T, s *Suite) { testIncrementalKeyed(t, s, "") }},
		{"incremental_composite_key", testIncrementalComposite},
		{"incremental_full_refresh", testIncrementalFullRefresh},
		{"on_schema_change_ignore", testSchemaChangeIgnore},
		{"on_schema_change_fail", testSchemaChangeFail},
		{"on_schema_change_append_new_columns", testSchemaChangeAppend},
		{"incremental_bad_strategy", testBadStrategy},
		{"query_limit", testQueryLimit},
		{"columns_order", testColumnsOrder},
		{"drop_relation", testDropRelation},
		{"exec_error", testExecError},
		{"model_error", testModelError},
		{"cancel_query", testCancelQuery},
		{"cancel_build", testCancelBuild},
		{"snapshot_timestamp", testSnapshotTimestamp},
		{"snapshot_check", testSnapshotCheck},
		{"snapshot_hard_deletes", testSnapshotHardDeletes},
		{"incremental_duplicate_key", testDuplicateKey},
		{"dependent_views_kept", testDependentViews},
		{"identifier_length", testIdentifierLength},
		{"relation_cache", testRelationCache},
		{"introspection", testIntrospection},
		{"seed_without_bulk_loader", testSeedWithoutBulkLoader},
		{"single_connection", testSingleConnection},
		{"contract_mismatch", testContractMismatch},
		{"contract_constraints", testContractConstraints},
	}
}

// Run runs every case as a subtest.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Open == nil || h.Schema == nil {
		t.Fatal("adaptertest: Harness.Open and Harness.Schema are required")
	}
	cases := Cases()
	for name := range h.Skip {
		if !slices.ContainsFunc(cases, func(c Case) bool { return c.Name == name }) {
			t.Fatalf("adaptertest: Harness.Skip names unknown case %q", name)
		}
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if why, ok := h.Skip[c.Name]; ok {
				t.Skip(why)
			}
			c.Fn(t, newSuite(t, h))
		})
	}
}

// Suite is one case's connection, warehouse handle and schema, with helpers.
type Suite struct {
	H Harness
	// C is the connection; W the handle the builds go through; D the dialect.
	C      adapter.Conn
	W      *materialize.Warehouse
	D      adapter.Dialect
	Schema string
}

func newSuite(t *testing.T, h Harness) *Suite {
	t.Helper()
	c := h.Open(t)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	schema := h.Schema(t, c)
	s := &Suite{H: h, C: c, D: h.Driver.Dialect, Schema: schema}
	s.W = s.Warehouse(c)
	if err := s.W.CreateSchema(testContext(t), h.Database, schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	return s
}

// Warehouse is a fresh handle (with an empty relation cache) on c.
func (s *Suite) Warehouse(c adapter.Conn) *materialize.Warehouse {
	return materialize.New(c, s.H.Driver, adapter.Target{Type: s.H.Driver.Type, Database: s.H.Database, Schema: s.Schema})
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Rel names a relation of the case's schema (name folded as the engine folds
// unquoted names).
func (s *Suite) Rel(name string) relation.Relation {
	return relation.Relation{Database: s.H.Database, Schema: s.Schema, Identifier: s.D.NormalizeIdent(name)}
}

// R renders Rel(name) as SQL.
func (s *Suite) R(name string) string { return s.D.RenderRelation(s.Rel(name)) }

// Q quotes an identifier.
func (s *Suite) Q(name string) string { return s.D.QuoteIdent(name) }

// Keys folds key column names as the engine folds unquoted names.
func (s *Suite) Keys(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = s.D.NormalizeIdent(n)
	}
	return out
}

// Rows runs sql and renders every value as text (NULL for nil).
func (s *Suite) Rows(t *testing.T, sql string) [][]string {
	t.Helper()
	tab, err := s.C.Query(testContext(t), sql, 0)
	if err != nil {
		t.Fatalf("query %s: %v", sql, err)
	}
	return textRows(tab)
}

func textRows(tab *adapter.Table) [][]string {
	out := make([][]string, len(tab.Rows))
	for i, r := range tab.Rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = text(v)
		}
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	default:
		return fmt.Sprint(x)
	}
}

// Count returns the row count of a relation.
func (s *Suite) Count(t *testing.T, name string) int {
	t.Helper()
	rows := s.Rows(t, "select count(*) from "+s.R(name))
	var n int
	if _, err := fmt.Sscan(rows[0][0], &n); err != nil {
		t.Fatalf("count %s: %q is not a number", name, rows[0][0])
	}
	return n
}

// Kind returns what exists at name, read from the catalog (through a fresh
// handle, so the run's relation cache cannot answer).
func (s *Suite) Kind(t *testing.T, name string) relation.Kind {
	t.Helper()
	k, err := s.Warehouse(s.C).RelationKind(testContext(t), s.Rel(name))
	if err != nil {
		t.Fatalf("relation kind %s: %v", name, err)
	}
	return k
}

// Materialize builds a model and fails the test on error.
func (s *Suite) Materialize(t *testing.T, req materialize.Request) materialize.Result {
	t.Helper()
	if req.Label == "" {
		req.Label = "model.conformance." + req.Relation.Identifier
	}
	res, err := s.W.Materialize(testContext(t), req)
	if err != nil {
		t.Fatalf("materialize %s as %s: %v\nstatements:\n%s", req.Relation, req.Materialized, err, strings.Join(res.Statements, ";\n"))
	}
	if len(res.Statements) == 0 {
		t.Errorf("materialize %s: result lists no statements", req.Relation)
	}
	return res
}

// Seed loads a seed and fails the test on error.
func (s *Suite) Seed(t *testing.T, name string, header []string, rows [][]string, types map[string]string) materialize.Result {
	t.Helper()
	return s.seedWith(t, s.W, name, header, rows, types)
}

func (s *Suite) seedWith(t *testing.T, w *materialize.Warehouse, name string, header []string, rows [][]string, types map[string]string) materialize.Result {
	t.Helper()
	res, err := w.LoadSeed(testContext(t), materialize.SeedRequest{
		Relation: s.Rel(name), Header: header, Rows: rows, ColumnTypes: types,
		Label: "seed.conformance." + name,
	})
	if err != nil {
		t.Fatalf("load seed %s: %v", name, err)
	}
	if len(res.Statements) == 0 {
		t.Errorf("load seed %s: result lists no statements", name)
	}
	return res
}

// Leftovers lists relations of the case's schema whose names carry
// materialize.TempMarker, read from the catalog.
func (s *Suite) Leftovers(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rels, err := s.Warehouse(s.C).ListRelations(ctx, s.H.Database, s.Schema)
	if err != nil {
		t.Fatalf("list relations: %v", err)
	}
	var left []string
	for _, r := range rels {
		if strings.Contains(strings.ToLower(r.Relation.Identifier), strings.ToLower(materialize.TempMarker)) {
			left = append(left, r.Relation.Identifier)
		}
	}
	return left
}

func (s *Suite) assertNoLeftovers(t *testing.T) {
	t.Helper()
	if left := s.Leftovers(t); len(left) > 0 {
		t.Errorf("temporary relations left behind: %v", left)
	}
}

// Seed fixtures, after dbt's basic suite: base is 10 rows, added is base plus 10.
var seedHeader = []string{"id", "name", "some_date"}

func seedRows(n int) [][]string {
	names := []string{"Easton", "Lillian", "Jeremiah", "Nolan", "Hannah", "Eleanor", "Lily", "Jonathan", "Adrian", "Nora",
		"Angel", "Jordan", "Robert", "Grace", "Henry", "Ava", "Mila", "Emma", "Owen", "Zoe"}
	rows := make([][]string, n)
	for i := range n {
		rows[i] = []string{fmt.Sprint(i + 1), names[i], fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", 1980+i, 1+i%12, 1+i%28, i%24, i%60, (7*i)%60)}
	}
	return rows
}

func (s *Suite) seedBase(t *testing.T) {
	t.Helper()
	s.Seed(t, "base", seedHeader, seedRows(10), nil)
	s.Seed(t, "added", seedHeader, seedRows(20), nil)
}

// equalRelations fails unless a and b hold the same rows (symmetric EXCEPT
// diff, as dbt's check_relations_equal).
func (s *Suite) equalRelations(t *testing.T, a, b string) {
	t.Helper()
	cols := s.Q(s.D.NormalizeIdent("id")) + ", " + s.Q(s.D.NormalizeIdent("name")) + ", " + s.Q(s.D.NormalizeIdent("some_date"))
	sql := fmt.Sprintf("select count(*) from ((select %[1]s from %[2]s except select %[1]s from %[3]s) union all (select %[1]s from %[3]s except select %[1]s from %[2]s)) d",
		cols, s.R(a), s.R(b))
	if got := s.Rows(t, sql)[0][0]; got != "0" {
		t.Errorf("%s and %s differ in %s rows", a, b, got)
	}
	if ca, cb := s.Count(t, a), s.Count(t, b); ca != cb {
		t.Errorf("%s has %d rows, %s has %d", a, ca, b, cb)
	}
}

func wantErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(p)) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// concurrently runs f in n goroutines and waits.
func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}
