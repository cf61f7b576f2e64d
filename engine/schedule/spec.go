package schedule

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/strata-dev/strata/engine/project"
)

// commands lists the strata commands a schedule may run.
func commands() []string { return []string{"build", "run", "test", "seed", "snapshot", "freshness"} }

// DefaultCommand is used when a schedule does not name one.
const DefaultCommand = "build"

// projectFile names the file schedules come from, for diagnostics.
const projectFile = "project.yaml"

// ErrInvalid is matched (errors.Is) by every validation error, so the CLI can
// exit 2 without looking at the text.
var ErrInvalid = errors.New("invalid schedule")

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Plan is one schedule after validation: the spec as written plus its parsed
// cron schedule, time zone and durations.
type Plan struct {
	Spec     project.ScheduleSpec
	Command  string // Spec.Command, or DefaultCommand when empty
	Schedule cron.Schedule
	Location *time.Location
	// RetryDelay is the wait between a failed attempt and the next one.
	RetryDelay time.Duration
	// Timeout bounds one attempt; zero means no timeout.
	Timeout time.Duration
	// Catchup is latest, all or none; CatchupMax caps `all`.
	Catchup    string
	CatchupMax int
	// Deadline is the time of day by which a tick's run must have succeeded;
	// nil when the schedule has none.
	Deadline *TimeOfDay
	// MaxDuration is how long one run may go on before it counts as late;
	// zero means no limit.
	MaxDuration time.Duration
	// Notifiers hear about failures, recoveries and missed deadlines; filled
	// by Check (they need the environment), empty after Compile alone.
	Notifiers []Notifier
}

// Catch-up policies.
const (
	CatchupLatest = "latest"
	CatchupAll    = "all"
	CatchupNone   = "none"
)

// DefaultCatchupMax caps `catchup: all` when catchup_max is not set.
const DefaultCatchupMax = 10

// TimeOfDay is a wall-clock time in a schedule's time zone.
type TimeOfDay struct{ Hour, Minute, Second int }

func (t TimeOfDay) String() string {
	if t.Second != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	}
	return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute)
}

// After returns the first moment strictly after t at which the wall clock in
// loc shows this time of day. A time skipped by a daylight-saving jump is
// moved forward by the jump, as time.Date does.
func (t TimeOfDay) After(after time.Time, loc *time.Location) time.Time {
	l := after.In(loc)
	for d := 0; d < 3; d++ {
		c := time.Date(l.Year(), l.Month(), l.Day()+d, t.Hour, t.Minute, t.Second, 0, loc)
		if c.After(after) {
			return c
		}
	}
	return time.Time{}
}

// DeadlineFor is the deadline of a run of tick: the first Deadline after it.
func (p Plan) DeadlineFor(tick time.Time) (time.Time, bool) {
	if p.Deadline == nil {
		return time.Time{}, false
	}
	return p.Deadline.After(tick, p.Location), true
}

// Name is the schedule's name.
func (p Plan) Name() string { return p.Spec.Name }

// Next is the first tick strictly after t.
func (p Plan) Next(t time.Time) time.Time { return p.Schedule.Next(t) }

// Problem is one thing wrong with one schedule entry.
type Problem struct {
	Schedule string // name as written (may be empty)
	Index    int    // position in `schedules:`, from 0; -1 for the `scheduler:` block
	Line     int    // line in project.yaml, 0 when unknown
	Reason   string
}

func (p Problem) String() string {
	where := projectFile
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", projectFile, p.Line)
	}
	name := fmt.Sprintf("schedule %q", p.Schedule)
	switch {
	case p.Index < 0:
		name = "scheduler"
	case p.Schedule == "":
		name = fmt.Sprintf("schedule #%d", p.Index+1)
	}
	return fmt.Sprintf("%s: %s: %s", where, name, p.Reason)
}

