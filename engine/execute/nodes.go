package execute

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/datatest"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/result"
)

// sampleRows is how many failing rows a failed test shows.
const sampleRows = 5

func (x *executor) runSeed(ctx context.Context, n *manifest.Node, r *result.NodeResult) ([]string, error) {
	path := n.FilePath
	if path == "" {
		path = n.OriginalFilePath
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(x.o.ProjectDir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open seed: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	if d := n.Config.Delimiter; d != "" {
		cr.Comma = []rune(d)[0]
	}
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: the CSV is empty; a seed needs a header row", n.OriginalFilePath)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.OriginalFilePath, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.OriginalFilePath, err)
	}
	if err := x.ensureSchema(ctx, n.Relation); err != nil {
		return nil, err
	}
	res, err := x.o.Warehouse.LoadSeed(ctx, materialize.SeedRequest{
		Relation: n.Relation, Header: header, Rows: rows, ColumnTypes: n.Config.ColumnTypes, QuoteColumns: n.Config.QuoteColumns, Label: n.UniqueID,
	})
	if err != nil {
		return res.Statements, err
	}
	x.warn(n, res)
	setResponse(r, res)
	if res.Message == "" {
		r.Message = "INSERT " + strconv.Itoa(len(rows))
	}
	r.Status = result.Success
	return res.Statements, nil
}

// runTest counts a test's failing rows, decides pass/warn/fail from its config,
// fetches a few failing rows to show, and stores failures when asked.
// It returns the count query, which target/run keeps for the test as dbt
// keeps its tests' statements.
func (x *executor) runTest(ctx context.Context, n *manifest.Node, r *result.NodeResult) ([]string, error) {
	limit := 0
	if n.Config.Limit != nil {
		limit = *n.Config.Limit
	}
	count := datatest.CountSQL(n.CompiledCode, limit, n.Config.FailCalc)
	stmts := []string{count}
	t, err := x.o.Warehouse.Query(ctx, count, 1)
	if err != nil {
		// Only a failed test pays for reading its model's columns: a catalog
		// read per test made large builds quadratic on DuckDB, whose
		// duckdb_columns() lists every column of every relation.
		if ctx.Err() == nil {
			if cerr := x.checkTestedColumn(ctx, n); cerr != nil {
				return stmts, cerr
			}
		}
		return stmts, err
	}
	failures, err := firstInt(t)
	if err != nil {
		return stmts, fmt.Errorf("count failing rows: %w", err)
	}
	r.Failures = &failures
	status, err := datatest.Outcome(n.Config.Severity, n.Config.WarnIf, n.Config.ErrorIf, failures)
	if err != nil {
		return stmts, fmt.Errorf("%s: %w", n.OriginalFilePath, err)
	}
	cond := condition(n, status)
	if status == result.Warn && x.o.WarnError {
		status = result.Fail // --warn-error: "configured to fail if <warn_if>", as dbt says
	}
	r.Status = status
	switch {
	case status == result.Pass:
		r.Message = "PASS"
	case failures == 1:
		r.Message = "Got 1 result, configured to " + statusWord(status) + " if " + cond
	default:
		r.Message = fmt.Sprintf("Got %d results, configured to %s if %s", failures, statusWord(status), cond)
	}
	if failures > 0 {
		if s, err := x.o.Warehouse.Query(ctx, datatest.SampleSQL(n.CompiledCode, sampleRows), sampleRows); err == nil {
			r.SampleRows = &result.SampleRows{Columns: s.Columns, Rows: s.Rows}
		}
	}
	if n.Config.StoreFailures || x.o.StoreFailures {
		// dbt's audit schema: the test's custom schema dbt_test__audit.
		rel := relation.Relation{Database: n.Relation.Database, Schema: x.o.TargetSchema + "_dbt_test__audit", Identifier: truncateIdent(n.Name, 63)}
		if rel.Database == "" && n.AttachedNode != "" {
			if a := x.node(n.AttachedNode); a != nil {
				rel.Database = a.Relation.Database
			}
		}
		if err := x.ensureSchema(ctx, rel); err != nil {
			return stmts, err
		}
		if _, err := x.o.Warehouse.Materialize(ctx, materialize.Request{Relation: rel, Materialized: "table", SQL: n.CompiledCode, Label: n.UniqueID}); err != nil {
			return stmts, fmt.Errorf("store failures in %s: %w", rel, err)
		}
		r.RelationName = x.o.Warehouse.RenderRelation(rel)
	}
	return stmts, nil
}

func statusWord(s result.Status) string {
	if s == result.Pass {
		return "pass"
	}
	if s == result.Warn {
		return "warn"
	}
	return "error"
}

// condition is the threshold that produced status: warn_if for a warning
// (whatever the severity), error_if for a failure.
func condition(n *manifest.Node, status result.Status) string {
	if status == result.Warn {
		return orDefault(n.Config.WarnIf, "!=0")
	}
	return orDefault(n.Config.ErrorIf, "!=0")
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// checkTestedColumn turns "column does not exist" into a message naming the
// model, the column and the YAML file, instead of the database's raw error.
func (x *executor) checkTestedColumn(ctx context.Context, n *manifest.Node) error {
	if n.ColumnName == "" || n.AttachedNode == "" {
		return nil
	}
	parent := x.node(n.AttachedNode)
	if parent == nil || parent.Relation.Identifier == "" {
		return nil
	}
	key := parent.Relation.String()
	x.colMu.Lock()
	cols, ok := x.columns[key]
	x.colMu.Unlock()
	if !ok {
		var err error
		cols, err = x.o.Warehouse.Columns(ctx, parent.Relation)
		if err != nil {
			return nil // let the test itself report what the database says
		}
		x.colMu.Lock()
		x.columns[key] = cols
		x.colMu.Unlock()
	}
	if len(cols) == 0 {
		return nil
	}
	want := strings.Trim(n.ColumnName, "\"`")
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		if strings.EqualFold(c.Name, want) {
			return nil
		}
	}
	where := n.OriginalFilePath
	if n.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, n.Line)
	}
	return fmt.Errorf("%s: test %s is on column %q, which %s %s does not have (its columns: %s); fix the column name in %s",
		where, n.Name, want, parent.ResourceType, parent.Name, strings.Join(names, ", "), n.OriginalFilePath)
}

