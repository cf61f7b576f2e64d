// Command strata-bench prints the figures behind DESIGN.md's performance targets:
// parse, compile (empty and warm target/, beside python3 writing the same files)
// and ls of generated 10,000- and 100,000-model projects, docs generate,
// orchestration overhead of 1,000 views on DuckDB against replaying the same
// statements on one connection and on PostgreSQL against replaying the same
// SQL through psql, a 10,000-model DuckDB build against replaying what it
// executed, and the idle scheduler's RSS and tick lateness. Each figure is the
// median of several runs (wall time, and CPU time where the shared machine's
// load makes wall time drift), measured in one process run so ratios compare
// like with like. It is run by `make bench`; it asserts nothing.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/strata-dev/strata/engine/compile/benchgen"
)

func main() {
	strata := flag.String("strata", "bin/strata", "strata binary to measure")
	runs := flag.Int("runs", 5, "runs per figure (the median is reported)")
	models := flag.Int("models", 10000, "models in the generated compile project")
	large := flag.Int("large", 100000, "models in the large compile project (0: skip)")
	views := flag.Int("views", 1000, "views in the PostgreSQL overhead project")
	pg := flag.String("pg", os.Getenv("STRATA_TEST_POSTGRES_DSN"), "PostgreSQL URL for the overhead figure (default $STRATA_TEST_POSTGRES_DSN)")
	only := flag.String("only", "", "run one section: templates, compile, docs, duckdb, build, pg, schedule")
	buildModels := flag.Int("build-models", 10000, "models in the DuckDB build project (0: skip)")
	flag.BoolVar(&keep, "keep", false, "keep the generated projects (their paths are printed)")
	replayDB := flag.String("replay-duckdb", "", "internal: replay -script on this DuckDB file on one connection")
	replayScript := flag.String("script", "", "internal: the script -replay-duckdb runs")
	replaySQL := flag.Bool("replay-database-sql", false, "internal: -replay-duckdb through database/sql instead of DuckDB's C API")
	flag.Parse()
	if *replayDB != "" {
		if *replaySQL {
			replayDuckDBSQL(*replayDB, *replayScript)
		} else {
			replayDuckDB(*replayDB, *replayScript)
		}
		return
	}
	bin, err := filepath.Abs(*strata)
	must(err)
	defer removeAll()
	if *only == "" {
		runSections()
		return
	}
	if *only == "templates" {
		benchTemplates(*runs)
	}
	if *only == "compile" {
		benchCompile(bin, *models, *runs)
		if *large > 0 {
			benchCompile(bin, *large, min(*runs, 3))
		}
	}
	if *only == "duckdb" {
		settle() // the sections before wrote GBs of files
		self, err := os.Executable()
		must(err)
		benchDuckDB(self, bin, *views, *runs)
	}
	if *only == "build" && *buildModels > 0 {
		settle() // the sections before wrote GBs of files
		self, err := os.Executable()
		must(err)
		benchBuild(self, bin, *buildModels, min(*runs, 3))
	}
	if *only == "docs" {
		settle() // the sections before wrote GBs of files
		benchDocs(bin, *models, *runs)
		if *large > 0 {
			benchDocs(bin, *large, min(*runs, 3))
		}
	}
	if *only == "pg" {
		settle() // the sections before wrote GBs of files
		if *pg == "" {
			fmt.Println("pg overhead: skipped (set STRATA_TEST_POSTGRES_DSN or -pg to a PostgreSQL URL)")
		} else {
			benchPostgres(bin, *pg, *views, *runs)
		}
	}
	if *only == "schedule" {
		settle() // the sections before wrote GBs of files
		benchSchedule(bin)
	}
}

// sections are the parts of a full run, in order.
var sections = []string{"templates", "compile", "duckdb", "build", "docs", "pg", "schedule"}

