package graph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestNewDepsMatchesAReferenceOnALargeGraph: a random DAG large enough for
// the parallel sort's merge, with duplicate ids (the first counts) and
// missing parents, against a plain reference: sorted ids, parent lists,
// missing edges, and a topological order that takes the smallest ready id.
func TestNewDepsMatchesAReferenceOnALargeGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	const n = 40000
	perm := rng.Perm(n)
	ids := make([]string, 0, n+2)
	deps := make([][]string, 0, n+2)
	name := func(i int) string { return fmt.Sprintf("node.%06d", i) }
	for _, i := range perm {
		var ps []string
		for range rng.IntN(4) {
			if i > 0 {
				ps = append(ps, name(rng.IntN(i))) // only earlier vertices: acyclic
			}
		}
		if rng.IntN(5000) == 0 {
			ps = append(ps, "missing.x")
		}
		ids = append(ids, name(i))
		deps = append(deps, ps)
	}
	// A duplicate of vertex 5 with other parents comes later: ignored.
	ids = append(ids, name(5))
	deps = append(deps, []string{name(4)})

	d, missing := NewDeps(ids, deps)

	want := make([]string, n)
	for i := range n {
		want[i] = name(i)
	}
	if !slices.Equal(d.IDs(), want) {
		t.Fatalf("ids are not the sorted unique ids")
	}
	first := map[string][]string{}
	for i, id := range ids {
		if _, ok := first[id]; !ok {
			first[id] = deps[i]
		}
	}
	nMissing := 0
	for _, id := range want {
		var ps []string
		for _, p := range first[id] {
			if p == "missing.x" {
				nMissing++
				continue
			}
			ps = append(ps, p)
		}
		sort.Strings(ps)
		ps = slices.Compact(ps)
		if got := d.Parents(id); !slices.Equal(got, ps) && !(len(got) == 0 && len(ps) == 0) {
			t.Fatalf("parents of %s = %v, want %v", id, got, ps)
		}
	}
	if len(missing) != nMissing {
		t.Errorf("%d missing edges, want %d", len(missing), nMissing)
	}
	// Reference Kahn: smallest ready index first.
	indeg := make([]int, n)
	for i := range n {
		indeg[i] = len(d.parents[i])
	}
	var ready []int
	for i := range n {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	var ref []string
	for len(ready) > 0 {
		slices.Sort(ready)
		v := ready[0]
		ready = ready[1:]
		ref = append(ref, d.ids[v])
		for _, c := range d.children[v] {
			if indeg[c]--; indeg[c] == 0 {
				ready = append(ready, int(c))
			}
		}
	}
	if !slices.Equal(d.TopoOrder(), ref) {
		t.Error("topological order differs from the smallest-ready-first reference")
	}
}
