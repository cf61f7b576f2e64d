package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// replaySeparator separates the statements of a DuckDB replay script.
const replaySeparator = "\n-- strata-bench: next statement\n"

// benchDuckDB runs `strata run --threads 1` over the generated project's
// models (all views) on DuckDB, first run (fresh file, seeds loaded) and
// re-run (views replaced), each against the floor: the statements strata
// executed (target/run) replayed in the same order on one DuckDB connection
// through DuckDB's C API by a process of their own (`strata-bench
// -replay-duckdb`).
func benchDuckDB(self, bin string, n, runs int) {
	dir, err := os.MkdirTemp("", "strata-bench-duckdb-*")
	must(err)
	defer cleanup(dir)
	gen := generate(dir, n)
	fmt.Printf("duckdb: generated %d models in %s with %s\n", n, dir, gen)
	// The generator names its profile after the project.
	profile := "bench"
	if raw, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml")); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "profile:"); ok {
				profile = strings.Trim(strings.TrimSpace(v), `'"`)
			}
		}
	}
	must(os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(profile+":\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: target/bench.duckdb\n      schema: main\n      threads: 1\n"), 0o644))
	db := filepath.Join(dir, "target", "bench.duckdb")
	fresh := func() {
		os.Remove(db)
		os.Remove(db + ".wal")
		measure(dir, bin, "seed", "--project-dir", dir, "-q")
	}
	run := func() float64 {
		w, _, _ := measure(dir, bin, "run", "--project-dir", dir, "-q", "--threads", "1")
		return w.Seconds()
	}
	fresh()
	run()
	script := duckdbReplayScript(dir)
	replay := func() float64 {
		w, _, _ := measure(dir, self, "-replay-duckdb", db, "-script", script)
		return w.Seconds()
	}
	// Replay and run each vary by +-15% from round to round on this machine:
	// more rounds than the other figures, and every other round runs strata
	// before the replay, so neither always meets the disk and caches as the
	// other left them.
	runs = max(runs, 11)
	var first, firstReplay, rerun, rerunReplay []float64
	for i := 0; i < runs; i++ {
		strataFirst := i%2 == 1
		inOrder := func(strata, floor func()) {
			if strataFirst {
				strata()
				floor()
			} else {
				floor()
				strata()
			}
		}
		// First run: each side on a freshly seeded file. Re-run: each side
		// over the views the other side left.
		inOrder(func() { fresh(); first = append(first, run()) },
			func() { fresh(); firstReplay = append(firstReplay, replay()) })
		inOrder(func() { rerun = append(rerun, run()) },
			func() { rerunReplay = append(rerunReplay, replay()) })
	}
	none := make([]float64, runs)
	report(fmt.Sprintf("duckdb replay of %d views, first run", n), firstReplay, none, "(floor: one connection)")
	report(fmt.Sprintf("strata run %d views --threads 1, first run", n), first, none, fmt.Sprintf("ratio %.3fx (target <= 1.1x; paired %.3fx)", median(first)/median(firstReplay), pairedRatio(first, firstReplay)))
	report(fmt.Sprintf("duckdb replay of %d views, re-run", n), rerunReplay, none, "(floor: one connection)")
	report(fmt.Sprintf("strata run %d views --threads 1, re-run", n), rerun, none, fmt.Sprintf("ratio %.3fx (target <= 1.1x; paired %.3fx)", median(rerun)/median(rerunReplay), pairedRatio(rerun, rerunReplay)))
}

