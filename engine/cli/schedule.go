package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/memtrim"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/schedule"
	"github.com/strata-dev/strata/engine/view"
)

// runSchedule is `strata schedule`: validate the schedules, serve HTTP, and run
// each tick through the same engine calls as the commands, loading the project
// afresh every time. It returns when ctx is cancelled (SIGTERM/SIGINT), after the
// scheduler has let running runs finish or cancelled them.
func runSchedule(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	cfg := p.Files.Config
	if len(cfg.Schedules) == 0 {
		return diag.Invalid("no schedules", "%s declares no `schedules:`; add e.g. `schedules: [{name: nightly, cron: \"0 2 * * *\", command: build}]`", p.Files.ConfigFile)
	}
	if err := schedule.Validate(cfg.Schedules); err != nil {
		return diag.Invalid("invalid schedules", "%s: %v", p.Files.ConfigFile, err)
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	locker, closeLocker, err := schedulerLocker(ctx, p)
	if err != nil {
		return err
	}
	defer closeLocker()
	s, err := schedule.New(schedule.Options{
		Specs:      cfg.Schedules,
		Settings:   cfg.Scheduler,
		Run:        scheduledRun(opts),
		HistoryDir: filepath.Join(p.TargetDir, "runs"),
		Locker:     locker,
		Threads:    c.f.num("threads"),
		Logger:     logger,
	})
	if err != nil {
		return diag.Invalid("invalid schedules", "%v", err)
	}
	addr := c.f.str("addr")
	if addr == "" {
		addr = "127.0.0.1:8580"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return diag.Invalid("cannot listen", "--addr %s: %v; choose a free address", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	logger.Info("strata schedule started", "addr", ln.Addr().String(), "schedules", len(cfg.Schedules), "target", engine.Describe(p.Target))
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
			Args: map[string]any{"schedule": req.Schedule, "run_id": req.RunID}}
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
		name := r.UniqueID
		if r.Node != nil {
			name = r.Node.Name
		}
		rep.Nodes = append(rep.Nodes, schedule.NodeReport{UniqueID: r.UniqueID, Name: name, Status: string(r.Status), Message: r.Message, ExecutionTime: r.ExecutionTime})
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
func schedulerLocker(ctx context.Context, p *engine.Project) (schedule.Locker, func(), error) {
	if p.Driver.TickLock == nil {
		return nil, func() {}, nil
	}
	l, err := p.Driver.TickLock(ctx, p.Target)
	if err != nil {
		return nil, nil, fmt.Errorf("scheduler lock on %s: %w", engine.Describe(p.Target), err)
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
