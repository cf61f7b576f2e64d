package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
)

// Where unit tests run: on the target (dbt's way), or on an in-memory
// embedded DuckDB, which needs no warehouse at all — the model's SQL must
// then be valid DuckDB (it is compiled for the target, with its inputs read
// from the test's rows).

// Unit test engines.
const (
	UnitTestsOnTarget = "target"
	UnitTestsOnDuckDB = "duckdb"
)

// unitTestsOn resolves where unit tests run: the option (--unit-tests-on),
// else STRATA_UNIT_TESTS_ON, else the project's unit-tests-on, else the target.
func (p *Project) unitTestsOn(opt string) (string, error) {
	v, from := opt, "--unit-tests-on"
	if v == "" {
		if e, ok := p.Opts.Env("STRATA_UNIT_TESTS_ON"); ok && e != "" {
			v, from = e, "STRATA_UNIT_TESTS_ON"
		}
	}
	if v == "" {
		v, from = p.Files.Config.UnitTestsOn, "unit-tests-on in "+p.Files.ConfigFile
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", UnitTestsOnTarget:
		return UnitTestsOnTarget, nil
	case UnitTestsOnDuckDB:
		return UnitTestsOnDuckDB, nil
	}
	return "", diag.Invalid("bad unit test engine", "%s is %q; it must be target (the profile's warehouse) or duckdb (the embedded DuckDB)", from, v)
}

// openUnitEngine opens the in-memory DuckDB unit tests run on.
func (s *session) openUnitEngine(ctx context.Context) error {
	for _, d := range s.p.Opts.Drivers {
		if d.Type != "duckdb" {
			continue
		}
		t := adapter.Target{Profile: s.p.Target.Profile, Name: "unit_tests", Type: "duckdb", Database: "memory", Schema: "main",
			Threads: max(s.p.Target.Threads, 1), Fields: map[string]any{"path": ":memory:"}}
		conn, err := d.Open(ctx, t)
		if err != nil {
			return fmt.Errorf("open the embedded DuckDB for unit tests: %w", err)
		}
		s.unit = materialize.New(conn, d, t)
		return nil
	}
	return diag.Invalid("no DuckDB", "unit tests on duckdb need strata's DuckDB driver, which this build lacks")
}

// needsTarget reports whether any selected node other than a unit test runs
// on the warehouse.
func (s *session) needsTarget(ids []string) bool {
	for _, id := range ids {
		n, ok := s.comp.Manifest.Node(id)
		if !ok {
			continue
		}
		switch {
		case n.ResourceType == manifest.UnitTest, n.ResourceType == manifest.Exposure, n.ResourceType == manifest.Source:
		case n.ResourceType == manifest.Model && n.Config.Materialized == "ephemeral":
		default:
			return true
		}
	}
	return false
}
