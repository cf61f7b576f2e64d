package main

// Run-time bad input through the real binary: a SQL error, an unreachable
// PostgreSQL, a locked DuckDB file, Ctrl-C and SIGTERM mid-run, --fail-fast,
// and re-running views with several threads. Signals need a process of its
// own, so these tests build strata once per test binary run and exec it; the
// projects are the runtime_*.txtar fixtures under testdata/script (whose own
// scripts TestScripts runs in-process).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"
)

// The bounds: generous, far below what the work would take without
// cancellation (the long queries run for a minute or more).
const (
	exitBound    = 10 * time.Second // from the signal (or the start) to exit
	commandLimit = 2 * time.Minute  // a command still running after this is killed: hung
)

// binDir holds the strata binary built for this test run; TestMain removes it.
var binDir string

var buildOnce struct {
	sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "strata-runtime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// strataBinary builds ./cmd/strata once and returns its path.
func strataBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildOnce.path = filepath.Join(binDir, "strata")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// proj is a fixture project extracted into a temp dir, with the environment
// the binary runs in.
type proj struct {
	t      *testing.T
	dir    string
	env    map[string]string
	target string
	dsn    string // PostgreSQL only
	schema string // PostgreSQL only
}

// newProj extracts testdata/script/<fixture>.txtar for target ("duckdb",
// "postgres" or "" when the fixture needs no target). A postgres target skips
// without STRATA_TEST_POSTGRES_DSN and fails when it is set but unreachable.
func newProj(t *testing.T, fixture, target string) *proj {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", "script", fixture+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	p := &proj{t: t, dir: t.TempDir(), target: target}
	p.env = map[string]string{"HOME": filepath.Join(p.dir, ".home"), "TARGET": target}
	if target == "postgres" {
		for k, v := range postgresEnv(t) {
			p.env[k] = v
		}
		p.dsn = os.Getenv("STRATA_TEST_POSTGRES_DSN")
		p.schema = p.env["PGSCHEMA"]
	}
	for _, f := range ar.Files {
		p.write(f.Name, string(f.Data))
	}
	return p
}

func (p *proj) write(name, data string) {
	p.t.Helper()
	path := filepath.Join(p.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// command prepares the binary with args in the project, in a clean
// environment: the caller's PG* and STRATA_* variables do not leak in.
func (p *proj) command(ctx context.Context, args ...string) *exec.Cmd {
	p.t.Helper()
	args = append(args, "--project-dir", p.dir)
	cmd := exec.CommandContext(ctx, strataBinary(p.t), args...)
	cmd.Dir = p.dir
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "STRATA_") || strings.HasPrefix(k, "DBT_") || k == "HOME" || k == "TARGET" || k == "NO_COLOR" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "NO_COLOR=1")
	for k, v := range p.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// outcome is how one strata process ended.
type outcome struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", o.code, o.took.Round(time.Millisecond), o.stdout, o.stderr)
}

// run runs strata to the end (killed after commandLimit: a hang fails the test).
func (p *proj) run(args ...string) outcome {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	defer cancel()
	cmd := p.command(ctx, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	res := outcome{code: exitCode(err), stdout: o.String(), stderr: e.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		p.t.Fatalf("strata %s did not finish within %v (hung?)\n%s", strings.Join(args, " "), commandLimit, res)
	}
	if res.code < 0 {
		p.t.Fatalf("strata %s: %v\n%s", strings.Join(args, " "), err, res)
	}
	return res
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// scalar runs `strata show --inline sql` and returns the single value printed.
func (p *proj) scalar(sql string) string {
	p.t.Helper()
	o := p.run("show", "--inline", sql, "--output", "csv")
	if o.code != 0 {
		p.t.Fatalf("show %q:\n%s", sql, o)
	}
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	if len(lines) != 2 {
		p.t.Fatalf("show %q: want a header and one row\n%s", sql, o)
	}
	return strings.TrimSpace(lines[1])
}

// tmpRelations counts relations whose name contains __strata_tmp in the
// project's schemas.
func (p *proj) tmpRelations() string {
	return p.scalar("select count(*) from information_schema.tables where table_schema like '{{ target.schema }}%' and position('__strata_tmp' in table_name) > 0")
}

// runResults reads target/run_results.json: status and message per unique_id.
type nodeResult struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// It reports a missing file as an error and returns nil: the caller's other
// checks still run.
func (p *proj) runResults() map[string]nodeResult {
	p.t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.dir, "target", "run_results.json"))
	if err != nil {
		p.t.Errorf("run_results.json was not written: %v", err)
		return nil
	}
	var doc struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			nodeResult
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		p.t.Fatalf("run_results.json: %v", err)
	}
	out := map[string]nodeResult{}
	for _, r := range doc.Results {
		out[r.UniqueID] = r.nodeResult
	}
	return out
}

