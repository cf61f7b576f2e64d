package lineage

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// edge is one upstream column an output column reads; direct says the value
// is that column's, unchanged (only column references and renames keep it).
type edge struct {
	node, col string
	direct    bool
}

// rcol is a column of a relation being resolved.
type rcol struct {
	name  string
	edges []edge
	// direct: the column is a bare reference (its edges may still be
	// transformations further up); false once an expression computes it.
	direct bool
}

// relation is what a query, CTE or FROM item yields: its columns in order
// and, when a star ran over a relation whose columns are unknown, a lookup
// for the names it may still hold.
type relation struct {
	cols  []rcol
	index map[string]int
	open  func(name string) (rcol, bool)
}

func (r *relation) find(name string) (rcol, bool) {
	key := strings.ToLower(name)
	if len(r.cols) > 8 {
		if r.index == nil {
			r.index = make(map[string]int, len(r.cols))
			for i := len(r.cols) - 1; i >= 0; i-- {
				r.index[strings.ToLower(r.cols[i].name)] = i
			}
		}
		if i, ok := r.index[key]; ok {
			return r.cols[i], true
		}
	} else {
		for _, c := range r.cols {
			if strings.EqualFold(c.name, name) {
				return c, true
			}
		}
	}
	if r.open != nil {
		return r.open(name)
	}
	return rcol{}, false
}

// fromRel is a FROM item in scope: its alias and the columns a star skips
// (the right side's copies of USING columns).
type fromRel struct {
	alias  string
	rel    *relation
	hidden map[string]bool
	// using: a USING column here also reads the other side's column.
	using map[string][]edge
}

// scope is the FROM items a select list sees, and the scope around it for
// correlated and lateral references.
type scope struct {
	rels   []*fromRel
	parent *scope
}

// cteEnv is the CTEs in scope, innermost first.
type cteEnv struct {
	name   string
	rel    *relation
	parent *cteEnv
}

func (e *cteEnv) lookup(name string) (*relation, bool) {
	for ; e != nil; e = e.parent {
		if strings.EqualFold(e.name, name) {
			return e.rel, true
		}
	}
	return nil, false
}

// tables resolves a table name to the node that builds it and that node's
// columns (nil when unknown).
type tables interface {
	table(parts []string) (node string, cols []string, ok bool)
}

// resolver turns one query into its output columns.
type resolver struct {
	t tables
	// problems collects why the result is incomplete (a star over unknown
	// columns), reported on the node.
	problems []string
}

func (r *resolver) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, p := range r.problems {
		if p == msg {
			return
		}
	}
	r.problems = append(r.problems, msg)
}

func (r *resolver) query(q *Query, env *cteEnv, outer *scope) *relation {
	for _, c := range q.CTEs {
		env = r.cte(c, env, outer)
	}
	switch {
	case len(q.Branches) > 0:
		return r.setOp(q, env, outer)
	case q.Values != nil:
		return r.values(q.Values, nil, env, outer)
	}
	sc := &scope{parent: outer}
	for _, f := range q.From {
		sc.rels = append(sc.rels, r.from(f, env, sc)...)
	}
	out := &relation{}
	for i, it := range q.Items {
		if it.Star != nil {
			r.star(it.Star, sc, env, out)
			continue
		}
		c := r.expr(it.Expr, sc, env)
		c.name = itemName(it, i)
		out.cols = append(out.cols, c)
	}
	return out
}

// itemName is an output column's name: the alias, a reference's column, or
// what the parser says the engine calls the expression.
func itemName(it *Item, i int) string {
	switch {
	case it.Alias != "":
		return it.Alias
	case it.Expr != nil && it.Expr.Ref != nil:
		return it.Expr.Ref[len(it.Expr.Ref)-1]
	case it.Expr != nil && it.Expr.Name != "":
		return it.Expr.Name
	}
	return "col" + strconv.Itoa(i)
}

func (r *resolver) cte(c *CTE, env *cteEnv, outer *scope) *cteEnv {
	if !c.Recursive || len(c.Query.Branches) == 0 {
		rel := renamed(r.query(c.Query, env, outer), c.Columns)
		return &cteEnv{name: c.Name, rel: rel, parent: env}
	}
	// The anchor defines the columns; the recursive branches, which read the
	// CTE itself, add their inputs.
	anchor := renamed(r.query(c.Query.Branches[0], env, outer), c.Columns)
	self := &cteEnv{name: c.Name, rel: anchor, parent: env}
	merged := &relation{cols: append([]rcol{}, anchor.cols...), open: anchor.open}
	for _, b := range c.Query.Branches[1:] {
		br := r.query(b, self, outer)
		for i := range merged.cols {
			if i < len(br.cols) {
				merged.cols[i] = mergeCols(merged.cols[i], br.cols[i])
			}
		}
	}
	return &cteEnv{name: c.Name, rel: merged, parent: env}
}

