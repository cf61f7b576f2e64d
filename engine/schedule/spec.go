package schedule

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
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
}

// Name is the schedule's name.
func (p Plan) Name() string { return p.Spec.Name }

// Next is the first tick strictly after t.
func (p Plan) Next(t time.Time) time.Time { return p.Schedule.Next(t) }

// Problem is one thing wrong with one schedule entry.
type Problem struct {
	Schedule string // name as written (may be empty)
	Index    int    // position in `schedules:`, from 0
	Line     int    // line in project.yaml, 0 when unknown
	Reason   string
}

func (p Problem) String() string {
	where := projectFile
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", projectFile, p.Line)
	}
	name := fmt.Sprintf("schedule %q", p.Schedule)
	if p.Schedule == "" {
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
	var msgs []string
	if s.HistoryRetention < 0 {
		msgs = append(msgs, fmt.Sprintf("history_retention is %d; it must be 0 (default 200) or more", s.HistoryRetention))
	}
	if s.Threads < 0 {
		msgs = append(msgs, fmt.Sprintf("threads is %d; it must be 0 (default) or more", s.Threads))
	}
	if err := checkWebhook(s.OnFailureWebhook); err != nil {
		msgs = append(msgs, fmt.Sprintf("on_failure_webhook: %v", err))
	}
	if len(msgs) == 0 {
		return nil
	}
	return settingsError(fmt.Sprintf("%s: scheduler: %s", projectFile, strings.Join(msgs, "; ")))
}

// settingsError is a problem in the `scheduler:` block; it matches ErrInvalid.
type settingsError string

func (e settingsError) Error() string        { return string(e) }
func (e settingsError) Is(target error) bool { return target == ErrInvalid }

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
