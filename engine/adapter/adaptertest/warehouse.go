package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

// Cases added with engine/materialize: what the materializations promise on
// top of the basic suite, the relation cache and the introspection a
// Warehouse offers, and the fallbacks of the optional capabilities.

// testDuplicateKey: merge and delete+insert refuse new rows whose unique_key
// repeats, naming the key and the duplicates, and change nothing.
func testDuplicateKey(t *testing.T, s *Suite) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	for _, strategy := range []string{"merge", "delete+insert"} {
		name := "dupkey_" + strings.ReplaceAll(strategy, "+", "_")
		first := "select 1 as id, 'a' as name union all select 2, 'b' union all select 3, 'c'"
		dups := "select 2 as id, 'B1' as name union all select 2, 'B2' union all select 4, 'd' union all select 4, 'D' union all select 4, 'DD' union all select null, 'n1' union all select null, 'n2'"
		r := materialize.Request{Relation: s.Rel(name), Materialized: "incremental", Strategy: strategy, UniqueKey: s.Keys("id"),
			SQL: first, IncrementalSQL: dups, Label: "model.conformance." + name}
		s.Materialize(t, r)
		_, err := s.W.Materialize(testContext(t), r)
		if !errors.Is(err, materialize.ErrDuplicateKey) {
			t.Fatalf("%s: error %v, want ErrDuplicateKey", strategy, err)
		}
		wantErrContains(t, err, "model.conformance."+name, "unique_key", "=4 (3 rows)", "=2 (2 rows)")
		if strings.Contains(err.Error(), "n1") || strings.Contains(strings.ToLower(err.Error()), "=null") {
			t.Errorf("%s: rows with a NULL key count as duplicates: %v", strategy, err)
		}
		got := s.Rows(t, fmt.Sprintf("select %s, %s from %s order by 1", q("id"), q("name"), s.R(name)))
		sameRows(t, strategy+" after a refused run", got, [][]string{{"1", "a"}, {"2", "b"}, {"3", "c"}})
	}
	s.assertNoLeftovers(t)
}

// testDependentViews: rebuilding a table keeps working the views that read
// it, created outside strata, whether the columns stay or change; seeds too.
func testDependentViews(t *testing.T, s *Suite) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	build := func(sql string) {
		s.Materialize(t, materialize.Request{Relation: s.Rel("dep_table"), Materialized: "table", SQL: sql})
	}
	build("select 1 as id, 'a' as name")
	// Two levels of views, made by hand as a BI tool or a colleague would.
	s.exec(t, fmt.Sprintf("create view %s as select %s, %s from %s", s.R("dep_outside"), q("id"), q("name"), s.R("dep_table")))
	s.exec(t, fmt.Sprintf("create view %s as select %s from %s", s.R("dep_outside2"), q("id"), s.R("dep_outside")))
	check := func(step string, want [][]string) {
		t.Helper()
		for _, v := range []string{"dep_outside", "dep_outside2"} {
			if k := s.Kind(t, v); k != relation.View {
				t.Fatalf("%s: %s is a %q, want the view kept", step, v, k)
			}
		}
		sameRows(t, step, s.Rows(t, fmt.Sprintf("select %s from %s order by 1", q("id"), s.R("dep_outside2"))), want)
	}
	build("select 2 as id, 'b' as name union all select 3, 'c'") // same columns
	check("same columns", [][]string{{"2"}, {"3"}})
	build("select 4 as id, 'd' as name, 'x' as extra") // a column more
	check("new column", [][]string{{"4"}})
	// A seed under a view too.
	s.Seed(t, "dep_seed", []string{"id"}, [][]string{{"1"}}, nil)
	s.exec(t, fmt.Sprintf("create view %s as select %s from %s", s.R("dep_on_seed"), q("id"), s.R("dep_seed")))
	s.Seed(t, "dep_seed", []string{"id", "other"}, [][]string{{"5", "x"}, {"6", "y"}}, nil)
	sameRows(t, "view on a reloaded seed", s.Rows(t, fmt.Sprintf("select %s from %s order by 1", q("id"), s.R("dep_on_seed"))), [][]string{{"5"}, {"6"}})
	s.assertNoLeftovers(t)
}

