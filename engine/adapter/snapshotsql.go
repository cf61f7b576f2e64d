package adapter

import (
	"fmt"
	"slices"
	"strings"
)

// Snapshot meta columns, as dbt names them.
const (
	SnapshotScdID     = "dbt_scd_id"
	SnapshotUpdatedAt = "dbt_updated_at"
	SnapshotValidFrom = "dbt_valid_from"
	SnapshotValidTo   = "dbt_valid_to"
	SnapshotIsDeleted = "dbt_is_deleted"
)

// SnapshotSQL renders dbt's type-2 snapshot statements for engines with
// standard SQL (UPDATE … FROM, IS DISTINCT FROM, md5, ||). Adapters fill in
// their quoting and names; the statements run in one transaction, after the
// snapshot's select has been staged in Source. It is a value with no state,
// safe for concurrent use.
//
// A run closes current rows that changed (dbt_valid_to = the new version's
// start), inserts a version for every source row without a current row (new
// keys and the just-closed ones), and handles keys missing from the source as
// HardDeletes asks: ignore, invalidate (close them) or new_record (close them
// and add a current row with dbt_is_deleted = 'True').
type SnapshotSQL struct {
	Quote func(string) string
	// Target and Source are the rendered snapshot table and staging relation.
	Target, Source string
	// Now is the SQL expression for the snapshot time, a timestamp without zone
	// (PostgreSQL and DuckDB: localtimestamp).
	Now string
	// Normalize folds meta column names as the engine folds unquoted names
	// (nil: unchanged).
	Normalize func(string) string
}

func (s SnapshotSQL) meta(name string) string {
	if s.Normalize != nil {
		name = s.Normalize(name)
	}
	return s.Quote(name)
}

// MetaColumns lists the meta column names (folded) a snapshot table carries.
func (s SnapshotSQL) MetaColumns(req SnapshotRequest) []string {
	names := []string{SnapshotScdID, SnapshotUpdatedAt, SnapshotValidFrom, SnapshotValidTo}
	if req.HardDeletes == "new_record" {
		names = append(names, SnapshotIsDeleted)
	}
	if s.Normalize != nil {
		for i, n := range names {
			names[i] = s.Normalize(n)
		}
	}
	return names
}

// ValidateSnapshot checks a request's strategy and options.
func ValidateSnapshot(req SnapshotRequest) error {
	label := req.Label
	if label == "" {
		label = req.Relation.String()
	}
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

// updatedAt is the new version's timestamp expression over source alias a.
func (s SnapshotSQL) updatedAt(req SnapshotRequest, a string) string {
	if req.Strategy == "timestamp" {
		return a + "." + s.Quote(req.UpdatedAt)
	}
	return s.Now
}

func (s SnapshotSQL) scdID(req SnapshotRequest, a string) string {
	parts := make([]string, 0, len(req.UniqueKey)+1)
	for _, k := range req.UniqueKey {
		parts = append(parts, fmt.Sprintf("coalesce(cast(%s.%s as varchar), '')", a, s.Quote(k)))
	}
	parts = append(parts, fmt.Sprintf("coalesce(cast(%s as varchar), '')", s.updatedAt(req, a)))
	return "md5(" + strings.Join(parts, " || '|' || ") + ")"
}

func (s SnapshotSQL) keyMatch(req SnapshotRequest, l, r string) string {
	conds := make([]string, len(req.UniqueKey))
	for i, k := range req.UniqueKey {
		conds[i] = fmt.Sprintf("%s.%s = %s.%s", l, s.Quote(k), r, s.Quote(k))
	}
	return strings.Join(conds, " and ")
}

func (s SnapshotSQL) list(cols []Column, prefix string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + s.Quote(c.Name)
	}
	return strings.Join(out, ", ")
}

// Create is the first run: the table holds every source row as current.
func (s SnapshotSQL) Create(req SnapshotRequest, source []Column) string {
	upd := s.updatedAt(req, "strata_source")
	sel := fmt.Sprintf("%s,\n  %s as %s,\n  %s as %s,\n  %s as %s,\n  nullif(%s, %s) as %s", s.list(source, "strata_source."),
		s.scdID(req, "strata_source"), s.meta(SnapshotScdID), upd, s.meta(SnapshotUpdatedAt), upd, s.meta(SnapshotValidFrom),
		upd, upd, s.meta(SnapshotValidTo))
	if req.HardDeletes == "new_record" {
		sel += fmt.Sprintf(",\n  cast('False' as varchar) as %s", s.meta(SnapshotIsDeleted))
	}
	return fmt.Sprintf("create table %s as (\nselect %s\nfrom %s as strata_source\n)", s.Target, sel, s.Source)
}