// wantStatus checks one node's status in run_results.json and that its
// message matches msg (a regexp; "" for any).
func wantStatus(t *testing.T, rr map[string]nodeResult, id, status, msg string) {
	t.Helper()
	if rr == nil {
		return // already reported
	}
	r, ok := rr[id]
	if !ok {
		t.Errorf("run_results.json has no result for %s (has %v)", id, rr)
		return
	}
	if r.Status != status {
		t.Errorf("%s: status %q, want %q (message %q)", id, r.Status, status, r.Message)
	}
	if msg != "" && !regexp.MustCompile(msg).MatchString(r.Message) {
		t.Errorf("%s: message %q does not match %q", id, r.Message, msg)
	}
}

func wantMatch(t *testing.T, what, text string, patterns ...string) {
	t.Helper()
	for _, pat := range patterns {
		if !regexp.MustCompile("(?m)" + pat).MatchString(text) {
			t.Errorf("%s does not match %q:\n%s", what, pat, text)
		}
	}
}

var targets = []string{"duckdb", "postgres"}

// TestRuntimeSQLError: a model the database rejects (at bind time, and while
// producing rows after the temporary table exists) fails with exit 1; the
// output names the model, its compiled file and the database's message; its
// downstream is skipped and run_results.json records the error.
func TestRuntimeSQLError(t *testing.T) {
	t.Parallel()
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			p := newProj(t, "runtime_sql_error", target)
			o := p.run("run")
			if o.code != 1 {
				t.Fatalf("want exit 1\n%s", o)
			}
			missing := `Table with name no_such_table does not exist`
			badCast := `Could not convert string 'abc' to INT32`
			if target == "postgres" {
				missing = `relation "no_such_table" does not exist`
				badCast = `invalid input syntax for type integer: "abc"`
			}
			wantMatch(t, "stdout", o.stdout,
				`Error in model broken \(models/broken\.sql\)\n(`+stamp+`(  .*)?\n)*?`+stamp+`    compiled code at target/compiled/p/models/broken\.sql`,
				`Error in model broken \(models/broken\.sql\)\n`+stamp+`  .*`+regexp.QuoteMeta(missing),
				`Error in model bad_cast \(models/bad_cast\.sql\)\n`+stamp+`  .*`+regexp.QuoteMeta(badCast),
				`compiled code at target/compiled/p/models/bad_cast\.sql`,
				`SKIP .*after_broken`,
				`ERROR=2 SKIP=2 TOTAL=5`)
			if _, err := os.Stat(filepath.Join(p.dir, "target", "compiled", "p", "models", "broken.sql")); err != nil {
				t.Errorf("the compiled file the message names does not exist: %v", err)
			}
			if strings.Contains(o.stdout+o.stderr, "goroutine ") || strings.Contains(o.stdout+o.stderr, "panic") {
				t.Errorf("output has a traceback\n%s", o)
			}
			rr := p.runResults()
			wantStatus(t, rr, "model.p.broken", "error", regexp.QuoteMeta(missing))
			wantStatus(t, rr, "model.p.bad_cast", "error", regexp.QuoteMeta(badCast))
			wantStatus(t, rr, "model.p.after_broken", "skipped", `model\.p\.broken`)
			wantStatus(t, rr, "model.p.after_after_broken", "skipped", `model\.p\.broken`)
			wantStatus(t, rr, "model.p.sibling", "success", "")
			if n := p.tmpRelations(); n != "0" {
				t.Errorf("%s relations named __strata_tmp left behind", n)
			}
		})
	}
}

