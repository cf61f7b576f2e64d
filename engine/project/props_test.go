package project

import (
	"reflect"
	"strings"
	"testing"
)

func TestTestSpecSpellings(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want TestSpec
	}{
		{"bare name", "- not_null", TestSpec{Name: "not_null"}},
		{"name with null body", "- unique:", TestSpec{Name: "unique"}},
		{"namespaced", "- dbt_utils.expression_is_true:\n    expression: \"x > 0\"",
			TestSpec{Name: "dbt_utils.expression_is_true", Args: map[string]any{"expression": "x > 0"}}},
		{"args and config", "- accepted_values:\n    values: [a, b]\n    quote: false\n    config: {severity: warn, where: \"x > 1\"}",
			TestSpec{Name: "accepted_values", Args: map[string]any{"values": []any{"a", "b"}, "quote": false},
				Config: map[string]any{"severity": "warn", "where": "x > 1"}}},
		{"top-level config keys", "- relationships:\n    to: ref('users')\n    field: id\n    severity: warn\n    where: \"id is not null\"\n    limit: 5\n    store_failures: true",
			TestSpec{Name: "relationships", Args: map[string]any{"to": "ref('users')", "field": "id"},
				Config: map[string]any{"severity": "warn", "where": "id is not null", "limit": 5, "store_failures": true}}},
		{"dbt 1.10 arguments block", "- accepted_values:\n    arguments:\n      values: [1, 2]\n    config:\n      severity: warn\n    name: status_ok\n    description: statuses",
			TestSpec{Name: "accepted_values", Alias: "status_ok", Description: "statuses", Args: map[string]any{"values": []any{1, 2}},
				Config: map[string]any{"severity": "warn"}}},
		{"test_name form", "- name: loans_unique\n  test_name: unique\n  column_name: \"loan_id || user_id\"\n  config:\n    error_if: \">10\"",
			TestSpec{Name: "unique", Alias: "loans_unique", Args: map[string]any{"column_name": "loan_id || user_id"},
				Config: map[string]any{"error_if": ">10"}}},
		{"test_name form with arguments", "- name: ok_status\n  test_name: accepted_values\n  arguments: {values: [x]}\n  severity: warn",
			TestSpec{Name: "accepted_values", Alias: "ok_status", Args: map[string]any{"values": []any{"x"}},
				Config: map[string]any{"severity": "warn"}}},
		{"config block wins over a top-level key", "- not_null:\n    severity: warn\n    config: {severity: error}",
			TestSpec{Name: "not_null", Config: map[string]any{"severity": "error"}}},
		{"jinja kept unrendered", "- accepted_values:\n    values: \"{{ var('statuses') }}\"",
			TestSpec{Name: "accepted_values", Args: map[string]any{"values": "{{ var('statuses') }}"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := "models:\n  - name: m\n    data_tests:\n" + indent(c.yaml, "      ")
			pf, ds := parseProperties("models/_m.yml", []byte(body))
			if len(ds) > 0 {
				t.Fatalf("diagnostics: %v", messages(ds))
			}
			if len(pf.Models) != 1 || len(pf.Models[0].Tests) != 1 {
				t.Fatalf("parsed %+v", pf.Models)
			}
			got := *pf.Models[0].Tests[0]
			want := c.want
			if want.Args == nil {
				want.Args = map[string]any{}
			}
			if want.Config == nil {
				want.Config = map[string]any{}
			}
			want.Line = 4
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const propsFile = `version: 2

models:
  - name: stg_loans
    description: "One row per loan"
    config:
      materialized: table
      tags: [a]
    meta: {owner: risk}
    tags: nightly
    docs: {show: false}
    tests:
      - dbt_utils.unique_combination_of_columns:
          combination_of_columns: [loan_id, user_id]
    columns:
      - name: loan_id
        description: key
        data_type: integer
        quote: true
        tests: [unique, not_null]
      - name: status
        config: {meta: {pii: false}, tags: [t1]}
        data_tests:
          - accepted_values: {values: [active, closed]}
    access: public

seeds:
  - name: bank_users
    config:
      column_types: {id: bigint}

snapshots:
  - name: loans_snapshot
    description: history

sources:
  - name: bank
    schema: "{{ target.schema }}_raw"
    database: lake
    loader: fivetran
    loaded_at_field: _loaded_at
    freshness:
      warn_after: {count: 12, period: hour}
      error_after: {count: 1, period: day}
      filter: "_loaded_at > now() - interval '7 days'"
    tables:
      - name: loans
        identifier: "{{ var('loans_table', 'bank_loans') }}"
        columns:
          - name: id
            tests: [not_null]
      - name: users
        freshness: null
        tests:
          - dbt_utils.recency: {datepart: day, field: created_at, interval: 1}
      - name: payments
        freshness:
          warn_after: {count: 30, period: minute}
  - name: pg
    tables:
      - name: merchants

macros:
  - name: json_text
    description: docs only

exposures:
  - name: dashboard
    type: dashboard
    owner: {name: Ana}
`

func TestPropertiesFile(t *testing.T) {
	pf, ds := parseProperties("models/_props.yml", []byte(propsFile))
	if len(ds) > 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(messages(ds), "\n"))
	}
	if pf.Version != 2 || pf.Path != "models/_props.yml" {
		t.Errorf("version %d path %q", pf.Version, pf.Path)
	}
	if len(pf.Models) != 1 || len(pf.Seeds) != 1 || len(pf.Snapshots) != 1 || len(pf.Sources) != 2 {
		t.Fatalf("models %d seeds %d snapshots %d sources %d", len(pf.Models), len(pf.Seeds), len(pf.Snapshots), len(pf.Sources))
	}
	m := pf.Models[0]
	if m.Name != "stg_loans" || m.Description != "One row per loan" || m.Line != 4 ||
		!reflect.DeepEqual(m.Config, map[string]any{"materialized": "table", "tags": []any{"a"}, "access": "public"}) ||
		!reflect.DeepEqual(m.Meta, map[string]any{"owner": "risk"}) || !reflect.DeepEqual(m.Tags, []string{"nightly"}) ||
		!reflect.DeepEqual(m.Docs, map[string]any{"show": false}) {
		t.Errorf("model = %+v", m)
	}
	if len(m.Tests) != 1 || m.Tests[0].Name != "dbt_utils.unique_combination_of_columns" || m.Tests[0].Line != 13 {
		t.Errorf("model tests = %+v", m.Tests)
	}
	if len(m.Columns) != 2 {
		t.Fatalf("columns = %+v", m.Columns)
	}
	c0, c1 := m.Columns[0], m.Columns[1]
	if c0.Name != "loan_id" || c0.DataType != "integer" || c0.Quote == nil || !*c0.Quote || c0.Line != 16 ||
		len(c0.Tests) != 2 || c0.Tests[0].Name != "unique" || c0.Tests[1].Name != "not_null" || c0.Tests[1].Line != 20 {
		t.Errorf("column 0 = %+v", c0)
	}
	if !reflect.DeepEqual(c1.Meta, map[string]any{"pii": false}) || !reflect.DeepEqual(c1.Tags, []string{"t1"}) ||
		len(c1.Tests) != 1 || !reflect.DeepEqual(c1.Tests[0].Args, map[string]any{"values": []any{"active", "closed"}}) {
		t.Errorf("column 1 = %+v", c1)
	}

	s := pf.Sources[0]
	if s.Name != "bank" || s.Schema != "{{ target.schema }}_raw" || s.Database != "lake" || s.Loader != "fivetran" ||
		s.LoadedAtField != "_loaded_at" || s.Line != 37 {
		t.Errorf("source = %+v", s)
	}
	wantF := &FreshnessProps{WarnAfter: &PeriodProps{12, "hour"}, ErrorAfter: &PeriodProps{1, "day"}, Filter: "_loaded_at > now() - interval '7 days'"}
	if !reflect.DeepEqual(s.Freshness, wantF) {
		t.Errorf("freshness = %+v", s.Freshness)
	}
	if len(s.Tables) != 3 {
		t.Fatalf("tables = %+v", s.Tables)
	}
	loans, users, payments := s.Tables[0], s.Tables[1], s.Tables[2]
	if loans.Identifier != "{{ var('loans_table', 'bank_loans') }}" || loans.Freshness != nil || len(loans.Columns) != 1 || loans.Line != 47 {
		t.Errorf("loans = %+v", loans)
	}
	if users.Identifier != "users" || !reflect.DeepEqual(users.Freshness, &FreshnessProps{Null: true}) || len(users.Tests) != 1 {
		t.Errorf("users = %+v", users)
	}
	if !reflect.DeepEqual(payments.Freshness, &FreshnessProps{WarnAfter: &PeriodProps{30, "minute"}}) {
		t.Errorf("payments freshness = %+v", payments.Freshness)
	}
	if pg := pf.Sources[1]; pg.Schema != "pg" || pg.Freshness != nil || pg.Tables[0].Identifier != "merchants" {
		t.Errorf("source pg = %+v", pg)
	}
}

func TestPropertiesProblems(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key warns with a suggestion", "models:\n  - name: m\n    descripton: x\n",
			[]string{`warning: f.yml:3:5: unknown key: model "m" has no key "descripton"; did you mean "description"?`}},
		{"config outside config:", "models:\n  - name: m\n    materialized: table\n",
			[]string{`warning: f.yml:3:5: misplaced config: "materialized" is a config: move it under config: in model "m"; here it is ignored`}},
		{"near-miss top-level key is a warning", "model:\n  - name: m\n",
			[]string{`warning: f.yml:1:1: unknown key: a properties file has no key "model"; did you mean "models"?`}},
		{"unsupported block warns", "metrics:\n  - name: u\n",
			[]string{`warning: f.yml:1:1: ignored properties: strata does not support metrics yet; this block is ignored`}},
		{"models must be a list", "models:\n  name: m\n",
			[]string{`error: f.yml:2:3: wrong type: models must be a list (entries starting with "- "), not a mapping`}},
		{"missing name", "models:\n  - description: x\n",
			[]string{`error: f.yml:2:5: missing name: every entry under models: needs name: the model it describes`}},
		{"test with two names", "models:\n  - name: m\n    columns:\n      - name: c\n        tests:\n          - not_null:\n            unique:\n",
			[]string{`error: f.yml:6:13: invalid test: a test entry of column "c" of model "m" must name exactly one test, got not_null, unique; indent the test's arguments under its name, or use name: and test_name:`}},
		{"test args not a mapping", "models:\n  - name: m\n    tests:\n      - accepted_values: [a, b]\n",
			[]string{`error: f.yml:4:26: invalid test: the arguments of test accepted_values on model "m" must be a mapping such as {values: [...]}, not a list`}},
		{"bad freshness period", "sources:\n  - name: s\n    freshness: {warn_after: {count: 1, period: week}}\n    tables: [{name: t}]\n",
			[]string{`error: f.yml:3:48: invalid freshness: period in warn_after of source "s" must be minute, hour or day, not "week"`}},
		{"freshness needs count and period", "sources:\n  - name: s\n    tables:\n      - name: t\n        freshness: {error_after: {count: 2}}\n",
			[]string{`error: f.yml:5:34: invalid freshness: error_after of table "t" of source "s" needs both count: and period:, e.g. {count: 12, period: hour}`}},
		{"unquoted jinja", "sources:\n  - name: s\n    schema: {{ target.schema }}\n",
			[]string{`error: f.yml:3:13: unquoted jinja: schema starts with {{ and YAML reads that as a mapping; put the value in quotes: "{{ ... }}"`}},
		{"version 1", "version: 1\n",
			[]string{`error: f.yml:1:10: unsupported properties version: version: 1 is not supported; write version: 2 or leave it out`}},
		{"every problem in one pass", "models:\n  - name: a\n    colums: []\n  - name: b\n    tests: [{}]\n",
			[]string{
				`warning: f.yml:3:5: unknown key: model "a" has no key "colums"; did you mean "columns"?`,
				`error: f.yml:5:13: empty test: a test entry of model "b" is empty; write the test's name, e.g. - not_null`,
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ds := parseProperties("f.yml", []byte(c.yaml))
			if got := messages(ds); !reflect.DeepEqual(got, c.want) {
				t.Errorf("diagnostics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestYAMLAnchorsAndMerges(t *testing.T) {
	body := `models:
  - name: a
    config: &cfg
      materialized: table
      tags: [x]
  - name: b
    config:
      <<: *cfg
      materialized: view
`
	pf, ds := parseProperties("f.yml", []byte(body))
	if len(ds) > 0 {
		t.Fatalf("diagnostics: %v", messages(ds))
	}
	if !reflect.DeepEqual(pf.Models[1].Config, map[string]any{"materialized": "view", "tags": []any{"x"}}) {
		t.Errorf("merged config = %#v", pf.Models[1].Config)
	}
}