// runSections runs each section in a process of its own. A child's peak RSS
// (wait4's ru_maxrss) starts from the RSS of the process that started it,
// since Linux carries the old address space's high-water mark over exec: in
// one process the sections before (reading docs output, generating projects)
// left the bench at ~90 MB, and every later row printed 89.9 MB for psql and
// strata alike. The folders each section leaves are removed at the very
// end, as cleanup explains.
func runSections() {
	list, err := os.CreateTemp("", "strata-bench-remove-*")
	must(err)
	list.Close()
	defer os.Remove(list.Name())
	self, err := os.Executable()
	must(err)
	for _, name := range sections {
		cmd := exec.Command(self, append(os.Args[1:], "-only", name)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "STRATA_BENCH_REMOVE_LIST="+list.Name())
		if err := cmd.Run(); err != nil {
			must(fmt.Errorf("section %s: %w", name, err))
		}
	}
	raw, err := os.ReadFile(list.Name())
	must(err)
	for _, dir := range strings.Fields(string(raw)) {
		toRemove = append(toRemove, dir)
	}
}

// keep leaves generated projects on disk for profiling.
var keep bool

// cleanup removes a section's folder when the whole bench is done, not when
// the section is: this machine's ext4 (no journal) skips inodes freed in the
// last 60-360 s when it creates files, so deleting a section's hundreds of
// thousands of files made the next section's file creation (cold compiles,
// python3's floor) 5-10 times slower.
func cleanup(dir string) {
	if keep {
		fmt.Println("kept", dir)
		return
	}
	if path := os.Getenv("STRATA_BENCH_REMOVE_LIST"); path != "" {
		// A section run by runSections: the parent removes it at the end.
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
		must(err)
		fmt.Fprintln(f, dir)
		must(f.Close())
		return
	}
	toRemove = append(toRemove, dir)
}

var toRemove []string

func removeAll() {
	for _, dir := range toRemove {
		os.RemoveAll(dir)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "strata-bench:", err)
		removeAll()
		os.Exit(1)
	}
}

// lastCPU is the CPU time (user + system) of the last command measure ran:
// on a shared machine wall time moves with the neighbours' load, CPU time
// much less, so compile rows print both.
var lastCPU float64

// measure runs a command and returns its wall time and peak RSS in MB.
func measure(dir string, name string, args ...string) (time.Duration, float64, string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s %s failed: %v\n%s\n", name, strings.Join(args, " "), err, lastLines(string(out), 15))
		removeAll()
		os.Exit(1)
	}
	rss := 0.0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024
	}
	lastCPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return wall, rss, string(out)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func series(runs int, f func() (float64, float64)) (wall, rss []float64) {
	for i := 0; i < runs; i++ {
		w, r := f()
		wall, rss = append(wall, w), append(rss, r)
	}
	return
}

func report(label string, wall, rss []float64, target string) {
	fmt.Printf("%-44s median %7.3f s  (min %.3f, max %.3f)  %s   %s\n",
		label, median(wall), minf(wall), maxf(wall), rssText(rss), target)
}

// rssText is a row's peak RSS, or a dash for the rows that do not measure it
// (the in-process replays, and the DuckDB rows whose processes are many).
func rssText(rss []float64) string {
	if median(rss) == 0 {
		return "peak RSS        —  "
	}
	return fmt.Sprintf("peak RSS median %6.1f MB", median(rss))
}

// pairedRatio is the median of the rounds' own ratios a[i]/b[i]. Each round
// measures both sides within seconds, so a host whose speed drifts over
// minutes moves both alike; the ratio of the two medians pairs values from
// different rounds. The bench prints it beside the ratio of medians, which
// the targets are read against.
func pairedRatio(a, b []float64) float64 {
	r := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return median(r)
}

func minf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// genScript is the benchmark project generator DESIGN.md's targets are
// measured with (the one dbt-core was measured with): Jinja-heavy models with
// loops, do and macro calls.
const genScript = "../shared/bench/gen_dbt_project.py"

// generate writes an n-model project into dir: gen_dbt_project.py when python3
// and the script are there, else strata's own Go generator.
func generate(dir string, n int) string {
	if _, err := os.Stat(genScript); err == nil {
		if _, err := exec.LookPath("python3"); err == nil {
			out, err := exec.Command("python3", genScript, dir, strconv.Itoa(n)).CombinedOutput()
			if err != nil {
				must(fmt.Errorf("%s: %v\n%s", genScript, err, out))
			}
			return "gen_dbt_project.py"
		}
	}
	must(benchgen.Write(dir, n))
	return "benchgen (gen_dbt_project.py or python3 not found)"
}

