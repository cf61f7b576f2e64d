package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/project"
)

func TestValidateReportsEveryProblemWithNameAndLine(t *testing.T) {
	specs := []project.ScheduleSpec{
		{Name: "nightly", Cron: "0 2 * * *", Command: "build", Line: 10},
		{Name: "badcron", Cron: "61 * * * *", Line: 14},
		{Name: "badtz", Cron: "@daily", Timezone: "Mars/Olympus", Line: 18},
		{Name: "badcmd", Cron: "@hourly", Command: "deploy", Line: 22},
		{Name: "baddur", Cron: "@hourly", RetryDelay: "ten seconds", Timeout: "-5m", Line: 26},
		{Name: "nightly", Cron: "@hourly", Line: 30},
		{Name: "negretry", Cron: "@hourly", Retries: -1, Line: 34},
		{Name: "never", Cron: "0 0 30 2 *", Line: 38},
		{Name: "shortevery", Cron: "@every 500ms", Line: 42},
		{Name: "../etc", Cron: "@hourly", Line: 46},
		{Name: "hook", Cron: "@hourly", OnFailureWebhook: "ftp://example.com/x", Line: 50},
		{Name: "tzclash", Cron: "CRON_TZ=Europe/Paris 0 2 * * *", Timezone: "America/New_York", Line: 54},
		{Cron: "@hourly", Line: 58},
	}
	err := Validate(specs)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Validate = %v, want an error matching ErrInvalid", err)
	}
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("Validate error is %T, want *InvalidError", err)
	}
	want := []struct{ line, name, reason string }{
		{"project.yaml:14:", `schedule "badcron"`, "invalid cron"},
		{"project.yaml:18:", `schedule "badtz"`, `unknown timezone "Mars/Olympus"`},
		{"project.yaml:22:", `schedule "badcmd"`, `unknown command "deploy"`},
		{"project.yaml:26:", `schedule "baddur"`, `retry_delay "ten seconds" is not a duration`},
		{"project.yaml:26:", `schedule "baddur"`, `timeout "-5m" is negative`},
		{"project.yaml:30:", `schedule "nightly"`, "duplicate name (first used by schedule #1)"},
		{"project.yaml:34:", `schedule "negretry"`, "retries is -1"},
		{"project.yaml:38:", `schedule "never"`, "never fires"},
		{"project.yaml:42:", `schedule "shortevery"`, "at least 1s"},
		{"project.yaml:46:", `schedule "../etc"`, "may only hold letters"},
		{"project.yaml:50:", `schedule "hook"`, "not an http(s) URL"},
		{"project.yaml:54:", `schedule "tzclash"`, "keep one"},
		{"project.yaml:58:", "schedule #13", "missing name"},
	}
	if len(inv.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(inv.Problems), len(want), err)
	}
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, w.line) && strings.Contains(l, w.name) && strings.Contains(l, w.reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("no line with %q, %s and %q in:\n%s", w.line, w.name, w.reason, msg)
		}
	}
	if strings.Contains(msg, `"nightly": invalid`) {
		t.Errorf("the valid first entry was reported:\n%s", msg)
	}
}

func TestValidateAcceptsCronForms(t *testing.T) {
	specs := []project.ScheduleSpec{
		{Name: "five", Cron: "*/15 1-5 * * MON-FRI"},
		{Name: "hourly", Cron: "@hourly", Command: "run"},
		{Name: "every", Cron: "@every 10m", Command: "test"},
		{Name: "tzfield", Cron: "0 2 * * *", Timezone: "Europe/Paris", Command: "seed"},
		{Name: "tzprefix", Cron: "CRON_TZ=Asia/Tokyo 30 6 * * *", Command: "snapshot"},
		{Name: "both.same", Cron: "TZ=UTC @daily", Timezone: "UTC", Command: "freshness", Retries: 2, RetryDelay: "30s", Timeout: "45m"},
	}
	plans, err := Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Command != "build" {
		t.Errorf("empty command became %q, want build", plans[0].Command)
	}
	if got := plans[3].Location.String(); got != "Europe/Paris" {
		t.Errorf("timezone field gave %s", got)
	}
	if got := plans[4].Location.String(); got != "Asia/Tokyo" {
		t.Errorf("CRON_TZ prefix gave %s", got)
	}
	if plans[5].RetryDelay != 30*time.Second || plans[5].Timeout != 45*time.Minute {
		t.Errorf("durations = %v, %v", plans[5].RetryDelay, plans[5].Timeout)
	}
}