// closedPort returns a TCP port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// TestRuntimeUnreachable: a PostgreSQL profile pointing at a closed port or a
// host that does not resolve fails within seconds with exit 2 and one line
// naming host and port. No server is needed.
func TestRuntimeUnreachable(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	cases := []struct {
		name, host, port, want string
	}{
		{"closed port", "127.0.0.1", port, `postgres at 127\.0\.0\.1:` + port + `: connection refused`},
		{"unknown host", "strata-no-such-host.invalid", "5432", `postgres at strata-no-such-host\.invalid:5432: cannot resolve host`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newProj(t, "runtime_unreachable", "")
			p.env["PGHOST"], p.env["PGPORT"] = c.host, c.port
			for _, args := range [][]string{{"run"}, {"seed"}, {"build"}, {"show", "--inline", "select 1"}} {
				o := p.run(args...)
				if o.code != 2 {
					t.Errorf("strata %s: want exit 2\n%s", args[0], o)
					continue
				}
				t.Logf("strata %s: exit %d after %v", args[0], o.code, o.took.Round(time.Millisecond))
				if o.took > exitBound {
					t.Errorf("strata %s took %v to give up, want under %v", args[0], o.took, exitBound)
				}
				msg := strings.TrimRight(errorLines(o.stderr), "\n")
				if strings.Contains(msg, "\n") {
					t.Errorf("strata %s: want one error line on stderr, got:\n%s", args[0], o.stderr)
				}
				wantMatch(t, "strata "+args[0]+" stderr", msg, `^error: database unreachable: `+c.want)
				if strings.Contains(o.stdout, "START") {
					t.Errorf("strata %s started nodes:\n%s", args[0], o.stdout)
				}
			}
			if _, err := os.Stat(filepath.Join(p.dir, "target", "run_results.json")); err == nil {
				t.Errorf("run_results.json written although nothing could run")
			}
		})
	}
}

// liveRun is a strata process whose output is read as it is printed.
type liveRun struct {
	cmd   *exec.Cmd
	lines chan string // stdout lines; closed at EOF
	mu    sync.Mutex
	out   strings.Builder
	err   bytes.Buffer
	done  chan struct{}
	wait  error
}

// start runs strata in the background; t's cleanup kills it if still running.
func (p *proj) start(t *testing.T, args ...string) *liveRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	cmd := p.command(ctx, args...)
	r := &liveRun{cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	cmd.Stderr = &r.err
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			r.mu.Lock()
			r.out.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			r.lines <- sc.Text()
		}
		close(r.lines)
		r.wait = cmd.Wait()
		cancel()
		close(r.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-r.done
	})
	return r
}

func (r *liveRun) stdout() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// waitFor reads stdout until every pattern has matched a line, in any order;
// it fails the test when the process ends first or limit passes.
func (r *liveRun) waitFor(t *testing.T, limit time.Duration, patterns ...string) {
	t.Helper()
	deadline := time.After(limit)
	left := map[string]*regexp.Regexp{}
	for _, pat := range patterns {
		left[pat] = regexp.MustCompile(pat)
	}
	for len(left) > 0 {
		select {
		case l, ok := <-r.lines:
			if !ok {
				<-r.done
				t.Fatalf("strata ended (%v) before printing lines matching %v\nstdout:\n%s\nstderr:\n%s", r.wait, keys(left), r.stdout(), r.err.String())
			}
			for pat, re := range left {
				if re.MatchString(l) {
					delete(left, pat)
				}
			}
		case <-deadline:
			t.Fatalf("no lines matching %v within %v\nstdout:\n%s", keys(left), limit, r.stdout())
		}
	}
}