// compileTargets are DESIGN.md's goals for one project size.
type compileTargets struct{ parse, cold, warm, ls string }

func targetsFor(n int) compileTargets {
	if n >= 100000 {
		return compileTargets{parse: "", cold: "", warm: "(target <= 4 s, <= 1.5 GB)", ls: "(target <= 2 s)"}
	}
	return compileTargets{parse: "(target <= 0.3 s)", cold: "(target <= 1 s, <= 200 MB)", warm: "(target <= 0.3 s, <= 200 MB)", ls: "(target <= 0.3 s)"}
}

// benchCompile measures parse, compile with an empty target/ (beside its
// floor: python3 writing the same compiled files serially into a freshly
// emptied folder, the same conditions the cold compile meets), compile warm
// and ls of an n-model project.
func benchCompile(bin string, n, runs int) {
	dir, err := os.MkdirTemp("", "strata-bench-compile-*")
	must(err)
	defer cleanup(dir)
	gen := generate(dir, n)
	fmt.Printf("compile: generated %d models in %s with %s\n", n, dir, gen)
	settle()
	tg := targetsFor(n)
	floorSrc := filepath.Join(dir, "floor-src")
	floorDst := filepath.Join(dir, "floor-dst")
	// Every cold compile, and every floor run, writes into a folder never
	// used before; they are all removed at the end. Emptying one folder
	// between runs measured the filesystem instead: ext4 without a journal
	// (this machine's) skips inodes freed in the last 60-360 s when it
	// allocates new ones, so creating 14,000 files right after deleting
	// 14,000 took 5-10 s of system time for any writer, python3 included.
	var cold, coldRSS, coldCPU, floor, floorCPU []float64
	for i := 0; i < runs; i++ {
		target := filepath.Join(dir, fmt.Sprintf("target-cold-%d", i))
		settle()
		w, r, _ := measure(dir, bin, "compile", "--project-dir", dir, "--target-path", target, "-q")
		cold, coldRSS, coldCPU = append(cold, w.Seconds()), append(coldRSS, r), append(coldCPU, lastCPU)
		if _, err := exec.LookPath("python3"); err == nil {
			if i == 0 {
				must(exec.Command("cp", "-r", filepath.Join(target, "compiled"), floorSrc).Run())
			}
			settle()
			w, _, _ := measure(dir, "python3", "-c", floorWriter, floorSrc, fmt.Sprintf("%s-%d", floorDst, i))
			floor, floorCPU = append(floor, w.Seconds()), append(floorCPU, lastCPU)
		}
	}
	// The warm runs below start from a target/ that one compile filled.
	measure(dir, bin, "compile", "--project-dir", dir, "-q")
	settle()
	if len(floor) > 0 {
		reportCPU(fmt.Sprintf("python3 writes the %d compiled files", countFiles(floorSrc)), floor, nil, floorCPU, "(floor for the cold compile)")
	}
	ratio := ""
	if len(floor) > 0 {
		ratio = fmt.Sprintf("ratio %.2fx of the floor ", median(cold)/median(floor))
	}
	reportCPU(fmt.Sprintf("compile %d models, empty target/", n), cold, coldRSS, coldCPU, ratio+tg.cold)
	for _, c := range []struct {
		label, target string
		args          []string
	}{
		{fmt.Sprintf("compile %d models, warm target/", n), tg.warm, []string{"compile"}},
		{fmt.Sprintf("parse %d models", n), tg.parse, []string{"parse"}},
		{fmt.Sprintf("ls %d models", n), tg.ls, []string{"ls"}},
	} {
		var wall, rss, cpu []float64
		for i := 0; i < runs; i++ {
			w, r, _ := measure(dir, bin, append(c.args, "--project-dir", dir, "-q")...)
			wall, rss, cpu = append(wall, w.Seconds()), append(rss, r), append(cpu, lastCPU)
		}
		reportCPU(c.label, wall, rss, cpu, c.target)
	}
}

