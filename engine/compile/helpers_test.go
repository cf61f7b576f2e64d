package compile

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/testfiles"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/relation"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testDialect quotes with "" and renders "db"."schema"."name": the few
// methods compile calls (the rest of adapter.Dialect is never asked of it).
type testDialect struct{ adapter.Dialect }

func (testDialect) Type() string                   { return "testdb" }
func (testDialect) QuoteIdent(s string) string     { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func (testDialect) NormalizeIdent(s string) string { return s }
func (d testDialect) RenderRelation(r relation.Relation) string {
	var parts []string
	for _, p := range []string{r.Database, r.Schema, r.Identifier} {
		if p != "" {
			parts = append(parts, d.QuoteIdent(p))
		}
	}
	return strings.Join(parts, ".")
}
func (testDialect) DefaultIncrementalStrategy(hasKey bool) string {
	if hasKey {
		return "merge"
	}
	return "append"
}
func (testDialect) ValidIncrementalStrategies() []string {
	return []string{"append", "merge", "delete+insert"}
}

func testOptions(p *project.Project) Options {
	return Options{
		Project: p,
		Target:  adapter.Target{Profile: "finhouse", Name: "dev", Type: "testdb", Database: "db", Schema: "analytics", Threads: 4},
		Dialect: testDialect{},
		Env: func(k string) (string, bool) {
			if k == "STRATA_TEST_ENV" {
				return "from-env", true
			}
			return "", false
		},
		Now:          time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		InvocationID: "test-invocation",
	}
}

func loadDir(t testing.TB, dir string) *project.Project {
	t.Helper()
	p, ds := project.Load(dir)
	if ds.HasErrors() {
		t.Fatalf("load %s: %v", dir, ds.Err())
	}
	return p
}

// memProject builds a project from file contents, for small cases.
func memProject(t testing.TB, files map[string]string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["project.yaml"]; !ok {
		files["project.yaml"] = "name: proj\nprofile: proj\n"
	}
	testfiles.Write(t, dir, files)
	p, ds := project.Load(dir)
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds.Err())
	}
	return p
}

func compileFiles(t testing.TB, files map[string]string) (*manifest.Manifest, diag.Diagnostics) {
	t.Helper()
	p := memProject(t, files)
	return Compile(context.Background(), testOptions(p))
}

func mustCompile(t testing.TB, files map[string]string) *manifest.Manifest {
	t.Helper()
	m, ds := compileFiles(t, files)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds.Err())
	}
	return m
}

func diagLines(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s\n", d.Severity, d.Error())
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
