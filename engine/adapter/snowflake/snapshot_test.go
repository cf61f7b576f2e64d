package snowflake

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/materialize"
)

func queryText(t *testing.T, a *materialize.Warehouse, q string) []string {
	t.Helper()
	tab, err := a.Query(context.Background(), q, 0)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for _, r := range tab.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = text(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// TestSnapshotSnowflakeSpecifics covers what the conformance suite does not:
// lower-case option names resolve to folded columns, schema changes run before
// BEGIN (DDL would commit the transaction), a new DBT_IS_DELETED column is
// backfilled, and the temporary table is dropped.
func TestSnapshotSnowflakeSpecifics(t *testing.T) {
	_, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	sn := a
	if _, err := a.Exec(ctx, "create table analytics.public.src as select 1 as id, 'a' as name, cast('2024-01-01 00:00:00' as timestamp_ntz) as upd"); err != nil {
		t.Fatal(err)
	}
	req := materialize.SnapshotRequest{Relation: rel("snap"), SQL: "select * from analytics.public.src",
		UniqueKey: []string{"id"}, Strategy: "timestamp", UpdatedAt: "upd", Label: "snapshot.finhouse.snap"}
	res, err := sn.Snapshot(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "SNAPSHOT" || !slices.ContainsFunc(res.Statements, func(s string) bool {
		return strings.HasPrefix(s, `create table "ANALYTICS"."PUBLIC"."SNAP" as (`)
	}) {
		t.Errorf("first run: %q %q", res.Message, res.Statements)
	}

	if _, err := a.Exec(ctx, "alter table analytics.public.src add column extra varchar"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "update analytics.public.src set upd = cast('2024-02-01 00:00:00' as timestamp_ntz), extra = 'x'"); err != nil {
		t.Fatal(err)
	}
	req.HardDeletes = "new_record"
	res, err = sn.Snapshot(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	begin := slices.Index(res.Statements, "begin")
	commit := slices.Index(res.Statements, "commit")
	if begin < 0 || commit < begin {
		t.Fatalf("no begin … commit: %q", res.Statements)
	}
	for i, st := range res.Statements {
		ddl := strings.HasPrefix(st, "alter table ") || strings.HasPrefix(st, "create ")
		if ddl && i > begin && i < commit {
			t.Errorf("DDL inside the transaction: %q", st)
		}
		if strings.Contains(st, "localtimestamp") {
			t.Errorf("the snapshot time must be read once, not per statement: %q", st)
		}
	}
	if last := res.Statements[len(res.Statements)-1]; !strings.HasPrefix(last, `drop table if exists "ANALYTICS"."PUBLIC"."SNAP__STRATA_TMP_`) {
		t.Errorf("last statement %q, want the temporary table dropped", last)
	}
	cols, err := a.Columns(ctx, rel("SNAP"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "ID,NAME,UPD,DBT_SCD_ID,DBT_UPDATED_AT,DBT_VALID_FROM,DBT_VALID_TO,EXTRA,DBT_IS_DELETED" {
		t.Errorf("columns %s", got)
	}
	got := queryText(t, a, "select id, extra, dbt_is_deleted, dbt_valid_to is null from analytics.public.snap order by dbt_valid_from")
	if want := []string{"1|NULL|False|0", "1|x|False|1"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	left, err := warehouse(c).ListRelations(ctx, "ANALYTICS", "PUBLIC")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if strings.Contains(r.Relation.Identifier, "STRATA_TMP") {
			t.Errorf("left behind: %s", r.Relation)
		}
	}
}

// TestSnapshotFailureRollsBack: a failing statement after the rows were
// closed rolls the whole run back, so no key loses its current version.
func TestSnapshotFailureRollsBack(t *testing.T) {
	s, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	sn := a
	req := materialize.SnapshotRequest{Relation: rel("SNAP"), SQL: "select 1 as id, 'a' as name",
		UniqueKey: []string{"ID"}, Strategy: "check", CheckCols: []string{"all"}}
	if _, err := sn.Snapshot(ctx, req); err != nil {
		t.Fatal(err)
	}
	s.OnRegexp(`(?s)^insert into "ANALYTICS"\."PUBLIC"\."SNAP" \(.*not exists`, fakesnowflake.Fails("100038", "22018", "injected failure"))
	req.SQL = "select 1 as id, 'b' as name"
	res, err := sn.Snapshot(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("error %v, want the injected failure", err)
	}
	if !slices.Contains(res.Statements, "rollback") {
		t.Errorf("no rollback: %q", res.Statements)
	}
	if got := queryText(t, a, "select name, dbt_valid_to is null from analytics.public.snap"); !slices.Equal(got, []string{"a|1"}) {
		t.Errorf("after the failed run: %q, want the old current row", got)
	}
}

func TestSnapshotRejectsViewsAndUnknownColumns(t *testing.T) {
	_, c := newFake(t)
	a := warehouse(c)
	ctx := context.Background()
	sn := a
	if _, err := a.Exec(ctx, "create view analytics.public.v as select 1 as id"); err != nil {
		t.Fatal(err)
	}
	_, err := sn.Snapshot(ctx, materialize.SnapshotRequest{Relation: rel("V"), SQL: "select 1 as id", UniqueKey: []string{"id"},
		Strategy: "check", CheckCols: []string{"all"}, Label: "snapshot.x.v"})
	if err == nil || !strings.Contains(err.Error(), "is a view") {
		t.Errorf("snapshot onto a view: %v", err)
	}
	_, err = sn.Snapshot(ctx, materialize.SnapshotRequest{Relation: rel("S"), SQL: "select 1 as id", UniqueKey: []string{"id"},
		Strategy: "timestamp", UpdatedAt: "changed_at", Label: "snapshot.x.s"})
	if err == nil || !strings.Contains(err.Error(), `updated_at column "changed_at"`) {
		t.Errorf("unknown updated_at: %v", err)
	}
	if k, _ := warehouse(c).RelationKind(ctx, rel("S")); k != "" {
		t.Errorf("a failed first run left %s behind", k)
	}
}