// renamed applies column aliases by position (t(a, b), cte(a, b)).
func renamed(rel *relation, names []string) *relation {
	if len(names) == 0 {
		return rel
	}
	out := &relation{cols: make([]rcol, len(rel.cols)), open: rel.open}
	copy(out.cols, rel.cols)
	for i, n := range names {
		if i < len(out.cols) {
			out.cols[i].name = n
		}
	}
	return out
}

func (r *resolver) setOp(q *Query, env *cteEnv, outer *scope) *relation {
	var out *relation
	for _, b := range q.Branches {
		br := r.query(b, env, outer)
		if out == nil {
			out = &relation{cols: append([]rcol{}, br.cols...), open: br.open}
			continue
		}
		if q.ByName {
			for _, c := range br.cols {
				merged := false
				for i := range out.cols {
					if strings.EqualFold(out.cols[i].name, c.name) {
						out.cols[i] = mergeCols(out.cols[i], c)
						merged = true
						break
					}
				}
				if !merged {
					out.cols = append(out.cols, c)
				}
			}
			continue
		}
		for i := range out.cols {
			if i < len(br.cols) {
				out.cols[i] = mergeCols(out.cols[i], br.cols[i])
			}
		}
	}
	if out == nil {
		out = &relation{}
	}
	return out
}

// mergeCols is one output column fed by two branches: it keeps the first
// branch's name and reads both inputs.
func mergeCols(a, b rcol) rcol {
	return rcol{name: a.name, edges: mergeEdges(a.edges, b.edges), direct: a.direct && b.direct}
}

func mergeEdges(a, b []edge) []edge {
	out := append([]edge{}, a...)
	for _, e := range b {
		found := false
		for i := range out {
			if out[i].node == e.node && strings.EqualFold(out[i].col, e.col) {
				out[i].direct = out[i].direct && e.direct
				found = true
				break
			}
		}
		if !found {
			out = append(out, e)
		}
	}
	return out
}

func (r *resolver) values(rows [][]*Expr, names []string, env *cteEnv, outer *scope) *relation {
	out := &relation{}
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	sc := &scope{parent: outer}
	for i := 0; i < width; i++ {
		name := "col" + strconv.Itoa(i)
		if i < len(names) {
			name = names[i]
		}
		c := rcol{name: name}
		for _, row := range rows {
			if i < len(row) {
				e := r.expr(row[i], sc, env)
				c.edges = mergeEdges(c.edges, e.edges)
			}
		}
		out.cols = append(out.cols, untouched(c, false))
	}
	return out
}

// untouched marks every edge of c as computed unless direct.
func untouched(c rcol, direct bool) rcol {
	c.direct = direct
	if !direct {
		es := make([]edge, len(c.edges))
		for i, e := range c.edges {
			e.direct = false
			es[i] = e
		}
		c.edges = es
	}
	return c
}

// from resolves one FROM item into the relations it brings into scope
// (a join brings both sides).
func (r *resolver) from(f *From, env *cteEnv, sc *scope) []*fromRel {
	switch f.Kind {
	case FromJoin:
		left := r.from(f.Left, env, sc)
		// A lateral right side sees the left one.
		inner := &scope{rels: append(append([]*fromRel{}, sc.rels...), left...), parent: sc.parent}
		right := r.from(f.Right, env, inner)
		using := f.Using
		if f.Natural {
			using = commonNames(left, right)
		}
		if len(using) > 0 {
			joinUsing(left, right, using)
		}
		return append(left, right...)
	case FromTable:
		rel := r.table(f.Name, env)
		alias := f.Alias
		if alias == "" && len(f.Name) > 0 {
			alias = f.Name[len(f.Name)-1]
		}
		return []*fromRel{{alias: alias, rel: renamed(rel, f.Columns)}}
	case FromSubquery:
		rel := r.query(f.Query, env, sc)
		return []*fromRel{{alias: f.Alias, rel: renamed(rel, f.Columns)}}
	case FromValues:
		return []*fromRel{{alias: f.Alias, rel: r.values(f.Values, f.Columns, env, sc)}}
	case FromFunction:
		var in []edge
		for _, a := range f.Args {
			in = mergeEdges(in, r.expr(a, sc, env).edges)
		}
		in = untouched(rcol{edges: in}, false).edges
		rel := &relation{open: func(name string) (rcol, bool) { return rcol{name: name, edges: in}, true }}
		for _, n := range f.Columns {
			rel.cols = append(rel.cols, rcol{name: n, edges: in})
		}
		return []*fromRel{{alias: f.Alias, rel: rel}}
	}
	return nil
}

