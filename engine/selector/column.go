package selector

import (
	"strings"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// columnNodes is the column: method: column:<node>.<column> names columns by
// node (a name, source_name.table for a source, or a unique_id; globs
// allowed) and column (a glob, any case). Its graph operators walk column
// lineage, not the DAG: column:stg_users.email+ is the email column and
// every column computed from it, transitively; 2+column:dim_customers.tier
// the columns tier reads, two hops up. It selects the nodes that hold any of
// those columns.
func (s *selection) columnNodes(sp spec) (bitset, error) {
	dot := strings.LastIndex(sp.value, ".")
	if dot <= 0 || dot == len(sp.value)-1 {
		return nil, invalidSelector(sp.raw, "write column:<node>.<column>, e.g. column:stg_users.email+")
	}
	nodePat, colPat := sp.value[:dot], strings.ToLower(sp.value[dot+1:])
	if s.o.Columns == nil {
		return nil, invalidSelector(sp.raw, "column: needs column lineage, which this command does not derive")
	}
	l, err := s.o.Columns()
	if err != nil {
		return nil, invalidSelector(sp.raw, "column lineage: %v", err)
	}
	var start []lineage.Ref
	for id, ln := range l.Nodes {
		n, ok := s.m.Node(id)
		if !ok || !columnNodeMatch(nodePat, n) {
			continue
		}
		for _, c := range ln.Columns {
			if fnmatch(colPat, strings.ToLower(c.Name)) {
				start = append(start, lineage.Ref{Node: id, Column: c.Name})
			}
		}
	}
	reached := append([]lineage.Ref{}, start...)
	switch {
	case sp.childrensParents:
		down := l.Downstream(start, -1)
		reached = append(reached, down...)
		reached = append(reached, l.Upstream(append(append([]lineage.Ref{}, start...), down...), -1)...)
	default:
		if sp.parents {
			reached = append(reached, l.Upstream(start, sp.parentsDepth)...)
		}
		if sp.children {
			reached = append(reached, l.Downstream(start, sp.childrenDepth)...)
		}
	}
	at := make(map[string]int, len(s.nodes))
	for i, n := range s.nodes {
		if n != nil {
			at[n.UniqueID] = i
		}
	}
	out := s.empty()
	for _, r := range reached {
		if i, ok := at[r.Node]; ok {
			out.add(i)
		}
	}
	return out, nil
}

func columnNodeMatch(pat string, n *manifest.Node) bool {
	if fnmatch(pat, n.UniqueID) || fnmatch(pat, n.Name) {
		return true
	}
	return n.ResourceType == manifest.Source && fnmatch(pat, n.SourceName+"."+n.Name)
}
