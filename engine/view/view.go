// Package view is the only part of strata that writes to a terminal. It turns
// the engine's events into the lines dbt prints: text (coloured on a
// terminal, plain on a pipe) or dbt's structured JSON lines, and a debug log
// file (logs/strata.log) beside the console. Each line is written whole under
// a lock, so parallel workers never interleave their output.
//
// A Printer is safe for concurrent use.
package view

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/result"
)

// Format is text or json.
type Format string

const (
	Text Format = "text"
	JSON Format = "json"
	// Debug is the log file's layout: microsecond times, the level and the
	// thread on every line (dbt's "debug" log format).
	Debug Format = "debug"
)

// Level is how severe a line is; a console or log file shows the lines at or
// above its level.
type Level int

const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarn
	LevelError
	// LevelNone shows nothing.
	LevelNone
)

func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelWarn:
		return "warn"
	case LevelError:
		return "error"
	case LevelNone:
		return "none"
	}
	return "info"
}

// ParseLevel reads dbt's level names: debug, info, warn, error, none.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return LevelDebug, nil
	case "", "info":
		return LevelInfo, nil
	case "warn", "warning":
		return LevelWarn, nil
	case "error":
		return LevelError, nil
	case "none":
		return LevelNone, nil
	}
	return LevelInfo, fmt.Errorf("%q is not a log level: use debug, info, warn, error or none", s)
}

// Printer writes events and messages.
type Printer struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
	// logOut takes the run log (headers, node lines, the summary): stdout,
	// or stderr for commands whose stdout is data (ls, show, compile).
	logOut io.Writer
	format Format
	color  bool
	quiet  bool
	level  Level
	width  int

	file       io.Writer
	fileLevel  Level
	fileFormat Format

	invocationID string
	pid          int

	// Node lines wait in queue and are written off the executing thread:
	// formatting them cost a run ~25 µs per node on its critical path (a
	// 1,000-view PostgreSQL run at --threads 1 spent 23 ms on them). Every
	// other line flushes the queue first, so the order of lines is the order
	// of events. fmu serialises flushes; qmu guards the queue.
	fmu     sync.Mutex
	qmu     sync.Mutex
	queue   []result.Event
	flusher *time.Timer

	// TargetDir is used to name compiled files in error summaries.
	TargetDir string
	// ProjectDir makes paths relative in messages.
	ProjectDir string
}

// New returns a printer. Colour is on only for text output to a terminal and
// when NO_COLOR is unset.
func New(out, errOut io.Writer, format Format, quiet bool) *Printer {
	p := &Printer{out: out, errOut: errOut, logOut: out, format: format, quiet: quiet, level: LevelInfo, width: 80, pid: os.Getpid()}
	// Colour only when both streams are terminals: one painter serves both, and
	// escape codes must never land in a redirected file.
	p.color = format != JSON && os.Getenv("NO_COLOR") == "" && isTerminal(out) && isTerminal(errOut)
	return p
}

// Settings tune a Printer beyond New's.
type Settings struct {
	// Level is the console's threshold (LevelInfo unless --debug or --log-level).
	Level Level
	// Width pads node lines with dots to this many characters (dbt's
	// printer width, 80 when zero).
	Width int
	// NoColor turns colour off even on a terminal (--no-use-colors).
	NoColor bool
	// LogToStderr sends the run log to stderr: for commands whose stdout is
	// data (ls, show, compile of one node).
	LogToStderr bool
	// InvocationID is stamped on JSON lines and the log file's header.
	InvocationID string
}

// Configure applies s.
func (p *Printer) Configure(s Settings) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.level = s.Level
	if s.Width > 0 {
		p.width = s.Width
	}
	if s.NoColor {
		p.color = false
	}
	if s.LogToStderr {
		p.logOut = p.errOut
	}
	p.invocationID = s.InvocationID
}