// testIdentifierLength: a name longer than the engine keeps is refused
// before anything is built, naming the limit.
func testIdentifierLength(t *testing.T, s *Suite) {
	limit := s.H.Driver.Traits.MaxIdentifierBytes
	if limit == 0 {
		if err := s.H.Driver.Traits.CheckIdentifier(s.H.Driver.Type, strings.Repeat("x", 5000)); err != nil {
			t.Errorf("no limit declared, yet a long name is refused: %v", err)
		}
		t.Skip("the engine declares no identifier limit")
	}
	long := s.D.NormalizeIdent("m_" + strings.Repeat("x", limit))
	_, err := s.W.Materialize(testContext(t), materialize.Request{Relation: s.Rel(long), Materialized: "table", SQL: "select 1 as id"})
	wantErrContains(t, err, fmt.Sprint(limit), "shorten")
	rels, lerr := s.Warehouse(s.C).ListRelations(testContext(t), s.H.Database, s.Schema)
	if lerr != nil {
		t.Fatal(lerr)
	}
	if len(rels) != 0 {
		t.Errorf("a refused name left %v", rels)
	}
	if err := s.H.Driver.Traits.CheckIdentifier(s.H.Driver.Type, strings.Repeat("y", limit)); err != nil {
		t.Errorf("a name of exactly %d bytes is refused: %v", limit, err)
	}
}

// countingConn counts the schema listings (match) run on a connection.
type countingConn struct {
	adapter.Conn
	match    string
	listings atomic.Int64
}

func (c *countingConn) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	if sql == c.match {
		c.listings.Add(1)
	}
	return c.Conn.Query(ctx, sql, limit)
}

// testRelationCache: a handle reads a schema's relations once, however many
// relations it builds or is asked about, and stays right as it builds,
// drops, and runs statements that change the catalog.
func testRelationCache(t *testing.T, s *Suite) {
	ctx := testContext(t)
	listing := s.D.RelationsSQL(s.H.Database, s.Schema, "")
	c := &countingConn{Conn: s.C, match: listing}
	w := s.Warehouse(c)
	for i := range 6 {
		mat := []string{"view", "table"}[i%2]
		r := s.Rel(fmt.Sprintf("cached_%d", i))
		if _, err := w.Materialize(ctx, materialize.Request{Relation: r, Materialized: mat, SQL: fmt.Sprintf("select %d as id", i)}); err != nil {
			t.Fatal(err)
		}
		want := map[string]relation.Kind{"view": relation.View, "table": relation.Table}[mat]
		if k, err := w.RelationKind(ctx, r); err != nil || k != want {
			t.Errorf("cached_%d: %q, %v; want %q", i, k, err, want)
		}
	}
	if n := c.listings.Load(); n != 1 {
		t.Errorf("six builds and six questions listed the schema %d times, want once", n)
	}
	if err := w.DropRelation(ctx, s.Rel("cached_0"), relation.View); err != nil {
		t.Fatal(err)
	}
	if k, _ := w.RelationKind(ctx, s.Rel("cached_0")); k != relation.None {
		t.Errorf("after DropRelation the handle says %q", k)
	}
	// A statement that creates a relation, run through the handle.
	if _, err := w.Exec(ctx, "create table "+s.R("made_by_hook")+" as select 1 as id"); err != nil {
		t.Fatal(err)
	}
	if k, _ := w.RelationKind(ctx, s.Rel("made_by_hook")); k != relation.Table {
		t.Errorf("a table made through Exec is %q to the handle", k)
	}
	// Something outside the run turns a view into a table: the build that
	// trips over the stale answer reads the relation again and succeeds.
	if _, err := s.C.Exec(ctx, s.D.Drop(s.Rel("cached_2"), relation.View)+"; "+"create table "+s.R("cached_2")+" as select 9 as id"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Materialize(ctx, materialize.Request{Relation: s.Rel("cached_2"), Materialized: "view", SQL: "select 2 as id"}); err != nil {
		t.Fatalf("rebuild after an outside change: %v", err)
	}
	if k := s.Kind(t, "cached_2"); k != relation.View {
		t.Errorf("cached_2 is a %q, want a view", k)
	}
	s.assertNoLeftovers(t)
}

// testIntrospection: what dbt's adapter object asks of a warehouse.
func testIntrospection(t *testing.T, s *Suite) {
	ctx := testContext(t)
	s.Materialize(t, materialize.Request{Relation: s.Rel("intro_t"), Materialized: "table", SQL: "select 1 as id, 'x' as name"})
	s.Materialize(t, materialize.Request{Relation: s.Rel("intro_v"), Materialized: "view", SQL: "select 1 as id"})
	schemas, err := s.W.ListSchemas(ctx, s.H.Database)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(schemas, func(x string) bool { return strings.EqualFold(x, s.D.NormalizeIdent(s.Schema)) }) {
		t.Errorf("ListSchemas %v lacks %s", schemas, s.Schema)
	}
	for schema, want := range map[string]bool{s.Schema: true, s.Schema + "_absent_zz": false} {
		if ok, err := s.W.SchemaExists(ctx, s.H.Database, schema); err != nil || ok != want {
			t.Errorf("SchemaExists(%s) = %v, %v; want %v", schema, ok, err, want)
		}
	}
	rels, err := s.W.ListRelations(ctx, s.H.Database, s.Schema)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]relation.Kind{}
	for _, r := range rels {
		got[strings.ToLower(r.Relation.Identifier)] = r.Kind
	}
	if got["intro_t"] != relation.Table || got["intro_v"] != relation.View {
		t.Errorf("ListRelations %v", rels)
	}
	cols, err := s.W.Columns(ctx, s.Rel("intro_t"))
	if err != nil || len(cols) != 2 || !strings.EqualFold(cols[1].Name, "name") {
		t.Errorf("Columns = %v, %v", cols, err)
	}
}

