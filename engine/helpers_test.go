package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
)

// writeProject writes files (path relative to dir: content) under dir.
func writeProject(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// openProject opens the project in dir on target ("" for the profile's
// default) with driver d, no environment and a home folder of its own.
func openProject(t *testing.T, dir, target string, d adapter.Driver) *engine.Project {
	t.Helper()
	p, err := engine.Open(engine.Options{ProjectDir: dir, Target: target, Drivers: []adapter.Driver{d}, HomeDir: t.TempDir(),
		Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
