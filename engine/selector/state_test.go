package selector

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

func TestStateSelection(t *testing.T) {
	models := []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Source}
	tests := []struct {
		name string
		edit func(m *manifest.Manifest)
		sel  string
		want []string
	}{
		{name: "unchanged", edit: func(*manifest.Manifest) {}, sel: "state:modified", want: nil},
		{name: "unchanged new", edit: func(*manifest.Manifest) {}, sel: "state:new", want: nil},
		{name: "unchanged old is everything", edit: func(*manifest.Manifest) {}, sel: "state:old",
			want: ids("loans", "payments", "country_codes", "stg_loans", "stg_payments", "int", "fct", "dim", "calendar", "snap")},
		{
			name: "sql body",
			edit: func(m *manifest.Manifest) { m.Nodes[short["stg_payments"]].RawCode += " where amount > 0" },
			sel:  "state:modified", want: ids("stg_payments"),
		},
		{
			name: "sql body via sub-selector",
			edit: func(m *manifest.Manifest) { m.Nodes[short["stg_payments"]].RawCode += " where amount > 0" },
			sel:  "state:modified.body", want: ids("stg_payments"),
		},
		{
			name: "sql body is not a config change",
			edit: func(m *manifest.Manifest) { m.Nodes[short["stg_payments"]].RawCode += " where amount > 0" },
			sel:  "state:modified.configs", want: nil,
		},
		{
			name: "sql body with descendants",
			edit: func(m *manifest.Manifest) { m.Nodes[short["stg_payments"]].RawCode += " where amount > 0" },
			sel:  "state:modified+", want: ids("stg_payments", "int", "fct"),
		},
		{
			name: "config",
			edit: func(m *manifest.Manifest) {
				n := m.Nodes[short["int"]]
				n.UnrenderedConfig["materialized"] = "view"
				n.Config.Materialized = "view"
			},
			sel: "state:modified", want: ids("int"),
		},
		{
			name: "config via sub-selector",
			edit: func(m *manifest.Manifest) { m.Nodes[short["int"]].UnrenderedConfig["materialized"] = "view" },
			sel:  "state:modified.configs", want: ids("int"),
		},
		{
			name: "config is not a body change",
			edit: func(m *manifest.Manifest) { m.Nodes[short["int"]].UnrenderedConfig["materialized"] = "view" },
			sel:  "state:modified.body", want: nil,
		},
		{
			name: "persisted description",
			edit: func(m *manifest.Manifest) { m.Nodes[short["dim"]].Description = "every customer" },
			sel:  "state:modified", want: ids("dim"),
		},
		{
			name: "persisted column description",
			edit: func(m *manifest.Manifest) {
				m.Nodes[short["dim"]].Columns["customer_id"].Description = "the customer key"
			},
			sel: "state:modified.persisted_descriptions", want: ids("dim"),
		},
		{
			name: "description not persisted",
			edit: func(m *manifest.Manifest) { m.Nodes[short["stg_loans"]].Description = "loans, cleaned" },
			sel:  "state:modified", want: nil,
		},
		{
			name: "macro called directly and through another macro",
			edit: func(m *manifest.Manifest) {
				m.Macros["macro.fh.cents_to_dollars"].MacroSQL = "{% macro cents_to_dollars(c) %}({{ c }} / 100){% endmacro %}"
				m.Macros["macro.fh.cents_to_dollars"].Checksum.Checksum = "m2"
			},
			sel: "state:modified", want: ids("int", "fct"),
		},
		{
			name: "macro via sub-selector",
			edit: func(m *manifest.Manifest) { m.Macros["macro.fh.format_money"].Checksum.Checksum = "f2" },
			sel:  "state:modified.macros", want: ids("fct"),
		},
		{
			name: "macro change is not a body change",
			edit: func(m *manifest.Manifest) { m.Macros["macro.fh.format_money"].Checksum.Checksum = "f2" },
			sel:  "state:modified.body", want: nil,
		},
		{
			name: "new model",
			edit: func(m *manifest.Manifest) {
				m.Nodes["model.fh.new_mart"] = &manifest.Node{UniqueID: "model.fh.new_mart", ResourceType: manifest.Model,
					Name: "new_mart", FQN: []string{"fh", "marts", "new_mart"}, RawCode: "select 1",
					DependsOn: manifest.DependsOn{Nodes: []string{short["fct"]}}}
			},
			sel: "state:new", want: []string{"model.fh.new_mart"},
		},
		{
			name: "new model is modified",
			edit: func(m *manifest.Manifest) {
				m.Nodes["model.fh.new_mart"] = &manifest.Node{UniqueID: "model.fh.new_mart", ResourceType: manifest.Model,
					Name: "new_mart", FQN: []string{"fh", "marts", "new_mart"}, RawCode: "select 1"}
			},
			sel: "state:modified", want: []string{"model.fh.new_mart"},
		},
		{
			name: "deleted model selects nothing and leaves its parents alone",
			edit: func(m *manifest.Manifest) {
				delete(m.Nodes, short["dim"])
				delete(m.Nodes, short["t_rel"])
			},
			sel: "state:modified+", want: nil,
		},
		{
			name: "seed csv checksum",
			edit: func(m *manifest.Manifest) { m.Nodes[short["country_codes"]].Checksum.Checksum = "csv-v2" },
			sel:  "state:modified", want: ids("country_codes"),
		},
		{
			name: "seed csv checksum with children",
			edit: func(m *manifest.Manifest) { m.Nodes[short["country_codes"]].Checksum.Checksum = "csv-v2" },
			sel:  "state:modified+", want: ids("country_codes", "fct"),
		},
		{
			name: "configured relation",
			edit: func(m *manifest.Manifest) { m.Nodes[short["fct"]].UnrenderedConfig["alias"] = "loans_fact" },
			sel:  "state:modified.relation", want: ids("fct"),
		},
		{
			name: "moved to another folder",
			edit: func(m *manifest.Manifest) { m.Nodes[short["dim"]].FQN = []string{"fh", "core", "dim_customers"} },
			sel:  "state:modified", want: ids("dim"),
		},
		{
			name: "source freshness",
			edit: func(m *manifest.Manifest) {
				m.Sources[short["loans"]].Freshness = &manifest.Freshness{WarnAfter: &manifest.Period{Count: 12, Period: "hour"}}
			},
			sel: "state:modified", want: ids("loans"),
		},
		{
			name: "unmodified excludes the edit",
			edit: func(m *manifest.Manifest) { m.Nodes[short["country_codes"]].Checksum.Checksum = "csv-v2" },
			sel:  "state:unmodified,resource_type:seed", want: nil,
		},
		{
			name: "generic test arguments",
			edit: func(m *manifest.Manifest) {
				m.Nodes[short["t_notnull"]].TestMetadata.Kwargs["column_name"] = "customer_id"
			},
			sel: "state:modified", want: ids("t_notnull"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prod := fixture("prod")
			cur := fixture("prod")
			tc.edit(cur)
			types := models
			if tc.name == "generic test arguments" {
				types = nil
			}
			got, _, err := selectOn(t, cur, Options{Select: []string{tc.sel}, State: prod, ResourceTypes: types, IndirectSelection: Empty})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestStateAcrossTargets is dbt's most reported false positive: production's
// manifest, written to disk and read back, against a parse of the same project
// for a developer target (other database, schema and compiled SQL) selects
// nothing.
func TestStateAcrossTargets(t *testing.T) {
	prod := fixture("prod")
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	b, err := json.Marshal(prod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	state, err := LoadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	dev := fixture("dev")
	if dev.Nodes[short["stg_loans"]].Schema == state.Nodes[short["stg_loans"]].Schema {
		t.Fatal("fixture does not render the targets differently")
	}
	for _, sel := range []string{"state:modified", "state:modified.relation", "state:modified.configs",
		"state:modified.body", "state:modified.macros", "state:modified.persisted_descriptions", "state:new"} {
		got, _, err := selectOn(t, dev, Options{Select: []string{sel}, State: state})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("%s under another target selected %v", sel, got)
		}
	}
	// The same comparison still sees a real edit.
	dev.Nodes[short["stg_loans"]].RawCode += " -- edited"
	got, _, err := selectOn(t, dev, Options{Select: []string{"state:modified"}, State: state, IndirectSelection: Empty})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ids("stg_loans")) {
		t.Errorf("edit after round trip: got %v", got)
	}
}

func TestLoadManifestDbtShapes(t *testing.T) {
	// A dbt-written manifest: unique_key as a string, hooks as objects, a config
	// key strata does not model.
	const doc = `{
	  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "jaffle"},
	  "nodes": {
	    "model.jaffle.orders": {
	      "unique_id": "model.jaffle.orders", "resource_type": "model", "name": "orders", "package_name": "jaffle",
	      "original_file_path": "models/orders.sql", "fqn": ["jaffle", "orders"], "raw_code": "select 1",
	      "database": "db", "schema": "prod", "alias": "orders_v2",
	      "checksum": {"name": "sha256", "checksum": "abc"},
	      "config": {"enabled": true, "materialized": "incremental", "unique_key": "order_id",
	                 "pre-hook": [{"sql": "select 1", "transaction": true}], "grants": {"select": ["bi"]}},
	      "unrendered_config": {"materialized": "incremental", "unique_key": "order_id"},
	      "depends_on": {"macros": ["macro.jaffle.m"], "nodes": []}
	    }
	  },
	  "sources": {},
	  "macros": {"macro.jaffle.m": {"unique_id": "macro.jaffle.m", "name": "m", "macro_sql": "{% macro m() %}{% endmacro %}",
	             "depends_on": {"macros": ["macro.dbt.run_query"]}}},
	  "parent_map": {"model.jaffle.orders": []}
	}`
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	n := m.Nodes["model.jaffle.orders"]
	if n == nil {
		t.Fatal("node missing")
	}
	if !reflect.DeepEqual(n.Config.UniqueKey, []string{"order_id"}) || n.Config.Materialized != "incremental" {
		t.Errorf("config = %+v", n.Config)
	}
	if !reflect.DeepEqual(n.Config.PreHook, []string{"select 1"}) {
		t.Errorf("pre-hook = %q", n.Config.PreHook)
	}
	if _, ok := n.Config.Extra["grants"]; !ok {
		t.Errorf("grants not kept in Extra: %v", n.Config.Extra)
	}
	if n.Relation.String() != "db.prod.orders_v2" {
		t.Errorf("relation = %q", n.Relation)
	}
	if got := m.Macros["macro.jaffle.m"].DependsOn.Macros; !reflect.DeepEqual(got, []string{"macro.dbt.run_query"}) {
		t.Errorf("macro depends_on = %v", got)
	}
	if m.Metadata.ProjectName != "jaffle" {
		t.Errorf("project = %q", m.Metadata.ProjectName)
	}
	if _, err := LoadManifest(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestLoadResults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run_results.json")
	doc := `{"metadata": {}, "results": [
	  {"unique_id": "model.p.a", "status": "success", "timing": []},
	  {"unique_id": "model.p.b", "status": "error"},
	  {"unique_id": "test.p.t", "status": "fail", "failures": 3}
	], "elapsed_time": 1.5}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"model.p.a": "success", "model.p.b": "error", "test.p.t": "fail"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadResults(path); err == nil {
		t.Error("malformed file accepted")
	}
}