// changed is the condition under which current snapshot row t differs from
// source row src.
func (s SnapshotSQL) changed(req SnapshotRequest, source []Column) string {
	if req.Strategy == "timestamp" {
		return fmt.Sprintf("strata_snap.%s < strata_source.%s", s.meta(SnapshotValidFrom), s.Quote(req.UpdatedAt))
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
		conds[i] = fmt.Sprintf("strata_snap.%s is distinct from strata_source.%s", s.Quote(c), s.Quote(c))
	}
	return "(" + strings.Join(conds, " or ") + ")"
}

// Apply is a later run. source are the staged select's columns; snapshot the
// existing table's columns (to add new source columns and the
// dbt_is_deleted column when needed).
func (s SnapshotSQL) Apply(req SnapshotRequest, source, snapshot []Column) []string {
	var out []string
	meta := s.MetaColumns(req)
	var data []Column
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
	for _, c := range DiffColumns(data, source).Added {
		out = append(out, fmt.Sprintf("alter table %s add column %s %s", s.Target, s.Quote(c.Name), c.DataType))
	}
	newRecord := req.HardDeletes == "new_record"
	if newRecord && !hasDeleted {
		out = append(out,
			fmt.Sprintf("alter table %s add column %s varchar", s.Target, s.meta(SnapshotIsDeleted)),
			fmt.Sprintf("update %s set %s = 'False'", s.Target, s.meta(SnapshotIsDeleted)))
	}
	current := fmt.Sprintf("strata_snap.%s is null", s.meta(SnapshotValidTo))
	live := current
	if newRecord {
		live += fmt.Sprintf(" and strata_snap.%s = 'False'", s.meta(SnapshotIsDeleted))
	}
	missing := fmt.Sprintf("not exists (select 1 from %s as strata_source where %s)", s.Source, s.keyMatch(req, "strata_source", "strata_snap"))

	// Hard deletes first: they touch only keys the source no longer has.
	if newRecord {
		out = append(out, fmt.Sprintf("insert into %s (%s, %s, %s, %s, %s, %s)\nselect %s, md5(%s || '|deleted'), %s, %s, cast(null as timestamp), 'True'\nfrom %s as strata_snap\nwhere %s and %s",
			s.Target, s.list(data, ""), s.meta(SnapshotScdID), s.meta(SnapshotUpdatedAt), s.meta(SnapshotValidFrom), s.meta(SnapshotValidTo), s.meta(SnapshotIsDeleted),
			s.list(data, "strata_snap."), "strata_snap."+s.meta(SnapshotScdID), s.Now, s.Now, s.Target, live, missing))
	}
	if req.HardDeletes == "invalidate" || newRecord {
		out = append(out, fmt.Sprintf("update %s as strata_snap set %s = %s\nwhere %s and %s",
			s.Target, s.meta(SnapshotValidTo), s.Now, live, missing))
	}

	// Close current rows whose source row changed (and deletion records whose
	// key came back).
	validTo := s.updatedAt(req, "strata_source")
	cond := s.changed(req, source)
	if newRecord {
		validTo = fmt.Sprintf("case when strata_snap.%s = 'True' then %s else %s end", s.meta(SnapshotIsDeleted), s.Now, validTo)
		cond = fmt.Sprintf("(strata_snap.%s = 'True' or %s)", s.meta(SnapshotIsDeleted), cond)
	}
	out = append(out, fmt.Sprintf("update %s as strata_snap set %s = %s\nfrom %s as strata_source\nwhere %s and %s and %s",
		s.Target, s.meta(SnapshotValidTo), validTo, s.Source, s.keyMatch(req, "strata_source", "strata_snap"), current, cond))

	// Insert a current version for every source row without one.
	upd := s.updatedAt(req, "strata_source")
	cols := s.list(source, "")
	vals := s.list(source, "strata_source.")
	metaCols := fmt.Sprintf("%s, %s, %s, %s", s.meta(SnapshotScdID), s.meta(SnapshotUpdatedAt), s.meta(SnapshotValidFrom), s.meta(SnapshotValidTo))
	metaVals := fmt.Sprintf("%s, %s, %s, nullif(%s, %s)", s.scdID(req, "strata_source"), upd, upd, upd, upd)
	if newRecord {
		metaCols += ", " + s.meta(SnapshotIsDeleted)
		metaVals += ", 'False'"
	}
	out = append(out, fmt.Sprintf("insert into %s (%s, %s)\nselect %s, %s\nfrom %s as strata_source\nwhere not exists (select 1 from %s as strata_snap where %s and %s)",
		s.Target, cols, metaCols, vals, metaVals, s.Source, s.Target, s.keyMatch(req, "strata_source", "strata_snap"), current))
	return out
}