func keys(m map[string]*regexp.Regexp) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// finish waits for the process to exit (at most limit) and reports how.
func (r *liveRun) finish(t *testing.T, limit time.Duration) outcome {
	t.Helper()
	start := time.Now()
	go func() {
		for range r.lines {
		}
	}()
	select {
	case <-r.done:
	case <-time.After(limit):
		r.cmd.Process.Kill()
		<-r.done
		t.Fatalf("strata still running %v after being told to stop\nstdout:\n%s", limit, r.stdout())
	}
	return outcome{code: exitCode(r.wait), stdout: r.stdout(), stderr: r.err.String(), took: time.Since(start)}
}

// pgConn connects to the test server (the DSN was checked by postgresEnv).
func (p *proj) pgConn() *pgx.Conn {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		p.t.Fatalf("STRATA_TEST_POSTGRES_DSN is set but the server is unreachable: %v", err)
	}
	p.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// activeSleeps counts backends other than c's own running this project's
// pg_sleep query.
func (p *proj) activeSleeps(c *pgx.Conn) int {
	p.t.Helper()
	var n int
	err := c.QueryRow(context.Background(),
		`select count(*) from pg_stat_activity
		 where state = 'active' and query like '%pg_sleep%' and position($1 in query) > 0 and pid <> pg_backend_pid()`,
		p.schema).Scan(&n)
	if err != nil {
		p.t.Fatal(err)
	}
	return n
}

// waitQueryRunning returns once the long query is executing in the database:
// on PostgreSQL when pg_stat_activity shows it, on DuckDB ~1.5 s after its
// node started (the query itself runs for minutes).
func (p *proj) waitQueryRunning(c *pgx.Conn) {
	p.t.Helper()
	if p.target != "postgres" {
		time.Sleep(1500 * time.Millisecond)
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for p.activeSleeps(c) == 0 {
		if time.Now().After(deadline) {
			p.t.Fatal("the pg_sleep query never showed up in pg_stat_activity")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRuntimeCancel sends SIGINT or SIGTERM while a long query runs beside
// fast models: strata exits 1 within seconds, run_results.json records the long
// node cancelled and everything that did not start skipped, the old table is
// intact, no __strata_tmp relation is left, and on PostgreSQL no backend still
// runs the query.
func TestRuntimeCancel(t *testing.T) {
	t.Parallel()
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			p := newProj(t, "runtime_cancel", target)
			var pg *pgx.Conn
			if target == "postgres" {
				pg = p.pgConn()
			}
			// A finished build first: the cancelled rebuild must leave a_slow as it was.
			if o := p.run("run", "--vars", "{slow: false}"); o.code != 0 {
				t.Fatalf("setup run:\n%s", o)
			}
			cases := []struct {
				name    string
				sig     syscall.Signal
				threads string
			}{
				{"SIGINT", syscall.SIGINT, "4"},
				{"SIGTERM", syscall.SIGTERM, "4"},
				// one thread: the fast models are still queued when the signal comes
				{"SIGINT one thread", syscall.SIGINT, "1"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					os.Remove(filepath.Join(p.dir, "target", "run_results.json"))
					r := p.start(t, "run", "--threads", c.threads)
					if c.threads == "1" {
						r.waitFor(t, time.Minute, `1 of 7 START sql table model \S*a_slow`)
					} else {
						// the long node and the fast ones beside it, all done but a_slow
						r.waitFor(t, time.Minute, `START sql table model \S*a_slow`,
							`OK .*model \S*fast1 `, `OK .*model \S*fast2 `, `OK .*model \S*fast3 `, `OK .*model \S*fast4 `)
					}
					p.waitQueryRunning(pg)
					sent := time.Now()
					if err := r.cmd.Process.Signal(c.sig); err != nil {
						t.Fatal(err)
					}
					o := r.finish(t, time.Minute)
					took := time.Since(sent)
					t.Logf("exit %d %v after %v", o.code, took.Round(time.Millisecond), c.sig)
					if o.code != 1 {
						t.Errorf("want exit 1\n%s", o)
					}
					if took > exitBound {
						t.Errorf("exit %v after the signal, want under %v (the query was not cancelled?)", took, exitBound)
					}
					wantMatch(t, "stdout", o.stdout, `CANCEL sql table model \S*a_slow .*\[CANCELLED in`, `Cancelled model a_slow \(models/a_slow\.sql\)`, `ERROR=0 SKIP=\d+ CANCELLED=1 TOTAL=7`)
					wantMatch(t, "stderr", o.stderr, `cancelled`)

					rr := p.runResults()
					wantStatus(t, rr, "model.p.a_slow", "cancelled", `^[^\n]*(cancel|interrupt)[^\n]*$`)
					wantStatus(t, rr, "model.p.after_slow", "skipped", `model\.p\.a_slow`)
					wantStatus(t, rr, "model.p.after_after", "skipped", `model\.p\.a_slow`)
					for _, f := range []string{"fast1", "fast2", "fast3", "fast4"} {
						if c.threads == "1" {
							wantStatus(t, rr, "model.p."+f, "skipped", `cancelled before this node started`)
						} else {
							wantStatus(t, rr, "model.p."+f, "success", "")
						}
					}
					if rr != nil && len(rr) != 7 {
						t.Errorf("run_results.json has %d results, want 7: %v", len(rr), rr)
					}

					if pg != nil {
						// The cancel request reaches the backend at once; allow it a moment to end.
						deadline := time.Now().Add(5 * time.Second)
						for p.activeSleeps(pg) > 0 {
							if time.Now().After(deadline) {
								t.Errorf("a backend still runs the pg_sleep query 5 s after strata exited")
								break
							}
							time.Sleep(100 * time.Millisecond)
						}
					}
					if n := p.tmpRelations(); n != "0" {
						t.Errorf("%s relations named __strata_tmp left behind", n)
					}
					if got := p.scalar(`select n from {{ ref("a_slow") }}`); got != "42" {
						t.Errorf("a_slow holds %q after the cancelled rebuild, want the old 42", got)
					}
				})
			}
		})
	}
}

