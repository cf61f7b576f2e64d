package selector

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

// benchManifest is 10,000 models in 10 folders with 3 parents each (about 30,000
// edges) and a not_null test on every tenth model.
func benchManifest() *manifest.Manifest {
	rng := rand.New(rand.NewSource(1))
	m := manifest.New()
	m.Metadata.ProjectName = "bench"
	for i := range 10000 {
		name := fmt.Sprintf("m%05d", i)
		id := "model.bench." + name
		dir := fmt.Sprintf("d%d", i%10)
		var deps []string
		for k := 0; k < 3 && i > 0; k++ {
			deps = append(deps, fmt.Sprintf("model.bench.m%05d", rng.Intn(i)))
		}
		mat := "view"
		if i%7 == 0 {
			mat = "table"
		}
		m.Nodes[id] = &manifest.Node{UniqueID: id, ResourceType: manifest.Model, Name: name, PackageName: "bench",
			OriginalFilePath: "models/" + dir + "/" + name + ".sql", FQN: []string{"bench", dir, name},
			RawCode: "select 1", Tags: []string{dir}, Config: manifest.Config{Enabled: true, Materialized: mat},
			UnrenderedConfig: map[string]any{"materialized": mat},
			DependsOn:        manifest.DependsOn{Nodes: deps}}
		if i%10 == 0 {
			tid := "test.bench.not_null_" + name
			m.Nodes[tid] = &manifest.Node{UniqueID: tid, ResourceType: manifest.Test, Name: "not_null_" + name,
				PackageName: "bench", FQN: []string{"bench", dir, "not_null_" + name},
				TestMetadata: &manifest.TestMetadata{Name: "not_null"},
				DependsOn:    manifest.DependsOn{Nodes: []string{id}}}
		}
	}
	return m
}

// BenchmarkBuildOrderSelect is what a command does before running anything:
// build the DAG, select, and order the selection.
func BenchmarkBuildOrderSelect(b *testing.B) {
	m := benchManifest()
	for b.Loop() {
		d, diags := manifest.BuildDAG(m)
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		ids, _, err := Select(m, d, Options{Select: []string{"+m05000+", "tag:d3,config.materialized:table"}, Exclude: []string{"m00001+"}})
		if err != nil {
			b.Fatal(err)
		}
		set := map[string]bool{}
		for _, id := range ids {
			set[id] = true
		}
		d.Order(set)
		d.ExecutionParents(set)
	}
}

func BenchmarkSelectAll(b *testing.B) {
	m := benchManifest()
	d, _ := manifest.BuildDAG(m)
	for b.Loop() {
		if _, _, err := Select(m, d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSelectGraphOperators(b *testing.B) {
	m := benchManifest()
	d, _ := manifest.BuildDAG(m)
	for b.Loop() {
		if _, _, err := Select(m, d, Options{Select: []string{"+m05000+ @m09000"}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSelectStateModified(b *testing.B) {
	prev := benchManifest()
	m := benchManifest()
	m.Nodes["model.bench.m04000"].RawCode = "select 2"
	d, _ := manifest.BuildDAG(m)
	for b.Loop() {
		ids, _, err := Select(m, d, Options{Select: []string{"state:modified+"}, State: prev})
		if err != nil || len(ids) == 0 {
			b.Fatal(err, len(ids))
		}
	}
}