// commonNames are the column names both sides of a NATURAL join know.
func commonNames(left, right []*fromRel) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range left {
		for _, c := range l.rel.cols {
			k := strings.ToLower(c.name)
			if seen[k] {
				continue
			}
			for _, rr := range right {
				if _, ok := rr.rel.find(c.name); ok && !rr.rel.isOpenOnly(c.name) {
					out = append(out, c.name)
					seen[k] = true
					break
				}
			}
		}
	}
	return out
}

func (r *relation) isOpenOnly(name string) bool {
	for _, c := range r.cols {
		if strings.EqualFold(c.name, name) {
			return false
		}
	}
	return true
}

// joinUsing records that a USING column appears once in a star (from the
// left) and reads both sides.
func joinUsing(left, right []*fromRel, using []string) {
	for _, u := range using {
		var rightEdges []edge
		for _, rr := range right {
			if c, ok := rr.rel.find(u); ok {
				if rr.hidden == nil {
					rr.hidden = map[string]bool{}
				}
				rr.hidden[strings.ToLower(u)] = true
				rightEdges = c.edges
				break
			}
		}
		for _, l := range left {
			if _, ok := l.rel.find(u); ok {
				if l.using == nil {
					l.using = map[string][]edge{}
				}
				l.using[strings.ToLower(u)] = rightEdges
				break
			}
		}
	}
}

// table is a relation named in FROM: a CTE in scope, a project node (or an
// ephemeral model inlined as a CTE), or something outside the project.
func (r *resolver) table(parts []string, env *cteEnv) *relation {
	if len(parts) == 1 {
		if node, cols, ok := r.t.table(parts); ok && strings.HasPrefix(strings.ToLower(parts[0]), ephemeralPrefix) {
			return nodeRelation(node, cols)
		}
		if rel, ok := env.lookup(parts[0]); ok {
			return rel
		}
	}
	node, cols, ok := r.t.table(parts)
	if !ok {
		// Outside the project: references resolve to nothing upstream.
		return &relation{open: func(name string) (rcol, bool) { return rcol{name: name, direct: true}, true }}
	}
	if cols == nil {
		r.problem("the columns of %s are unknown (build it, or document its columns)", node)
	}
	return nodeRelation(node, cols)
}

func nodeRelation(node string, cols []string) *relation {
	rel := &relation{cols: make([]rcol, len(cols))}
	for i, c := range cols {
		rel.cols[i] = rcol{name: c, edges: []edge{{node: node, col: c, direct: true}}, direct: true}
	}
	if cols == nil {
		rel.open = func(name string) (rcol, bool) {
			return rcol{name: name, edges: []edge{{node: node, col: name, direct: true}}, direct: true}, true
		}
	}
	return rel
}

// star expands * or t.* into out.
func (r *resolver) star(s *Star, sc *scope, env *cteEnv, out *relation) {
	var pattern *regexp.Regexp
	if s.Pattern != "" {
		p, err := regexp.Compile(s.Pattern)
		if err != nil {
			r.problem("COLUMNS(%q): %v", s.Pattern, err)
			return
		}
		pattern = p
	}
	var rels []*fromRel
	if s.Table != "" {
		if fr := sc.alias(s.Table); fr != nil {
			rels = []*fromRel{fr}
		} else {
			r.problem("%s.* names no relation in scope", s.Table)
			return
		}
	} else {
		rels = sc.rels
	}
	excluded := map[string]bool{}
	for _, e := range s.Exclude {
		excluded[strings.ToLower(e)] = true
	}
	for _, fr := range rels {
		for _, c := range fr.rel.cols {
			k := strings.ToLower(c.name)
			if excluded[k] || (s.Table == "" && fr.hidden[k]) || (pattern != nil && !pattern.MatchString(c.name)) {
				continue
			}
			if extra, ok := fr.using[k]; ok && s.Table == "" {
				c.edges = mergeEdges(c.edges, extra)
			}
			for _, rp := range s.Replace {
				if strings.EqualFold(rp.Name, c.name) {
					c = r.expr(rp.Expr, sc, env)
					c.name = rp.Name
				}
			}
			for _, rn := range s.Rename {
				if strings.EqualFold(rn.From, c.name) {
					c.name = rn.To
				}
			}
			out.cols = append(out.cols, c)
		}
		if fr.rel.open != nil {
			// The star also returns columns nobody listed: names asked of
			// this relation later resolve through the unknown one.
			prev, inner := out.open, fr.rel.open
			out.open = func(name string) (rcol, bool) {
				if prev != nil {
					if c, ok := prev(name); ok {
						return c, true
					}
				}
				return inner(name)
			}
		}
	}
}

