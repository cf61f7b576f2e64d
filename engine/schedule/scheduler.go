package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/strata-dev/strata/engine/project"
)

// RunFunc runs one attempt of a scheduled command. It should load the project
// afresh (so merged changes are picked up without a restart), run req.Command
// with req.Select/Exclude, acquire one unit of req.Slots per running node,
// write run_results.json into req.Dir and its log lines to req.Log, and stop
// promptly, cancelling in-flight queries, when ctx is done.
//
// A returned error (the project no longer compiles, the database is down)
// records the attempt as error with the error's text; the scheduler carries on.
type RunFunc func(ctx context.Context, req RunRequest) (RunReport, error)

// RunRequest is what one attempt should do.
type RunRequest struct {
	RunID    string
	Schedule string
	Tick     time.Time // the tick that started the run
	Attempt  int       // from 1
	Command  string    // build|run|test|seed|snapshot|freshness
	// Select is the schedule's selection on attempt 1 and the names of the
	// nodes that did not succeed on later attempts.
	Select      []string
	Exclude     []string
	FullRefresh bool
	Vars        map[string]any
	Dir         string    // this run's history folder; write run_results.json here
	Log         io.Writer // this run's log file; safe for concurrent writes
	// Slots is the thread budget shared by every concurrent run.
	Slots *semaphore.Weighted
}

// RunReport is the outcome of one attempt.
type RunReport struct {
	// Status is success, error or cancelled; empty means "work it out from Nodes".
	Status string
	Nodes  []NodeReport
}

// NodeReport is one node's result, with dbt's statuses: success, error, fail,
// warn, pass, skipped, cancelled.
type NodeReport struct {
	UniqueID      string  `json:"unique_id"`
	Name          string  `json:"name"`
	Status        string  `json:"status"`
	Message       string  `json:"message,omitempty"`
	ExecutionTime float64 `json:"execution_time"`
}

// failed reports whether a node should be re-run by a retry.
func (n NodeReport) failed() bool {
	switch n.Status {
	case "error", "fail", "skipped", "cancelled", "runtime error":
		return true
	}
	return false
}

// Options configure a Scheduler. Only Run and HistoryDir are required.
type Options struct {
	Specs    []project.ScheduleSpec
	Settings project.SchedulerSettings
	Run      RunFunc
	// Clock decides when ticks fire; nil means the wall clock. Timeouts, retry
	// delays and the shutdown grace always use real time.
	Clock Clock
	// HistoryDir holds one folder per run plus index.json (e.g. target/runs).
	HistoryDir string
	// Locker decides which replica runs a tick; nil means an in-process MemLocker.
	Locker Locker
	// Threads is the thread budget shared by concurrent runs; 0 means
	// Settings.Threads, then 4.
	Threads int
	// Logger receives the scheduler's own events; nil discards them.
	Logger *slog.Logger
	// WebhookClient posts failure webhooks; nil means a client with WebhookTimeout.
	WebhookClient *http.Client
	// WebhookTimeout bounds one webhook delivery; 0 means 10s.
	WebhookTimeout time.Duration
	// Grace is how long a running run may go on after Run's ctx is cancelled
	// before it is cancelled too; 0 means 30s.
	Grace time.Duration
}

// errShutdown is the cancellation cause of runs cut short by shutdown.
var errShutdown = errors.New("cancelled: the scheduler is shutting down")

// Scheduler runs schedules. Build it with New, then call Run once.
type Scheduler struct {
	plans   []Plan
	entries map[string]*entry
	run     RunFunc
	clock   Clock
	locker  Locker
	log     *slog.Logger
	hist    *history
	metrics *metrics
	slots   *semaphore.Weighted
	threads int
	grace   time.Duration

	webhook        *http.Client
	webhookTimeout time.Duration
	defaultHook    string

	// runCtx is the parent of every run; it outlives Run's ctx by the grace.
	runCtx   context.Context
	stopRuns context.CancelCauseFunc
	// stopping is closed when Run's ctx is done: no new ticks or retries.
	stopping chan struct{}
	wg       sync.WaitGroup
	started  atomic.Bool

	handlerOnce sync.Once
	handler     http.Handler
}

type entry struct {
	plan    Plan
	claimMu sync.Mutex // orders claims of one schedule's ticks

	mu      sync.Mutex
	running string // id of the current run; "" when idle
}

func (e *entry) current() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

func (e *entry) setRunning(id string) {
	e.mu.Lock()
	e.running = id
	e.mu.Unlock()
}

