// Package duckdbsql reads DuckDB SQL for column lineage with DuckDB's own
// parser: json_serialize_sql returns the parse tree as JSON, which is reduced
// to lineage's Query model. It opens a private in-memory database (nothing is
// read or written on disk), so any DuckDB SQL parses, whichever warehouse
// the project targets.
//
// A Parser is safe for concurrent use.
package duckdbsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	// The DuckDB driver is linked in by the duckdb adapter already; this
	// package needs only its parser.
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/lineage/internal/jsontree"
)

// serializeExpr serializes column s without nulls, empty lists and default
// values: a third smaller to decode, and nothing lineage reads is dropped
// (absent fields read as their zero value).
const serializeExpr = "cast(json_serialize_sql(s, skip_null := true, skip_empty := true, skip_default := true) as varchar)"

// serializeQuery1 serializes one statement given as $1.
const serializeQuery1 = "select " + serializeExpr + " from (select $1::varchar as s)"

// Parser reads DuckDB SQL.
type Parser struct {
	db *sql.DB
}

// Open starts an in-memory DuckDB for parsing; conns bounds the parses run
// at once. Close it when done.
func Open(conns int) (*Parser, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb for parsing: %w", err)
	}
	if conns < 1 {
		conns = 1
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return &Parser{db: db}, nil
}

// Close releases the in-memory database.
func (p *Parser) Close() error { return p.db.Close() }

// Name names the parser in lineage metadata.
func (p *Parser) Name() string { return "duckdb json_serialize_sql" }

// Parse reads each statement with one query per batch: a VALUES list of the
// statements as parameters, each serialized on its own row (a statement that
// does not parse yields an error object on its row, not a failed query).
func (p *Parser) Parse(ctx context.Context, sqls []string) ([]*lineage.Query, []error) {
	qs := make([]*lineage.Query, len(sqls))
	errs := make([]error, len(sqls))
	var b strings.Builder
	b.WriteString("select i, " + serializeExpr + " from (values ")
	args := make([]any, 0, 2*len(sqls))
	for i, s := range sqls {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, $%d::varchar)", i, i+1)
		args = append(args, s)
	}
	b.WriteString(") t(i, s) order by i")
	rows, err := p.db.QueryContext(ctx, b.String(), args...)
	if err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("duckdb parser: %w", err)
		}
		return qs, errs
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var i int
		var js string
		if err := rows.Scan(&i, &js); err != nil {
			errs[seen] = fmt.Errorf("duckdb parser: %w", err)
			continue
		}
		if i >= 0 && i < len(sqls) {
			qs[i], errs[i] = Decode(js)
			seen++
		}
	}
	if err := rows.Err(); err != nil {
		for i := range errs {
			if qs[i] == nil && errs[i] == nil {
				errs[i] = fmt.Errorf("duckdb parser: %w", err)
			}
		}
	}
	return qs, errs
}

