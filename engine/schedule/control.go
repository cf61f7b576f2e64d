package schedule

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// TriggerOptions are what a manual trigger may change about a run; empty
// fields keep the schedule's own.
type TriggerOptions struct {
	Select      []string `json:"select,omitempty"`
	Exclude     []string `json:"exclude,omitempty"`
	FullRefresh bool     `json:"full_refresh,omitempty"`
}

// Trigger starts a run of the schedule now (also when it is paused) and
// returns its id once it is recorded. It fails with ErrUnknownSchedule,
// ErrBusy when a run of the schedule is going (here or on another replica),
// ErrStopping, or the locker's error.
func (s *Scheduler) Trigger(ctx context.Context, name string, o TriggerOptions) (string, error) {
	e := s.entries[name]
	if e == nil {
		return "", fmt.Errorf("%w %q", ErrUnknownSchedule, name)
	}
	j := s.tickJob(e, TriggerManual, s.requestTime())
	if len(o.Select) > 0 || len(o.Exclude) > 0 {
		j.sel, j.exclude = slices.Clone(o.Select), slices.Clone(o.Exclude)
		j.custom = !slices.Equal(j.sel, []string(e.plan.Spec.Select)) || !slices.Equal(j.exclude, []string(e.plan.Spec.Exclude))
	}
	j.fullRefresh = j.fullRefresh || o.FullRefresh
	return s.start(ctx, e, j)
}

// Rerun starts a retry of a finished run: only its nodes that errored,
// failed, were skipped or cancelled, with its command, exclusions and
// full-refresh; a run that failed before any node ran (a compile error, a
// database outage) is re-run whole. It fails with ErrUnknownRun,
// ErrNothingToRerun (the run succeeded or is still going) and as Trigger does.
func (s *Scheduler) Rerun(ctx context.Context, id string) (string, error) {
	r, ok := s.hist.get(id)
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownRun, id)
	}
	e := s.entries[r.Schedule]
	if e == nil {
		return "", fmt.Errorf("%w %q (run %s belongs to it; it is no longer in project.yaml)", ErrUnknownSchedule, r.Schedule, id)
	}
	switch r.Status {
	case StatusRunning:
		return "", fmt.Errorf("%w: run %s is still going", ErrNothingToRerun, id)
	case StatusSuccess:
		return "", fmt.Errorf("%w: run %s succeeded", ErrNothingToRerun, id)
	}
	rec, err := s.hist.readRecord(id)
	if err != nil {
		return "", fmt.Errorf("read run %s: %w", id, err)
	}
	j := job{trigger: TriggerRetry, tick: s.requestTime(), sel: r.Select, exclude: r.Exclude, fullRefresh: r.FullRefresh, custom: r.Custom, rerunOf: id}
	if r.Status == StatusSkipped {
		j.sel, j.exclude = []string(e.plan.Spec.Select), []string(e.plan.Spec.Exclude)
	}
	if names := retryNames(rec.Nodes); len(names) > 0 {
		j.sel = names
	}
	return s.start(ctx, e, j)
}

// requestTime is now, nudged off whole seconds so a manual claim never
// collides with a tick's claim in the locker.
// Successive requests get distinct times (the locker claims each once).
func (s *Scheduler) requestTime() time.Time {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	if !now.After(s.lastRequest) {
		now = s.lastRequest.Add(time.Microsecond)
	}
	if now.Nanosecond() == 0 {
		now = now.Add(time.Microsecond)
	}
	s.lastRequest = now
	return now
}

// start claims the schedule for j, runs it in the background and returns the
// first attempt's id.
func (s *Scheduler) start(ctx context.Context, e *entry, j job) (string, error) {
	if s.isStopping() {
		return "", ErrStopping
	}
	release, res, cur, err := s.claim(ctx, e, j.tick)
	switch res {
	case claimBusy:
		if cur == "" || cur == "pending" {
			return "", fmt.Errorf("%w (on another replica)", ErrBusy)
		}
		return "", fmt.Errorf("%w: run %s", ErrBusy, cur)
	case claimFailed:
		return "", fmt.Errorf("could not claim the schedule: %w", err)
	case claimStopping:
		return "", ErrStopping
	case claimLost:
		return "", fmt.Errorf("%w (another replica claimed this moment; try again)", ErrBusy)
	}
	started := make(chan string, 1)
	ok := s.background(func() {
		run, report := s.execute(e, j, 1, started)
		s.conclude(e, j, run, report)
		release()
		e.setRunning("")
		s.drain(e)
	})
	if !ok {
		release()
		e.setRunning("")
		return "", ErrStopping
	}
	return <-started, nil
}

// Pause stops the schedule's ticks (and catch-up) until Resume; manual
// triggers still run. The state is kept in the history folder, so it
// survives a restart. It reports whether the state changed.
func (s *Scheduler) Pause(name string) (bool, error) { return s.setPaused(name, true) }

// Resume undoes Pause. Ticks that fell while paused are not caught up.
func (s *Scheduler) Resume(name string) (bool, error) { return s.setPaused(name, false) }

func (s *Scheduler) setPaused(name string, paused bool) (bool, error) {
	if s.entries[name] == nil {
		return false, fmt.Errorf("%w %q", ErrUnknownSchedule, name)
	}
	changed, err := s.state.setPaused(name, paused, s.clock.Now())
	if err != nil {
		return changed, fmt.Errorf("save scheduler state: %w", err)
	}
	if changed {
		verb := map[bool]string{true: "schedule paused", false: "schedule resumed"}[paused]
		s.log.Info(verb, "schedule", name)
		s.metrics.setPaused(name, paused)
	}
	return changed, nil
}

// Paused reports whether the schedule is paused.
func (s *Scheduler) Paused(name string) bool { return s.state.paused(name) }
