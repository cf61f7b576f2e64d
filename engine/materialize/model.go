package materialize

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Materialize builds a model's relation as req asks (view, table or
// incremental), atomically where the engine allows: readers see the old
// relation or the new one, never a half-built one. The result lists every
// statement executed, also when the build fails.
//
// Views are created with `create or replace view`; where the engine refuses
// (a table stands there, or the columns changed incompatibly) the view is
// built aside and swapped in. Tables are replaced with `create or replace`
// where that is atomic (Traits.AtomicReplace), else built aside and swapped
// in one transaction, keeping the views that depend on them (see swap).
func (w *Warehouse) Materialize(ctx context.Context, req Request) (Result, error) {
	label := labelOr(req.Label, req.Relation)
	rel, err := w.target(req.Relation)
	if err != nil {
		return Result{RowsAffected: -1}, wrap(label, err)
	}
	var strategy, onChange string
	switch req.Materialized {
	case "view", "table":
	case "incremental":
		if strategy, err = w.strategy(req.Strategy, len(req.UniqueKey) > 0, label); err != nil {
			return Result{RowsAffected: -1}, err
		}
		if onChange, err = schemaChangeMode(req.OnSchemaChange, label); err != nil {
			return Result{RowsAffected: -1}, err
		}
	default:
		return Result{RowsAffected: -1}, fmt.Errorf("%s: %s cannot materialize %q: use view, table or incremental", label, w.typ, req.Materialized)
	}
	b := w.newBuild(label)
	defer b.close(ctx)
	if req.Contract != nil {
		// Before anything is replaced: a mismatch leaves the relation as it was.
		if err := b.checkContract(ctx, rel, req.SQL, req.Contract); err != nil {
			return b.result("", wrap(label, err))
		}
	}
	withKind := w.withKind
	if req.Materialized == "view" {
		withKind = w.withViewKind
	}
	msg, err := withKind(ctx, b, rel, func(existing relation.Kind) (string, error) {
		switch {
		case req.Materialized == "view" && req.Contract != nil:
			return "CREATE VIEW", b.view(ctx, rel, contractSelect(w.d, req.Contract, req.SQL), existing)
		case req.Materialized == "view":
			return "CREATE VIEW", b.view(ctx, rel, req.SQL, existing)
		case req.Contract != nil && (req.Materialized == "table" || existing != relation.Table || req.FullRefresh):
			err := b.contractTable(ctx, rel, req.SQL, req.Contract, req.Transient)
			return fmt.Sprintf("INSERT %d", max(b.res.RowsAffected, 0)), err
		case req.Materialized == "table" || existing != relation.Table || req.FullRefresh:
			return b.tableMessage(b.table(ctx, rel, req.SQL, existing, req.Transient))
		default:
			return b.incremental(ctx, rel, req, strategy, onChange)
		}
	})
	return b.result(msg, wrap(label, err))
}

func (b *build) tableMessage(err error) (string, error) {
	if b.res.RowsAffected < 0 {
		return "CREATE TABLE", err
	}
	return fmt.Sprintf("SELECT %d", b.res.RowsAffected), err
}

// view replaces rel by a view of sql.
func (b *build) view(ctx context.Context, rel relation.Relation, sql string, existing relation.Kind) error {
	var err error
	if existing == relation.Table || existing == relation.External {
		err = b.swap(ctx, rel, relation.View, sql, false)
	} else {
		err = b.retry(ctx, func() error {
			_, err := b.exec(ctx, b.w.d.CreateView(rel, sql, adapter.CreateOptions{Replace: true}))
			return err
		})
		if errors.Is(err, adapter.ErrCannotReplace) {
			err = b.swap(ctx, rel, relation.View, sql, false)
		}
	}
	if err == nil {
		b.w.cache.set(rel, relation.View)
	}
	return err
}

