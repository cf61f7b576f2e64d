package main

// Issue 15's scheduler cases through the real binary: a failing on-run-start
// hook is an error run that leaves last-success alone; the scheduler starts
// on a PostgreSQL database whose schema does not exist yet, and a database it
// cannot reach at start is a setup problem (exit 2); a schedule's timeout and
// SIGTERM stop a run that is still compiling; a database that is down at a
// tick gives an error run, a metric, a webhook and a retry (on a PostgreSQL
// server the test starts and stops itself).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestScheduleFailingOnRunStartHookIsAnErrorRun(t *testing.T) {
	p := schedProj(t, "duckdb", map[string]string{
		"project.yaml": "name: p\nprofile: p\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n",
		"models/a.sql": "select 1 as id\n",
	})
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil)
	if o := p.run("schedule", "trigger", "nightly", "--addr", addr, "--wait"); o.code != 0 {
		t.Fatalf("a clean run:\n%s", o)
	}
	const lastSuccess = `strata_schedule_last_success_timestamp_seconds{schedule="nightly"}`
	before := d.metric(lastSuccess)
	if before <= 0 {
		t.Fatalf("no last success after a successful run: %v", before)
	}
	p.write("project.yaml", "name: p\nprofile: p\non-run-start: [\"select * from nonexistent_tbl\"]\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n")
	o := p.run("schedule", "trigger", "nightly", "--addr", addr, "--wait")
	if o.code != 1 {
		t.Fatalf("a failing on-run-start hook: exit %d, want 1\n%s", o.code, o)
	}
	var r schedRun
	d.get("/api/runs/"+startedID(t, o), &r)
	if r.Status != "error" || r.NodeCounts["error"] != 1 || r.NodeCounts["success"] != 0 {
		t.Errorf("run = %+v; want error, the hook failed and nothing built", r)
	}
	var log string
	d.get("/api/runs/"+r.ID+"/log", &log)
	if !strings.Contains(log, "on-run-start hook 1") || !strings.Contains(log, "nonexistent_tbl") {
		t.Errorf("the run's log does not name the hook:\n%s", log)
	}
	if after := d.metric(lastSuccess); after != before {
		t.Errorf("last success moved from %v to %v on a failed run", before, after)
	}
	if v := d.metric(`strata_schedule_runs_total{schedule="nightly",status="error"}`); v != 1 {
		t.Errorf("runs_total{error} = %v", v)
	}
	d.stop()
}

func TestScheduleStartsOnAFreshPostgresSchema(t *testing.T) {
	p := schedProj(t, "postgres", map[string]string{
		"project.yaml": "name: p\nprofile: p\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n",
		"models/a.sql": "select 1 as id\n",
	})
	p.env["PGSCHEMA"] = p.schema + "_fresh" // does not exist; cleaned up with the prefix
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil)
	conn := p.pgConn()
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "select count(*) from information_schema.tables where table_schema = $1 and table_name = 'strata_schedule_claims'", p.schema+"_fresh").Scan(&n); err != nil || n != 1 {
		t.Errorf("claims table in the new schema: %d (%v)", n, err)
	}
	if o := p.run("schedule", "trigger", "nightly", "--addr", addr, "--wait"); o.code != 0 {
		t.Errorf("a run on the fresh schema:\n%s", o)
	}
	d.stop()

	// A database that does not answer at start is a setup problem: exit 2.
	p.env["PGPORT"] = closedPort(t)
	o := p.run("schedule", "--addr", freeAddr(t))
	if o.code != 2 || !strings.Contains(o.stderr, "database unreachable") || o.took > exitBound {
		t.Errorf("unreachable at start: want exit 2 naming it within %v\n%s", exitBound, o)
	}
}

// spinModel renders for far longer than the tests' timeouts and grace
// periods: each iteration does some work, so the render's iteration limit
// (50 million) is not reached first, even on a fast machine (an empty inner
// loop reached it in 1.7 s, before a 2 s timeout).
const spinModel = "{% for i in range(30000) %}{% for j in range(30000) %}{% set x = ('a' ~ j) | upper %}{% endfor %}{% endfor %}\nselect 1 as n\n"

func TestScheduleTimeoutAndSIGTERMStopACompile(t *testing.T) {
	p := schedProj(t, "duckdb", map[string]string{
		"project.yaml":    "name: p\nprofile: p\nscheduler:\n  shutdown_grace: 1s\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n    timeout: 2s\n",
		"models/spin.sql": spinModel,
	})
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil)
	start := time.Now()
	o := p.run("schedule", "trigger", "nightly", "--addr", addr, "--wait")
	took := time.Since(start)
	if o.code != 1 || !strings.Contains(o.stdout, "ended cancelled: timed out after 2s") {
		t.Errorf("timeout while rendering:\n%s", o)
	}
	t.Logf("trigger to cancelled: %v", took.Round(time.Millisecond))
	if took > 6*time.Second {
		t.Errorf("the 2 s timeout took %v to stop a rendering run", took)
	}
	var log string
	d.get("/api/runs/"+startedID(t, o)+"/log", &log)
	if !strings.Contains(log, "rendering stopped") {
		t.Errorf("the run's log does not say rendering stopped:\n%s", log)
	}

	// SIGTERM while rendering: the grace (1 s) passes, the render stops, exit 0.
	p.write("project.yaml", "name: p\nprofile: p\nscheduler:\n  shutdown_grace: 1s\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n")
	d.stop()
	d = p.startScheduler(t, addr, nil)
	o = p.run("schedule", "trigger", "nightly", "--addr", addr)
	id := startedID(t, o)
	time.Sleep(700 * time.Millisecond) // rendering by now
	sent := time.Now()
	code := d.stop()
	took = time.Since(sent)
	t.Logf("SIGTERM to exit: %v", took.Round(time.Millisecond))
	if code != 0 || took > 4*time.Second {
		t.Errorf("SIGTERM while rendering: exit %d after %v, want 0 within the 1 s grace and a little", code, took)
	}
	for _, r := range p.history() {
		if r.ID == id && (r.Status != "cancelled" || !strings.Contains(r.Message, "shutting down")) {
			t.Errorf("run cut short by shutdown = %+v", r)
		}
	}
}

