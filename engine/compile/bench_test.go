package compile

import (
	"context"
	"runtime"
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

// BenchmarkRender compares the fast path with gonja on one plain template.
func BenchmarkRender(b *testing.B) {
	files := map[string]string{
		"models/a.sql": "select 1 as id",
		"models/m.sql": "{{ config(materialized='table') }}\n-- plain\nselect *\nfrom {{ ref('a') }} x\nwhere d > '{{ var('start', '2020-01-01') }}'\n",
	}
	p := memProject(b, files)
	c := newTestCompiler(p)
	u := c.units[c.byName["m"]]
	tmpl, err := c.j.parse(u.file, u.text)
	if err != nil {
		b.Fatal(err)
	}
	sr, ok := scanTemplate(u.text)
	if !ok {
		b.Fatal("fast path declined a plain template")
	}
	b.Run("scanner", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, ok := scanTemplate(u.text); !ok {
				b.Fatal("declined")
			}
			if _, err := c.runScan(sr, &renderState{c: c, u: u}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gonja", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			t, err := c.j.parse(u.file, u.text)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.render(t, &renderState{c: c, u: u}); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = tmpl
}