func (x *executor) runSnapshot(ctx context.Context, n *manifest.Node, r *result.NodeResult) ([]string, error) {
	if err := x.ensureSchema(ctx, n.Relation); err != nil {
		return nil, err
	}
	res, err := x.o.Warehouse.Snapshot(ctx, snapshotRequest(n))
	if err != nil {
		return res.Statements, err
	}
	setResponse(r, res)
	r.Status = result.Success
	return res.Statements, nil
}

func firstInt(t *adapter.Table) (int64, error) {
	if t == nil || len(t.Rows) == 0 || len(t.Rows[0]) == 0 {
		return 0, errors.New("the count query returned no rows")
	}
	switch v := t.Rows[0][0].(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case int:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	case float64:
		return int64(v), nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	case []byte:
		return strconv.ParseInt(string(v), 10, 64)
	case fmt.Stringer:
		return strconv.ParseInt(v.String(), 10, 64)
	case nil:
		return 0, nil
	}
	return strconv.ParseInt(fmt.Sprint(t.Rows[0][0]), 10, 64)
}

func truncateIdent(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func snapshotRequest(n *manifest.Node) materialize.SnapshotRequest {
	return materialize.SnapshotRequest{
		Relation:    n.Relation,
		SQL:         n.CompiledCode,
		UniqueKey:   n.Config.UniqueKey,
		Strategy:    n.Config.Strategy,
		UpdatedAt:   n.Config.UpdatedAt,
		CheckCols:   n.Config.CheckCols,
		HardDeletes: n.Config.HardDeletes,
		Label:       n.UniqueID,
	}
}

// runCustom builds a model through the project's {% materialization %} block.
func (x *executor) runCustom(ctx context.Context, n *manifest.Node, r *result.NodeResult) ([]string, error) {
	if err := x.ensureSchema(ctx, n.Relation); err != nil {
		return nil, err
	}
	res, err := x.o.Renderer.Materialize(ctx, n.UniqueID)
	if err != nil {
		return res.Statements, err
	}
	r.Message = res.Message
	r.AdapterResponse.Message = res.Message
	r.Status = result.Success
	return res.Statements, nil
}