// throwawayPostgres is a PostgreSQL server of the test's own, in a temp
// folder on a free port, so stopping it touches nobody else.
type throwawayPostgres struct {
	t    *testing.T
	bin  string
	dir  string
	port string
	as   []string // runuser prefix when running as root
}

func startOwnPostgres(t *testing.T) *throwawayPostgres {
	t.Helper()
	if os.Getenv("STRATA_TEST_POSTGRES_DSN") == "" {
		t.Skip("PostgreSQL tests skipped: set STRATA_TEST_POSTGRES_DSN (this one also needs initdb)")
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		t.Skip("no initdb under /usr/lib/postgresql/*/bin")
	}
	pg := &throwawayPostgres{t: t, bin: filepath.Dir(matches[len(matches)-1])}
	dir, err := os.MkdirTemp("", "strata-throwaway-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() {
		pg.ctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		pg.as = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot hand %s to the postgres user: %v %s", dir, err, out)
		}
	}
	_, pg.port, _ = net.SplitHostPort(freeAddr(t))
	pg.exec(filepath.Join(pg.bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync")
	pg.start()
	return pg
}

func (pg *throwawayPostgres) exec(args ...string) {
	pg.t.Helper()
	cmd := exec.Command(append(pg.as, args...)[0], append(pg.as, args...)[1:]...)
	if out, err := cmd.CombinedOutput(); err != nil {
		pg.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (pg *throwawayPostgres) ctl(args ...string) error {
	full := append(append(pg.as, filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(pg.dir, "data")), args...)
	return exec.Command(full[0], full[1:]...).Run()
}

func (pg *throwawayPostgres) start() {
	pg.t.Helper()
	pg.exec(filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "log"), "-w",
		"-o", "-p "+pg.port+" -k "+pg.dir+" -c listen_addresses=127.0.0.1 -c fsync=off", "start")
}

func (pg *throwawayPostgres) stop() {
	pg.t.Helper()
	pg.exec(filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(pg.dir, "data"), "-m", "immediate", "-w", "stop")
}

func TestScheduleDatabaseDownAtATick(t *testing.T) {
	pg := startOwnPostgres(t)
	var mu sync.Mutex
	var posts []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
	}))
	defer hook.Close()
	p := schedProj(t, "", map[string]string{
		"project.yaml":  fmt.Sprintf("name: p\nprofile: p\nschedules:\n  - name: often\n    cron: \"@every 2s\"\n    retries: 1\n    retry_delay: 1s\n    on_failure_webhook: %s/hook\n", hook.URL),
		"models/a.sql":  "select 1 as id\n",
		"profiles.yaml": pgProfile,
	})
	p.env["PGHOST"], p.env["PGPORT"], p.env["PGSCHEMA"] = "127.0.0.1", pg.port, "throwaway"
	d := p.startScheduler(t, freeAddr(t), nil)
	d.waitRun("on a tick", 20*time.Second, func(r schedRun) bool { return r.Status == "success" })

	pg.stop()
	down := time.Now()
	bad := d.waitRun("for the tick the database was down at", 20*time.Second, func(r schedRun) bool {
		return r.Status == "error" && r.Tick.After(down) && strings.Contains(r.Message, "could not claim the tick")
	})
	t.Logf("error run: %s: %s", bad.ID, bad.Message)
	retried := d.waitRun("retrying that tick", 20*time.Second, func(r schedRun) bool {
		return r.Tick.Equal(bad.Tick) && r.Attempt == bad.Attempt+1
	})
	if retried.Status != "error" {
		t.Errorf("retry while the database is still down = %+v", retried)
	}
	if v := d.metric(`strata_schedule_runs_total{schedule="often",status="error"}`); v < 2 {
		t.Errorf("runs_total{error} = %v, want the failed claims counted", v)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		n := len(posts)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no webhook for the tick the database was down at")
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	if p := posts[0]; p["event"] != "run_failed" || !strings.Contains(fmt.Sprint(p["message"]), "could not claim") {
		t.Errorf("webhook = %v", p)
	}
	mu.Unlock()

	pg.start()
	up := time.Now()
	d.waitRun("after the database is back", 30*time.Second, func(r schedRun) bool { return r.Status == "success" && r.Tick.After(up) })
	if code := d.stop(); code != 0 {
		t.Errorf("SIGTERM: exit %d", code)
	}
}
