package project

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const resourcesFile = `version: 2
groups:
  - name: finance
    owner: {name: Fin Team, email: fin@example.com, slack: "#fin"}
models:
  - name: dim_customers
    access: private
    group: finance
    config:
      contract: {enforced: true}
    latest_version: 1
    deprecation_date: "2030-01-01"
    constraints:
      - type: primary_key
        columns: [id]
    columns:
      - name: id
        data_type: int
        constraints:
          - type: not_null
          - type: check
            expression: "id > 0"
            name: positive_id
      - name: name
        data_type: varchar
    versions:
      - v: 1
      - v: 2
        defined_in: dim_customers_next
        config: {materialized: view}
        columns:
          - include: all
            exclude: [name]
          - name: full_name
            data_type: text
unit_tests:
  - name: test_ids
    model: dim_customers
    description: ids survive
    given:
      - input: ref('stg_customers')
        rows:
          - {id: 1, name: a}
      - input: source('raw', 'users')
        format: csv
        rows: |
          id,name
          2,b
      - input: ref('other')
        format: sql
        fixture: other_rows
    expect:
      rows:
        - {id: 1}
    overrides:
      macros: {is_incremental: true}
      vars: {x: 1}
      env_vars: {E: v}
    config: {tags: [unit]}
    versions: {include: [2]}
exposures:
  - name: weekly_kpis
    label: Weekly KPIs
    type: dashboard
    maturity: high
    url: https://bi.example.com/1
    depends_on: ["ref('dim_customers')", "source('raw', 'users')"]
    owner: {name: Ana, email: ana@example.com}
    tags: [exec]
`

func TestResourcesParse(t *testing.T) {
	pf, ds := parseProperties("models/_res.yml", []byte(resourcesFile))
	if len(ds) > 0 {
		t.Fatalf("diagnostics: %v", messages(ds))
	}
	if len(pf.Groups) != 1 || pf.Groups[0].Owner.Email != "fin@example.com" || pf.Groups[0].Owner.Extra["slack"] != "#fin" {
		t.Errorf("groups: %+v", pf.Groups)
	}
	m := pf.Models[0]
	if m.Config["access"] != "private" || m.Config["group"] != "finance" {
		t.Errorf("access/group not merged into config: %v", m.Config)
	}
	if c, _ := m.Config["contract"].(map[string]any); c["enforced"] != true {
		t.Errorf("contract: %v", m.Config)
	}
	if m.LatestVersion != "1" || m.DeprecationDate != "2030-01-01" {
		t.Errorf("latest %q deprecation %q", m.LatestVersion, m.DeprecationDate)
	}
	if len(m.Constraints) != 1 || m.Constraints[0].Type != "primary_key" || !reflect.DeepEqual(m.Constraints[0].Columns, []string{"id"}) {
		t.Errorf("model constraints: %+v", m.Constraints)
	}
	if cs := m.Columns[0].Constraints; len(cs) != 2 || cs[1].Expression != "id > 0" || cs[1].Name != "positive_id" {
		t.Errorf("column constraints: %+v", cs)
	}
	if len(m.Versions) != 2 {
		t.Fatalf("versions: %+v", m.Versions)
	}
	v2 := m.Versions[1]
	if v2.V != "2" || v2.DefinedIn != "dim_customers_next" || v2.Include != "all" || !reflect.DeepEqual(v2.Exclude, []string{"name"}) ||
		len(v2.Columns) != 1 || v2.Columns[0].Name != "full_name" || v2.Config["materialized"] != "view" {
		t.Errorf("version 2: %+v", v2)
	}
	if VersionFile("dim_customers", m.Versions[0]) != "dim_customers_v1" || VersionFile("dim_customers", v2) != "dim_customers_next" {
		t.Errorf("version files")
	}
	u := pf.UnitTests[0]
	if u.Name != "test_ids" || u.Model != "dim_customers" || len(u.Given) != 3 || u.Expect == nil {
		t.Fatalf("unit test: %+v", u)
	}
	if rows, ok := u.Given[0].Rows.([]any); !ok || len(rows) != 1 || u.Given[0].Format != "dict" {
		t.Errorf("dict rows: %#v", u.Given[0])
	}
	if s, ok := u.Given[1].Rows.(string); !ok || !strings.HasPrefix(s, "id,name\n2,b") {
		t.Errorf("csv rows: %#v", u.Given[1].Rows)
	}
	if u.Given[2].Fixture != "other_rows" || u.Given[2].Format != "sql" {
		t.Errorf("fixture input: %#v", u.Given[2])
	}
	if u.Overrides.Macros["is_incremental"] != true || u.Overrides.Vars["x"] != 1 || u.Overrides.EnvVars["E"] != "v" {
		t.Errorf("overrides: %+v", u.Overrides)
	}
	if !reflect.DeepEqual(u.VersionsInclude, []string{"2"}) {
		t.Errorf("versions include: %v", u.VersionsInclude)
	}
	x := pf.Exposures[0]
	if x.Name != "weekly_kpis" || x.Type != "dashboard" || x.Maturity != "high" || len(x.DependsOn) != 2 || x.Owner.Name != "Ana" {
		t.Errorf("exposure: %+v", x)
	}
}

