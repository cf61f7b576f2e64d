// Package pgsql reads PostgreSQL SQL for column lineage with PostgreSQL's
// own parser (libpg_query through github.com/pganalyze/pg_query_go, which
// compiles the server's grammar in with cgo), reducing its parse tree to
// lineage's Query model.
//
// A Parser holds no state and is safe for concurrent use.
package pgsql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/lineage/internal/jsontree"
)

// Parser reads PostgreSQL SQL.
type Parser struct{}

// Name names the parser in lineage metadata.
func (Parser) Name() string { return "libpg_query (PostgreSQL 17 grammar)" }

// Parse reads each statement.
func (p Parser) Parse(ctx context.Context, sqls []string) ([]*lineage.Query, []error) {
	qs := make([]*lineage.Query, len(sqls))
	errs := make([]error, len(sqls))
	for i, s := range sqls {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		qs[i], errs[i] = ParseOne(s)
	}
	return qs, errs
}

// ParseOne reads one statement: the last SELECT of the text.
func ParseOne(sql string) (*lineage.Query, error) {
	js, err := pg_query.ParseToJSON(sql)
	if err != nil {
		return nil, errors.New(strings.TrimSpace(err.Error()))
	}
	doc, err := jsontree.Parse(js)
	if err != nil {
		return nil, fmt.Errorf("read the parse tree: %w", err)
	}
	stmts := doc.Get("stmts").List()
	for i := len(stmts) - 1; i >= 0; i-- {
		if sel := stmts[i].Get("stmt").Get("SelectStmt"); sel != nil {
			c := &conv{}
			q := c.selectStmt(sel)
			if c.err != nil {
				return nil, c.err
			}
			return q, nil
		}
	}
	return nil, errors.New("no SELECT statement")
}

// names reads a list of String nodes.
func names(v *jsontree.Value) []string {
	var out []string
	for _, x := range v.List() {
		if s := x.Get("String"); s != nil {
			out = append(out, s.Get("sval").Text())
		}
	}
	return out
}

type conv struct{ err error }

func (c *conv) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// selectStmt converts a SelectStmt (unwrapped).
func (c *conv) selectStmt(m *jsontree.Value) *lineage.Query {
	q := &lineage.Query{}
	if w := m.Get("withClause"); w != nil {
		rec := w.Get("recursive").True()
		for _, x := range w.Get("ctes").List() {
			cte := x.Get("CommonTableExpr")
			inner := cte.Get("ctequery").Get("SelectStmt")
			if inner == nil {
				c.fail("CTE %s is not a SELECT", cte.Get("ctename").Text())
				continue
			}
			q.CTEs = append(q.CTEs, &lineage.CTE{Name: cte.Get("ctename").Text(), Columns: names(cte.Get("aliascolnames")), Query: c.selectStmt(inner), Recursive: rec})
		}
	}
	if op := m.Get("op").Text(); op != "" && op != "SETOP_NONE" {
		q.Op = strings.ToLower(strings.TrimPrefix(op, "SETOP_"))
		if m.Get("all").True() {
			q.Op += " all"
		}
		q.Branches = []*lineage.Query{c.selectStmt(m.Get("larg")), c.selectStmt(m.Get("rarg"))}
		return q
	}
	if vl := m.Get("valuesLists").List(); len(vl) > 0 {
		q.Values = c.values(vl)
		return q
	}
	for _, t := range m.Get("targetList").List() {
		q.Items = append(q.Items, c.target(t.Get("ResTarget")))
	}
	for _, f := range m.Get("fromClause").List() {
		if fr := c.from(f); fr != nil {
			q.From = append(q.From, fr)
		}
	}
	return q
}

func (c *conv) values(vl []*jsontree.Value) [][]*lineage.Expr {
	var rows [][]*lineage.Expr
	for _, row := range vl {
		var r []*lineage.Expr
		for _, x := range row.Get("List").Get("items").List() {
			r = append(r, c.expr(x))
		}
		rows = append(rows, r)
	}
	return rows
}

// target converts one ResTarget of a select list.
func (c *conv) target(rt *jsontree.Value) *lineage.Item {
	it := &lineage.Item{Alias: rt.Get("name").Text()}
	if cr := rt.Get("val").Get("ColumnRef"); cr != nil {
		fields := cr.Get("fields").List()
		if len(fields) > 0 && fields[len(fields)-1].Get("A_Star") != nil {
			s := &lineage.Star{}
			qual := &jsontree.Value{Kind: jsontree.Array, Items: fields[:len(fields)-1]}
			if q := names(qual); len(q) > 0 {
				s.Table = q[len(q)-1]
			}
			it.Star = s
			return it
		}
	}
	it.Expr = c.expr(rt.Get("val"))
	return it
}

