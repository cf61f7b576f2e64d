package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

func testEnsureSchema(t *testing.T, s *Suite) {
	ctx := testContext(t)
	// The suite created it already: a second and a concurrent call are no-ops.
	if err := s.W.CreateSchema(ctx, s.H.Database, s.Schema); err != nil {
		t.Fatalf("second ensure schema: %v", err)
	}
	other := s.Schema + "_x"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = s.C.Exec(ctx, "drop schema if exists "+s.schemaSQL(other)+" cascade")
	})
	errs := make([]error, 4)
	concurrently(4, func(i int) { errs[i] = s.W.CreateSchema(ctx, s.H.Database, other) })
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent ensure schema: %v", err)
		}
	}
	r := s.Rel("m").WithSchema(other)
	if _, err := s.W.Materialize(ctx, materialize.Request{Relation: r, Materialized: "table", SQL: "select 1 as id"}); err != nil {
		t.Fatalf("build in the new schema: %v", err)
	}
	if k := s.Kind(t, "nothing_here"); k != relation.None {
		t.Errorf("kind of a missing relation = %q, want none", k)
	}
}

func (s *Suite) schemaSQL(schema string) string {
	return s.Q(s.H.Database) + "." + s.Q(s.D.NormalizeIdent(schema))
}

func testSeedBase(t *testing.T, s *Suite) {
	s.seedBase(t)
	if k := s.Kind(t, "base"); k != relation.Table {
		t.Errorf("base is a %q, want a table", k)
	}
	if n := s.Count(t, "base"); n != 10 {
		t.Errorf("base has %d rows, want 10", n)
	}
	if n := s.Count(t, "added"); n != 20 {
		t.Errorf("added has %d rows, want 20", n)
	}
	got := s.Rows(t, fmt.Sprintf("select %s, %s from %s where %s = 3", s.Q(s.D.NormalizeIdent("id")), s.Q(s.D.NormalizeIdent("name")),
		s.R("base"), s.Q(s.D.NormalizeIdent("id"))))
	sameRows(t, "row 3", got, [][]string{{"3", "Jeremiah"}})
	s.assertNoLeftovers(t)
}

func typeIs(dataType string, families ...string) bool {
	d := strings.ToUpper(dataType)
	for _, f := range families {
		if strings.Contains(d, f) {
			return true
		}
	}
	return false
}