// table replaces rel by a table of sql's rows.
func (b *build) table(ctx context.Context, rel relation.Relation, sql string, existing relation.Kind, transient bool) error {
	var err error
	switch {
	case existing == relation.View || existing == relation.External:
		err = b.swap(ctx, rel, relation.Table, sql, transient)
	case b.w.traits.AtomicReplace:
		err = b.retry(ctx, func() error {
			n, err := b.exec(ctx, b.w.d.CreateTableAs(rel, sql, adapter.CreateOptions{Replace: true, Transient: transient}))
			b.res.RowsAffected = n
			return err
		})
	case existing == relation.None:
		// Nothing to replace: a plain create is atomic already.
		b.res.RowsAffected, err = b.exec(ctx, b.w.d.CreateTableAs(rel, sql, adapter.CreateOptions{Transient: transient}))
	default:
		err = b.swap(ctx, rel, relation.Table, sql, transient)
	}
	if err != nil {
		return err
	}
	b.w.cache.set(rel, relation.Table)
	if b.res.RowsAffected < 0 && b.w.traits.CountNewTables {
		b.count(ctx, rel)
	}
	return nil
}

// count reads how many rows a fresh table holds (Traits.CountNewTables), so
// the console and run_results can say it.
func (b *build) count(ctx context.Context, rel relation.Relation) {
	t, err := b.q().Query(ctx, "select count(*) from "+b.w.d.RenderRelation(rel), 1)
	if err != nil || len(t.Rows) != 1 || len(t.Rows[0]) != 1 {
		return
	}
	var n int64
	if _, err := fmt.Sscan(text(t.Rows[0][0]), &n); err == nil {
		b.res.RowsAffected = n
	}
}

// swap builds sql as kind under a temporary name next to rel, then puts it
// in rel's place.
//
// With transactional DDL all of it is one transaction, so a failure or a
// cancellation leaves the old relation as it was. Where the engine binds
// views to the relations they read (Dialect.DependentViewsSQL), replacing rel
// would drop the views that depend on it, inside or outside the project; so
// when the new table has the old one's columns (names and types, in order)
// the old table is emptied and refilled from the new rows instead (it keeps
// its grants, and its views are untouched), and otherwise the views are
// recreated from their definitions, read before the swap, in the same
// transaction; one that no longer fits the new columns (it reads a column
// that is gone) stays dropped, and the result's Warnings say so.
//
// Without transactional DDL (Snowflake) the old relation is dropped and the
// new one renamed into place: only that last step leaves a moment without
// the relation.
func (b *build) swap(ctx context.Context, rel relation.Relation, kind relation.Kind, sql string, transient bool) error {
	d := b.w.d
	tmp := b.temp(rel)
	create := d.CreateTableAs(tmp, sql, adapter.CreateOptions{Transient: transient})
	if kind == relation.View {
		create = d.CreateView(tmp, sql, adapter.CreateOptions{})
	}
	if !b.w.traits.TransactionalDDL {
		return b.swapOutsideTx(ctx, rel, tmp, kind, create)
	}
	return b.tx(ctx, func() error {
		n, err := b.exec(ctx, create)
		if err != nil {
			return err
		}
		if kind == relation.Table {
			b.res.RowsAffected = n
		}
		old, err := b.w.lookup(ctx, b.s, rel)
		if err != nil {
			return err
		}
		var deps []dependent
		if old != relation.None && d.DependentViewsSQL(rel) != "" {
			// Nobody may create a view on a table between reading its
			// dependents and dropping it: that view would go with it, unseen.
			// (Not a view: locking one locks every relation it reads.)
			if lock := d.LockRelation(rel, true); lock != "" && old == relation.Table {
				if _, err := b.exec(ctx, lock); err != nil {
					return err
				}
			}
			if deps, err = b.dependents(ctx, rel); err != nil {
				return err
			}
		}
		if kind == relation.Table && old == relation.Table && len(deps) > 0 {
			cols, same, err := b.sameColumns(ctx, tmp, rel)
			if err != nil {
				return err
			}
			if same {
				return b.refill(ctx, rel, tmp, cols)
			}
		}
		if old != relation.None {
			if _, err := b.exec(ctx, d.Drop(rel, old)); err != nil {
				return err
			}
		}
		if _, err := b.exec(ctx, d.Rename(tmp, kind, rel.Identifier)); err != nil {
			return err
		}
		return b.recreate(ctx, rel, deps)
	})
}

