package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/internal/testfiles"
)

// macroProject writes a project of n models, each calling one macro.
func macroProject(t *testing.T, n int) string {
	dir := t.TempDir()
	files := map[string]string{"project.yaml": "name: m\n", "macros/one.sql": "{% macro one() %}1{% endmacro %}\n"}
	for i := range n {
		files[fmt.Sprintf("models/m%05d.sql", i)] = "select {{ one() }} as id\n"
	}
	testfiles.Write(t, dir, files)
	return dir
}

// collectorCalls runs a command on dir and returns the memory limits and GC
// percents it handed main.
func collectorCalls(t *testing.T, dir string, args ...string) (limits []int64, percents []int) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Drivers: []adapter.Driver{duckdb.Driver()},
		Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir(),
		SetMemoryLimit: func(n int64) int64 { limits = append(limits, n); return 0 },
		SetGCPercent:   func(n int) int { percents = append(percents, n); return 100 }}
	if code := Main(context.Background(), append(args, "--project-dir", dir), env); code != ExitOK {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errOut.String())
	}
	return limits, percents
}

// A command whose parse must render most nodes hands main a memory limit
// sized to the project: 128 MiB for a small one, 9 KiB per node for a large
// one. With a warm partial-parse cache, and for docs generate, none; a
// macro edit that makes every node render again brings it back.
func TestMemoryLimitFollowsTheWork(t *testing.T) {
	limits := func(dir string, args ...string) []int64 {
		l, _ := collectorCalls(t, dir, args...)
		return l
	}
	small := macroProject(t, 3)
	if got := limits(small, "ls"); len(got) != 1 || got[0] != 128<<20 {
		t.Errorf("first ls on 3 models set %v, want [%d]", got, 128<<20)
	}
	if got := limits(small, "compile"); len(got) != 0 {
		t.Errorf("compile with a warm cache set a memory limit %v", got)
	}
	os.WriteFile(filepath.Join(small, "macros", "one.sql"), []byte("{% macro one() %}2{% endmacro %}\n"), 0o644)
	if got := limits(small, "compile"); len(got) != 1 {
		t.Errorf("compile after a macro edit (every node renders) set %v, want one limit", got)
	}
	large := macroProject(t, 15000)
	if got := limits(large, "parse"); len(got) != 1 || got[0] != 15000*9<<10 {
		t.Errorf("parse on 15,000 models set %v, want [%d]", got, 15000*9<<10)
	}
	if got := limits(macroProject(t, 3), "docs", "generate", "--empty-catalog"); len(got) != 0 {
		t.Errorf("docs generate set a memory limit %v", got)
	}
}

// A warm ls or parse of a large project collects only near the same
// limit: main gets the limit and a GC percent of -1. Smaller projects, and
// other commands, keep Go's collector as main set it.
func TestWarmParseOnlyCollectsLate(t *testing.T) {
	defer func(n int) { lateCollectionNodes = n }(lateCollectionNodes)
	lateCollectionNodes = 20
	dir := macroProject(t, 25)
	run := func(args ...string) ([]int64, []int) { return collectorCalls(t, dir, args...) }
	if l, p := run("ls"); len(l) != 1 || len(p) != 0 {
		t.Errorf("first ls (every node renders): limits %v, GC percents %v; want one limit and no percent", l, p)
	}
	for _, cmd := range []string{"ls", "parse"} {
		if l, p := run(cmd); len(l) != 1 || l[0] != 128<<20 || len(p) != 1 || p[0] != -1 {
			t.Errorf("warm %s of 25 nodes (threshold 20): limits %v, GC percents %v; want [%d] and [-1]", cmd, l, p, 128<<20)
		}
	}
	if l, p := run("compile"); len(l) != 0 || len(p) != 0 {
		t.Errorf("warm compile: limits %v, GC percents %v; want none", l, p)
	}
	lateCollectionNodes = 26
	if l, p := run("ls"); len(l) != 0 || len(p) != 0 {
		t.Errorf("warm ls of 25 nodes (threshold 26): limits %v, GC percents %v; want none", l, p)
	}
}