// expr reduces an expression node (wrapped: {"ColumnRef": {...}}).
func (c *conv) expr(m *jsontree.Value) *lineage.Expr {
	e := &lineage.Expr{}
	if cr := m.Get("ColumnRef"); cr != nil {
		e.Ref = names(cr.Get("fields"))
		e.Refs = [][]string{e.Ref}
		return e
	}
	c.walk(m, e)
	switch {
	case m.Get("FuncCall") != nil:
		if fn := names(m.Get("FuncCall").Get("funcname")); len(fn) > 0 {
			e.Name = fn[len(fn)-1]
		}
	case m.Get("TypeCast") != nil:
		tc := m.Get("TypeCast")
		if cr := tc.Get("arg").Get("ColumnRef"); cr != nil {
			if n := names(cr.Get("fields")); len(n) > 0 {
				e.Name = n[len(n)-1]
			}
		} else if tn := names(tc.Get("typeName").Get("names")); len(tn) > 0 {
			e.Name = tn[len(tn)-1]
		}
	case m.Get("CoalesceExpr") != nil:
		e.Name = "coalesce"
	case m.Get("CaseExpr") != nil:
		e.Name = "case"
	default:
		e.Name = "?column?"
	}
	return e
}

// walk collects column references and subqueries anywhere inside v.
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
		if cr := v.Get("ColumnRef"); cr != nil {
			if ref := names(cr.Get("fields")); len(ref) > 0 {
				e.Refs = append(e.Refs, ref)
			}
			return
		}
		if sl := v.Get("SubLink"); sl != nil {
			if sel := sl.Get("subselect").Get("SelectStmt"); sel != nil {
				e.Subqueries = append(e.Subqueries, c.selectStmt(sel))
			}
			c.walk(sl.Get("testexpr"), e)
			return
		}
		for i, k := range v.Keys {
			switch k {
			case "location", "typeName", "A_Const":
				continue
			}
			c.walk(v.Vals[i], e)
		}
	}
}

// from converts a FROM item (wrapped).
func (c *conv) from(m *jsontree.Value) *lineage.From {
	switch {
	case m.Get("RangeVar") != nil:
		rv := m.Get("RangeVar")
		f := &lineage.From{Kind: lineage.FromTable}
		for _, k := range []string{"catalogname", "schemaname", "relname"} {
			if s := rv.Get(k).Text(); s != "" {
				f.Name = append(f.Name, s)
			}
		}
		f.Alias, f.Columns = alias(rv)
		return f
	case m.Get("JoinExpr") != nil:
		j := m.Get("JoinExpr")
		f := &lineage.From{Kind: lineage.FromJoin, Left: c.from(j.Get("larg")), Right: c.from(j.Get("rarg")), Using: names(j.Get("usingClause"))}
		f.Natural = j.Get("isNatural").True()
		if f.Left == nil || f.Right == nil {
			c.fail("unsupported join operand")
			return nil
		}
		return f
	case m.Get("RangeSubselect") != nil:
		rs := m.Get("RangeSubselect")
		sel := rs.Get("subquery").Get("SelectStmt")
		if sel == nil {
			c.fail("unsupported subquery in FROM")
			return nil
		}
		f := &lineage.From{Kind: lineage.FromSubquery, Query: c.selectStmt(sel)}
		f.Alias, f.Columns = alias(rs)
		if f.Query.Values != nil {
			f.Kind, f.Values, f.Query = lineage.FromValues, f.Query.Values, nil
			if len(f.Columns) == 0 && len(f.Values) > 0 {
				for i := range f.Values[0] {
					f.Columns = append(f.Columns, "column"+strconv.Itoa(i+1))
				}
			}
		}
		return f
	case m.Get("RangeFunction") != nil:
		rf := m.Get("RangeFunction")
		f := &lineage.From{Kind: lineage.FromFunction, Args: []*lineage.Expr{c.expr(rf.Get("functions"))}}
		f.Alias, f.Columns = alias(rf)
		return f
	}
	if m != nil {
		for _, k := range m.Keys {
			c.fail("unsupported FROM item %s", k)
		}
	}
	return nil
}

// alias reads an item's alias and column aliases.
func alias(m *jsontree.Value) (string, []string) {
	a := m.Get("alias")
	if a == nil {
		return "", nil
	}
	return a.Get("aliasname").Text(), names(a.Get("colnames"))
}
