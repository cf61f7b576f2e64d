package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/strata-dev/strata/engine/internal/syncbuf"
	"github.com/strata-dev/strata/engine/project"
)

// t0 is just after a whole second, so `@every 1s` ticks at t0+0.75s, +1.75s, …
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 250_000_000, time.UTC)

type harness struct {
	t      *testing.T
	s      *Scheduler
	clock  *fakeClock
	cancel context.CancelFunc
	done   chan error
	logs   *syncbuf.Buffer
}

// start builds a scheduler on a fake clock (unless opts has a clock) and runs it.
func start(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncbuf.Buffer{}}
	if opts.Clock == nil {
		h.clock = newFakeClock(t0)
		opts.Clock = h.clock
	} else if fc, ok := opts.Clock.(*fakeClock); ok {
		h.clock = fc
	}
	if opts.HistoryDir == "" {
		opts.HistoryDir = filepath.Join(t.TempDir(), "runs")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("scheduler log:\n%s", h.logs.String())
		}
		if err := h.stop(); err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
	return h
}

// stop cancels Run's context and waits for Run to return.
func (h *harness) stop() error {
	h.t.Helper()
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(20 * time.Second):
		h.t.Fatal("Run did not return after its context was cancelled")
		return nil
	}
}

// advance waits for the loop to be waiting on its timer, then moves the fake clock.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clock.waitArmed(h.t)
	h.clock.Advance(d)
}

// waitRuns waits until the history holds n runs with the status, and returns
// the history oldest first.
func (h *harness) waitRuns(n int, status string) []Run {
	h.t.Helper()
	waitFor(h.t, fmt.Sprintf("%d %s run(s)", n, status), func() bool {
		return len(h.s.hist.list("", status, 0)) >= n && h.settled()
	})
	runs := h.s.Runs()
	slices.Reverse(runs)
	return runs
}

// settled reports whether no schedule is between recording a run's end in
// the history and becoming free again, so the next tick will not be skipped
// because of it. A run's metrics are observed before its history shows it
// finished: a wait keyed on metrics (or on the run function's calls) must use
// idle instead, since the history still says running there.
func (h *harness) settled() bool {
	status := map[string]string{}
	for _, r := range h.s.Runs() {
		status[r.ID] = r.Status
	}
	for _, e := range h.s.entries {
		cur := e.current()
		if cur == "pending" || (cur != "" && status[cur] != StatusRunning) {
			return false
		}
	}
	return true
}

// idle reports whether no schedule has a run pending or going.
func (h *harness) idle() bool {
	for _, e := range h.s.entries {
		if e.current() != "" {
			return false
		}
	}
	return true
}

// recv receives from ch, failing the test after 20 s instead of hanging.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func waitChan(wg *sync.WaitGroup) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		wg.Wait()
		close(ch)
	}()
	return ch
}

// calls records RunRequests.
type calls struct {
	mu   sync.Mutex
	reqs []RunRequest
}

func (c *calls) add(r RunRequest) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, r)
	return len(c.reqs)
}

func (c *calls) list() []RunRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reqs)
}

func ok(nodes ...string) RunReport {
	rep := RunReport{Status: StatusSuccess}
	for _, n := range nodes {
		rep.Nodes = append(rep.Nodes, NodeReport{UniqueID: "model.p." + n, Name: n, Status: "success", ExecutionTime: 0.02})
	}
	return rep
}

