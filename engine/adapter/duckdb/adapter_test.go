package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/adaptertest"
)

// openTemp opens a fresh database file named db.duckdb in a temporary directory.
func openTemp(t *testing.T, threads int) *Conn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.duckdb")
	c, err := OpenDuckDB(context.Background(), adapter.Target{Type: "duckdb", Database: "db", Schema: "main", Threads: threads,
		Fields: map[string]any{"path": path}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	adaptertest.Run(t, adaptertest.Harness{
		Driver:     Driver(),
		Open:       func(t *testing.T) adapter.Conn { return openTemp(t, 4) },
		OpenSingle: func(t *testing.T) adapter.Conn { return openTemp(t, 1) },
		Database:   "db",
		// Every case has its own file; a schema named like the file checks that
		// relations are always qualified with the catalog.
		Schema:     func(t *testing.T, c adapter.Conn) string { return "db" },
		LongQuery:  "select count(*) from range(10000000000)",
		LongSelect: "select count(*) as n from range(10000000000)",
	})
}