func testSeedTypes(t *testing.T, s *Suite) {
	header := []string{"i", "d", "b", "dt", "ts", "t", "zip", "over", "empty"}
	rows := [][]string{
		{"1", "1.5", "true", "2024-01-31", "2024-01-31 10:11:12", "x", "01234", "7", ""},
		{"-20", "", "FALSE", "", "2024-02-01T00:00:00.123456", "y", "00001", "8", ""},
		{"", "3", "", "2024-03-01", "", "3", "", "", ""},
	}
	s.Seed(t, "typed", header, rows, map[string]string{"over": "varchar(20)"})
	cols, err := s.W.Columns(testContext(t), s.Rel("typed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != len(header) {
		t.Fatalf("columns %v, want %d", cols, len(header))
	}
	want := map[string][]string{
		"i": {"INT", "NUMBER"}, "d": {"DEC", "NUMERIC", "NUMBER", "DOUBLE", "FLOAT", "REAL"}, "b": {"BOOL"},
		"dt": {"DATE"}, "ts": {"TIMESTAMP"}, "t": {"CHAR", "TEXT", "STRING"}, "zip": {"CHAR", "TEXT", "STRING"},
		"over": {"CHAR", "TEXT", "STRING"}, "empty": {"CHAR", "TEXT", "STRING"},
	}
	for i, c := range cols {
		if !strings.EqualFold(c.Name, header[i]) {
			t.Errorf("column %d is %q, want %q", i, c.Name, header[i])
			continue
		}
		if !typeIs(c.DataType, want[header[i]]...) {
			t.Errorf("column %s has type %q, want one of %v", c.Name, c.DataType, want[header[i]])
		}
	}
	if typeIs(cols[4].DataType, "DATE") && !typeIs(cols[4].DataType, "TIMESTAMP") {
		t.Errorf("timestamp column typed %q", cols[4].DataType)
	}
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	got := s.Rows(t, fmt.Sprintf("select %s, cast(%s as varchar(40)), %s, cast(%s as varchar(40)), %s, %s, count(*) over () from %s order by %s",
		q("i"), q("dt"), q("zip"), q("b"), q("over"), q("empty"), s.R("typed"), q("t")))
	if len(got) != 3 {
		t.Fatalf("typed has %d rows, want 3", len(got))
	}
	sameRows(t, "nulls and text", [][]string{{got[0][0], got[0][2], got[0][4], got[0][5]}, {got[2][0], got[2][2], got[2][4]}},
		[][]string{{"NULL", "NULL", "NULL", "NULL"}, {"-20", "00001", "8"}})
	if got[1][1] != "2024-01-31" {
		t.Errorf("date read back as %q", got[1][1])
	}
	if b := strings.ToLower(got[2][3]); b != "false" {
		t.Errorf("boolean FALSE read back as %q", got[2][3])
	}
}

func testSeedQuoted(t *testing.T, s *Suite) {
	header := []string{"Order", "select", "Mixed Case", "id"}
	rows := [][]string{{"1", "a", "x", "1"}, {"2", "b", "y", "2"}}
	s.Seed(t, "Quoted_Seed", header, rows, nil)
	got := s.Rows(t, fmt.Sprintf("select %s, %s, %s from %s order by %s", s.Q("Order"), s.Q("select"), s.Q("Mixed Case"),
		s.R("Quoted_Seed"), s.Q("Order")))
	sameRows(t, "quoted columns", got, [][]string{{"1", "a", "x"}, {"2", "b", "y"}})
	cols, err := s.W.Columns(testContext(t), s.Rel("Quoted_Seed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 4 || cols[0].Name != "Order" || cols[1].Name != "select" || cols[2].Name != "Mixed Case" {
		t.Errorf("columns %v, want Order, select, Mixed Case, id", cols)
	}
}

func testSeedReload(t *testing.T, s *Suite) {
	s.Seed(t, "reload", seedHeader, seedRows(20), nil)
	// A view on the seed must not stop a reload.
	s.Materialize(t, materialize.Request{Relation: s.Rel("on_reload"), Materialized: "view", SQL: "select * from " + s.R("reload")})
	s.Seed(t, "reload", seedHeader, seedRows(5), nil)
	if n := s.Count(t, "reload"); n != 5 {
		t.Errorf("after reload the seed has %d rows, want 5 (full reload)", n)
	}
	// Types may change between loads.
	s.Seed(t, "reload", []string{"id", "name"}, [][]string{{"x", "y"}}, nil)
	sameRows(t, "reloaded", s.Rows(t, "select * from "+s.R("reload")), [][]string{{"x", "y"}})
	s.assertNoLeftovers(t)
}

func testView(t *testing.T, s *Suite) {
	s.seedBase(t)
	res := s.Materialize(t, materialize.Request{Relation: s.Rel("view_model"), Materialized: "view", SQL: "select * from " + s.R("base")})
	if k := s.Kind(t, "view_model"); k != relation.View {
		t.Errorf("view_model is a %q, want a view", k)
	}
	s.equalRelations(t, "view_model", "base")
	assertStatementsMention(t, res, s.R("base"))
	// Rebuilding with other columns replaces it.
	s.Materialize(t, materialize.Request{Relation: s.Rel("view_model"), Materialized: "view", SQL: "select 1 as other"})
	sameRows(t, "rebuilt view", s.Rows(t, "select * from "+s.R("view_model")), [][]string{{"1"}})
	s.assertNoLeftovers(t)
}

func assertStatementsMention(t *testing.T, res materialize.Result, part string) {
	t.Helper()
	// Identifiers may be folded (Snowflake upper-cases unquoted names).
	for _, st := range res.Statements {
		if strings.Contains(strings.ToLower(st), strings.ToLower(part)) {
			return
		}
	}
	t.Errorf("no statement mentions %s: %q", part, res.Statements)
}

func testTable(t *testing.T, s *Suite) {
	s.seedBase(t)
	res := s.Materialize(t, materialize.Request{Relation: s.Rel("table_model"), Materialized: "table", SQL: "select * from " + s.R("base")})
	if k := s.Kind(t, "table_model"); k != relation.Table {
		t.Errorf("table_model is a %q, want a table", k)
	}
	s.equalRelations(t, "table_model", "base")
	assertStatementsMention(t, res, s.R("base"))
	s.Materialize(t, materialize.Request{Relation: s.Rel("table_model"), Materialized: "table", SQL: "select * from " + s.R("added")})
	s.equalRelations(t, "table_model", "added")
	s.assertNoLeftovers(t)
}

func testTableAtomic(t *testing.T, s *Suite) {
	s.seedBase(t)
	build := func(src string) {
		s.Materialize(t, materialize.Request{Relation: s.Rel("atomic"), Materialized: "table", SQL: "select * from " + s.R(src)})
	}
	build("base")
	// Readers on other connections must always see the old or the new table,
	// never none and never a half-built one.
	ctx, cancel := context.WithCancel(testContext(t))
	var reads, bad atomic.Int64
	var firstBad atomic.Value
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			tab, err := s.C.Query(ctx, "select count(*) from "+s.R("atomic"), 0)
			if ctx.Err() != nil {
				return
			}
			reads.Add(1)
			if err != nil {
				bad.Add(1)
				firstBad.CompareAndSwap(nil, err.Error())
				continue
			}
			if n := text(tab.Rows[0][0]); n != "10" && n != "20" {
				bad.Add(1)
				firstBad.CompareAndSwap(nil, "count "+n)
			}
		}
	}()
	for i := range 6 {
		build([]string{"added", "base"}[i%2])
	}
	cancel()
	<-done
	if bad.Load() > 0 {
		t.Errorf("%d of %d concurrent reads failed during rebuilds, first: %v", bad.Load(), reads.Load(), firstBad.Load())
	}
	s.equalRelations(t, "atomic", "base")
	s.assertNoLeftovers(t)
}

