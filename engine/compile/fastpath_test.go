package compile

import (
	"context"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// newTestCompiler runs Compile's set-up steps (no rendering) for white-box tests.
func newTestCompiler(p *project.Project) *compiler {
	o := testOptions(p)
	c := &compiler{
		ctx: context.Background(), o: o, p: p, name: p.Config.Name, j: newJinja(),
		macros: map[string]*macroDef{}, macrosByPkg: map[string]map[string]*macroDef{},
		docs: map[string]string{}, docNodes: map[string]*manifest.Doc{},
		byName: map[string]int{}, disabledNames: map[string]bool{},
		sources: map[string]map[string]*nodeRef{},
	}
	c.loadDocs()
	c.loadMacros()
	c.buildBase()
	c.loadSources()
	c.collectUnits()
	return c
}

// TestFastPathMatchesGonja renders every template of a corpus both with the
// scanner and with gonja, first pass and final, and requires identical output;
// and checks the scanner declines what it does not fully understand.
func TestFastPathMatchesGonja(t *testing.T) {
	accepted := []string{
		"select 1",
		"select 1\n",
		"select 1\n\n",
		"",
		"{{ ref('a') }}",
		"select * from {{ ref('a') }} join {{ ref(\"b\") }} using (id)\n",
		"{{ config(materialized='table', tags=['x', 'y'], enabled=true, unique_key=none) }}\nselect * from {{ ref('a') }}",
		"{{config(materialized=\"view\")}}select 1",
		"{# a comment with {{ ref('zzz') }} inside #}select {{ var('n') }}, '{{ var('s') }}', {{ var('missing', 7) }}, '{{ var('missing', 'x') }}'",
		"select * from {{ source('raw', 'loans') }} -- {{ ref('proj', 'a') }}\n",
		"select '{' as brace, '}' as close, '{x}' from {{ ref('a') }}",
		"{{ ref('a') }}{{ ref('b') }}\n  \n",
		"{{ config(schema='s', alias='m_alias') }}select {{ var('n') }} as n\nfrom {{ ref('b') }}\n",
	}
	declined := []string{
		"{% if true %}x{% endif %}",
		"{{- ref('a') }}",
		"{{ ref('a') -}}",
		"{{ ref('a') | upper }}",
		"{{ ref('a').identifier }}",
		"{{ var('l') }}",
		"{{ config(materialized=var('m')) }}",
		"{{ cents_to_dollars('x') }}",
		"{{ ref('a' ~ 'b') }}",
		"{{ ref('a\\'b') }}",
		"{#- trimmed -#}select 1",
		"{{ var('n', [1, 2]) }}",
		"select 1\r\nfrom {{ ref('a') }}\r\n",
	}
	base := map[string]string{
		"project.yaml":     "name: proj\nprofile: proj\nvars:\n  n: 5\n  s: text\n  l: [1, 2]\n",
		"models/a.sql":     "select 1 as id",
		"models/b.sql":     "{{ config(materialized='ephemeral') }}select 2 as id",
		"models/s.yml":     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: loans\n",
		"macros/money.sql": "{% macro cents_to_dollars(c) %}{{ c }}/100{% endmacro %}",
	}
	files := map[string]string{}
	for k, v := range base {
		files[k] = v
	}
	for i, src := range accepted {
		files["models/ok_"+itoa(i)+".sql"] = src
	}
	for i, src := range declined {
		files["models/no_"+itoa(i)+".sql"] = src
	}
	p := memProject(t, files)
	c := newTestCompiler(p)
	c.parallel(c.firstPass)
	c.resolveConfigs()
	c.parallel(c.resolveRelation)
	for i, src := range accepted {
		u := c.units[c.byName["ok_"+itoa(i)]]
		if u.scan == nil {
			t.Errorf("scanner declined %q", src)
			continue
		}
		tmpl, err := c.j.parse(u.file, u.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, final := range []bool{false, true} {
			st1 := &renderState{c: c, u: u, final: final}
			fast, err1 := c.runScan(u.scan, st1)
			st2 := &renderState{c: c, u: u, final: final}
			slow, err2 := c.render(tmpl, st2)
			if err1 != nil || err2 != nil {
				t.Errorf("%q: errors %v / %v", src, err1, err2)
				continue
			}
			if fast != slow {
				t.Errorf("%q (final=%v): scanner %q, gonja %q", src, final, fast, slow)
			}
			if len(st1.refs) != len(st2.refs) || len(st1.sources) != len(st2.sources) || len(st1.cfg) != len(st2.cfg) {
				t.Errorf("%q: scanner found refs %v sources %v config %v; gonja %v %v %v", src, st1.refs, st1.sources, st1.cfg, st2.refs, st2.sources, st2.cfg)
			}
			for k, v := range st2.cfg {
				if pyStr(st1.cfg[k]) != pyStr(v) {
					t.Errorf("%q: config %s: scanner %v, gonja %v", src, k, st1.cfg[k], v)
				}
			}
		}
	}
	for i, src := range declined {
		u := c.units[c.byName["no_"+itoa(i)]]
		if u.scan != nil {
			t.Errorf("scanner accepted %q, which it cannot render exactly", src)
		}
	}
}

// TestBuiltinTestsMatchMacros renders the built-in generic tests in Go and
// through the global project's macros and requires identical SQL.
func TestBuiltinTestsMatchMacros(t *testing.T) {
	files := map[string]string{
		"models/a.sql": "select 1 as id",
		"models/b.sql": "select 1 as id, 2 as a_id",
		"models/s.yml": `version: 2
models:
  - name: b
    columns:
      - name: id
        tests:
          - not_null
          - unique
          - not_null:
              config: {store_failures: true}
              name: nn_stored
          - unique:
              config: {where: "id > 0"}
              name: uq_where
      - name: a_id
        tests:
          - relationships: {to: ref('a'), field: id}
          - accepted_values: {values: [1, 2], quote: false}
`,
	}
	p := memProject(t, files)
	render := func(noFast bool) map[string]string {
		c := newTestCompiler(p)
		c.noFastTests = noFast
		c.parallel(c.firstPass)
		c.resolveConfigs()
		c.parallel(c.resolveRelation)
		c.parallel(c.secondPass)
		c.injectEphemerals()
		m := c.assemble()
		if c.diags.HasErrors() {
			t.Fatal(c.diags.Err())
		}
		out := map[string]string{}
		for id, n := range m.Nodes {
			out[id] = n.CompiledCode
		}
		return out
	}
	fast, slow := render(false), render(true)
	if len(fast) != 8 {
		t.Fatalf("want 8 nodes, got %d", len(fast))
	}
	for id, s := range slow {
		if fast[id] != s {
			t.Errorf("%s: Go %q, macro %q", id, fast[id], s)
		}
	}
}
