// Package benchgen writes a synthetic strata project for benchmarks: n models in
// staging → intermediate → marts layers, mostly plain templates with ref(),
// source() and config(), some using a macro, a for loop and if blocks, plus a
// properties file with generic tests. The output is deterministic for a given n.
//
// Write is safe for concurrent use with different directories.
package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write creates dir (if needed) and writes project.yaml, models, a macro file
// and schema.yml for a project of n models.
func Write(dir string, n int) error {
	if n < 3 {
		n = 3
	}
	nStg := n * 4 / 10
	nInt := n * 3 / 10
	nMart := n - nStg - nInt
	files := map[string]string{
		"project.yaml": `name: bench
profile: bench
model-paths: ["models"]
macro-paths: ["macros"]
vars:
  start_date: "2020-01-01"
models:
  bench:
    staging:
      +materialized: view
      +tags: ["staging"]
    intermediate:
      +materialized: ephemeral
    marts:
      +materialized: table
      +schema: marts
`,
		"macros/helpers.sql": `{% macro cents_to_dollars(column, scale=2) -%}
round({{ column }} / 100.0, {{ scale }})
{%- endmacro %}

{% macro sum_cols(cols) -%}
{%- for c in cols %}sum({{ c }}) as total_{{ c }}{{ "," if not loop.last }}
{% endfor -%}
{%- endmacro %}
`,
	}
	var src strings.Builder
	src.WriteString("version: 2\nsources:\n  - name: raw\n    schema: \"{{ target.schema }}_raw\"\n    tables:\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&src, "      - name: table_%d\n", i)
	}
	files["models/staging/_sources.yml"] = src.String()

	var schema strings.Builder
	schema.WriteString("version: 2\nmodels:\n")
	for i := 0; i < nStg; i++ {
		name := fmt.Sprintf("stg_%05d", i)
		var body string
		switch i % 10 {
		case 0:
			body = fmt.Sprintf("{{ config(materialized='view', tags=['hourly']) }}\nselect\n    id,\n    {{ cents_to_dollars('amount_cents') }} as amount,\n    created_at\nfrom {{ source('raw', 'table_%d') }}\nwhere created_at >= '{{ var(\"start_date\") }}'\n", i%20)
		default:
			body = fmt.Sprintf("-- staging model %d\nselect\n    id,\n    amount_cents,\n    created_at\nfrom {{ source('raw', 'table_%d') }}\nwhere created_at >= '{{ var('start_date') }}'\n", i, i%20)
		}
		files["models/staging/"+name+".sql"] = body
		if i%5 == 0 {
			fmt.Fprintf(&schema, "  - name: %s\n    columns:\n      - name: id\n        tests: [not_null, unique]\n", name)
		}
	}
	for i := 0; i < nInt; i++ {
		name := fmt.Sprintf("int_%05d", i)
		a, b := fmt.Sprintf("stg_%05d", i%nStg), fmt.Sprintf("stg_%05d", (i*7+3)%nStg)
		var body string
		switch i % 10 {
		case 0:
			body = fmt.Sprintf("{%% set cols = ['amount_cents', 'id'] %%}\nselect\n    a.created_at,\n    {{ sum_cols(cols) }}\nfrom {{ ref('%s') }} a\njoin {{ ref('%s') }} b using (id)\n{%% if target.name == 'prod' %%}\nwhere a.created_at > current_date - 30\n{%% endif %%}\ngroup by 1\n", a, b)
		default:
			body = fmt.Sprintf("select a.id, a.amount_cents, b.created_at\nfrom {{ ref('%s') }} a\njoin {{ ref('%s') }} b using (id)\n", a, b)
		}
		files["models/intermediate/"+name+".sql"] = body
	}
	for i := 0; i < nMart; i++ {
		name := fmt.Sprintf("fct_%05d", i)
		a := fmt.Sprintf("int_%05d", i%max(nInt, 1))
		b := fmt.Sprintf("stg_%05d", (i*3+1)%nStg)
		var body string
		switch i % 10 {
		case 0:
			body = fmt.Sprintf("{{ config(materialized='incremental', unique_key='id') }}\nselect * from {{ ref('%s') }}\n{%% if is_incremental() %%}\nwhere created_at > (select max(created_at) from {{ this }})\n{%% endif %%}\n", a)
		default:
			body = fmt.Sprintf("{{ config(materialized='table') }}\nselect x.*, y.amount_cents as y_amount\nfrom {{ ref('%s') }} x\nleft join {{ ref('%s') }} y on x.id = y.id\n", a, b)
		}
		if nInt == 0 {
			body = fmt.Sprintf("select * from {{ ref('%s') }}\n", b)
		}
		files["models/marts/"+name+".sql"] = body
	}
	files["models/schema.yml"] = schema.String()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("benchgen: %w", err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return fmt.Errorf("benchgen: %w", err)
		}
	}
	return nil
}
