package materialize

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// strategy validates an incremental strategy against the dialect, filling in
// its default when it is empty. An unknown strategy is an error wrapping
// ErrBadStrategy that names it and the valid ones; merge and delete+insert
// without a unique key are errors too.
func (w *Warehouse) strategy(s string, hasKey bool, label string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return w.d.DefaultIncrementalStrategy(hasKey), nil
	}
	valid := w.d.ValidIncrementalStrategies()
	if !w.traits.Merge {
		valid = slices.DeleteFunc(slices.Clone(valid), func(v string) bool { return v == "merge" })
	}
	if !slices.Contains(valid, s) {
		return "", fmt.Errorf("%w %q for %s on %s: use one of %s", ErrBadStrategy, s, label, w.typ, strings.Join(valid, ", "))
	}
	if (s == "merge" || s == "delete+insert") && !hasKey {
		return "", fmt.Errorf("%w: %q on %s needs a unique_key", ErrBadStrategy, s, label)
	}
	return s, nil
}

// schemaChangeMode checks on_schema_change, returning the effective value
// ("ignore" when empty).
func schemaChangeMode(v, label string) (string, error) {
	switch m := strings.ToLower(v); m {
	case "", "ignore":
		return "ignore", nil
	case "fail", "append_new_columns":
		return m, nil
	default:
		return "", fmt.Errorf("%s: unknown on_schema_change %q: use ignore, fail or append_new_columns", label, v)
	}
}

// incremental applies the new rows of an incremental model to its existing
// table. The rows are staged in a session temporary table; then columns are
// compared (on_schema_change), the unique key is checked, and the strategy's
// DML applies them. With transactional DDL everything is one transaction
// that first locks the table against other writers, so two runs at once
// apply their rows one after the other, the second seeing the first's.
// Without it (Snowflake) schema changes commit at once and only the DML is
// grouped in a transaction.
func (b *build) incremental(ctx context.Context, rel relation.Relation, req Request, strategy, onChange string) (string, error) {
	sql := req.IncrementalSQL
	if sql == "" {
		sql = req.SQL
	}
	verb := "INSERT"
	if strategy == "merge" {
		verb = "MERGE"
	}
	if err := b.session(ctx); err != nil {
		return "", err
	}
	tmp := b.sessionTemp(rel)
	apply := func() error { return b.applyIncremental(ctx, rel, tmp, sql, req, strategy, onChange) }
	var err error
	if b.w.traits.TransactionalDDL {
		err = b.tx(ctx, apply)
	} else {
		err = apply()
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %d", verb, b.res.RowsAffected), nil
}

func (b *build) applyIncremental(ctx context.Context, rel, tmp relation.Relation, sql string, req Request, strategy, onChange string) error {
	d := b.w.d
	if lock := d.LockRelation(rel, false); lock != "" && b.inTx {
		if _, err := b.exec(ctx, lock); err != nil {
			return err
		}
	}
	if _, err := b.exec(ctx, d.CreateTableAs(tmp, sql, adapter.CreateOptions{Temporary: true})); err != nil {
		return err
	}
	if !b.inTx {
		defer b.cleanup(ctx, d.Drop(tmp, relation.Table))
	}
	incoming, err := b.columns(ctx, tmp)
	if err != nil {
		return err
	}
	current, err := b.columns(ctx, rel)
	if err != nil {
		return err
	}
	diff := diffColumns(current, incoming)
	cols := diff.Common
	switch {
	case onChange == "fail" && diff.Changed():
		return schemaChangeError(b.label, diff)
	case onChange == "append_new_columns" && len(diff.Added) > 0:
		for _, c := range diff.Added {
			if _, err := b.exec(ctx, d.AddColumn(rel, c)); err != nil {
				return err
			}
		}
		cols = append(cols, diff.Added...)
	}
	if len(cols) == 0 {
		return fmt.Errorf("the model shares no column with %s", rel)
	}
	var stmts []string
	if strategy == "append" {
		stmts = []string{insertSQL(d, rel, tmp, cols)}
	} else {
		keys, err := resolveNames("unique_key", req.UniqueKey, current, rel.String())
		if err != nil {
			return err
		}
		if err := b.checkUnique(ctx, tmp, keys); err != nil {
			return err
		}
		if strategy == "merge" {
			stmts = []string{mergeSQL(d, rel, tmp, keys, cols)}
		} else {
			stmts = []string{deleteMatchingSQL(d, rel, tmp, keys), insertSQL(d, rel, tmp, cols)}
		}
	}
	if err := b.dml(ctx, stmts); err != nil {
		return err
	}
	if b.inTx {
		_, err = b.exec(ctx, d.Drop(tmp, relation.Table))
	}
	return err
}

// dml runs statements that must apply together, in a transaction of their
// own when none is open; RowsAffected is the last one's (the rows inserted
// or merged, the figure dbt reports).
func (b *build) dml(ctx context.Context, stmts []string) error {
	grouped := len(stmts) > 1 && !b.inTx
	if grouped {
		if _, err := b.exec(ctx, "begin"); err != nil {
			return err
		}
		b.inTx = true
	}
	for _, st := range stmts {
		n, err := b.exec(ctx, st)
		if err != nil {
			if grouped {
				b.rollback(ctx)
			}
			return err
		}
		b.res.RowsAffected = n
	}
	if grouped {
		_, err := b.exec(ctx, "commit")
		b.inTx = false
		return err
	}
	return nil
}

// duplicateSample is how many duplicated keys an error shows.
const duplicateSample = 5

// checkUnique fails, with ErrDuplicateKey, the key and a few of its
// duplicates, when the staged rows hold a key (without NULLs) more than once:
// merge would then update a row twice, or mangle it, and delete+insert would
// insert both. One query.
func (b *build) checkUnique(ctx context.Context, tmp relation.Relation, keys []string) error {
	d := b.w.d
	quoted := make([]string, len(keys))
	notNull := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = d.QuoteIdent(k)
		notNull[i] = quoted[i] + " is not null"
	}
	list := strings.Join(quoted, ", ")
	q := fmt.Sprintf("select %s, count(*) as strata_rows from %s\nwhere %s\ngroup by %s\nhaving count(*) > 1\norder by count(*) desc, %s\nlimit %d",
		list, d.RenderRelation(tmp), strings.Join(notNull, " and "), list, list, duplicateSample)
	t, err := b.q().Query(ctx, q, 0)
	if err != nil {
		return fmt.Errorf("check that the unique_key is unique: %w", err)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	samples := make([]string, 0, len(t.Rows))
	for _, row := range t.Rows {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%s", k, text(row[i]))
		}
		samples = append(samples, fmt.Sprintf("%s (%s rows)", strings.Join(parts, ", "), text(row[len(keys)])))
	}
	more := ""
	if len(t.Rows) == duplicateSample {
		more = ", …"
	}
	return fmt.Errorf("%w: unique_key (%s) repeats in the rows to apply: %s%s; nothing was changed: make the model's rows unique on the key (e.g. keep the latest row per key) or choose a unique_key that is unique",
		ErrDuplicateKey, strings.Join(keys, ", "), strings.Join(samples, "; "), more)
}