func TestRunsHappenOnTheirTicks(t *testing.T) {
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "fast", Cron: "@every 1s", Command: "run", Select: project.StringList{"tag:hourly"}, Exclude: project.StringList{"big"},
				FullRefresh: true, Vars: map[string]any{"day": "2026-01-01"}},
			{Name: "slow", Cron: "@every 3s"},
		},
		Threads: 3,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			fmt.Fprintf(req.Log, "building %s\n", req.Schedule)
			if err := os.WriteFile(filepath.Join(req.Dir, "run_results.json"), []byte(`{"results":[]}`), 0o644); err != nil {
				return RunReport{}, err
			}
			return ok("m1"), nil
		},
	})
	// Each run ends before the next tick; otherwise the tick would be skipped.
	h.advance(time.Second)
	h.waitRuns(1, StatusSuccess)
	h.advance(time.Second)
	h.waitRuns(2, StatusSuccess)
	h.advance(time.Second)
	runs := h.waitRuns(4, StatusSuccess)

	got := map[string][]time.Time{}
	for _, r := range c.list() {
		got[r.Schedule] = append(got[r.Schedule], r.Tick.UTC())
		if r.Slots == nil || r.Attempt != 1 || r.Dir == "" || r.Log == nil {
			t.Errorf("incomplete request %+v", r)
		}
		if r.Schedule == "fast" {
			if r.Command != "run" || !slices.Equal(r.Select, []string{"tag:hourly"}) || !slices.Equal(r.Exclude, []string{"big"}) || !r.FullRefresh || r.Vars["day"] != "2026-01-01" {
				t.Errorf("fast got %+v", r)
			}
		} else if r.Command != "build" {
			t.Errorf("slow ran %q, want the default build", r.Command)
		}
	}
	sec := func(n int) time.Time { return time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC) }
	slices.SortFunc(got["fast"], func(a, b time.Time) int { return a.Compare(b) })
	if !slices.EqualFunc(got["fast"], []time.Time{sec(1), sec(2), sec(3)}, time.Time.Equal) {
		t.Errorf("fast ticks = %v", got["fast"])
	}
	if !slices.EqualFunc(got["slow"], []time.Time{sec(3)}, time.Time.Equal) {
		t.Errorf("slow ticks = %v (want the multiple of 3 s since the epoch)", got["slow"])
	}
	for _, r := range runs {
		if r.FinishedAt == nil || r.NodeCounts["success"] != 1 {
			t.Errorf("run %+v not finished with one node", r)
		}
		dir := filepath.Join(h.s.hist.dir, r.ID)
		log, err := os.ReadFile(filepath.Join(dir, "log"))
		if err != nil || !strings.Contains(string(log), "building "+r.Schedule) || !strings.Contains(string(log), r.ID+" finished: success") {
			t.Errorf("log of %s = %q, %v", r.ID, log, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "run_results.json")); err != nil {
			t.Errorf("run_results.json of %s: %v", r.ID, err)
		}
	}
	if cap := h.s.slots; cap.TryAcquire(3) {
		cap.Release(3)
	} else {
		t.Error("thread budget is not 3 slots, or slots leaked")
	}
}

func TestEachTickCallsTheRunFuncAfresh(t *testing.T) {
	// The lead's RunFunc loads the project from disk; this one reads a model
	// file, which the test changes between ticks.
	model := filepath.Join(t.TempDir(), "orders.sql")
	write := func(s string) {
		if err := os.WriteFile(model, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("select 1 as v1")
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "hourly", Cron: "@every 1s"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			sql, err := os.ReadFile(model)
			if err != nil {
				return RunReport{}, err
			}
			if strings.Contains(string(sql), "{{") {
				return RunReport{}, fmt.Errorf("models/orders.sql:1: jinja syntax error: unexpected end of template")
			}
			return RunReport{Status: StatusSuccess, Nodes: []NodeReport{{Name: "orders", Status: "success", Message: string(sql)}}}, nil
		},
	})
	h.advance(time.Second)
	h.waitRuns(1, StatusSuccess)
	write("select {{ broken")
	h.advance(time.Second)
	h.waitRuns(1, StatusError)
	write("select 1 as v2")
	h.advance(time.Second)
	runs := h.waitRuns(2, StatusSuccess)

	if n := len(c.list()); n != 3 {
		t.Fatalf("run function called %d times, want 3", n)
	}
	if len(runs) != 3 {
		t.Fatalf("history = %+v", runs)
	}
	withNodes := h.s.hist.withNodes(slices.Clone(runs))
	if got := withNodes[0].Nodes[0].Message; got != "select 1 as v1" {
		t.Errorf("first run saw %q", got)
	}
	if runs[1].Status != StatusError || !strings.Contains(runs[1].Message, "models/orders.sql:1: jinja syntax error") {
		t.Errorf("broken project run = %+v", runs[1])
	}
	if got := withNodes[2].Nodes[0].Message; got != "select 1 as v2" {
		t.Errorf("third run saw %q, want the changed model", got)
	}
}