func TestCronTimesFollowTheirTimezone(t *testing.T) {
	plans, err := Compile([]project.ScheduleSpec{
		{Name: "utc", Cron: "0 2 * * *"},
		{Name: "paris", Cron: "0 2 * * *", Timezone: "Europe/Paris"},
		{Name: "tokyo", Cron: "CRON_TZ=Asia/Tokyo 0 2 * * *"},
	})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	want := []time.Time{
		time.Date(2026, 1, 11, 2, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 11, 1, 0, 0, 0, time.UTC),  // 02:00 CET
		time.Date(2026, 1, 10, 17, 0, 0, 0, time.UTC), // 02:00 JST next day
	}
	for i, p := range plans {
		if got := p.Next(from); !got.Equal(want[i]) {
			t.Errorf("%s: next after %s = %s, want %s", p.Name(), from, got.UTC(), want[i])
		}
	}
}

func TestAlignedEveryIsAlignedToTheEpoch(t *testing.T) {
	a := AlignedEvery{Interval: 10 * time.Minute}
	from := time.Date(2026, 3, 1, 7, 43, 12, 5, time.UTC)
	if got, want := a.Next(from), time.Date(2026, 3, 1, 7, 50, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %s, want %s", got, want)
	}
	// On a tick, Next is the following tick and Prev is the tick itself.
	on := time.Date(2026, 3, 1, 7, 50, 0, 0, time.UTC)
	if got := a.Next(on); !got.Equal(on.Add(10 * time.Minute)) {
		t.Errorf("Next(on tick) = %s", got)
	}
	if got := a.Prev(on); !got.Equal(on) {
		t.Errorf("Prev(on tick) = %s", got)
	}
	// An interval that does not divide a day still lands on multiples since 1970.
	b := AlignedEvery{Interval: 7 * time.Second}
	for _, start := range []time.Time{from, from.Add(3 * time.Second), time.Unix(1, 0)} {
		n := b.Next(start)
		if n.Unix()%7 != 0 || n.Nanosecond() != 0 || !n.After(start) || n.Sub(start) > 7*time.Second {
			t.Errorf("Next(%s) = %s (unix %d), not the next multiple of 7s", start, n, n.Unix())
		}
	}
	// Two replicas started at different moments agree.
	r1 := a.Next(from)
	r2 := a.Next(from.Add(4 * time.Minute))
	if !r1.Equal(r2) {
		t.Errorf("replicas disagree: %s vs %s", r1, r2)
	}
}

