package graph

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	dgraph "github.com/dominikbraun/graph"
)

// benchGraph is 10,000 vertices with 3 parents each among earlier ones
// (about 30,000 edges), the size DESIGN.md's targets use: id -> parents.
func benchGraph(n, fanIn int) map[string][]string {
	rng := rand.New(rand.NewSource(1))
	m := make(map[string][]string, n)
	for i := range n {
		id := fmt.Sprintf("model.bench.m%05d", i)
		var deps []string
		for k := 0; k < fanIn && i > 0; k++ {
			deps = append(deps, fmt.Sprintf("model.bench.m%05d", rng.Intn(i)))
		}
		m[id] = deps
	}
	return m
}

// build is New over a benchGraph.
func build(m map[string][]string) (*DAG, []Missing) {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	return New(ids, func(id string) []string { return m[id] })
}

func libraryGraph(b *testing.B, m map[string][]string) dgraph.Graph[string, string] {
	g := dgraph.New(dgraph.StringHash, dgraph.Directed())
	for id := range m {
		_ = g.AddVertex(id)
	}
	for id, deps := range m {
		for _, p := range deps {
			_ = g.AddEdge(p, id)
		}
	}
	return g
}

func BenchmarkLibraryAddVerticesEdges(b *testing.B) {
	m := benchGraph(10000, 3)
	for b.Loop() {
		libraryGraph(b, m)
	}
}

func BenchmarkLibraryAdjacencyMap(b *testing.B) {
	g := libraryGraph(b, benchGraph(10000, 3))
	for b.Loop() {
		_, _ = g.AdjacencyMap()
	}
}

func BenchmarkLibraryPredecessorMap(b *testing.B) {
	g := libraryGraph(b, benchGraph(10000, 3))
	for b.Loop() {
		_, _ = g.PredecessorMap()
	}
}

func BenchmarkLibrarySCC(b *testing.B) {
	g := libraryGraph(b, benchGraph(10000, 3))
	for b.Loop() {
		_, _ = dgraph.StronglyConnectedComponents(g)
	}
}

// BenchmarkLibraryTopologicalSort shows why the DAG orders nodes itself: the
// library's sort is quadratic. Run it with -benchtime=1x.
func BenchmarkLibraryTopologicalSort(b *testing.B) {
	g := libraryGraph(b, benchGraph(10000, 3))
	for b.Loop() {
		_, _ = dgraph.TopologicalSort(g)
	}
}

func BenchmarkBuild(b *testing.B) {
	m := benchGraph(10000, 3)
	for b.Loop() {
		if _, missing := build(m); len(missing) > 0 {
			b.Fatal(missing)
		}
	}
}

func BenchmarkOrderAll(b *testing.B) {
	m := benchGraph(10000, 3)
	d, _ := build(m)
	all := map[string]bool{}
	for _, id := range d.IDs() {
		all[id] = true
	}
	for b.Loop() {
		d.Order(all)
	}
}

func BenchmarkExecutionParentsHalf(b *testing.B) {
	m := benchGraph(10000, 3)
	d, _ := build(m)
	half := map[string]bool{}
	for i, id := range d.IDs() {
		if i%2 == 0 {
			half[id] = true
		}
	}
	for b.Loop() {
		d.ExecutionParents(half)
	}
}

func BenchmarkWalkNoop(b *testing.B) {
	m := benchGraph(10000, 3)
	d, _ := build(m)
	all := map[string]bool{}
	for _, id := range d.IDs() {
		all[id] = true
	}
	parents := d.ExecutionParents(all)
	for b.Loop() {
		_ = Walk(context.Background(), parents, WalkOptions{Workers: 4},
			func(context.Context, string) Outcome { return Outcome{Status: "success"} },
			func(string, string) {})
	}
}