// New validates the schedules and settings, opens the run history and returns
// a scheduler ready to Run. Invalid schedules give an error matching ErrInvalid.
func New(opts Options) (*Scheduler, error) {
	if opts.Run == nil {
		return nil, errors.New("schedule: no run function")
	}
	if opts.HistoryDir == "" {
		return nil, errors.New("schedule: no history folder")
	}
	plans, err := Compile(opts.Specs)
	if err != nil {
		return nil, err
	}
	if err := ValidateSettings(opts.Settings); err != nil {
		return nil, err
	}
	s := &Scheduler{
		plans:          plans,
		entries:        make(map[string]*entry, len(plans)),
		run:            opts.Run,
		clock:          opts.Clock,
		locker:         opts.Locker,
		log:            opts.Logger,
		threads:        opts.Threads,
		grace:          opts.Grace,
		webhook:        opts.WebhookClient,
		webhookTimeout: opts.WebhookTimeout,
		defaultHook:    opts.Settings.OnFailureWebhook,
		stopping:       make(chan struct{}),
	}
	if s.clock == nil {
		s.clock = WallClock{}
	}
	if s.locker == nil {
		s.locker = &MemLocker{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.threads <= 0 {
		s.threads = opts.Settings.Threads
	}
	if s.threads <= 0 {
		s.threads = 4
	}
	if s.grace <= 0 {
		s.grace = 30 * time.Second
	}
	if s.webhookTimeout <= 0 {
		s.webhookTimeout = 10 * time.Second
	}
	if s.webhook == nil {
		s.webhook = &http.Client{Timeout: s.webhookTimeout}
	}
	s.slots = semaphore.NewWeighted(int64(s.threads))
	for _, p := range plans {
		s.entries[p.Name()] = &entry{plan: p}
	}
	hist, notes, err := openHistory(opts.HistoryDir, opts.Settings.HistoryRetention, s.clock.Now())
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		s.log.Warn(n)
	}
	s.hist = hist
	s.metrics = newMetrics(s)
	s.runCtx, s.stopRuns = context.WithCancelCause(context.Background())
	return s, nil
}

// Plans returns the validated schedules.
func (s *Scheduler) Plans() []Plan { return slices.Clone(s.plans) }

// Runs returns the run history, newest first, without node results.
func (s *Scheduler) Runs() []Run { return s.hist.list("", "", 0) }

// Run fires schedules until ctx is cancelled. Then it stops taking ticks, lets
// running runs finish within the grace period, cancels what is still going,
// waits for those runs to be recorded and returns nil. It may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("schedule: Run called twice")
	}
	s.log.Info("scheduler started", "schedules", len(s.plans), "threads", s.threads)
	prev := s.clock.Now()
	for {
		wait := time.Minute // re-check at least this often: the wall clock may jump
		if next, ok := NextTick(s.plans, prev); ok {
			if d := next.Sub(s.clock.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		timer := s.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return s.shutdown()
		case <-timer.C():
		}
		now := s.clock.Now()
		if now.Before(prev) {
			s.log.Warn("the clock went backwards; ticks are counted from the new time", "from", prev, "to", now)
			prev = now
			continue
		}
		for _, tick := range Due(s.plans, prev, now) {
			s.dispatch(ctx, tick)
		}
		prev = now
	}
}

func (s *Scheduler) shutdown() error {
	close(s.stopping)
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	running := 0
	for _, e := range s.entries {
		if e.current() != "" {
			running++
		}
	}
	s.log.Info("scheduler stopping", "running_runs", running, "grace", s.grace)
	grace := time.NewTimer(s.grace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		s.log.Warn("grace period over; cancelling running runs")
		s.stopRuns(errShutdown)
		<-done
	}
	s.stopRuns(errShutdown)
	s.log.Info("scheduler stopped")
	return nil
}

func (s *Scheduler) dispatch(ctx context.Context, tick Tick) {
	e := s.entries[tick.Schedule]
	if tick.Missed > 0 {
		s.log.Warn("missed ticks (the process was suspended or the clock jumped); running the latest only", "schedule", tick.Schedule, "missed", tick.Missed, "tick", tick.At)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.handle(ctx, e, tick)
	}()
}

