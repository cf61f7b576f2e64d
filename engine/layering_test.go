package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/strata-dev/strata/"

// rank orders the stages of STYLE.md's architecture, deepest first:
//
//	Main → CLI → View → Façade → {Docs, Deps} → {Execute, Compile, Plan,
//	Artifacts, Schedule} → {Datatest, Materialize} → Result → Model → Load →
//	Contracts → Leaves
//
// with the warehouse adapters below execute (beside the model). A package may
// import only packages of a strictly lower rank: never a later stage, and
// never a package of its own rank, so the stages stay independent of each
// other (compile cannot reach into execute, execute cannot write artifacts).
// Subpackages inherit their parent's rank and may import their parent;
// internal test helpers are exempt.
var rank = map[string]int{
	// leaves
	"engine/diag":     0,
	"engine/relation": 0,
	"engine/jinja":    0,
	"engine/graph":    0,
	// the warehouse contract, and SQL text helpers the dialects share
	"engine/adapter": 1,
	"engine/sqltext": 1,
	// database/sql glue the adapters share
	"engine/sqlconn": 2,
	// load
	"engine/project": 2,
	"engine/profile": 2,
	// model, and the warehouses (below execute)
	"engine/manifest":          3,
	"engine/adapter/duckdb":    3,
	"engine/adapter/postgres":  3,
	"engine/adapter/snowflake": 3,
	// outcomes
	"engine/result":  4,
	"engine/lineage": 4,
	// what execute drives
	"engine/datatest":    5,
	"engine/materialize": 5,
	// the pipeline's stages
	"engine/compile":             6,
	"engine/selector":            6,
	"engine/execute":             6,
	"engine/artifact":            6,
	"engine/schedule":            6,
	"engine/adapter/adaptertest": 6,
	// commands built on the stages
	"engine/docs": 7,
	"engine/deps": 7,
	// the façade, the only printer, the command line
	"engine":      8,
	"engine/view": 9,
	"engine/cli":  10,
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

// violations checks one package's imports against the ranks and the rules
// beside them; it returns a message per broken rule.
func violations(pkg string, imports []string) []string {
	from, ok := stage(pkg)
	if !ok {
		return nil
	}
	var out []string
	for _, imp := range imports {
		if !strings.HasPrefix(imp, module) {
			continue
		}
		to, ok := stage(imp)
		if !ok || to == from {
			continue
		}
		switch {
		case rank[to] > rank[from]:
			out = append(out, pkg+" imports "+imp+": a stage may not import a later stage")
		case rank[to] == rank[from]:
			out = append(out, pkg+" imports "+imp+": stages of one rank stay independent of each other")
		}
		if strings.HasPrefix(from, "engine/adapter/") && strings.HasPrefix(to, "engine/adapter/") && from != "engine/adapter/adaptertest" {
			out = append(out, pkg+" imports "+imp+": no adapter imports another")
		}
		if to == "engine/view" && from != "engine/cli" {
			out = append(out, pkg+" imports "+imp+": only the cli wires the view; the core emits events")
		}
	}
	return out
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if _, ok := stage(f[0]); !ok {
			continue
		}
		checked += len(f) - 1
		for _, v := range violations(f[0], f[1:]) {
			t.Error(v)
		}
	}
	if checked == 0 {
		t.Fatal("no imports between engine packages were checked; is the module path right?")
	}
	// Every engine package has a rank, so a new one cannot slip past the rules.
	list, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(list)) {
		if _, ok := stage(pkg); !ok && !strings.Contains(pkg, "/internal/") {
			t.Errorf("%s has no rank in engine/layering_test.go: give it its stage", pkg)
		}
	}
}

// TestLayeringRules shows the rules fail on what they forbid: an upward
// import, an import between stages of one rank, one adapter importing
// another, and the core importing the view.
func TestLayeringRules(t *testing.T) {
	cases := []struct {
		from, imp, want string
	}{
		{"engine/compile", "engine/execute", "stages of one rank stay independent"},
		{"engine/execute", "engine/artifact", "stages of one rank stay independent"},
		{"engine/manifest", "engine/compile", "may not import a later stage"},
		{"engine/graph", "engine/manifest", "may not import a later stage"},
		{"engine/adapter/duckdb", "engine/adapter/postgres", "no adapter imports another"},
		{"engine/execute", "engine/view", "only the cli wires the view"},
		{"engine", "engine/cli", "may not import a later stage"},
	}
	for _, c := range cases {
		got := violations(module+c.from, []string{module + c.imp})
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("%s importing %s: got %q, want a violation saying %q", c.from, c.imp, got, c.want)
		}
	}
	for _, ok := range [][2]string{
		{"engine/execute", "engine/materialize"},
		{"engine/compile", "engine/jinja"},
		{"engine", "engine/execute"},
		{"engine/cli", "engine/view"},
		{"engine/schedule/pglock", "engine/schedule"},
	} {
		if got := violations(module+ok[0], []string{module + ok[1]}); len(got) > 0 {
			t.Errorf("%s importing %s is allowed, got %q", ok[0], ok[1], got)
		}
	}
}
