package graph

import (
	"slices"
	"strings"

	dgraph "github.com/dominikbraun/graph"
)

// Cycles returns every cycle as a path that starts and ends at the same id, one
// per strongly connected component, in the canonical form manifest.BuildDAG reports.
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
