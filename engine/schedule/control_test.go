package schedule

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/strata-dev/strata/engine/project"
)

func TestTriggerRunsNowWithItsSelection(t *testing.T) {
	var c calls
	release := make(chan struct{})
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "nightly", Cron: "0 2 * * *", Select: project.StringList{"+marts"}, Exclude: project.StringList{"big"}}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			if c.add(req) == 2 {
				<-release
			}
			return ok("m"), nil
		},
	})
	ctx := context.Background()
	id, err := h.s.Trigger(ctx, "nightly", TriggerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(id, "-nightly-manual-a1") || !strings.HasPrefix(id, "20260101T000000Z") {
		t.Errorf("run id %q", id)
	}
	h.waitRuns(1, StatusSuccess)
	id2, err := h.s.Trigger(ctx, "nightly", TriggerOptions{Select: []string{"stg_loans+"}, FullRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second trigger to run", func() bool { return len(c.list()) == 2 })
	if _, err := h.s.Trigger(ctx, "nightly", TriggerOptions{}); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), id2) {
		t.Errorf("a trigger while %s runs = %v, want ErrBusy naming it", id2, err)
	}
	close(release)
	runs := h.waitRuns(2, StatusSuccess)
	if _, err := h.s.Trigger(ctx, "weekly", TriggerOptions{}); !errors.Is(err, ErrUnknownSchedule) {
		t.Errorf("unknown schedule: %v", err)
	}

	reqs := c.list()
	if r := reqs[0]; r.Trigger != TriggerManual || !slices.Equal(r.Select, []string{"+marts"}) || !slices.Equal(r.Exclude, []string{"big"}) || r.FullRefresh {
		t.Errorf("plain trigger asked for %+v", r)
	}
	if r := reqs[1]; !slices.Equal(r.Select, []string{"stg_loans+"}) || len(r.Exclude) != 0 || !r.FullRefresh {
		t.Errorf("trigger with a selection asked for %+v", r)
	}
	if runs[0].Trigger != TriggerManual || runs[0].Custom || !runs[1].Custom || !runs[1].FullRefresh {
		t.Errorf("history = %+v", runs)
	}
	if len(runs) != 2 {
		t.Errorf("a refused trigger was recorded: %+v", runs)
	}
}

func TestRerunRunsOnlyWhatFailed(t *testing.T) {
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "nightly", Cron: "@every 1s", Exclude: project.StringList{"big"}, FullRefresh: true}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			if c.add(req) == 1 {
				return RunReport{Status: StatusError, Nodes: []NodeReport{
					{UniqueID: "operation.p.p-on-run-end-0", Name: "operation.p.p-on-run-end-0", ResourceType: "operation", Status: "error"},
					{UniqueID: "model.p.stg", Name: "stg", Status: "success"},
					{UniqueID: "model.p.fct", Name: "fct", Status: "error", Message: "division by zero"},
					{UniqueID: "model.p.mart", Name: "mart", Status: "skipped"},
				}}, nil
			}
			return ok(req.Select...), nil
		},
	})
	h.advance(time.Second)
	failed := h.waitRuns(1, StatusError)[0]
	ctx := context.Background()
	id, err := h.s.Rerun(ctx, failed.ID)
	if err != nil {
		t.Fatal(err)
	}
	runs := h.waitRuns(1, StatusSuccess)
	req := c.list()[1]
	if req.Trigger != TriggerRetry || !slices.Equal(req.Select, []string{"fct", "mart"}) || !req.FullRefresh || !slices.Equal(req.Exclude, []string{"big"}) {
		t.Errorf("re-run asked for %+v; want fct and mart only (not the hook), with the run's exclusions and full refresh", req)
	}
	last := runs[len(runs)-1]
	if last.ID != id || !strings.Contains(id, "-nightly-retry-a1") || last.RerunOf != failed.ID || last.Trigger != TriggerRetry {
		t.Errorf("re-run record = %+v", last)
	}
	if _, err := h.s.Rerun(ctx, id); !errors.Is(err, ErrNothingToRerun) {
		t.Errorf("re-run of a successful run = %v", err)
	}
	if _, err := h.s.Rerun(ctx, "20260101T000001Z-nope-a1"); !errors.Is(err, ErrUnknownRun) {
		t.Errorf("re-run of an unknown run = %v", err)
	}
}

func TestPauseStopsTicksAndSurvivesARestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	var c calls
	run := func(ctx context.Context, req RunRequest) (RunReport, error) {
		c.add(req)
		return ok("m"), nil
	}
	specs := []project.ScheduleSpec{{Name: "often", Cron: "@every 1s"}, {Name: "other", Cron: "@every 1s"}}
	h := start(t, Options{Specs: specs, HistoryDir: dir, Run: run})
	if changed, err := h.s.Pause("often"); err != nil || !changed {
		t.Fatalf("Pause = %v, %v", changed, err)
	}
	if changed, _ := h.s.Pause("often"); changed {
		t.Error("pausing twice reported a change")
	}
	if _, err := h.s.Pause("nope"); !errors.Is(err, ErrUnknownSchedule) {
		t.Errorf("Pause(nope) = %v", err)
	}
	h.advance(time.Second)
	h.waitRuns(1, StatusSuccess)
	if gauge(t, h.s, "often") != 1 || gauge(t, h.s, "other") != 0 {
		t.Error("strata_schedule_paused does not show the paused schedule")
	}
	// A manual trigger still runs a paused schedule.
	if _, err := h.s.Trigger(context.Background(), "often", TriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	h.waitRuns(2, StatusSuccess)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// The restarted scheduler is still paused, and catches nothing up.
	h2 := start(t, Options{Specs: specs, HistoryDir: dir, Run: run, Clock: newFakeClock(t0.Add(5 * time.Second))})
	if !h2.s.Paused("often") || gauge(t, h2.s, "often") != 1 {
		t.Fatal("the pause did not survive the restart")
	}
	h2.waitRuns(3, StatusSuccess) // other's catch-up run
	h2.advance(time.Second)
	h2.waitRuns(4, StatusSuccess) // other's tick after the restart
	if _, err := h2.s.Resume("often"); err != nil {
		t.Fatal(err)
	}
	h2.advance(time.Second)
	waitFor(t, "often's tick after resume", func() bool {
		return slices.ContainsFunc(c.list(), func(r RunRequest) bool { return r.Schedule == "often" && r.Trigger == TriggerTick })
	})
	h2.waitRuns(6, StatusSuccess)
	var often []string
	for _, r := range c.list() {
		if r.Schedule == "often" {
			often = append(often, fmt.Sprintf("%s@%s", r.Trigger, r.Tick.Format("05")))
		}
	}
	if want := []string{"manual@01", "tick@07"}; !slices.Equal(often, want) {
		t.Errorf("often ran %v, want %v (no tick while paused, none caught up)", often, want)
	}
}