// SetLogFile copies every line at or above level to w (the log file), in
// format Debug (dbt's log file layout), Text or JSON. It writes the
// invocation's separator line first, as dbt does in logs/dbt.log.
func (p *Printer) SetLogFile(w io.Writer, level Level, format Format) {
	p.Flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.file, p.fileLevel, p.fileFormat = w, level, format
	if format != JSON && level != LevelNone {
		fmt.Fprintf(w, "\n\n%s %s | %s %s\n", strings.Repeat("=", 30), time.Now().Format("15:04:05.000000"), p.invocationID, strings.Repeat("=", 30))
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && f.Name() != os.DevNull
}

const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
	reset  = "\x1b[0m"
)

// record is one line (or block of lines) of the log, as dbt's events are:
// a name and code, a level, the message and the event's data.
type record struct {
	name, code string
	level      Level
	msg        string // plain text, without the time
	// painted is msg with colour codes (text on a terminal); empty: msg.
	painted string
	data    map[string]any
	// lazy, when data is nil, makes it: only JSON lines read the data, and a
	// run's per-node lines are built on the node's critical path.
	lazy   func() map[string]any
	t      time.Time
	thread string
	// stderr puts a text line on stderr rather than the run log stream.
	stderr bool
	// bare text lines carry no time ("error: …", command output).
	bare bool
	// keep shows the line under -q (the summary).
	keep bool
}

// lineDelay is how long a node line may wait in the queue: unnoticeable on
// a console, and long enough that a run's lines are written in batches.
const lineDelay = 15 * time.Millisecond

// enqueue queues a node event; the first of a batch starts the flusher's
// timer.
func (p *Printer) enqueue(e result.Event) {
	p.qmu.Lock()
	p.queue = append(p.queue, e)
	if len(p.queue) == 1 {
		if p.flusher == nil {
			p.flusher = time.AfterFunc(lineDelay, p.Flush)
		} else {
			p.flusher.Reset(lineDelay)
		}
	}
	p.qmu.Unlock()
}

// Flush writes the node lines still queued. Every other line flushes first;
// a caller that ends the output (closing the log file, a scheduled run's
// end) calls it so no line is lost.
func (p *Printer) Flush() {
	p.fmu.Lock()
	defer p.fmu.Unlock()
	p.qmu.Lock()
	q := p.queue
	p.queue = nil
	p.qmu.Unlock()
	for _, e := range q {
		switch e.Kind {
		case result.NodeStarted:
			p.started(e)
		case result.NodeFinished:
			p.finished(e)
		}
	}
}

// emit writes r after the queued node lines.
func (p *Printer) emit(r record) {
	p.Flush()
	p.put(r)
}

// put writes r to the log file and the console, each as its level allows.
func (p *Printer) put(r record) {
	if r.t.IsZero() {
		r.t = time.Now()
	}
	if r.thread == "" {
		r.thread = "MainThread"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.file != nil && p.fileLevel != LevelNone && r.level >= p.fileLevel {
		p.writeLine(p.file, p.fileFormat, r, false)
	}
	if !p.shows(r) {
		return
	}
	if p.format == JSON {
		// JSON lines all go to the run log stream: stdout, or stderr for
		// commands whose stdout is data.
		p.writeLine(p.logOut, JSON, r, false)
		return
	}
	w := p.logOut
	if r.stderr {
		w = p.errOut
	}
	p.writeLine(w, p.format, r, p.color)
}

// logsDebug says whether a debug line would be written anywhere, so a
// costly one (a node's SQL) is built only then.
func (p *Printer) logsDebug() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return (p.file != nil && p.fileLevel <= LevelDebug) || p.shows(record{level: LevelDebug})
}

func (p *Printer) shows(r record) bool {
	if p.level == LevelNone {
		return false
	}
	if p.quiet {
		return r.level >= LevelWarn || r.keep
	}
	return r.level >= p.level
}

