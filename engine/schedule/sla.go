package schedule

import (
	"context"
	"fmt"
	"time"
)

// watch is a pending deadline of a schedule's tick, or the max_duration of
// a running run. The loop fires it at its time unless it was settled first.
type watch struct {
	kind     string // EventDeadline or "max_duration"
	schedule string
	at       time.Time
	since    time.Time // deadline: the first tick it covers
	runID    string    // max_duration: the run it limits
}

// addWatch adds w unless a deadline of the same schedule and time is
// already pending (ticks between two deadlines share one), and wakes the loop.
func (s *Scheduler) addWatch(w *watch) {
	s.watchMu.Lock()
	for _, x := range s.watches {
		if w.kind == EventDeadline && x.kind == EventDeadline && x.schedule == w.schedule && x.at.Equal(w.at) {
			s.watchMu.Unlock()
			return
		}
	}
	s.watches = append(s.watches, w)
	s.watchMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dropWatch removes the max_duration watch of a run that has ended.
func (s *Scheduler) dropWatch(runID string) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	kept := s.watches[:0]
	for _, w := range s.watches {
		if w.runID != runID {
			kept = append(kept, w)
		}
	}
	s.watches = kept
}

// settleDeadlines removes the deadlines a successful run of the schedule's
// whole selection meets: those covering ticks at or before the run's.
func (s *Scheduler) settleDeadlines(e *entry, run Run) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	kept := s.watches[:0]
	for _, w := range s.watches {
		if w.kind == EventDeadline && w.schedule == e.plan.Name() && !w.since.After(run.Tick) {
			continue
		}
		kept = append(kept, w)
	}
	s.watches = kept
}

func (s *Scheduler) nextWatch() (time.Time, bool) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	var best time.Time
	for _, w := range s.watches {
		if best.IsZero() || w.at.Before(best) {
			best = w.at
		}
	}
	return best, !best.IsZero()
}

// fireWatches fires the watches due at now: the metric, a warning, the
// running run marked late, and the deadline notice.
func (s *Scheduler) fireWatches(now time.Time) {
	s.watchMu.Lock()
	var due []*watch
	kept := s.watches[:0]
	for _, w := range s.watches {
		if !w.at.After(now) {
			due = append(due, w)
		} else {
			kept = append(kept, w)
		}
	}
	s.watches = kept
	s.watchMu.Unlock()
	for _, w := range due {
		e := s.entries[w.schedule]
		if e == nil {
			continue
		}
		var run Run
		var why string
		cur := e.current()
		if w.kind == EventDeadline {
			if r, ok := s.hist.get(cur); ok && cur != "" {
				run = r
				why = fmt.Sprintf("run %s was still going at the deadline", cur)
			} else if last := s.hist.list(w.schedule, "", 1); len(last) == 1 {
				run = last[0]
				why = fmt.Sprintf("no run of the tick at %s succeeded by the deadline (the last run ended %s)", w.since.UTC().Format(time.RFC3339), last[0].Status)
			} else {
				why = fmt.Sprintf("no run of the tick at %s succeeded by the deadline", w.since.UTC().Format(time.RFC3339))
			}
		} else {
			r, ok := s.hist.get(w.runID)
			if !ok || r.Status != StatusRunning {
				continue
			}
			run = r
			why = fmt.Sprintf("run %s has been going for more than its max_duration of %s", r.ID, e.plan.MaxDuration)
		}
		if run.Status == StatusRunning {
			e.markLate(run.ID, why)
		}
		s.metrics.deadlineMissed.WithLabelValues(w.schedule, w.kind).Inc()
		s.log.Warn("deadline missed", "schedule", w.schedule, "kind", w.kind, "deadline", w.at, "reason", why)
		s.enqueue(e, notice{event: EventDeadline, run: run, deadline: w.at, reason: why, tz: e.plan.Location})
		s.background(func() { s.drain(e) })
	}
}

// catchUp runs, for each schedule, the ticks missed since the history's last
// recorded tick (and since the schedule was last resumed), per its catchup
// policy, as catch-up runs one after the other. Across replicas the locker
// gives each missed tick to one of them.
func (s *Scheduler) catchUp(ctx context.Context, now time.Time) {
	for _, p := range s.plans {
		if p.Catchup == CatchupNone || s.state.paused(p.Name()) {
			continue
		}
		since := s.hist.lastScheduledTick(p.Name())
		if since.IsZero() {
			continue // never ran here: nothing was missed
		}
		if r := s.state.get(p.Name()).ResumedAt; r != nil && r.After(since) {
			since = *r
		}
		limit := 1
		if p.Catchup == CatchupAll {
			limit = p.CatchupMax
		}
		ticks, total := MissedTicks(p, since, now, limit)
		if len(ticks) == 0 {
			continue
		}
		s.log.Info("catching up ticks missed while no scheduler ran", "schedule", p.Name(), "missed", total, "running", len(ticks), "policy", p.Catchup, "since", since)
		e := s.entries[p.Name()]
		s.background(func() {
			for _, t := range ticks {
				if s.isStopping() || ctx.Err() != nil {
					return
				}
				s.handle(ctx, e, s.tickJob(e, TriggerCatchup, t))
			}
		})
	}
}
