// Package diag holds positioned diagnostics: every problem a phase finds, each with
// a short summary, a sentence of detail, the file:line:col it is about (relative to
// the project root) and, for unknown names, a suggestion. Phases collect all of
// their problems into Diagnostics instead of stopping at the first.
//
// Values are plain data; a Diagnostics slice is not safe for concurrent appends.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a diagnostic stops the command.
type Severity int

const (
	// Error stops the command before the warehouse is touched.
	Error Severity = iota
	// Warning is reported and the command carries on.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in the user's files.
type Diagnostic struct {
	Severity Severity
	// Summary is a short lower-case phrase, e.g. "unknown model in ref".
	Summary string
	// Detail is a full sentence saying what is wrong and what to do.
	Detail string
	// File is relative to the project root, with forward slashes; empty when unknown.
	File string
	Line int
	Col  int
	// Suggestion is a "did you mean" candidate, empty when there is none.
	Suggestion string
}

// Pos renders file:line:col, leaving out the parts that are unknown.
func (d Diagnostic) Pos() string {
	if d.File == "" {
		return ""
	}
	switch {
	case d.Line > 0 && d.Col > 0:
		return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)
	case d.Line > 0:
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return d.File
}

// Error renders the diagnostic on one line: "file:line:col: summary: detail".
func (d Diagnostic) Error() string {
	var b strings.Builder
	if p := d.Pos(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString(": ")
		b.WriteString(d.Detail)
	}
	if d.Suggestion != "" && !strings.Contains(d.Detail, "did you mean") {
		fmt.Fprintf(&b, " (did you mean %q?)", d.Suggestion)
	}
	return b.String()
}

// Diagnostics is every problem a phase found.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic and returns the slice, for terse call sites.
func (ds *Diagnostics) Errorf(file string, line int, summary, detailFormat string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, File: file, Line: line, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...)})
}

// Add appends diagnostics.
func (ds *Diagnostics) Add(more ...Diagnostic) { *ds = append(*ds, more...) }

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the error diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warning diagnostics.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Warning {
			out = append(out, d)
		}
	}
	return out
}

// AsErrors returns ds with every warning made an error, as --warn-error
// wants; the detail says why it is one.
func (ds Diagnostics) AsErrors() Diagnostics {
	out := make(Diagnostics, len(ds))
	for i, d := range ds {
		if d.Severity == Warning {
			d.Severity = Error
			if d.Suggestion != "" && !strings.Contains(d.Detail, "did you mean") {
				d.Detail += fmt.Sprintf(" (did you mean %q?)", d.Suggestion)
			}
			d.Suggestion = ""
			d.Detail += "; --warn-error makes this warning an error"
		}
		out[i] = d
	}
	return out
}

// Sort orders diagnostics by file, line, column and summary so output is stable.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Summary < b.Summary
	})
}

// Err returns nil when there are no errors, else an *Error wrapping them all.
func (ds Diagnostics) Err() error {
	errs := ds.Errors()
	if len(errs) == 0 {
		return nil
	}
	errs.Sort()
	return &ErrorList{Diags: errs}
}

// ErrorList is an error made of diagnostics; callers find it with errors.As to
// print each diagnostic and to choose exit code 2 (invalid project).
type ErrorList struct{ Diags Diagnostics }

func (e *ErrorList) Error() string {
	lines := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		lines[i] = d.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrInvalidProject is matched by errors.Is for any *ErrorList: the project,
// profile or command line is invalid and nothing was run.
var ErrInvalidProject = errors.New("invalid project")

// Is makes errors.Is(err, ErrInvalidProject) true for an ErrorList.
func (e *ErrorList) Is(target error) bool { return target == ErrInvalidProject }

// From wraps a single diagnostic as an error.
func From(d Diagnostic) error { return &ErrorList{Diags: Diagnostics{d}} }

// Invalid makes an invalid-project error from a formatted message with no position.
func Invalid(summary, detailFormat string, args ...any) error {
	return From(Diagnostic{Summary: summary, Detail: fmt.Sprintf(detailFormat, args...)})
}
