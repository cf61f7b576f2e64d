package graph

import (
	"fmt"
	"slices"
	"strings"

	dgraph "github.com/dominikbraun/graph"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
)

// cycleDiagnostics reports one cycle per strongly connected component that has
// more than one vertex, or one vertex with an edge to itself. Each cycle is the
// shortest one through the component's smallest unique_id and is printed starting
// there, so the message is the same on every run.
func (d *DAG) cycleDiagnostics(m *manifest.Manifest) diag.Diagnostics {
	sccs, err := dgraph.StronglyConnectedComponents(d.Graph())
	if err != nil {
		// Only undirected graphs make this fail, and ours is directed.
		return diag.Diagnostics{{Severity: diag.Error, Summary: "dependency cycle", Detail: err.Error()}}
	}
	var diags diag.Diagnostics
	for _, comp := range sccs {
		if len(comp) == 1 {
			i := d.index[comp[0]]
			if _, self := slices.BinarySearch(d.parents[i], i); !self {
				continue
			}
		}
		path := d.cyclePath(comp)
		first, _ := m.Node(path[0])
		diags = append(diags, diag.Diagnostic{
			Severity: diag.Error,
			Summary:  "dependency cycle",
			Detail:   fmt.Sprintf("%s; remove one of these dependencies (a ref, source or depends_on) to break it", strings.Join(path, " -> ")),
			File:     first.OriginalFilePath,
			Line:     first.Line,
		})
	}
	return diags
}

// Cycles returns every cycle as a path that starts and ends at the same id, one
// per strongly connected component, in the canonical form Build reports.
func (d *DAG) Cycles() [][]string {
	if !d.cyclic {
		return nil
	}
	sccs, _ := dgraph.StronglyConnectedComponents(d.Graph())
	var out [][]string
	for _, comp := range sccs {
		if len(comp) == 1 {
			i := d.index[comp[0]]
			if _, self := slices.BinarySearch(d.parents[i], i); !self {
				continue
			}
		}
		out = append(out, d.cyclePath(comp))
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// cyclePath finds the shortest cycle through the smallest id of a strongly
// connected component by a breadth-first search that stays inside it; ties go to
// the smaller id because children are visited in sorted order.
func (d *DAG) cyclePath(comp []string) []string {
	in := make(map[int32]bool, len(comp))
	start := int32(-1)
	for _, id := range comp {
		i := d.index[id]
		in[i] = true
		if start < 0 || i < start {
			start = i
		}
	}
	prev := map[int32]int32{}
	queue := []int32{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, c := range d.children[v] {
			if !in[c] {
				continue
			}
			if c == start {
				// Walk back from v to start, then print forwards.
				var rev []int32
				for x := v; x != start; x = prev[x] {
					rev = append(rev, x)
				}
				path := []string{d.ids[start]}
				for k := len(rev) - 1; k >= 0; k-- {
					path = append(path, d.ids[rev[k]])
				}
				return append(path, d.ids[start])
			}
			if _, seen := prev[c]; !seen {
				prev[c] = v
				queue = append(queue, c)
			}
		}
	}
	// Unreachable for a strongly connected component; fall back to listing it.
	ids := slices.Clone(comp)
	slices.Sort(ids)
	return append(ids, ids[0])
}