// InvalidError reports every problem found in `schedules:`, sorted by line.
type InvalidError struct {
	Problems []Problem
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Validate checks every schedule entry and returns an *InvalidError listing all
// problems (bad cron, unknown time zone, unknown command, bad duration,
// duplicate or malformed name, negative retries, bad webhook URL), or nil.
func Validate(specs []project.ScheduleSpec) error {
	_, err := Compile(specs)
	return err
}

// Compile validates the schedules and returns their plans in the order given.
// On any problem it returns nil and an *InvalidError.
func Compile(specs []project.ScheduleSpec) ([]Plan, error) {
	var problems []Problem
	plans := make([]Plan, 0, len(specs))
	seen := map[string]int{}
	for i, spec := range specs {
		add := func(format string, args ...any) {
			problems = append(problems, Problem{Schedule: spec.Name, Index: i, Line: spec.Line, Reason: fmt.Sprintf(format, args...)})
		}
		// addAt reports a problem at the line of the key it concerns.
		addAt := func(key, format string, args ...any) {
			line := spec.Line
			if l := spec.KeyLines[key]; l > 0 {
				line = l
			}
			problems = append(problems, Problem{Schedule: spec.Name, Index: i, Line: line, Reason: fmt.Sprintf(format, args...)})
		}
		plan := Plan{Spec: spec, Command: spec.Command}
		switch {
		case spec.Name == "":
			add("missing name")
		case !namePattern.MatchString(spec.Name):
			add("name %q may only hold letters, digits, '_', '-' and '.' (it names run folders)", spec.Name)
		}
		if first, dup := seen[spec.Name]; dup && spec.Name != "" {
			add("duplicate name (first used by schedule #%d)", first+1)
		} else {
			seen[spec.Name] = i
		}

		if plan.Command == "" {
			plan.Command = DefaultCommand
		} else if !contains(commands(), plan.Command) {
			add("unknown command %q (want one of %s)", plan.Command, strings.Join(commands(), ", "))
		}

		sched, loc, err := parseCron(spec.Cron, spec.Timezone)
		if err != nil {
			add("%v", err)
		}
		plan.Schedule, plan.Location = sched, loc

		if spec.Retries < 0 {
			add("retries is %d; it must be 0 or more", spec.Retries)
		}
		if plan.RetryDelay, err = parseDuration("retry_delay", spec.RetryDelay); err != nil {
			add("%v", err)
		}
		if plan.Timeout, err = parseDuration("timeout", spec.Timeout); err != nil {
			add("%v", err)
		}
		if err := checkWebhook(spec.OnFailureWebhook); err != nil {
			add("on_failure_webhook: %v", err)
		}
		switch spec.Catchup {
		case "":
			plan.Catchup = CatchupLatest
		case CatchupLatest, CatchupAll, CatchupNone:
			plan.Catchup = spec.Catchup
		default:
			addAt("catchup", "catchup is %q; write latest (run the last missed tick), all (each missed tick, up to catchup_max) or none", spec.Catchup)
		}
		switch {
		case spec.CatchupMax < 0:
			addAt("catchup_max", "catchup_max is %d; it must be 1 or more (default %d)", spec.CatchupMax, DefaultCatchupMax)
		case spec.CatchupMax == 0:
			plan.CatchupMax = DefaultCatchupMax
		default:
			plan.CatchupMax = spec.CatchupMax
		}
		if spec.Deadline != "" {
			tod, err := parseTimeOfDay(spec.Deadline)
			if err != nil {
				addAt("deadline", "%v", err)
			} else {
				plan.Deadline = &tod
			}
		}
		if plan.MaxDuration, err = parseDuration("max_duration", spec.MaxDuration); err != nil {
			addAt("max_duration", "%v", err)
		}
		for _, pr := range checkNotify(spec.Notify, spec.KeyLines["notify"], spec.Line) {
			pr.Schedule, pr.Index = spec.Name, i
			problems = append(problems, pr)
		}
		plans = append(plans, plan)
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(a, b int) bool { return problems[a].Index < problems[b].Index })
		return nil, &InvalidError{Problems: problems}
	}
	return plans, nil
}

// ValidateSettings checks the top-level `scheduler:` block.
func ValidateSettings(s project.SchedulerSettings) error {
	if ps := settingsProblems(s); len(ps) > 0 {
		return &InvalidError{Problems: ps}
	}
	return nil
}

