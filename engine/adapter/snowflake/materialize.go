package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// run is one build on one pinned session (temporary tables are
// session-scoped, and a transaction must stay on its connection), recording
// every statement it executes.
type run struct {
	conn  *sql.Conn
	label string
	res   adapter.Result
}

func (a *Adapter) newRun(ctx context.Context, label string) (*run, error) {
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, sqlError("", err))
	}
	return &run{conn: conn, label: label, res: adapter.Result{RowsAffected: -1}}, nil
}

func (r *run) exec(ctx context.Context, stmt string, args ...any) (int64, error) {
	r.res.Statements = append(r.res.Statements, stmt)
	res, err := r.conn.ExecContext(ctx, stmt, args...)
	if err != nil {
		return -1, sqlError(r.label, err)
	}
	return affected(res), nil
}

// execQuiet runs stmt without recording it (seed batches are recorded once).
func (r *run) execQuiet(ctx context.Context, stmt string, args ...any) (int64, error) {
	res, err := r.conn.ExecContext(ctx, stmt, args...)
	if err != nil {
		return -1, sqlError(r.label, err)
	}
	return affected(res), nil
}

func labelOf(label string, rel relation.Relation) string {
	if label != "" {
		return label
	}
	return rel.String()
}

// Materialize builds a model as a view, table or incremental table.
//
// view: create or replace view (atomic). table: create or replace [transient]
// table … as (atomic: readers see the old table until the new one is
// complete). A relation of the other kind is dropped first: Snowflake cannot
// replace a table by a view (or back) in one statement, so that change (rare)
// leaves a moment without the relation, as in dbt-snowflake.
//
// incremental: the new rows go to a temporary table, then merge (one atomic
// statement), delete+insert (BEGIN; DELETE; INSERT; COMMIT: DML is
// transactional on Snowflake) or append (one INSERT). Schema changes are DDL,
// which Snowflake commits at once, so they run before the transaction.
func (a *Adapter) Materialize(ctx context.Context, req adapter.MaterializeRequest) (adapter.Result, error) {
	label := labelOf(req.Label, req.Relation)
	switch req.Materialized {
	case "view", "table", "incremental":
	default:
		return adapter.Result{RowsAffected: -1}, fmt.Errorf("%s: unknown materialization %q: use view, table or incremental", label, req.Materialized)
	}
	var strategy, onChange string
	if req.Materialized == "incremental" {
		var err error
		if strategy, err = adapter.ResolveStrategy(a.Dialect, req); err != nil {
			return adapter.Result{RowsAffected: -1}, err
		}
		if onChange, err = adapter.ValidSchemaChange(req); err != nil {
			return adapter.Result{RowsAffected: -1}, err
		}
	}
	r, err := a.newRun(ctx, label)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer r.conn.Close()
	existing, err := relationKind(ctx, r.conn, req.Relation)
	if err != nil {
		return r.res, fmt.Errorf("%s: %w", label, err)
	}
	switch {
	case req.Materialized == "view":
		err = a.buildView(ctx, r, req, existing)
	case req.Materialized == "table" || existing != relation.Table || req.FullRefresh:
		err = a.buildTable(ctx, r, req, existing)
	default:
		err = a.applyIncremental(ctx, r, req, strategy, onChange)
	}
	return r.res, err
}

func (a *Adapter) buildView(ctx context.Context, r *run, req adapter.MaterializeRequest, existing relation.Kind) error {
	if existing == relation.Table {
		return a.replaceKind(ctx, r, req.Relation, relation.Table, relation.View,
			func(tmp relation.Relation) string { return a.CreateViewSQL(tmp, req.SQL) }, "CREATE VIEW")
	}
	if _, err := r.exec(ctx, a.CreateViewSQL(req.Relation, req.SQL)); err != nil {
		return err
	}
	r.res.Message = "CREATE VIEW"
	return nil
}