func TestOverlappingTickIsSkipped(t *testing.T) {
	release := make(chan struct{})
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "long", Cron: "@every 1s"},
			{Name: "other", Cron: "@every 1s"},
		},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			n := c.add(req)
			if req.Schedule == "long" && req.Tick.Second() == 1 {
				<-release
			}
			_ = n
			return ok("m"), nil
		},
	})
	h.advance(time.Second) // long@1 starts and blocks; other@1 runs
	waitFor(t, "long's first run to start", func() bool { return len(c.list()) >= 2 })
	h.waitRuns(1, StatusSuccess)
	h.advance(time.Second) // long@2 finds long@1 running; other@2 runs alongside
	h.waitRuns(1, StatusSkipped)
	h.waitRuns(2, StatusSuccess)
	close(release)
	h.waitRuns(3, StatusSuccess)
	h.advance(time.Second) // long is free again
	runs := h.waitRuns(5, StatusSuccess)

	var longRuns []string
	for _, r := range runs {
		if r.Schedule == "long" {
			longRuns = append(longRuns, fmt.Sprintf("%s@%d", r.Status, r.Tick.Second()))
		}
		if r.Status == StatusSkipped {
			if r.Attempt != 0 || r.FinishedAt == nil || !strings.Contains(r.Message, "20260101T000001Z-long-a1") {
				t.Errorf("skipped record = %+v", r)
			}
		}
	}
	slices.Sort(longRuns)
	if want := []string{"skipped@2", "success@1", "success@3"}; !slices.Equal(longRuns, want) {
		t.Errorf("long's runs = %v, want %v", longRuns, want)
	}
	for _, r := range c.list() {
		if r.Schedule == "long" && r.Tick.Second() == 2 {
			t.Error("the overlapping tick called the run function")
		}
	}
}

func TestRetryRerunsOnlyFailedNodes(t *testing.T) {
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "nightly", Cron: "@every 1s", Select: project.StringList{"+marts"}, Retries: 2, RetryDelay: "20ms"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			if c.add(req) == 1 {
				return RunReport{Status: StatusError, Nodes: []NodeReport{
					{UniqueID: "model.p.stg_loans", Name: "stg_loans", Status: "success"},
					{UniqueID: "model.p.fct_payments", Name: "fct_payments", Status: "error", Message: "division by zero"},
					{UniqueID: "model.p.mart_arrears", Name: "mart_arrears", Status: "skipped", Message: "upstream fct_payments failed"},
					{UniqueID: "test.p.not_null_loans_id", Name: "not_null_loans_id", Status: "fail", Message: "3 rows"},
					{UniqueID: "test.p.accepted_values_status", Name: "accepted_values_status", Status: "warn"},
					{UniqueID: "test.p.unique_loans_id", Name: "unique_loans_id", Status: "pass"},
				}}, nil
			}
			return ok(req.Select...), nil
		},
	})
	h.advance(time.Second)
	runs := h.waitRuns(1, StatusSuccess)

	reqs := c.list()
	if len(reqs) != 2 {
		t.Fatalf("run function called %d times, want 2", len(reqs))
	}
	if !slices.Equal(reqs[0].Select, []string{"+marts"}) || reqs[0].Attempt != 1 {
		t.Errorf("attempt 1 = %+v", reqs[0])
	}
	if want := []string{"fct_payments", "mart_arrears", "not_null_loans_id"}; !slices.Equal(reqs[1].Select, want) || reqs[1].Attempt != 2 {
		t.Errorf("attempt 2 selected %v (attempt %d), want %v", reqs[1].Select, reqs[1].Attempt, want)
	}
	if len(runs) != 2 || runs[0].Status != StatusError || runs[0].Attempt != 1 || runs[1].Status != StatusSuccess || runs[1].Attempt != 2 {
		t.Errorf("history = %+v", runs)
	}
	if !strings.Contains(runs[0].Message, "fct_payments") || !strings.Contains(runs[0].Message, "not_null_loans_id") {
		t.Errorf("attempt 1 message %q does not name the failed nodes", runs[0].Message)
	}
	if runs[0].ID == runs[1].ID || !slices.Equal(runs[1].Select, reqs[1].Select) {
		t.Errorf("attempts share an id or lost their selection: %+v", runs)
	}
}

