package compile

import (
	"context"
	"strings"
	"testing"
)

const dateaddCall = `{{ dateadd('day', 1, 'd') }}|{{ dbt.dateadd('day', 1, 'd') }}|{{ adapter.dispatch('dateadd', 'dbt')('day', 1, 'd') }}|{{ last_day('d', 'month') }}`

// TestGlobalMacroOverride: a project macro replaces a global one as in dbt. A
// project `dateadd` replaces the unqualified name only (dbt.dateadd stays
// dbt's); a project <adapter>__dateadd or default__dateadd is what
// adapter.dispatch finds, so it also changes dbt.dateadd and the macros built
// on it (last_day).
func TestGlobalMacroOverride(t *testing.T) {
	cases := []struct {
		name, typ, macro string
		want             []string // per call of dateaddCall
	}{
		{"no override", "duckdb", "", []string{
			"(d + cast(1 as bigint) * interval 1 day)",
			"(d + cast(1 as bigint) * interval 1 day)",
			"(d + cast(1 as bigint) * interval 1 day)",
			"cast(((date_trunc('month', d) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date)",
		}},
		{"project dateadd replaces the unqualified name", "duckdb",
			`{% macro dateadd(datepart, interval, from_date_or_timestamp) %}mine({{ datepart }}){% endmacro %}`,
			[]string{
				"mine(day)",
				"(d + cast(1 as bigint) * interval 1 day)",
				"(d + cast(1 as bigint) * interval 1 day)",
				"cast(((date_trunc('month', d) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date)",
			}},
		{"project adapter variant wins over the global one", "postgres",
			`{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) %}pg({{ datepart }},{{ interval }}){% endmacro %}`,
			[]string{"pg(day,1)", "pg(day,1)", "pg(day,1)", "cast(pg(day,-1) as date)"}},
		{"project default__ wins where the global project has no adapter variant", "snowflake",
			`{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}dflt({{ datepart }},{{ interval }}){% endmacro %}`,
			[]string{"dflt(day,1)", "dflt(day,1)", "dflt(day,1)", "cast(dflt(day,-1) as date)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			extra := map[string]string{}
			if tc.macro != "" {
				extra["macros/override.sql"] = tc.macro
			}
			got := strings.Split(renderFor(t, tc.typ, dateaddCall, extra), "|")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d parts %q", len(got), got)
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("call %d:\n got %s\nwant %s", i+1, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestGlobalMacroDefaultOverrideBeatsAdapterVariant is how dbt searches
// adapter.dispatch(name, 'dbt'): package by package (the root project, then
// dbt), and within a package <adapter>__ before default__. So a project's
// default__dateadd beats dbt's own postgres__dateadd.
func TestGlobalMacroDefaultOverrideBeatsAdapterVariant(t *testing.T) {
	got := renderFor(t, "postgres", `{{ dbt.dateadd('day', 1, 'd') }}`, map[string]string{
		"macros/override.sql": `{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}dflt{% endmacro %}`,
	})
	if got != "dflt" {
		t.Errorf("got %q, want the project's default__dateadd", got)
	}
}

// TestNamingMacrosMatchGo: the global project's generate_*_name macros place
// every node where strata's built-in rules (used when the project overrides
// none) place it; a project that delegates to them changes nothing.
func TestNamingMacrosMatchGo(t *testing.T) {
	files := map[string]string{
		"models/plain.sql":    "select 1 as id",
		"models/custom.sql":   "{{ config(schema='marts', alias='custom_alias') }} select 1 as id",
		"models/spaced.sql":   "{{ config(schema=' staging ') }} select 1 as id",
		"models/other_db.sql": "{{ config(database='other_db', schema='raw') }} select 1 as id",
	}
	relations := func(files map[string]string) map[string]string {
		m := mustCompile(t, files)
		out := map[string]string{}
		for id, n := range m.Nodes {
			out[id] = n.RelationName
		}
		return out
	}
	builtin := relations(files)
	if builtin["model.proj.custom"] != `"db"."analytics_marts"."custom_alias"` {
		t.Fatalf("built-in rule changed: %s", builtin["model.proj.custom"])
	}
	delegating := map[string]string{"macros/naming.sql": `
{% macro generate_schema_name(custom_schema_name, node) %}{{ dbt.generate_schema_name(custom_schema_name, node) }}{% endmacro %}
{% macro generate_database_name(custom_database_name, node) %}{{ dbt.generate_database_name(custom_database_name, node) }}{% endmacro %}
{% macro generate_alias_name(custom_alias_name, node) %}{{ dbt.generate_alias_name(custom_alias_name, node) }}{% endmacro %}`}
	for k, v := range files {
		delegating[k] = v
	}
	viaMacros := relations(delegating)
	for _, id := range sortedKeys(builtin) {
		if builtin[id] != viaMacros[id] {
			t.Errorf("%s: built-in %s, through the macros %s", id, builtin[id], viaMacros[id])
		}
	}
}

// TestGenerateSchemaNameForEnv: a project's generate_schema_name calling
// generate_schema_name_for_env keeps the target schema off prod and uses the
// custom schema alone on prod.
func TestGenerateSchemaNameForEnv(t *testing.T) {
	for target, want := range map[string]string{"dev": `"db"."analytics"."m"`, "prod": `"db"."marts"."m"`} {
		p := memProject(t, map[string]string{
			"models/m.sql": "{{ config(schema='marts') }} select 1 as id",
			"macros/naming.sql": `{% macro generate_schema_name(custom_schema_name, node) -%}
{{ generate_schema_name_for_env(custom_schema_name, node) }}
{%- endmacro %}`,
		})
		o := testOptions(p)
		o.Target.Name = target
		m, ds := Compile(context.Background(), o)
		if ds.HasErrors() {
			t.Fatal(ds.Err())
		}
		if got := m.Nodes["model.proj.m"].RelationName; got != want {
			t.Errorf("target %s: %s, want %s", target, got, want)
		}
	}
}

// TestGlobalMacroErrorPosition: an error raised inside a global macro names
// the global project's file and the line of the raise.
func TestGlobalMacroErrorPosition(t *testing.T) {
	cases := []struct{ typ, call, file, raise string }{
		{"duckdb", "{{ date(2024, 13, 1) }}", "dates.sql", "is not a calendar date"},
		{"postgres", "{{ datediff('a', 'b', 'fortnight') }}", "dates.sql", "does not support datepart"},
		{"postgres", "{{ generate_series(0) }}", "date_spine.sql", "must be positive"},
	}
	files := map[string]string{}
	for _, f := range globalMacroFiles() {
		files[f.path] = f.src
	}
	for _, tc := range cases {
		path := "<strata>/globalproject/" + tc.file
		src, ok := files[path]
		if !ok {
			t.Fatalf("no global file %s", path)
		}
		line := 0
		for i, l := range strings.Split(src, "\n") {
			if strings.Contains(l, tc.raise) {
				line = i + 1
			}
		}
		p := memProject(t, map[string]string{"models/m.sql": "select " + tc.call})
		o := testOptions(p)
		o.Dialect = adapterDialect{typ: tc.typ}
		_, ds := Compile(context.Background(), o)
		if !ds.HasErrors() {
			t.Errorf("%s: no error", tc.call)
			continue
		}
		d := ds[0]
		if d.File != path || d.Line != line || !strings.Contains(d.Detail, tc.raise) {
			t.Errorf("%s: got %s:%d %q, want %s:%d and %q", tc.call, d.File, d.Line, d.Detail, path, line, tc.raise)
		}
	}
}

// TestAcceptedValuesQuotesLiterals: quoted values become SQL string literals
// (a quote doubled; on Snowflake a backslash doubled too); quote: false pastes
// them as written.
func TestAcceptedValuesQuotesLiterals(t *testing.T) {
	files := func() map[string]string {
		return map[string]string{
			"models/m.sql": "select 'x' as s, 1 as n",
			"models/m.yml": `version: 2
models:
  - name: m
    columns:
      - name: s
        tests:
          - accepted_values: {values: ["it's", 'a\b', plain]}
      - name: n
        tests:
          - accepted_values: {values: [1, 2], quote: false}
`,
		}
	}
	for typ, want := range map[string]string{
		"duckdb":    `'it''s','a\b','plain'`,
		"postgres":  `'it''s','a\b','plain'`,
		"snowflake": `'it''s','a\\b','plain'`,
	} {
		m := compileProjectFor(t, typ, files(), "")
		var quoted, unquoted string
		for _, n := range m.Nodes {
			switch n.ColumnName {
			case "s":
				quoted = n.CompiledCode
			case "n":
				unquoted = n.CompiledCode
			}
		}
		if !strings.Contains(quoted, "not in (\n    "+want+"\n)") {
			t.Errorf("%s: quoted values:\n%s\nwant %s", typ, quoted, want)
		}
		if !strings.Contains(unquoted, "not in (\n    1,2\n)") {
			t.Errorf("%s: unquoted values:\n%s", typ, unquoted)
		}
	}
}

// TestNamingMacroDispatchOverride: dbt's generate_schema_name dispatches, so a
// project's default__generate_schema_name decides where models go, as does a
// project generate_schema_name itself.
func TestNamingMacroDispatchOverride(t *testing.T) {
	for _, macro := range []string{
		`{% macro default__generate_schema_name(custom_schema_name, node) %}{{ custom_schema_name or 'flat' }}{% endmacro %}`,
		`{% macro generate_schema_name(custom_schema_name, node) %}{{ custom_schema_name or 'flat' }}{% endmacro %}`,
	} {
		m := compileProjectFor(t, "duckdb", map[string]string{
			"models/a.sql":        "select 1 as id",
			"models/b.sql":        "{{ config(schema='marts') }}select 1 as id",
			"macros/override.sql": macro,
		}, "")
		if got := m.Nodes["model.proj.a"].Schema; got != "flat" {
			t.Errorf("%s: a's schema = %q, want flat", macro, got)
		}
		if got := m.Nodes["model.proj.b"].Schema; got != "marts" {
			t.Errorf("%s: b's schema = %q, want marts", macro, got)
		}
	}
}