func (s *Scheduler) handle(ctx context.Context, e *entry, tick Tick) {
	e.claimMu.Lock()
	ok, release, err := s.locker.Claim(ctx, tick.Schedule, tick.At)
	switch {
	case errors.Is(err, ErrBusy):
		e.claimMu.Unlock()
		s.recordSkipped(e, tick, e.current())
		return
	case err != nil:
		e.claimMu.Unlock()
		if ctx.Err() == nil {
			s.log.Error("could not claim tick; not running it", "schedule", tick.Schedule, "tick", tick.At, "error", err)
		}
		return
	case !ok:
		e.claimMu.Unlock()
		s.log.Debug("tick claimed by another replica", "schedule", tick.Schedule, "tick", tick.At)
		return
	}
	if s.isStopping() {
		// Claimed just as shutdown began: stopping means taking no more ticks.
		e.claimMu.Unlock()
		release()
		return
	}
	e.mu.Lock()
	cur := e.running
	if cur == "" {
		e.running = "pending"
	}
	e.mu.Unlock()
	e.claimMu.Unlock()
	if cur != "" {
		release()
		s.recordSkipped(e, tick, cur)
		return
	}
	run, report := s.execute(e, tick)
	// The schedule is free as soon as its last attempt is recorded; the
	// webhook is not part of the run.
	release()
	e.setRunning("")
	if run.Status == StatusError || run.Status == StatusCancelled {
		s.postWebhook(e, run, report)
	}
}

func (s *Scheduler) recordSkipped(e *entry, tick Tick, current string) {
	now := s.clock.Now().UTC()
	msg := "the previous run of this schedule is still going"
	if current != "" && current != "pending" {
		msg = fmt.Sprintf("the previous run %s is still going", current)
	} else if current == "" {
		msg = "the previous run of this schedule is still going on another replica"
	}
	r := Run{
		ID: runID(tick.Schedule, tick.At, 0), Schedule: tick.Schedule, Status: StatusSkipped,
		Tick: tick.At.UTC(), StartedAt: now, FinishedAt: &now, Command: e.plan.Command, Message: msg,
	}
	r, _, err := s.hist.start(r)
	if err == nil {
		err = s.hist.finish(r)
	}
	if err != nil {
		s.log.Error("could not record skipped run", "schedule", tick.Schedule, "error", err)
	}
	s.metrics.observe(r)
	s.log.Warn("tick skipped", "schedule", tick.Schedule, "tick", tick.At, "reason", msg)
}

// execute runs the attempts of one tick: the first with the schedule's
// selection, retries with only the nodes that did not succeed.
// It returns the last attempt.
func (s *Scheduler) execute(e *entry, tick Tick) (Run, RunReport) {
	p := e.plan
	sel := []string(p.Spec.Select)
	for attempt := 1; ; attempt++ {
		run, report := s.attempt(e, tick, attempt, sel)
		if run.Status != StatusError || attempt > p.Spec.Retries || s.isStopping() {
			return run, report
		}
		s.log.Info("run failed; retrying", "run", run.ID, "retry_in", p.RetryDelay, "retries_left", p.Spec.Retries-attempt+1)
		if !s.sleep(p.RetryDelay) {
			return run, report
		}
		if names := retryNames(report.Nodes); len(names) > 0 {
			sel = names
		}
	}
}

// retryNames lists the nodes a retry should re-run.
func retryNames(nodes []NodeReport) []string {
	var out []string
	for _, n := range nodes {
		if !n.failed() {
			continue
		}
		name := n.Name
		if name == "" {
			name = n.UniqueID
		}
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func (s *Scheduler) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// sleep waits d unless the scheduler starts stopping; it reports whether the
// whole wait passed.
func (s *Scheduler) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.stopping:
		return false
	}
}