func testKindChange(t *testing.T, s *Suite) {
	s.seedBase(t)
	sql := "select * from " + s.R("base")
	steps := []struct {
		mat  string
		want relation.Kind
	}{{"table", relation.Table}, {"view", relation.View}, {"table", relation.Table}, {"view", relation.View}, {"incremental", relation.Table}, {"view", relation.View}}
	for _, st := range steps {
		s.Materialize(t, materialize.Request{Relation: s.Rel("swappable"), Materialized: st.mat, SQL: sql})
		if k := s.Kind(t, "swappable"); k != st.want {
			t.Fatalf("after materialized=%s swappable is a %q, want %q", st.mat, k, st.want)
		}
		s.equalRelations(t, "swappable", "base")
	}
	s.assertNoLeftovers(t)
}

// testViewOverTableUnlisted: a view build does not list its schema first
// (withViewKind), so a table in its place is found only when "create or
// replace view" fails; the view must still replace it, and a view whose SQL
// is wrong must fail with the warehouse's error, leaving the table as it was.
func testViewOverTableUnlisted(t *testing.T, s *Suite) {
	s.seedBase(t)
	sql := "select * from " + s.R("base")
	s.Materialize(t, materialize.Request{Relation: s.Rel("was_table"), Materialized: "table", SQL: sql})
	s.Materialize(t, materialize.Request{Relation: s.Rel("kept_table"), Materialized: "table", SQL: sql})

	fresh := s.Warehouse(s.C) // nothing listed yet
	ctx := testContext(t)
	if _, err := fresh.Materialize(ctx, materialize.Request{Relation: s.Rel("was_table"), Materialized: "view", SQL: sql, Label: "model.conformance.was_table"}); err != nil {
		t.Fatalf("view over a table, schema not listed: %v", err)
	}
	if k := s.Kind(t, "was_table"); k != relation.View {
		t.Fatalf("after the view build was_table is a %q, want a view", k)
	}
	s.equalRelations(t, "was_table", "base")

	fresh = s.Warehouse(s.C)
	_, err := fresh.Materialize(ctx, materialize.Request{Relation: s.Rel("kept_table"), Materialized: "view", SQL: "select no_such_column from " + s.R("base"), Label: "model.conformance.kept_table"})
	if err == nil {
		t.Fatal("a view with a wrong column built without an error")
	}
	wantErrContains(t, err, "kept_table")
	if k := s.Kind(t, "kept_table"); k != relation.Table {
		t.Fatalf("after a failed view build kept_table is a %q, want the table it was", k)
	}
	s.equalRelations(t, "kept_table", "base")
	s.assertNoLeftovers(t)
}

