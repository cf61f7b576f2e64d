package main

// Operating `strata schedule` through the real binary: trigger, re-run,
// pause and resume from the CLI (surviving a restart), catch-up after the
// scheduler was stopped (one run; once across two replicas on PostgreSQL),
// a missed deadline reaching every notifier, the control token on a
// non-loopback address, and --log-format json.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
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
)

// schedProj is a project for the scheduler tests, written from files.
func schedProj(t *testing.T, target string, files map[string]string) *proj {
	t.Helper()
	p := &proj{t: t, dir: t.TempDir(), target: target}
	p.env = map[string]string{"HOME": filepath.Join(p.dir, ".home"), "TARGET": target}
	if target == "postgres" {
		for k, v := range postgresEnv(t) {
			p.env[k] = v
		}
		p.dsn = os.Getenv("STRATA_TEST_POSTGRES_DSN")
		p.schema = p.env["PGSCHEMA"]
		files["profiles.yaml"] = pgProfile
	}
	for name, body := range files {
		p.write(name, body)
	}
	return p
}

const pgProfile = `p:
  target: pg
  outputs:
    pg:
      type: postgres
      host: "{{ env_var('PGHOST', '127.0.0.1') }}"
      port: "{{ env_var('PGPORT', '5432') }}"
      user: "{{ env_var('PGUSER', 'postgres') }}"
      password: "{{ env_var('PGPASSWORD', '') }}"
      dbname: "{{ env_var('PGDATABASE', 'postgres') }}"
      schema: "{{ env_var('PGSCHEMA', 'strata_sched') }}"
      threads: 2
`

// runWith runs strata with extra environment variables.
func (p *proj) runWith(env map[string]string, args ...string) outcome {
	p.t.Helper()
	saved := p.env
	p.env = map[string]string{}
	for k, v := range saved {
		p.env[k] = v
	}
	for k, v := range env {
		p.env[k] = v
	}
	defer func() { p.env = saved }()
	return p.run(args...)
}