// TestRuntimeLockedDuckDB: while one strata builds, a second one on the same
// DuckDB file exits 2 naming the process that holds it.
func TestRuntimeLockedDuckDB(t *testing.T) {
	t.Parallel()
	p := newProj(t, "runtime_cancel", "duckdb")
	holder := p.start(t, "run", "--threads", "1")
	holder.waitFor(t, time.Minute, `START sql table model \S*a_slow`)
	pid := strconv.Itoa(holder.cmd.Process.Pid)
	for _, args := range [][]string{{"run"}, {"show", "--inline", "select 1"}} {
		o := p.run(args...)
		if o.code != 2 {
			t.Errorf("strata %s on a locked file: want exit 2\n%s", args[0], o)
			continue
		}
		if o.took > exitBound {
			t.Errorf("strata %s took %v to give up", args[0], o.took)
		}
		msg := strings.TrimRight(errorLines(o.stderr), "\n")
		if strings.Contains(msg, "\n") {
			t.Errorf("want one error line on stderr, got:\n%s", o.stderr)
		}
		wantMatch(t, "strata "+args[0]+" stderr", msg, `^error: .*p\.duckdb is in use by another process \(PID `+pid+`\)`)
	}
	if err := holder.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if o := holder.finish(t, time.Minute); o.code != 1 {
		t.Errorf("holder: want exit 1 after SIGINT\n%s", o)
	}
	// the lock went with the holder
	if o := p.run("run", "--vars", "{slow: false}"); o.code != 0 {
		t.Errorf("run after the holder exited:\n%s", o)
	}
}

