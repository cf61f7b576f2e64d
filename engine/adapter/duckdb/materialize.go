package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// DuckDB's catalog is transactional (MVCC): a CREATE OR REPLACE, or a DROP and
// CREATE inside one transaction, is invisible to other connections until it
// commits, and a cancelled or failed build rolls back to the old relation. So
// tables and views are replaced in place atomically, without the rename dance
// PostgreSQL needs; temporary tables (incremental batches, seed staging) live
// in the connection's "temp" catalog and vanish with a rollback.

// build is one Materialize or LoadSeed call: a connection and the statements
// run on it so far.
type build struct {
	a     *Adapter
	conn  *sql.Conn
	tx    *sql.Tx
	stmts []string
	rows  int64
}

func (a *Adapter) newBuild(ctx context.Context) (*build, error) {
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	return &build{a: a, conn: conn, rows: -1}, nil
}

func (b *build) close() { _ = b.conn.Close() }

// exec runs one statement on the build's connection (inside its transaction
// when one is open) and records it.
func (b *build) exec(ctx context.Context, stmt string) (int64, error) {
	b.stmts = append(b.stmts, stmt)
	var res sql.Result
	var err error
	if b.tx != nil {
		res, err = b.tx.ExecContext(ctx, stmt)
	} else {
		res, err = b.conn.ExecContext(ctx, stmt)
	}
	if err != nil {
		return -1, mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1, nil
	}
	return n, nil
}

func (b *build) q() queryer {
	if b.tx != nil {
		return b.tx
	}
	return b.conn
}

// inTx runs f in one transaction, retrying the whole transaction when DuckDB
// reports a write-write conflict with a concurrent one.
func (b *build) inTx(ctx context.Context, f func() error) error {
	return b.a.withRetry(ctx, func() error {
		tx, err := b.conn.BeginTx(ctx, nil)
		if err != nil {
			return mapError(err)
		}
		b.tx = tx
		b.stmts = append(b.stmts, "begin")
		defer func() { b.tx = nil }()
		if err := f(); err != nil {
			_ = tx.Rollback()
			b.stmts = append(b.stmts, "rollback")
			return err
		}
		b.stmts = append(b.stmts, "commit")
		if err := tx.Commit(); err != nil {
			return mapError(err)
		}
		return nil
	})
}

// cleanup drops a leftover temporary table even when ctx was cancelled.
func (b *build) cleanup(ctx context.Context, stmt string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = b.conn.ExecContext(ctx, stmt)
}

func (b *build) result(msg string, err error) (adapter.Result, error) {
	return adapter.Result{RowsAffected: b.rows, Statements: b.stmts, Message: msg}, err
}

// Materialize implements adapter.Adapter.
func (a *Adapter) Materialize(ctx context.Context, req adapter.MaterializeRequest) (adapter.Result, error) {
	rel := a.qualify(req.Relation)
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
		return adapter.Result{RowsAffected: -1}, fmt.Errorf("%s: duckdb cannot materialize %q: use view, table or incremental", req.Label, req.Materialized)
	}
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close()
	existing, err := a.kind(ctx, b.conn, rel)
	if err != nil {
		return b.result("", err)
	}
	switch {
	case req.Materialized == "view":
		return b.result("CREATE VIEW", b.view(ctx, rel, req.SQL, existing))
	case req.Materialized == "table" || existing != relation.Table || req.FullRefresh:
		err := b.table(ctx, rel, req.SQL, existing)
		return b.result(fmt.Sprintf("SELECT %d", b.rows), err)
	default:
		err := b.incremental(ctx, rel, req, strategy, onChange)
		verb := "INSERT"
		if strategy == "merge" {
			verb = "MERGE"
		}
		return b.result(fmt.Sprintf("%s %d", verb, b.rows), err)
	}
}

func (b *build) view(ctx context.Context, rel relation.Relation, sqlText string, existing relation.Kind) error {
	if existing == relation.Table {
		return b.inTx(ctx, func() error {
			if _, err := b.exec(ctx, b.a.DropSQL(rel, relation.Table)); err != nil {
				return err
			}
			_, err := b.exec(ctx, b.a.CreateViewSQL(rel, sqlText))
			return err
		})
	}
	_, err := b.exec(ctx, b.a.CreateViewSQL(rel, sqlText))
	return err
}

func (b *build) table(ctx context.Context, rel relation.Relation, sqlText string, existing relation.Kind) error {
	create := func() error {
		if _, err := b.exec(ctx, b.a.CreateTableAsSQL(rel, sqlText, existing == relation.Table)); err != nil {
			return err
		}
		// DuckDB reports no row count for CREATE TABLE AS; counting a fresh
		// table reads its metadata, so the console and run_results can say how
		// many rows were built.
		var n int64
		if err := b.q().QueryRowContext(ctx, "select count(*) from "+b.a.RenderRelation(rel)).Scan(&n); err == nil {
			b.rows = n
		}
		return nil
	}
	if existing == relation.View {
		return b.inTx(ctx, func() error {
			if _, err := b.exec(ctx, b.a.DropSQL(rel, relation.View)); err != nil {
				return err
			}
			return create()
		})
	}
	return b.a.withRetry(ctx, create)
}

