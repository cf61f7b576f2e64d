package engine_test

import (
	"testing"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
)

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
