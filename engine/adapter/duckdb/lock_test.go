package duckdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

const holdEnv = "STRATA_DUCKDB_HOLD_FILE"

// TestHoldLockHelper is not a test: run as a subprocess by TestLockedFile, it
// holds a database file open until its stdin closes.
func TestHoldLockHelper(t *testing.T) {
	path := os.Getenv(holdEnv)
	if path == "" {
		t.Skip("helper process for TestLockedFile")
	}
	a, err := OpenDuckDB(context.Background(), adapter.Target{Fields: map[string]any{"path": path}})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	_ = a.Close()
}

func TestLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "finhouse.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLockHelper$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper said %q", line)
	}
	start := time.Now()
	_, err = Open(context.Background(), adapter.Target{Database: "finhouse", Fields: map[string]any{"path": path}})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("opening a locked file took %v", took)
	}
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("error %v, want a LockedError", err)
	}
	want := fmt.Sprintf("%s is in use by another process (PID %d); stop it or wait for it to finish", path, cmd.Process.Pid)
	if err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err, want)
	}
	if !errors.Is(err, adapter.ErrUnreachable) {
		t.Error("a locked file does not match ErrUnreachable")
	}
	// Once the holder closes the file, it opens.
	_ = stdin.Close()
	_ = cmd.Wait()
	a, err := Open(context.Background(), adapter.Target{Database: "finhouse", Fields: map[string]any{"path": path}})
	if err != nil {
		t.Fatalf("open after the holder closed: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWrongCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "finhouse.duckdb")
	_, err := Open(context.Background(), adapter.Target{Database: "other", Fields: map[string]any{"path": path}})
	if err == nil || !strings.Contains(err.Error(), `"finhouse"`) {
		t.Errorf("error %v, want one naming the file's catalog", err)
	}
	a, err := OpenDuckDB(context.Background(), adapter.Target{Fields: map[string]any{"path": path}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Catalog() != "finhouse" {
		t.Errorf("catalog %q, want finhouse (from the file name)", a.Catalog())
	}
}

// TestConcurrentBuilds runs many builds in one schema from 8 connections:
// DuckDB must not report spurious write-write conflicts between different
// relations (measured: none in 960 concurrent DDL statements; only
// concurrent CREATE SCHEMA of one name conflicts, which EnsureSchema
// serializes and retries).
func TestConcurrentBuilds(t *testing.T) {
	c := openTemp(t, 8)
	defer c.Close()
	a := materialize.New(c, Driver(), adapter.Target{Database: "db", Schema: "main"})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for g := range 8 {
		wg.Go(func() {
			if err := a.CreateSchema(ctx, "db", "shared"); err != nil {
				errs <- err
			}
			for i := range 10 {
				for _, mat := range []string{"table", "view", "incremental", "table"} {
					r := relation.Relation{Database: "db", Schema: "shared", Identifier: fmt.Sprintf("m%d", g)}
					if _, err := a.Materialize(ctx, materialize.Request{Relation: r, Materialized: mat,
						SQL: fmt.Sprintf("select %d as i, range as x from range(100)", i), UniqueKey: []string{"x"}}); err != nil {
						errs <- fmt.Errorf("%s %s: %w", r, mat, err)
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