func (p *Printer) writeLine(w io.Writer, format Format, r record, color bool) {
	switch format {
	case JSON:
		data := r.data
		if data == nil && r.lazy != nil {
			data = r.lazy()
		}
		if data == nil {
			data = map[string]any{}
		}
		info := map[string]any{
			"name": r.name, "code": r.code, "msg": r.msg, "level": r.level.String(),
			"ts": r.t.UTC().Format("2006-01-02T15:04:05.000000Z"), "invocation_id": p.invocationID,
			"pid": p.pid, "thread": r.thread, "category": "", "extra": map[string]any{},
		}
		b, err := json.Marshal(map[string]any{"info": info, "data": data})
		if err != nil {
			b, _ = json.Marshal(map[string]any{"info": info, "data": map[string]any{"error": err.Error()}})
		}
		w.Write(append(b, '\n'))
	case Debug:
		// dbt's log-file layout: "15:04:05.000000 [info ] [Thread-1]: text",
		// the header once per record; the further lines of a multi-line
		// message (a node's SQL) follow as written, as in dbt.log.
		level := r.level.String()
		b := make([]byte, 0, 32+len(r.thread)+len(r.msg))
		b = r.t.AppendFormat(b, "15:04:05.000000")
		b = append(b, " ["...)
		b = append(b, level...)
		for i := len(level); i < 5; i++ {
			b = append(b, ' ')
		}
		b = append(b, "] ["...)
		b = append(b, r.thread...)
		b = append(b, "]: "...)
		b = append(b, r.msg...)
		b = append(b, '\n')
		w.Write(b)
	default:
		text := r.msg
		if color && r.painted != "" {
			text = r.painted
		}
		var b strings.Builder
		stamp := r.t.Format("15:04:05")
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimRight(l, " \t")
			if r.bare {
				b.WriteString(l)
			} else if l == "" {
				b.WriteString(stamp)
			} else {
				b.WriteString(stamp + "  " + l)
			}
			b.WriteByte('\n')
		}
		io.WriteString(w, b.String())
	}
}

func (p *Printer) paint(color, s string) string {
	return color + s + reset
}

// Header is dbt's first line: "Running with strata=0.1.0".
func (p *Printer) Header(version string) {
	p.emit(record{name: "MainReportVersion", code: "A001", level: LevelInfo, msg: "Running with strata=" + version,
		data: map[string]any{"version": "=" + version, "log_version": 3}})
}

// Adapter is dbt's "Registered adapter: duckdb=1.4.5" line.
func (p *Printer) Adapter(name, version string) {
	p.emit(record{name: "AdapterRegistered", code: "E034", level: LevelInfo, msg: "Registered adapter: " + name + "=" + version,
		data: map[string]any{"adapter_name": name, "adapter_version": "=" + version}})
}

// Event implements result.Observer.
func (p *Printer) Event(e result.Event) {
	switch e.Kind {
	case result.RunStarted:
		p.emit(record{name: "NodesToRun", code: "Q040", level: LevelDebug, t: e.Time, msg: fmt.Sprintf("Running %d %s", e.Total, plural(e.Total, "node", "nodes")), data: map[string]any{"total": e.Total}})
	case result.Parsed:
		if e.Stats != nil {
			line := statLine(e.Stats.Counts)
			p.emit(record{name: "FoundStats", code: "W006", level: LevelInfo, t: e.Time, msg: "Found " + line, data: map[string]any{"stat_line": line}})
		}
	case result.Starting:
		if e.Stats != nil {
			p.blank(e.Time)
			p.emit(record{name: "ConcurrencyLine", code: "Q027", level: LevelInfo, t: e.Time,
				msg:  fmt.Sprintf("Concurrency: %d %s (target='%s')", e.Stats.Threads, plural(e.Stats.Threads, "thread", "threads"), e.Stats.Target),
				data: map[string]any{"num_threads": e.Stats.Threads, "target_name": e.Stats.Target}})
			p.blank(e.Time)
		}
	case result.NodeStarted, result.NodeFinished:
		p.enqueue(e)
	case result.RunFinished:
		p.summary(e)
	case result.Info:
		r := record{name: "Note", code: "Z050", level: LevelInfo, t: e.Time, msg: e.Message, data: map[string]any{"msg": e.Message}}
		if e.Debug {
			r.name, r.code, r.level = "JinjaLogDebug", "I063", LevelDebug
		}
		p.emit(r)
	case result.Diagnostics:
		p.Diagnostics(e.Diags)
	case result.Warning:
		// Warnings go to stderr so piped output (ls, show --output csv) stays clean.
		p.emit(record{name: "RunResultWarningMessage", code: "Z046", level: LevelWarn, t: e.Time, stderr: true,
			msg: "warning: " + e.Message, painted: p.paint(yellow, "warning: ") + e.Message,
			data: map[string]any{"msg": e.Message, "unique_id": e.UniqueID}})
	}
}

