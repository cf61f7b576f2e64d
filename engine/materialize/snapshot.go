package materialize

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Snapshot meta columns, as dbt names them.
const (
	SnapshotScdID     = "dbt_scd_id"
	SnapshotUpdatedAt = "dbt_updated_at"
	SnapshotValidFrom = "dbt_valid_from"
	SnapshotValidTo   = "dbt_valid_to"
	SnapshotIsDeleted = "dbt_is_deleted"
)

// Snapshot applies one snapshot (dbt's type-2 history). The select is staged
// in a session temporary table; the first run creates the table with every
// row current; later runs close the current rows that changed (dbt_valid_to
// = the new version's start), insert a version for every source row without
// a current one, and handle keys missing from the source as hard_deletes
// asks: ignore, invalidate (close them) or new_record (close them and add a
// current row with dbt_is_deleted = 'True'). The snapshot time is read once,
// so every row a run writes carries the same one.
//
// With transactional DDL it all is one transaction. Without it (Snowflake)
// new columns are added first (DDL commits at once) and the rest runs
// between BEGIN and COMMIT, so readers never see a half-applied run. The
// table is permanent, never transient: history cannot be rebuilt.
func (w *Warehouse) Snapshot(ctx context.Context, req SnapshotRequest) (Result, error) {
	label := labelOr(req.Label, req.Relation)
	if err := validateSnapshot(req, label); err != nil {
		return Result{RowsAffected: -1}, err
	}
	rel, err := w.target(req.Relation)
	if err != nil {
		return Result{RowsAffected: -1}, wrap(label, err)
	}
	b := w.newBuild(label)
	defer b.close(ctx)
	msg, err := w.withKind(ctx, b, rel, func(existing relation.Kind) (string, error) {
		if existing != relation.None && existing != relation.Table {
			return "", fmt.Errorf("%s is a %s, not a snapshot table: drop it or choose another name", rel, existing)
		}
		if err := b.session(ctx); err != nil {
			return "", err
		}
		return "SNAPSHOT", b.snapshot(ctx, rel, req, existing)
	})
	return b.result(msg, wrap(label, err))
}

func (b *build) snapshot(ctx context.Context, rel relation.Relation, req SnapshotRequest, existing relation.Kind) error {
	d := b.w.d
	now, err := b.now(ctx)
	if err != nil {
		return err
	}
	tmp := b.sessionTemp(rel)
	ss := snapshotSQL{d: d, target: d.RenderRelation(rel), source: d.RenderRelation(tmp), now: now,
		timestamp: d.SeedType(adapter.SeedColumn{Kind: adapter.SeedTimestamp})}
	apply := func() error {
		if _, err := b.exec(ctx, d.CreateTableAs(tmp, req.SQL, adapter.CreateOptions{Temporary: true})); err != nil {
			return err
		}
		if !b.inTx {
			defer b.cleanup(ctx, d.Drop(tmp, relation.Table))
		}
		source, err := b.columns(ctx, tmp)
		if err != nil {
			return err
		}
		req, err := resolveSnapshotNames(req, source)
		if err != nil {
			return err
		}
		var ddl, dml []string
		if existing == relation.None {
			ddl = []string{ss.create(req, source)}
		} else {
			current, err := b.columns(ctx, rel)
			if err != nil {
				return err
			}
			ddl, dml = ss.apply(req, source, current)
		}
		for _, st := range ddl {
			if _, err := b.exec(ctx, st); err != nil {
				return err
			}
		}
		if len(dml) > 0 {
			if err := b.dml(ctx, dml); err != nil {
				return err
			}
			b.res.RowsAffected = -1
		}
		if b.inTx {
			_, err = b.exec(ctx, d.Drop(tmp, relation.Table))
		}
		return err
	}
	if b.w.traits.TransactionalDDL {
		err = b.tx(ctx, apply)
	} else {
		err = apply()
	}
	if err == nil {
		b.w.cache.set(rel, relation.Table)
	}
	return err
}

// now reads the warehouse's clock once and returns it as a timestamp literal.
func (b *build) now(ctx context.Context) (string, error) {
	d := b.w.d
	q := "select " + d.CurrentTimestamp()
	t, err := b.q().Query(ctx, q, 1)
	if err != nil {
		return "", fmt.Errorf("read the snapshot time: %w", err)
	}
	if len(t.Rows) == 1 && len(t.Rows[0]) == 1 {
		if ts, ok := t.Rows[0][0].(time.Time); ok {
			typ := d.SeedType(adapter.SeedColumn{Kind: adapter.SeedTimestamp})
			return "cast(" + d.QuoteString(ts.Format("2006-01-02 15:04:05.999999")) + " as " + typ + ")", nil
		}
	}
	return "", fmt.Errorf("read the snapshot time: %s returned %v, not a timestamp", q, t.Rows)
}

