package compile

import (
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

func TestModelVersions(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/dim_customers_v1.sql":    "select 1 as id, 'a' as name",
		"models/dim_customers_v2.sql":    "select 1 as id, 'a' as full_name",
		"models/dim_customers_next.sql":  "select 1 as id",
		"models/reads_latest.sql":        "select * from {{ ref('dim_customers') }}",
		"models/reads_pinned.sql":        "select * from {{ ref('dim_customers', v=1) }}",
		"models/reads_pinned_string.sql": "select * from {{ ref('dim_customers', version='3') }}",
		"models/_c.yml": `models:
  - name: dim_customers
    latest_version: 2
    config: {materialized: table}
    columns:
      - name: id
        data_tests: [not_null]
      - name: name
    versions:
      - v: 1
      - v: 2
        columns:
          - include: all
            exclude: [name]
          - name: full_name
      - v: 3
        defined_in: dim_customers_next
        config: {alias: customers_preview}
`,
	})
	v1, v2, v3 := m.Nodes["model.proj.dim_customers.v1"], m.Nodes["model.proj.dim_customers.v2"], m.Nodes["model.proj.dim_customers.v3"]
	if v1 == nil || v2 == nil || v3 == nil {
		t.Fatalf("versions missing: %v", sortedKeys(m.Nodes))
	}
	if v1.Name != "dim_customers" || v1.Version != "1" || v1.LatestVersion != "2" || v1.Alias != "dim_customers_v1" || v1.Config.Materialized != "table" {
		t.Errorf("v1: name %q version %q latest %q alias %q materialized %q", v1.Name, v1.Version, v1.LatestVersion, v1.Alias, v1.Config.Materialized)
	}
	if v3.Alias != "customers_preview" || v3.OriginalFilePath != "models/dim_customers_next.sql" {
		t.Errorf("v3: alias %q file %q", v3.Alias, v3.OriginalFilePath)
	}
	if strings.Join(v1.FQN, ".") != "proj.dim_customers.v1" {
		t.Errorf("fqn %v", v1.FQN)
	}
	if _, ok := v2.Columns["name"]; ok || v2.Columns["full_name"] == nil || v2.Columns["id"] == nil {
		t.Errorf("v2 columns (include all, exclude name, add full_name): %v", sortedKeys(v2.Columns))
	}
	for id, want := range map[string]string{"model.proj.reads_latest": "model.proj.dim_customers.v2",
		"model.proj.reads_pinned": "model.proj.dim_customers.v1", "model.proj.reads_pinned_string": "model.proj.dim_customers.v3"} {
		if got := m.Nodes[id].DependsOn.Nodes; len(got) != 1 || got[0] != want {
			t.Errorf("%s depends on %v, want %s", id, got, want)
		}
	}
	if !strings.Contains(m.Nodes["model.proj.reads_latest"].CompiledCode, `"dim_customers_v2"`) {
		t.Errorf("unpinned ref compiled to %q", m.Nodes["model.proj.reads_latest"].CompiledCode)
	}
	var tests []string
	for id := range m.Nodes {
		if strings.HasPrefix(id, "test.proj.not_null_dim_customers") {
			tests = append(tests, id)
		}
	}
	if len(tests) != 3 || !strings.Contains(strings.Join(tests, " "), "not_null_dim_customers_v2_id") {
		t.Errorf("one not_null test per version, named after the version: %v", tests)
	}
}

func TestModelVersionErrors(t *testing.T) {
	_, ds := compileFiles(t, map[string]string{
		"models/m_v1.sql":  "select 1 as id",
		"models/bad.sql":   "select * from {{ ref('m', v=7) }}",
		"models/plain.sql": "select 1 as id",
		"models/bad2.sql":  "select * from {{ ref('plain', v=1) }}",
		"models/_m.yml":    "models:\n  - name: m\n    versions:\n      - v: 1\n",
	})
	got := diagLines(ds)
	for _, want := range []string{`models/bad.sql:1:18: unknown model version: ref("m", v=7): model m has versions 1`, `model plain has no versions`} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
}

func TestAccessAndGroups(t *testing.T) {
	files := map[string]string{
		"models/finance_model.sql":   "select 1 as id",
		"models/finance_report.sql":  "select * from {{ ref('finance_model') }}",
		"models/marketing_model.sql": "select * from {{ ref('finance_model') }}",
		"models/_m.yml": `groups:
  - name: finance
    owner: {name: Fin}
  - name: marketing
    owner: {email: mkt@example.com}
models:
  - name: finance_model
    access: private
    config: {group: finance}
  - name: finance_report
    config: {group: finance}
  - name: marketing_model
    config: {group: marketing}
`,
	}
	_, ds := compileFiles(t, files)
	got := diagLines(ds)
	want := "error: models/marketing_model.sql:1: private model: node model.proj.marketing_model attempted to reference node model.proj.finance_model, which is not allowed because the referenced node is private to the 'finance' group"
	if !strings.Contains(got, want) {
		t.Errorf("want %q in:\n%s", want, got)
	}
	if strings.Contains(got, "finance_report") {
		t.Errorf("a model of the same group may ref a private model:\n%s", got)
	}
	// Fixed: the marketing model reads a public model instead.
	files["models/marketing_model.sql"] = "select 1 as id"
	m := mustCompile(t, files)
	if n := m.Nodes["model.proj.finance_model"]; n.Access != "private" || n.Group != "finance" || n.Config.Group != "finance" {
		t.Errorf("finance_model access %q group %q", n.Access, n.Group)
	}
	if n := m.Nodes["model.proj.marketing_model"]; n.Access != "protected" {
		t.Errorf("default access %q, want protected", n.Access)
	}
	if g := m.Groups["group.proj.finance"]; g == nil || g.Owner.Name != "Fin" {
		t.Errorf("groups: %v", m.Groups)
	}
}

