package compile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden compiles each testdata/<case> project and compares the compiled
// SQL of every node, its depends_on, and the diagnostics with the files under
// testdata/<case>/expected. `go test ./engine/compile -update` rewrites them.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, "_") {
			continue
		}
		dir := filepath.Join("testdata", name)
		t.Run(name, func(t *testing.T) {
			p := loadDir(t, dir)
			ctx := context.Background()
			prog, ds := Load(ctx, testOptions(p))
			r, pds := prog.Parse(ctx)
			ds = append(ds, pds...)
			ds = append(ds, r.Finalize(ctx, FinalizeOptions{})...)
			ds.Sort()
			m := r.Manifest
			got := map[string]string{"diagnostics.txt": diagLines(ds)}
			var deps strings.Builder
			for _, id := range sortedKeys(m.Nodes) {
				n := m.Nodes[id]
				fmt.Fprintf(&deps, "%s\n  relation: %s\n  materialized: %s\n  depends_on.nodes: %s\n  depends_on.macros: %s\n",
					id, n.RelationName, n.Config.Materialized, strings.Join(n.DependsOn.Nodes, ", "), strings.Join(n.DependsOn.Macros, ", "))
				if n.ResourceType == "test" {
					fmt.Fprintf(&deps, "  severity: %s  where: %q  store_failures: %v  attached: %s  column: %s\n", n.Config.Severity, n.Config.Where, n.Config.StoreFailures, n.AttachedNode, n.ColumnName)
				}
				if len(n.Tags) > 0 || n.Description != "" {
					fmt.Fprintf(&deps, "  tags: %v  description: %q\n", n.Tags, n.Description)
				}
				if n.CompiledCode != "" {
					got["compiled/"+n.Name+".sql"] = n.CompiledCode
				}
				if n.IncrementalCode != "" {
					got["compiled/"+n.Name+".incremental.sql"] = n.IncrementalCode
				}
				for i, h := range n.PreHooks {
					got[fmt.Sprintf("compiled/%s.pre_hook%d.sql", n.Name, i)] = h
				}
				for i, h := range n.PostHooks {
					got[fmt.Sprintf("compiled/%s.post_hook%d.sql", n.Name, i)] = h
				}
			}
			for _, id := range sortedKeys(m.Sources) {
				fmt.Fprintf(&deps, "%s\n  relation: %s\n", id, m.Sources[id].RelationName)
			}
			for _, which := range []string{"on-run-start", "on-run-end"} {
				hooks, err := r.RunHooks(ctx, which, nil, nil, nil)
				if err != nil {
					t.Fatalf("%s: %v", which, err)
				}
				for _, h := range hooks {
					fmt.Fprintf(&deps, "%s: %s\n", which, h.SQL)
				}
			}
			got["nodes.txt"] = deps.String()
			exp := filepath.Join(dir, "expected")
			if *update {
				os.RemoveAll(exp)
				for f, s := range got {
					p := filepath.Join(exp, f)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want := map[string]string{}
			filepath.WalkDir(exp, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					rel, _ := filepath.Rel(exp, p)
					want[filepath.ToSlash(rel)] = string(b)
				}
				return nil
			})
			for f, w := range want {
				if g, ok := got[f]; !ok {
					t.Errorf("%s: expected file not produced", f)
				} else if g != w {
					t.Errorf("%s differs (-want +got):\n%s", f, lineDiff(w, g))
				}
			}
			for f := range got {
				if _, ok := want[f]; !ok {
					t.Errorf("%s: produced but not expected (run with -update)", f)
				}
			}
		})
	}
}

// lineDiff is a small line-based diff for golden failures.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c || i >= len(w) || i >= len(g) {
			if i < len(w) {
				fmt.Fprintf(&b, "-%d: %s\n", i+1, a)
			}
			if i < len(g) {
				fmt.Fprintf(&b, "+%d: %s\n", i+1, c)
			}
		}
	}
	return b.String()
}
