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

// runUnitTest runs a unit test: the model's SQL (compiled with its inputs
// read from CTEs) over fixture rows, compared with the rows the test
// expects. It runs on UnitWarehouse when set (the embedded DuckDB), else on
// the target, where inputs that declare no column types take them from the
// relations already built, as dbt does.
func (x *executor) runUnitTest(ctx context.Context, n *manifest.Node, r *result.NodeResult) (stmts []string, err error) {
	def := n.UnitTest
	if def == nil || !n.Compiled || strings.TrimSpace(n.CompiledCode) == "" {
		return stmts, fmt.Errorf("%s: unit test %s did not compile", n.OriginalFilePath, n.Name)
	}
	wh, onTarget := x.o.UnitWarehouse, false
	if wh == nil {
		wh, onTarget = x.o.Warehouse, true
	}
	if wh == nil {
		return stmts, errors.New("no warehouse to run unit tests on")
	}
	d := wh.Dialect()
	ctes := make([]string, 0, len(def.Given))
	for _, in := range def.Given {
		sql := in.SQL
		if in.Format != "sql" {
			cols, err := x.fixtureColumns(ctx, wh, onTarget, in)
			if err != nil {
				return stmts, fmt.Errorf("%s: unit test %s, input %s: %w", n.OriginalFilePath, n.Name, inputName(in), err)
			}
			if sql, err = datatest.FixtureSQL(d, cols, in.Rows); err != nil {
				return stmts, fmt.Errorf("%s: unit test %s, input %s: %w", n.OriginalFilePath, n.Name, inputName(in), err)
			}
		}
		ctes = append(ctes, in.CTE+" as (\n"+sql+"\n)")
	}
	actualSQL := "select * from (\n" + n.CompiledCode + "\n) as __strata_unit_actual"
	if len(ctes) > 0 {
		actualSQL = "with " + strings.Join(ctes, ",\n") + "\n" + actualSQL
	}
	r.CompiledCode = actualSQL
	stmts = append(stmts, actualSQL)
	actual, err := wh.Query(ctx, actualSQL, 0)
	if err != nil {
		return stmts, fmt.Errorf("%s: unit test %s: the model's SQL failed on the test's rows: %w", n.OriginalFilePath, n.Name, err)
	}
	exp := def.Expect
	var expected *adapter.Table
	var columns []string
	if exp.Format == "sql" {
		stmts = append(stmts, exp.SQL)
		if expected, err = wh.Query(ctx, exp.SQL, 0); err != nil {
			return stmts, fmt.Errorf("%s: unit test %s: the expected rows' query failed: %w", n.OriginalFilePath, n.Name, err)
		}
		columns = expected.Columns
	} else {
		columns = exp.Columns
		if len(columns) == 0 {
			// rows: [] expects no rows at all.
			columns = actual.Columns
		}
	}
	idx := make([]int, len(columns))
	for i, c := range columns {
		idx[i] = -1
		for j, a := range actual.Columns {
			if strings.EqualFold(a, c) {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			return stmts, fmt.Errorf("%s: unit test %s expects a column %q, which model %s does not return (it returns %s)",
				n.OriginalFilePath, n.Name, c, def.Model, strings.Join(actual.Columns, ", "))
		}
	}
	if expected == nil {
		cols := make([]datatest.UnitColumn, len(columns))
		for i := range columns {
			cols[i] = datatest.UnitColumn{Name: actual.Columns[idx[i]], Type: castable(actual, idx[i])}
		}
		rows := exp.Rows
		if len(rows) > 0 {
			// Expected values take the model's column types, so they compare
			// as the warehouse prints them.
			sql, err := datatest.FixtureSQL(d, cols, rows)
			if err != nil {
				return stmts, fmt.Errorf("%s: unit test %s: %w", n.OriginalFilePath, n.Name, err)
			}
			stmts = append(stmts, sql)
			if expected, err = wh.Query(ctx, sql, 0); err != nil {
				return stmts, fmt.Errorf("%s: unit test %s: the expected rows do not fit the model's column types: %w", n.OriginalFilePath, n.Name, err)
			}
		} else {
			expected = &adapter.Table{Rows: [][]any{}}
		}
	}
	actualRows := make([][]any, len(actual.Rows))
	for i, row := range actual.Rows {
		out := make([]any, len(idx))
		for j, k := range idx {
			out[j] = row[k]
		}
		actualRows[i] = out
	}
	// Numbers compare by value: PostgreSQL's numeric keeps the scale of
	// each value (1000 and 1000.00 are one number).
	for i := range columns {
		if !numericType(castable(actual, idx[i])) {
			continue
		}
		for _, rows := range [][][]any{expected.Rows, actualRows} {
			for _, row := range rows {
				if i < len(row) {
					row[i] = canonicalNumber(row[i])
				}
			}
		}
	}
	failures, diff := datatest.UnitDiff(columns, expected.Rows, actualRows)
	r.Failures = &failures
	if failures == 0 {
		r.Status, r.Message = result.Pass, "PASS"
		return stmts, nil
	}
	r.Status = result.Fail
	r.Message = fmt.Sprintf("actual differs from expected (the model returned %d rows, %d expected):\n\n%s",
		len(actualRows), len(expected.Rows), strings.TrimRight(diff, "\n"))
	return stmts, nil
}

// numericType reports a decimal type (DuckDB DECIMAL, PostgreSQL numeric,
// Snowflake NUMBER).
func numericType(t string) bool {
	t = strings.ToUpper(t)
	return strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC") || strings.HasPrefix(t, "NUMBER") || strings.HasPrefix(t, "FIXED")
}

// canonicalNumber writes a decimal without trailing zeros after its point.
func canonicalNumber(v any) any {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(datatest.ValueText(v))
	if _, err := strconv.ParseFloat(s, 64); err != nil || strings.ContainsAny(s, "eE") {
		return v
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" || s == "" {
		s = "0"
	}
	return s
}

func inputName(in manifest.UnitInput) string {
	if in.Input != "" {
		return in.Input
	}
	return in.NodeID + " (not given: empty)"
}

// castable is a result column's type, when it is one a CAST can name.
func castable(t *adapter.Table, i int) string {
	if i >= len(t.Types) {
		return ""
	}
	typ := strings.TrimSpace(t.Types[i])
	switch strings.ToUpper(typ) {
	case "", "UNKNOWN", "NULL", "INVALID":
		return ""
	}
	return typ
}

// fixtureColumns decides an input's columns and their types: on the target
// the relation's own columns when it exists (dbt's way); the types its
// properties declare (data_type, a seed's column_types); a seed's CSV
// header, typed as the seed loads; and any other column a row gives, typed
// from its values. An input with no rows and no known columns cannot be
// built.
func (x *executor) fixtureColumns(ctx context.Context, wh *materialize.Warehouse, onTarget bool, in manifest.UnitInput) ([]datatest.UnitColumn, error) {
	var cols []datatest.UnitColumn
	index := map[string]int{}
	add := func(name, typ string) {
		key := strings.ToLower(name)
		if i, ok := index[key]; ok {
			if cols[i].Type == "" {
				cols[i].Type = typ
			}
			return
		}
		index[key] = len(cols)
		cols = append(cols, datatest.UnitColumn{Name: name, Type: typ})
	}
	if onTarget && in.Relation.Identifier != "" {
		if kind, err := wh.RelationKind(ctx, in.Relation); err == nil && kind != relation.None {
			if built, err := wh.Columns(ctx, in.Relation); err == nil {
				for _, c := range built {
					add(c.Name, c.DataType)
				}
			}
		}
	}
	for _, c := range in.Known {
		add(c.Name, c.DataType)
	}
	if in.SeedFile != "" {
		if header, rows, err := x.readSeed(in.SeedFile); err == nil {
			overrides := map[string]string{}
			for _, c := range in.Known {
				if c.DataType != "" {
					overrides[c.Name] = c.DataType
				}
			}
			for _, c := range materialize.InferSeedColumns(header, rows, overrides) {
				typ := c.Override
				if typ == "" {
					typ = wh.Dialect().SeedType(c)
				}
				add(c.Name, typ)
			}
		}
	}
	// Columns only the rows name, typed from their values.
	var extra []string
	for _, name := range in.Columns {
		if _, ok := index[strings.ToLower(name)]; !ok {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		text := make([][]string, len(in.Rows))
		for i, row := range in.Rows {
			text[i] = make([]string, len(extra))
			for j, name := range extra {
				text[i][j] = valueText(lookup(row, name))
			}
		}
		for _, c := range materialize.InferSeedColumns(extra, text, nil) {
			add(c.Name, wh.Dialect().SeedType(c))
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("strata cannot tell its columns: give it with at least one row, or declare its columns (with data_type) in its properties")
	}
	return cols, nil
}

func lookup(row map[string]any, name string) any {
	if v, ok := row[name]; ok {
		return v
	}
	for k, v := range row {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// valueText is a YAML value as seed type inference reads it ("" is null).
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// readSeed reads a seed's CSV (path relative to the root project).
func (x *executor) readSeed(path string) ([]string, [][]string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(x.o.ProjectDir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, rec)
	}
	return header, rows, nil
}

// contractOf is a model's enforced contract for the materialization: its
// columns in the order its properties list them, and its constraints.
func contractOf(n *manifest.Node) *materialize.Contract {
	if n.Contract == nil || !n.Contract.Enforced || len(n.ColumnOrder) == 0 {
		return nil
	}
	c := &materialize.Contract{}
	for _, name := range n.ColumnOrder {
		col := n.Columns[name]
		if col == nil {
			continue
		}
		cc := materialize.ContractColumn{Name: col.Name, DataType: col.DataType}
		for _, k := range col.Constraints {
			cc.Constraints = append(cc.Constraints, constraintOf(k))
		}
		c.Columns = append(c.Columns, cc)
	}
	for _, k := range n.Constraints {
		c.Constraints = append(c.Constraints, constraintOf(k))
	}
	return c
}

func constraintOf(k manifest.Constraint) materialize.Constraint {
	return materialize.Constraint{Type: k.Type, Name: k.Name, Expression: k.Expression, Columns: k.Columns, To: k.ToRelation,
		ToColumns: k.ToColumns, WarnUnenforced: k.WarnUnenforced, WarnUnsupported: k.WarnUnsupported}
}

// displayName is how the console names a node: a unit test as
// model::test, as dbt prints it, a model version as model.v2.
func displayName(n *manifest.Node) string {
	if n.ResourceType == manifest.UnitTest && n.UnitTest != nil {
		return n.UnitTest.Model + "::" + n.Name
	}
	if n.Version != "" {
		return n.Name + ".v" + string(n.Version)
	}
	return n.Name
}