func (p *Printer) blank(t time.Time) {
	p.emit(record{name: "Formatting", code: "Z017", level: LevelInfo, t: t, msg: ""})
}

// statLine is dbt's count of a project: "2 models, 1 seed, 4 data tests, 417 macros".
func statLine(counts map[string]int) string {
	order := []struct{ key, one, many string }{
		{"model", "model", "models"}, {"seed", "seed", "seeds"}, {"snapshot", "snapshot", "snapshots"},
		{"analysis", "analysis", "analyses"}, {"test", "data test", "data tests"}, {"unit_test", "unit test", "unit tests"},
		{"source", "source", "sources"}, {"exposure", "exposure", "exposures"}, {"operation", "operation", "operations"},
		{"macro", "macro", "macros"}, {"group", "group", "groups"},
	}
	var parts []string
	seen := map[string]bool{}
	for _, o := range order {
		seen[o.key] = true
		if n := counts[o.key]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, o.one, o.many)))
		}
	}
	var rest []string
	for k := range counts {
		if !seen[k] && counts[k] > 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], strings.ReplaceAll(k, "_", " ")))
	}
	if len(parts) == 0 {
		return "0 nodes"
	}
	return strings.Join(parts, ", ")
}

// describe is how dbt names a node on its START line: "sql view model
// main.stg_orders", "seed file main.raw_orders", "snapshot snapshots.x",
// "test not_null_orders_id", "freshness of raw.orders".
func describe(e result.Event) string {
	rel := e.RelationName
	if rel == "" {
		rel = e.Name
	}
	switch e.ResourceType {
	case "model":
		m := e.Materialized
		if m == "" {
			m = "view"
		}
		return "sql " + m + " model " + rel
	case "seed":
		return "seed file " + rel
	case "snapshot":
		return "snapshot " + rel
	case "test":
		return "test " + e.Name
	case "unit_test":
		return "unit_test " + e.Name
	case "source":
		return "freshness of " + e.Name
	case "clone":
		return "clone of " + e.Name
	}
	if e.ResourceType == "" {
		return e.Name
	}
	return strings.ReplaceAll(e.ResourceType, "_", " ") + " " + e.Name
}

func (p *Printer) started(e result.Event) {
	plain, painted := p.fancy(e.Index, e.Total, "START "+describe(e), "RUN", "", nil)
	p.put(record{name: "LogStartLine", code: "Q011", level: LevelInfo, t: e.Time, msg: plain, painted: painted,
		lazy: func() map[string]any {
			return map[string]any{"description": describe(e), "index": e.Index, "total": e.Total, "node_info": nodeInfo(e, "started")}
		}})
}

// fancy is dbt's node line: "N of M MESSAGE ........ [STATUS in 0.12s]",
// padded with dots to the printer width; only the status is coloured.
func (p *Printer) fancy(index, total int, msg, status, colour string, secs *float64) (plain, painted string) {
	prefix := msg + " "
	if index > 0 && total > 0 {
		prefix = fmt.Sprintf("%d of %d %s", index, total, prefix)
	}
	if n := utf8.RuneCountInString(prefix); n < p.width {
		prefix += strings.Repeat(".", p.width-n)
	}
	tail := ""
	if secs != nil {
		tail = fmt.Sprintf(" in %.2fs", *secs)
	}
	plain = prefix + " [" + status + tail + "]"
	painted = plain
	if colour != "" {
		painted = prefix + " [" + p.paint(colour, status) + tail + "]"
	}
	return plain, painted
}

