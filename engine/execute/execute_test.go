package execute_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/internal/testfiles"
	"github.com/strata-dev/strata/engine/result"
)

type recorder struct {
	mu     sync.Mutex
	events []result.Event
}

func (r *recorder) Event(e result.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func project(t *testing.T, files map[string]string) *engine.Project {
	t.Helper()
	dir := t.TempDir()
	files["project.yaml"] = "name: p\nprofile: p\n"
	testfiles.Write(t, dir, files)
	p, err := engine.Open(engine.Options{ProjectDir: dir, HomeDir: t.TempDir(), Threads: 4,
		Env:     func(string) (string, bool) { return "", false },
		Drivers: []adapter.Driver{duckdb.Driver()}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, ctx context.Context, p *engine.Project, obs result.Observer) *result.RunResults {
	t.Helper()
	rr, err := p.Build(ctx, engine.RunOptions{Command: "build", Common: engine.Common{Observer: obs}})
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func statuses(rr *result.RunResults) map[string]result.Status {
	out := map[string]result.Status{}
	for _, r := range rr.Results {
		out[r.UniqueID] = r.Status
	}
	return out
}

// A failing model skips its descendants once, naming itself as the cause, while
// independent branches build in parallel; a failing test gates its model's children.
func TestFailureSkipsDescendantsOnce(t *testing.T) {
	files := map[string]string{
		"models/bad.sql":      "select * from no_such_table",
		"models/child.sql":    "select * from {{ ref('bad') }}",
		"models/grandkid.sql": "select * from {{ ref('child') }}",
		"models/dirty.sql":    "select null as id",
		"models/on_dirty.sql": "select * from {{ ref('dirty') }}",
		"models/schema.yml":   "version: 2\nmodels:\n  - name: dirty\n    columns:\n      - name: id\n        data_tests: [not_null]\n",
	}
	for i := 0; i < 12; i++ {
		files[filepath.Join("models", "ok"+string(rune('a'+i))+".sql")] = "select 1 as id"
	}
	p := project(t, files)
	rec := &recorder{}
	rr := run(t, context.Background(), p, rec)
	st := statuses(rr)
	want := map[string]result.Status{
		"model.p.bad": result.Error, "model.p.child": result.Skipped, "model.p.grandkid": result.Skipped,
		"model.p.dirty": result.Success, "model.p.on_dirty": result.Skipped, "model.p.oka": result.Success,
	}
	for id, s := range want {
		if st[id] != s {
			t.Errorf("%s: status %q, want %q", id, st[id], s)
		}
	}
	for _, r := range rr.Results {
		if r.UniqueID == "model.p.grandkid" && r.SkippedBecause != "model.p.bad" {
			t.Errorf("grandkid skipped because %q, want the root cause model.p.bad", r.SkippedBecause)
		}
	}
	finished := map[string]int{}
	for _, e := range rec.events {
		if e.Kind == result.NodeFinished {
			finished[e.UniqueID]++
		}
	}
	for id, n := range finished {
		if n != 1 {
			t.Errorf("%s finished %d times", id, n)
		}
	}
	if len(finished) != len(rr.Results) {
		t.Errorf("%d finished events for %d results", len(finished), len(rr.Results))
	}
	if c := rr.Count(); c.Error != 2 || c.Skip != 3 {
		t.Errorf("counts %+v: want 2 errors (bad, the not_null test) and 3 skips", c)
	}
}

// Cancelling the context stops a long query in the warehouse: the node ends
// cancelled promptly and nothing downstream starts.
func TestCancelStopsRunningQuery(t *testing.T) {
	p := project(t, map[string]string{
		"models/slow.sql":  "{{ config(materialized='table') }}\nselect count(*) as n from range(100000000000) a",
		"models/after.sql": "select * from {{ ref('slow') }}",
	})
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	go func() {
		for {
			rec.mu.Lock()
			started := len(rec.events) > 1
			rec.mu.Unlock()
			if started {
				time.Sleep(300 * time.Millisecond)
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	begin := time.Now()
	rr := run(t, ctx, p, rec)
	if took := time.Since(begin); took > 20*time.Second {
		t.Fatalf("cancelled run took %s", took)
	}
	st := statuses(rr)
	if st["model.p.slow"] != result.Cancelled {
		t.Errorf("slow: %q, want cancelled", st["model.p.slow"])
	}
	if st["model.p.after"] != result.Skipped {
		t.Errorf("after: %q, want skipped", st["model.p.after"])
	}
	if _, err := os.Stat(filepath.Join(p.TargetDir, "run_results.json")); err != nil {
		t.Errorf("run_results.json not written after cancel: %v", err)
	}
}