// hookServer records webhook posts.
type hookServer struct {
	*httptest.Server
	mu    sync.Mutex
	posts []map[string]any
	paths []string
}

func newHookServer(t *testing.T, status int) *hookServer {
	hs := &hookServer{}
	hs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook got %s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hs.mu.Lock()
		hs.posts = append(hs.posts, body)
		hs.paths = append(hs.paths, r.URL.Path)
		hs.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func (hs *hookServer) count() int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return len(hs.posts)
}

func TestFailureWebhookIsPostedAfterTheLastAttempt(t *testing.T) {
	own := newHookServer(t, http.StatusOK)
	shared := newHookServer(t, http.StatusOK)
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "payments", Cron: "@every 1s", Retries: 1, RetryDelay: "1ms", OnFailureWebhook: own.URL + "/T000/B000/secret"},
			{Name: "loans", Cron: "@every 1s"},
			{Name: "fine", Cron: "@every 1s", OnFailureWebhook: own.URL + "/fine"},
		},
		Settings: project.SchedulerSettings{OnFailureWebhook: shared.URL + "/all"},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			switch req.Schedule {
			case "payments":
				return RunReport{Status: StatusError, Nodes: []NodeReport{
					{UniqueID: "model.p.ok", Name: "ok", Status: "success"},
					{UniqueID: "model.p.fct_payments", Name: "fct_payments", Status: "error", Message: `relation "raw.payments" does not exist`},
				}}, nil
			case "loans":
				return RunReport{}, errors.New("profiles.yml:3: profile \"prod\" not found")
			}
			return ok("m"), nil
		},
	})
	h.advance(time.Second)
	h.waitRuns(3, StatusError)
	waitFor(t, "both webhooks", func() bool { return own.count() >= 1 && shared.count() >= 1 })
	time.Sleep(50 * time.Millisecond) // let a wrong extra post arrive if there is one

	if own.count() != 1 || shared.count() != 1 {
		t.Fatalf("posts: schedule hook %d, project hook %d; want 1 each (none for retried or successful attempts)", own.count(), shared.count())
	}
	p := own.posts[0]
	if own.paths[0] != "/T000/B000/secret" {
		t.Errorf("posted to %s", own.paths[0])
	}
	if p["run_id"] != "20260101T000001Z-payments-a2" || p["schedule"] != "payments" || p["status"] != "error" || p["attempt"] != 2.0 || p["event"] != "run_failed" {
		t.Errorf("payload = %v", p)
	}
	for _, k := range []string{"started_at", "finished_at"} {
		if s, _ := p[k].(string); s == "" {
			t.Errorf("%s missing", k)
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %q: %v", k, s, err)
		}
	}
	failed, _ := p["failed_nodes"].([]any)
	if len(failed) != 1 {
		t.Fatalf("failed_nodes = %v", p["failed_nodes"])
	}
	fn := failed[0].(map[string]any)
	if fn["name"] != "fct_payments" || fn["message"] != `relation "raw.payments" does not exist` || fn["status"] != "error" {
		t.Errorf("failed node = %v", fn)
	}
	q := shared.posts[0]
	if q["schedule"] != "loans" || !strings.Contains(q["message"].(string), `profile "prod" not found`) {
		t.Errorf("project-wide hook payload = %v", q)
	}
	if strings.Contains(h.logs.String(), "secret") {
		t.Errorf("the webhook's secret path reached the log:\n%s", h.logs.String())
	}
}