func TestResourcesBadInput(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"unit_tests:\n  - name: t\n    model: m\n", "unit test \"t\" needs expect:"},
		{"unit_tests:\n  - name: t\n    model: m\n    given:\n      - rows: []\n    expect: {rows: []}\n", "needs input:"},
		{"unit_tests:\n  - name: t\n    model: m\n    given:\n      - input: ref('a')\n        format: json\n    expect: {rows: []}\n", "must be dict, csv or sql"},
		{"unit_tests:\n  - name: t\n    model: m\n    given:\n      - input: ref('a')\n        fixture: f\n    expect: {rows: []}\n", "set format: csv or format: sql"},
		{"exposures:\n  - name: e\n    type: dashbord\n    owner: {name: a}\n", "must be one of dashboard"},
		{"exposures:\n  - name: e\n    type: dashboard\n", "needs owner:"},
		{"groups:\n  - name: g\n", "group \"g\" needs owner:"},
		{"models:\n  - name: m\n    constraints:\n      - type: uniq\n        columns: [a]\n", "is not one of not_null"},
		{"models:\n  - name: m\n    columns:\n      - name: a\n        constraints:\n          - type: check\n", "needs expression:"},
		{"models:\n  - name: m\n    constraints:\n      - type: unique\n", "needs columns:"},
		{"models:\n  - name: m\n    versions:\n      - defined_in: x\n", "needs v:"},
	}
	for _, c := range cases {
		_, ds := parseProperties("models/_bad.yml", []byte(c.yaml))
		if !ds.HasErrors() || !strings.Contains(ds.Err().Error(), c.want) {
			t.Errorf("%q: want an error containing %q, got %v", c.yaml, c.want, messages(ds))
		}
	}
}

func TestFixturesAndVersionFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("project.yaml", "name: p\n")
	write("models/m_v1.sql", "select 1 as id")
	write("models/_m.yml", "models:\n  - name: m\n    versions:\n      - v: 1\n      - v: 2\n")
	write("tests/fixtures/rows.csv", "id\n1\n")
	write("tests/fixtures/rows_sql.sql", "select 1 as id")
	write("tests/singular.sql", "select 1 where false")
	p, ds := Load(dir)
	if len(p.Fixtures) != 2 || len(p.Tests) != 1 || p.Tests[0].Name != "singular" {
		t.Errorf("fixtures %v, tests %v", p.Fixtures, p.Tests)
	}
	if !ds.HasErrors() || !strings.Contains(ds.Err().Error(), "version 2 of model \"m\" is defined in m_v2.sql") {
		t.Errorf("missing version file not reported: %v", messages(ds))
	}
	for _, d := range ds {
		if strings.Contains(d.Detail, "properties describe model") {
			t.Errorf("a versioned model's properties are not missing: %v", d)
		}
	}
}
