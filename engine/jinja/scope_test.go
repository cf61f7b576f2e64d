package jinja

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// An {% include %} runs its template in the includer's frame, which the
// included template's slots know nothing of: from then on the render finds
// names by name. These outputs are what the engine gave before names were
// resolved to slots (strata's include, which differs from Jinja2's: the
// included template sees loop and its assignments stay).
func TestIncludeFindsNamesByName(t *testing.T) {
	env := NewEnvironment()
	files := map[string]string{
		"inc.html":  "[inc {{ x }} {{ loop.index if loop is defined }}{% set y = 'from-inc' %}]",
		"lib.html":  "{% set v = 'lib' %}{% macro hello(n) %}hi {{ n }} {{ v }}{% endmacro %}",
		"setx.html": "{% set x = 'set-by-inc' %}",
	}
	env.Loader = func(name string) (*Template, error) {
		src, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("no template %s", name)
		}
		return env.Parse(name, src)
	}
	cases := []struct{ src, want string }{
		{"{% set x = 'top' %}{% for i in items %}{% set x = i %}{% include 'inc.html' %}{% endfor %}[{{ x }}]", "[inc 1 1][inc 2 2][inc 3 3][top]"},
		{"{% for i in items %}{% include 'inc.html' %}{% endfor %}{{ y }}", "[inc  1][inc  2][inc  3]"},
		{"{% include 'setx.html' %}[{{ x }}]{% for i in [1] %}{{ x }}{% endfor %}", "[set-by-inc]set-by-inc"},
		{"{% for i in items %}{% include 'setx.html' %}{{ x }}{% endfor %}[{{ x }}]", "set-by-incset-by-incset-by-inc[]"},
		{"{% include 'setx.html' %}{% macro m() %}{{ x }}{% endmacro %}{{ m() }}", "set-by-inc"},
		{"{% macro m() %}{% include 'inc.html' %}{{ y }}{% endmacro %}{% set x = 'X' %}{{ m() }}{{ m() }}[{{ y }}]", "[inc X ]from-inc[inc X ]from-inc[]"},
		{"{% import 'lib.html' as lib %}{% for i in items %}{{ lib.hello(i) }}{% endfor %}", "hi 1 libhi 2 libhi 3 lib"},
		{"{% from 'lib.html' import hello as h, v %}{{ h(2) }}{{ v }}", "hi 2 liblib"},
	}
	for _, c := range cases {
		tm, err := env.Parse("t.html", c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := tm.Render(context.Background(), map[string]any{"items": []any{1, 2, 3}})
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

// A host rendering a tag's body finds names by name, wherever it calls it.
func TestTagBodyRendersInCurrentScope(t *testing.T) {
	env := NewEnvironment()
	env.Tags["shout"] = &Tag{Header: HeaderName, Render: func(s *State, b *TagBlock) error {
		out, err := b.RenderBody(s)
		if err != nil {
			return err
		}
		return s.write(strings.ToUpper(out))
	}}
	tm := mustParse(t, env, "{% for i in [1, 2] %}{% set v = 'v' ~ i %}{% shout x %}{{ v }}{{ loop.index }}{% set w = 'w' %}{% endshout %}{{ w }};{% endfor %}")
	got, err := tm.Render(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "V11w;V22w;"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Frames and loop objects are reused within a render, never across renders:
// templates whose macros, loops, callers and block scopes share no state
// render the same from many goroutines as from one (run with -race).
func TestConcurrentRenderFrames(t *testing.T) {
	env := NewEnvironment()
	lib := mustParse(t, env, `{% macro wrap(cols) -%}
{%- for c in cols %}{{ caller(c, loop.index) }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}
{% macro combine(cols) -%}
{%- if cols | length == 1 %}{{ cols[0] }}{% else %}coalesce({{ cols | join(', ') }}){% endif -%}
{%- endmacro %}`)
	for _, m := range lib.Macros() {
		env.Globals[m.Name] = CallableValue(m)
	}
	tm := mustParse(t, env, `{% set cols = ['a', 'b', 'c'] %}{% for c in cols %}{% set q = [] %}
{%- for p in parents %}{% do q.append(p ~ '.' ~ c) %}{% endfor %}{{ combine(q) }} as {{ c }}|
{%- endfor %}{% call(c, i) wrap(cols) %}{% with n = i * k %}{% set x %}{{ c }}{{ n }}{% endset %}{{ x | upper }}{% endwith %}{% endcall %}`)
	render := func(g int) (string, error) {
		parents := []any{}
		for i := 0; i <= g%3; i++ {
			parents = append(parents, fmt.Sprintf("p%d", i))
		}
		return tm.Render(context.Background(), map[string]any{"parents": parents, "k": g})
	}
	want := make([]string, 16)
	for g := range want {
		out, err := render(g)
		if err != nil {
			t.Fatal(err)
		}
		want[g] = out
	}
	if !strings.Contains(want[2], "coalesce(p0.b, p1.b, p2.b) as b|") || !strings.Contains(want[2], "A2, B4, C6") {
		t.Fatalf("unexpected output: %q", want[2])
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				out, err := render(g)
				if err != nil {
					errs <- err
					return
				}
				if out != want[g] {
					errs <- fmt.Errorf("goroutine %d: %q != %q", g, out, want[g])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// An error's line and column are worked out from the node's offset only when
// the error happens, in the template the failing node belongs to (the
// positions are the ones the engine gave when nodes kept them).
func TestErrorPositionsFromOffsets(t *testing.T) {
	env := NewEnvironment()
	parse := func(name, src string) *Template {
		tm, err := env.Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	lib := parse("macros.sql", "{# lib #}\r\n{% macro bad(x) %}\r\n  {{ x.y.z }}\r\n{% endmacro %}")
	env.Globals["bad"] = CallableValue(lib.Macros()[0])
	cases := []struct{ src, want string }{
		{"line one\n{% for i in [1] %}\n  ü {{ bad(i) }}\n{% endfor %}", "macros.sql:3:10: 'int object' has no attribute 'y'"},
		{"ab\nü {{ 1 + none }}", "m.sql:2:8: unsupported operand type(s) for +: 'int' and 'NoneType'"},
		{"{% for x in [1] %}\n  {{ undefined_thing.a }}{% endfor %}", "m.sql:2:22: 'undefined_thing' is undefined"},
	}
	for _, c := range cases {
		_, err := parse("m.sql", c.src).Render(context.Background(), nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
}
