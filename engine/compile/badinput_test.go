package compile

import (
	"strings"
	"testing"
)

// TestBadInput checks each bad-input case gives exactly one clear message.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"jinja syntax error", map[string]string{"models/m.sql": "select 1\nfrom x\n{% if true %}\nselect 2\n"},
			`models/m.sql:4:9: jinja syntax error: unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'`},
		{"unknown ref", map[string]string{"models/stg_loans.sql": "select 1", "models/m.sql": "select *\nfrom {{ ref('stg_lons') }}"},
			`models/m.sql:2:9: unknown model in ref: ref("stg_lons") names no model, seed or snapshot in the project (did you mean "stg_loans"?)`},
		{"unknown ref inside a block", map[string]string{"models/stg_loans.sql": "select 1", "models/m.sql": "{% if true %}\nselect *\nfrom {{ ref('stg_lons') }}\n{% endif %}"},
			`models/m.sql:3:9: unknown model in ref: ref("stg_lons") names no model, seed or snapshot in the project (did you mean "stg_loans"?)`},
		{"unknown tag", map[string]string{"models/m.sql": "select 1\n{% frobnicate %}\n"},
			`models/m.sql:2:4: jinja syntax error: unknown tag {% frobnicate %} (or an end tag without its beginning); strata supports Jinja's tags plus macro, test, snapshot and docs blocks`},
		{"unknown source", map[string]string{"models/m.sql": "select * from {{ source('raw', 'loans') }}"},
			`models/m.sql:1:18: unknown source: source("raw", "loans") names no source "raw" in the properties YAML`},
		{"unknown source table", map[string]string{
			"models/s.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: loans\n",
			"models/m.sql": "select * from {{ source('raw', 'loan') }}"},
			`models/m.sql:1:18: unknown source table: source("raw", "loan"): source "raw" has no table "loan" (did you mean "loans"?)`},
		{"unknown materialization", map[string]string{"models/m.sql": "{{ config(materialized='tabel') }}\nselect 1"},
			`models/m.sql:1: unknown materialization: m sets materialized "tabel"; valid values are view, table, incremental, ephemeral and the project's {% materialization %} blocks`},
		{"unknown incremental strategy", map[string]string{"models/m.sql": "{{ config(materialized='incremental', incremental_strategy='bad_strategy') }}\nselect 1"},
			`models/m.sql:1: unknown incremental strategy: m sets incremental_strategy "bad_strategy"; testdb accepts append, merge, delete+insert`},
		{"raise_compiler_error in a macro", map[string]string{
			"macros/check.sql": "{% macro check(x) %}\n  {% if x < 0 %}\n    {{ exceptions.raise_compiler_error('x must be positive, got ' ~ x) }}\n  {% endif %}\n{% endmacro %}",
			"models/m.sql":     "select 1\n{{ check(-1) }}"},
			`macros/check.sql:3:19: compilation error: x must be positive, got -1 (while rendering models/m.sql)`},
		{"raise_compiler_error in a model", map[string]string{"models/m.sql": "select 1\n\n{{ exceptions.raise_compiler_error('stop here') }}"},
			`models/m.sql:3:15: compilation error: stop here`},
		{"undefined var", map[string]string{"models/m.sql": "select 1\nwhere x = {{ var('cutoff') }}"},
			`models/m.sql:2:14: undefined var: var("cutoff") is not set: define it under vars: in the project file, pass it with --vars, or give a default`},
		{"env var not set", map[string]string{"models/m.sql": "select '{{ env_var('STRATA_NOPE') }}'"},
			`models/m.sql:1:12: env var not set: env_var("STRATA_NOPE"): the environment variable is not set and no default is given`},
		{"misspelt custom materialization", map[string]string{"macros/mat.sql": "\n{% materialization custom, default %}\n{% endmaterialization %}", "models/m.sql": "{{ config(materialized='custm') }}\nselect 1"},
			`models/m.sql:1: unknown materialization: m sets materialized "custm"; valid values are view, table, incremental, ephemeral and the project's {% materialization %} blocks`},
		{"ref to a disabled model", map[string]string{"models/off.sql": "{{ config(enabled=false) }}\nselect 1", "models/m.sql": "select * from {{ ref('off') }}"},
			`models/m.sql:1: ref to a disabled node: m refers to "off", which is disabled (enabled: false); enable it or remove the ref`},
		{"misspelled macro", map[string]string{"macros/money.sql": "{% macro cents_to_dollars(c) %}{{ c }} / 100{% endmacro %}", "models/m.sql": "select\n  {{ cents_to_dolars('amount') }} as amount"},
			`models/m.sql:2:6: undefined name: 'cents_to_dolars' is undefined in {{ cents_to_dolars('amount') }} (did you mean "cents_to_dollars"?)`},
		{"python error in a macro", map[string]string{"macros/m.sql": "{% macro add(x) %}\n{{ x + 'a' }}\n{% endmacro %}", "models/m.sql": "select {{ add(1) }}"},
			`macros/m.sql:2:6: template error: TypeError: unsupported operand type(s) for +: 'int' and 'str' in {{ x + 'a' }} (while rendering models/m.sql)`},
		{"include", map[string]string{"models/m.sql": "select 1\n{% include 'other.sql' %}"},
			`models/m.sql:2:4: unsupported construct: {% include %}, {% import %} and {% from %} are not supported (here: "other.sql"): call macros by name, they are global across files`},
		{"unknown generic test", map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests: [not_nul]\n"},
			`models/s.yml:6: unknown generic test: no generic test named "not_nul": define it with {% test not_nul(model, column_name) %} in a macro file, or install the package that has it and name it as package.not_nul (did you mean "not_null"?)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := compileFiles(t, tc.files)
			errs := ds.Errors()
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %d:\n%s", len(errs), diagLines(ds))
			}
			got := errs[0].Error()
			if strings.HasSuffix(tc.want, "...") {
				if !strings.HasPrefix(got, strings.TrimSuffix(tc.want, "...")) {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