func TestDueReturnsLatestTickPerScheduleInWindow(t *testing.T) {
	plans, err := Compile([]project.ScheduleSpec{
		{Name: "hourly", Cron: "@hourly"},
		{Name: "every10", Cron: "@every 10m"},
		{Name: "nightly", Cron: "0 2 * * *"},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)

	// (00:00, 00:10]: only every10 at 00:10; the window excludes its start.
	got := Due(plans, base, base.Add(10*time.Minute))
	if len(got) != 1 || got[0].Schedule != "every10" || !got[0].At.Equal(base.Add(10*time.Minute)) || got[0].Missed != 0 {
		t.Fatalf("Due(00:00, 00:10] = %+v", got)
	}
	// (00:10, 00:19:59]: nothing.
	if got := Due(plans, base.Add(10*time.Minute), base.Add(20*time.Minute-time.Second)); len(got) != 0 {
		t.Fatalf("Due(00:10, 00:19:59] = %+v, want none", got)
	}
	// (00:59:59, 01:00:00]: hourly and every10 both at 01:00, in schedule order.
	got = Due(plans, base.Add(time.Hour-time.Second), base.Add(time.Hour))
	if len(got) != 2 || got[0].Schedule != "hourly" || got[1].Schedule != "every10" {
		t.Fatalf("Due at 01:00 = %+v", got)
	}
	// A suspension from 00:05 to 02:30 runs each schedule's latest tick once.
	got = Due(plans, base.Add(5*time.Minute), base.Add(150*time.Minute))
	want := map[string]Tick{
		"hourly":  {Schedule: "hourly", At: base.Add(2 * time.Hour), Missed: 1},
		"every10": {Schedule: "every10", At: base.Add(150 * time.Minute), Missed: 14},
		"nightly": {Schedule: "nightly", At: base.Add(2 * time.Hour), Missed: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("Due over suspension = %+v", got)
	}
	for _, g := range got {
		w := want[g.Schedule]
		if !g.At.Equal(w.At) || g.Missed != w.Missed {
			t.Errorf("%s: got at %s missed %d, want at %s missed %d", g.Schedule, g.At, g.Missed, w.At, w.Missed)
		}
	}
	if got[len(got)-1].Schedule != "every10" {
		t.Errorf("ticks not in time order: %+v", got)
	}
	// An empty or backwards window is never due.
	if got := Due(plans, base.Add(time.Hour), base); got != nil {
		t.Errorf("backwards window gave %+v", got)
	}
}

func TestNextTick(t *testing.T) {
	plans, err := Compile([]project.ScheduleSpec{{Name: "a", Cron: "@hourly"}, {Name: "b", Cron: "@every 25m"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 0, 40, 0, 0, time.UTC)
	got, ok := NextTick(plans, at)
	// Multiples of 25 min since the epoch: 00:40 UTC on that day is not one;
	// the next is whichever 25-minute boundary comes first, or 01:00.
	wantB := AlignedEvery{Interval: 25 * time.Minute}.Next(at)
	want := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	if wantB.Before(want) {
		want = wantB
	}
	if !ok || !got.Equal(want) {
		t.Errorf("NextTick = %s %v, want %s", got, ok, want)
	}
	if _, ok := NextTick(nil, at); ok {
		t.Error("NextTick with no plans reported a tick")
	}
}

func TestValidateSettings(t *testing.T) {
	if err := ValidateSettings(project.SchedulerSettings{HistoryRetention: 10, Threads: 2, OnFailureWebhook: "https://hooks.example.com/x"}); err != nil {
		t.Errorf("valid settings: %v", err)
	}
	err := ValidateSettings(project.SchedulerSettings{HistoryRetention: -1, Threads: -2, OnFailureWebhook: "not a url"})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"history_retention", "threads", "on_failure_webhook"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
}

func TestValidateCatchupDeadlineAndMaxDuration(t *testing.T) {
	specs := []project.ScheduleSpec{
		{Name: "ok", Cron: "0 2 * * *", Timezone: "Asia/Kolkata", Catchup: "all", CatchupMax: 3, Deadline: "06:00", MaxDuration: "2h", Line: 5},
		{Name: "bad", Cron: "@hourly", Catchup: "some", CatchupMax: -1, Deadline: "6am", MaxDuration: "soon", Line: 10,
			KeyLines: map[string]int{"catchup": 11, "catchup_max": 12, "deadline": 13, "max_duration": 14}},
		{Name: "late", Cron: "@hourly", Deadline: "24:00", Line: 20},
	}
	_, err := Compile(specs)
	for _, want := range []string{
		`project.yaml:11: schedule "bad": catchup is "some"; write latest`,
		`project.yaml:12: schedule "bad": catchup_max is -1`,
		`project.yaml:13: schedule "bad": deadline "6am" is not a time of day`,
		`project.yaml:14: schedule "bad": max_duration "soon" is not a duration`,
		`project.yaml:20: schedule "late": deadline "24:00" is not a time of day`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"ok"`) {
		t.Errorf("the valid entry was reported:\n%v", err)
	}
	plans, err := Compile(specs[:1])
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if p.Catchup != CatchupAll || p.CatchupMax != 3 || p.MaxDuration != 2*time.Hour || p.Deadline.String() != "06:00" {
		t.Errorf("plan = %+v", p)
	}
	ist, _ := time.LoadLocation("Asia/Kolkata")
	// 02:00 IST's run is due by 06:00 the same morning; a tick after 06:00 by the next.
	for tick, want := range map[time.Time]time.Time{
		time.Date(2026, 5, 1, 2, 0, 0, 0, ist):  time.Date(2026, 5, 1, 6, 0, 0, 0, ist),
		time.Date(2026, 5, 1, 6, 0, 0, 0, ist):  time.Date(2026, 5, 2, 6, 0, 0, 0, ist),
		time.Date(2026, 5, 1, 23, 0, 0, 0, ist): time.Date(2026, 5, 2, 6, 0, 0, 0, ist),
	} {
		if got, ok := p.DeadlineFor(tick); !ok || !got.Equal(want) {
			t.Errorf("deadline of %s = %s, want %s", tick, got, want)
		}
	}
	if plans, _ := Compile([]project.ScheduleSpec{{Name: "d", Cron: "@daily"}}); plans[0].Catchup != CatchupLatest || plans[0].CatchupMax != DefaultCatchupMax {
		t.Errorf("defaults = %+v", plans[0])
	}
}

func TestValidateSettingsNamesTheLine(t *testing.T) {
	err := ValidateSettings(project.SchedulerSettings{ShutdownGrace: "a while", URL: "strata.internal", Line: 40,
		KeyLines: map[string]int{"shutdown_grace": 41, "url": 42}})
	for _, want := range []string{`project.yaml:41: scheduler: shutdown_grace "a while" is not a duration`, `project.yaml:42: scheduler: url "strata.internal" is not an http(s) URL`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
