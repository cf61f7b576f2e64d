package selector

import (
	"path"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// fixture builds a small fintech project as the compiler would for one target:
// rendered database/schema differ by target, everything the user wrote does not.
func fixture(target string) *manifest.Manifest {
	db, schema := "prod_db", "analytics"
	if target == "dev" {
		db, schema = "dev_db", "dbt_alice"
	}
	m := manifest.New()
	m.Metadata.ProjectName = "fh"
	m.Metadata.TargetName = target
	model := func(name, dir, raw string, deps []string, unrendered map[string]any) *manifest.Node {
		fqn := []string{"fh"}
		if dir != "" {
			fqn = append(fqn, dir)
		}
		fqn = append(fqn, name)
		ofp := "models/" + dir + "/" + name + ".sql"
		sch := schema
		if s, ok := unrendered["schema"].(string); ok {
			sch = schema + "_" + s
		}
		mat, _ := unrendered["materialized"].(string)
		if mat == "" {
			mat = "view"
		}
		n := &manifest.Node{
			UniqueID: "model.fh." + name, ResourceType: manifest.Model, Name: name, PackageName: "fh",
			Path: dir + "/" + name + ".sql", OriginalFilePath: ofp, FQN: fqn, Language: "sql",
			RawCode:      raw,
			CompiledCode: "-- compiled for " + target + "\n" + raw,
			Checksum:     manifest.Checksum{Name: "sha256", Checksum: "sum-" + raw},
			Config: manifest.Config{Enabled: true, Materialized: mat, Schema: sch,
				Tags: []string{}, Meta: map[string]any{}},
			UnrenderedConfig: unrendered,
			DependsOn:        manifest.DependsOn{Nodes: deps},
			Database:         db, Schema: sch, Alias: name,
			Relation:     relation.Relation{Database: db, Schema: sch, Identifier: name},
			RelationName: db + "." + sch + "." + name,
		}
		m.Nodes[n.UniqueID] = n
		return n
	}
	source := func(table string) {
		n := &manifest.Node{
			UniqueID: "source.fh.raw." + table, ResourceType: manifest.Source, Name: table, PackageName: "fh",
			OriginalFilePath: "models/staging/_sources.yml", FQN: []string{"fh", "staging", "raw", table},
			SourceName: "raw", Identifier: table, Database: db, Schema: "raw_" + target,
			UnrenderedConfig: map[string]any{},
		}
		m.Sources[n.UniqueID] = n
	}
	// test makes a singular test when generic is "", else an instance of that generic test.
	test := func(id, name string, deps []string, generic string, ofp string) *manifest.Node {
		n := &manifest.Node{
			UniqueID: id, ResourceType: manifest.Test, Name: name, PackageName: "fh",
			OriginalFilePath: ofp, FQN: []string{"fh", name},
			RawCode:   "select 1 from x where false -- " + name,
			Config:    manifest.Config{Enabled: true, Materialized: "test", Severity: "ERROR", Tags: []string{}},
			DependsOn: manifest.DependsOn{Nodes: deps},
		}
		if generic != "" {
			n.RawCode = "{{ test_" + generic + "(**_dbt_generic_test_kwargs) }}"
			n.TestMetadata = &manifest.TestMetadata{Name: generic, Kwargs: map[string]any{"column_name": "id", "limit": 3}}
			n.FQN = []string{"fh", path.Base(path.Dir(ofp)), name}
		}
		m.Nodes[id] = n
		return n
	}

	source("loans")
	source("payments")
	m.Nodes["seed.fh.country_codes"] = &manifest.Node{
		UniqueID: "seed.fh.country_codes", ResourceType: manifest.Seed, Name: "country_codes", PackageName: "fh",
		Path: "country_codes.csv", OriginalFilePath: "seeds/country_codes.csv", FQN: []string{"fh", "country_codes"},
		Checksum: manifest.Checksum{Name: "sha256", Checksum: "csv-v1"},
		Config:   manifest.Config{Enabled: true, Materialized: "seed", Schema: schema},
		Database: db, Schema: schema, Alias: "country_codes",
	}
	stg := model("stg_loans", "staging", "select * from {{ source('raw', 'loans') }}",
		[]string{"source.fh.raw.loans"}, map[string]any{"schema": "staging", "materialized": "view"})
	stg.Tags = []string{"staging"}
	stg.Config.Tags = []string{"staging"}
	stg.Description = "one row per loan"
	model("stg_payments", "staging", "select * from {{ source('raw', 'payments') }}",
		[]string{"source.fh.raw.payments"}, map[string]any{"schema": "staging", "materialized": "view"})
	intm := model("int_loan_balances", "intermediate", "select {{ cents_to_dollars('amount') }} from {{ ref('stg_loans') }} join {{ ref('stg_payments') }}",
		[]string{"model.fh.stg_loans", "model.fh.stg_payments"}, map[string]any{"materialized": "table"})
	intm.DependsOn.Macros = []string{"macro.fh.cents_to_dollars"}
	fct := model("fct_loans", "marts", "select {{ format_money('b') }} from {{ ref('int_loan_balances') }} join {{ ref('country_codes') }}",
		[]string{"model.fh.int_loan_balances", "seed.fh.country_codes"},
		map[string]any{"materialized": "incremental", "unique_key": []any{"loan_id"}, "tags": []any{"finance", "nightly"}, "meta": map[string]any{"owner": "risk"}})
	fct.Config.Materialized = "incremental"
	fct.Config.UniqueKey = []string{"loan_id"}
	fct.Config.Tags = []string{"finance", "nightly"}
	fct.Tags = []string{"finance", "nightly"}
	fct.Config.Meta = map[string]any{"owner": "risk"}
	fct.DependsOn.Macros = []string{"macro.fh.format_money", "macro.dbt.is_incremental"}
	dim := model("dim_customers", "marts", "select * from {{ ref('stg_loans') }}",
		[]string{"model.fh.stg_loans"}, map[string]any{"materialized": "table", "persist_docs": map[string]any{"relation": true, "columns": true}})
	dim.Config.PersistDocs = map[string]any{"relation": true, "columns": true}
	dim.Description = "customers"
	dim.Columns = map[string]*manifest.Column{"customer_id": {Name: "customer_id", Description: "the key"}}

	test("test.fh.not_null_stg_loans_loan_id.1a", "not_null_stg_loans_loan_id", []string{"model.fh.stg_loans"}, "not_null", "models/staging/_schema.yml")
	test("test.fh.relationships_fct_loans_customer_id.2b", "relationships_fct_loans_customer_id", []string{"model.fh.fct_loans", "model.fh.dim_customers"}, "relationships", "models/marts/_schema.yml")
	test("test.fh.relationships_int_loan_balances_loan_id.4d", "relationships_int_loan_balances_loan_id", []string{"model.fh.int_loan_balances", "model.fh.stg_loans"}, "relationships", "models/intermediate/_schema.yml")
	test("test.fh.assert_positive_balance", "assert_positive_balance", []string{"model.fh.fct_loans"}, "", "tests/assert_positive_balance.sql")
	test("test.fh.source_not_null_raw_loans_id.3c", "source_not_null_raw_loans_id", []string{"source.fh.raw.loans"}, "not_null", "models/staging/_sources.yml")

	snap := &manifest.Node{
		UniqueID: "snapshot.fh.customer_tiers", ResourceType: manifest.Snapshot, Name: "customer_tiers", PackageName: "fh",
		OriginalFilePath: "snapshots/customer_tiers.sql", FQN: []string{"fh", "customer_tiers", "customer_tiers"},
		RawCode:          "{% snapshot customer_tiers %}select * from {{ ref('stg_loans') }}{% endsnapshot %}",
		Config:           manifest.Config{Enabled: true, Materialized: "snapshot", Strategy: "check", TargetSchema: "snapshots_" + target},
		UnrenderedConfig: map[string]any{"strategy": "check", "target_schema": "{{ 'snapshots_' ~ target.name }}"},
		DependsOn:        manifest.DependsOn{Nodes: []string{"model.fh.stg_loans"}},
	}
	m.Nodes[snap.UniqueID] = snap
	m.Nodes["model.utils.calendar"] = &manifest.Node{
		UniqueID: "model.utils.calendar", ResourceType: manifest.Model, Name: "calendar", PackageName: "utils",
		OriginalFilePath: "models/calendar.sql", FQN: []string{"utils", "calendar"}, RawCode: "select 1",
		Config: manifest.Config{Enabled: true, Materialized: "table"},
	}

	m.Macros["macro.fh.cents_to_dollars"] = &manifest.Macro{UniqueID: "macro.fh.cents_to_dollars", Name: "cents_to_dollars",
		PackageName: "fh", MacroSQL: "{% macro cents_to_dollars(c) %}({{ c }} / 100.0){% endmacro %}",
		Checksum: manifest.Checksum{Name: "sha256", Checksum: "m1"}}
	fm := &manifest.Macro{UniqueID: "macro.fh.format_money", Name: "format_money", PackageName: "fh",
		MacroSQL: "{% macro format_money(c) %}round({{ cents_to_dollars(c) }}, 2){% endmacro %}",
		Checksum: manifest.Checksum{Name: "sha256", Checksum: "f1"}}
	fm.DependsOn.Macros = []string{"macro.fh.cents_to_dollars"}
	m.Macros[fm.UniqueID] = fm
	return m
}

// short names the fixture's ids for readable test tables.
var short = map[string]string{
	"loans":         "source.fh.raw.loans",
	"payments":      "source.fh.raw.payments",
	"country_codes": "seed.fh.country_codes",
	"stg_loans":     "model.fh.stg_loans",
	"stg_payments":  "model.fh.stg_payments",
	"int":           "model.fh.int_loan_balances",
	"fct":           "model.fh.fct_loans",
	"dim":           "model.fh.dim_customers",
	"calendar":      "model.utils.calendar",
	"t_notnull":     "test.fh.not_null_stg_loans_loan_id.1a",
	"t_rel":         "test.fh.relationships_fct_loans_customer_id.2b",
	"t_rel_int":     "test.fh.relationships_int_loan_balances_loan_id.4d",
	"t_singular":    "test.fh.assert_positive_balance",
	"t_source":      "test.fh.source_not_null_raw_loans_id.3c",
	"snap":          "snapshot.fh.customer_tiers",
}
