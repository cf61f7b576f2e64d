package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/cli"
)

// syncBuffer is a bytes.Buffer safe for the scheduler's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type apiRun struct {
	ID         string `json:"id"`
	Schedule   string `json:"schedule"`
	Status     string `json:"status"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
}

func getRuns(addr string) ([]apiRun, error) {
	resp, err := http.Get("http://" + addr + "/api/runs")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var runs []apiRun
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &runs); err != nil {
		var wrapped struct {
			Runs []apiRun `json:"runs"`
		}
		if err2 := json.Unmarshal(body, &wrapped); err2 != nil {
			return nil, fmt.Errorf("decode /api/runs %q: %v", body, err)
		}
		runs = wrapped.Runs
	}
	return runs, nil
}

// TestScheduleEndToEnd runs `strata schedule` on DuckDB with an @every 1s
// schedule: runs happen and succeed, the endpoints answer, a model added to the
// project between ticks is built by the next run without a restart, and
// cancelling (what SIGTERM does) returns exit 0 with the run history on disk.
func TestScheduleEndToEnd(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"project.yaml": "name: p\nprofile: p\nschedules:\n  - name: often\n    cron: \"@every 1s\"\n    command: build\n",
		"models/a.sql": "select 1 as id\n",
	}
	writeFiles(t, dir, files)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"schedule", "--project-dir", dir, "--addr", addr}, cli.Env{
			Stdout: &out, Stderr: &errOut, Drivers: Drivers(), Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir(),
		})
	}()
	waitFor := func(what string, ok func([]apiRun) bool) []apiRun {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case code := <-done:
				t.Fatalf("strata schedule exited early with %d\n%s", code, errOut.String())
			default:
			}
			if runs, err := getRuns(addr); err == nil && ok(runs) {
				return runs
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s\nstderr:\n%s", what, errOut.String())
		return nil
	}
	runs := waitFor("a successful run", func(rs []apiRun) bool {
		for _, r := range rs {
			if r.Status == "success" {
				return true
			}
		}
		return false
	})
	for _, r := range runs {
		if r.Schedule != "often" {
			t.Errorf("run %s has schedule %q", r.ID, r.Schedule)
		}
		if _, err := time.Parse(time.RFC3339, r.StartedAt); err != nil {
			t.Errorf("started_at %q is not RFC 3339: %v", r.StartedAt, err)
		}
	}
	for path, want := range map[string]string{"/healthz": "", "/metrics": "strata_", "/": "often"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}

	// A merged change is picked up by the next tick, without a restart.
	if err := os.WriteFile(filepath.Join(dir, "models", "b.sql"), []byte("select id + 1 as id from {{ ref('a') }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changedAt := time.Now()
	waitFor("a run that built model b", func(rs []apiRun) bool {
		for _, r := range rs {
			if r.Status != "success" {
				continue
			}
			started, _ := time.Parse(time.RFC3339, r.StartedAt)
			if started.Before(changedAt.Add(-time.Second)) {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dir, "target", "runs", r.ID, "run_results.json"))
			if err == nil && strings.Contains(string(raw), `"model.p.b"`) {
				return true
			}
		}
		return false
	})

	cancel() // what SIGTERM/SIGINT does through main's signal-aware context
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("strata schedule exited %d on shutdown, want 0\n%s", code, errOut.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("strata schedule did not stop within the grace period")
	}
	if _, err := os.Stat(filepath.Join(dir, "target", "runs", "index.json")); err != nil {
		t.Errorf("run history index missing: %v", err)
	}
}

// TestScheduleRejectsInvalidEntries: a bad schedule fails at start with its name
// and the reason, exit 2, before anything runs.
func TestScheduleRejectsInvalidEntries(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "models"), 0o755)
	os.WriteFile(filepath.Join(dir, "models", "a.sql"), []byte("select 1 as id\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "project.yaml"), []byte("name: p\nprofile: p\nschedules:\n  - name: nightly\n    cron: \"0 25 * * *\"\n    command: build\n  - name: broken\n    cron: \"@hourly\"\n    command: deploy\n"), 0o644)
	var out, errOut syncBuffer
	code := cli.Main(context.Background(), []string{"schedule", "--project-dir", dir, "--addr", freeAddr(t)}, cli.Env{
		Stdout: &out, Stderr: &errOut, Drivers: Drivers(), Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir(),
	})
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, errOut.String())
	}
	for _, want := range []string{`"nightly"`, "cron", `"broken"`, "deploy"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "target", "runs")); err == nil {
		t.Error("a run history was created for an invalid schedule")
	}
}