func (a *Adapter) buildTable(ctx context.Context, r *run, req adapter.MaterializeRequest, existing relation.Kind) error {
	if existing == relation.View {
		return a.replaceKind(ctx, r, req.Relation, relation.View, relation.Table,
			func(tmp relation.Relation) string { return a.CreateTableAsSQL(tmp, req.SQL, req.Transient) }, "CREATE TABLE")
	}
	if _, err := r.exec(ctx, a.CreateTableAsSQL(req.Relation, req.SQL, req.Transient)); err != nil {
		return err
	}
	r.res.Message = "CREATE TABLE"
	return nil
}

// replaceKind turns a view into a table or back. Snowflake has no single
// statement for that, so the new relation is built under a temporary name
// first (a broken model fails there and the old relation stays), then the old
// one is dropped and the new one renamed into place: only that last step
// leaves a moment without the relation.
func (a *Adapter) replaceKind(ctx context.Context, r *run, rel relation.Relation, from, to relation.Kind,
	create func(tmp relation.Relation) string, message string) (err error) {
	tmp := rel.WithIdentifier(a.NormalizeIdent(adapter.TempIdentifier(rel.Identifier, 255)))
	live := false
	defer func() {
		if !live {
			return
		}
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, derr := r.exec(cctx, a.DropSQL(tmp, to)); derr != nil && err == nil {
			err = derr
		}
	}()
	if _, err := r.exec(ctx, create(tmp)); err != nil {
		return err
	}
	live = true
	if _, err := r.exec(ctx, a.DropSQL(rel, from)); err != nil {
		return err
	}
	if _, err := r.exec(ctx, a.RenameSQL(tmp, rel, to)); err != nil {
		return err
	}
	live = false
	r.res.Message = message
	return nil
}

func (a *Adapter) applyIncremental(ctx context.Context, r *run, req adapter.MaterializeRequest, strategy, onChange string) (err error) {
	tmp := req.Relation.WithIdentifier(a.NormalizeIdent(adapter.TempIdentifier(req.Relation.Identifier, 255)))
	body := req.IncrementalSQL
	if body == "" {
		body = req.SQL
	}
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, derr := r.exec(cctx, a.DropSQL(tmp, relation.Table)); derr != nil && err == nil {
			err = derr
		}
	}()
	if _, err := r.exec(ctx, a.CreateTempTableAsSQL(tmp, body)); err != nil {
		return err
	}
	incoming, err := columns(ctx, r.conn, tmp)
	if err != nil {
		return sqlError(r.label, err)
	}
	existing, err := columns(ctx, r.conn, req.Relation)
	if err != nil {
		return sqlError(r.label, err)
	}
	sc := adapter.DiffColumns(existing, incoming)
	cols := sc.Common
	if sc.Changed() {
		switch onChange {
		case "fail":
			return adapter.SchemaChangeError(req, sc)
		case "append_new_columns":
			for _, stmt := range a.AddColumnsSQL(req.Relation, sc.Added) {
				if _, err := r.exec(ctx, stmt); err != nil {
					return err
				}
			}
			cols = append(cols, sc.Added...)
		}
	}
	keys, err := resolveKeys(req, existing)
	if err != nil {
		return err
	}
	switch strategy {
	case "append":
		n, err := r.exec(ctx, a.AppendSQL(req.Relation, tmp, cols))
		if err != nil {
			return err
		}
		r.res.RowsAffected, r.res.Message = n, fmt.Sprintf("INSERT %d", n)
	case "merge":
		n, err := r.exec(ctx, a.MergeSQL(req.Relation, tmp, keys, cols))
		if err != nil {
			return err
		}
		r.res.RowsAffected, r.res.Message = n, fmt.Sprintf("MERGE %d", n)
	case "delete+insert":
		if _, err := r.exec(ctx, "begin"); err != nil {
			return err
		}
		var total int64
		for _, stmt := range a.DeleteInsertSQL(req.Relation, tmp, keys, cols) {
			n, err := r.exec(ctx, stmt)
			if err != nil {
				cctx, cancel := cleanupContext(ctx)
				_, _ = r.exec(cctx, "rollback")
				cancel()
				return err
			}
			total = n // rows inserted, the figure dbt reports
		}
		if _, err := r.exec(ctx, "commit"); err != nil {
			return err
		}
		r.res.RowsAffected, r.res.Message = total, fmt.Sprintf("INSERT %d", total)
	}
	return nil
}