// Decode reduces one json_serialize_sql result to a Query: the last SELECT
// of the statements (a model is one SELECT; DuckDB refuses to serialize
// anything else).
func Decode(js string) (*lineage.Query, error) {
	doc, err := jsontree.Parse(js)
	if err != nil {
		return nil, fmt.Errorf("read the parse tree: %w", err)
	}
	if doc.Get("error").True() {
		return nil, errors.New(oneLine(doc.Get("error_message").Text()))
	}
	sts := doc.Get("statements").List()
	if len(sts) == 0 {
		return nil, errors.New("no SELECT statement")
	}
	c := &conv{}
	q := c.node(sts[len(sts)-1].Get("node"))
	if c.err != nil {
		return nil, c.err
	}
	return q, nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// conv converts DuckDB's parse tree.
type conv struct {
	err error
	// lambda parameters in scope, which look like column references
	params []map[string]bool
}

// node converts a QueryNode: SELECT_NODE, SET_OPERATION_NODE,
// RECURSIVE_CTE_NODE or CTE_NODE.
func (c *conv) node(m *jsontree.Value) *lineage.Query {
	if m == nil {
		return &lineage.Query{}
	}
	var q *lineage.Query
	switch t := m.Get("type").Text(); t {
	case "SELECT_NODE":
		q = &lineage.Query{}
		for _, it := range m.Get("select_list").List() {
			q.Items = append(q.Items, c.item(it))
		}
		if f := c.from(m.Get("from_table")); f != nil {
			q.From = []*lineage.From{f}
		}
	case "SET_OPERATION_NODE":
		op := m.Get("setop_type").Text()
		if op == "" {
			op = "UNION" // the default, left out by skip_default
		}
		q = &lineage.Query{Op: strings.ToLower(strings.ReplaceAll(op, "_", " ")), ByName: strings.Contains(op, "BY_NAME")}
		if m.Get("setop_all").True() {
			q.Op += " all"
		}
		children := m.Get("children").List()
		if len(children) == 0 {
			children = []*jsontree.Value{m.Get("left"), m.Get("right")}
		}
		for _, ch := range children {
			q.Branches = append(q.Branches, c.node(ch))
		}
	case "RECURSIVE_CTE_NODE":
		q = &lineage.Query{Op: "union"}
		q.Branches = []*lineage.Query{c.node(m.Get("left")), c.node(m.Get("right"))}
	case "CTE_NODE":
		// A materialized CTE wraps the query; the child repeats the CTE map.
		return c.node(m.Get("child"))
	default:
		c.fail("unsupported query node %s", t)
		return &lineage.Query{}
	}
	for _, entry := range m.Get("cte_map").Get("map").List() {
		v := entry.Get("value")
		inner := v.Get("query").Get("node")
		cte := &lineage.CTE{Name: entry.Get("key").Text(), Columns: v.Get("aliases").Texts(), Query: c.node(inner)}
		cte.Recursive = inner.Get("type").Text() == "RECURSIVE_CTE_NODE"
		q.CTEs = append(q.CTEs, cte)
	}
	return q
}

func (c *conv) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// item converts one select-list entry.
func (c *conv) item(m *jsontree.Value) *lineage.Item {
	it := &lineage.Item{Alias: m.Get("alias").Text()}
	if m.Get("class").Text() == "STAR" {
		s := &lineage.Star{Table: m.Get("relation_name").Text()}
		for _, e := range m.Get("exclude_list").List() {
			switch e.Kind {
			case jsontree.String:
				s.Exclude = append(s.Exclude, e.Str)
			case jsontree.Object: // a qualified exclude: {"column": …}
				if col := e.Get("column").Text(); col != "" {
					s.Exclude = append(s.Exclude, col)
				}
			}
		}
		for _, e := range m.Get("qualified_exclude_list").List() {
			if col := e.Get("column").Text(); col != "" {
				s.Exclude = append(s.Exclude, col)
			}
		}
		for _, r := range m.Get("replace_list").List() {
			s.Replace = append(s.Replace, lineage.Replacement{Name: r.Get("key").Text(), Expr: c.expr(r.Get("value"))})
		}
		for _, r := range m.Get("rename_list").List() {
			s.Rename = append(s.Rename, lineage.StarRename{From: r.Get("key").Get("column").Text(), To: r.Get("value").Text()})
		}
		if m.Get("columns").True() {
			// COLUMNS('regex') keeps matching columns; COLUMNS(*) all; a
			// lambda or list is not followed (every column is kept).
			if e := m.Get("expr"); e.Get("class").Text() == "CONSTANT" {
				s.Pattern = e.Get("value").Get("value").Text()
			}
		}
		it.Star = s
		return it
	}
	it.Expr = c.expr(m)
	return it
}

// expr reduces an expression to the columns it reads.
func (c *conv) expr(m *jsontree.Value) *lineage.Expr {
	if m == nil {
		return nil
	}
	e := &lineage.Expr{}
	if m.Get("class").Text() == "COLUMN_REF" {
		ref := m.Get("column_names").Texts()
		if !c.isParam(ref) {
			e.Ref = ref
			e.Refs = [][]string{ref}
		}
		return e
	}
	c.walk(m, e)
	switch m.Get("class").Text() {
	case "FUNCTION", "WINDOW":
		e.Name = m.Get("function_name").Text()
	case "CAST":
		if ch := m.Get("child"); ch.Get("class").Text() == "COLUMN_REF" {
			if names := ch.Get("column_names").Texts(); len(names) > 0 {
				e.Name = names[len(names)-1]
			}
		}
	}
	return e
}

func (c *conv) isParam(ref []string) bool {
	if len(ref) != 1 {
		return false
	}
	for _, p := range c.params {
		if p[strings.ToLower(ref[0])] {
			return true
		}
	}
	return false
}

// walk collects the column references and subqueries anywhere inside v,
// visiting object members in the order DuckDB writes them.
func (c *conv) walk(v *jsontree.Value, e *lineage.Expr) {
	if v == nil {
		return
	}
	switch v.Kind {
	case jsontree.Array:
		for _, x := range v.Items {
			c.walk(x, e)
		}
	case jsontree.Object:
		switch v.Get("class").Text() {
		case "COLUMN_REF":
			if ref := v.Get("column_names").Texts(); !c.isParam(ref) {
				e.Refs = append(e.Refs, ref)
			}
			return
		case "SUBQUERY":
			e.Subqueries = append(e.Subqueries, c.node(v.Get("subquery").Get("node")))
			c.walk(v.Get("child"), e)
			return
		case "LAMBDA":
			params := map[string]bool{}
			var collect func(*jsontree.Value)
			collect = func(x *jsontree.Value) {
				if x == nil {
					return
				}
				if x.Get("class").Text() == "COLUMN_REF" {
					for _, n := range x.Get("column_names").Texts() {
						params[strings.ToLower(n)] = true
					}
					return
				}
				for _, y := range x.Items {
					collect(y)
				}
				for _, y := range x.Vals {
					collect(y)
				}
			}
			collect(v.Get("lhs"))
			c.params = append(c.params, params)
			c.walk(v.Get("expr"), e)
			c.params = c.params[:len(c.params)-1]
			return
		}
		for i, k := range v.Keys {
			switch k {
			case "class", "type", "alias", "value", "cast_type", "query_location":
				continue
			}
			c.walk(v.Vals[i], e)
		}
	}
}

// from converts a TableRef.
func (c *conv) from(m *jsontree.Value) *lineage.From {
	if m == nil {
		return nil
	}
	f := &lineage.From{Alias: m.Get("alias").Text(), Columns: m.Get("column_name_alias").Texts()}
	switch t := m.Get("type").Text(); t {
	case "EMPTY", "":
		return nil
	case "BASE_TABLE":
		f.Kind = lineage.FromTable
		for _, k := range []string{"catalog_name", "schema_name", "table_name"} {
			if s := m.Get(k).Text(); s != "" {
				f.Name = append(f.Name, s)
			}
		}
	case "JOIN":
		f.Kind = lineage.FromJoin
		f.Left, f.Right = c.from(m.Get("left")), c.from(m.Get("right"))
		f.Using = m.Get("using_columns").Texts()
		f.Natural = m.Get("ref_type").Text() == "NATURAL"
		if f.Left == nil || f.Right == nil {
			if f.Left != nil {
				return f.Left
			}
			return f.Right
		}
	case "SUBQUERY":
		f.Kind = lineage.FromSubquery
		f.Query = c.node(m.Get("subquery").Get("node"))
	case "TABLE_FUNCTION":
		f.Kind = lineage.FromFunction
		f.Args = []*lineage.Expr{c.expr(m.Get("function"))}
	case "EXPRESSION_LIST":
		f.Kind = lineage.FromValues
		if f.Alias == "valueslist" {
			f.Alias = ""
		}
		for _, row := range m.Get("values").List() {
			var r []*lineage.Expr
			for _, x := range row.List() {
				r = append(r, c.expr(x))
			}
			f.Values = append(f.Values, r)
		}
		if len(f.Columns) == 0 && len(f.Values) > 0 {
			for i := range f.Values[0] {
				f.Columns = append(f.Columns, "col"+strconv.Itoa(i))
			}
		}
	case "PIVOT":
		// Every pivoted column may read every column of the source.
		f.Kind = lineage.FromFunction
		if src := c.from(m.Get("source")); src != nil {
			all := &lineage.Query{Items: []*lineage.Item{{Star: &lineage.Star{}}}, From: []*lineage.From{src}}
			f.Args = []*lineage.Expr{{Subqueries: []*lineage.Query{all}}}
		}
	default:
		c.fail("unsupported FROM item %s", t)
		return nil
	}
	return f
}
