package jinja

import (
	"context"
	"testing"
)

const benchMacros = `{% macro bench_clean(col) -%}
    trim(lower({{ col }}))
{%- endmacro %}

{% macro bench_combine(cols) -%}
    {%- if cols | length == 1 -%}
        {{ cols[0] }}
    {%- else -%}
        coalesce({{ cols | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{% macro bench_sum(cols) -%}
    {%- for c in cols -%}
        coalesce({{ c }}, 0){{ ' + ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
`

// The shape of the benchmark project's joined models (gen_dbt_project.py).
const benchModel = `{{ config(materialized='view') }}
{% set cols = ['col_a', 'col_b', 'col_c'] %}
{% set parents = ['p0', 'p1', 'p2'] %}

with p0 as (
    select * from {{ ref('int_00001') }}
),
p1 as (
    select * from {{ ref('int_00002') }}
),
p2 as (
    select * from {{ ref('int_00003') }}
)

select
    p0.id,
    {% for c in cols %}
    {% set qualified = [] %}
    {% for p in parents %}{% do qualified.append(p ~ '.' ~ c) %}{% endfor %}
    {{ bench_combine(qualified) }} as {{ c }},
    {% endfor %}
    {% set amounts = [] %}
    {% for p in parents %}{% do amounts.append(p ~ '.amount') %}{% endfor %}
    {{ bench_sum(amounts) }} as amount
from p0
left join p1 on p0.id = p1.id
left join p2 on p0.id = p2.id
`

func benchEnv(b *testing.B) (*Environment, *Template) {
	env := NewEnvironment()
	mt, err := env.Parse("macros/bench_helpers.sql", benchMacros)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range mt.Macros() {
		env.Globals[m.Name] = CallableValue(m)
	}
	env.Globals["config"] = FuncValue("config", func(*State, Args) (Value, error) { return String(""), nil })
	env.Globals["ref"] = FuncValue("ref", func(_ *State, a Args) (Value, error) {
		return String(`"db"."main"."` + a.Pos[0].Str() + `"`), nil
	})
	t, err := env.Parse("models/marts/mart_00001.sql", benchModel)
	if err != nil {
		b.Fatal(err)
	}
	return env, t
}

func BenchmarkRenderModel(b *testing.B) {
	_, t := benchEnv(b)
	ctx := context.Background()
	vars := map[string]Value{"this": String("x")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := t.Execute(ctx, vars, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseModel(b *testing.B) {
	env, _ := benchEnv(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := env.Parse("m.sql", benchModel); err != nil {
			b.Fatal(err)
		}
	}
}
