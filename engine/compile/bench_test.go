package compile

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/compile/benchgen"
)

// BenchmarkCompile10k compiles a generated 10,000-model project (load excluded).
func BenchmarkCompile10k(b *testing.B) {
	dir := b.TempDir()
	if err := benchgen.Write(dir, 10000); err != nil {
		b.Fatal(err)
	}
	p := loadDir(b, dir)
	opts := testOptions(p)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m, ds := Compile(context.Background(), opts)
		if ds.HasErrors() {
			b.Fatal(ds.Err())
		}
		if len(m.Nodes) < 10000 {
			b.Fatalf("got %d nodes", len(m.Nodes))
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
}

// BenchmarkCompileProject compiles the project in $STRATA_BENCH_PROJECT (for
// example one written by ../shared/bench/gen_dbt_project.py), load excluded.
func BenchmarkCompileProject(b *testing.B) {
	dir := os.Getenv("STRATA_BENCH_PROJECT")
	if dir == "" {
		b.Skip("STRATA_BENCH_PROJECT is not set")
	}
	p := loadDir(b, dir)
	opts := testOptions(p)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, ds := Compile(context.Background(), opts); ds.HasErrors() {
			b.Fatal(ds.Err())
		}
	}
}

// BenchmarkRender parses and renders one plain template (the shape most
// models have), and renders a parsed one.
func BenchmarkRender(b *testing.B) {
	files := map[string]string{
		"models/a.sql": "select 1 as id",
		"models/m.sql": "{{ config(materialized='table') }}\n-- plain\nselect *\nfrom {{ ref('a') }} x\nwhere d > '{{ var('start', '2020-01-01') }}'\n",
	}
	p := memProject(b, files)
	prog, ds := Load(context.Background(), testOptions(p))
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	u := prog.units[prog.byName["m"][0]]
	tmpl, err := prog.parse(u.pkg, u.file, u.text)
	if err != nil {
		b.Fatal(err)
	}
	state := func() *renderState {
		return &renderState{ctx: context.Background(), p: prog, u: u, k: u.pkg, phase: phaseParse}
	}
	b.Run("parse+render", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			t, err := prog.parse(u.pkg, u.file, u.text)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := prog.render(t, state()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := prog.render(tmpl, state()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestGeneratedProject compiles a small generated project: every model must
// compile, and renders share parsed macros across workers (run with -race).
func TestGeneratedProject(t *testing.T) {
	dir := t.TempDir()
	if err := benchgen.Write(dir, 300); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir)
	m, ds := Compile(context.Background(), testOptions(p))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	models := 0
	for _, n := range m.Nodes {
		if n.ResourceType == "model" {
			models++
			if !n.Compiled {
				t.Errorf("%s not compiled", n.UniqueID)
			}
		}
	}
	if models != 300 {
		t.Fatalf("want 300 models, got %d", models)
	}
	stg := m.Nodes["model.bench.stg_00000"]
	if want := `round(amount_cents / 100.0, 2) as amount`; !strings.Contains(stg.CompiledCode, want) {
		t.Errorf("stg_00000 lacks %q:\n%s", want, stg.CompiledCode)
	}
	fct := m.Nodes["model.bench.fct_00001"]
	if !strings.Contains(fct.CompiledCode, "with __dbt__cte__int_00001 as (") || !strings.Contains(fct.CompiledCode, `"db"."analytics"."stg_00004"`) {
		t.Errorf("fct_00001 compiled wrong:\n%s", fct.CompiledCode)
	}
}
