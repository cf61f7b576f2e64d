package view

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/syncbuf"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/result"
)

// An event built without a time is stamped when it is printed, never
// 00:00:00 or 0001-01-01.
func TestEventsWithoutTimeGetNow(t *testing.T) {
	var out, errOut bytes.Buffer
	p := New(&out, &errOut, Text, false)
	before := time.Now().Truncate(time.Second)
	p.Event(result.Event{Kind: result.Warning, Message: "the view x was dropped"})
	p.Event(result.Event{Kind: result.Info, Message: "hook ran"})
	after := time.Now()
	for _, line := range strings.Split(strings.TrimSpace(errOut.String()+out.String()), "\n") {
		ts, err := time.ParseInLocation("15:04:05", line[:8], time.Local)
		if err != nil {
			t.Fatalf("line without a time: %q", line)
		}
		ts = time.Date(before.Year(), before.Month(), before.Day(), ts.Hour(), ts.Minute(), ts.Second(), 0, time.Local)
		if ts.Before(before.Add(-time.Second)) || ts.After(after.Add(time.Second)) {
			t.Errorf("line stamped %s, not now (%s): %q", ts.Format("15:04:05"), before.Format("15:04:05"), line)
		}
	}
	var js bytes.Buffer
	j := New(&js, &js, JSON, false)
	j.Event(result.Event{Kind: result.Warning, Message: "w"})
	var rec struct {
		Info struct{ TS string } `json:"info"`
	}
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	ts, err := time.Parse(time.RFC3339Nano, rec.Info.TS)
	if err != nil || time.Since(ts) > time.Minute || time.Since(ts) < -time.Minute {
		t.Errorf("JSON ts %q is not now (%v)", rec.Info.TS, err)
	}
}

func node(id, typ, mat string) *manifest.Node {
	return &manifest.Node{UniqueID: id, ResourceType: manifest.ResourceType(typ), Name: id[strings.LastIndex(id, ".")+1:],
		OriginalFilePath: "models/x.sql", Config: manifest.Config{Materialized: mat}}
}

