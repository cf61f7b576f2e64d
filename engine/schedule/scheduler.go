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
	Tick     time.Time // the tick that started the run (the request time for manual runs)
	Attempt  int       // from 1
	// Trigger is tick, catchup, manual or retry (a re-run of a run's failures).
	Trigger string
	Command string // build|run|test|seed|snapshot|freshness
	// Select is the schedule's selection on attempt 1 (or the one a manual
	// trigger asked for) and the names of the nodes that did not succeed on
	// later attempts and re-runs.
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
// warn, pass, skipped, cancelled. The timing fields draw the run's Gantt
// chart; CompiledCode is kept for nodes that did not succeed.
type NodeReport struct {
	UniqueID      string  `json:"unique_id"`
	Name          string  `json:"name"`
	ResourceType  string  `json:"resource_type,omitempty"`
	Status        string  `json:"status"`
	Message       string  `json:"message,omitempty"`
	ExecutionTime float64 `json:"execution_time"`
	// Thread is the worker that ran the node (dbt's thread_id).
	Thread     string     `json:"thread,omitempty"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// CompiledCode is the node's compiled SQL; the run function should set it
	// for failed nodes only, to keep run records small.
	CompiledCode string `json:"compiled_code,omitempty"`
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
	// Clock decides when ticks, deadlines and max_duration fire; nil means the
	// wall clock. Timeouts, retry delays and the shutdown grace always use
	// real time.
	Clock Clock
	// HistoryDir holds one folder per run plus index.json and state.json
	// (paused schedules) (e.g. target/runs).
	HistoryDir string
	// Locker decides which replica runs a tick; nil means an in-process MemLocker.
	Locker Locker
	// Threads is the thread budget shared by concurrent runs; 0 means
	// Settings.Threads, then 4.
	Threads int
	// Logger receives the scheduler's own events; nil discards them.
	Logger *slog.Logger
	// Getenv expands ${NAME} in notifier settings; nil means none are set.
	Getenv func(string) (string, bool)
	// WebhookClient posts webhooks and Slack messages; nil means a client
	// with WebhookTimeout.
	WebhookClient *http.Client
	// WebhookTimeout bounds one notification (webhook, Slack or e-mail); 0 means 10s.
	WebhookTimeout time.Duration
	// Grace is how long a running run may go on after Run's ctx is cancelled
	// before it is cancelled too; 0 means Settings.ShutdownGrace, then 30s.
	Grace time.Duration
	// Control guards the mutating HTTP endpoints (trigger, re-run, pause).
	Control Control
}

// Control says who may use the mutating endpoints. With a Token, requests
// must carry it (Authorization: Bearer …); without one they are allowed only
// when the server listens on a loopback address (Public false).
type Control struct {
	Token  string
	Public bool
}

// Triggers: why a run happened.
const (
	TriggerTick    = "tick"
	TriggerCatchup = "catchup"
	TriggerManual  = "manual"
	TriggerRetry   = "retry"
)

// Errors of the control methods, for callers (and HTTP status codes).
var (
	ErrUnknownSchedule = errors.New("no such schedule")
	ErrUnknownRun      = errors.New("no such run")
	ErrNothingToRerun  = errors.New("nothing to re-run")
	ErrStopping        = errors.New("the scheduler is shutting down")
)

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
	state   *stateFile
	metrics *metrics
	slots   *semaphore.Weighted
	threads int
	grace   time.Duration
	control Control
	baseURL string

	webhook        *http.Client
	webhookTimeout time.Duration

	// runCtx is the parent of every run; it outlives Run's ctx by the grace.
	runCtx   context.Context
	stopRuns context.CancelCauseFunc
	// stopping is closed when Run's ctx is done: no new ticks or retries.
	stopping chan struct{}
	bgMu     sync.Mutex // orders background starts against shutdown
	closed   bool
	wg       sync.WaitGroup
	started  atomic.Bool

	// watches are pending deadlines and max_duration limits; wake tells the
	// loop that one was added.
	watchMu sync.Mutex
	watches []*watch
	wake    chan struct{}

	reqMu       sync.Mutex
	lastRequest time.Time // the last manual request's time

	handlerOnce sync.Once
	handler     http.Handler
}

type entry struct {
	plan    Plan
	claimMu sync.Mutex // orders claims of one schedule's ticks

	mu      sync.Mutex
	running string // id of the current run; "" when idle
	// lastOutcome is the status of the schedule's last run of its whole
	// selection (success, error or cancelled), for recovery notices.
	lastOutcome string
	// late holds why a running run is late (deadline or max_duration), by id.
	late map[string]string
	// outbox holds notices in the order their runs ended; one goroutine at
	// a time (draining) delivers them, so a recovery never overtakes the
	// failure before it.
	outbox   []notice
	draining bool
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

func (e *entry) markLate(id, why string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.late == nil {
		e.late = map[string]string{}
	}
	if e.late[id] == "" {
		e.late[id] = why
	}
}

func (e *entry) takeLate(id string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	why := e.late[id]
	delete(e.late, id)
	return why
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
	plans, err := Check(opts.Specs, opts.Settings, opts.Getenv)
	if err != nil {
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
		control:        opts.Control,
		baseURL:        opts.Settings.URL,
		webhook:        opts.WebhookClient,
		webhookTimeout: opts.WebhookTimeout,
		stopping:       make(chan struct{}),
		wake:           make(chan struct{}, 1),
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
		s.grace, _ = parseDuration("shutdown_grace", opts.Settings.ShutdownGrace)
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
	if s.state, err = openState(opts.HistoryDir); err != nil {
		return nil, err
	}
	for name, e := range s.entries {
		for _, r := range hist.list(name, "", 0) {
			if r.full() && (r.Status == StatusSuccess || r.Status == StatusError || r.Status == StatusCancelled) {
				e.lastOutcome = r.Status
				break
			}
		}
	}
	s.metrics = newMetrics(s)
	s.runCtx, s.stopRuns = context.WithCancelCause(context.Background())
	return s, nil
}

// Plans returns the validated schedules.
func (s *Scheduler) Plans() []Plan { return slices.Clone(s.plans) }

// Runs returns the run history, newest first, without node results.
func (s *Scheduler) Runs() []Run { return s.hist.list("", "", 0) }

// Run fires schedules until ctx is cancelled. It first catches up ticks
// missed while no scheduler ran (per each schedule's catchup policy). When
// ctx is cancelled it stops taking ticks, lets running runs finish within the
// grace period, cancels what is still going, waits for those runs to be
// recorded and returns nil. It may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("schedule: Run called twice")
	}
	s.log.Info("scheduler started", "schedules", len(s.plans), "threads", s.threads)
	prev := s.clock.Now()
	s.catchUp(ctx, prev)
	for {
		wait := time.Minute // re-check at least this often: the wall clock may jump
		now := s.clock.Now()
		if next, ok := NextTick(s.plans, prev); ok {
			if d := next.Sub(now); d < wait {
				wait = max(d, 0)
			}
		}
		if at, ok := s.nextWatch(); ok {
			if d := at.Sub(now); d < wait {
				wait = max(d, 0)
			}
		}
		timer := s.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return s.shutdown()
		case <-s.wake:
			timer.Stop()
			continue
		case <-timer.C():
		}
		now = s.clock.Now()
		if now.Before(prev) {
			s.log.Warn("the clock went backwards; ticks are counted from the new time", "from", prev, "to", now)
			prev = now
			continue
		}
		s.fireWatches(now)
		for _, tick := range Due(s.plans, prev, now) {
			s.dispatch(ctx, tick)
		}
		prev = now
	}
}

func (s *Scheduler) shutdown() error {
	s.bgMu.Lock()
	s.closed = true
	close(s.stopping)
	s.bgMu.Unlock()
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

// background runs f in a goroutine that shutdown waits for; it reports false
// (and does not run f) once shutdown has begun.
func (s *Scheduler) background(f func()) bool {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// job is one request to run a schedule: a tick, a catch-up tick, a manual
// trigger or a re-run.
type job struct {
	trigger     string
	tick        time.Time
	sel         []string
	exclude     []string
	fullRefresh bool
	// custom marks a manual selection other than the schedule's: such a run
	// neither meets a deadline nor counts for recovery.
	custom  bool
	rerunOf string
}

func (s *Scheduler) tickJob(e *entry, trigger string, at time.Time) job {
	return job{trigger: trigger, tick: at, sel: []string(e.plan.Spec.Select), exclude: []string(e.plan.Spec.Exclude), fullRefresh: e.plan.Spec.FullRefresh}
}

func (s *Scheduler) dispatch(ctx context.Context, tick Tick) {
	e := s.entries[tick.Schedule]
	if s.state.paused(tick.Schedule) {
		s.log.Debug("tick not run: the schedule is paused", "schedule", tick.Schedule, "tick", tick.At)
		return
	}
	if tick.Missed > 0 {
		s.log.Warn("missed ticks (the process was suspended or the clock jumped); running the latest only", "schedule", tick.Schedule, "missed", tick.Missed, "tick", tick.At)
	}
	s.background(func() { s.handle(ctx, e, s.tickJob(e, TriggerTick, tick.At)) })
}

// claimResult is how a claim of a tick ended.
type claimResult int

const (
	claimed claimResult = iota
	claimLost
	claimBusy
	claimFailed
	claimStopping
)

// claim asks the locker for the tick and takes the schedule in this
// process. On claimed the caller owns the schedule (running = "pending")
// and must call release; on claimBusy cur names the run still going.
func (s *Scheduler) claim(ctx context.Context, e *entry, at time.Time) (release func(), res claimResult, cur string, err error) {
	e.claimMu.Lock()
	defer e.claimMu.Unlock()
	ok, release, err := s.locker.Claim(ctx, e.plan.Name(), at)
	switch {
	case errors.Is(err, ErrBusy):
		return nil, claimBusy, e.current(), nil
	case err != nil:
		return nil, claimFailed, "", err
	case !ok:
		return nil, claimLost, "", nil
	}
	if s.isStopping() {
		// Claimed just as shutdown began: stopping means taking no more ticks.
		release()
		return nil, claimStopping, "", nil
	}
	e.mu.Lock()
	cur = e.running
	if cur == "" {
		e.running = "pending"
	}
	e.mu.Unlock()
	if cur != "" {
		release()
		return nil, claimBusy, cur, nil
	}
	return release, claimed, "", nil
}

// handle claims a tick (retrying per the schedule when the claim itself
// fails, e.g. the database is down, and recording each failure as an error
// run) and runs it.
func (s *Scheduler) handle(ctx context.Context, e *entry, j job) {
	p := e.plan
	// The replica that runs a tick (or fails to claim it, or skips it for its
	// own previous run) watches its deadline; one that lost the claim does
	// not, since it will never see the run succeed.
	watched := false
	watchDeadline := func() {
		if d, ok := p.DeadlineFor(j.tick); ok && !watched && d.After(s.clock.Now()) {
			watched = true
			s.addWatch(&watch{kind: EventDeadline, schedule: p.Name(), at: d, since: j.tick})
		}
	}
	for attempt := 1; ; attempt++ {
		release, res, cur, err := s.claim(ctx, e, j.tick)
		switch res {
		case claimBusy:
			if cur != "" {
				watchDeadline()
			}
			s.recordSkipped(e, j, cur)
			return
		case claimLost:
			s.log.Debug("tick claimed by another replica", "schedule", p.Name(), "tick", j.tick)
			return
		case claimStopping:
			return
		case claimFailed:
			if ctx.Err() != nil {
				return
			}
			watchDeadline()
			run := s.recordClaimError(e, j, attempt, err)
			if attempt > p.Spec.Retries || s.isStopping() {
				s.conclude(e, j, run, RunReport{})
				s.drain(e)
				return
			}
			s.log.Info("could not claim the tick; retrying", "run", run.ID, "retry_in", p.RetryDelay, "retries_left", p.Spec.Retries-attempt+1)
			if !s.sleep(p.RetryDelay) {
				return
			}
			continue
		}
		watchDeadline()
		run, report := s.execute(e, j, attempt, nil)
		s.conclude(e, j, run, report)
		release()
		e.setRunning("")
		s.drain(e)
		return
	}
}

// conclude settles what a job's end decides, before the schedule is
// released so that jobs conclude in the order they ran: the deadlines it
// meets and the notices it calls for (queued; drain sends them): failure
// after the last attempt; recovery when a run of the schedule's whole
// selection succeeds after one that did not.
func (s *Scheduler) conclude(e *entry, j job, run Run, rep RunReport) {
	if run.ID == "" {
		return
	}
	var failed []NodeReport
	for _, n := range rep.Nodes {
		if n.failed() {
			failed = append(failed, n)
		}
	}
	full := !j.custom
	e.mu.Lock()
	prev := e.lastOutcome
	if full && run.Status != StatusSkipped {
		e.lastOutcome = run.Status
	}
	e.mu.Unlock()
	switch run.Status {
	case StatusError, StatusCancelled:
		s.enqueue(e, notice{event: EventFailure, run: run, failed: failed})
	case StatusSuccess:
		if full {
			s.settleDeadlines(e, run)
			if prev == StatusError || prev == StatusCancelled {
				s.enqueue(e, notice{event: EventRecovery, run: run})
			}
		}
	}
}

func (s *Scheduler) recordSkipped(e *entry, j job, current string) {
	now := s.clock.Now().UTC()
	msg := "the previous run of this schedule is still going"
	if current != "" && current != "pending" {
		msg = fmt.Sprintf("the previous run %s is still going", current)
	} else if current == "" {
		msg = "the previous run of this schedule is still going on another replica"
	}
	r := Run{
		ID: runID(e.plan.Name(), j.tick, j.trigger, 0), Schedule: e.plan.Name(), Status: StatusSkipped, Trigger: j.trigger,
		Tick: j.tick.UTC(), StartedAt: now, FinishedAt: &now, Command: e.plan.Command, Message: msg,
	}
	s.metrics.observe(r) // before the history shows it, as for every run
	r, _, err := s.hist.start(r)
	if err == nil {
		err = s.hist.finish(r)
	}
	if err != nil {
		s.log.Error("could not record skipped run", "schedule", e.plan.Name(), "error", err)
	}
	s.log.Warn("tick skipped", "schedule", e.plan.Name(), "tick", j.tick, "reason", msg)
}

// recordClaimError records a tick that could not be claimed (the locker's
// database is down) as an error run with the reason.
func (s *Scheduler) recordClaimError(e *entry, j job, attempt int, cause error) Run {
	now := s.clock.Now().UTC()
	r := Run{
		ID: runID(e.plan.Name(), j.tick, j.trigger, attempt), Schedule: e.plan.Name(), Status: StatusError, Trigger: j.trigger,
		Tick: j.tick.UTC(), StartedAt: now, FinishedAt: &now, Attempt: attempt, Command: e.plan.Command,
		Select: j.sel, Exclude: j.exclude, FullRefresh: j.fullRefresh, Custom: j.custom,
		Message: fmt.Sprintf("could not claim the tick, so it did not run (is the database reachable?): %v", cause),
	}
	// Counted before the history shows it, so whoever sees the run also
	// sees it in /metrics.
	s.metrics.observe(r)
	r, dir, err := s.hist.start(r)
	if err == nil {
		_ = os.WriteFile(filepath.Join(dir, logFile), []byte(fmt.Sprintf("%s %s\n", now.Format(time.RFC3339), r.Message)), 0o644)
		err = s.hist.finish(r)
	}
	if err != nil {
		s.log.Error("could not record the failed claim", "schedule", e.plan.Name(), "error", err)
	}
	s.log.Error("could not claim tick; recorded it as an error run", "run", r.ID, "schedule", e.plan.Name(), "tick", j.tick, "error", cause)
	return r
}

// execute runs the attempts of one job from attempt first: the first with
// the job's selection, retries with only the nodes that did not succeed.
// started, when not nil, receives the first attempt's run id. It returns the
// last attempt.
func (s *Scheduler) execute(e *entry, j job, first int, started chan<- string) (Run, RunReport) {
	p := e.plan
	sel := j.sel
	for attempt := first; ; attempt++ {
		run, report := s.attempt(e, j, attempt, sel, started)
		started = nil
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

// retryNames lists the nodes a retry should re-run. Run hooks (resource
// type operation) are left out: they run again with any command.
func retryNames(nodes []NodeReport) []string {
	var out []string
	for _, n := range nodes {
		if !n.failed() || n.ResourceType == "operation" {
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

func (s *Scheduler) attempt(e *entry, j job, attempt int, sel []string, started chan<- string) (Run, RunReport) {
	p := e.plan
	run := Run{
		ID: runID(p.Name(), j.tick, j.trigger, attempt), Schedule: p.Name(), Status: StatusRunning, Trigger: j.trigger,
		Tick: j.tick.UTC(), StartedAt: s.clock.Now().UTC(), Attempt: attempt,
		Command: p.Command, Select: sel, Exclude: j.exclude, FullRefresh: j.fullRefresh, Custom: j.custom, RerunOf: j.rerunOf,
	}
	run, dir, err := s.hist.start(run)
	if started != nil {
		started <- run.ID
	}
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
	if p.MaxDuration > 0 {
		s.addWatch(&watch{kind: "max_duration", schedule: p.Name(), at: run.StartedAt.Add(p.MaxDuration), runID: run.ID})
		defer s.dropWatch(run.ID)
	}

	logf, err := os.Create(filepath.Join(dir, logFile))
	var out io.Writer = io.Discard
	if err != nil {
		s.log.Error("could not create run log", "run", run.ID, "error", err)
	} else {
		defer logf.Close()
		out = logf
	}
	lw := &lockedWriter{w: out}
	fmt.Fprintf(lw, "%s strata %s: run %s of schedule %s (%s, attempt %d, tick %s)%s%s\n",
		run.StartedAt.Format(time.RFC3339), p.Command, run.ID, p.Name(), triggerName(j.trigger), attempt,
		j.tick.UTC().Format(time.RFC3339), selectionText(sel, j.exclude), map[bool]string{true: " --full-refresh"}[j.fullRefresh])
	s.log.Info("run started", "run", run.ID, "schedule", p.Name(), "trigger", triggerName(j.trigger), "attempt", attempt)

	ctx, cancel := s.runCtx, context.CancelFunc(func() {})
	if p.Timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, p.Timeout, fmt.Errorf("timed out after %s", p.Timeout))
	}
	req := RunRequest{
		RunID: run.ID, Schedule: p.Name(), Tick: j.tick, Attempt: attempt, Trigger: triggerName(j.trigger), Command: p.Command,
		Select: slices.Clone(sel), Exclude: slices.Clone(j.exclude), FullRefresh: j.fullRefresh,
		Vars: maps.Clone(p.Spec.Vars), Dir: dir, Log: lw, Slots: s.slots,
	}
	report, runErr := s.call(ctx, req)
	status, msg := outcome(ctx, report, runErr)
	cancel()

	end := s.clock.Now().UTC()
	run.Status, run.FinishedAt, run.Message, run.Nodes = status, &end, msg, report.Nodes
	run.NodeCounts = countNodes(report.Nodes)
	run.Late = e.takeLate(run.ID)
	fmt.Fprintf(lw, "%s run %s finished: %s%s\n", end.Format(time.RFC3339), run.ID, status, prefixed(": ", msg))
	s.metrics.observe(run) // before the history shows it finished
	if err := s.hist.finish(run); err != nil {
		s.log.Error("could not record run", "run", run.ID, "error", err)
	}
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
