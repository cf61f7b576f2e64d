package duckdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
)

// mapError keeps DuckDB's own message (it names the table, column or syntax
// problem) and turns an interrupted query into one line wrapping the context's
// error, so callers can tell a cancellation from a SQL error. (The driver joins
// the context error and DuckDB's "INTERRUPT Error: Interrupted!", which says
// nothing more, on two lines.) Transaction conflicts wrap adapter.ErrConflict,
// and a `create or replace` over a relation of another kind
// adapter.ErrCannotReplace.
func mapError(_ context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("duckdb interrupted the query: %w", context.DeadlineExceeded)
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) || strings.Contains(msg, "INTERRUPT Error") || strings.Contains(msg, "Interrupted") {
		return fmt.Errorf("duckdb interrupted the query: %w", context.Canceled)
	}
	switch {
	case isConflict(err):
		return fmt.Errorf("%w: %w", adapter.ErrConflict, err)
	case strings.Contains(msg, "Existing object") && strings.Contains(msg, "trying to replace"):
		return fmt.Errorf("%w: %w", adapter.ErrCannotReplace, err)
	}
	return err
}

// isConflict reports DuckDB's transaction conflict errors, which a retry of
// the whole transaction resolves.
func isConflict(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "write-write conflict") ||
		strings.Contains(msg, "Catalog write-write conflict") ||
		(strings.Contains(msg, "TransactionContext Error") && strings.Contains(msg, "onflict"))
}

var lockPID = regexp.MustCompile(`\(PID (\d+)\)`)

// LockedError says which process holds a database file's lock. It matches
// adapter.ErrUnreachable with errors.Is: the database cannot be used now.
type LockedError struct {
	Path string
	// PID is the holding process, "" when DuckDB did not say.
	PID   string
	Cause error
}

func (e *LockedError) Error() string {
	if e.PID == "" {
		return fmt.Sprintf("%s is in use by another process; stop it or wait for it to finish (%v)", e.Path, e.Cause)
	}
	return fmt.Sprintf("%s is in use by another process (PID %s); stop it or wait for it to finish", e.Path, e.PID)
}

// Unwrap exposes adapter.ErrUnreachable and DuckDB's own error.
func (e *LockedError) Unwrap() []error { return []error{adapter.ErrUnreachable, e.Cause} }

// mapOpenError explains why a database file could not be opened.
func mapOpenError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		pid := ""
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			pid = m[1]
		}
		return &LockedError{Path: path, PID: pid, Cause: err}
	}
	return fmt.Errorf("open duckdb database %s: %w: %w", path, adapter.ErrUnreachable, err)
}