func (s *Scheduler) attempt(e *entry, tick Tick, attempt int, sel []string) (Run, RunReport) {
	p := e.plan
	run := Run{
		ID: runID(p.Name(), tick.At, attempt), Schedule: p.Name(), Status: StatusRunning,
		Tick: tick.At.UTC(), StartedAt: s.clock.Now().UTC(), Attempt: attempt,
		Command: p.Command, Select: sel,
	}
	run, dir, err := s.hist.start(run)
	if err != nil {
		s.log.Error("could not start run history", "run", run.ID, "error", err)
		if dir == "" {
			now := s.clock.Now().UTC()
			run.Status, run.FinishedAt, run.Message = StatusError, &now, fmt.Sprintf("cannot write run history: %v", err)
			s.metrics.observe(run)
			return run, RunReport{}
		}
	}
	e.setRunning(run.ID)
	s.metrics.running.WithLabelValues(p.Name()).Inc()
	defer s.metrics.running.WithLabelValues(p.Name()).Dec()

	logf, err := os.Create(filepath.Join(dir, logFile))
	var out io.Writer = io.Discard
	if err != nil {
		s.log.Error("could not create run log", "run", run.ID, "error", err)
	} else {
		defer logf.Close()
		out = logf
	}
	lw := &lockedWriter{w: out}
	fmt.Fprintf(lw, "%s strata %s: run %s of schedule %s (attempt %d, tick %s)%s\n",
		run.StartedAt.Format(time.RFC3339), p.Command, run.ID, p.Name(), attempt,
		tick.At.UTC().Format(time.RFC3339), selectionText(sel, p.Spec.Exclude))
	s.log.Info("run started", "run", run.ID, "schedule", p.Name(), "attempt", attempt)

	ctx, cancel := s.runCtx, context.CancelFunc(func() {})
	if p.Timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, p.Timeout, fmt.Errorf("timed out after %s", p.Timeout))
	}
	req := RunRequest{
		RunID: run.ID, Schedule: p.Name(), Tick: tick.At, Attempt: attempt, Command: p.Command,
		Select: slices.Clone(sel), Exclude: slices.Clone(p.Spec.Exclude), FullRefresh: p.Spec.FullRefresh,
		Vars: maps.Clone(p.Spec.Vars), Dir: dir, Log: lw, Slots: s.slots,
	}
	report, runErr := s.call(ctx, req)
	status, msg := outcome(ctx, report, runErr)
	cancel()

	end := s.clock.Now().UTC()
	run.Status, run.FinishedAt, run.Message, run.Nodes = status, &end, msg, report.Nodes
	run.NodeCounts = countNodes(report.Nodes)
	fmt.Fprintf(lw, "%s run %s finished: %s%s\n", end.Format(time.RFC3339), run.ID, status, prefixed(": ", msg))
	if err := s.hist.finish(run); err != nil {
		s.log.Error("could not record run", "run", run.ID, "error", err)
	}
	s.metrics.observe(run)
	level := slog.LevelInfo
	if status != StatusSuccess {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "run finished", "run", run.ID, "schedule", p.Name(), "status", status, "message", msg, "duration", run.Duration())
	return run, report
}

// call runs the RunFunc, turning a panic into an error so one broken run does
// not take the scheduler down.
func (s *Scheduler) call(ctx context.Context, req RunRequest) (rep RunReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("run function panicked", "run", req.RunID, "panic", r, "stack", string(debug.Stack()))
			rep, err = RunReport{}, fmt.Errorf("run function panicked: %v", r)
		}
	}()
	return s.run(ctx, req)
}

// outcome decides a run's status and message from what the RunFunc returned
// and whether its context was cancelled (timeout or shutdown).
func outcome(ctx context.Context, rep RunReport, err error) (string, string) {
	cause := func() string {
		if c := context.Cause(ctx); c != nil {
			return c.Error()
		}
		return "cancelled"
	}
	if err != nil {
		if ctx.Err() != nil {
			return StatusCancelled, fmt.Sprintf("%s: %v", cause(), err)
		}
		return StatusError, err.Error()
	}
	status := rep.Status
	if status == "" {
		status = StatusSuccess
		for _, n := range rep.Nodes {
			if n.Status == "cancelled" {
				status = StatusCancelled
			}
		}
		for _, n := range rep.Nodes {
			if n.Status == "error" || n.Status == "fail" || n.Status == "runtime error" {
				status = StatusError
			}
		}
	}
	switch status {
	case StatusSuccess:
		return StatusSuccess, ""
	case StatusError:
		if ctx.Err() != nil {
			return StatusCancelled, cause()
		}
		return StatusError, failureSummary(rep.Nodes)
	case StatusCancelled:
		if ctx.Err() != nil {
			return StatusCancelled, cause()
		}
		return StatusCancelled, "the run function reported the run as cancelled"
	default:
		return StatusError, fmt.Sprintf("the run function reported an unknown status %q", status)
	}
}

func failureSummary(nodes []NodeReport) string {
	var bad []string
	for _, n := range nodes {
		if n.Status == "error" || n.Status == "fail" || n.Status == "runtime error" {
			bad = append(bad, n.Name)
		}
	}
	switch {
	case len(bad) == 0:
		return "the run failed"
	case len(bad) > 5:
		return fmt.Sprintf("%d nodes failed: %s, …", len(bad), strings.Join(bad[:5], ", "))
	default:
		return fmt.Sprintf("%d node(s) failed: %s", len(bad), strings.Join(bad, ", "))
	}
}

func countNodes(nodes []NodeReport) map[string]int {
	if len(nodes) == 0 {
		return nil
	}
	m := map[string]int{}
	for _, n := range nodes {
		m[n.Status]++
	}
	return m
}

func selectionText(sel, exclude []string) string {
	var b strings.Builder
	if len(sel) > 0 {
		b.WriteString(" --select " + strings.Join(sel, " "))
	}
	if len(exclude) > 0 {
		b.WriteString(" --exclude " + strings.Join(exclude, " "))
	}
	return b.String()
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// lockedWriter lets the run function write its log from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
