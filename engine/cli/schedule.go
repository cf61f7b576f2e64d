package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/memtrim"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/schedule"
	"github.com/strata-dev/strata/engine/view"
)

// defaultScheduleAddr is where `strata schedule` listens and where its
// control subcommands look for it.
const defaultScheduleAddr = "127.0.0.1:8580"

// tokenEnv holds the token that guards the scheduler's control endpoints.
const tokenEnv = "STRATA_SCHEDULER_TOKEN"

// scheduleFlags are `strata schedule`'s flags: the server's, and those of
// its control subcommands (trigger, pause, resume, rerun).
func scheduleFlags() []flagDef {
	return defs(projectFlags, []flagDef{
		{names: []string{"addr"}, kind: stringFlag, help: "HTTP address to serve on, or (subcommands) of the running scheduler (default 127.0.0.1:8580, or STRATA_SCHEDULER_ADDR)"},
		{names: []string{"threads"}, kind: intFlag, help: "thread budget shared by concurrent runs"},
		{names: []string{"select", "s"}, kind: listFlag, help: "trigger: run these nodes instead of the schedule's selection"},
		{names: []string{"exclude"}, kind: listFlag, help: "trigger: leave these nodes out"},
		{names: []string{"full-refresh", "f"}, kind: boolFlag, help: "trigger: rebuild incremental models and seeds from scratch"},
		{names: []string{"wait"}, kind: boolFlag, help: "trigger, rerun: wait for the run to end; exit 0 if it succeeded, else 1"},
	})
}

