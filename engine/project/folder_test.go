package project

import (
	"reflect"
	"testing"
)

const folderProject = `name: fh
models:
  +tags: base
  +meta: {owner: data}
  fh:
    +materialized: view
    pre_hook: "select 'top'"
    staging:
      +schema: staging
      +tags: [nightly, base]
      +meta: {tier: 2}
      materialized: table
      "+post-hook": ["grant a", {sql: "grant b", transaction: false}]
      bank:
        +tags: [bank, nightly]
        +meta: {owner: bank_team}
        +pre-hook: "select 'bank'"
        stg_loans:
          +materialized: incremental
          +column_types: {id: int}
    docs:
      +materialized: ephemeral
    persist_docs: {relation: true}
  other_pkg:
    +enabled: false
seeds:
  fh:
    +schema: raw
    users:
      +column_types: {id: bigint}
      +delimiter: ";"
`

func TestFolderConfigParse(t *testing.T) {
	p := mustLoad(t, map[string]string{"project.yaml": folderProject})
	m := p.Config.Models
	if m == nil || m.Children["fh"] == nil || m.Children["other_pkg"] == nil {
		t.Fatalf("tree = %+v", m)
	}
	if !reflect.DeepEqual(m.Config, map[string]any{"tags": "base", "meta": map[string]any{"owner": "data"}}) {
		t.Errorf("top config = %#v", m.Config)
	}
	fh := m.Children["fh"]
	if fh.Line != 5 {
		t.Errorf("fh line = %d", fh.Line)
	}
	// pre_hook (no "+", known config) is a config, spelled pre-hook.
	if fh.Config["pre-hook"] != "select 'top'" || fh.Config["materialized"] != "view" {
		t.Errorf("fh config = %#v", fh.Config)
	}
	// "docs" with a mapping of "+" keys is a folder; persist_docs is a config.
	if fh.Children["docs"] == nil || fh.Children["docs"].Config["materialized"] != "ephemeral" {
		t.Errorf("docs folder = %+v", fh.Children["docs"])
	}
	if !reflect.DeepEqual(fh.Config["persist_docs"], map[string]any{"relation": true}) {
		t.Errorf("persist_docs = %#v", fh.Config["persist_docs"])
	}
	st := fh.Children["staging"]
	if st.Config["materialized"] != "table" || st.Children["bank"] == nil || len(st.Children) != 1 {
		t.Errorf("staging = %+v", st)
	}
}

func TestFolderConfigResolve(t *testing.T) {
	p := mustLoad(t, map[string]string{"project.yaml": folderProject})
	c := &p.Config
	cases := []struct {
		name string
		pkg  string
		path []string
		want map[string]any
	}{
		{
			name: "deepest folder and the node's own level",
			path: []string{"staging", "bank", "stg_loans"},
			want: map[string]any{
				"materialized": "incremental",
				"schema":       "staging",
				"tags":         []string{"base", "nightly", "bank"},
				"meta":         map[string]any{"owner": "bank_team", "tier": 2},
				"pre-hook":     []any{"select 'top'", "select 'bank'"},
				"post-hook":    []any{"grant a", map[string]any{"sql": "grant b", "transaction": false}},
				"column_types": map[string]any{"id": "int"},
				"persist_docs": map[string]any{"relation": true},
			},
		},
		{
			name: "a sibling of the configured node",
			path: []string{"staging", "bank", "stg_users"},
			want: map[string]any{
				"materialized": "table",
				"schema":       "staging",
				"tags":         []string{"base", "nightly", "bank"},
				"meta":         map[string]any{"owner": "bank_team", "tier": 2},
				"pre-hook":     []any{"select 'top'", "select 'bank'"},
				"post-hook":    []any{"grant a", map[string]any{"sql": "grant b", "transaction": false}},
				"persist_docs": map[string]any{"relation": true},
			},
		},
		{
			name: "a folder with no config of its own",
			path: []string{"marts", "fct"},
			want: map[string]any{
				"materialized": "view",
				"tags":         []string{"base"},
				"meta":         map[string]any{"owner": "data"},
				"pre-hook":     []any{"select 'top'"},
				"persist_docs": map[string]any{"relation": true},
			},
		},
		{
			name: "another package",
			pkg:  "other_pkg",
			path: []string{"x"},
			want: map[string]any{"tags": []string{"base"}, "meta": map[string]any{"owner": "data"}, "enabled": false},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.FolderConfigFor(c.Models, tc.pkg, tc.path)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
	seeds := c.FolderConfigFor(c.Seeds, "", []string{"users"})
	wantSeeds := map[string]any{"schema": "raw", "column_types": map[string]any{"id": "bigint"}, "delimiter": ";"}
	if !reflect.DeepEqual(seeds, wantSeeds) {
		t.Errorf("seed config = %#v", seeds)
	}
	// Resolving must not change the tree: the same call gives the same answer.
	again := c.FolderConfigFor(c.Models, "", []string{"staging", "bank", "stg_loans"})
	if tags := again["tags"].([]string); len(tags) != 3 {
		t.Errorf("tree was modified by an earlier resolve: tags %q", tags)
	}
	var nilTree *FolderConfig
	if got := nilTree.Resolve("fh", []string{"a"}); got == nil || len(got) != 0 {
		t.Errorf("nil tree resolve = %#v", got)
	}
}

func TestMergeConfig(t *testing.T) {
	src := map[string]any{"meta": map[string]any{"b": 2}, "tags": []any{"y", "x"}, "post_hook": "h2", "unique_key": []any{"id"}}
	dst := map[string]any{"meta": map[string]any{"a": 1}, "tags": []string{"x"}, "post-hook": []any{"h1"}, "unique_key": "old"}
	got := MergeConfig(dst, src)
	want := map[string]any{
		"meta":       map[string]any{"a": 1, "b": 2},
		"tags":       []string{"x", "y"},
		"post-hook":  []any{"h1", "h2"},
		"unique_key": []any{"id"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if len(src["meta"].(map[string]any)) != 1 {
		t.Error("MergeConfig modified its source")
	}
}
