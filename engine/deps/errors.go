package deps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
)

// Error is a failure to get one package: which package, from which source,
// who asked for it, what went wrong and how to fix it. Its message is one
// line and never holds a secret.
type Error struct {
	Source  Source
	Package string // as shown: Hub name, git URL as written, local path
	File    string // where the package is written ("packages.yml"), when it is the root project's
	Line    int
	By      string // the requiring package, when it is not the root project
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	d := e.Diagnostic()
	return d.Error()
}

// Diagnostic is the error as a positioned diagnostic (the CLI prints these).
func (e *Error) Diagnostic() diag.Diagnostic {
	summary := fmt.Sprintf("%s package %s", e.Source, e.Package)
	if e.Source == "" {
		summary = "package " + e.Package
	}
	if e.By != "" {
		summary += " (required by " + e.By + ")"
	}
	detail := e.Problem
	if e.Fix != "" {
		detail += "; " + e.Fix
	}
	return diag.Diagnostic{File: e.File, Line: e.Line, Summary: summary, Detail: detail}
}

// Is makes errors.Is(err, diag.ErrInvalidProject) true: a package that cannot
// be had stops deps before anything is installed, like an invalid project.
func (e *Error) Is(target error) bool { return target == diag.ErrInvalidProject }

// errFor makes an Error about the package s names, placed where s is written.
func errFor(s *spec, problem, fix string) *Error {
	e := &Error{Source: s.source, Package: s.display(), Problem: problem, Fix: fix}
	if s.file != "" && s.by == s.file {
		e.File, e.Line = s.file, s.line
	} else {
		e.By = s.by
	}
	return e
}

// place fills in where a package error's package was asked for, when the
// error was raised without knowing it.
func place(err error, s *spec) error {
	var e *Error
	if errors.As(err, &e) && e.File == "" && e.By == "" {
		if s.file != "" && s.by == s.file {
			e.File, e.Line = s.file, s.line
		} else {
			e.By = s.by
		}
		if e.Source == "" || e.Package == "" || strings.HasPrefix(e.Package, "index") {
			e.Source, e.Package = s.source, s.display()
		}
	}
	return err
}
