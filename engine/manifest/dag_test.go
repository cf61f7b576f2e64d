package manifest

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/graph"
)

// testManifest builds a manifest from "id: parent parent ..." lines; ids starting
// with "source." become sources.
func testManifest(t testing.TB, lines ...string) *Manifest {
	t.Helper()
	m := New()
	for _, l := range lines {
		id, deps, _ := strings.Cut(l, ":")
		id = strings.TrimSpace(id)
		n := &Node{
			UniqueID:         id,
			Name:             id[strings.LastIndex(id, ".")+1:],
			OriginalFilePath: "models/" + id[strings.LastIndex(id, ".")+1:] + ".sql",
			DependsOn:        DependsOn{Nodes: strings.Fields(deps)},
		}
		if strings.HasPrefix(id, "source.") {
			n.ResourceType = Source
			m.Sources[id] = n
		} else {
			n.ResourceType = Model
			m.Nodes[id] = n
		}
	}
	return m
}

func mustBuild(t testing.TB, m *Manifest) *graph.DAG {
	t.Helper()
	d, diags := BuildDAG(m)
	if diags.HasErrors() {
		t.Fatalf("BuildDAG: %v", diags.Err())
	}
	return d
}

func TestBuildEdgesAndMaps(t *testing.T) {
	m := testManifest(t,
		"source.p.raw.loans:",
		"model.p.stg: source.p.raw.loans source.p.raw.loans", // duplicate dependency counts once
		"model.p.b: model.p.stg",
		"model.p.a: model.p.stg",
		"model.p.mart: model.p.b model.p.a",
	)
	d := mustBuild(t, m)
	if got, want := d.Parents("model.p.mart"), []string{"model.p.a", "model.p.b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Parents(mart) = %v, want %v", got, want)
	}
	if got, want := d.Children("model.p.stg"), []string{"model.p.a", "model.p.b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Children(stg) = %v, want %v", got, want)
	}
	wantParent := map[string][]string{
		"source.p.raw.loans": {},
		"model.p.stg":        {"source.p.raw.loans"},
		"model.p.a":          {"model.p.stg"},
		"model.p.b":          {"model.p.stg"},
		"model.p.mart":       {"model.p.a", "model.p.b"},
	}
	parents, children := m.Maps()
	if !reflect.DeepEqual(parents, wantParent) {
		t.Errorf("ParentMap = %v, want %v", parents, wantParent)
	}
	if got := children["model.p.mart"]; got == nil || len(got) != 0 {
		t.Errorf("ChildMap[mart] = %#v, want empty non-nil list", got)
	}
	if got, want := children["source.p.raw.loans"], []string{"model.p.stg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ChildMap[source] = %v, want %v", got, want)
	}
	// Ties are broken by unique_id: model.p.a before model.p.b.
	want := []string{"source.p.raw.loans", "model.p.stg", "model.p.a", "model.p.b", "model.p.mart"}
	if got := d.TopoOrder(); !reflect.DeepEqual(got, want) {
		t.Errorf("TopoOrder = %v, want %v", got, want)
	}
	if n, _ := d.Graph().Size(); n != 5 {
		t.Errorf("library graph has %d edges, want 5", n)
	}
}

func TestBuildMissingDependency(t *testing.T) {
	m := testManifest(t, "model.p.stg_loans:", "model.p.mart: model.p.stg_loan")
	m.Nodes["model.p.mart"].Line = 0
	_, diags := BuildDAG(m)
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(diags), diags)
	}
	dg := diags[0]
	if dg.Summary != "unknown dependency" || dg.File != "models/mart.sql" || dg.Suggestion != "model.p.stg_loans" {
		t.Errorf("diagnostic = %+v", dg)
	}
	if !strings.Contains(dg.Detail, "model.p.stg_loan,") {
		t.Errorf("detail %q does not name the missing id", dg.Detail)
	}
}

func TestBuildCycles(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string // details' path part, sorted by file
		file  string
	}{
		{
			name: "three-node cycle starts at smallest id",
			lines: []string{
				"model.p.c: model.p.b",
				"model.p.a: model.p.c model.p.root",
				"model.p.b: model.p.a",
				"model.p.root:",
				"model.p.after: model.p.c",
			},
			want: []string{"model.p.a -> model.p.b -> model.p.c -> model.p.a"},
			file: "models/a.sql",
		},
		{
			name:  "self reference",
			lines: []string{"model.p.x: model.p.x"},
			want:  []string{"model.p.x -> model.p.x"},
			file:  "models/x.sql",
		},
		{
			name: "two separate cycles",
			lines: []string{
				"model.p.a: model.p.b", "model.p.b: model.p.a",
				"model.p.y: model.p.z", "model.p.z: model.p.y",
			},
			want: []string{"model.p.a -> model.p.b -> model.p.a", "model.p.y -> model.p.z -> model.p.y"},
			file: "models/a.sql",
		},
		{
			name: "shortest cycle through the smallest id in a larger component",
			lines: []string{
				"model.p.a: model.p.d model.p.b",
				"model.p.b: model.p.a",
				"model.p.c: model.p.b",
				"model.p.d: model.p.c",
			},
			// a -> b -> a is shorter than a -> b -> c -> d -> a.
			want: []string{"model.p.a -> model.p.b -> model.p.a"},
			file: "models/a.sql",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Build twice: map iteration must not change the message.
			for range 2 {
				d, diags := BuildDAG(testManifest(t, tc.lines...))
				if len(diags) != len(tc.want) {
					t.Fatalf("got %d diagnostics, want %d: %v", len(diags), len(tc.want), diags)
				}
				for i, dg := range diags {
					if dg.Summary != "dependency cycle" || !strings.HasPrefix(dg.Detail, tc.want[i]+";") {
						t.Errorf("diagnostic %d = %q: %q, want path %q", i, dg.Summary, dg.Detail, tc.want[i])
					}
				}
				if diags[0].File != tc.file {
					t.Errorf("File = %q, want %q", diags[0].File, tc.file)
				}
				if got := len(d.TopoOrder()); got != d.Len() {
					t.Errorf("TopoOrder lists %d of %d vertices", got, d.Len())
				}
				if got := len(d.Cycles()); got != len(tc.want) {
					t.Errorf("Cycles() = %d, want %d", got, len(tc.want))
				}
			}
		})
	}
}