func (sc *scope) alias(name string) *fromRel {
	for s := sc; s != nil; s = s.parent {
		for _, fr := range s.rels {
			if strings.EqualFold(fr.alias, name) {
				return fr
			}
		}
	}
	return nil
}

// column resolves a column reference in scope: t.col, col, or a struct field
// (col.field) read from a column.
func (r *resolver) column(parts []string, sc *scope) (rcol, bool) {
	for s := sc; s != nil; s = s.parent {
		if c, ok := s.column(parts); ok {
			return c, true
		}
	}
	return rcol{}, false
}

func (sc *scope) column(parts []string) (rcol, bool) {
	if len(parts) >= 2 {
		// t.col (also schema.t.col: the alias is the last qualifier).
		q, name := parts[len(parts)-2], parts[len(parts)-1]
		for _, fr := range sc.rels {
			if strings.EqualFold(fr.alias, q) {
				if c, ok := fr.rel.find(name); ok {
					return c, true
				}
			}
		}
		// t.col.field, col.field: a field of a struct column.
		for i := 0; i < len(parts)-1 && i < 2; i++ {
			var c rcol
			var ok bool
			if i == 0 {
				c, ok = sc.unqualified(parts[0])
			} else {
				c, ok = sc.qualified(parts[0], parts[1])
			}
			if ok {
				return untouched(c, false), true
			}
		}
		return rcol{}, false
	}
	return sc.unqualified(parts[0])
}

func (sc *scope) qualified(q, name string) (rcol, bool) {
	for _, fr := range sc.rels {
		if strings.EqualFold(fr.alias, q) {
			if c, ok := fr.rel.find(name); ok {
				return c, true
			}
		}
	}
	return rcol{}, false
}

// unqualified finds a bare name: in the first item listing it, else in the
// items whose columns are unknown (all of them: lineage errs on the side of
// reporting a dependency).
func (sc *scope) unqualified(name string) (rcol, bool) {
	for _, fr := range sc.rels {
		for _, c := range fr.rel.cols {
			if strings.EqualFold(c.name, name) {
				if extra, ok := fr.using[strings.ToLower(name)]; ok {
					c.edges = mergeEdges(c.edges, extra)
				}
				return c, true
			}
		}
	}
	var out rcol
	found := false
	for _, fr := range sc.rels {
		if fr.rel.open == nil {
			continue
		}
		if c, ok := fr.rel.open(name); ok {
			if !found {
				out = c
			} else {
				out = mergeCols(out, c)
			}
			found = true
		}
	}
	return out, found
}

// expr resolves what an expression reads. A bare column reference keeps its
// column's edges as they are; anything computed marks them transformed.
func (r *resolver) expr(e *Expr, sc *scope, env *cteEnv) rcol {
	if e == nil {
		return rcol{}
	}
	if e.Ref != nil && len(e.Refs) <= 1 && len(e.Subqueries) == 0 {
		if c, ok := r.column(e.Ref, sc); ok {
			return rcol{name: c.name, edges: c.edges, direct: c.direct}
		}
		return rcol{direct: true}
	}
	var out rcol
	for _, ref := range e.Refs {
		if c, ok := r.column(ref, sc); ok {
			out.edges = mergeEdges(out.edges, c.edges)
		}
	}
	for _, sq := range e.Subqueries {
		rel := r.query(sq, env, sc)
		for _, c := range rel.cols {
			out.edges = mergeEdges(out.edges, c.edges)
		}
	}
	return untouched(out, false)
}