func (b *build) incremental(ctx context.Context, rel relation.Relation, req adapter.MaterializeRequest, strategy, onChange string) error {
	sqlText := req.IncrementalSQL
	if sqlText == "" {
		sqlText = req.SQL
	}
	tmp := adapter.TempIdentifier(rel.Identifier, 0)
	tmpRel := b.a.TempRelation(tmp)
	err := b.inTx(ctx, func() error {
		if _, err := b.exec(ctx, b.a.CreateTempTableAsSQL(tmp, sqlText)); err != nil {
			return err
		}
		incoming, err := b.a.columns(ctx, b.q(), tmpRel)
		if err != nil {
			return err
		}
		current, err := b.a.columns(ctx, b.q(), rel)
		if err != nil {
			return err
		}
		diff := adapter.DiffColumns(current, incoming)
		cols := diff.Common
		switch {
		case onChange == "fail" && diff.Changed():
			return adapter.SchemaChangeError(req, diff)
		case onChange == "append_new_columns" && len(diff.Added) > 0:
			for _, st := range b.a.AddColumnsSQL(rel, diff.Added) {
				if _, err := b.exec(ctx, st); err != nil {
					return err
				}
			}
			cols = append(cols, diff.Added...)
		}
		if len(cols) == 0 {
			return fmt.Errorf("%s: the model shares no column with %s", req.Label, rel)
		}
		var stmts []string
		switch strategy {
		case "append":
			stmts = []string{b.a.AppendSQL(rel, tmpRel, cols)}
		case "delete+insert":
			stmts = b.a.DeleteInsertSQL(rel, tmpRel, req.UniqueKey, cols)
		case "merge":
			stmts = []string{b.a.MergeSQL(rel, tmpRel, req.UniqueKey, cols)}
		}
		for _, st := range stmts {
			n, err := b.exec(ctx, st)
			if err != nil {
				return err
			}
			b.rows = n // the last statement inserts or merges
		}
		_, err = b.exec(ctx, b.a.DropSQL(tmpRel, relation.Table))
		return err
	})
	if err != nil {
		b.cleanup(ctx, b.a.DropSQL(tmpRel, relation.Table))
	}
	return err
}

// LoadSeed implements adapter.Adapter: the rows go through DuckDB's appender
// into an all-varchar temporary table, then one statement casts them into the
// seed's table, replacing the old one atomically.
func (a *Adapter) LoadSeed(ctx context.Context, req adapter.SeedRequest) (adapter.Result, error) {
	rel := a.qualify(req.Relation)
	cols := adapter.InferSeedColumns(req.Header, req.Rows, req.ColumnTypes)
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close()
	existing, err := a.kind(ctx, b.conn, rel)
	if err != nil {
		return b.result("", err)
	}
	tmp := adapter.TempIdentifier(rel.Identifier, 0)
	tmpRel := a.TempRelation(tmp)
	staging := make([]adapter.Column, len(cols))
	for i, c := range cols {
		staging[i] = adapter.Column{Name: c.Name, DataType: "varchar"}
	}
	defer b.cleanup(ctx, a.DropSQL(tmpRel, relation.Table))
	if _, err := b.exec(ctx, a.CreateTempTableSQL(tmp, staging)); err != nil {
		return b.result("", err)
	}
	b.stmts = append(b.stmts, fmt.Sprintf("-- %d rows appended to %s through the duckdb appender", len(req.Rows), a.RenderRelation(tmpRel)))
	if err := b.appendRows(ctx, tmpRel, len(cols), req.Rows); err != nil {
		return b.result("", fmt.Errorf("%s: load %d rows: %w", req.Label, len(req.Rows), err))
	}
	err = b.inTx(ctx, func() error {
		if existing == relation.View {
			if _, err := b.exec(ctx, a.DropSQL(rel, relation.View)); err != nil {
				return err
			}
		}
		if _, err := b.exec(ctx, a.CreateTableAsSQL(rel, a.SeedSelectSQL(tmpRel, cols), existing == relation.Table)); err != nil {
			return err
		}
		_, err := b.exec(ctx, a.DropSQL(tmpRel, relation.Table))
		return err
	})
	b.rows = int64(len(req.Rows))
	return b.result(fmt.Sprintf("INSERT %d", len(req.Rows)), err)
}

func (b *build) appendRows(ctx context.Context, tmp relation.Relation, width int, rows [][]string) error {
	return rawConn(b.conn, func(dc driver.Conn) error {
		app, err := duckdb.NewAppender(dc, tmp.Database, tmp.Schema, tmp.Identifier)
		if err != nil {
			return mapError(err)
		}
		vals := make([]driver.Value, width)
		for i, row := range rows {
			if i%4096 == 0 && ctx.Err() != nil {
				_ = app.Close()
				return ctx.Err()
			}
			for j := range vals {
				vals[j] = nil
				if j < len(row) && row[j] != "" {
					vals[j] = row[j]
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				_ = app.Close()
				return mapError(err)
			}
		}
		return mapError(app.Close())
	})
}

// withRetry runs f again (up to 5 times, with a short growing pause) while it
// fails with a DuckDB transaction conflict: concurrent catalog changes in one
// schema can conflict although they touch different tables.
func (a *Adapter) withRetry(ctx context.Context, f func() error) error {
	var err error
	for attempt := range 5 {
		if err = f(); err == nil || !isConflict(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}
