package postgres

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Every build runs on one pooled connection. Tables are built under a
// temporary name and swapped in inside one transaction (rename old → backup,
// rename new → name, drop backup cascade), as dbt-postgres does; because the
// temporary relation is created inside that same transaction, a failure or a
// cancellation rolls it back with everything else. Views are replaced with
// CREATE OR REPLACE VIEW (atomic, keeps dependent views) and fall back to the
// swap when PostgreSQL refuses the new column list or a table stands there.

type build struct {
	a     *Adapter
	conn  *pgxpool.Conn
	inTx  bool
	stmts []string
	rows  int64
}

func (a *Adapter) newBuild(ctx context.Context) (*build, error) {
	c, err := a.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &build{a: a, conn: c, rows: -1}, nil
}

// close rolls back a transaction left open by a failure or cancellation (with
// a fresh, short context) and returns the connection; pgxpool destroys a
// connection still inside a transaction.
func (b *build) close(ctx context.Context) {
	if b.inTx {
		b.rollback(ctx)
	}
	b.conn.Release()
}

func (b *build) rollback(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	b.stmts = append(b.stmts, "rollback")
	if _, err := b.conn.Exec(ctx, "rollback"); err == nil {
		b.inTx = false
	}
}

func (b *build) exec(ctx context.Context, stmt string) (int64, error) {
	b.stmts = append(b.stmts, stmt)
	tag, err := b.conn.Exec(ctx, stmt)
	if err != nil {
		return -1, b.a.mapError(ctx, err)
	}
	return rowsAffected(tag), nil
}

// tx runs f between begin and commit; on error the transaction is rolled back.
func (b *build) tx(ctx context.Context, f func() error) error {
	if _, err := b.exec(ctx, "begin"); err != nil {
		return err
	}
	b.inTx = true
	if err := f(); err != nil {
		b.rollback(ctx)
		return err
	}
	if _, err := b.exec(ctx, "commit"); err != nil {
		return err
	}
	b.inTx = false
	return nil
}

func (b *build) result(msg string, err error) (adapter.Result, error) {
	return adapter.Result{RowsAffected: b.rows, Statements: b.stmts, Message: msg}, err
}

// Materialize implements adapter.Adapter.
func (a *Adapter) Materialize(ctx context.Context, req adapter.MaterializeRequest) (adapter.Result, error) {
	rel := a.qualify(req.Relation)
	if err := a.sameDatabase(rel); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	var strategy, onChange string
	switch req.Materialized {
	case "view", "table":
	case "incremental":
		var err error
		if strategy, err = adapter.ResolveStrategy(a, req); err != nil {
			return adapter.Result{RowsAffected: -1}, err
		}
		if onChange, err = adapter.ValidSchemaChange(req); err != nil {
			return adapter.Result{RowsAffected: -1}, err
		}
	default:
		return adapter.Result{RowsAffected: -1}, fmt.Errorf("%s: postgres cannot materialize %q: use view, table or incremental", req.Label, req.Materialized)
	}
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close(ctx)
	if req.Materialized == "view" {
		return b.result("CREATE VIEW", b.view(ctx, rel, req.SQL))
	}
	existing, err := a.kind(ctx, b.conn, rel)
	if err != nil {
		return b.result("", err)
	}
	if req.Materialized == "table" || existing != relation.Table || req.FullRefresh {
		err := b.table(ctx, rel, req.SQL, existing)
		return b.result(fmt.Sprintf("SELECT %d", b.rows), err)
	}
	err = b.incremental(ctx, rel, req, strategy, onChange)
	verb := "INSERT"
	if strategy == "merge" {
		verb = "MERGE"
	}
	return b.result(fmt.Sprintf("%s %d", verb, b.rows), err)
}

// view tries CREATE OR REPLACE VIEW first: one round trip, atomic, and views
// depending on this one survive. PostgreSQL refuses it when a table stands
// there (42809) or the columns are not a compatible extension (42P16, 42804);
// then the view is built under a temporary name and swapped in.
func (b *build) view(ctx context.Context, rel relation.Relation, sql string) error {
	_, err := b.exec(ctx, b.a.CreateOrReplaceViewSQL(rel, sql))
	switch sqlState(err) {
	case "42809", "42P16", "42804":
	default:
		return err
	}
	return b.swap(ctx, rel, relation.View, sql)
}

func (b *build) table(ctx context.Context, rel relation.Relation, sql string, existing relation.Kind) error {
	if existing == relation.None {
		// Nothing to replace: a plain create is already atomic.
		n, err := b.exec(ctx, b.a.CreateTableAsSQL(rel, sql))
		b.rows = n
		return err
	}
	return b.swap(ctx, rel, relation.Table, sql)
}