// validateSnapshot checks a request's strategy and options.
func validateSnapshot(req SnapshotRequest, label string) error {
	if len(req.UniqueKey) == 0 {
		return fmt.Errorf("%s: a snapshot needs a unique_key", label)
	}
	switch req.Strategy {
	case "timestamp":
		if req.UpdatedAt == "" {
			return fmt.Errorf("%s: the timestamp strategy needs updated_at", label)
		}
	case "check":
		if len(req.CheckCols) == 0 {
			return fmt.Errorf("%s: the check strategy needs check_cols (a list of columns or \"all\")", label)
		}
	default:
		return fmt.Errorf("%s: unknown snapshot strategy %q: use timestamp or check", label, req.Strategy)
	}
	switch req.HardDeletes {
	case "", "ignore", "invalidate", "new_record":
	default:
		return fmt.Errorf("%s: unknown hard_deletes %q: use ignore, invalidate or new_record", label, req.HardDeletes)
	}
	return nil
}

// resolveSnapshotNames matches unique_key, updated_at and check_cols to the
// select's real column names (exactly, else ignoring case).
func resolveSnapshotNames(req SnapshotRequest, cols []adapter.Column) (SnapshotRequest, error) {
	const where = "the snapshot's select"
	var err error
	if req.UniqueKey, err = resolveNames("unique_key", req.UniqueKey, cols, where); err != nil {
		return req, err
	}
	if req.Strategy == "timestamp" {
		names, err := resolveNames("updated_at", []string{req.UpdatedAt}, cols, where)
		if err != nil {
			return req, err
		}
		req.UpdatedAt = names[0]
	}
	if req.Strategy == "check" && !(len(req.CheckCols) == 1 && strings.EqualFold(req.CheckCols[0], "all")) {
		if req.CheckCols, err = resolveNames("check_cols", req.CheckCols, cols, where); err != nil {
			return req, err
		}
	}
	return req, nil
}

// snapshotSQL renders dbt's type-2 snapshot statements: UPDATE … FROM, IS
// DISTINCT FROM, md5 and || are standard on every engine strata supports.
type snapshotSQL struct {
	d adapter.Dialect
	// target and source are the rendered snapshot table and staging relation.
	target, source string
	// now is the snapshot time, a timestamp literal; timestamp the type of
	// a timestamp without time zone.
	now, timestamp string
}

func (s snapshotSQL) q(name string) string { return s.d.QuoteIdent(name) }

// meta quotes a meta column, folded as the engine folds unquoted names
// (DBT_VALID_TO on Snowflake).
func (s snapshotSQL) meta(name string) string { return s.q(s.d.NormalizeIdent(name)) }

// metaColumns lists the meta column names (folded) a snapshot table carries.
func (s snapshotSQL) metaColumns(req SnapshotRequest) []string {
	names := []string{SnapshotScdID, SnapshotUpdatedAt, SnapshotValidFrom, SnapshotValidTo}
	if req.HardDeletes == "new_record" {
		names = append(names, SnapshotIsDeleted)
	}
	for i, n := range names {
		names[i] = s.d.NormalizeIdent(n)
	}
	return names
}

// updatedAt is the new version's timestamp expression over source alias a.
func (s snapshotSQL) updatedAt(req SnapshotRequest, a string) string {
	if req.Strategy == "timestamp" {
		return a + "." + s.q(req.UpdatedAt)
	}
	return s.now
}

func (s snapshotSQL) scdID(req SnapshotRequest, a string) string {
	txt := s.d.TextType()
	parts := make([]string, 0, len(req.UniqueKey)+1)
	for _, k := range req.UniqueKey {
		parts = append(parts, fmt.Sprintf("coalesce(cast(%s.%s as %s), '')", a, s.q(k), txt))
	}
	parts = append(parts, fmt.Sprintf("coalesce(cast(%s as %s), '')", s.updatedAt(req, a), txt))
	return "md5(" + strings.Join(parts, " || '|' || ") + ")"
}

func (s snapshotSQL) list(cols []adapter.Column, prefix string) string {
	return columnList(s.d, cols, prefix)
}

// create is the first run: the table holds every source row as current.
func (s snapshotSQL) create(req SnapshotRequest, source []adapter.Column) string {
	upd := s.updatedAt(req, "strata_source")
	sel := fmt.Sprintf("%s,\n  %s as %s,\n  %s as %s,\n  %s as %s,\n  nullif(%s, %s) as %s", s.list(source, "strata_source."),
		s.scdID(req, "strata_source"), s.meta(SnapshotScdID), upd, s.meta(SnapshotUpdatedAt), upd, s.meta(SnapshotValidFrom),
		upd, upd, s.meta(SnapshotValidTo))
	if req.HardDeletes == "new_record" {
		sel += fmt.Sprintf(",\n  cast('False' as %s) as %s", s.d.TextType(), s.meta(SnapshotIsDeleted))
	}
	return fmt.Sprintf("create table %s as (\nselect %s\nfrom %s as strata_source\n)", s.target, sel, s.source)
}