func TestQuietKeepsErrorsWarningsAndSummary(t *testing.T) {
	var out, errOut bytes.Buffer
	p := New(&out, &errOut, Text, true)
	now := time.Now()
	p.Header("1.0.0")
	p.Event(result.Event{Kind: result.Parsed, Time: now, Stats: &result.Stats{Counts: map[string]int{"model": 2}}})
	p.Event(result.Event{Kind: result.NodeStarted, Time: now, Index: 1, Total: 3, UniqueID: "model.p.a", ResourceType: "model", Name: "a", Materialized: "view", RelationName: "main.a"})
	ok := &result.NodeResult{UniqueID: "model.p.a", Status: result.Success, Node: node("model.p.a", "model", "view")}
	bad := &result.NodeResult{UniqueID: "model.p.b", Status: result.Error, Message: "boom", Node: node("model.p.b", "model", "table")}
	skip := &result.NodeResult{UniqueID: "model.p.c", Status: result.Skipped, Message: "skipped because model.p.b did not succeed", Node: node("model.p.c", "model", "view")}
	for i, r := range []*result.NodeResult{ok, bad, skip} {
		p.Event(result.Event{Kind: result.NodeFinished, Time: now, Index: i + 1, Total: 3, UniqueID: r.UniqueID, ResourceType: "model", Name: r.Node.Name, Materialized: r.Node.Config.Materialized, RelationName: "main." + r.Node.Name, Result: r})
	}
	p.Event(result.Event{Kind: result.Warning, Time: now, Message: "careful"})
	p.Event(result.Event{Kind: result.RunFinished, Time: now, Results: &result.RunResults{Results: []*result.NodeResult{ok, bad, skip}}, Elapsed: 1500 * time.Millisecond})
	got := out.String()
	for _, no := range []string{"Running with", "Found", "START", "OK created", "SKIP relation", "Finished running"} {
		if strings.Contains(got, no) {
			t.Errorf("-q printed %q:\n%s", no, got)
		}
	}
	for _, want := range []string{"2 of 3 ERROR creating sql table model main.b", "Completed with 1 error and 0 warnings:", "Error in model b (models/x.sql)", "  boom", "Done. PASS=1 WARN=0 ERROR=1 SKIP=1 TOTAL=3"} {
		if !strings.Contains(got, want) {
			t.Errorf("-q lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(errOut.String(), "warning: careful") {
		t.Errorf("-q lacks the warning: %q", errOut.String())
	}
}

func TestNodeLinesAndSummaryWording(t *testing.T) {
	var out bytes.Buffer
	p := New(&out, &out, Text, false)
	p.Configure(Settings{Level: LevelInfo, Width: 60})
	now := time.Now()
	one := int64(1)
	seed := &result.NodeResult{UniqueID: "seed.p.s", Status: result.Success, ExecutionTime: 0.5, AdapterResponse: result.AdapterResponse{Message: "INSERT 3"}, Node: node("seed.p.s", "seed", "seed")}
	test := &result.NodeResult{UniqueID: "test.p.t", Status: result.Warn, Failures: &one, Message: "Got 1 result, configured to warn if !=0", Node: node("test.p.t", "test", "test")}
	p.Event(result.Event{Kind: result.Starting, Time: now, Stats: &result.Stats{Threads: 1, Target: "dev"}})
	p.Event(result.Event{Kind: result.NodeFinished, Time: now, Index: 1, Total: 2, UniqueID: "seed.p.s", ResourceType: "seed", Name: "s", RelationName: "main.s", Result: seed})
	p.Event(result.Event{Kind: result.NodeFinished, Time: now, Index: 2, Total: 2, UniqueID: "test.p.t", ResourceType: "test", Name: "t", Result: test})
	p.Event(result.Event{Kind: result.RunFinished, Time: now, Results: &result.RunResults{Results: []*result.NodeResult{seed, test}}, Elapsed: 3723*time.Second + 450*time.Millisecond})
	got := out.String()
	for _, want := range []string{
		"  Concurrency: 1 thread (target='dev')\n",
		"  " + pad("1 of 2 OK loaded seed file main.s ", 60) + " [INSERT 3 in 0.50s]\n",
		"  " + pad("2 of 2 WARN 1 t ", 60) + " [WARN 1 in 0.00s]\n",
		"  Finished running 1 seed, 1 data test in 1 hours 2 minutes and 3.45 seconds (3723.45s).\n",
		"  Completed with 1 warning:\n",
		"  Warning in test t (models/x.sql)\n",
		"  Done. PASS=1 WARN=1 ERROR=0 SKIP=0 TOTAL=2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
}

// pad is dbt's justification: dots up to the printer width.
func pad(s string, width int) string { return s + strings.Repeat(".", width-len(s)) }

func TestStatLine(t *testing.T) {
	got := statLine(map[string]int{"macro": 417, "model": 1, "test": 20, "seed": 3, "source": 0, "unit_test": 2, "exposure": 1})
	if want := "1 model, 3 seeds, 20 data tests, 2 unit tests, 1 exposure, 417 macros"; got != want {
		t.Errorf("statLine = %q, want %q", got, want)
	}
}

func TestDiagnosticsJSONNames(t *testing.T) {
	var out bytes.Buffer
	p := New(&out, &out, JSON, false)
	p.Diagnostics(diag.Diagnostics{{Severity: diag.Warning, Summary: "undefined name", File: "models/a.sql", Line: 3, Detail: "x"}})
	if !strings.Contains(out.String(), `"name":"UndefinedName"`) || !strings.Contains(out.String(), `"level":"warn"`) {
		t.Errorf("warning line: %s", out.String())
	}
}

func TestLevels(t *testing.T) {
	var out bytes.Buffer
	p := New(&out, &out, Text, false)
	p.Configure(Settings{Level: LevelWarn})
	p.Notice("hidden")
	p.Event(result.Event{Kind: result.Warning, Message: "shown"})
	p.Debugf("hidden too")
	if got := out.String(); strings.Contains(got, "hidden") || !strings.Contains(got, "shown") {
		t.Errorf("--log-level warn: %q", got)
	}
	var file bytes.Buffer
	q := New(&bytes.Buffer{}, &bytes.Buffer{}, Text, true)
	q.SetLogFile(&file, LevelDebug, Debug)
	q.Debugf("the sql")
	if !strings.Contains(file.String(), "[debug] [MainThread]: the sql") {
		t.Errorf("log file at debug: %q", file.String())
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel accepted loud")
	}
}

// The log file keeps dbt's layout: one header per record, and a node's SQL
// on the lines after it as written (dbt.log does not prefix them).
func TestLogFileMultiLineRecord(t *testing.T) {
	var file bytes.Buffer
	p := New(&bytes.Buffer{}, &bytes.Buffer{}, Text, true)
	p.SetLogFile(&file, LevelDebug, Debug)
	p.Debugf("On model.p.a:\nselect 1\n\n  from x")
	lines := strings.Split(strings.TrimRight(file.String(), "\n"), "\n")
	n := len(lines)
	if n < 4 {
		t.Fatalf("log file: %q", file.String())
	}
	if !strings.HasSuffix(lines[n-4], " [debug] [MainThread]: On model.p.a:") {
		t.Errorf("header line: %q", lines[n-4])
	}
	if got := lines[n-3:]; got[0] != "select 1" || got[1] != "" || got[2] != "  from x" {
		t.Errorf("continuation lines: %q", got)
	}
}

// Node lines are written off the executing thread, yet in the order of
// events: a line between a node's start and end lands between them, queued
// lines reach the output on their own, and Flush writes them at once.
func TestNodeLinesAreQueuedInOrder(t *testing.T) {
	var out syncbuf.Buffer
	p := New(&out, &out, Text, false)
	now := time.Now()
	a := &result.NodeResult{UniqueID: "model.p.a", Status: result.Success, AdapterResponse: result.AdapterResponse{Message: "CREATE VIEW"}, Node: node("model.p.a", "model", "a")}
	p.Event(result.Event{Kind: result.NodeStarted, Time: now, Index: 1, Total: 2, UniqueID: "model.p.a", ResourceType: "model", Name: "a", Materialized: "view", RelationName: "main.a"})
	p.Event(result.Event{Kind: result.Info, Time: now, Message: "a says hello"})
	p.Event(result.Event{Kind: result.NodeFinished, Time: now, Index: 1, Total: 2, UniqueID: "model.p.a", ResourceType: "model", Name: "a", Materialized: "view", RelationName: "main.a", Result: a})
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "OK created"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the queued end line was never written:\n%s", out.String())
		}
	}
	got := out.String()
	start, hello, done := strings.Index(got, "START sql view model main.a"), strings.Index(got, "a says hello"), strings.Index(got, "OK created sql view model main.a")
	if start < 0 || hello < start || done < hello {
		t.Errorf("lines out of order (start %d, hello %d, end %d):\n%s", start, hello, done, got)
	}
	p.Event(result.Event{Kind: result.NodeStarted, Time: now, Index: 2, Total: 2, UniqueID: "model.p.b", ResourceType: "model", Name: "b", Materialized: "view", RelationName: "main.b"})
	p.Flush()
	if !strings.Contains(out.String(), "START sql view model main.b") {
		t.Errorf("Flush left the start line queued:\n%s", out.String())
	}
}
