package compile

import (
	"context"
	"testing"
)

// TestBuiltinTestsMatchMacros renders the built-in generic tests in Go and
// through the global project's macros and requires identical SQL.
func TestBuiltinTestsMatchMacros(t *testing.T) {
	files := map[string]string{
		"models/a.sql": "select 1 as id",
		"models/b.sql": "select 1 as id, 2 as a_id",
		"models/s.yml": `version: 2
models:
  - name: b
    columns:
      - name: id
        tests:
          - not_null
          - unique
          - not_null:
              config: {store_failures: true}
              name: nn_stored
          - unique:
              config: {where: "id > 0"}
              name: uq_where
      - name: a_id
        tests:
          - relationships: {to: ref('a'), field: id}
          - accepted_values: {values: [1, 2], quote: false}
`,
	}
	p := memProject(t, files)
	render := func(noFast bool) map[string]string {
		o := testOptions(p)
		prog, ds := Load(context.Background(), o)
		prog.noFastTests = noFast
		r, pds := prog.Parse(context.Background())
		ds = append(ds, pds...)
		ds = append(ds, r.Finalize(context.Background(), FinalizeOptions{})...)
		if ds.HasErrors() {
			t.Fatal(ds.Err())
		}
		m := r.Manifest
		out := map[string]string{}
		for id, n := range m.Nodes {
			out[id] = n.CompiledCode
		}
		return out
	}
	fast, slow := render(false), render(true)
	if len(fast) != 8 {
		t.Fatalf("want 8 nodes, got %d", len(fast))
	}
	for id, s := range slow {
		if fast[id] != s {
			t.Errorf("%s: Go %q, macro %q", id, fast[id], s)
		}
	}
}