func gauge(t *testing.T, s *Scheduler, name string) float64 {
	t.Helper()
	var m dto.Metric
	if err := s.metrics.paused.WithLabelValues(name).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

func counter(t *testing.T, s *Scheduler, name, kind string) float64 {
	t.Helper()
	var m dto.Metric
	if err := s.metrics.deadlineMissed.WithLabelValues(name, kind).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestMissedTicks(t *testing.T) {
	plans, err := Compile([]project.ScheduleSpec{
		{Name: "nightly", Cron: "0 2 * * *", Timezone: "Asia/Kolkata"},
		{Name: "every", Cron: "@every 10m"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ist, _ := time.LoadLocation("Asia/Kolkata")
	since := time.Date(2026, 3, 1, 2, 0, 0, 0, ist)
	now := time.Date(2026, 3, 4, 7, 0, 0, 0, ist)
	got, total := MissedTicks(plans[0], since, now, 1)
	if total != 3 || len(got) != 1 || !got[0].Equal(time.Date(2026, 3, 4, 2, 0, 0, 0, ist)) {
		t.Errorf("latest: %v of %d", got, total)
	}
	got, total = MissedTicks(plans[0], since, now, 10)
	if total != 3 || len(got) != 3 || !got[0].Equal(time.Date(2026, 3, 2, 2, 0, 0, 0, ist)) || !got[2].After(got[1]) {
		t.Errorf("all: %v of %d", got, total)
	}
	got, total = MissedTicks(plans[1], t0, t0.Add(35*time.Minute), 2)
	if total != 3 || len(got) != 2 || got[1] != time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC) || got[0] != time.Date(2026, 1, 1, 0, 20, 0, 0, time.UTC) {
		t.Errorf("every: %v of %d", got, total)
	}
	if got, total := MissedTicks(plans[1], t0, t0.Add(5*time.Minute), 5); len(got) != 0 || total != 0 {
		t.Errorf("nothing missed: %v of %d", got, total)
	}
}

// ranOnce runs a scheduler on dir until it has run one tick, then stops it.
func ranOnce(t *testing.T, dir string, specs []project.ScheduleSpec, run RunFunc) {
	t.Helper()
	h := start(t, Options{Specs: specs, HistoryDir: dir, Run: run})
	h.advance(time.Second)
	h.waitRuns(1, StatusSuccess)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestCatchupAfterTheSchedulerWasDown(t *testing.T) {
	for _, c := range []struct {
		policy string
		max    int
		want   []string // ticks (seconds) caught up
	}{
		{"", 0, []string{"09"}},
		{"latest", 0, []string{"09"}},
		{"all", 3, []string{"07", "08", "09"}},
		{"none", 0, nil},
	} {
		t.Run(c.policy, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "runs")
			var calls calls
			run := func(ctx context.Context, req RunRequest) (RunReport, error) {
				calls.add(req)
				return ok("m"), nil
			}
			specs := []project.ScheduleSpec{{Name: "s", Cron: "@every 1s", Catchup: c.policy, CatchupMax: c.max}}
			ranOnce(t, dir, specs, run) // tick at 00:00:01
			// Down from 00:00:01.25 to 00:00:09.5: ticks 2..9 were missed.
			h := start(t, Options{Specs: specs, HistoryDir: dir, Run: run, Clock: newFakeClock(t0.Add(9250 * time.Millisecond))})
			if len(c.want) > 0 {
				h.waitRuns(1+len(c.want), StatusSuccess)
			} else {
				time.Sleep(50 * time.Millisecond)
			}
			var got []string
			for _, r := range calls.list()[1:] {
				if r.Trigger != TriggerCatchup {
					t.Errorf("run %s has trigger %s", r.RunID, r.Trigger)
				}
				got = append(got, r.Tick.Format("05"))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("caught up %v, want %v", got, c.want)
			}
			for _, r := range h.s.Runs() {
				if r.Trigger == TriggerCatchup && !strings.Contains(r.ID, "-s-catchup-a1") {
					t.Errorf("catch-up run id %s", r.ID)
				}
			}
			// The next regular tick runs as usual, after the catch-up.
			h.advance(time.Second)
			waitFor(t, "the next tick", func() bool {
				return slices.ContainsFunc(calls.list(), func(r RunRequest) bool { return r.Trigger == TriggerTick && r.Tick.Second() == 10 })
			})
		})
	}
}

func TestCatchupSkipsTicksWhileTheScheduleWasPaused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	var calls calls
	run := func(ctx context.Context, req RunRequest) (RunReport, error) {
		calls.add(req)
		return ok("m"), nil
	}
	specs := []project.ScheduleSpec{{Name: "s", Cron: "@every 1s", Catchup: "all"}}
	ranOnce(t, dir, specs, run)
	// Resumed at 00:00:05 by another process (or before a restart): only
	// ticks after that were missed.
	st, err := openState(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.setPaused("s", true, t0.Add(2*time.Second))
	st.setPaused("s", false, t0.Add(5*time.Second))
	h := start(t, Options{Specs: specs, HistoryDir: dir, Run: run, Clock: newFakeClock(t0.Add(7250 * time.Millisecond))})
	h.waitRuns(3, StatusSuccess)
	var got []string
	for _, r := range calls.list()[1:] {
		got = append(got, r.Tick.Format("05"))
	}
	if want := []string{"06", "07"}; !slices.Equal(got, want) {
		t.Errorf("caught up %v, want %v", got, want)
	}
}

func TestCatchupRunsOnceAcrossReplicas(t *testing.T) {
	base := t.TempDir()
	var calls calls
	run := func(ctx context.Context, req RunRequest) (RunReport, error) {
		calls.add(req)
		return ok("m"), nil
	}
	specs := []project.ScheduleSpec{{Name: "s", Cron: "@every 1s"}}
	// Both replicas' histories end at the same tick (each saw it: one ran it,
	// the other lost the claim; here both ran once, on their own).
	ranOnce(t, filepath.Join(base, "a"), specs, run)
	ranOnce(t, filepath.Join(base, "b"), specs, run)
	locker := &MemLocker{}
	clock := newFakeClock(t0.Add(5250 * time.Millisecond))
	a := start(t, Options{Specs: specs, HistoryDir: filepath.Join(base, "a"), Run: run, Clock: clock, Locker: locker})
	b := start(t, Options{Specs: specs, HistoryDir: filepath.Join(base, "b"), Run: run, Clock: clock, Locker: locker})
	waitFor(t, "the catch-up run", func() bool { return len(calls.list()) == 3 && a.idle() && b.idle() })
	time.Sleep(50 * time.Millisecond)
	n := 0
	for _, r := range calls.list() {
		if r.Trigger == TriggerCatchup {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d catch-up runs across two replicas, want 1", n)
	}
}

// failingLocker fails the first claims of each schedule (as many as fails
// says), as when the database is down.
type failingLocker struct {
	MemLocker
	fails map[string]int
}

func (f *failingLocker) Claim(ctx context.Context, s string, tick time.Time) (bool, func(), error) {
	f.mu.Lock()
	fail := f.fails[s] > 0
	f.fails[s]--
	f.mu.Unlock()
	if fail {
		return false, nil, errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	}
	return f.MemLocker.Claim(ctx, s, tick)
}

func TestATickWhoseClaimFailsIsRecordedNotifiedAndRetried(t *testing.T) {
	hook := newHookServer(t, 200)
	var calls calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "retried", Cron: "@every 1s", Retries: 1, RetryDelay: "1ms", OnFailureWebhook: hook.URL},
			{Name: "once", Cron: "@every 1h", OnFailureWebhook: hook.URL},
		},
		Locker: &failingLocker{fails: map[string]int{"retried": 1, "once": 1}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			calls.add(req)
			return ok("m"), nil
		},
	})
	h.advance(time.Second) // retried@1 fails to claim, then (attempt 2) runs
	runs := h.waitRuns(1, StatusSuccess)
	if len(runs) != 2 || runs[0].Status != StatusError || runs[0].Attempt != 1 || runs[1].Attempt != 2 {
		t.Fatalf("history = %+v", runs)
	}
	if !strings.Contains(runs[0].Message, "could not claim the tick") || !strings.Contains(runs[0].Message, "connection refused") {
		t.Errorf("error run message %q", runs[0].Message)
	}
	if runsCounter(h.s, "retried", StatusError) != 1 {
		t.Error("the failed claim is not counted in strata_schedule_runs_total")
	}
	if hook.count() != 0 {
		t.Error("a failed claim that was retried successfully was posted")
	}
	// With no retries left, the failure is posted.
	h.advance(time.Hour - time.Second)
	waitFor(t, "the webhook for the failed claim", func() bool { return hook.count() == 1 })
	if p := hook.posts[0]; p["event"] != "run_failed" || !strings.Contains(p["message"].(string), "could not claim") || p["schedule"] != "once" {
		t.Errorf("payload = %v", p)
	}
	// retried's run of the 01:00 tick goes on beside the webhook of once's
	// failed claim: wait for it, then make sure nothing more ran.
	waitFor(t, "retried's next tick", func() bool { return len(calls.list()) >= 2 })
	time.Sleep(50 * time.Millisecond)
	if len(calls.list()) != 2 {
		t.Errorf("run function called %d times, want 2 (retried's second attempt and its next tick)", len(calls.list()))
	}
}