// settle flushes the files earlier runs wrote before the next is measured:
// the kernel writing back a cold compile's 14,000 (or 140,000) files took
// the CPU from the runs measured after it (100k ls: 2.4 s alone, 3.4 s
// right after the cold compiles).
func settle() {
	syscall.Sync()
	time.Sleep(200 * time.Millisecond)
}

// floorWriter is the python3 program of the cold compile's floor: it reads
// every file under argv[1] first, then writes them under argv[2] one by one.
const floorWriter = `import os, sys
src, dst = sys.argv[1], sys.argv[2]
files = []
for root, _, names in os.walk(src):
    for n in names:
        p = os.path.join(root, n)
        with open(p, 'rb') as f:
            files.append((os.path.relpath(p, src), f.read()))
made = set()
for rel, data in files:
    p = os.path.join(dst, rel)
    d = os.path.dirname(p)
    if d not in made:
        os.makedirs(d, exist_ok=True)
        made.add(d)
    with open(p, 'wb') as f:
        f.write(data)
`

func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// reportCPU is report with the median CPU time (user + system) beside.
func reportCPU(label string, wall, rss, cpu []float64, target string) {
	fmt.Printf("%-44s median %7.3f s  (min %.3f, max %.3f)  cpu %6.3f s  %s   %s\n",
		label, median(wall), minf(wall), maxf(wall), median(cpu), rssText(rss), target)
}

// benchDocs times docs generate (compile, site data and column lineage; the
// catalog left empty so no warehouse is read) and reports what it writes:
// index.html, target/docs/ and lineage.json.
func benchDocs(bin string, n, runs int) {
	dir, err := os.MkdirTemp("", "strata-bench-docs-*")
	must(err)
	defer cleanup(dir)
	gen := generate(dir, n)
	fmt.Printf("docs: generated %d models in %s with %s\n", n, dir, gen)
	args := []string{"docs", "generate", "--empty-catalog", "--project-dir", dir, "-q"}
	measure(dir, bin, args...) // fill target/
	wall, rss := series(runs, func() (float64, float64) {
		w, r, _ := measure(dir, bin, args...)
		return w.Seconds(), r
	})
	report(fmt.Sprintf("docs generate %d models", n), wall, rss, "")
	var site, index, lineage int64
	target := filepath.Join(dir, "target")
	filepath.Walk(filepath.Join(target, "docs"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			site += info.Size()
		}
		return nil
	})
	if st, err := os.Stat(filepath.Join(target, "docs", "index.js")); err == nil {
		index = st.Size()
	}
	if st, err := os.Stat(filepath.Join(target, "lineage.json")); err == nil {
		lineage = st.Size()
	}
	page, _ := os.Stat(filepath.Join(target, "index.html"))
	pageSize := int64(0)
	if page != nil {
		pageSize = page.Size()
	}
	fmt.Printf("%-44s index.html %.2f MB, docs/ %.1f MB (first load docs/index.js %.1f MB), lineage.json %.1f MB\n",
		fmt.Sprintf("docs output, %d models", n), float64(pageSize)/1e6, float64(site)/1e6, float64(index)/1e6, float64(lineage)/1e6)
}

