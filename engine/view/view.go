// Package view is the only part of strata that writes to a terminal. It turns the
// executor's events into lines: text (coloured on a terminal, plain on a pipe) or
// JSON lines. Each event is written whole under a lock, so parallel workers never
// interleave their output.
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

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/result"
)

// Format is text or json.
type Format string

const (
	Text Format = "text"
	JSON Format = "json"
)

// Printer writes events and messages.
type Printer struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
	format Format
	color  bool
	quiet  bool
	// TargetDir is used to name compiled files in error summaries.
	TargetDir string
	// ProjectDir makes paths relative in messages.
	ProjectDir string
}

// New returns a printer. Colour is on only for text output to a terminal and
// when NO_COLOR is unset.
func New(out, errOut io.Writer, format Format, quiet bool) *Printer {
	p := &Printer{out: out, errOut: errOut, format: format, quiet: quiet}
	// Colour only when both streams are terminals: one painter serves both, and
	// escape codes must never land in a redirected file.
	p.color = format != JSON && os.Getenv("NO_COLOR") == "" && isTerminal(out) && isTerminal(errOut)
	return p
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

func (p *Printer) paint(color, s string) string {
	if !p.color {
		return s
	}
	return color + s + reset
}

// Event implements result.Observer.
func (p *Printer) Event(e result.Event) {
	if p.format == JSON {
		p.jsonEvent(e)
		return
	}
	switch e.Kind {
	case result.RunStarted:
		if !p.quiet {
			p.line(e.Time, fmt.Sprintf("Running %d %s", e.Total, plural(e.Total, "node", "nodes")))
		}
	case result.NodeStarted:
		if !p.quiet {
			p.line(e.Time, fmt.Sprintf("%d of %d START %s %s", e.Index, e.Total, kindLabel(e), e.Name+relSuffix(e)))
		}
	case result.NodeFinished:
		// -q keeps errors, failures and cancellations; skips are in the summary.
		if st := e.Result.Status; !p.quiet || st.Blocking() && st != result.Skipped {
			p.finished(e)
		}
	case result.RunFinished:
		p.summary(e)
	case result.Info:
		if !p.quiet && !e.Debug {
			p.line(e.Time, e.Message)
		}
	case result.Diagnostics:
		p.Diagnostics(e.Diags)
	case result.Warning:
		// Warnings go to stderr so piped output (ls, show --output csv) stays clean.
		p.mu.Lock()
		fmt.Fprintf(p.errOut, "%s  %s%s\n", e.Time.Format("15:04:05"), p.paint(yellow, "warning: "), e.Message)
		p.mu.Unlock()
	}
}

func relSuffix(e result.Event) string {
	if e.RelationName == "" {
		return ""
	}
	return " (" + e.RelationName + ")"
}

func kindLabel(e result.Event) string {
	switch e.ResourceType {
	case "model":
		if e.Materialized != "" {
			return e.Materialized + " model"
		}
		return "model"
	case "test":
		return "test"
	}
	return e.ResourceType
}

func (p *Printer) finished(e result.Event) {
	r := e.Result
	var word, colour string
	switch r.Status {
	case result.Success:
		word, colour = "OK", green
	case result.Pass:
		word, colour = "PASS", green
	case result.Warn:
		word, colour = fmt.Sprintf("WARN %d", deref(r.Failures)), yellow
	case result.Fail:
		word, colour = fmt.Sprintf("FAIL %d", deref(r.Failures)), red
	case result.Skipped:
		word, colour = "SKIP", yellow
	case result.Cancelled:
		word, colour = "CANCELLED", red
	default:
		word, colour = "ERROR", red
	}
	detail := ""
	if r.Status == result.Success && r.AdapterResponse.Message != "" {
		detail = " " + r.AdapterResponse.Message
	}
	if e.ResourceType == "source" {
		// Freshness: the status word alone, and how old the newest row is.
		word = strings.ToUpper(string(r.Status))
		if r.Status == result.Pass {
			word = "PASS"
		}
		if r.Message != "" {
			detail = ": " + r.Message
		}
	}
	idx := ""
	if e.Index > 0 {
		idx = fmt.Sprintf("%d of %d ", e.Index, e.Total)
	}
	why := ""
	if r.Status == result.Skipped && r.Message != "" {
		// Say why: the node whose failure (or a failed test on an upstream model) stopped this one.
		why = ": " + r.Message
	}
	p.line(e.Time, fmt.Sprintf("%s%s %s %s [%s%s in %.2fs]%s", idx, p.paint(colour, word), kindLabel(e), e.Name+relSuffix(e), p.paint(colour, word), detail, r.ExecutionTime, why))
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

func (p *Printer) line(t time.Time, s string) {
	if t.IsZero() {
		t = time.Now()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%s  %s\n", t.Format("15:04:05"), s)
}

// summary prints the totals and repeats every problem with its file.
func (p *Printer) summary(e result.Event) {
	rr := e.Results
	c := rr.Count()
	var b strings.Builder
	fmt.Fprintf(&b, "\nFinished running %d %s in %.2fs.\n", c.Total, plural(c.Total, "node", "nodes"), e.Elapsed.Seconds())
	problems := make([]*result.NodeResult, 0)
	for _, r := range rr.Results {
		switch r.Status {
		case result.Error, result.Fail, result.Warn, result.Cancelled, result.RuntimeErr:
			problems = append(problems, r)
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].UniqueID < problems[j].UniqueID })
	for _, r := range problems {
		b.WriteString("\n")
		b.WriteString(p.describe(r))
	}
	if len(problems) > 0 {
		b.WriteString("\n")
	}
	line := fmt.Sprintf("PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", c.Pass, c.Warn, c.Error, c.Skip, c.Total)
	if c.Cancelled > 0 {
		line = fmt.Sprintf("PASS=%d WARN=%d ERROR=%d SKIP=%d CANCELLED=%d TOTAL=%d", c.Pass, c.Warn, c.Error, c.Skip, c.Cancelled, c.Total)
	}
	switch {
	case c.Error > 0 || c.Cancelled > 0:
		line = p.paint(red, line)
	case c.Warn > 0:
		line = p.paint(yellow, line)
	default:
		line = p.paint(green, line)
	}
	b.WriteString(line)
	b.WriteString("\n")
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, b.String())
}

// describe renders one problem: what failed, where its files are, and what the
// database said (or the failing rows of a test).
func (p *Printer) describe(r *result.NodeResult) string {
	var b strings.Builder
	n := r.Node
	kind, name, file := "node", r.UniqueID, ""
	if n != nil {
		kind, name, file = string(n.ResourceType), n.Name, n.OriginalFilePath
	}
	switch r.Status {
	case result.Warn:
		fmt.Fprintf(&b, "%s in %s %s (%s)\n", p.paint(yellow, "Warning"), kind, name, file)
	case result.Fail:
		fmt.Fprintf(&b, "%s in %s %s (%s)\n", p.paint(red, "Failure"), kind, name, file)
	case result.Cancelled:
		fmt.Fprintf(&b, "%s %s %s (%s)\n", p.paint(red, "Cancelled"), kind, name, file)
	default:
		fmt.Fprintf(&b, "%s in %s %s (%s)\n", p.paint(red, "Error"), kind, name, file)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Message), "\n") {
		b.WriteString("  " + l + "\n")
	}
	if r.SampleRows != nil && len(r.SampleRows.Rows) > 0 {
		b.WriteString(indent(FormatTable(r.SampleRows.Columns, r.SampleRows.Rows), "  "))
	}
	if n != nil && r.CompiledCode != "" && p.TargetDir != "" {
		fmt.Fprintf(&b, "  compiled code at %s\n", compiledPath(p.TargetDir, p.ProjectDir, n))
	}
	return b.String()
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
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range ds.Warnings() {
		if p.format == JSON {
			p.writeJSON(map[string]any{"level": "warn", "file": d.File, "line": d.Line, "msg": d.Error()})
			continue
		}
		fmt.Fprintln(p.errOut, p.paint(yellow, "warning: ")+d.Error())
	}
	for _, d := range ds.Errors() {
		if p.format == JSON {
			p.writeJSON(map[string]any{"level": "error", "file": d.File, "line": d.Line, "msg": d.Error()})
			continue
		}
		fmt.Fprintln(p.errOut, p.paint(red, "error: ")+d.Error())
	}
}

