package jinja

import (
	"context"
	"fmt"
	"strings"
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

// The benchmarks below follow what compile does with each model of the
// benchmark project (gen_dbt_project.py): parse the file, render it once with
// two per-render variables, while macros are reached through a host callable
// that forwards to Macro.Call, config is a callable object and ref returns a
// relation object. One op is one model; the mix is the generator's (10%
// staging models, the rest joined models with 1 to 3 parents).

// benchRel is a relation object, as ref() returns.
type benchRel struct{ name string }

func (r *benchRel) Attr(name string) (Value, bool) {
	if name == "identifier" {
		return String(r.name), true
	}
	return Value{}, false
}
func (r *benchRel) String() string { return `"db"."main"."` + r.name + `"` }

// benchConfig is config: a callable object.
type benchConfig struct{}

func (benchConfig) Attr(string) (Value, bool)        { return Value{}, false }
func (benchConfig) Call(*State, Args) (Value, error) { return String(""), nil }

// benchHostMacro forwards to a macro, as compile's macroFn does.
type benchHostMacro struct {
	m    *Macro
	used *int
}

func (h *benchHostMacro) Call(s *State, a Args) (Value, error) {
	if p, ok := s.Host().(*int); ok {
		*p++
	}
	return h.m.Call(s, a)
}

type benchHostVars struct{ this, model Value }

func benchCompileEnv(b testing.TB) *Environment {
	env := NewEnvironment()
	mt, err := env.Parse("macros/bench_helpers.sql", benchMacros)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range mt.Macros() {
		env.Globals[m.Name] = CallableValue(&benchHostMacro{m: m})
	}
	env.Globals["config"] = ObjectValue(benchConfig{})
	env.Globals["ref"] = FuncValue("ref", func(_ *State, a Args) (Value, error) {
		return ObjectValue(&benchRel{name: a.Pos[0].Str()}), nil
	})
	env.Globals["source"] = FuncValue("source", func(_ *State, a Args) (Value, error) {
		return ObjectValue(&benchRel{name: a.Pos[1].Str()}), nil
	})
	return env
}

const benchStaging = `{{ config(materialized='view') }}
{% set cols = ['col_a', 'col_b', 'col_c'] %}

select
    id,
    {% for c in cols %}
    {{ bench_clean(c) }} as {{ c }},
    {% endfor %}
    amount
from {{ source('raw', 'raw_N') }}
`

// benchJoined is a joined model with n parents, as gen_dbt_project.py writes it.
func benchJoined(i, n int) string {
	var ctes, joins, aliases []string
	for k := 0; k < n; k++ {
		a := fmt.Sprintf("p%d", k)
		aliases = append(aliases, "'"+a+"'")
		ctes = append(ctes, fmt.Sprintf("%s as (\n    select * from {{ ref('int_%05d') }}\n)", a, (i*7+k*13)%4000))
		if k > 0 {
			joins = append(joins, fmt.Sprintf("left join %s on p0.id = %s.id", a, a))
		}
	}
	return fmt.Sprintf(`{{ config(materialized='view') }}
{%% set cols = ['col_a', 'col_b', 'col_c'] %%}
{%% set parents = [%s] %%}

with %s

select
    p0.id,
    {%% for c in cols %%}
    {%% set qualified = [] %%}
    {%% for p in parents %%}{%% do qualified.append(p ~ '.' ~ c) %%}{%% endfor %%}
    {{ bench_combine(qualified) }} as {{ c }},
    {%% endfor %%}
    {%% set amounts = [] %%}
    {%% for p in parents %%}{%% do amounts.append(p ~ '.amount') %%}{%% endfor %%}
    {{ bench_sum(amounts) }} as amount
from p0
%s
`, strings.Join(aliases, ", "), strings.Join(ctes, ",\n"), strings.Join(joins, "\n"))
}

// benchModels returns 100 model texts in the generator's mix.
func benchModels() []string {
	var out []string
	for i := 0; i < 100; i++ {
		if i%10 == 0 {
			out = append(out, strings.Replace(benchStaging, "raw_N", fmt.Sprintf("raw_%d", i%50), 1))
			continue
		}
		out = append(out, benchJoined(i, 1+i%3))
	}
	return out
}

// BenchmarkCompileModel parses and renders one model, as compile's first
// pass does (the template is dropped afterwards).
func BenchmarkCompileModel(b *testing.B) {
	env := benchCompileEnv(b)
	models := benchModels()
	ctx := context.Background()
	calls := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := models[i%len(models)]
		t, err := env.Parse("models/marts/mart_00001.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		vars := map[string]Value{"this": ObjectValue(&benchRel{name: "mart_00001"}), "model": String("m")}
		if _, err := t.Execute(ctx, vars, RenderOptions{Host: &calls}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileModelParse and BenchmarkCompileModelRender split
// BenchmarkCompileModel in its two halves.
func BenchmarkCompileModelParse(b *testing.B) {
	env := benchCompileEnv(b)
	models := benchModels()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := env.Parse("models/marts/mart_00001.sql", models[i%len(models)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileModelRender(b *testing.B) {
	env := benchCompileEnv(b)
	var ts []*Template
	for _, src := range benchModels() {
		t, err := env.Parse("models/marts/mart_00001.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		ts = append(ts, t)
	}
	ctx := context.Background()
	calls := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vars := map[string]Value{"this": ObjectValue(&benchRel{name: "mart_00001"}), "model": String("m")}
		if _, err := ts[i%len(ts)].Execute(ctx, vars, RenderOptions{Host: &calls}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchModels checks that the benchmark's models render what the
// generator's models render, so the benchmarks measure real work.
func TestBenchModels(t *testing.T) {
	env := benchCompileEnv(t)
	calls := 0
	for i, src := range benchModels()[:4] {
		tm, err := env.Parse("m.sql", src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := tm.Execute(context.Background(), nil, RenderOptions{Host: &calls})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"    trim(lower(col_b)) as col_b,\n",
			"select * from \"db\".\"main\".\"int_00007\"\n),\np1 as (\n    select * from \"db\".\"main\".\"int_00020\"",
			"    coalesce(p0.col_c, p1.col_c, p2.col_c) as col_c,\n    \n    \n    \n    coalesce(p0.amount, 0) + coalesce(p1.amount, 0) + coalesce(p2.amount, 0) as amount\nfrom p0\nleft join p1",
			"    p0.col_b as col_b,\n",
		}[i]
		if !strings.Contains(out, want) {
			t.Errorf("model %d: output lacks %q:\n%s", i, want, out)
		}
	}
	if calls != 3+3*4 {
		t.Errorf("host macro calls = %d, want %d", calls, 3+3*4)
	}
}