// duckdbReplayScript lists target/run's statements in the order the last run
// executed them (run_results timing), separated by replaySeparator.
func duckdbReplayScript(dir string) string {
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Timing   []struct {
				StartedAt time.Time `json:"started_at"`
			} `json:"timing"`
		} `json:"results"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	must(err)
	must(json.Unmarshal(raw, &rr))
	var m struct {
		Nodes map[string]struct {
			OriginalFilePath string          `json:"original_file_path"`
			PackageName      string          `json:"package_name"`
			Name             string          `json:"name"`
			ResourceType     string          `json:"resource_type"`
			TestMetadata     json.RawMessage `json:"test_metadata"`
		} `json:"nodes"`
	}
	raw, err = os.ReadFile(filepath.Join(dir, "target", "manifest.json"))
	must(err)
	must(json.Unmarshal(raw, &m))
	sort.Slice(rr.Results, func(i, j int) bool {
		return rr.Results[i].Timing[0].StartedAt.Before(rr.Results[j].Timing[0].StartedAt)
	})
	var b strings.Builder
	for i, r := range rr.Results {
		n := m.Nodes[r.UniqueID]
		file := n.OriginalFilePath
		if n.ResourceType == "test" && len(n.TestMetadata) > 0 && string(n.TestMetadata) != "null" {
			// A generic test's statements are filed under its YAML file's name.
			file = strings.TrimSuffix(file, filepath.Ext(file)) + "/" + n.Name + ".sql"
		}
		body, err := os.ReadFile(filepath.Join(dir, "target", "run", n.PackageName, filepath.FromSlash(file)))
		if os.IsNotExist(err) {
			continue // a node that ran no statement (an ephemeral model)
		}
		must(err)
		if i > 0 && b.Len() > 0 {
			b.WriteString(replaySeparator)
		}
		b.WriteString(strings.TrimRight(string(body), "\n"))
	}
	path := filepath.Join(dir, "replay.sql")
	must(os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// replayDuckDB runs a replay script's statements one by one on one connection
// through DuckDB's C API (duckdb_query: one call per statement, the fastest
// way to run them, and the way strata's DuckDB adapter runs Exec).
func replayDuckDB(path, script string) {
	raw, err := os.ReadFile(script)
	must(err)
	var config mapping.Config
	if mapping.CreateConfig(&config) == mapping.StateError {
		must(fmt.Errorf("replay: cannot create a DuckDB configuration"))
	}
	var db mapping.Database
	var msg string
	if mapping.OpenExt(path, &db, config, &msg) == mapping.StateError {
		must(fmt.Errorf("replay: open %s: %s", path, msg))
	}
	mapping.DestroyConfig(&config)
	var conn mapping.Connection
	if mapping.Connect(db, &conn) == mapping.StateError {
		must(fmt.Errorf("replay: connect to %s", path))
	}
	for _, stmt := range strings.Split(string(raw), replaySeparator) {
		var res mapping.Result
		if mapping.Query(conn, stmt, &res) == mapping.StateError {
			must(fmt.Errorf("replay: %s\n%s", mapping.ResultError(&res), stmt))
		}
		mapping.DestroyResult(&res)
	}
	mapping.Disconnect(&conn)
	mapping.Close(&db)
}

// replayDuckDBSQL is replayDuckDB through database/sql and duckdb-go, the
// way strata ran every statement before its DuckDB adapter's Exec went to the
// C API.
func replayDuckDBSQL(path, script string) {
	connector, err := duckdb.NewConnector(path, nil)
	must(err)
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	must(err)
	defer conn.Close()
	raw, err := os.ReadFile(script)
	must(err)
	for _, stmt := range strings.Split(string(raw), replaySeparator) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			must(fmt.Errorf("replay: %w\n%s", err, stmt))
		}
	}
}

// benchBuild builds the whole n-model project (models and their tests) on
// DuckDB with one thread, after its seeds, beside replaying the statements
// that build executed, in its order, on one connection (DESIGN.md: at most
// 1.5x). Each round starts from the seeded database.
func benchBuild(self, bin string, n, runs int) {
	dir, err := os.MkdirTemp("", "strata-bench-build-*")
	must(err)
	defer cleanup(dir)
	gen := generate(dir, n)
	fmt.Printf("build: generated %d models in %s with %s\n", n, dir, gen)
	profile := "bench"
	if raw, err := os.ReadFile(filepath.Join(dir, "dbt_project.yml")); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "profile:"); ok {
				profile = strings.Trim(strings.TrimSpace(v), `'"`)
			}
		}
	}
	must(os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(profile+":\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: bench.duckdb\n      schema: main\n      threads: 1\n"), 0o644))
	db := filepath.Join(dir, "bench.duckdb")
	seeded := filepath.Join(dir, "seeded.duckdb")
	os.Remove(db)
	measure(dir, bin, "seed", "--project-dir", dir, "-q")
	measure(dir, bin, "compile", "--project-dir", dir, "-q") // the warm state a scheduled build meets
	must(exec.Command("cp", db, seeded).Run())
	restore := func() {
		os.Remove(db + ".wal")
		must(exec.Command("cp", seeded, db).Run())
	}
	var build, replay, cpu []float64
	nodes := 0
	for i := 0; i < runs; i++ {
		restore()
		w, _, out := measure(dir, bin, "build", "--project-dir", dir, "--exclude", "resource_type:seed", "--threads", "1")
		build, cpu = append(build, w.Seconds()), append(cpu, lastCPU)
		if i == 0 {
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, "TOTAL=") {
					fmt.Printf("  %s\n", strings.TrimSpace(l))
				}
			}
		}
		script := duckdbReplayScript(dir)
		if i == 0 {
			raw, _ := os.ReadFile(script)
			nodes = strings.Count(string(raw), replaySeparator) + 1
		}
		restore()
		w, _, _ = measure(dir, self, "-replay-duckdb", db, "-script", script)
		replay = append(replay, w.Seconds())
	}
	reportCPU(fmt.Sprintf("duckdb replay of the build's %d statement sets", nodes), replay, nil, make([]float64, len(replay)), "(floor: one connection)")
	reportCPU(fmt.Sprintf("strata build %d models + tests --threads 1", n), build, nil, cpu,
		fmt.Sprintf("ratio %.3fx (target <= 1.5x; paired %.3fx)", median(build)/median(replay), pairedRatio(build, replay)))
}