func TestWebhookDeliveryErrorsAreLoggedNotFatal(t *testing.T) {
	broken := newHookServer(t, http.StatusInternalServerError)
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "a", Cron: "@every 1s", OnFailureWebhook: broken.URL + "/hook"},
			{Name: "b", Cron: "@every 1s", OnFailureWebhook: "http://127.0.0.1:1/unreachable"},
		},
		WebhookTimeout: 2 * time.Second,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			return RunReport{}, errors.New("boom")
		},
	})
	h.advance(time.Second)
	h.waitRuns(2, StatusError)
	waitFor(t, "two webhook failures in the log", func() bool {
		return strings.Count(h.logs.String(), "notification not delivered") == 2
	})
	h.advance(time.Second)
	h.waitRuns(4, StatusError)
	if !strings.Contains(h.logs.String(), "500 Internal Server Error") {
		t.Errorf("log does not give the server's answer:\n%s", h.logs.String())
	}
}

func TestTimeoutCancelsTheRun(t *testing.T) {
	sawDone := make(chan error, 1)
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "slow", Cron: "@every 1s", Timeout: "50ms", Retries: 3}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			select {
			case <-ctx.Done():
				sawDone <- ctx.Err()
				return RunReport{Status: StatusCancelled, Nodes: []NodeReport{{Name: "big_model", Status: "cancelled", Message: "canceling statement due to user request"}}}, nil
			case <-time.After(10 * time.Second):
				return ok("big_model"), nil
			}
		},
	})
	h.advance(time.Second)
	runs := h.waitRuns(1, StatusCancelled)
	if err := recv(t, sawDone, "the run function to see its context end"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("run function's ctx ended with %v, want deadline exceeded", err)
	}
	if len(runs) != 1 || !strings.Contains(runs[0].Message, "timed out after 50ms") || runs[0].FinishedAt == nil {
		t.Errorf("history = %+v", runs)
	}
	if n := len(c.list()); n != 1 {
		t.Errorf("a timed-out run was retried (%d calls)", n)
	}
}

func TestShutdownCancelsARunThatOutlastsTheGrace(t *testing.T) {
	started := make(chan struct{})
	var returned sync.WaitGroup
	returned.Add(1)
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "long", Cron: "@every 1s"}},
		Grace: 30 * time.Millisecond,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			defer returned.Done()
			close(started)
			<-ctx.Done()
			return RunReport{}, fmt.Errorf("execute: %w", ctx.Err())
		},
	})
	h.advance(time.Second)
	recv(t, started, "the run to start")
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	// Run must not return before the run function has.
	recv(t, waitChan(&returned), "the run function to return")
	runs := h.s.Runs()
	if len(runs) != 1 || runs[0].Status != StatusCancelled || !strings.Contains(runs[0].Message, "shutting down") {
		t.Fatalf("history after shutdown = %+v", runs)
	}
	// The index on disk says so too.
	data, err := os.ReadFile(filepath.Join(h.s.hist.dir, "index.json"))
	if err != nil || !strings.Contains(string(data), `"status":"cancelled"`) {
		t.Errorf("index.json = %s, %v", data, err)
	}
}

func TestShutdownLetsARunFinishWithinTheGrace(t *testing.T) {
	started := make(chan struct{})
	finish := make(chan struct{})
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "short", Cron: "@every 1s"}},
		Grace: 10 * time.Second,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			close(started)
			select {
			case <-finish:
				return ok("m"), nil
			case <-ctx.Done():
				return RunReport{}, ctx.Err()
			}
		},
	})
	h.advance(time.Second)
	recv(t, started, "the run to start")
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while its run was still going", err)
	case <-time.After(50 * time.Millisecond):
	}
	h.clock.Advance(time.Second) // no new tick is taken while stopping
	close(finish)
	if err := recv(t, stopped, "Run to return"); err != nil {
		t.Fatalf("Run = %v", err)
	}
	runs := h.s.Runs()
	if len(runs) != 1 || runs[0].Status != StatusSuccess || len(c.list()) != 1 {
		t.Errorf("history = %+v, calls %d", runs, len(c.list()))
	}
}