func testIncrementalAppend(t *testing.T, s *Suite) {
	s.seedBase(t)
	id := s.Q(s.D.NormalizeIdent("id"))
	req := func(src string) materialize.Request {
		return materialize.Request{
			Relation: s.Rel("incremental"), Materialized: "incremental",
			SQL:            "select * from " + s.R(src),
			IncrementalSQL: fmt.Sprintf("select * from %s where %s > (select max(%s) from %s)", s.R(src), id, id, s.R("incremental")),
		}
	}
	s.Materialize(t, req("base"))
	s.equalRelations(t, "incremental", "base")
	res := s.Materialize(t, req("added"))
	s.equalRelations(t, "incremental", "added")
	assertStatementsMention(t, res, s.R("added"))
	// Explicit append with no new rows changes nothing.
	r := req("added")
	r.Strategy = "append"
	s.Materialize(t, r)
	s.equalRelations(t, "incremental", "added")
	s.assertNoLeftovers(t)
}

func testIncrementalKeyed(t *testing.T, s *Suite, strategy string) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	first := "select 1 as id, 'a' as name union all select 2, 'b' union all select 3, 'c'"
	next := "select 2 as id, 'B' as name union all select 3, 'C' union all select 4, 'd'"
	base := materialize.Request{Relation: s.Rel("keyed"), Materialized: "incremental", Strategy: strategy, UniqueKey: s.Keys("id")}
	r := base
	r.SQL = first
	s.Materialize(t, r)
	r.SQL, r.IncrementalSQL = first, next
	s.Materialize(t, r)
	got := s.Rows(t, fmt.Sprintf("select %s, %s from %s order by 1", q("id"), q("name"), s.R("keyed")))
	sameRows(t, "after "+strategy, got, [][]string{{"1", "a"}, {"2", "B"}, {"3", "C"}, {"4", "d"}})
	s.assertNoLeftovers(t)
}

func testIncrementalComposite(t *testing.T, s *Suite) {
	for _, strategy := range []string{"merge", "delete+insert"} {
		t.Run(strings.ReplaceAll(strategy, "+", "_"), func(t *testing.T) {
			q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
			name := "composite_" + strings.ReplaceAll(strategy, "+", "_")
			first := "select 1 as k1, 'x' as k2, 10 as v union all select 1, 'y', 20 union all select 2, 'x', 30"
			next := "select 1 as k1, 'y' as k2, 21 as v union all select 2, 'y', 40"
			r := materialize.Request{Relation: s.Rel(name), Materialized: "incremental", Strategy: strategy,
				UniqueKey: s.Keys("k1", "k2"), SQL: first, IncrementalSQL: next}
			s.Materialize(t, r)
			s.Materialize(t, r)
			got := s.Rows(t, fmt.Sprintf("select %s, %s, %s from %s order by 1, 2", q("k1"), q("k2"), q("v"), s.R(name)))
			sameRows(t, "composite "+strategy, got, [][]string{{"1", "x", "10"}, {"1", "y", "21"}, {"2", "x", "30"}, {"2", "y", "40"}})
		})
	}
	s.assertNoLeftovers(t)
}

