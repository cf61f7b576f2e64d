package jinja

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(t *testing.T, env *Environment, src string) *Template {
	t.Helper()
	tm, err := env.Parse("limits.sql", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return tm
}

// A render stops soon after its context is cancelled, even deep in loops.
func TestRenderStopsOnCancel(t *testing.T) {
	env := NewEnvironment()
	env.Globals["range"] = FuncValue("range", func(s *State, a Args) (Value, error) {
		n := int(a.Pos[0].AsInt())
		items := make([]Value, n)
		for i := range items {
			items[i] = Int(int64(i))
		}
		return NewList(items), nil
	})
	env.Limits.Iterations = 1 << 62
	tm := mustParse(t, env, "{% for i in range(30000) %}{% for j in range(30000) %}{% endfor %}{% endfor %}")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := tm.Render(ctx, nil)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Errorf("render stopped %v after cancel, want within 100ms", took)
		}
		var je *Error
		if !errors.As(err, &je) || je.Kind != "Cancelled" || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want a Cancelled error wrapping context.Canceled", err)
		}
		if je.Template != "limits.sql" || je.Pos.Line != 1 {
			t.Errorf("error position = %s:%d, want limits.sql:1", je.Template, je.Pos.Line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("render did not stop after cancel")
	}
}

func TestRenderLimits(t *testing.T) {
	cases := []struct {
		name, src, want string
		limits          Limits
	}{
		{"iterations", "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
			"limits.sql:1:30: iteration limit exceeded: loops ran more than 10000 times in one render", Limits{Iterations: 10000}},
		{"output", "{% for i in range(1000) %}xxxxxxxxxx{% endfor %}",
			"limits.sql:1:4: output limit exceeded: the template wrote more than 5000 bytes", Limits{Output: 5000}},
		{"string growth", "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
			"limits.sql:1:75: output limit exceeded: a string of 8192 bytes is larger than the limit of 5000", Limits{Output: 5000}},
		{"string repeat", "{{ 'x' * 100000000000 }}",
			"limits.sql:1:8: output limit exceeded: a string of 100000000000 bytes is larger than the limit of 5000", Limits{Output: 5000}},
		{"recursion", "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
			"limits.sql:1:20: recursion limit exceeded: macros nested more than 50 deep (macro 'm')", Limits{Depth: 50}},
		{"range", "{{ range(300000000) | length }}",
			"limits.sql:1:4: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).", Limits{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := NewEnvironment()
			env.Limits = c.limits
			tm := mustParse(t, env, c.src)
			_, err := tm.Render(context.Background(), nil)
			if err == nil || err.Error() != c.want {
				t.Fatalf("err = %v\nwant %s", err, c.want)
			}
		})
	}
}

// One template renders from many goroutines at once (run with -race).
func TestConcurrentRender(t *testing.T) {
	env := NewEnvironment()
	tm := mustParse(t, env, "{% macro col(c) %}{{ c | upper }}{% endmacro %}{% set cols = [] %}{% for c in names %}{% do cols.append(col(c)) %}{% endfor %}{{ cols | join(',') }}")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			names := []any{"a", "b", strings.Repeat("c", g)}
			for i := 0; i < 200; i++ {
				out, err := tm.Render(context.Background(), map[string]any{"names": names})
				if err != nil {
					errs <- err
					return
				}
				if want := "A,B," + strings.Repeat("C", g); out != want {
					errs <- errors.New(out + " != " + want)
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

// A panic in a host function ends the render (or macro call) with an error
// naming the template, not a crash.
func TestPanicBecomesError(t *testing.T) {
	env := NewEnvironment()
	env.Globals["boom"] = FuncValue("boom", func(*State, Args) (Value, error) { panic("host bug") })
	tm := mustParse(t, env, "{% macro m() %}{{ boom() }}{% endmacro %}{{ m() }}")
	want := "limits.sql:1:19: internal error in the template engine: host bug"
	if _, err := tm.Render(context.Background(), nil); err == nil || err.Error() != want {
		t.Errorf("Render: err = %v, want %s", err, want)
	}
	_, err := tm.Macros()[0].Invoke(context.Background(), Args{}, nil, RenderOptions{})
	if err == nil || err.Error() != want {
		t.Errorf("Invoke: err = %v, want %s", err, want)
	}
}
