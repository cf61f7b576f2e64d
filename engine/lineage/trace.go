package lineage

import (
	"sort"
	"strings"
)

// colKey identifies a column regardless of the case it is spelled in.
type colKey struct{ node, col string }

func keyOf(r Ref) colKey { return colKey{r.Node, strings.ToLower(r.Column)} }

// Column returns one column of a node (matched ignoring case).
func (l *Lineage) Column(r Ref) (Column, bool) {
	n, ok := l.Nodes[r.Node]
	if !ok {
		return Column{}, false
	}
	for _, c := range n.Columns {
		if strings.EqualFold(c.Name, r.Column) {
			return c, true
		}
	}
	return Column{}, false
}

// Parents are the columns r reads directly.
func (l *Lineage) Parents(r Ref) []Edge {
	c, _ := l.Column(r)
	return c.From
}

// Children are the columns that read r directly, sorted.
func (l *Lineage) Children(r Ref) []Ref {
	l.once.Do(l.index)
	return l.children[keyOf(r)]
}

func (l *Lineage) index() {
	l.children = map[colKey][]Ref{}
	for id, n := range l.Nodes {
		for _, c := range n.Columns {
			for _, e := range c.From {
				k := colKey{e.Node, strings.ToLower(e.Column)}
				l.children[k] = append(l.children[k], Ref{Node: id, Column: c.Name})
			}
		}
	}
	for _, cs := range l.children {
		sortRefs(cs)
	}
}

func sortRefs(rs []Ref) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Node != rs[j].Node {
			return rs[i].Node < rs[j].Node
		}
		return rs[i].Column < rs[j].Column
	})
}

// Upstream returns the columns start reads, transitively, up to depth hops
// (depth < 0: all), start excluded, sorted.
func (l *Lineage) Upstream(start []Ref, depth int) []Ref {
	return l.walk(start, depth, func(r Ref) []Ref {
		var out []Ref
		for _, e := range l.Parents(r) {
			out = append(out, Ref{Node: e.Node, Column: e.Column})
		}
		return out
	})
}

// Downstream returns the columns that read start, transitively, up to depth
// hops (depth < 0: all), start excluded, sorted.
func (l *Lineage) Downstream(start []Ref, depth int) []Ref {
	return l.walk(start, depth, l.Children)
}

func (l *Lineage) walk(start []Ref, depth int, next func(Ref) []Ref) []Ref {
	seen := map[colKey]bool{}
	for _, s := range start {
		seen[keyOf(s)] = true
	}
	var out []Ref
	frontier := start
	for d := 0; len(frontier) > 0 && (depth < 0 || d < depth); d++ {
		var nextFrontier []Ref
		for _, r := range frontier {
			for _, n := range next(r) {
				k := keyOf(n)
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, n)
				nextFrontier = append(nextFrontier, n)
			}
		}
		frontier = nextFrontier
	}
	sortRefs(out)
	return out
}

// Paths returns every path of columns from one of start down to a column
// for which stop returns true, following edges that keep returns true for.
// A path lists the columns in order, start first. It is what a policy check
// ("no raw PII column reaches a mart") reports.
func (l *Lineage) Paths(start []Ref, keep func(from Ref, e Edge, to Ref) bool, stop func(Ref) bool) [][]Ref {
	var out [][]Ref
	var path []Ref
	onPath := map[colKey]bool{}
	var visit func(r Ref)
	visit = func(r Ref) {
		if onPath[keyOf(r)] {
			return
		}
		path = append(path, r)
		onPath[keyOf(r)] = true
		defer func() {
			path = path[:len(path)-1]
			delete(onPath, keyOf(r))
		}()
		if len(path) > 1 && stop(r) {
			out = append(out, append([]Ref{}, path...))
			return
		}
		for _, child := range l.Children(r) {
			for _, e := range l.Parents(child) {
				if e.Node == r.Node && strings.EqualFold(e.Column, r.Column) && keep(r, e, child) {
					visit(child)
					break
				}
			}
		}
	}
	for _, s := range start {
		visit(s)
	}
	return out
}
