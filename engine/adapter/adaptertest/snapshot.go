package adaptertest

import (
	"fmt"
	"testing"

	"github.com/strata-dev/strata/engine/materialize"
)

// Snapshot cases follow dbt's BaseSnapshotTimestamp and BaseSnapshotCheckCols.

// snapshotter is the handle snapshots are applied through.
func (s *Suite) snapshotter(t *testing.T) *materialize.Warehouse {
	t.Helper()
	return s.W
}

func (s *Suite) snapshot(t *testing.T, sn *materialize.Warehouse, req materialize.SnapshotRequest) {
	t.Helper()
	if req.Label == "" {
		req.Label = "snapshot.conformance." + req.Relation.Identifier
	}
	res, err := sn.Snapshot(testContext(t), req)
	if err != nil {
		t.Fatalf("snapshot %s: %v", req.Relation, err)
	}
	if len(res.Statements) == 0 {
		t.Errorf("snapshot %s lists no statements", req.Relation)
	}
}

func (s *Suite) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := s.C.Exec(testContext(t), sql); err != nil {
		t.Fatalf("exec %s: %v", sql, err)
	}
}

func (s *Suite) bumpDates(t *testing.T, table string) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	s.exec(t, fmt.Sprintf("update %s set %s = %s + interval '1 hour' where %s > 10", s.R(table), q("some_date"), q("some_date"), q("id")))
}

func (s *Suite) renameFirst(t *testing.T, table string) {
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	s.exec(t, fmt.Sprintf("update %s set %s = %s || '_updated' where %s <= 10", s.R(table), q("name"), q("name"), q("id")))
}

func (s *Suite) currentCount(t *testing.T, name string) int {
	t.Helper()
	rows := s.Rows(t, fmt.Sprintf("select count(*) from %s where %s is null", s.R(name), s.Q(s.D.NormalizeIdent("dbt_valid_to"))))
	var n int
	fmt.Sscan(rows[0][0], &n)
	return n
}

func testSnapshotTimestamp(t *testing.T, s *Suite) {
	sn := s.snapshotter(t)
	s.seedBase(t)
	req := func(src string) materialize.SnapshotRequest {
		return materialize.SnapshotRequest{Relation: s.Rel("ts_snapshot"), SQL: "select * from " + s.R(src), UniqueKey: s.Keys("id"),
			Strategy: "timestamp", UpdatedAt: s.D.NormalizeIdent("some_date")}
	}
	steps := []struct {
		before func()
		src    string
		want   int
	}{
		{nil, "base", 10},
		{nil, "added", 20},
		{func() { s.bumpDates(t, "added") }, "added", 30},
		{func() { s.renameFirst(t, "added") }, "added", 30},
		{nil, "added", 30},
	}
	for i, st := range steps {
		if st.before != nil {
			st.before()
		}
		s.snapshot(t, sn, req(st.src))
		if n := s.Count(t, "ts_snapshot"); n != st.want {
			t.Fatalf("step %d: ts_snapshot has %d rows, want %d", i+1, n, st.want)
		}
	}
	if n := s.currentCount(t, "ts_snapshot"); n != 20 {
		t.Errorf("%d current rows, want 20", n)
	}
	cols := s.columnNames(t, "ts_snapshot")
	if want := "id,name,some_date,dbt_scd_id,dbt_updated_at,dbt_valid_from,dbt_valid_to"; cols != want {
		t.Errorf("columns %s, want %s", cols, want)
	}
	s.assertNoLeftovers(t)
}

func testSnapshotCheck(t *testing.T, s *Suite) {
	sn := s.snapshotter(t)
	s.seedBase(t)
	snaps := map[string][]string{"cc_all_snapshot": {"all"}, "cc_name_snapshot": s.Keys("name"), "cc_date_snapshot": s.Keys("some_date")}
	run := func(src string, want map[string]int) {
		t.Helper()
		for name, cols := range snaps {
			s.snapshot(t, sn, materialize.SnapshotRequest{Relation: s.Rel(name), SQL: "select * from " + s.R(src), UniqueKey: s.Keys("id"),
				Strategy: "check", CheckCols: cols})
		}
		for name, n := range want {
			if got := s.Count(t, name); got != n {
				t.Errorf("after snapshot of %s: %s has %d rows, want %d", src, name, got, n)
			}
		}
	}
	run("base", map[string]int{"cc_all_snapshot": 10, "cc_name_snapshot": 10, "cc_date_snapshot": 10})
	run("added", map[string]int{"cc_all_snapshot": 20, "cc_name_snapshot": 20, "cc_date_snapshot": 20})
	s.bumpDates(t, "added")
	run("added", map[string]int{"cc_all_snapshot": 30, "cc_name_snapshot": 20, "cc_date_snapshot": 30})
	s.renameFirst(t, "added")
	run("added", map[string]int{"cc_all_snapshot": 40, "cc_name_snapshot": 30, "cc_date_snapshot": 30})
	run("added", map[string]int{"cc_all_snapshot": 40, "cc_name_snapshot": 30, "cc_date_snapshot": 30})
	s.assertNoLeftovers(t)
}

func testSnapshotHardDeletes(t *testing.T, s *Suite) {
	sn := s.snapshotter(t)
	s.seedBase(t)
	q := func(n string) string { return s.Q(s.D.NormalizeIdent(n)) }
	for _, mode := range []string{"ignore", "invalidate", "new_record"} {
		name := "hd_" + mode
		req := materialize.SnapshotRequest{Relation: s.Rel(name), SQL: "select * from " + s.R("base"), UniqueKey: s.Keys("id"),
			Strategy: "timestamp", UpdatedAt: s.D.NormalizeIdent("some_date"), HardDeletes: mode}
		s.snapshot(t, sn, req)
		req.SQL = fmt.Sprintf("select * from %s where %s > 2", s.R("base"), q("id"))
		s.snapshot(t, sn, req)
		s.snapshot(t, sn, req) // nothing new: no change
		total, current := s.Count(t, name), s.currentCount(t, name)
		want := map[string][2]int{"ignore": {10, 10}, "invalidate": {10, 8}, "new_record": {12, 10}}[mode]
		if total != want[0] || current != want[1] {
			t.Errorf("hard_deletes %s: %d rows, %d current; want %d and %d", mode, total, current, want[0], want[1])
		}
		if mode == "new_record" {
			got := s.Rows(t, fmt.Sprintf("select count(*) from %s where %s = 'True' and %s is null", s.R(name), q("dbt_is_deleted"), q("dbt_valid_to")))
			if got[0][0] != "2" {
				t.Errorf("new_record: %s current deletion records, want 2", got[0][0])
			}
			// A deleted record coming back opens a new version.
			req.SQL = "select * from " + s.R("base")
			s.snapshot(t, sn, req)
			if n := s.currentCount(t, name); n != 10 {
				t.Errorf("new_record after restore: %d current rows, want 10", n)
			}
		}
	}
	s.assertNoLeftovers(t)
}