// changed is the condition under which current snapshot row strata_snap
// differs from source row strata_source.
func (s snapshotSQL) changed(req SnapshotRequest, source []adapter.Column) string {
	if req.Strategy == "timestamp" {
		return fmt.Sprintf("strata_snap.%s < strata_source.%s", s.meta(SnapshotValidFrom), s.q(req.UpdatedAt))
	}
	cols := req.CheckCols
	if len(cols) == 1 && strings.EqualFold(cols[0], "all") {
		cols = nil
		for _, c := range source {
			cols = append(cols, c.Name)
		}
	}
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = fmt.Sprintf("strata_snap.%s is distinct from strata_source.%s", s.q(c), s.q(c))
	}
	return "(" + strings.Join(conds, " or ") + ")"
}

// apply is a later run: the schema changes (new source columns, the
// dbt_is_deleted column and its backfill) and then the DML. source are the
// staged select's columns; snapshot the existing table's.
func (s snapshotSQL) apply(req SnapshotRequest, source, snapshot []adapter.Column) (ddl, dml []string) {
	meta := s.metaColumns(req)
	var data []adapter.Column
	hasDeleted := false
	for _, c := range snapshot {
		if slices.ContainsFunc(meta, func(m string) bool { return strings.EqualFold(m, c.Name) }) {
			if strings.EqualFold(c.Name, SnapshotIsDeleted) {
				hasDeleted = true
			}
			continue
		}
		data = append(data, c)
	}
	addColumn := func(c adapter.Column) string {
		return fmt.Sprintf("alter table %s add column %s %s", s.target, s.q(c.Name), c.DataType)
	}
	for _, c := range diffColumns(data, source).Added {
		ddl = append(ddl, addColumn(c))
	}
	newRecord := req.HardDeletes == "new_record"
	if newRecord && !hasDeleted {
		ddl = append(ddl,
			addColumn(adapter.Column{Name: s.d.NormalizeIdent(SnapshotIsDeleted), DataType: s.d.TextType()}),
			fmt.Sprintf("update %s set %s = 'False'", s.target, s.meta(SnapshotIsDeleted)))
	}
	current := fmt.Sprintf("strata_snap.%s is null", s.meta(SnapshotValidTo))
	live := current
	if newRecord {
		live += fmt.Sprintf(" and strata_snap.%s = 'False'", s.meta(SnapshotIsDeleted))
	}
	match := keyMatch(s.d, req.UniqueKey, "strata_source", "strata_snap")
	missing := fmt.Sprintf("not exists (select 1 from %s as strata_source where %s)", s.source, match)

	// Hard deletes first: they touch only keys the source no longer has.
	if newRecord {
		dml = append(dml, fmt.Sprintf("insert into %s (%s, %s, %s, %s, %s, %s)\nselect %s, md5(%s || '|deleted'), %s, %s, cast(null as %s), 'True'\nfrom %s as strata_snap\nwhere %s and %s",
			s.target, s.list(data, ""), s.meta(SnapshotScdID), s.meta(SnapshotUpdatedAt), s.meta(SnapshotValidFrom), s.meta(SnapshotValidTo), s.meta(SnapshotIsDeleted),
			s.list(data, "strata_snap."), "strata_snap."+s.meta(SnapshotScdID), s.now, s.now, s.timestamp, s.target, live, missing))
	}
	if req.HardDeletes == "invalidate" || newRecord {
		dml = append(dml, fmt.Sprintf("update %s as strata_snap set %s = %s\nwhere %s and %s",
			s.target, s.meta(SnapshotValidTo), s.now, live, missing))
	}

	// Close current rows whose source row changed (and deletion records whose
	// key came back).
	validTo := s.updatedAt(req, "strata_source")
	cond := s.changed(req, source)
	if newRecord {
		validTo = fmt.Sprintf("case when strata_snap.%s = 'True' then %s else %s end", s.meta(SnapshotIsDeleted), s.now, validTo)
		cond = fmt.Sprintf("(strata_snap.%s = 'True' or %s)", s.meta(SnapshotIsDeleted), cond)
	}
	dml = append(dml, fmt.Sprintf("update %s as strata_snap set %s = %s\nfrom %s as strata_source\nwhere %s and %s and %s",
		s.target, s.meta(SnapshotValidTo), validTo, s.source, match, current, cond))

	// Insert a current version for every source row without one.
	upd := s.updatedAt(req, "strata_source")
	metaCols := fmt.Sprintf("%s, %s, %s, %s", s.meta(SnapshotScdID), s.meta(SnapshotUpdatedAt), s.meta(SnapshotValidFrom), s.meta(SnapshotValidTo))
	metaVals := fmt.Sprintf("%s, %s, %s, nullif(%s, %s)", s.scdID(req, "strata_source"), upd, upd, upd, upd)
	if newRecord {
		metaCols += ", " + s.meta(SnapshotIsDeleted)
		metaVals += ", 'False'"
	}
	dml = append(dml, fmt.Sprintf("insert into %s (%s, %s)\nselect %s, %s\nfrom %s as strata_source\nwhere not exists (select 1 from %s as strata_snap where %s and %s)",
		s.target, s.list(source, ""), metaCols, s.list(source, "strata_source."), metaVals, s.source, s.target, match, current))
	return ddl, dml
}
