package compile

import (
	"strings"
	"testing"
)

// TestJinjaFeatures renders one model per case and compares its compiled SQL.
func TestJinjaFeatures(t *testing.T) {
	macros := map[string]string{
		"macros/a.sql": `{% macro greet(name, punct='!') %}hello {{ name }}{{ punct }}{% endmacro %}
{% macro cols() %}{{ return(['a', 'b', 'c']) }}{% endmacro %}
{% macro settings() %}{% do return({'k': 1, 'name': 'x'}) %}{% endmacro %}
{% macro wrap() %}<{{ caller() }}>{% endmacro %}
{% macro kw(a) %}{{ a }}:{{ kwargs['b'] }}{% endmacro %}
{% macro rel() %}{{ return(ref('base')) }}{% endmacro %}
{% macro default__thing() %}default thing{% endmacro %}
{% macro testdb__other() %}testdb other{% endmacro %}
{% macro default__other() %}default other{% endmacro %}`,
		"macros/b.sql":    `{% macro shout(x) %}{{ greet(x | upper, punct='!!') }}{% endmacro %}`,
		"models/base.sql": `select 1 as id`,
	}
	cases := []struct{ name, sql, want string }{
		{"macro defaults and kwargs across files", `{{ shout('bob') }} {{ greet('amy') }}`, `hello BOB!! hello amy!`},
		{"return a list", `{{ cols() | join(',') }} {{ cols() | length }}`, `a,b,c 3`},
		{"return a dict", `{% set s = settings() %}{{ s.k }} {{ s['name'] }}`, `1 x`},
		{"return a relation", `{{ rel() }} {{ rel().identifier }}`, `"db"."analytics"."base" base`},
		{"caller", `{% call wrap() %}inner{% endcall %}`, `<inner>`},
		{"kwargs catch-all", `{{ kw(1, b=2) }}`, `1:2`},
		{"append in loop", `{% set xs = [] %}{% for i in range(3) %}{% do xs.append(i) %}{% endfor %}{{ xs | join(',') }}`, `0,1,2`},
		{"list methods", `{% set xs = [3, 1] %}{% do xs.extend([4]) %}{% do xs.insert(0, 9) %}{{ xs.pop() }} {{ xs.index(1) }} {{ xs.count(3) }} {{ xs | join(',') }}`, `4 2 1 9,3,1`},
		{"dict update in loop", `{% set d = {} %}{% for k in ['a','b'] %}{% do d.update({k: k|upper}) %}{% endfor %}{{ d.get('a') }}{{ d.get('b') }}{{ d.get('z', '-') }}`, `AB-`},
		{"dict items and setdefault", `{% set d = {'x': 1} %}{% do d.setdefault('y', 2) %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.pop('x') }}{{ d.keys() | list | length }}`, `x=1;y=2;11`},
		{"set block", `{% set q %}select {{ 1 + 1 }}{% endset %}{{ q }}`, `select 2`},
		{"string methods", `{{ 'a,b'.split(',') | join('|') }} {{ ' x '.strip() }} {{ 'ab'.upper() }} {{ 'ab'.startswith('a') }} {{ 'a-b'.replace('-', '_') }} {{ '{}-{}'.format(1, 2) }} {{ ','.join(['p','q']) }}`, `a|b x AB True a_b 1-2 p,q`},
		{"dispatch", `{{ adapter.dispatch('thing')() }} / {{ adapter.dispatch('other')() }}`, `default thing / testdb other`},
		{"adapter.quote", `{{ adapter.quote('x') }}`, `"x"`},
		{"information_schema", `{{ this.information_schema('columns') }} {{ this.information_schema() }} {{ this.information_schema('tables').schema }}`, `"db".INFORMATION_SCHEMA.columns "db".INFORMATION_SCHEMA INFORMATION_SCHEMA`},
		{"this and target", `{{ this }} {{ this.schema }} {{ target.name }} {{ target.schema }} {{ target.type }} {{ target.threads }}`, `"db"."analytics"."m" analytics dev analytics testdb 4`},
		{"var and env_var", `{{ var('plain') }} {{ var('scoped') }} {{ var('missing', 'dflt') }} {{ env_var('STRATA_TEST_ENV') }} {{ env_var('NOPE', 'd') }}`, `p s dflt from-env d`},
		{"config get", `{{ config(materialized='table', tags=['x']) }}{{ config.get('materialized') }} {{ config.get('nope', 'dd') }}`, `table dd`},
		{"run_started_at and datetime", `{{ run_started_at.strftime('%Y-%m-%d') }} {{ modules.datetime.datetime.now().year }} {{ run_started_at }}`, `2024-05-06 2024 2024-05-06 07:08:09+00:00`},
		{"datetime arithmetic", `{% set td = modules.datetime.timedelta(days=1) %}{{ (run_started_at - td).strftime('%Y-%m-%d') }} {{ (run_started_at + td * 2).day }} {{ (run_started_at - (run_started_at - td)).days }}`, `2024-05-05 8 1`},
		{"re", `{{ modules.re.sub('[0-9]+', '#', 'a1b22') }} {{ modules.re.match('a(b)', 'abc').group(1) }} {{ modules.re.search('z', 'abc') is none }}`, `a#b# b True`},
		{"json", `{{ tojson({'a': [1, 'x']}) }} {{ fromjson('{"n": 3}').n }}`, `{"a":[1,"x"]} 3`},
		{"execute false at parse", `{{ execute }} {{ run_query('select 1').rows | length }}`, `False 0`},
		{"flags and project", `{{ flags.FULL_REFRESH }} {{ project_name }} {{ invocation_id }}`, `False proj test-invocation`},
		{"namespace", `{% set ns = namespace(n=0) %}{% for i in [1,2] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}`, `3`},
		{"loop controls", `{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}`, `02`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{
				"project.yaml": "name: proj\nprofile: proj\nvars:\n  plain: p\n  proj:\n    scoped: s\n",
				"models/m.sql": tc.sql,
			}
			for k, v := range macros {
				files[k] = v
			}
			m := mustCompile(t, files)
			got := m.Nodes["model.proj.m"].CompiledCode
			if strings.TrimSpace(got) != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
