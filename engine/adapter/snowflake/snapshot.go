package snowflake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var _ adapter.Snapshotter = (*Adapter)(nil)

// snapshotNow is the snapshot time: a TIMESTAMP_NTZ of the session's wall
// clock, as localtimestamp is on PostgreSQL and DuckDB (Snowflake's
// localtimestamp is a TIMESTAMP_LTZ, so it is cast).
const snapshotNow = "cast(localtimestamp as timestamp_ntz)"

// SnapshotSQL is the type-2 snapshot statement builder for target, with the
// snapshot's select staged in source. Meta columns fold to upper case
// (DBT_VALID_TO, …), as dbt-snowflake's unquoted names do.
func (d Dialect) SnapshotSQL(target, source relation.Relation) adapter.SnapshotSQL {
	return adapter.SnapshotSQL{Quote: d.QuoteIdent, Target: d.RenderRelation(target), Source: d.RenderRelation(source),
		Now: snapshotNow, Normalize: d.NormalizeIdent}
}

// Snapshot implements adapter.Snapshotter on one pinned session. The select
// is staged in a temporary table (dropped afterwards; Snowflake drops it with
// the session anyway). The first run creates the table in one CREATE TABLE …
// AS. Later runs first add new source columns (DDL, which Snowflake commits
// at once, so it cannot sit in the transaction), then close, invalidate and
// insert versions between BEGIN and COMMIT, so readers never see a half-applied
// run. The snapshot table is permanent, not transient: history cannot be
// rebuilt from the source, so it keeps Fail-safe.
func (a *Adapter) Snapshot(ctx context.Context, req adapter.SnapshotRequest) (adapter.Result, error) {
	if err := adapter.ValidateSnapshot(req); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	label := labelOf(req.Label, req.Relation)
	r, err := a.newRun(ctx, label)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer r.conn.Close()
	err = a.snapshot(ctx, r, req, label)
	if err == nil {
		r.res.Message = "SNAPSHOT"
	}
	return r.res, err
}

func (a *Adapter) snapshot(ctx context.Context, r *run, req adapter.SnapshotRequest, label string) (err error) {
	rel := req.Relation
	existing, err := relationKind(ctx, r.conn, rel)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if existing != relation.None && existing != relation.Table {
		return fmt.Errorf("%s: %s is a %s, not a snapshot table: drop it or choose another name", label, rel, existing)
	}
	tmp := rel.WithIdentifier(a.NormalizeIdent(adapter.TempIdentifier(rel.Identifier, 255)))
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, derr := r.exec(cctx, a.DropSQL(tmp, relation.Table)); derr != nil && err == nil {
			err = derr
		}
	}()
	if _, err := r.exec(ctx, a.CreateTempTableAsSQL(tmp, req.SQL)); err != nil {
		return err
	}
	source, err := columns(ctx, r.conn, tmp)
	if err != nil {
		return sqlError(label, err)
	}
	if req, err = resolveSnapshotNames(req, source, label); err != nil {
		return err
	}
	ss := a.SnapshotSQL(rel, tmp)
	if ss.Now, err = snapshotTime(ctx, r); err != nil {
		return err
	}
	if existing == relation.None {
		_, err := r.exec(ctx, ss.Create(req, source))
		return err
	}
	current, err := columns(ctx, r.conn, rel)
	if err != nil {
		return sqlError(label, err)
	}
	ddl, dml := splitSnapshotApply(ss, ss.Apply(req, source, current))
	for _, st := range ddl {
		if _, err := r.exec(ctx, st); err != nil {
			return err
		}
	}
	if _, err := r.exec(ctx, "begin"); err != nil {
		return err
	}
	for _, st := range dml {
		if _, err := r.exec(ctx, st); err != nil {
			cctx, cancel := cleanupContext(ctx)
			_, _ = r.exec(cctx, "rollback")
			cancel()
			return err
		}
	}
	_, err = r.exec(ctx, "commit")
	return err
}

// snapshotTime reads the snapshot time once, as dbt does: Snowflake evaluates
// localtimestamp per statement, so a run's closed rows, deletion records and
// new versions would otherwise carry slightly different times.
func snapshotTime(ctx context.Context, r *run) (string, error) {
	q := "select " + snapshotNow
	tab, err := queryTable(ctx, r.conn, q, 1)
	if err != nil {
		return "", fmt.Errorf("%s: %w", r.label, err)
	}
	if len(tab.Rows) == 1 && len(tab.Rows[0]) == 1 {
		if ts, ok := tab.Rows[0][0].(time.Time); ok {
			return "cast(" + quoteString(ts.Format("2006-01-02 15:04:05.999999999")) + " as timestamp_ntz)", nil
		}
	}
	return "", fmt.Errorf("%s: %s returned %v, not a timestamp", r.label, q, tab.Rows)
}

// splitSnapshotApply separates Apply's schema changes (ALTER TABLE … ADD
// COLUMN, and the backfill of a new dbt_is_deleted column, which must land
// with its column) from the DML that runs in the transaction. Apply lists
// the schema changes first.
func splitSnapshotApply(ss adapter.SnapshotSQL, stmts []string) (ddl, dml []string) {
	alter := "alter table " + ss.Target + " "
	backfill := "update " + ss.Target + " set "
	i := 0
	for i < len(stmts) && (strings.HasPrefix(stmts[i], alter) || strings.HasPrefix(stmts[i], backfill)) {
		i++
	}
	return stmts[:i], stmts[i:]
}

// resolveSnapshotNames matches unique_key, updated_at and check_cols to the
// select's real column names: exactly first, else case-insensitively
// (updated_at: some_date finds the folded column SOME_DATE).
func resolveSnapshotNames(req adapter.SnapshotRequest, cols []adapter.Column, label string) (adapter.SnapshotRequest, error) {
	resolve := func(what, name string) (string, error) {
		name = strings.TrimSpace(name)
		if found, ok := columnNamed(cols, name); ok {
			return found, nil
		}
		return "", fmt.Errorf("%s: %s column %q is not a column of the snapshot's select", label, what, name)
	}
	var err error
	keys := make([]string, len(req.UniqueKey))
	for i, k := range req.UniqueKey {
		if keys[i], err = resolve("unique_key", k); err != nil {
			return req, err
		}
	}
	req.UniqueKey = keys
	if req.Strategy == "timestamp" {
		if req.UpdatedAt, err = resolve("updated_at", req.UpdatedAt); err != nil {
			return req, err
		}
	}
	if req.Strategy == "check" && !(len(req.CheckCols) == 1 && strings.EqualFold(req.CheckCols[0], "all")) {
		check := make([]string, len(req.CheckCols))
		for i, c := range req.CheckCols {
			if check[i], err = resolve("check_cols", c); err != nil {
				return req, err
			}
		}
		req.CheckCols = check
	}
	return req, nil
}

// columnNamed finds name among cols: an exact match first, else one that
// differs only in case.
func columnNamed(cols []adapter.Column, name string) (string, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c.Name, true
		}
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return c.Name, true
		}
	}
	return "", false
}