func TestHistorySurvivesRestartAndIsBounded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	specs := []project.ScheduleSpec{{Name: "h", Cron: "@every 1s"}}
	run := func(ctx context.Context, req RunRequest) (RunReport, error) { return ok("m"), nil }
	h := start(t, Options{Specs: specs, HistoryDir: dir, Run: run, Settings: project.SchedulerSettings{HistoryRetention: 3}})
	for i := range 5 {
		h.advance(time.Second)
		waitFor(t, "a run", func() bool { return runsCounter(h.s, "h", StatusSuccess) == i+1 && h.idle() })
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	before := h.s.Runs()
	if len(before) != 3 {
		t.Fatalf("kept %d runs, want the retention of 3", len(before))
	}
	entries, _ := os.ReadDir(dir)
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
		}
	}
	if len(folders) != 3 {
		t.Errorf("run folders after pruning = %v", folders)
	}

	// A new scheduler on the same folder lists the old runs, newest first.
	h2 := start(t, Options{Specs: specs, HistoryDir: dir, Run: run, Settings: project.SchedulerSettings{HistoryRetention: 3}})
	after := h2.s.Runs()
	if len(after) != 3 {
		t.Fatalf("after restart: %+v", after)
	}
	for i := range after {
		if after[i].ID != before[i].ID || after[i].Status != StatusSuccess || !after[i].StartedAt.Equal(before[i].StartedAt) {
			t.Errorf("run %d: before %+v, after %+v", i, before[i], after[i])
		}
	}
	if after[0].Tick.Second() != 5 || after[2].Tick.Second() != 3 {
		t.Errorf("not newest first / wrong runs kept: %v, %v", after[0].Tick, after[2].Tick)
	}
	if got := h2.s.hist.withNodes(after[:1])[0].Nodes; len(got) != 1 || got[0].Name != "m" {
		t.Errorf("nodes after restart = %+v", got)
	}
}

func TestRunLeftRunningByACrashIsRecordedCancelled(t *testing.T) {
	dir := t.TempDir()
	started := t0
	crashed := Run{ID: "20260101T000001Z-h-a1", Schedule: "h", Status: StatusRunning, Tick: t0, StartedAt: started, Attempt: 1}
	if err := os.MkdirAll(filepath.Join(dir, crashed.ID), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(filepath.Join(dir, crashed.ID, recordFile), crashed); err != nil {
		t.Fatal(err)
	}
	// The index lists an earlier finished run but not the one that was going
	// when the process died (the index is written when runs end).
	end := t0.Add(-time.Minute)
	done := Run{ID: "20251231T235900Z-h-a1", Schedule: "h", Status: StatusSuccess, Tick: end, StartedAt: end, FinishedAt: &end, Attempt: 1}
	if err := writeJSON(filepath.Join(dir, indexFile), indexDoc{Version: 1, Runs: []Run{done}}); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Specs: []project.ScheduleSpec{{Name: "h", Cron: "@hourly"}}, HistoryDir: dir, Clock: newFakeClock(t0.Add(time.Hour)),
		Run: func(context.Context, RunRequest) (RunReport, error) { return RunReport{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	runs := s.Runs()
	if len(runs) != 2 || runs[1].ID != done.ID || runs[0].ID != crashed.ID || runs[0].Status != StatusCancelled || runs[0].FinishedAt == nil || !strings.Contains(runs[0].Message, "stopped before the run finished") {
		t.Errorf("runs = %+v", runs)
	}
	if _, err := os.Stat(filepath.Join(dir, indexFile)); err != nil {
		t.Errorf("index not written: %v", err)
	}
}

func TestSchedulersSharingALockerRunEachTickOnce(t *testing.T) {
	clock := newFakeClock(t0)
	locker := &MemLocker{}
	var c calls
	run := func(ctx context.Context, req RunRequest) (RunReport, error) {
		c.add(req)
		return ok("m"), nil
	}
	specs := []project.ScheduleSpec{{Name: "x", Cron: "@every 1s"}}
	a := start(t, Options{Specs: specs, Clock: clock, Locker: locker, Run: run})
	b := start(t, Options{Specs: specs, Clock: clock, Locker: locker, Run: run})
	for i := range 4 {
		waitFor(t, "both replicas to wait", func() bool { return clock.pending() == 2 })
		clock.Advance(time.Second)
		waitFor(t, "the tick's run", func() bool {
			return runsCounter(a.s, "x", StatusSuccess)+runsCounter(b.s, "x", StatusSuccess) == i+1 && a.idle() && b.idle()
		})
	}
	time.Sleep(20 * time.Millisecond) // a second run of a tick would show up by now
	seen := map[int]int{}
	for _, r := range c.list() {
		seen[r.Tick.Second()]++
	}
	if len(c.list()) != 4 || len(seen) != 4 {
		t.Errorf("ticks run: %v (want 1..4 once each)", seen)
	}
	if n := len(a.s.Runs()) + len(b.s.Runs()); n != 4 {
		t.Errorf("the two histories hold %d runs, want 4", n)
	}
}

func TestRunFuncPanicIsRecordedAndTheSchedulerCarriesOn(t *testing.T) {
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "p", Cron: "@every 1s"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			if c.add(req) == 1 {
				panic("nil map")
			}
			return ok("m"), nil
		},
	})
	h.advance(time.Second)
	h.waitRuns(1, StatusError)
	h.advance(time.Second)
	runs := h.waitRuns(1, StatusSuccess)
	if !strings.Contains(runs[0].Message, "panicked: nil map") {
		t.Errorf("runs = %+v", runs)
	}
}

func TestWallClockEveryOneSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("uses the wall clock")
	}
	var c calls
	h := start(t, Options{
		Clock: WallClock{},
		Specs: []project.ScheduleSpec{{Name: "s", Cron: "@every 1s"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			c.add(req)
			return ok("m"), nil
		},
	})
	h.waitRuns(2, StatusSuccess)
	for _, r := range c.list()[:2] {
		if r.Tick.Nanosecond() != 0 {
			t.Errorf("tick %s is not on a whole second", r.Tick)
		}
	}
	for _, r := range h.s.Runs() {
		if r.StartedAt.Before(r.Tick) {
			t.Errorf("run %s started at %s, before its tick %s", r.ID, r.StartedAt, r.Tick)
		}
	}
}

func TestNewRejectsInvalidSchedules(t *testing.T) {
	_, err := New(Options{
		Specs:      []project.ScheduleSpec{{Name: "x", Cron: "every day", Line: 7}},
		HistoryDir: t.TempDir(),
		Run:        func(context.Context, RunRequest) (RunReport, error) { return RunReport{}, nil },
	})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `project.yaml:7: schedule "x": invalid cron "every day"`) {
		t.Errorf("New = %v", err)
	}
}

var _ io.Writer = (*syncbuf.Buffer)(nil)

func runsCounter(s *Scheduler, schedule, status string) int {
	var m dto.Metric
	if err := s.metrics.runs.WithLabelValues(schedule, status).Write(&m); err != nil {
		panic(err)
	}
	return int(m.GetCounter().GetValue())
}

func TestCorruptIndexIsRebuiltFromRunFolders(t *testing.T) {
	dir := t.TempDir()
	end := t0
	r := Run{ID: "20260101T000000Z-h-a1", Schedule: "h", Status: StatusError, Tick: t0, StartedAt: t0, FinishedAt: &end, Attempt: 1, Message: "boom"}
	if err := os.MkdirAll(filepath.Join(dir, r.ID), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(filepath.Join(dir, r.ID, recordFile), r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, indexFile), []byte(`{"runs": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	s, err := New(Options{Specs: []project.ScheduleSpec{{Name: "h", Cron: "@hourly"}}, HistoryDir: dir,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Run:    func(context.Context, RunRequest) (RunReport, error) { return RunReport{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if runs := s.Runs(); len(runs) != 1 || runs[0].ID != r.ID || runs[0].Message != "boom" {
		t.Errorf("runs = %+v", runs)
	}
	if !strings.Contains(logs.String(), "unreadable") {
		t.Errorf("no warning about the index: %s", logs.String())
	}
}