func (p *Printer) finished(e result.Event) {
	r := e.Result
	desc := describe(e)
	var msg, status, colour, name, code string
	level := LevelInfo
	secs := &r.ExecutionTime
	failures := deref(r.Failures)
	switch {
	case r.Status == result.Skipped:
		name, code, status, colour, secs = "SkippingDetails", "Q034", "SKIP", yellow, nil
		switch e.ResourceType {
		case "model", "seed", "snapshot":
			rel := e.RelationName
			if rel == "" {
				rel = e.Name
			}
			msg = "SKIP relation " + rel
		default:
			msg = "SKIP " + desc
		}
	case r.Status == result.Cancelled:
		name, code, status, colour, level = "LogCancelLine", "Q022", "CANCELLED", red, LevelError
		msg = "CANCEL " + desc
	case e.ResourceType == "test" || e.ResourceType == "unit_test":
		// dbt's lines for data and unit tests alike: "PASS name", "FAIL 3 name".
		name, code = "LogTestResult", "Q007"
		switch r.Status {
		case result.Pass, result.Success:
			status, colour = "PASS", green
		case result.Warn:
			status, colour, level = fmt.Sprintf("WARN %d", failures), yellow, LevelWarn
		case result.Fail:
			status, colour, level = fmt.Sprintf("FAIL %d", failures), red, LevelError
			if e.ResourceType == "unit_test" && failures == 0 {
				status = "FAIL"
			}
		default:
			status, colour, level = "ERROR", red, LevelError
		}
		msg = status + " " + e.Name
	case e.ResourceType == "source":
		name, code = "LogFreshnessResult", "Q018"
		switch r.Status {
		case result.Pass, result.Success:
			status, colour = "PASS", green
		case result.Warn:
			status, colour, level = "WARN", yellow, LevelWarn
		case result.Error:
			status, colour, level = "ERROR STALE", red, LevelError
		default:
			status, colour, level = "ERROR", red, LevelError
		}
		msg = status + " " + desc
	default:
		ok := r.Status == result.Success || r.Status == result.Pass
		status, colour = "OK", green
		if r.AdapterResponse.Message != "" {
			status = r.AdapterResponse.Message
		}
		if !ok {
			status, colour, level = "ERROR", red, LevelError
		}
		switch e.ResourceType {
		case "seed":
			name, code = "LogSeedResult", "Q016"
			msg = map[bool]string{true: "OK loaded ", false: "ERROR loading "}[ok] + desc
		case "clone":
			name, code = "LogModelResult", "Q012"
			msg = map[bool]string{true: "OK cloned ", false: "ERROR cloning "}[ok] + e.Name
		case "snapshot":
			name, code = "LogSnapshotResult", "Q015"
			rel := strings.TrimPrefix(desc, "snapshot ")
			msg = map[bool]string{true: "OK snapshotted ", false: "ERROR snapshotting "}[ok] + rel
		default:
			name, code = "LogModelResult", "Q012"
			msg = map[bool]string{true: "OK created ", false: "ERROR creating "}[ok] + desc
		}
	}
	plain, painted := p.fancy(e.Index, e.Total, msg, status, colour, secs)
	if why := extra(e); why != "" {
		plain += why
		painted += why
	}
	lazy := func() map[string]any {
		data := map[string]any{"description": desc, "index": e.Index, "total": e.Total, "status": string(r.Status),
			"execution_time": r.ExecutionTime, "node_info": nodeInfo(e, string(r.Status))}
		if r.Failures != nil {
			data["num_failures"] = *r.Failures
		}
		if r.Message != "" {
			data["msg"] = r.Message
		}
		if r.AdapterResponse.RowsAffected != nil {
			data["rows_affected"] = *r.AdapterResponse.RowsAffected
		}
		return data
	}
	rec := record{name: name, code: code, level: level, t: e.Time, msg: plain, painted: painted, lazy: lazy, thread: r.ThreadID}
	// -q keeps failures, errors and cancellations; skips are in the summary.
	rec.keep = r.Status == result.Error || r.Status == result.Fail || r.Status == result.Cancelled || r.Status == result.RuntimeErr
	p.put(rec)
	if len(r.Statements) > 0 && p.logsDebug() {
		sql := strings.Join(r.Statements, ";\n")
		p.put(record{name: "SQLQuery", code: "E016", level: LevelDebug, t: e.Time, thread: r.ThreadID,
			msg: "On " + e.UniqueID + ":\n" + sql,
			lazy: func() map[string]any {
				return map[string]any{"conn_name": e.UniqueID, "sql": sql, "node_info": nodeInfo(e, string(r.Status))}
			}})
	}
}