func testIncrementalFullRefresh(t *testing.T, s *Suite) {
	s.seedBase(t)
	r := materialize.Request{Relation: s.Rel("fr"), Materialized: "incremental", SQL: "select * from " + s.R("added"),
		IncrementalSQL: "select * from " + s.R("base")}
	s.Materialize(t, r)
	s.Materialize(t, r) // appends base again: 30 rows
	if n := s.Count(t, "fr"); n != 30 {
		t.Fatalf("after an append run fr has %d rows, want 30", n)
	}
	r.FullRefresh = true
	s.Materialize(t, r)
	s.equalRelations(t, "fr", "added")
	// An incremental model over an existing view rebuilds as a table.
	s.Materialize(t, materialize.Request{Relation: s.Rel("was_view"), Materialized: "view", SQL: "select * from " + s.R("base")})
	s.Materialize(t, materialize.Request{Relation: s.Rel("was_view"), Materialized: "incremental", SQL: "select * from " + s.R("base"),
		IncrementalSQL: "select * from " + s.R("added")})
	if k := s.Kind(t, "was_view"); k != relation.Table {
		t.Errorf("incremental over a view left a %q", k)
	}
	s.equalRelations(t, "was_view", "base")
	s.assertNoLeftovers(t)
}

const (
	twoCols   = "select 1 as id, 'a' as name union all select 2, 'b'"
	threeCols = "select 3 as id, 'c' as name, 'e3' as extra union all select 4, 'd', 'e4'"
	oneCol    = "select 5 as id"
)

func (s *Suite) schemaChangeReq(name, onChange, next string) materialize.Request {
	return materialize.Request{Relation: s.Rel(name), Materialized: "incremental", SQL: twoCols, IncrementalSQL: next,
		OnSchemaChange: onChange}
}

func (s *Suite) columnNames(t *testing.T, name string) string {
	t.Helper()
	cols, err := s.W.Columns(testContext(t), s.Rel(name))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.ToLower(c.Name)
	}
	return strings.Join(names, ",")
}

func testSchemaChangeIgnore(t *testing.T, s *Suite) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	for _, mode := range []string{"", "ignore"} {
		name := "sc_ignore" + mode
		s.Materialize(t, s.schemaChangeReq(name, mode, twoCols))
		s.Materialize(t, s.schemaChangeReq(name, mode, threeCols))
		s.Materialize(t, s.schemaChangeReq(name, mode, oneCol))
		if got := s.columnNames(t, name); got != "id,name" {
			t.Errorf("on_schema_change %q: columns %s, want id,name", mode, got)
		}
		got := s.Rows(t, fmt.Sprintf("select %s, %s from %s order by 1", q("id"), q("name"), s.R(name)))
		sameRows(t, "ignore "+mode, got, [][]string{{"1", "a"}, {"2", "b"}, {"3", "c"}, {"4", "d"}, {"5", "NULL"}})
	}
	s.assertNoLeftovers(t)
}

func testSchemaChangeFail(t *testing.T, s *Suite) {
	s.Materialize(t, s.schemaChangeReq("sc_fail", "fail", twoCols))
	req := s.schemaChangeReq("sc_fail", "fail", threeCols)
	res, err := s.W.Materialize(testContext(t), req)
	if !errors.Is(err, materialize.ErrSchemaChanged) {
		t.Fatalf("error %v, want ErrSchemaChanged", err)
	}
	wantErrContains(t, err, "extra")
	_ = res
	req.IncrementalSQL = oneCol
	_, err = s.W.Materialize(testContext(t), req)
	if !errors.Is(err, materialize.ErrSchemaChanged) {
		t.Fatalf("removed column: error %v, want ErrSchemaChanged", err)
	}
	wantErrContains(t, err, "name")
	if n := s.Count(t, "sc_fail"); n != 2 {
		t.Errorf("failed runs changed the table: %d rows, want 2", n)
	}
	// Same columns: fine.
	s.Materialize(t, s.schemaChangeReq("sc_fail", "fail", twoCols))
	if n := s.Count(t, "sc_fail"); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
	s.assertNoLeftovers(t)
}

