package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/strata-dev/strata/"

// rank orders the stages of STYLE.md: a package may import only packages of a
// lower or equal rank. Adapters may not import each other; only cli (and main)
// may import view, and nothing imports cli.
var rank = map[string]int{
	"engine/diag":                0,
	"engine/relation":            0,
	"engine/jinja":               0,
	"engine/manifest":            1,
	"engine/adapter":             1,
	"engine/project":             1,
	"engine/result":              2,
	"engine/profile":             2,
	"engine/adapter/duckdb":      2,
	"engine/adapter/postgres":    2,
	"engine/adapter/snowflake":   2,
	"engine/compile":             3,
	"engine/graph":               3,
	"engine/datatest":            3,
	"engine/lineage":             3,
	"engine/artifact":            3,
	"engine/adapter/adaptertest": 3,
	"engine/selector":            4,
	"engine/docs":                4,
	"engine/execute":             5,
	"engine":                     6,
	"engine/schedule":            6,
	"engine/view":                7,
	"engine/cli":                 8,
}

// stage maps a package path to the stage it belongs to (subpackages inherit
// their parent's rank; internal test helpers are exempt).
func stage(pkg string) (string, bool) {
	p := strings.TrimPrefix(pkg, module)
	if strings.Contains(p, "/internal/") || strings.HasPrefix(p, "engine/internal") {
		return "", false
	}
	for cur := p; cur != "" && cur != "."; {
		if _, ok := rank[cur]; ok {
			return cur, true
		}
		i := strings.LastIndex(cur, "/")
		if i < 0 {
			break
		}
		cur = cur[:i]
	}
	return "", false
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from, ok := stage(f[0])
		if !ok {
			continue
		}
		for _, imp := range f[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to, ok := stage(imp)
			if !ok || to == from {
				continue
			}
			checked++
			if rank[to] > rank[from] {
				t.Errorf("%s imports %s: a stage may only import earlier stages, leaves and contracts", f[0], imp)
			}
			if strings.HasPrefix(from, "engine/adapter/") && strings.HasPrefix(to, "engine/adapter/") && to != "engine/adapter/adaptertest" {
				t.Errorf("%s imports %s: no adapter imports another", f[0], imp)
			}
			if to == "engine/view" && from != "engine/cli" {
				t.Errorf("%s imports %s: only the cli wires the view; the core emits events", f[0], imp)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no imports between engine packages were checked; is the module path right?")
	}
}
