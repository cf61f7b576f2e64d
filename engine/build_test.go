package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/internal/testfiles"
)

// manifest.json and target/compiled are written while the run executes: the
// files are there when the run ends, and a manifest that cannot be written
// still fails the command, after the run's results are saved.
func TestBuildWritesItsArtifactsAlongsideTheRun(t *testing.T) {
	dir := t.TempDir()
	testfiles.Write(t, dir, map[string]string{
		"project.yaml":  "name: p\nprofile: p\n",
		"profiles.yaml": "p:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: p.duckdb, schema: dev}\n",
		"seeds/s.csv":   "id\n1\n2\n",
		"models/v.sql":  "select * from {{ ref('s') }}",
		"models/t.sql":  "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('v') }}",
	})
	ctx := context.Background()
	open := func() *engine.Project { return openProject(t, dir, "", duckdb.Driver()) }
	p := open()
	rr, err := p.Build(ctx, engine.RunOptions{Command: "build"})
	if err != nil || rr.Failed() {
		t.Fatalf("build: %v %+v", err, rr)
	}
	raw, err := os.ReadFile(filepath.Join(p.TargetDir, "manifest.json"))
	if err != nil || !strings.Contains(string(raw), `"model.p.t"`) {
		t.Fatalf("manifest.json after the build: %v, %.200s", err, raw)
	}
	compiled, err := os.ReadFile(filepath.Join(p.TargetDir, "compiled", "p", "models", "t.sql"))
	if err != nil || !strings.Contains(string(compiled), `"dev"."v"`) {
		t.Fatalf("compiled t.sql: %v, %q", err, compiled)
	}

	// A folder where manifest.json belongs: the run happens, its results are
	// written, and the command still fails naming the manifest.
	results := filepath.Join(p.TargetDir, "run_results.json")
	os.Remove(results)
	manifest := filepath.Join(p.TargetDir, "manifest.json")
	if err := os.Remove(manifest); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(manifest, "blocker"), 0o755); err != nil {
		t.Fatal(err)
	}
	p = open()
	_, err = p.Build(ctx, engine.RunOptions{Command: "build"})
	if err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Fatalf("build with an unwritable manifest.json: err = %v, want one naming manifest.json", err)
	}
	if _, serr := os.Stat(results); serr != nil {
		t.Errorf("run_results.json was not written: %v", serr)
	}
}
