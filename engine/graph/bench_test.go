package graph

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	dgraph "github.com/dominikbraun/graph"

	"github.com/strata-dev/strata/engine/manifest"
)

// benchManifest is 10,000 models with 3 parents each among earlier models
// (about 30,000 edges), the size DESIGN.md's targets use.
func benchManifest(n, fanIn int) *manifest.Manifest {
	rng := rand.New(rand.NewSource(1))
	m := manifest.New()
	for i := range n {
		id := fmt.Sprintf("model.bench.m%05d", i)
		var deps []string
		for k := 0; k < fanIn && i > 0; k++ {
			deps = append(deps, fmt.Sprintf("model.bench.m%05d", rng.Intn(i)))
		}
		m.Nodes[id] = &manifest.Node{UniqueID: id, ResourceType: manifest.Model, Name: fmt.Sprintf("m%05d", i),
			DependsOn: manifest.DependsOn{Nodes: deps}}
	}
	return m
}

func libraryGraph(b *testing.B, m *manifest.Manifest) dgraph.Graph[string, string] {
	g := dgraph.New(dgraph.StringHash, dgraph.Directed())
	for id := range m.Nodes {
		_ = g.AddVertex(id)
	}
	for id, n := range m.Nodes {
		for _, p := range n.DependsOn.Nodes {
			_ = g.AddEdge(p, id)
		}
	}
	return g
}

func BenchmarkLibraryAddVerticesEdges(b *testing.B) {
	m := benchManifest(10000, 3)
	for b.Loop() {
		libraryGraph(b, m)
	}
}

func BenchmarkLibraryAdjacencyMap(b *testing.B) {
	g := libraryGraph(b, benchManifest(10000, 3))
	for b.Loop() {
		_, _ = g.AdjacencyMap()
	}
}

func BenchmarkLibraryPredecessorMap(b *testing.B) {
	g := libraryGraph(b, benchManifest(10000, 3))
	for b.Loop() {
		_, _ = g.PredecessorMap()
	}
}

func BenchmarkLibrarySCC(b *testing.B) {
	g := libraryGraph(b, benchManifest(10000, 3))
	for b.Loop() {
		_, _ = dgraph.StronglyConnectedComponents(g)
	}
}

// BenchmarkLibraryTopologicalSort shows why the DAG orders nodes itself: the
// library's sort is quadratic. Run it with -benchtime=1x.
func BenchmarkLibraryTopologicalSort(b *testing.B) {
	g := libraryGraph(b, benchManifest(10000, 3))
	for b.Loop() {
		_, _ = dgraph.TopologicalSort(g)
	}
}

func BenchmarkBuild(b *testing.B) {
	m := benchManifest(10000, 3)
	for b.Loop() {
		if _, diags := Build(m); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
	}
}

func BenchmarkOrderAll(b *testing.B) {
	m := benchManifest(10000, 3)
	d, _ := Build(m)
	all := map[string]bool{}
	for _, id := range d.IDs() {
		all[id] = true
	}
	for b.Loop() {
		d.Order(all)
	}
}

func BenchmarkExecutionParentsHalf(b *testing.B) {
	m := benchManifest(10000, 3)
	d, _ := Build(m)
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
	m := benchManifest(10000, 3)
	d, _ := Build(m)
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