func TestGovernanceErrors(t *testing.T) {
	_, ds := compileFiles(t, map[string]string{
		"models/a.sql": "select 1 as id",
		"models/b.sql": "select 1 as id",
		"models/c.sql": "select 1 as id",
		"models/d.sql": "{{ config(materialized='ephemeral') }} select 1 as id",
		"models/_m.yml": `groups:
  - name: finance
    owner: {name: Fin}
models:
  - name: a
    access: private
  - name: b
    config: {group: finanse}
  - name: c
    access: secret
    config:
      contract: {enforced: true}
    columns:
      - name: id
  - name: d
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
`,
	})
	got := diagLines(ds)
	for _, want := range []string{
		"private model without a group: a has access: private but belongs to no group",
		`unknown group: b is in group "finanse", which no groups: entry defines (groups: finance); declare it under groups: with an owner, or fix the name (did you mean "finance"?)`,
		`invalid access: c sets access "secret"`,
		"contract without data types: contracted models need a data_type for every column; c has none for id",
		"contract on an ephemeral model: d enforces a contract but is ephemeral",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
}

func TestContractAndConstraintsInManifest(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/parent.sql": "select 1 as id",
		"models/child.sql":  "{{ config(materialized='table') }} select 1 as id, 1 as parent_id",
		"models/_m.yml": `models:
  - name: child
    config:
      contract: {enforced: true}
    constraints:
      - type: primary_key
        columns: [id]
      - type: foreign_key
        columns: [parent_id]
        to: ref('parent')
        to_columns: [id]
    columns:
      - name: id
        data_type: integer
        constraints:
          - type: not_null
          - type: check
            expression: "id > 0"
            warn_unenforced: false
      - name: parent_id
        data_type: integer
`,
	})
	n := m.Nodes["model.proj.child"]
	if n.Contract == nil || !n.Contract.Enforced || n.Config.Contract == nil || !n.Config.Contract.Enforced {
		t.Fatalf("contract: %+v / %+v", n.Contract, n.Config.Contract)
	}
	if len(n.Constraints) != 2 || n.Constraints[1].ToRelation != `"db"."analytics"."parent"` || !n.Constraints[1].WarnUnenforced {
		t.Errorf("model constraints: %+v", n.Constraints)
	}
	cs := n.Columns["id"].Constraints
	if len(cs) != 2 || cs[0].Type != "not_null" || cs[1].Expression != "id > 0" || cs[1].WarnUnenforced {
		t.Errorf("column constraints: %+v", cs)
	}
	if p := m.Nodes["model.proj.parent"]; p.Contract == nil || p.Contract.Enforced || !p.Contract.AliasTypes {
		t.Errorf("unenforced contract default: %+v", p.Contract)
	}
}

func TestExposures(t *testing.T) {
	files := map[string]string{
		"models/fct.sql": "select 1 as id",
		"models/_m.yml": `sources:
  - name: raw
    tables: [{name: users}]
exposures:
  - name: weekly_kpis
    label: Weekly KPIs
    type: dashboard
    maturity: high
    url: https://bi.example.com/1
    depends_on:
      - ref('fct')
      - source('raw', 'users')
      - metric('revenue')
    owner: {name: Ana}
`,
	}
	m, ds := compileFiles(t, files)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if !strings.Contains(diagLines(ds), "metrics are not supported") {
		t.Errorf("metric dependency not warned: %s", diagLines(ds))
	}
	x := m.Exposures["exposure.proj.weekly_kpis"]
	if x == nil || x.ResourceType != manifest.Exposure || strings.Join(x.DependsOn.Nodes, ",") != "model.proj.fct,source.proj.raw.users" ||
		x.Exposure.Label != "Weekly KPIs" || x.Exposure.Owner.Name != "Ana" {
		t.Fatalf("exposure: %+v", x)
	}
	d, gds := manifest.BuildDAG(m)
	if gds.HasErrors() || len(d.Parents("exposure.proj.weekly_kpis")) != 2 {
		t.Errorf("exposure in the graph: %v %v", gds, d.Parents("exposure.proj.weekly_kpis"))
	}
	files["models/_m.yml"] = strings.Replace(files["models/_m.yml"], "ref('fct')", "ref('fcx')", 1)
	_, ds = compileFiles(t, files)
	if !strings.Contains(diagLines(ds), `ref("fcx") names no model`) {
		t.Errorf("unknown ref in an exposure: %s", diagLines(ds))
	}
}