// extra is what strata says beyond dbt's node line: why a node was skipped,
// and how old a source's newest row is.
func extra(e result.Event) string {
	r := e.Result
	if r.Message == "" {
		return ""
	}
	if r.Status == result.Skipped || e.ResourceType == "source" {
		return ": " + r.Message
	}
	return ""
}

func nodeInfo(e result.Event, status string) map[string]any {
	info := map[string]any{
		"unique_id": e.UniqueID, "resource_type": e.ResourceType, "node_name": e.Name,
		"materialized": e.Materialized, "node_status": status,
		"node_relation": map[string]any{"relation_name": e.RelationName},
	}
	if e.Result != nil && e.Result.Node != nil {
		info["node_path"] = e.Result.Node.Path
	}
	if e.Result != nil {
		for _, t := range e.Result.Timing {
			if t.Name == "execute" {
				info["node_started_at"] = t.StartedAt.UTC().Format(time.RFC3339Nano)
				info["node_finished_at"] = t.CompletedAt.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	return info
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// summary is dbt's end of a run: what ran and how long it took, "Completed
// successfully" or the problems, each with its file and compiled code, and
// "Done. PASS=… TOTAL=…".
func (p *Printer) summary(e result.Event) {
	rr := e.Results
	c := rr.Count()
	t := e.Time
	secs := e.Elapsed.Seconds()
	ran := finishedLine(rr)
	p.blank(t)
	p.emit(record{name: "FinishedRunningStats", code: "E047", level: LevelInfo, t: t,
		msg:  fmt.Sprintf("Finished running %s in %s (%.2fs).", ran, hms(e.Elapsed), secs),
		data: map[string]any{"stat_line": ran, "execution": hms(e.Elapsed), "execution_time": secs}})
	var errs, warns []*result.NodeResult
	for _, r := range rr.Results {
		switch r.Status {
		case result.Error, result.Fail, result.Cancelled, result.RuntimeErr:
			errs = append(errs, r)
		case result.Warn:
			warns = append(warns, r)
		}
	}
	byID := func(s []*result.NodeResult) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].UniqueID < s[j].UniqueID })
	}
	byID(errs)
	byID(warns)
	nErr := len(errs)
	p.blank(t)
	switch {
	case c.Cancelled > 0:
		m := "Exited because the run was cancelled"
		p.emit(record{name: "EndOfRunSummary", code: "Z030", level: LevelError, t: t, keep: true, msg: m, painted: p.paint(yellow, m),
			data: map[string]any{"num_errors": nErr, "num_warnings": len(warns), "keyboard_interrupt": true}})
	case nErr > 0:
		m := fmt.Sprintf("Completed with %d %s and %d %s:", nErr, plural(nErr, "error", "errors"), len(warns), plural(len(warns), "warning", "warnings"))
		p.emit(record{name: "EndOfRunSummary", code: "Z030", level: LevelError, t: t, keep: true, msg: m, painted: p.paint(red, m),
			data: map[string]any{"num_errors": nErr, "num_warnings": len(warns)}})
	case len(warns) > 0:
		m := fmt.Sprintf("Completed with %d %s:", len(warns), plural(len(warns), "warning", "warnings"))
		p.emit(record{name: "EndOfRunSummary", code: "Z030", level: LevelWarn, t: t, keep: true, msg: m, painted: p.paint(yellow, m),
			data: map[string]any{"num_errors": 0, "num_warnings": len(warns)}})
	default:
		m := "Completed successfully"
		p.emit(record{name: "EndOfRunSummary", code: "Z030", level: LevelInfo, t: t, msg: m, painted: p.paint(green, m),
			data: map[string]any{"num_errors": 0, "num_warnings": 0}})
	}
	for _, r := range errs {
		p.problem(t, r)
	}
	for _, r := range warns {
		p.problem(t, r)
	}
	p.blank(t)
	line := fmt.Sprintf("Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", c.Pass, c.Warn, c.Error, c.Skip, c.Total)
	if c.Cancelled > 0 {
		line = fmt.Sprintf("Done. PASS=%d WARN=%d ERROR=%d SKIP=%d CANCELLED=%d TOTAL=%d", c.Pass, c.Warn, c.Error, c.Skip, c.Cancelled, c.Total)
	}
	colour := green
	switch {
	case c.Error > 0 || c.Cancelled > 0:
		colour = red
	case c.Warn > 0:
		colour = yellow
	}
	p.emit(record{name: "StatsLine", code: "Z023", level: LevelInfo, t: t, keep: true, msg: line, painted: p.paint(colour, line),
		data: map[string]any{"stats": map[string]int{"pass": c.Pass, "warn": c.Warn, "error": c.Error, "skip": c.Skip, "cancelled": c.Cancelled, "total": c.Total}}})
}