// benchPostgres builds 1,000 small views on PostgreSQL with strata (threads 1
// and 4) and replays the statements strata executed through psql in one
// session, in the order strata ran them.
func benchPostgres(bin, dsn string, n, runs int) {
	dir, err := os.MkdirTemp("", "strata-bench-pg-*")
	must(err)
	defer cleanup(dir)
	schema := fmt.Sprintf("strata_bench_%d", time.Now().UnixNano()%1_000_000)
	writeViewsProject(dir, dsn, schema, n)
	if !keep {
		defer exec.Command("psql", dsn, "-X", "-q", "-c", "drop schema if exists "+schema+" cascade").Run()
	}
	// The first run creates every view; the measured runs replace existing ones,
	// which is the steady state of a scheduled build (and where dbt-core deadlocks).
	measure(dir, bin, "run", "--project-dir", dir, "-q", "--threads", "4")
	measure(dir, bin, "run", "--project-dir", dir, "-q", "--threads", "1")
	script := replayScript(dir)
	// The server's time for the same 1,000 statements varies by ±10% from run
	// to run here, so the ratio needs more rounds than the other figures: the
	// median of 9 rounds swung from 1.05x to 1.14x between back-to-back runs
	// of the same binary; 21 rounds take about 45 s.
	runs = max(runs, 21)
	bare := barePsql()
	// Interleave the measurements round by round, so load on this shared
	// machine drifts over all of them alike.
	var w1, r1, wp, rp, w4, r4, wb, rb []float64
	for i := 0; i < runs; i++ {
		w, r, _ := measure(dir, "psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script)
		wp, rp = append(wp, w.Seconds()), append(rp, r)
		if bare != "" {
			w, r, _ = measure(dir, bare, dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script)
			wb, rb = append(wb, w.Seconds()), append(rb, r)
		}
		w, r, _ = measure(dir, bin, "run", "--project-dir", dir, "-q", "--threads", "1")
		w1, r1 = append(w1, w.Seconds()), append(r1, r)
		w, r, _ = measure(dir, bin, "run", "--project-dir", dir, "-q", "--threads", "4")
		w4, r4 = append(w4, w.Seconds()), append(r4, r)
	}
	report(fmt.Sprintf("psql replay of %d views (1 session)", n), wp, rp, "(baseline)")
	if bare != "" {
		report("  the same, psql binary without its wrapper", wb, rb, fmt.Sprintf("(%s; strata threads 1 is %.3fx this)", bare, median(w1)/median(wb)))
	}
	report(fmt.Sprintf("strata run %d views --threads 1", n), w1, r1, fmt.Sprintf("ratio %.3fx (target <= 1.05x; paired %.3fx)", median(w1)/median(wp), pairedRatio(w1, wp)))
	report(fmt.Sprintf("strata run %d views --threads 4", n), w4, r4, fmt.Sprintf("ratio %.3fx (target < 1x; paired %.3fx)", median(w4)/median(wp), pairedRatio(w4, wp)))
}

// barePsql is the psql binary behind Debian's wrapper script (a Perl
// program that picks a cluster's version and costs ~35 ms per start), or ""
// when psql on PATH is the binary itself.
func barePsql() string {
	path, err := exec.LookPath("psql")
	if err != nil {
		return ""
	}
	head := make([]byte, 2)
	if f, err := os.Open(path); err == nil {
		f.Read(head)
		f.Close()
	}
	if string(head) != "#!" {
		return ""
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return found[len(found)-1]
}

func writeViewsProject(dir, dsn, schema string, n int) {
	files := map[string]string{
		"project.yaml": "name: viewbench\nprofile: viewbench\nmodels:\n  viewbench:\n    +materialized: view\n",
		"profiles.yaml": fmt.Sprintf("viewbench:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n%s      schema: %s\n      threads: 4\n",
			pgFields(dsn), schema),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		var sql string
		if i < 10 {
			sql = fmt.Sprintf("select %d as id, 'v%d' as label\n", i, i)
		} else {
			a, b := rng.IntN(i), rng.IntN(i)
			sql = fmt.Sprintf("select a.id + %d as id, a.label from {{ ref('v%04d') }} a\nunion all\nselect b.id, b.label from {{ ref('v%04d') }} b\n", i, a, b)
		}
		files[fmt.Sprintf("models/v%04d.sql", i)] = sql
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		must(os.WriteFile(p, []byte(body), 0o644))
	}
}

// pgFields turns a postgres:// URL into profile fields, sslmode included:
// strata and psql must talk to the server alike (TLS costs every round trip).
func pgFields(dsn string) string {
	host, port, user, db, pass, sslmode := "127.0.0.1", "5432", "postgres", "postgres", "", ""
	rest := strings.TrimPrefix(strings.TrimPrefix(dsn, "postgres://"), "postgresql://")
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		for _, kv := range strings.Split(rest[i+1:], "&") {
			if v, ok := strings.CutPrefix(kv, "sslmode="); ok {
				sslmode = "      sslmode: " + v + "\n"
			}
		}
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		cred := rest[:i]
		rest = rest[i+1:]
		if j := strings.IndexByte(cred, ':'); j >= 0 {
			user, pass = cred[:j], cred[j+1:]
		} else {
			user = cred
		}
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		db = rest[i+1:]
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
	} else if rest != "" {
		host = rest
	}
	return fmt.Sprintf("      host: %s\n      port: %s\n      user: %s\n      password: '%s'\n      dbname: %s\n%s", host, port, user, pass, db, sslmode)
}

// replayScript concatenates target/run's statements in the order the last
// threads-1 run executed them (run_results timing), for psql to replay.
func replayScript(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	must(err)
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Timing   []struct {
				StartedAt time.Time `json:"started_at"`
			} `json:"timing"`
		} `json:"results"`
	}
	must(json.Unmarshal(raw, &rr))
	sort.Slice(rr.Results, func(i, j int) bool {
		return rr.Results[i].Timing[0].StartedAt.Before(rr.Results[j].Timing[0].StartedAt)
	})
	path := filepath.Join(dir, "replay.sql")
	f, err := os.Create(path)
	must(err)
	w := bufio.NewWriter(f)
	for _, r := range rr.Results {
		name := r.UniqueID[strings.LastIndexByte(r.UniqueID, '.')+1:]
		body, err := os.ReadFile(filepath.Join(dir, "target", "run", "viewbench", "models", name+".sql"))
		must(err)
		w.Write(body)
		w.WriteString("\n")
	}
	must(w.Flush())
	must(f.Close())
	return path
}