func TestUnitTestCompile(t *testing.T) {
	m, ds := compileFiles(t, map[string]string{
		"models/stg.sql": "select 1 as id, 10 as amount",
		"models/fct.sql": `{{ config(materialized='incremental', unique_key='id') }}
select s.id, s.amount * {{ var('rate', 1) }} as amount, '{{ env_var('REGION', 'in') }}' as region, u.name
from {{ ref('stg') }} s join {{ source('raw', 'users') }} u on u.id = s.id
{% if is_incremental() %} where s.id > (select max(id) from {{ this }}) {% endif %}`,
		"tests/fixtures/users.csv": "id,name\n1,Ana\n",
		"models/_m.yml": `sources:
  - name: raw
    tables:
      - name: users
        columns:
          - {name: id, data_type: integer}
          - {name: name, data_type: varchar}
models:
  - name: stg
    columns:
      - {name: id, data_type: integer}
      - {name: amount}
unit_tests:
  - name: doubles
    model: fct
    given:
      - input: ref('stg')
        format: csv
        rows: |
          id, amount
          1, 10
          2,
      - input: this
        rows: [{id: 0}]
    expect:
      rows:
        - {id: 1, amount: 20, region: eu}
    overrides:
      vars: {rate: 2}
      env_vars: {REGION: eu}
      macros: {is_incremental: true}
  - name: from_fixture
    model: fct
    given:
      - input: source('raw', 'users')
        format: csv
        fixture: users
    expect: {rows: []}
`,
	})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	u := m.UnitTests["unit_test.proj.fct.doubles"]
	if u == nil {
		t.Fatalf("unit tests: %v", sortedKeys(m.UnitTests))
	}
	sql := u.CompiledCode
	for _, want := range []string{"from __dbt__cte__stg s", "join __dbt__cte__raw__users u", "s.amount * 2", "'eu' as region", "from __dbt__cte__this)"} {
		if !strings.Contains(sql, want) {
			t.Errorf("want %q in the unit test SQL:\n%s", want, sql)
		}
	}
	def := u.UnitTest
	if def.ModelID != "model.proj.fct" || len(def.Given) != 3 || strings.Join(u.DependsOn.Nodes, ",") != "model.proj.stg,source.proj.raw.users" {
		t.Fatalf("def: %+v depends %v", def, u.DependsOn.Nodes)
	}
	stg := def.Given[0]
	if stg.CTE != "__dbt__cte__stg" || len(stg.Rows) != 2 || stg.Rows[1]["amount"] != nil || stg.Rows[0]["amount"] != "10" ||
		strings.Join(stg.Columns, ",") != "id,amount" || len(stg.Known) != 2 || stg.Known[0].DataType != "integer" {
		t.Errorf("csv input: %+v", stg)
	}
	if this := def.Given[1]; this.CTE != "__dbt__cte__this" || len(this.Rows) != 1 {
		t.Errorf("this input: %+v", this)
	}
	if users := def.Given[2]; users.CTE != "__dbt__cte__raw__users" || len(users.Rows) != 0 || len(users.Known) != 2 {
		t.Errorf("an input not given is empty, with its declared columns: %+v", users)
	}
	f := m.UnitTests["unit_test.proj.fct.from_fixture"]
	if g := f.UnitTest.Given[0]; len(g.Rows) != 1 || g.Rows[0]["name"] != "Ana" {
		t.Errorf("fixture rows: %+v", g)
	}
	if strings.Contains(f.CompiledCode, "__dbt__cte__this") {
		t.Errorf("is_incremental() is false unless overridden:\n%s", f.CompiledCode)
	}
}

func TestUnitTestOfDisabledModel(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/off.sql": "{{ config(enabled=false) }} select 1 as id",
		"models/_m.yml":  "unit_tests:\n  - name: t\n    model: off\n    expect: {rows: []}\n",
	})
	if len(m.UnitTests) != 0 {
		t.Errorf("a disabled model's unit test was kept: %v", sortedKeys(m.UnitTests))
	}
}

func TestUnitTestErrors(t *testing.T) {
	_, ds := compileFiles(t, map[string]string{
		"models/stg.sql": "select 1 as id",
		"models/fct.sql": "select * from {{ ref('stg') }}",
		"models/_m.yml": `unit_tests:
  - name: wrong_model
    model: fcx
    expect: {rows: []}
  - name: wrong_input
    model: fct
    given:
      - input: ref('fct')
        rows: []
    expect: {rows: []}
  - name: missing_fixture
    model: fct
    given:
      - input: ref('stg')
        format: csv
        fixture: nope
    expect: {rows: []}
`,
	})
	got := diagLines(ds)
	for _, want := range []string{
		`unit test of an unknown model: unit test wrong_model tests model "fcx", which is not an enabled model of this project (did you mean "fct"?)`,
		`input the model does not read: unit test wrong_input gives input ref('fct'), but model fct does not read it (it reads ref('stg'))`,
		`unknown fixture: input ref('stg') of unit test missing_fixture names fixture "nope", but there is no nope.csv in a fixtures/ folder of the test paths`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
}
