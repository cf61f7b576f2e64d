package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/internal/testfiles"
	"github.com/strata-dev/strata/engine/schedule"
)

// TestScheduledRunMatchesTypedCommand runs one schedule entry and the same
// command typed by a user on one project and requires the same outcome:
// node statuses in run_results.json, warnings (an undefined name printed by
// a template), template log(info=True) lines, and the node lines of the log.
// Both go through the façade's one pipeline; only the output differs (a run
// log instead of the terminal).
func TestScheduledRunMatchesTypedCommand(t *testing.T) {
	drivers := []adapter.Driver{duckdb.Driver()}
	project := func() string {
		dir := t.TempDir()
		files := map[string]string{
			"project.yaml":   "name: p\nprofile: p\n",
			"profiles.yaml":  "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: " + filepath.Join(dir, "p.duckdb") + "\n      schema: main\n      threads: 2\n",
			"seeds/s.csv":    "id\n1\n2\n",
			"models/a.sql":   "{{ log('hello from a', info=True) }}select * from {{ ref('s') }} where '{{ typo_name }}' = ''",
			"models/b.sql":   "select id from {{ ref('a') }}",
			"models/bad.sql": "select * from no_such_table",
			"models/c.sql":   "select * from {{ ref('bad') }}",
			"models/s.yml":   "version: 2\nmodels:\n  - name: b\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n",
		}
		testfiles.Write(t, dir, files)
		return dir
	}

	// The typed command.
	typedDir := project()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"build", "--project-dir", typedDir}, Env{Stdout: &out, Stderr: &errOut, Drivers: drivers,
		Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir()})
	if code != ExitFailure {
		t.Fatalf("typed build exit %d, want 1 (bad.sql fails)\n%s%s", code, out.String(), errOut.String())
	}
	typed := out.String() + errOut.String()

	// The same command as a schedule entry.
	schedDir := project()
	runDir := t.TempDir()
	var log bytes.Buffer
	run := scheduledRun(engine.Options{ProjectDir: schedDir, Drivers: drivers, HomeDir: t.TempDir(),
		Env: func(string) (string, bool) { return "", false }})
	rep, err := run(context.Background(), schedule.RunRequest{RunID: "r1", Schedule: "nightly", Attempt: 1, Command: "build", Dir: runDir, Log: &log})
	if err != nil {
		t.Fatalf("scheduled run: %v", err)
	}
	if rep.Status != "error" {
		t.Errorf("scheduled run status %q, want error", rep.Status)
	}
	scheduled := log.String()

	if a, b := statuses(t, filepath.Join(typedDir, "target", "run_results.json")), statuses(t, filepath.Join(runDir, "run_results.json")); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("run_results differ:\ntyped:\n%s\nscheduled:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, want := range []string{"undefined name: {{ typo_name }} renders nothing", "hello from a"} {
		if !strings.Contains(typed, want) || !strings.Contains(scheduled, want) {
			t.Errorf("%q: typed has it %v, scheduled has it %v\ntyped:\n%s\nscheduled:\n%s", want, strings.Contains(typed, want), strings.Contains(scheduled, want), typed, scheduled)
		}
	}
	if a, b := nodeLines(typed), nodeLines(scheduled); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("node lines differ:\ntyped:\n%s\nscheduled:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

func statuses(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &rr); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rr.Results {
		out = append(out, r.UniqueID+" "+r.Status)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s lists no results", path)
	}
	return out
}

var (
	stampRE = regexp.MustCompile(`^\d\d:\d\d:\d\d\s+`)
	timeRE  = regexp.MustCompile(`in \d+\.\d+s`)
	indexRE = regexp.MustCompile(`^\d+ of \d+ `)
)

// nodeLines are a log's node result lines without times and run order.
func nodeLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = stampRE.ReplaceAllString(l, "")
		if !strings.Contains(l, " START ") && (strings.Contains(l, " OK ") || strings.Contains(l, " PASS ") || strings.Contains(l, "ERROR ") || strings.Contains(l, "SKIP ")) {
			out = append(out, indexRE.ReplaceAllString(timeRE.ReplaceAllString(l, "in Ns"), ""))
		}
	}
	sort.Strings(out)
	return out
}