func testSchemaChangeAppend(t *testing.T, s *Suite) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	s.Materialize(t, s.schemaChangeReq("sc_append", "append_new_columns", twoCols))
	s.Materialize(t, s.schemaChangeReq("sc_append", "append_new_columns", threeCols))
	if got := s.columnNames(t, "sc_append"); got != "id,name,extra" {
		t.Errorf("columns %s, want id,name,extra", got)
	}
	got := s.Rows(t, fmt.Sprintf("select %s, %s, %s from %s order by 1", q("id"), q("name"), q("extra"), s.R("sc_append")))
	sameRows(t, "append_new_columns", got, [][]string{{"1", "a", "NULL"}, {"2", "b", "NULL"}, {"3", "c", "e3"}, {"4", "d", "e4"}})
	// A removed column is kept and filled with NULL.
	s.Materialize(t, s.schemaChangeReq("sc_append", "append_new_columns", oneCol))
	if n := s.Count(t, "sc_append"); n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
	s.assertNoLeftovers(t)
}

func testBadStrategy(t *testing.T, s *Suite) {
	r := materialize.Request{Relation: s.Rel("bad"), Materialized: "incremental", SQL: "select 1 as id", Strategy: "bad_strategy"}
	for range 2 { // first run and incremental run alike
		_, err := s.W.Materialize(testContext(t), r)
		if !errors.Is(err, materialize.ErrBadStrategy) {
			t.Fatalf("error %v, want ErrBadStrategy", err)
		}
		wantErrContains(t, err, "bad_strategy", "append", "delete+insert")
		r.Strategy = ""
		s.Materialize(t, r)
		r.Strategy = "bad_strategy"
	}
}

