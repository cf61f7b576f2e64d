package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"

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
	return fmt.Errorf("%w: postgres at %s: %w", adapter.ErrUnreachable, addr, err)
}

// mapError keeps PostgreSQL's message for SQL errors (it names the relation,
// column or syntax problem), marks cancellations with the context's error so
// callers can tell them from SQL errors, and marks lost connections as
// unreachable.
func (a *Adapter) mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.As(err, &netErr) {
		return mapConnectError(a.addr, err)
	}
	return err
}

// sqlState returns the SQLSTATE of a PostgreSQL error, "" for other errors.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