// resolveKeys matches unique_key names to the table's real column names: an
// exact match first, else case-insensitively (unique_key: loan_id finds the
// folded column LOAN_ID).
func resolveKeys(req adapter.MaterializeRequest, cols []adapter.Column) ([]string, error) {
	keys := make([]string, len(req.UniqueKey))
	for i, k := range req.UniqueKey {
		k = strings.TrimSpace(k)
		found := ""
		for _, c := range cols {
			if c.Name == k {
				found = c.Name
				break
			}
		}
		if found == "" {
			for _, c := range cols {
				if strings.EqualFold(c.Name, k) {
					found = c.Name
					break
				}
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s: unique_key column %q is not a column of %s", labelOf(req.Label, req.Relation), k, req.Relation)
		}
		keys[i] = found
	}
	return keys, nil
}

// seedBatchCells bounds the bound parameters of one INSERT.
const (
	seedBatchRows  = 1000
	seedBatchCells = 16000
)

// LoadSeed loads a seed through a transient staging table filled by batched
// multi-row INSERTs with bound parameters, then swaps it in atomically
// (ALTER TABLE … SWAP WITH) when the table exists, or renames it into place.
// Views on the seed keep working: they refer to it by name.
func (a *Adapter) LoadSeed(ctx context.Context, req adapter.SeedRequest) (res adapter.Result, err error) {
	label := labelOf(req.Label, req.Relation)
	cols := adapter.InferSeedColumns(req.Header, req.Rows, req.ColumnTypes)
	r, err := a.newRun(ctx, label)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer r.conn.Close()
	existing, err := relationKind(ctx, r.conn, req.Relation)
	if err != nil {
		return r.res, fmt.Errorf("%s: %w", label, err)
	}
	staging := req.Relation.WithIdentifier(a.NormalizeIdent(adapter.TempIdentifier(req.Relation.Identifier, 255)))
	stagingLive := false
	defer func() {
		if !stagingLive {
			return
		}
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if _, derr := r.exec(cctx, a.DropSQL(staging, relation.Table)); derr != nil && err == nil {
			err = derr
		}
	}()
	if _, err := r.exec(ctx, a.SeedCreateSQL(staging, cols)); err != nil {
		return r.res, err
	}
	stagingLive = true
	perBatch := max(1, min(seedBatchRows, seedBatchCells/max(1, len(cols))))
	var loaded int64
	for start := 0; start < len(req.Rows); start += perBatch {
		batch := req.Rows[start:min(start+perBatch, len(req.Rows))]
		stmt := a.SeedInsertSQL(staging, cols, len(batch))
		args := make([]any, 0, len(batch)*len(cols))
		for _, row := range batch {
			for i := range cols {
				if i < len(row) && row[i] != "" {
					args = append(args, row[i])
				} else {
					args = append(args, nil)
				}
			}
		}
		if start == 0 {
			r.res.Statements = append(r.res.Statements, fmt.Sprintf("%s\n-- %d batch(es) of up to %d rows, values bound", stmt, (len(req.Rows)+perBatch-1)/perBatch, perBatch))
		}
		if _, err := r.execQuiet(ctx, stmt, args...); err != nil {
			return r.res, err
		}
		loaded += int64(len(batch))
	}
	switch existing {
	case relation.Table:
		if _, err := r.exec(ctx, a.SwapSQL(req.Relation, staging)); err != nil {
			return r.res, err
		}
		// staging now holds the old rows; the deferred drop removes them.
	case relation.View:
		if _, err := r.exec(ctx, a.DropSQL(req.Relation, relation.View)); err != nil {
			return r.res, err
		}
		fallthrough
	default:
		if _, err := r.exec(ctx, a.RenameSQL(staging, req.Relation, relation.Table)); err != nil {
			return r.res, err
		}
		stagingLive = false
	}
	r.res.RowsAffected, r.res.Message = loaded, fmt.Sprintf("INSERT %d", loaded)
	return r.res, nil
}
