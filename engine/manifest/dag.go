package manifest

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/graph"
)

// BuildDAG makes the dependency graph of m: a vertex for every node and
// source, an edge from each entry of a node's DependsOn.Nodes to the node.
// A dependency on an id that is not in the manifest and every dependency
// cycle become error diagnostics naming the node's file; the DAG is returned
// in any case (edges to missing ids left out) so callers can still list it.
// It also sets m.Graph, from which manifest.json's parent_map and child_map
// are written (Maps builds them as maps for a caller that wants them).
func BuildDAG(m *Manifest) (*graph.DAG, diag.Diagnostics) {
	all := make([]string, 0, len(m.Nodes)+len(m.Sources))
	deps := make([][]string, 0, cap(all))
	m.All(func(n *Node) {
		all = append(all, n.UniqueID)
		deps = append(deps, n.DependsOn.Nodes)
	})
	d, missing := graph.NewDeps(all, deps)
	var ds diag.Diagnostics
	for _, e := range missing {
		n, _ := m.Node(e.From)
		ds = append(ds, diag.Diagnostic{
			Severity:   diag.Error,
			Summary:    "unknown dependency",
			Detail:     fmt.Sprintf("%s depends on %s, which is not in the project; fix the ref or source, or enable that node", n.UniqueID, e.To),
			File:       fileOf(n),
			Line:       n.Line,
			Suggestion: diag.Suggest(e.To, d.IDs()),
		})
	}
	// One cycle per strongly connected component, printed from its smallest
	// unique_id so the message is the same on every run.
	for _, path := range d.Cycles() {
		first, _ := m.Node(path[0])
		ds = append(ds, diag.Diagnostic{
			Severity: diag.Error,
			Summary:  "dependency cycle",
			Detail:   fmt.Sprintf("%s; remove one of these dependencies (a ref, source or depends_on) to break it", strings.Join(path, " -> ")),
			File:     fileOf(first),
			Line:     first.Line,
		})
	}
	m.Graph = d
	ds.Sort()
	return d, ds
}

// Maps returns dbt's parent_map and child_map: m.ParentMap and m.ChildMap
// when set (a manifest read from JSON), else built from m.Graph (nil
// without one). Every node and source is a key; a vertex without parents
// or children has an empty, non-nil list.
func (m *Manifest) Maps() (parents, children map[string][]string) {
	if m.ParentMap != nil || m.Graph == nil {
		return m.ParentMap, m.ChildMap
	}
	ids := m.Graph.IDs()
	parents = make(map[string][]string, len(ids))
	children = make(map[string][]string, len(ids))
	for i, id := range ids {
		parents[id] = orEmpty(m.Graph.ParentsAt(i))
		children[id] = orEmpty(m.Graph.ChildrenAt(i))
	}
	return parents, children
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fileOf is the node's file as messages name it (relative to the root project).
func fileOf(n *Node) string {
	if n.FilePath != "" {
		return n.FilePath
	}
	return n.OriginalFilePath
}