// dependent is a view bound to a relation being replaced.
type dependent struct {
	schema, name string
	// create recreates it from its definition.
	create string
}

// recreate creates again, in the open transaction, the views the swap of rel
// dropped. Each is tried under a savepoint: one that no longer fits the new
// columns stays dropped, with a warning naming it, and the others are kept.
func (b *build) recreate(ctx context.Context, rel relation.Relation, deps []dependent) error {
	for _, v := range deps {
		if _, err := b.exec(ctx, "savepoint strata_view"); err != nil {
			return err
		}
		if _, err := b.exec(ctx, v.create); err != nil {
			if ctx.Err() != nil {
				return err
			}
			if _, rerr := b.exec(ctx, "rollback to savepoint strata_view"); rerr != nil {
				return rerr
			}
			b.res.Warnings = append(b.res.Warnings, fmt.Sprintf("the view %s.%s read %s and no longer fits its new columns, so it was dropped (%v): recreate it to match",
				v.schema, v.name, rel, err))
			continue
		}
		if _, err := b.exec(ctx, "release savepoint strata_view"); err != nil {
			return err
		}
	}
	return nil
}

func (b *build) swapOutsideTx(ctx context.Context, rel, tmp relation.Relation, kind relation.Kind, create string) (err error) {
	d := b.w.d
	if _, err := b.exec(ctx, create); err != nil {
		return err
	}
	live := true
	defer func() {
		if live {
			b.cleanup(ctx, d.Drop(tmp, kind))
		}
	}()
	old, err := b.w.lookup(ctx, b.q(), rel)
	if err != nil {
		return err
	}
	if old != relation.None {
		if _, err := b.exec(ctx, d.Drop(rel, old)); err != nil {
			return err
		}
	}
	if _, err := b.exec(ctx, d.Rename(tmp, kind, rel.Identifier)); err != nil {
		return err
	}
	live = false
	return nil
}

// dependents lists the views that depend on rel, with the statements
// recreating them, in an order that works (none on engines whose views bind
// by name).
func (b *build) dependents(ctx context.Context, rel relation.Relation) ([]dependent, error) {
	q := b.w.d.DependentViewsSQL(rel)
	if q == "" {
		return nil, nil
	}
	t, err := b.q().Query(ctx, q, 0)
	if err != nil {
		return nil, fmt.Errorf("list the views that depend on %s: %w", rel, err)
	}
	out := make([]dependent, 0, len(t.Rows))
	for _, row := range t.Rows {
		if len(row) < 3 {
			return nil, fmt.Errorf("list the views that depend on %s: the catalog query returned %d columns, want 3", rel, len(row))
		}
		out = append(out, dependent{schema: text(row[0]), name: text(row[1]), create: text(row[2])})
	}
	return out, nil
}

// sameColumns reports whether a and b have the same columns (names and
// types, in order), returning a's.
func (b *build) sameColumns(ctx context.Context, x, y relation.Relation) ([]adapter.Column, bool, error) {
	cx, err := b.columns(ctx, x)
	if err != nil {
		return nil, false, err
	}
	cy, err := b.columns(ctx, y)
	if err != nil {
		return nil, false, err
	}
	if len(cx) != len(cy) {
		return cx, false, nil
	}
	for i := range cx {
		if cx[i] != cy[i] {
			return cx, false, nil
		}
	}
	return cx, true, nil
}

// refill replaces rel's rows by tmp's in the open transaction and drops tmp.
func (b *build) refill(ctx context.Context, rel, tmp relation.Relation, cols []adapter.Column) error {
	d := b.w.d
	if _, err := b.exec(ctx, "truncate table "+d.RenderRelation(rel)); err != nil {
		return err
	}
	n, err := b.exec(ctx, insertSQL(d, rel, tmp, cols))
	if err != nil {
		return err
	}
	b.res.RowsAffected = n
	_, err = b.exec(ctx, d.Drop(tmp, relation.Table))
	return err
}