func testQueryLimit(t *testing.T, s *Suite) {
	s.seedBase(t)
	tab, err := s.C.Query(testContext(t), fmt.Sprintf("select * from %s order by 1", s.R("added")), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 3 {
		t.Errorf("limit 3 returned %d rows", len(tab.Rows))
	}
	if len(tab.Columns) != 3 || !strings.EqualFold(tab.Columns[1], "name") || len(tab.Types) != 3 {
		t.Errorf("columns %v types %v, want id, name, some_date with types", tab.Columns, tab.Types)
	}
	if len(tab.Rows) > 0 && text(tab.Rows[0][1]) != "Easton" {
		t.Errorf("first row %v", tab.Rows[0])
	}
	all, err := s.C.Query(testContext(t), "select * from "+s.R("added"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rows) != 20 {
		t.Errorf("limit 0 returned %d rows, want 20", len(all.Rows))
	}
}

func testColumnsOrder(t *testing.T, s *Suite) {
	s.Materialize(t, materialize.Request{Relation: s.Rel("ordered"), Materialized: "table",
		SQL: "select 'c' as c, 1 as a, cast('2024-01-01' as date) as b"})
	if got := s.columnNames(t, "ordered"); got != "c,a,b" {
		t.Errorf("columns %s, want c,a,b", got)
	}
	s.Materialize(t, materialize.Request{Relation: s.Rel("ordered_v"), Materialized: "view", SQL: "select 1 as z, 2 as y"})
	if got := s.columnNames(t, "ordered_v"); got != "z,y" {
		t.Errorf("view columns %s, want z,y", got)
	}
	cols, err := s.W.Columns(testContext(t), s.Rel("no_such_relation"))
	if err == nil && len(cols) > 0 {
		t.Errorf("columns of a missing relation: %v", cols)
	}
}

func testDropRelation(t *testing.T, s *Suite) {
	ctx := testContext(t)
	s.Materialize(t, materialize.Request{Relation: s.Rel("t"), Materialized: "table", SQL: "select 1 as id"})
	s.Materialize(t, materialize.Request{Relation: s.Rel("v"), Materialized: "view", SQL: "select 1 as id"})
	for name, kind := range map[string]relation.Kind{"t": relation.Table, "v": relation.View} {
		if err := s.W.DropRelation(ctx, s.Rel(name), kind); err != nil {
			t.Fatalf("drop %s: %v", name, err)
		}
		if k := s.Kind(t, name); k != relation.None {
			t.Errorf("%s still exists as %q", name, k)
		}
		if err := s.W.DropRelation(ctx, s.Rel(name), kind); err != nil {
			t.Errorf("dropping a missing %s: %v", name, err)
		}
	}
}

func testExecError(t *testing.T, s *Suite) {
	_, err := s.C.Exec(testContext(t), "select * from "+s.R("no_such_table_xyz"))
	wantErrContains(t, err, "no_such_table_xyz")
	_, err = s.C.Query(testContext(t), "selec 1", 0)
	wantErrContains(t, err, "selec")
	if n, err := s.C.Exec(testContext(t), "create table "+s.R("ex")+" as select 1 as id; insert into "+s.R("ex")+" select 2"); err != nil {
		t.Fatalf("two statements: %v", err)
	} else if n != -1 && n != 1 {
		t.Errorf("rows affected %d", n)
	}
	if c := s.Count(t, "ex"); c != 2 {
		t.Errorf("two statements: %d rows, want 2", c)
	}
}

func testModelError(t *testing.T, s *Suite) {
	s.Materialize(t, materialize.Request{Relation: s.Rel("broken"), Materialized: "table", SQL: "select 1 as id"})
	for _, mat := range []string{"table", "view", "incremental"} {
		res, err := s.W.Materialize(testContext(t), materialize.Request{Relation: s.Rel("broken"), Materialized: mat,
			SQL: "select * from " + s.R("missing_upstream_zz"), Label: "model.conformance.broken"})
		wantErrContains(t, err, "missing_upstream_zz")
		if len(res.Statements) == 0 {
			t.Errorf("%s: a failed build lists no statements", mat)
		}
		assertStatementsMention(t, res, "missing_upstream_zz")
	}
	// The old table survives every failed rebuild.
	if k := s.Kind(t, "broken"); k != relation.Table {
		t.Errorf("after failed builds broken is a %q, want the old table", k)
	}
	s.assertNoLeftovers(t)
}

func (s *Suite) longSelect() string {
	if s.H.LongSelect != "" {
		return s.H.LongSelect
	}
	return s.H.LongQuery
}

func testCancelQuery(t *testing.T, s *Suite) {
	if s.H.LongQuery == "" {
		t.Skip("Harness.LongQuery not set")
	}
	ctx, cancel := context.WithCancel(testContext(t))
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.C.Exec(ctx, s.H.LongQuery)
	took := time.Since(start)
	if err == nil {
		t.Fatal("a cancelled long query returned no error")
	}
	if took > 5*time.Second {
		t.Errorf("a cancelled query returned after %v, want a few seconds at most", took)
	}
	// The adapter is still usable afterwards.
	if got := s.Rows(t, "select 1"); got[0][0] != "1" {
		t.Errorf("select 1 after cancel: %v", got)
	}
}

func testCancelBuild(t *testing.T, s *Suite) {
	if s.longSelect() == "" {
		t.Skip("Harness.LongQuery not set")
	}
	s.Materialize(t, materialize.Request{Relation: s.Rel("slow"), Materialized: "table", SQL: "select 1 as n"})
	s.Materialize(t, materialize.Request{Relation: s.Rel("slow_inc"), Materialized: "incremental", SQL: "select 1 as n"})
	for _, mat := range []string{"table", "incremental"} {
		name := map[string]string{"table": "slow", "incremental": "slow_inc"}[mat]
		ctx, cancel := context.WithCancel(testContext(t))
		time.AfterFunc(500*time.Millisecond, cancel)
		start := time.Now()
		res, err := s.W.Materialize(ctx, materialize.Request{Relation: s.Rel(name), Materialized: mat,
			SQL: s.longSelect(), IncrementalSQL: s.longSelect()})
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s: a cancelled build returned no error", mat)
		}
		if took > 5*time.Second {
			t.Errorf("%s: a cancelled build returned after %v", mat, took)
		}
		if len(res.Statements) == 0 {
			t.Errorf("%s: a cancelled build lists no statements", mat)
		}
		if n := s.Count(t, name); n != 1 {
			t.Errorf("%s: after a cancelled rebuild %s has %d rows, want the old 1", mat, name, n)
		}
	}
	s.assertNoLeftovers(t)
}