// daemon is a running `strata schedule`.
type daemon struct {
	t      *testing.T
	p      *proj
	addr   string // where to reach it (127.0.0.1:port)
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// startScheduler starts `strata schedule --addr bind` and waits for /healthz.
func (p *proj) startScheduler(t *testing.T, bind string, env map[string]string, args ...string) *daemon {
	t.Helper()
	saved := p.env
	p.env = map[string]string{}
	for k, v := range saved {
		p.env[k] = v
	}
	for k, v := range env {
		p.env[k] = v
	}
	cmd := p.command(context.Background(), append([]string{"schedule", "--addr", bind}, args...)...)
	p.env = saved
	d := &daemon{t: t, p: p, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	_, port, _ := net.SplitHostPort(bind)
	d.addr = "127.0.0.1:" + port
	cmd.Stdout, cmd.Stderr = d.stderr, d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
		if t.Failed() {
			t.Logf("strata schedule at %s said:\n%s", d.addr, d.stderr.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-d.done:
			t.Fatalf("strata schedule exited early (%v):\n%s", d.err, d.stderr.String())
		default:
		}
		if resp, err := http.Get("http://" + d.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("strata schedule did not answer /healthz:\n%s", d.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the exit code.
func (d *daemon) stop() int {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(60 * time.Second):
		d.t.Fatalf("strata schedule did not stop after SIGTERM:\n%s", d.stderr.String())
	}
	return exitCode(d.err)
}

// schedRun is a run as /api/runs shows it.
type schedRun struct {
	ID          string         `json:"id"`
	Schedule    string         `json:"schedule"`
	Status      string         `json:"status"`
	Trigger     string         `json:"trigger"`
	Tick        time.Time      `json:"tick"`
	Attempt     int            `json:"attempt"`
	Select      []string       `json:"select"`
	FullRefresh bool           `json:"full_refresh"`
	Message     string         `json:"message"`
	Late        string         `json:"late"`
	RerunOf     string         `json:"rerun_of"`
	NodeCounts  map[string]int `json:"node_counts"`
	Nodes       []struct {
		Name       string     `json:"name"`
		Status     string     `json:"status"`
		Message    string     `json:"message"`
		StartedAt  *time.Time `json:"started_at"`
		FinishedAt *time.Time `json:"finished_at"`
		Thread     string     `json:"thread"`
	} `json:"nodes"`
}

func (d *daemon) get(path string, out any) {
	d.t.Helper()
	resp, err := http.Get("http://" + d.addr + path)
	if err != nil {
		d.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		d.t.Fatalf("GET %s: %s %s", path, resp.Status, body)
	}
	if s, ok := out.(*string); ok {
		*s = string(body)
		return
	}
	if err := json.Unmarshal(body, out); err != nil {
		d.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// history reads the run history from disk (the scheduler may be stopped).
func (p *proj) history() []schedRun {
	p.t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.dir, "target", "runs", "index.json"))
	if err != nil {
		p.t.Fatalf("run history: %v", err)
	}
	var doc struct {
		Runs []schedRun `json:"runs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		p.t.Fatalf("run history: %v", err)
	}
	return doc.Runs
}

func (d *daemon) runs() []schedRun {
	var rs []schedRun
	d.get("/api/runs?limit=0", &rs)
	return rs
}

// waitRun polls the history until a run matches.
func (d *daemon) waitRun(what string, limit time.Duration, match func(schedRun) bool) schedRun {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, r := range d.runs() {
			if match(r) {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("no run %s within %v; runs: %+v\n%s", what, limit, d.runs(), d.stderr.String())
	return schedRun{}
}

// metric returns the value of one series of /metrics (-1 when absent).
func (d *daemon) metric(series string) float64 {
	d.t.Helper()
	var body string
	d.get("/metrics", &body)
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

var startedRE = regexp.MustCompile(`started run (\S+) `)

func startedID(t *testing.T, o outcome) string {
	t.Helper()
	m := startedRE.FindStringSubmatch(o.stdout)
	if m == nil {
		t.Fatalf("no run id in the output:\n%s", o)
	}
	return m[1]
}

func TestScheduleControlFromTheCLI(t *testing.T) {
	p := schedProj(t, "duckdb", map[string]string{
		"project.yaml": `name: p
profile: p
schedules:
  - name: nightly
    cron: "0 2 * * *"
  - name: often
    cron: "@every 1s"
    select: [a]
`,
		"models/a.sql": "select 1 as id\n",
		"models/b.sql": "select id from {{ ref('a') }}\n",
	})
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil, "--log-format", "json")
	for _, line := range strings.Split(strings.TrimSpace(d.stderr.String()), "\n") {
		// dbt's structured log shape: {"info": {name, code, msg, level, ts, invocation_id, …}, "data": {…}}.
		var m struct {
			Info map[string]any `json:"info"`
			Data map[string]any `json:"data"`
		}
		if json.Unmarshal([]byte(line), &m) != nil || m.Info["msg"] == nil || m.Info["name"] == nil || m.Info["ts"] == nil || m.Data == nil {
			t.Errorf("--log-format json: not a dbt JSON log line: %q", line)
		}
	}
	cli := func(args ...string) outcome { return p.run(append(args, "--addr", addr)...) }

	// Trigger with a selection and --full-refresh, and wait for the run.
	o := cli("schedule", "trigger", "nightly", "-s", "a", "--full-refresh", "--wait")
	if o.code != 0 || !strings.Contains(o.stdout, "ended success") {
		t.Fatalf("trigger --wait:\n%s", o)
	}
	id := startedID(t, o)
	var r schedRun
	d.get("/api/runs/"+id, &r)
	if r.Trigger != "manual" || r.Schedule != "nightly" || strings.Join(r.Select, " ") != "a" || !r.FullRefresh || len(r.Nodes) != 1 || r.Nodes[0].Name != "a" {
		t.Errorf("triggered run = %+v", r)
	}
	if r.Nodes[0].StartedAt == nil || r.Nodes[0].Thread == "" {
		t.Errorf("node without timing or thread: %+v", r.Nodes[0])
	}
	var rr struct {
		Args map[string]any `json:"args"`
	}
	d.get("/api/runs/"+id+"/run_results.json", &rr)
	if rr.Args["trigger"] != "manual" || rr.Args["full_refresh"] != true {
		t.Errorf("run_results.json args = %v", rr.Args)
	}

	// A failing build, then a re-run of only what failed once it is fixed.
	p.write("models/c.sql", "select * frm {{ ref('b') }}\n")
	p.write("models/d.sql", "select * from {{ ref('c') }}\n")
	o = cli("schedule", "trigger", "nightly", "--wait")
	if o.code != 1 || !strings.Contains(o.stdout, "ended error: 1 node(s) failed: c") {
		t.Fatalf("a failing trigger --wait should exit 1:\n%s", o)
	}
	failed := startedID(t, o)
	p.write("models/c.sql", "select * from {{ ref('b') }}\n")
	o = cli("schedule", "rerun", failed, "--wait")
	if o.code != 0 {
		t.Fatalf("rerun --wait:\n%s", o)
	}
	d.get("/api/runs/"+startedID(t, o), &r)
	var ran []string
	for _, n := range r.Nodes {
		ran = append(ran, n.Name)
	}
	if r.Trigger != "retry" || r.RerunOf != failed || strings.Join(ran, ",") != "c,d" {
		t.Errorf("re-run = %+v, ran %v; want c and d only", r, ran)
	}
	if o := cli("schedule", "rerun", startedID(t, o)); o.code != 1 || !strings.Contains(o.stderr, "nothing to re-run") {
		t.Errorf("re-running a success:\n%s", o)
	}
	if o := cli("schedule", "trigger", "weekly"); o.code != 2 || !strings.Contains(o.stderr, `no such schedule "weekly"`) {
		t.Errorf("unknown schedule:\n%s", o)
	}
	if o := cli("schedule", "launch", "nightly"); o.code != 2 || !strings.Contains(o.stderr, `no subcommand "launch"`) {
		t.Errorf("unknown subcommand:\n%s", o)
	}

	// Pause survives a restart; resume brings the ticks back.
	ticks := func(d *daemon) int {
		n := 0
		for _, r := range d.runs() {
			if r.Schedule == "often" && r.Trigger == "tick" {
				n++
			}
		}
		return n
	}
	d.waitRun("ticked", 10*time.Second, func(r schedRun) bool { return r.Schedule == "often" && r.Trigger == "tick" })
	if o := cli("schedule", "pause", "often"); o.code != 0 || !strings.Contains(o.stdout, "schedule often is paused") {
		t.Fatalf("pause:\n%s", o)
	}
	time.Sleep(1500 * time.Millisecond) // a tick already claimed may still finish
	before := ticks(d)
	time.Sleep(2500 * time.Millisecond)
	if n := ticks(d); n != before {
		t.Errorf("a paused schedule ran %d ticks", n-before)
	}
	if code := d.stop(); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	d = p.startScheduler(t, addr, nil)
	var info struct {
		Paused bool `json:"paused"`
	}
	d.get("/api/schedules/often", &info)
	if !info.Paused {
		t.Fatal("the pause did not survive the restart")
	}
	time.Sleep(2500 * time.Millisecond)
	if n := ticks(d); n != before {
		t.Errorf("after the restart a paused schedule ran %d ticks (or caught some up)", n-before)
	}
	if d.metric(`strata_schedule_paused{schedule="often"}`) != 1 {
		t.Error("strata_schedule_paused is not 1")
	}
	if o := cli("schedule", "resume", "often"); o.code != 0 || !strings.Contains(o.stdout, "running on its schedule") {
		t.Fatalf("resume:\n%s", o)
	}
	d.waitRun("after resume", 10*time.Second, func(r schedRun) bool { return r.Schedule == "often" && r.Trigger == "tick" && ticks(d) > before })
	for _, r := range d.runs() {
		if r.Trigger == "catchup" {
			t.Errorf("ticks missed while paused were caught up: %s", r.ID)
		}
	}
	if code := d.stop(); code != 0 {
		t.Errorf("SIGTERM: exit %d", code)
	}
}

const everyTwoSeconds = `name: p
profile: p
schedules:
  - name: often
    cron: "@every 2s"
`

func catchups(runs []schedRun) []schedRun {
	var out []schedRun
	for _, r := range runs {
		if r.Trigger == "catchup" {
			out = append(out, r)
		}
	}
	return out
}

func TestScheduleCatchesUpOnceAfterAStop(t *testing.T) {
	p := schedProj(t, "duckdb", map[string]string{"project.yaml": everyTwoSeconds, "models/a.sql": "select 1 as id\n"})
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil)
	first := d.waitRun("on a tick", 20*time.Second, func(r schedRun) bool { return r.Status == "success" })
	d.stop()
	stopped := time.Now()
	time.Sleep(5 * time.Second) // two or three ticks go by
	d = p.startScheduler(t, addr, nil)
	c := d.waitRun("caught up", 20*time.Second, func(r schedRun) bool { return r.Trigger == "catchup" && r.Status == "success" })
	time.Sleep(2500 * time.Millisecond)
	d.stop()
	if n := len(catchups(p.history())); n != 1 {
		t.Errorf("%d catch-up runs, want 1", n)
	}
	if !c.Tick.After(first.Tick) || c.Tick.Before(stopped.Add(-2*time.Second)) || !strings.Contains(c.ID, "-often-catchup-a1") {
		t.Errorf("catch-up run %+v: its tick should be the last one missed after %s", c, first.Tick)
	}
}

func TestScheduleCatchesUpOnceAcrossTwoReplicas(t *testing.T) {
	a := schedProj(t, "postgres", map[string]string{"project.yaml": everyTwoSeconds, "models/a.sql": "select 1 as id\n"})
	b := schedProj(t, "postgres", map[string]string{"project.yaml": everyTwoSeconds, "models/a.sql": "select 1 as id\n"})
	b.env["PGSCHEMA"], b.schema = a.schema, a.schema // one warehouse, two hosts
	addrA, addrB := freeAddr(t), freeAddr(t)
	d := a.startScheduler(t, addrA, nil)
	d.waitRun("on a tick", 30*time.Second, func(r schedRun) bool { return r.Status == "success" })
	d.stop()
	// Replica b has the same history (it saw the same ticks).
	if err := os.MkdirAll(filepath.Join(b.dir, "target"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", filepath.Join(a.dir, "target", "runs"), filepath.Join(b.dir, "target")).CombinedOutput(); err != nil {
		t.Fatalf("copy history: %v %s", err, out)
	}
	time.Sleep(5 * time.Second)
	var da, db *daemon
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); da = a.startScheduler(t, addrA, nil) }()
	go func() { defer wg.Done(); db = b.startScheduler(t, addrB, nil) }()
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for len(catchups(da.runs()))+len(catchups(db.runs())) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // a second catch-up would show up by now
	da.stop()
	db.stop()
	ca, cb := catchups(a.history()), catchups(b.history())
	if len(ca)+len(cb) != 1 {
		t.Errorf("catch-up runs: replica a %v, replica b %v; want exactly one in all", ca, cb)
	}
	// And every tick ran once across both (b's copy of a's first run is the
	// same run: count run ids).
	seen := map[time.Time]map[string]bool{}
	for _, r := range append(a.history(), b.history()...) {
		if r.Status != "skipped" {
			if seen[r.Tick.UTC()] == nil {
				seen[r.Tick.UTC()] = map[string]bool{}
			}
			seen[r.Tick.UTC()][r.ID] = true
		}
	}
	for tick, ids := range seen {
		if len(ids) != 1 {
			t.Errorf("tick %s ran %d times", tick.Format(time.RFC3339), len(ids))
		}
	}
}

// notifySinks are a webhook, a Slack-compatible endpoint and an SMTP server
// in the test process.
type notifySinks struct {
	mu          sync.Mutex
	hook, slack []map[string]any
	mails       []string
	hookSrv     *httptest.Server
	slackSrv    *httptest.Server
	smtpAddr    string
}

func newNotifySinks(t *testing.T) *notifySinks {
	n := &notifySinks{}
	rec := func(into *[]map[string]any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m)
			n.mu.Lock()
			*into = append(*into, m)
			n.mu.Unlock()
		}
	}
	n.hookSrv = httptest.NewServer(rec(&n.hook))
	n.slackSrv = httptest.NewServer(rec(&n.slack))
	t.Cleanup(n.hookSrv.Close)
	t.Cleanup(n.slackSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	n.smtpAddr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go n.smtp(c)
		}
	}()
	return n
}

// smtp speaks just enough SMTP to take one message per connection.
func (n *notifySinks) smtp(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprint(c, "220 sink ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"):
			fmt.Fprint(c, "250-sink\r\n250 8BITMIME\r\n")
		case cmd == "DATA":
			fmt.Fprint(c, "354 go on\r\n")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.TrimSpace(l) == "." {
					break
				}
				b.WriteString(l)
			}
			head, body, _ := strings.Cut(b.String(), "\r\n\r\n")
			dec, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
			n.mu.Lock()
			n.mails = append(n.mails, head+"\n\n"+string(dec))
			n.mu.Unlock()
			fmt.Fprint(c, "250 queued\r\n")
		case cmd == "QUIT":
			fmt.Fprint(c, "221 bye\r\n")
			return
		default:
			fmt.Fprint(c, "250 ok\r\n")
		}
	}
}

// got reports whether each channel received a notice whose text has want.
func (n *notifySinks) got(want string) (hook, slack, mail bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, m := range n.hook {
		if strings.Contains(fmt.Sprint(m), want) {
			hook = true
		}
	}
	for _, m := range n.slack {
		if strings.Contains(fmt.Sprint(m["text"]), want) {
			slack = true
		}
	}
	for _, m := range n.mails {
		if strings.Contains(m, want) {
			mail = true
		}
	}
	return
}

// slowModel runs for minutes on DuckDB unless cancelled (the filter keeps
// DuckDB from answering count(*) from the range's size).
const slowModel = "{{ config(materialized='table') }}\nselect count(*) as n from range(1000000000000) as t(i) where i % 7 = 3\n"

func TestScheduleMissedDeadlineReachesEveryNotifier(t *testing.T) {
	n := newNotifySinks(t)
	// The first tick of "@every 3s" at least 2 s from now; the run must be
	// done 2 s later, and it hangs until its 6 s timeout.
	first := time.Unix((time.Now().Unix()+2)/3*3+3, 0).UTC()
	deadline := first.Add(2 * time.Second)
	p := schedProj(t, "duckdb", map[string]string{
		"project.yaml": fmt.Sprintf(`name: p
profile: p
scheduler:
  shutdown_grace: 1s
  notify:
    webhook: %s/strata
    slack: "${SLACK_WEBHOOK_URL}"
    email:
      smtp: %s
      from: strata@example.com
      to: oncall@example.com
schedules:
  - name: late
    cron: "@every 3s"
    deadline: "%s"
    max_duration: 1s
    timeout: 6s
`, n.hookSrv.URL, n.smtpAddr, deadline.Format("15:04:05")),
		"models/slow.sql": slowModel,
	})
	d := p.startScheduler(t, freeAddr(t), map[string]string{"SLACK_WEBHOOK_URL": n.slackSrv.URL + "/services/T/B/secret"})
	end := time.Now().Add(time.Until(deadline) + 15*time.Second)
	for time.Now().Before(end) {
		if h, s, m := n.got("still going at the deadline"); h && s && m {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	hook, slack, mail := n.got("still going at the deadline")
	if !hook || !slack || !mail {
		t.Errorf("deadline %s: webhook %v, slack %v, e-mail %v; want all three\nhook %v\nslack %v\nmail %v", deadline.Format("15:04:05"), hook, slack, mail, n.hook, n.slack, n.mails)
	}
	hook, slack, mail = n.got("more than its max_duration of 1s")
	if !hook || !slack || !mail {
		t.Errorf("max_duration: webhook %v, slack %v, e-mail %v; want all three", hook, slack, mail)
	}
	n.mu.Lock()
	var deadlines []any
	for _, m := range n.hook {
		if m["event"] == "deadline_missed" && m["deadline"] != nil {
			deadlines = append(deadlines, m["deadline"])
		}
	}
	n.mu.Unlock()
	if !slicesContainsAny(deadlines, deadline.Format(time.RFC3339)) {
		t.Errorf("no deadline_missed payload with deadline %s: %v", deadline.Format(time.RFC3339), deadlines)
	}
	if v := d.metric(`strata_schedule_deadline_missed_total{kind="deadline",schedule="late"}`); v != 1 {
		t.Errorf("strata_schedule_deadline_missed_total{kind=deadline} = %v, want 1", v)
	}
	if v := d.metric(`strata_schedule_deadline_missed_total{kind="max_duration",schedule="late"}`); v < 1 {
		t.Errorf("strata_schedule_deadline_missed_total{kind=max_duration} = %v", v)
	}
	if strings.Contains(d.stderr.String(), "secret") {
		t.Error("the Slack URL's secret reached the log")
	}
	r := d.waitRun("cancelled at its timeout", 20*time.Second, func(r schedRun) bool { return r.Status == "cancelled" })
	if !strings.Contains(r.Message, "timed out after 6s") || r.Late == "" {
		t.Errorf("the late run = %+v", r)
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if h, s, m := n.got("was cancelled"); h && s && m {
			break
		}
	}
	if h, s, m := n.got("was cancelled"); !s || !m {
		t.Errorf("the cancelled run's failure notice: slack %v, e-mail %v (webhook %v)", s, m, h)
	}
	if h, _, _ := n.got("run_failed"); !h {
		t.Error("no run_failed webhook for the cancelled run")
	}
	if code := d.stop(); code != 0 {
		t.Errorf("SIGTERM with a slow run going: exit %d, want 0 (cancelled after the grace)", code)
	}
}

func slicesContainsAny(list []any, want string) bool {
	for _, x := range list {
		if fmt.Sprint(x) == want {
			return true
		}
	}
	return false
}

func TestScheduleControlTokenOnANonLoopbackAddress(t *testing.T) {
	p := schedProj(t, "duckdb", map[string]string{
		"project.yaml": "name: p\nprofile: p\nschedules:\n  - name: nightly\n    cron: \"0 2 * * *\"\n",
		"models/a.sql": "select 1 as id\n",
	})
	_, port, _ := net.SplitHostPort(freeAddr(t))
	bind := "0.0.0.0:" + port
	d := p.startScheduler(t, bind, nil)
	o := p.run("schedule", "trigger", "nightly", "--addr", bind)
	if o.code != 2 || !strings.Contains(o.stderr, "non-loopback address and STRATA_SCHEDULER_TOKEN is not set") {
		t.Errorf("without a token on 0.0.0.0:\n%s", o)
	}
	var page string
	d.get("/", &page)
	if !strings.Contains(page, `data-control="off"`) {
		t.Error("the page does not say control is off")
	}
	d.stop()

	const token = "tok-9f2c1d7e5b"
	d = p.startScheduler(t, bind, map[string]string{"STRATA_SCHEDULER_TOKEN": token})
	o = p.run("schedule", "trigger", "nightly", "--addr", bind)
	if o.code != 2 || !strings.Contains(o.stderr, "needs its control token") {
		t.Errorf("a client without the token:\n%s", o)
	}
	o = p.runWith(map[string]string{"STRATA_SCHEDULER_TOKEN": "wrong"}, "schedule", "pause", "nightly", "--addr", bind)
	if o.code != 2 {
		t.Errorf("a client with the wrong token:\n%s", o)
	}
	o = p.runWith(map[string]string{"STRATA_SCHEDULER_TOKEN": token}, "schedule", "trigger", "nightly", "--addr", bind, "--wait")
	if o.code != 0 {
		t.Errorf("a client with the token:\n%s", o)
	}
	if n := len(d.runs()); n != 1 {
		t.Errorf("%d runs, want 1 (only the one with the token)", n)
	}
	for _, path := range []string{"/", "/schedules/nightly", "/runs/" + d.runs()[0].ID, "/api/schedules", "/static/ui.js"} {
		var body string
		d.get(path, &body)
		if strings.Contains(body, token) {
			t.Errorf("GET %s exposes the token", path)
		}
	}
	if d.stop(); strings.Contains(d.stderr.String(), token) {
		t.Error("the token reached the log")
	}
}