// benchSchedule runs the real `strata schedule` on a small DuckDB project with
// an @every 10s schedule for ~45 s, sampling its RSS once a second while no run
// is going (and the last ended > 6 s ago), and each run's lateness: started_at
// minus the tick time in its id.
func benchSchedule(bin string) {
	dir, err := os.MkdirTemp("", "strata-bench-sched-*")
	must(err)
	defer cleanup(dir)
	must(os.MkdirAll(filepath.Join(dir, "models"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "project.yaml"), []byte("name: sb\nprofile: sb\nschedules:\n  - name: often\n    cron: \"@every 10s\"\n    command: build\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "models", "a.sql"), []byte("select 1 as id\n"), 0o644))
	addr := "127.0.0.1:18599"
	cmd := exec.Command(bin, "schedule", "--project-dir", dir, "--addr", addr)
	must(cmd.Start())
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	var idle []float64
	lastEnd := time.Now()
	for i := 0; i < 45; i++ {
		time.Sleep(time.Second)
		runs := apiRuns(addr)
		running := false
		for _, r := range runs {
			if r.Status == "running" {
				running = true
			}
			if t, err := time.Parse(time.RFC3339Nano, r.FinishedAt); err == nil && t.After(lastEnd) {
				lastEnd = t
			}
		}
		if !running && time.Since(lastEnd) > 6*time.Second {
			if kb := rssKB(cmd.Process.Pid); kb > 0 {
				idle = append(idle, float64(kb)/1024)
			}
		}
	}
	var late []float64
	for _, r := range apiRuns(addr) {
		tick, err := time.Parse("20060102T150405Z", strings.SplitN(r.ID, "-", 2)[0])
		started, err2 := time.Parse(time.RFC3339Nano, r.StartedAt)
		if err == nil && err2 == nil {
			late = append(late, started.Sub(tick).Seconds())
		}
	}
	if len(idle) == 0 || len(late) == 0 {
		fmt.Printf("strata schedule: no samples (idle %d, runs %d)\n", len(idle), len(late))
		return
	}
	fmt.Printf("%-44s median %6.1f MB  (max %.1f, %d samples)   (target < 40 MB)\n", "strata schedule idle RSS", median(idle), maxf(idle), len(idle))
	fmt.Printf("%-44s median %6.3f s   (max %.3f, %d runs)     (target < 1 s)\n", "strata schedule tick lateness", median(late), maxf(late), len(late))
}

type runInfo struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
}

func apiRuns(addr string) []runInfo {
	resp, err := http.Get("http://" + addr + "/api/runs")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var runs []runInfo
	json.NewDecoder(resp.Body).Decode(&runs)
	return runs
}

func rssKB(pid int) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}