// swap builds sql as kind under a temporary name and renames it into place in
// one transaction. The old relation's kind is read inside the transaction.
func (b *build) swap(ctx context.Context, rel relation.Relation, kind relation.Kind, sql string) error {
	tmp := rel.WithIdentifier(adapter.TempIdentifier(rel.Identifier, MaxIdentLen))
	backup := adapter.TempIdentifier(rel.Identifier, MaxIdentLen)
	return b.tx(ctx, func() error {
		create := b.a.CreateTableAsSQL(tmp, sql)
		if kind == relation.View {
			create = b.a.CreateViewSQL(tmp, sql)
		}
		n, err := b.exec(ctx, create)
		if err != nil {
			return err
		}
		b.rows = n
		old, err := b.a.kind(ctx, b.conn, rel)
		if err != nil {
			return err
		}
		for _, st := range b.a.SwapSQL(rel, old, tmp, kind, backup) {
			if _, err := b.exec(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *build) incremental(ctx context.Context, rel relation.Relation, req adapter.MaterializeRequest, strategy, onChange string) error {
	sql := req.IncrementalSQL
	if sql == "" {
		sql = req.SQL
	}
	tmp := adapter.TempIdentifier(rel.Identifier, MaxIdentLen)
	return b.tx(ctx, func() error {
		if _, err := b.exec(ctx, b.a.CreateTempTableAsSQL(tmp, sql)); err != nil {
			return err
		}
		incoming, err := b.a.columns(ctx, b.conn, tempColumnsSQL, tmp)
		if err != nil {
			return err
		}
		current, err := b.a.columns(ctx, b.conn, columnsSQL, rel.Schema, rel.Identifier)
		if err != nil {
			return err
		}
		diff := adapter.DiffColumns(current, incoming)
		cols := diff.Common
		switch {
		case onChange == "fail" && diff.Changed():
			return adapter.SchemaChangeError(req, diff)
		case onChange == "append_new_columns" && len(diff.Added) > 0:
			if _, err := b.exec(ctx, b.a.AddColumnsSQL(rel, diff.Added)); err != nil {
				return err
			}
			cols = append(cols, diff.Added...)
		}
		if len(cols) == 0 {
			return fmt.Errorf("%s: the model shares no column with %s", req.Label, rel)
		}
		var stmts []string
		switch strategy {
		case "append":
			stmts = []string{b.a.AppendSQL(rel, tmp, cols)}
		case "delete+insert":
			stmts = b.a.DeleteInsertSQL(rel, tmp, req.UniqueKey, cols)
		case "merge":
			stmts = []string{b.a.MergeSQL(rel, tmp, req.UniqueKey, cols)}
		}
		for _, st := range stmts {
			n, err := b.exec(ctx, st)
			if err != nil {
				return err
			}
			b.rows = n
		}
		return nil // the temporary table goes with the commit
	})
}

// LoadSeed implements adapter.Adapter: the rows stream into a new table through
// COPY (CSV), which is then swapped in like a table build, in one transaction.
func (a *Adapter) LoadSeed(ctx context.Context, req adapter.SeedRequest) (adapter.Result, error) {
	rel := a.qualify(req.Relation)
	if err := a.sameDatabase(rel); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	inferred := adapter.InferSeedColumns(req.Header, req.Rows, req.ColumnTypes)
	cols := make([]adapter.Column, len(inferred))
	for i, c := range inferred {
		cols[i] = adapter.Column{Name: c.Name, DataType: a.SeedType(c)}
	}
	data, err := seedCSV(req.Rows, len(cols))
	if err != nil {
		return adapter.Result{RowsAffected: -1}, fmt.Errorf("%s: %w", req.Label, err)
	}
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close(ctx)
	tmp := rel.WithIdentifier(adapter.TempIdentifier(rel.Identifier, MaxIdentLen))
	backup := adapter.TempIdentifier(rel.Identifier, MaxIdentLen)
	err = b.tx(ctx, func() error {
		if _, err := b.exec(ctx, a.CreateTableSQL(tmp, cols)); err != nil {
			return err
		}
		copySQL := a.CopySQL(tmp, req.Header)
		b.stmts = append(b.stmts, fmt.Sprintf("%s\n-- %d rows streamed as CSV", copySQL, len(req.Rows)))
		tag, err := b.conn.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), copySQL)
		if err != nil {
			return fmt.Errorf("%s: load %d rows: %w", req.Label, len(req.Rows), a.mapError(ctx, err))
		}
		b.rows = tag.RowsAffected()
		old, err := a.kind(ctx, b.conn, rel)
		if err != nil {
			return err
		}
		if old == relation.Table {
			// Same columns and types as the existing table: reload it in place
			// (truncate is transactional here), as dbt does, so views built on
			// the seed are kept rather than dropped by a swap's cascade.
			same, err := a.sameColumns(ctx, b, rel, tmp)
			if err != nil {
				return err
			}
			if same {
				for _, st := range []string{
					"truncate table " + a.RenderRelation(rel),
					"insert into " + a.RenderRelation(rel) + " select * from " + a.RenderRelation(tmp),
					"drop table " + a.RenderRelation(tmp),
				} {
					if _, err := b.exec(ctx, st); err != nil {
						return err
					}
				}
				return nil
			}
		}
		for _, st := range a.SwapSQL(rel, old, tmp, relation.Table, backup) {
			if _, err := b.exec(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	return b.result(fmt.Sprintf("INSERT %d", b.rows), err)
}

// sameColumns reports whether two tables have the same column names and types,
// as PostgreSQL formats them.
func (a *Adapter) sameColumns(ctx context.Context, b *build, x, y relation.Relation) (bool, error) {
	cx, err := a.columns(ctx, b.conn, columnsSQL, x.Schema, x.Identifier)
	if err != nil {
		return false, err
	}
	cy, err := a.columns(ctx, b.conn, columnsSQL, y.Schema, y.Identifier)
	if err != nil {
		return false, err
	}
	if len(cx) != len(cy) {
		return false, nil
	}
	for i := range cx {
		if cx[i].Name != cy[i].Name || cx[i].DataType != cy[i].DataType {
			return false, nil
		}
	}
	return true, nil
}

// seedCSV renders rows as CSV for COPY: empty fields are written unquoted,
// which COPY's CSV format reads as NULL.
func seedCSV(rows [][]string, width int) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, width)
	for i, row := range rows {
		if len(row) > width {
			return nil, fmt.Errorf("row %d has %d fields, the header %d", i+1, len(row), width)
		}
		clear(rec)
		copy(rec, row)
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