// TestRuntimeFailFast: with two threads, a_broken fails while b_slow runs:
// nothing new starts, b_slow is cancelled at once, the rest is skipped, exit 1.
func TestRuntimeFailFast(t *testing.T) {
	t.Parallel()
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			p := newProj(t, "runtime_fail_fast", target)
			o := p.run("run", "--fail-fast", "--threads", "2")
			if o.code != 1 {
				t.Fatalf("want exit 1\n%s", o)
			}
			t.Logf("--fail-fast run: exit %d after %v", o.code, o.took.Round(time.Millisecond))
			if o.took > exitBound {
				t.Errorf("took %v: the running b_slow was not stopped", o.took)
			}
			lines := strings.Split(o.stdout, "\n")
			failed := -1
			starts := 0
			for i, l := range lines {
				if strings.Contains(l, " START ") {
					starts++
					if failed >= 0 {
						t.Errorf("a node started after the first failure: %q\n%s", l, o.stdout)
					}
				}
				if failed < 0 && strings.Contains(l, " ERROR ") {
					failed = i
				}
			}
			if failed < 0 || !strings.Contains(lines[failed], "a_broken") {
				t.Fatalf("the first failure is not a_broken\n%s", o)
			}
			if starts != 2 {
				t.Errorf("%d nodes started, want 2 (a_broken, b_slow)\n%s", starts, o.stdout)
			}
			rr := p.runResults()
			wantStatus(t, rr, "model.p.a_broken", "error", "no_such_table")
			wantStatus(t, rr, "model.p.b_slow", "cancelled", "")
			for _, id := range []string{"c1", "c2", "c3", "c4", "d_after"} {
				wantStatus(t, rr, "model.p."+id, "skipped", `fail-fast`)
			}
			if n := p.tmpRelations(); n != "0" {
				t.Errorf("%s relations named __strata_tmp left behind", n)
			}
		})
	}
}

// TestRuntimeRerunViews re-runs a project of 50 views with shared parents five
// times with four threads on PostgreSQL: every run exits 0 (no deadlock, no
// lock wait that outlives commandLimit).
func TestRuntimeRerunViews(t *testing.T) {
	t.Parallel()
	p := newProj(t, "runtime_cancel", "postgres")
	if err := os.RemoveAll(filepath.Join(p.dir, "models")); err != nil {
		t.Fatal(err)
	}
	const views = 50
	for i := range views {
		var sql string
		switch {
		case i < 5:
			sql = fmt.Sprintf("select g as id, %d as layer from generate_series(1, 10) as g", i)
		default:
			// three parents each, shared widely: the previous view, one half-way
			// back, and one of the five roots
			a, b, c := i-1, i/2, i%5
			sql = fmt.Sprintf("select a.id, a.layer + 1 as layer\nfrom {{ ref('v%02d') }} as a\njoin {{ ref('v%02d') }} as b on a.id = b.id\nwhere a.id in (select id from {{ ref('v%02d') }})", a, b, c)
		}
		p.write(fmt.Sprintf("models/v%02d.sql", i), sql+"\n")
	}
	for run := 1; run <= 5; run++ {
		o := p.run("run", "--threads", "4")
		if o.code != 0 || !strings.Contains(o.stdout, fmt.Sprintf("PASS=%d WARN=0 ERROR=0 SKIP=0 TOTAL=%d", views, views)) {
			t.Fatalf("run %d of 5:\n%s", run, o)
		}
		t.Logf("run %d of 5: exit 0 after %v", run, o.took.Round(time.Millisecond))
	}
	// (not a query of v49: planning its nested views would take minutes)
	if got := p.scalar(`select count(*) from information_schema.views where table_schema = '{{ target.schema }}'`); got != strconv.Itoa(views) {
		t.Errorf("the schema has %s views, want %d", got, views)
	}
	if got := p.scalar(`select count(*) from {{ ref("v05") }}`); got != "10" {
		t.Errorf("v05 has %s rows, want 10", got)
	}
}

// stamp is the time a console log line starts with.
const stamp = `\d\d:\d\d:\d\d`

// errorLines drops the console's time-stamped log lines ("Running with
// strata=…", which commands whose stdout is data print on stderr), leaving
// the error and warning lines.
func errorLines(stderr string) string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if logLine.MatchString(l) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

var logLine = regexp.MustCompile(`^\d\d:\d\d:\d\d(  |$)`)