// plainConn hides a connection's optional capabilities: its sessions only
// run statements.
type plainConn struct{ adapter.Conn }

type plainSession struct{ s adapter.Session }

func (c plainConn) Session(ctx context.Context) (adapter.Session, error) {
	s, err := c.Conn.Session(ctx)
	if err != nil {
		return nil, err
	}
	return plainSession{s}, nil
}

func (p plainSession) Exec(ctx context.Context, sql string) (int64, error) { return p.s.Exec(ctx, sql) }
func (p plainSession) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	return p.s.Query(ctx, sql, limit)
}
func (p plainSession) Release() { p.s.Release() }

// testSeedWithoutBulkLoader: without a bulk loader, seeds load through
// batched INSERTs, with the same result (quotes and NULLs included).
func testSeedWithoutBulkLoader(t *testing.T, s *Suite) {
	w := s.Warehouse(plainConn{s.C})
	rows := make([][]string, 1203)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i + 1), fmt.Sprintf("it's %d", i), ""}
	}
	res := s.seedWith(t, w, "plain_seed", []string{"id", "name", "empty"}, rows, nil)
	if res.RowsAffected != 1203 {
		t.Errorf("rows affected %d, want 1203", res.RowsAffected)
	}
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	got := s.Rows(t, fmt.Sprintf("select count(*), count(%s), max(%s) from %s where %s like 'it''s %%'", q("empty"), q("id"), s.R("plain_seed"), q("name")))
	sameRows(t, "plain seed", got, [][]string{{"1203", "0", "1203"}})
	s.assertNoLeftovers(t)
}

// testSingleConnection: with one connection in the pool (threads: 1), every
// kind of build finishes: none holds a connection while it waits for another
// (reading the relation cache, for one). A deadlock ends at the deadline.
func testSingleConnection(t *testing.T, s *Suite) {
	if s.H.OpenSingle == nil {
		t.Skip("Harness.OpenSingle not set")
	}
	c := s.H.OpenSingle(t) // perhaps another database: the case uses only c
	t.Cleanup(func() { _ = c.Close() })
	w := s.Warehouse(c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := w.CreateSchema(ctx, s.H.Database, s.Schema); err != nil {
		t.Fatal(err)
	}
	fail := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s with one connection: %v", what, err)
		}
	}
	for round := range 2 { // the second round replaces what the first built
		_, err := w.LoadSeed(ctx, materialize.SeedRequest{Relation: s.Rel("one_seed"), Header: []string{"id"}, Rows: [][]string{{"1"}, {"2"}}})
		fail("seed", err)
		for _, mat := range []string{"table", "view", "incremental"} {
			_, err := w.Materialize(ctx, materialize.Request{Relation: s.Rel("one_" + mat), Materialized: mat, UniqueKey: s.Keys("id"),
				SQL: "select * from " + s.R("one_seed")})
			fail(mat, err)
		}
		_, err = w.Materialize(ctx, materialize.Request{Relation: s.Rel("one_table"), Materialized: []string{"view", "table"}[round],
			SQL: "select * from " + s.R("one_seed")})
		fail("kind change", err)
		_, err = w.Snapshot(ctx, materialize.SnapshotRequest{Relation: s.Rel("one_snap"), SQL: "select * from " + s.R("one_seed"),
			UniqueKey: s.Keys("id"), Strategy: "check", CheckCols: []string{"all"}})
		fail("snapshot", err)
	}
	rels, err := s.Warehouse(c).ListRelations(ctx, s.H.Database, s.Schema)
	fail("list", err)
	for _, r := range rels {
		if strings.Contains(strings.ToLower(r.Relation.Identifier), strings.ToLower(materialize.TempMarker)) {
			t.Errorf("temporary relation left behind: %s", r.Relation)
		}
	}
}
