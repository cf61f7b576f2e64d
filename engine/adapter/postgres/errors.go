package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-dev/strata/engine/adapter"
)

// mapConnectError wraps a failure to reach the server: adapter.ErrUnreachable,
// the address and the driver's reason (which never includes the password).
func mapConnectError(addr string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code != "57P03" { // cannot_connect_now is unreachable too
		// The server answered: bad password, unknown database, missing role…
		return fmt.Errorf("%w: postgres at %s refused the connection: %s", adapter.ErrUnreachable, addr, pgErr.Message)
	}
	return &unreachableError{addr: addr, reason: connectReason(err), cause: err}
}

// unreachableError is one line naming the server's address and why it could
// not be reached; the driver's multi-line detail stays reachable via Unwrap.
type unreachableError struct {
	addr, reason string
	cause        error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("%v: postgres at %s: %s", adapter.ErrUnreachable, e.addr, e.reason)
}

// Unwrap exposes adapter.ErrUnreachable and the driver's error.
func (e *unreachableError) Unwrap() []error { return []error{adapter.ErrUnreachable, e.cause} }

// connectReason says in one line why a connection attempt failed. pgx reports
// every attempt (TLS, then plain text; each resolved address) on its own line,
// usually with the same cause; the first cause found is the reason.
func connectReason(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("cannot resolve host %q (%s); check host in the profile", dnsErr.Name, dnsErr.Err)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused; is PostgreSQL running and listening on that host and port?"
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return "no answer within the connect timeout; check host, port and firewalls (profile key connect_timeout)"
	}
	var lines []string
	seen := map[string]bool{}
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}

// mapError keeps PostgreSQL's message for SQL errors (it names the relation,
// column or syntax problem), marks cancellations with the context's error so
// callers can tell them from SQL errors, and marks lost connections as
// unreachable. A `create or replace view` PostgreSQL refuses because of what
// stands there (42809: not a view; 42P16: its columns cannot change that way)
// wraps adapter.ErrCannotReplace.
func (c *Conn) mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code == "40P01" || pgErr.Code == "40001" {
			// deadlock_detected, serialization_failure: the transaction lost a
			// race (two seeds read one view's definition while each locks its
			// own table) and is rolled back; it is safe to run again.
			return fmt.Errorf("%w: %w", adapter.ErrConflict, err)
		}
		if pgErr.Code == "42809" || pgErr.Code == "42P16" {
			return fmt.Errorf("%w: %w", adapter.ErrCannotReplace, err)
		}
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.As(err, &netErr) {
		return mapConnectError(c.addr, err)
	}
	return err
}