// finishedLine counts what ran as dbt does: "2 seeds, 3 view models, 1
// table model, 5 data tests, 1 project hook".
func finishedLine(rr *result.RunResults) string {
	counts := map[string]int{}
	var order []string
	add := func(k string) {
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	for _, r := range rr.Results {
		switch {
		case r.Node != nil && r.Node.ResourceType == "model":
			m := r.Node.Config.Materialized
			if m == "" {
				m = "view"
			}
			add(m + " model")
		case r.Node != nil:
			add(string(r.Node.ResourceType))
		case strings.HasPrefix(r.UniqueID, "operation."):
			add("project hook")
		default:
			kind, _, _ := strings.Cut(r.UniqueID, ".")
			add(kind)
		}
	}
	rank := func(k string) int {
		switch {
		case k == "seed":
			return 0
		case k == "view model":
			return 1
		case k == "table model":
			return 2
		case k == "incremental model":
			return 3
		case strings.HasSuffix(k, " model"):
			return 4
		case k == "snapshot":
			return 5
		case k == "test":
			return 6
		case k == "source":
			return 7
		case k == "project hook":
			return 9
		}
		return 8
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	if len(order) == 0 {
		return "0 nodes"
	}
	parts := make([]string, len(order))
	for i, k := range order {
		n := counts[k]
		label := k
		switch k {
		case "test":
			label = "data test"
		case "source":
			label = "source"
		}
		if n != 1 {
			switch {
			case strings.HasSuffix(label, "analysis"):
				label = strings.TrimSuffix(label, "analysis") + "analyses"
			default:
				label += "s"
			}
		}
		parts[i] = fmt.Sprintf("%d %s", n, strings.ReplaceAll(label, "_", " "))
	}
	return strings.Join(parts, ", ")
}

// hms is dbt's "0 hours 0 minutes and 1.23 seconds".
func hms(d time.Duration) string {
	s := d.Seconds()
	h := int(s) / 3600
	m := (int(s) % 3600) / 60
	rest := s - float64(h*3600+m*60)
	return fmt.Sprintf("%d hours %d minutes and %.2f seconds", h, m, rest)
}

// problem repeats one failure at the end of a run: what failed and where,
// what the database said (or the failing rows of a test) and where its
// compiled SQL is.
func (p *Printer) problem(t time.Time, r *result.NodeResult) {
	n := r.Node
	kind, name, file := "node", r.UniqueID, ""
	if n != nil {
		kind, name, file = string(n.ResourceType), n.Name, n.OriginalFilePath
	}
	p.blank(t)
	head, colour, level := "Error in", red, LevelError
	rname, code := "RunResultError", "Z024"
	switch r.Status {
	case result.Warn:
		head, colour, level, rname, code = "Warning in", yellow, LevelWarn, "RunResultWarning", "Z021"
	case result.Fail:
		head, rname, code = "Failure in", "RunResultFailure", "Z022"
	case result.Cancelled:
		head = "Cancelled"
	}
	where := ""
	if file != "" {
		where = " (" + file + ")"
	}
	first := fmt.Sprintf("%s %s %s%s", head, kind, name, where)
	p.emit(record{name: rname, code: code, level: level, t: t, keep: true, msg: first, painted: p.paint(colour, head) + first[len(head):],
		data: map[string]any{"resource_type": kind, "node_name": name, "path": file, "unique_id": r.UniqueID}})
	var body strings.Builder
	// The executor names the node in front of the database's message; the
	// header line already does.
	msg := strings.TrimPrefix(strings.TrimSpace(r.Message), r.UniqueID+": ")
	for _, l := range strings.Split(msg, "\n") {
		body.WriteString("  " + l + "\n")
	}
	if r.SampleRows != nil && len(r.SampleRows.Rows) > 0 {
		body.WriteString(indent(FormatTable(r.SampleRows.Columns, r.SampleRows.Rows), "  "))
	}
	p.emit(record{name: "RunResultError", code: "Z024", level: level, t: t, keep: true, msg: strings.TrimRight(body.String(), "\n"),
		data: map[string]any{"msg": r.Message}})
	if n != nil && r.CompiledCode != "" && p.TargetDir != "" {
		p.blank(t)
		path := compiledPath(p.TargetDir, p.ProjectDir, n)
		p.emit(record{name: "SQLCompiledPath", code: "Z026", level: level, t: t, keep: true, msg: "  compiled code at " + path,
			data: map[string]any{"path": path}})
	}
	if r.RelationName != "" && n != nil && n.ResourceType == "test" && (r.Status == result.Fail || r.Status == result.Warn) {
		sel := "select * from " + r.RelationName
		border := strings.Repeat("-", len(sel))
		p.blank(t)
		p.emit(record{name: "CheckNodeTestFailure", code: "Z027", level: level, t: t, keep: true,
			msg: "  See test failures:\n  " + border + "\n  " + sel + "\n  " + border, data: map[string]any{"relation_name": r.RelationName}})
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Diagnostics prints compile-time problems, one per line, errors last.
func (p *Printer) Diagnostics(ds diag.Diagnostics) {
	ds.Sort()
	for _, d := range ds.Warnings() {
		p.emit(record{name: d.Name(), code: "I000", level: LevelWarn, stderr: true, bare: true,
			msg: "warning: " + d.Error(), painted: p.paint(yellow, "warning: ") + d.Error(),
			data: map[string]any{"file": d.File, "line": d.Line, "summary": d.Summary, "detail": d.Detail}})
	}
	for _, d := range ds.Errors() {
		p.emit(record{name: d.Name(), code: "Z002", level: LevelError, stderr: true, bare: true,
			msg: "error: " + d.Error(), painted: p.paint(red, "error: ") + d.Error(),
			data: map[string]any{"file": d.File, "line": d.Line, "summary": d.Summary, "detail": d.Detail}})
	}
}

// Error prints one error line to stderr.
func (p *Printer) Error(err error) {
	p.emit(record{name: "MainEncounteredError", code: "Z002", level: LevelError, stderr: true, bare: true,
		msg: "error: " + err.Error(), painted: p.paint(red, "error: ") + err.Error(),
		data: map[string]any{"exc": err.Error()}})
}

// Notice prints an informational line to stderr (e.g. which profile is used),
// unless quiet.
func (p *Printer) Notice(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.emit(record{name: "Note", code: "Z050", level: LevelInfo, stderr: true, msg: msg, data: map[string]any{"msg": msg}})
}

// Debugf writes a debug line (the console shows it with --debug; the log
// file always has it).
func (p *Printer) Debugf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.emit(record{name: "Note", code: "Z050", level: LevelDebug, stderr: true, msg: msg, data: map[string]any{"msg": msg}})
}

// Output writes command output (ls, show, compile --inline) to stdout verbatim.
func (p *Printer) Output(s string) {
	p.Flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, s)
}