func settingsProblems(s project.SchedulerSettings) []Problem {
	var out []Problem
	add := func(key, format string, args ...any) {
		line := s.Line
		if l := s.KeyLines[key]; l > 0 {
			line = l
		}
		out = append(out, Problem{Index: -1, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	if s.HistoryRetention < 0 {
		add("history_retention", "history_retention is %d; it must be 0 (default 200) or more", s.HistoryRetention)
	}
	if s.Threads < 0 {
		add("threads", "threads is %d; it must be 0 (default) or more", s.Threads)
	}
	if err := checkWebhook(s.OnFailureWebhook); err != nil {
		add("on_failure_webhook", "on_failure_webhook: %v", err)
	}
	if _, err := parseDuration("shutdown_grace", s.ShutdownGrace); err != nil {
		add("shutdown_grace", "%v", err)
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("url", "url %q is not an http(s) URL (write the address people open the scheduler at, e.g. https://strata.internal)", s.URL)
		}
	}
	for _, p := range checkNotify(s.Notify, s.KeyLines["notify"], s.Line) {
		p.Index = -1
		out = append(out, p)
	}
	return out
}

// Check validates the schedules and the `scheduler:` block together and
// resolves each schedule's notifiers, expanding ${NAME} references with
// getenv (nil: no variables are set). It returns the plans, or nil and an
// *InvalidError listing every problem.
func Check(specs []project.ScheduleSpec, settings project.SchedulerSettings, getenv func(string) (string, bool)) ([]Plan, error) {
	plans, err := Compile(specs)
	var problems []Problem
	var inv *InvalidError
	if errors.As(err, &inv) {
		problems = append(problems, inv.Problems...)
	} else if err != nil {
		return nil, err
	}
	problems = append(problems, settingsProblems(settings)...)
	if len(problems) == 0 {
		seen := map[string]bool{}
		for i := range plans {
			ns, ps := resolveNotifiers(plans[i].Spec, settings, getenv)
			for _, p := range ps {
				if p.Index >= 0 {
					p.Schedule, p.Index = plans[i].Name(), i
				}
				if !seen[p.String()] {
					seen[p.String()] = true
					problems = append(problems, p)
				}
			}
			plans[i].Notifiers = ns
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(a, b int) bool { return problems[a].Index < problems[b].Index })
		return nil, &InvalidError{Problems: problems}
	}
	return plans, nil
}

// parseTimeOfDay reads "HH:MM" or "HH:MM:SS" (24-hour clock).
func parseTimeOfDay(s string) (TimeOfDay, error) {
	var t TimeOfDay
	parts := strings.Split(strings.TrimSpace(s), ":")
	bad := fmt.Errorf("deadline %q is not a time of day (write HH:MM on a 24-hour clock, e.g. \"06:00\", in the schedule's timezone)", s)
	if len(parts) < 2 || len(parts) > 3 {
		return t, bad
	}
	var nums [3]int
	for i, p := range parts {
		if len(p) != 2 {
			return t, bad
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return t, bad
		}
		nums[i] = n
	}
	t = TimeOfDay{nums[0], nums[1], nums[2]}
	if t.Hour > 23 || t.Minute > 59 || t.Second > 59 {
		return TimeOfDay{}, bad
	}
	return t, nil
}

// parseCron parses a 5-field cron expression or a descriptor (@hourly,
// @every 10m), with an optional CRON_TZ=/TZ= prefix. Without a prefix the
// schedule runs in tz, or UTC when tz is empty, so that replicas whose machines
// have different local zones still agree on tick times.
func parseCron(expr, tz string) (cron.Schedule, *time.Location, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, nil, errors.New("missing cron expression")
	}
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return nil, nil, fmt.Errorf("unknown timezone %q", tz)
		}
		loc = l
	}
	body := expr
	if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
		prefix, rest, ok := strings.Cut(expr, " ")
		_, name, _ := strings.Cut(prefix, "=")
		if !ok || strings.TrimSpace(rest) == "" {
			return nil, nil, fmt.Errorf("invalid cron %q: nothing follows %s", expr, prefix)
		}
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid cron %q: unknown timezone %q", expr, name)
		}
		if tz != "" && l.String() != loc.String() {
			return nil, nil, fmt.Errorf("cron %q names timezone %q but timezone is %q; keep one", expr, name, tz)
		}
		loc, body = l, strings.TrimSpace(rest)
	}

	if d, ok := strings.CutPrefix(body, "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, nil, fmt.Errorf("invalid cron %q: %v", expr, err)
		}
		if every < time.Second || every%time.Second != 0 {
			return nil, nil, fmt.Errorf("invalid cron %q: @every needs a whole number of seconds, at least 1s", expr)
		}
		return AlignedEvery{Interval: every}, loc, nil
	}

	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	sched, err := safeParse(parser, body)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid cron %q: %v (want 5 fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly, @every 10m)", expr, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		// Without this the library would use the zone of the time it is given.
		spec.Location = loc
	}
	// The library gives up (zero time) on dates that never exist, such as 30 February.
	if sched.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, nil, fmt.Errorf("invalid cron %q: it never fires", expr)
	}
	return sched, loc, nil
}

func safeParse(p cron.Parser, s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return p.Parse(s)
}

func parseDuration(field, s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration (write e.g. 30s, 10m, 1h30m)", field, s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%s %q is negative", field, s)
	}
	return d, nil
}

func checkWebhook(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AlignedEvery fires at whole multiples of Interval since the Unix epoch, so
// that replicas started at different moments agree on tick times (cron's own
// @every counts from whenever it was started).
type AlignedEvery struct {
	Interval time.Duration
}

// Next returns the first multiple of Interval since the epoch strictly after t.
func (a AlignedEvery) Next(t time.Time) time.Time {
	return a.Prev(t).Add(a.Interval)
}

// Prev returns the last multiple of Interval since the epoch at or before t.
func (a AlignedEvery) Prev(t time.Time) time.Time {
	n := t.UnixNano()
	iv := int64(a.Interval)
	q := n / iv
	if n%iv < 0 {
		q--
	}
	return time.Unix(0, q*iv).In(t.Location())
}