// runSchedule is `strata schedule`: validate the schedules, serve HTTP, and run
// each tick through the same engine calls as the commands, loading the project
// afresh every time. It returns when ctx is cancelled (SIGTERM/SIGINT), after the
// scheduler has let running runs finish or cancelled them. With a subcommand
// (trigger, pause, resume, rerun) it talks to a running scheduler instead.
func runSchedule(ctx context.Context, c *invocation) error {
	if len(c.extra) > 0 {
		return runScheduleClient(ctx, c)
	}
	for _, f := range []string{"select", "exclude", "full-refresh", "wait"} {
		if c.f.set[f] {
			return diag.Invalid("bad flag", "--%s is for `strata schedule trigger NAME` (and rerun); the scheduler itself runs each schedule's own selection", f)
		}
	}
	p, err := c.open()
	if err != nil {
		return err
	}
	cfg := p.Files.Config
	if len(cfg.Schedules) == 0 {
		return diag.Invalid("no schedules", "%s declares no `schedules:`; add e.g. `schedules: [{name: nightly, cron: \"0 2 * * *\", command: build}]`", p.Files.ConfigFile)
	}
	if _, err := schedule.Check(cfg.Schedules, cfg.Scheduler, c.env.Getenv); err != nil {
		return diag.Invalid("invalid schedules", "%v", err)
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	// The scheduler's own log follows --log-format and --log-level, on stderr.
	logger := slog.New(view.SlogHandler(c.schedulerPrinter()))
	addr := c.f.str("addr")
	if addr == "" {
		addr, _ = c.env.Getenv("STRATA_SCHEDULER_ADDR")
	}
	if addr == "" {
		addr = defaultScheduleAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return diag.Invalid("cannot listen", "--addr %s: %v; choose a free address", addr, err)
	}
	defer ln.Close()
	locker, closeLocker, err := schedulerLocker(ctx, p)
	if err != nil {
		return err
	}
	defer closeLocker()
	token, _ := c.env.Getenv(tokenEnv)
	control := schedule.Control{Token: strings.TrimSpace(token), Public: !loopbackListener(ln.Addr())}
	s, err := schedule.New(schedule.Options{
		Specs:      cfg.Schedules,
		Settings:   cfg.Scheduler,
		Run:        scheduledRun(opts),
		HistoryDir: filepath.Join(p.TargetDir, "runs"),
		Locker:     locker,
		Threads:    c.f.num("threads"),
		Logger:     logger,
		Getenv:     c.env.Getenv,
		Control:    control,
	})
	if err != nil {
		if errors.Is(err, schedule.ErrInvalid) {
			return diag.Invalid("invalid schedules", "%v", err)
		}
		return diag.Invalid("cannot start the scheduler", "%v", err)
	}
	if control.Public && control.Token == "" {
		logger.Warn("control endpoints are off: the address is not loopback and " + tokenEnv + " is not set")
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	logger.Info("strata schedule started", "addr", ln.Addr().String(), "schedules", len(cfg.Schedules), "target", engine.Describe(p.Target), "control", controlMode(control))
	go trimWhenIdle(ctx, s)
	runErr := s.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	logger.Info("strata schedule stopped")
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

// schedulerPrinter is the console for the scheduler's own log: the
// command's settings, every line on stderr (stdout stays free), the same
// log file.
func (c *invocation) schedulerPrinter() *view.Printer {
	p, err := newPrinter(Env{Stdout: c.env.Stderr, Stderr: c.env.Stderr}, c.cmd, c.f, c.id)
	if err != nil {
		return c.out
	}
	if c.log != nil {
		level, _ := view.ParseLevel(c.f.str("log-level-file"))
		if c.f.str("log-level-file") == "" {
			level = view.LevelDebug
		}
		p.SetLogFile(c.log, level, c.logFormat())
	}
	return p
}

func controlMode(c schedule.Control) string {
	switch {
	case c.Token != "":
		return "token"
	case c.Public:
		return "off"
	}
	return "loopback"
}

// loopbackListener reports whether the listener only accepts local
// connections (0.0.0.0 and :: do not).
func loopbackListener(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return false
}

// trimWhenIdle gives memory back while no run is going: the heap's free pages
// and the executable's clean pages that start-up and the last run touched. It
// trims once after start and again once the newest run (listed first) has
// changed and nothing is running.
func trimWhenIdle(ctx context.Context, s *schedule.Scheduler) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	last := "never"
	for {
		runs := s.Runs()
		newest := ""
		if len(runs) > 0 {
			newest = runs[0].ID + " " + runs[0].Status
		}
		running := slices.ContainsFunc(runs, func(r schedule.Run) bool { return r.Status == "running" })
		if !running && newest != last {
			memtrim.Trim()
			last = newest
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// scheduledRun returns the function the scheduler calls for each attempt: load
// the project afresh, compile, select, execute, write run_results.json into the
// run's folder, and report per-node outcomes.
func scheduledRun(base engine.Options) schedule.RunFunc {
	return func(ctx context.Context, req schedule.RunRequest) (schedule.RunReport, error) {
		o := base
		o.Vars = mergeMaps(base.Vars, req.Vars)
		out := view.New(req.Log, req.Log, view.Text, false)
		defer out.Flush() // node lines still queued belong in this run's log
		p, err := engine.Open(o)
		if err != nil {
			var dl *diag.ErrorList
			if errors.As(err, &dl) {
				out.Diagnostics(dl.Diags)
			}
			return schedule.RunReport{}, err
		}
		out.TargetDir, out.ProjectDir = p.TargetDir, p.Opts.ProjectDir
		common := engine.Common{Observer: out, FullRefresh: req.FullRefresh,
			Args: map[string]any{"schedule": req.Schedule, "run_id": req.RunID, "trigger": req.Trigger}}
		sel := engine.Selection{Select: req.Select, Exclude: req.Exclude}
		if req.Command == "freshness" {
			res, err := p.Freshness(ctx, engine.FreshnessOptions{Common: common, Selection: sel, OutputPath: filepath.Join(req.Dir, "sources.json")})
			if err != nil {
				return schedule.RunReport{}, report(out, err)
			}
			var rep schedule.RunReport
			for _, s := range res.Sources {
				rep.Nodes = append(rep.Nodes, schedule.NodeReport{UniqueID: s.UniqueID, Name: res.Results.NodeName(s.UniqueID), Status: s.Status, Message: s.Error, ExecutionTime: s.ExecutionTime})
			}
			return rep, nil
		}
		rr, err := p.Build(ctx, engine.RunOptions{Common: common, Selection: sel, Command: req.Command, Slots: req.Slots,
			ResultsPath: filepath.Join(req.Dir, "run_results.json")})
		if err != nil {
			return schedule.RunReport{}, report(out, err)
		}
		return runReport(ctx, rr), nil
	}
}

// report prints a run's setup error (positioned problems one per line) into
// its log and returns it.
func report(out *view.Printer, err error) error {
	var dl *diag.ErrorList
	if errors.As(err, &dl) {
		out.Diagnostics(dl.Diags)
	}
	return err
}

func runReport(ctx context.Context, rr *result.RunResults) schedule.RunReport {
	var rep schedule.RunReport
	for _, r := range rr.Results {
		rep.Nodes = append(rep.Nodes, nodeReport(r))
	}
	switch {
	case ctx.Err() != nil:
		rep.Status = "cancelled"
	case rr.Failed():
		rep.Status = "error"
	default:
		rep.Status = "success"
	}
	return rep
}

// nodeReport is what the scheduler keeps of a node's result: enough for the
// run page's Gantt chart (thread, start, end) and, for a node that did not
// succeed, its compiled SQL.
func nodeReport(r *result.NodeResult) schedule.NodeReport {
	n := schedule.NodeReport{UniqueID: r.UniqueID, Name: r.UniqueID, Status: string(r.Status), Message: r.Message, ExecutionTime: r.ExecutionTime, Thread: r.ThreadID}
	if r.Node != nil {
		n.Name, n.ResourceType = r.Node.Name, string(r.Node.ResourceType)
	} else if kind, _, ok := strings.Cut(r.UniqueID, "."); ok {
		n.ResourceType = kind
	}
	for _, t := range r.Timing {
		if !t.StartedAt.IsZero() && (n.StartedAt == nil || t.StartedAt.Before(*n.StartedAt)) {
			at := t.StartedAt.UTC()
			n.StartedAt = &at
		}
		if !t.CompletedAt.IsZero() && (n.FinishedAt == nil || t.CompletedAt.After(*n.FinishedAt)) {
			at := t.CompletedAt.UTC()
			n.FinishedAt = &at
		}
	}
	switch r.Status {
	case result.Error, result.Fail, result.RuntimeErr:
		n.CompiledCode = r.CompiledCode
		if n.CompiledCode == "" && len(r.Statements) > 0 {
			n.CompiledCode = strings.Join(r.Statements, ";\n\n")
		}
	}
	return n
}

func mergeMaps(a, b map[string]any) map[string]any {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// schedulerLocker picks how replicas agree on who runs a tick: the
// warehouse's tick lock when its driver has one (PostgreSQL's advisory locks),
// in-process otherwise (a DuckDB project runs as a single replica).
// A problem setting it up is a setup problem (exit 2): an unreachable
// database says so as every command does; anything else names the target.
func schedulerLocker(ctx context.Context, p *engine.Project) (schedule.Locker, func(), error) {
	if p.Driver.TickLock == nil {
		return nil, func() {}, nil
	}
	// An unreachable database says so as every command does (exit 2).
	conn, err := p.Connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	conn.Close()
	l, err := p.Driver.TickLock(ctx, p.Target)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, diag.Invalid("cannot set up the scheduler's lock", "%s: %v; the scheduler keeps its tick claims in schema %q of the target: check that the profile's user may create a schema and a table there", engine.Describe(p.Target), err, p.Target.Schema)
	}
	return tickLocker{l}, l.Close, nil
}

// tickLocker is a driver's tick lock as the scheduler's Locker: the
// warehouse's busy error is the scheduler's.
type tickLocker struct{ l adapter.TickLocker }

func (t tickLocker) Claim(ctx context.Context, name string, tick time.Time) (bool, func(), error) {
	ok, release, err := t.l.Claim(ctx, name, tick)
	if errors.Is(err, adapter.ErrTickBusy) {
		err = fmt.Errorf("%w: %w", schedule.ErrBusy, err)
	}
	return ok, release, err
}

// runScheduleClient is `strata schedule trigger NAME | pause NAME | resume
// NAME | rerun RUN_ID`: one request to a running scheduler at --addr (or
// STRATA_SCHEDULER_ADDR), with the token from STRATA_SCHEDULER_TOKEN.
// Exit codes: 0 done; 1 the scheduler refused (a run is going, nothing to
// re-run) or, with --wait, the run did not succeed; 2 a bad command line,
// an unknown name, a refused token or no scheduler answering.
func runScheduleClient(ctx context.Context, c *invocation) error {
	verb, args := c.extra[0], c.extra[1:]
	usage := map[string]string{"trigger": "NAME", "pause": "NAME", "resume": "NAME", "rerun": "RUN_ID"}
	what, ok := usage[verb]
	if !ok {
		return diag.Invalid("unknown subcommand", "strata schedule has no subcommand %q: run `strata schedule` to start the scheduler, or trigger NAME, pause NAME, resume NAME, rerun RUN_ID to control a running one", verb)
	}
	if len(args) != 1 {
		return diag.Invalid("bad arguments", "usage: strata schedule %s %s [--addr HOST:PORT]%s", verb, what, map[bool]string{true: " [-s SELECTOR...] [--exclude SELECTOR...] [--full-refresh] [--wait]"}[verb == "trigger"])
	}
	if verb != "trigger" {
		for _, f := range []string{"select", "exclude", "full-refresh"} {
			if c.f.set[f] {
				return diag.Invalid("bad flag", "--%s is for `strata schedule trigger`", f)
			}
		}
	}
	if c.f.set["wait"] && verb != "trigger" && verb != "rerun" {
		return diag.Invalid("bad flag", "--wait is for trigger and rerun")
	}
	cl, err := newScheduleClient(c)
	if err != nil {
		return err
	}
	name := args[0]
	switch verb {
	case "pause", "resume":
		var res struct {
			Paused  bool `json:"paused"`
			Changed bool `json:"changed"`
		}
		if err := cl.post(ctx, "/api/schedules/"+url.PathEscape(name)+"/"+verb, struct{}{}, &res); err != nil {
			return err
		}
		state := map[bool]string{true: "paused", false: "running on its schedule"}[res.Paused]
		if !res.Changed {
			c.out.Output(fmt.Sprintf("schedule %s was already %s\n", name, state))
		} else {
			c.out.Output(fmt.Sprintf("schedule %s is %s\n", name, state))
		}
		return nil
	}
	var body any = struct{}{}
	path := "/api/runs/" + url.PathEscape(name) + "/rerun"
	if verb == "trigger" {
		path = "/api/schedules/" + url.PathEscape(name) + "/trigger"
		body = schedule.TriggerOptions{Select: c.f.list("select"), Exclude: c.f.list("exclude"), FullRefresh: c.f.on("full-refresh")}
	}
	var res struct {
		RunID string `json:"run_id"`
		URL   string `json:"url"`
	}
	if err := cl.post(ctx, path, body, &res); err != nil {
		return err
	}
	c.out.Output(fmt.Sprintf("started run %s (%s%s)\n", res.RunID, cl.base, res.URL))
	if !c.f.on("wait") {
		return nil
	}
	return cl.wait(ctx, c, res.RunID)
}

// scheduleClient talks to a running scheduler's API.
type scheduleClient struct {
	base  string // http://host:port
	token string
	http  *http.Client
}

func newScheduleClient(c *invocation) (*scheduleClient, error) {
	addr := c.f.str("addr")
	if addr == "" {
		addr, _ = c.env.Getenv("STRATA_SCHEDULER_ADDR")
	}
	if addr == "" {
		addr = defaultScheduleAddr
	}
	base := strings.TrimRight(addr, "/")
	if !strings.Contains(base, "://") {
		host, port, err := net.SplitHostPort(base)
		if err != nil {
			return nil, diag.Invalid("bad flag value", "--addr %q is not HOST:PORT or a URL such as https://strata.internal", addr)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1" // the scheduler listens everywhere; ask it here
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	token, _ := c.env.Getenv(tokenEnv)
	return &scheduleClient{base: base, token: strings.TrimSpace(token), http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// post sends a control request and decodes the answer into out. The
// scheduler's refusals become errors with its message and the exit codes
// runScheduleClient documents.
func (cl *scheduleClient) post(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.base+path, bytes.NewReader(data))
	if err != nil {
		return diag.Invalid("bad address", "%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	return cl.do(req, out)
}

func (cl *scheduleClient) do(req *http.Request, out any) error {
	resp, err := cl.http.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return req.Context().Err()
		}
		return diag.Invalid("no scheduler", "no scheduler answers at %s (%v): start `strata schedule`, or point --addr or STRATA_SCHEDULER_ADDR at it", cl.base, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("the scheduler at %s answered %s with something that is not JSON: %.200s", cl.base, resp.Status, raw)
			}
		}
		return nil
	}
	var e struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if json.Unmarshal(raw, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(raw))
	}
	switch resp.StatusCode {
	case http.StatusForbidden:
		hint := ""
		if cl.token == "" {
			hint = "; set " + tokenEnv + " to the scheduler's token"
		}
		return diag.Invalid("refused", "%s%s", e.Error, hint)
	case http.StatusNotFound, http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return diag.Invalid("refused", "%s", e.Error)
	}
	return fmt.Errorf("the scheduler refused: %s", e.Error)
}

// wait polls the run until it ends and reports its outcome: nil on success,
// errFailed otherwise (exit 1).
func (cl *scheduleClient) wait(ctx context.Context, c *invocation, id string) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cl.base+"/api/runs/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
		var run schedule.Run
		if err := cl.do(req, &run); err != nil {
			return err
		}
		if run.Status != schedule.StatusRunning {
			c.out.Output(fmt.Sprintf("run %s ended %s%s\n", id, run.Status, map[bool]string{true: ": " + run.Message}[run.Message != ""]))
			if run.Status == schedule.StatusSuccess {
				return nil
			}
			return errFailed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