func TestAncestorsDescendants(t *testing.T) {
	// chain a -> b -> c -> d, plus x -> c
	d := mustBuild(t, testManifest(t,
		"model.p.a:", "model.p.b: model.p.a", "model.p.c: model.p.b model.p.x", "model.p.d: model.p.c", "model.p.x:"))
	tests := []struct {
		got, want []string
	}{
		{d.Ancestors("model.p.d", -1), []string{"model.p.a", "model.p.b", "model.p.c", "model.p.x"}},
		{d.Ancestors("model.p.d", 1), []string{"model.p.c"}},
		{d.Ancestors("model.p.d", 2), []string{"model.p.b", "model.p.c", "model.p.x"}},
		{d.Ancestors("model.p.d", 0), nil},
		{d.Descendants("model.p.a", -1), []string{"model.p.b", "model.p.c", "model.p.d"}},
		{d.Descendants("model.p.a", 2), []string{"model.p.b", "model.p.c"}},
		{d.Descendants("model.p.d", -1), nil},
		{d.Descendants("model.p.nope", -1), nil},
		// Two sources: depth is measured from the nearest one.
		{d.DescendantsOf([]string{"model.p.a", "model.p.x"}, 1), []string{"model.p.b", "model.p.c"}},
	}
	for i, tc := range tests {
		if len(tc.got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("case %d: got %v, want %v", i, tc.got, tc.want)
		}
	}
}

func TestOrder(t *testing.T) {
	d := mustBuild(t, testManifest(t,
		"model.p.z:", "model.p.y: model.p.z", "model.p.a: model.p.y", "model.p.b:"))
	got := d.Order(map[string]bool{"model.p.a": true, "model.p.z": true, "model.p.b": true, "model.p.gone": true, "model.p.y": false})
	want := []string{"model.p.b", "model.p.z", "model.p.a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Order = %v, want %v", got, want)
	}
}

func TestExecutionParents(t *testing.T) {
	d := mustBuild(t, testManifest(t,
		"model.p.a:", "model.p.b: model.p.a", "model.p.c: model.p.b",
		"model.p.d: model.p.c model.p.a", "model.p.e:"))
	got := d.ExecutionParents(map[string]bool{"model.p.a": true, "model.p.c": true, "model.p.d": true, "model.p.e": true})
	want := map[string][]string{
		"model.p.a": {},
		"model.p.c": {"model.p.a"}, // through unselected b
		"model.p.d": {"model.p.a", "model.p.c"},
		"model.p.e": {},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ExecutionParents = %v, want %v", got, want)
	}
}

// TestExecutionParentsMatchesReference compares the one-pass computation with a
// plain per-node search on random graphs.
func TestExecutionParentsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := range 50 {
		n := 5 + rng.Intn(40)
		lines := make([]string, n)
		for i := range n {
			var deps []string
			for j := range i {
				if rng.Intn(6) == 0 {
					deps = append(deps, fmt.Sprintf("model.p.n%02d", j))
				}
			}
			lines[i] = fmt.Sprintf("model.p.n%02d: %s", i, strings.Join(deps, " "))
		}
		m := testManifest(t, lines...)
		d := mustBuild(t, m)
		sel := map[string]bool{}
		for _, id := range d.IDs() {
			if rng.Intn(3) == 0 {
				sel[id] = true
			}
		}
		got := d.ExecutionParents(sel)
		want := referenceExecutionParents(d, sel)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: got %v\nwant %v", trial, got, want)
		}
	}
}

func referenceExecutionParents(d *graph.DAG, sel map[string]bool) map[string][]string {
	out := map[string][]string{}
	for id := range sel {
		found := map[string]bool{}
		seen := map[string]bool{}
		var visit func(string)
		visit = func(v string) {
			for _, p := range d.Parents(v) {
				if seen[p] {
					continue
				}
				seen[p] = true
				if sel[p] {
					found[p] = true
				} else {
					visit(p)
				}
			}
		}
		visit(id)
		list := []string{}
		for p := range found {
			list = append(list, p)
		}
		slices.Sort(list)
		out[id] = list
	}
	return out
}
