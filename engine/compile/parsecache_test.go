package compile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/internal/testfiles"
	"github.com/strata-dev/strata/engine/project"
)

// cacheRun compiles the project in dir with partial parsing in cacheDir and
// returns the compiled SQL by node name, and how many nodes the parse pass
// rendered (the rest came from the cache).
func cacheRun(t *testing.T, dir, cacheDir string, env map[string]string, vars map[string]any) (map[string]string, int) {
	t.Helper()
	p, ds := project.Load(dir)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	o := testOptions(p)
	o.CacheDir = cacheDir
	o.Vars = vars
	o.Env = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	prog, lds := Load(context.Background(), o)
	r, pds := prog.Parse(context.Background())
	ds = append(append(lds, pds...), r.Finalize(context.Background(), FinalizeOptions{})...)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds.Err())
	}
	out := map[string]string{}
	for _, n := range r.Manifest.Nodes {
		out[n.Name] = n.CompiledCode
	}
	return out, int(prog.parsesRendered.Load())
}

// TestPartialParse: a warm compile renders only what changed, and its SQL is
// what a full compile gives; a change to a macro, a var or a ref'd node's
// existence invalidates what depends on it; a node reading an environment
// variable is never cached.
func TestPartialParse(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	testfiles.Write(t, dir, map[string]string{
		"project.yaml":   "name: proj\nprofile: proj\nvars:\n  v: one\n",
		"macros/m.sql":   "{% macro shout(x) %}upper({{ x }}){% endmacro %}",
		"models/a.sql":   "{{ config(materialized='table', limit=5, ratio=2.0) }}select {{ shout('name') }} as n from t",
		"models/b.sql":   "select * from {{ ref('a') }} where v = '{{ var('v') }}'",
		"models/env.sql": "select '{{ env_var('WHO', 'nobody') }}' as who",
	})
	full, n := cacheRun(t, dir, cache, nil, nil)
	if n != 3 {
		t.Fatalf("first run rendered %d nodes, want 3", n)
	}
	warm, n := cacheRun(t, dir, cache, nil, nil)
	if n != 1 {
		t.Errorf("warm run rendered %d nodes, want 1 (only env.sql reads the environment)", n)
	}
	for k, v := range full {
		if warm[k] != v {
			t.Errorf("%s: warm SQL %q, full %q", k, warm[k], v)
		}
	}
	if got, _ := cacheRun(t, dir, cache, map[string]string{"WHO": "me"}, nil); !strings.Contains(got["env"], "'me'") {
		t.Errorf("env var change not seen: %q", got["env"])
	}
	// A node's own file changed: it alone renders again.
	testfiles.Write(t, dir, map[string]string{"models/a.sql": "{{ config(materialized='table') }}select {{ shout('other') }} as n from t"})
	got, n := cacheRun(t, dir, cache, nil, nil)
	if n != 2 || !strings.Contains(got["a"], "upper(other)") {
		t.Errorf("after editing a.sql: rendered %d (want 2), a = %q", n, got["a"])
	}
	// A macro changed: every node renders again.
	testfiles.Write(t, dir, map[string]string{"macros/m.sql": "{% macro shout(x) %}lower({{ x }}){% endmacro %}"})
	got, n = cacheRun(t, dir, cache, nil, nil)
	if n != 3 || !strings.Contains(got["a"], "lower(other)") {
		t.Errorf("after editing the macro: rendered %d (want 3), a = %q", n, got["a"])
	}
	// A --vars change: every node renders again.
	got, n = cacheRun(t, dir, cache, nil, map[string]any{"v": "two"})
	if n != 3 || !strings.Contains(got["b"], "v = 'two'") {
		t.Errorf("after --vars: rendered %d (want 3), b = %q", n, got["b"])
	}
	// The ref'd node disappears: b renders again and fails, as it must.
	os.Remove(filepath.Join(dir, "models", "a.sql"))
	p, _ := project.Load(dir)
	o := testOptions(p)
	o.CacheDir = cache
	prog, _ := Load(context.Background(), o)
	if _, ds := prog.Parse(context.Background()); !strings.Contains(ds.Err().Error(), "unknown model in ref") {
		t.Errorf("a removed ref target must fail the warm run, got %v", ds.Err())
	}
}

// TestPartialParseConfigTypes: config() values keep their Python types
// through the cache (an int stays an int, a float a float).
func TestPartialParseConfigTypes(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	testfiles.Write(t, dir, map[string]string{
		"project.yaml": "name: proj\nprofile: proj\n",
		"models/a.sql": "{{ config(limit=5, ratio=2.0, tags=['x'], meta={'n': 1}) }}select '{{ config.get('limit') }} {{ config.get('ratio') }}' as c",
	})
	for i := 0; i < 2; i++ {
		p, _ := project.Load(dir)
		o := testOptions(p)
		o.CacheDir = cache
		prog, _ := Load(context.Background(), o)
		r, ds := prog.Parse(context.Background())
		if ds.HasErrors() {
			t.Fatal(ds.Err())
		}
		c := r.cfgs[prog.byID["model.proj.a"]].final
		if _, ok := c["limit"].(int64); !ok {
			t.Errorf("run %d: limit is %T, want int64", i, c["limit"])
		}
		if _, ok := c["ratio"].(float64); !ok {
			t.Errorf("run %d: ratio is %T, want float64", i, c["ratio"])
		}
	}
}

// TestPartialParseAfterParseOnly: a ParseOnly run (ls, parse) that rewrites
// the cache because one node changed keeps the other nodes' findings whole,
// so the next compile's SQL from the cache is still right; their configs
// decoded from the cache do not alias each other.
func TestPartialParseAfterParseOnly(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	testfiles.Write(t, dir, map[string]string{
		"project.yaml": "name: proj\nprofile: proj\n",
		"models/a.sql": "{{ config(materialized='table', tags=['x']) }}select 1 as id",
		"models/b.sql": "{{ config(materialized='table', tags=['x']) }}select * from {{ ref('a') }}",
		"models/c.sql": "select 2 as id",
	})
	full, _ := cacheRun(t, dir, cache, nil, nil)
	testfiles.Write(t, dir, map[string]string{"models/c.sql": "select 3 as id"})
	parseOnly := func() {
		p, ds := project.Load(dir)
		if ds.HasErrors() {
			t.Fatal(ds.Err())
		}
		o := testOptions(p)
		o.CacheDir = cache
		prog, _ := Load(context.Background(), o)
		r, pds := prog.ParseOnly(context.Background())
		if pds.HasErrors() {
			t.Fatal(pds.Err())
		}
		a, b := r.Manifest.Nodes["model.proj.a"], r.Manifest.Nodes["model.proj.b"]
		if a == nil || b == nil {
			t.Fatal("a or b missing from the manifest")
		}
		a.Config.Tags = append(a.Config.Tags, "changed")
		if len(b.Config.Tags) != 1 {
			t.Errorf("b's tags changed with a's: %v", b.Config.Tags)
		}
	}
	parseOnly()
	warm, n := cacheRun(t, dir, cache, nil, nil)
	if n != 0 {
		t.Errorf("compile after ls rendered %d nodes, want 0 (ls cached c's new text)", n)
	}
	if warm["a"] != full["a"] || warm["b"] != full["b"] || !strings.Contains(warm["c"], "3") {
		t.Errorf("SQL after a ParseOnly rewrite of the cache: a %q b %q c %q (full: a %q b %q)", warm["a"], warm["b"], warm["c"], full["a"], full["b"])
	}
}