// resolveNames matches configured column names (unique_key, updated_at, …)
// to the real column names of a relation: an exact match first, else one
// that differs only in case (unique_key: loan_id finds Snowflake's LOAN_ID).
func resolveNames(what string, names []string, cols []adapter.Column, where string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		found := ""
		for _, c := range cols {
			if c.Name == n {
				found = c.Name
				break
			}
		}
		if found == "" {
			for _, c := range cols {
				if strings.EqualFold(c.Name, n) {
					found = c.Name
					break
				}
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s column %q is not a column of %s", what, n, where)
		}
		out[i] = found
	}
	return out, nil
}

// schemaChange compares an existing table's columns with a model's new
// columns by name (case-insensitively, as engines that fold names would).
type schemaChange struct {
	// Added are new columns missing from the existing table, in the model's order.
	Added []adapter.Column
	// Removed are existing columns the model no longer selects, in table order.
	Removed []adapter.Column
	// Common are the existing table's columns the model still selects, in the
	// table's order: the insert list under on_schema_change: ignore.
	Common []adapter.Column
}

// Changed reports whether any column was added or removed.
func (c schemaChange) Changed() bool { return len(c.Added) > 0 || len(c.Removed) > 0 }

func diffColumns(existing, incoming []adapter.Column) schemaChange {
	var sc schemaChange
	has := func(cols []adapter.Column, name string) bool {
		return slices.ContainsFunc(cols, func(c adapter.Column) bool { return strings.EqualFold(c.Name, name) })
	}
	for _, c := range existing {
		if has(incoming, c.Name) {
			sc.Common = append(sc.Common, c)
		} else {
			sc.Removed = append(sc.Removed, c)
		}
	}
	for _, c := range incoming {
		if !has(existing, c.Name) {
			sc.Added = append(sc.Added, c)
		}
	}
	return sc
}

// schemaChangeError is the on_schema_change: fail error (wrapping
// ErrSchemaChanged) naming the added and removed columns.
func schemaChangeError(label string, sc schemaChange) error {
	names := func(cols []adapter.Column) string {
		if len(cols) == 0 {
			return "none"
		}
		s := make([]string, len(cols))
		for i, c := range cols {
			s[i] = c.Name
		}
		return strings.Join(s, ", ")
	}
	return fmt.Errorf("%s: %w (added: %s; removed: %s): set on_schema_change to append_new_columns or ignore, or run with --full-refresh",
		label, ErrSchemaChanged, names(sc.Added), names(sc.Removed))
}