// Error prints one error line to stderr.
func (p *Printer) Error(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.format == JSON {
		p.writeJSON(map[string]any{"level": "error", "msg": err.Error()})
		return
	}
	fmt.Fprintln(p.errOut, p.paint(red, "error: ")+err.Error())
}

// Notice prints an informational line to stderr (e.g. which profile is used),
// unless quiet.
func (p *Printer) Notice(format string, args ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if p.format == JSON {
		p.writeJSON(map[string]any{"level": "info", "msg": msg})
		return
	}
	fmt.Fprintln(p.errOut, msg)
}

// Output writes command output (ls, show, compile --inline) to stdout verbatim.
func (p *Printer) Output(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, s)
}

func (p *Printer) jsonEvent(e result.Event) {
	if e.Kind == result.Diagnostics {
		p.Diagnostics(e.Diags)
		return
	}
	if e.Kind == result.Info && e.Debug {
		return
	}
	m := map[string]any{"ts": e.Time.UTC().Format(time.RFC3339Nano)}
	switch e.Kind {
	case result.RunStarted:
		m["event"], m["total"] = "run_started", e.Total
	case result.NodeStarted:
		m["event"], m["index"], m["total"], m["unique_id"], m["relation"] = "node_started", e.Index, e.Total, e.UniqueID, e.RelationName
	case result.NodeFinished:
		r := e.Result
		m["event"], m["index"], m["total"], m["unique_id"], m["relation"] = "node_finished", e.Index, e.Total, e.UniqueID, e.RelationName
		m["status"], m["message"], m["execution_time"] = r.Status, r.Message, r.ExecutionTime
		if r.Failures != nil {
			m["failures"] = *r.Failures
		}
		if r.AdapterResponse.RowsAffected != nil {
			m["rows_affected"] = *r.AdapterResponse.RowsAffected
		}
	case result.RunFinished:
		c := e.Results.Count()
		m["event"], m["elapsed"] = "run_finished", e.Elapsed.Seconds()
		m["pass"], m["warn"], m["error"], m["skip"], m["total"] = c.Pass, c.Warn, c.Error, c.Skip, c.Total
	case result.Info:
		m["event"], m["msg"] = "info", e.Message
	case result.Warning:
		m["event"], m["msg"] = "warning", e.Message
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeJSON(m)
}

func (p *Printer) writeJSON(m map[string]any) {
	b, _ := json.Marshal(m)
	p.out.Write(append(b, '\n'))
}
