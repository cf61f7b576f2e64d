package snowflake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
)

// SQLError is a statement Snowflake rejected: its code as Snowflake prints it
// (six digits), SQLSTATE and message, and the node it belongs to.
type SQLError struct {
	// Label names the node ("model.finhouse.stg_loans"), "" for ad-hoc SQL.
	Label    string
	Code     string
	SQLState string
	Message  string
	QueryID  string
	err      error
}

// Error reads like Snowflake's own clients print it, after the node's name:
// "model.x.y: 002003 (42S02): SQL compilation error: Object 'T' does not exist".
// Snowflake's multi-line messages are joined into one line.
func (e *SQLError) Error() string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(e.Message, ":\n", ": ")), " ")
	s := fmt.Sprintf("%s (%s): %s", e.Code, e.SQLState, msg)
	if e.Label != "" {
		s = e.Label + ": " + s
	}
	return s
}

// Unwrap gives the driver's *gosnowflake.SnowflakeError.
func (e *SQLError) Unwrap() error { return e.err }

// sqlError maps a driver error for a statement of node label.
func sqlError(label string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if label != "" {
			return fmt.Errorf("%s: %w", label, err)
		}
		return err
	}
	var se *gosnowflake.SnowflakeError
	if errors.As(err, &se) && se.Number > 0 && se.Number < 260000 {
		return &SQLError{
			Label: label, Code: fmt.Sprintf("%06d", se.Number), SQLState: se.SQLState,
			Message: se.Message, QueryID: se.QueryID, err: err,
		}
	}
	if label != "" {
		return fmt.Errorf("%s: %w", label, err)
	}
	return err
}

// loginError turns a failed login into one line naming the profile field to
// check. Network failures wrap adapter.ErrUnreachable.
func loginError(cfg *gosnowflake.Config, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	who := fmt.Sprintf("Snowflake account %s as user %s", cfg.Account, cfg.User)
	var se *gosnowflake.SnowflakeError
	if errors.As(err, &se) {
		var hint string
		switch se.Number {
		case 390100, 390101, 390102, 390103:
			hint = fmt.Sprintf("check `password` (or private_key_path) for user %s in the profile", cfg.User)
		case 390144, 394304, 394300:
			hint = fmt.Sprintf("check `private_key_path`/`private_key` (and `private_key_passphrase`): its public key must be set on user %s", cfg.User)
		case gosnowflake.ErrCodeFailedToConnect:
			hint = fmt.Sprintf("check `account` (%q is not a Snowflake account identifier this endpoint knows)", cfg.Account)
		case 390189:
			hint = fmt.Sprintf("check `role` (%q is not granted to user %s)", cfg.Role, cfg.User)
		case 390201:
			hint = "check `database` and `warehouse` (they must exist and be usable by the role)"
		case gosnowflake.ErrCodeEmptyPasswordCode:
			hint = "set `password` or `private_key_path`"
		default:
			if se.Number >= 390000 && se.Number < 391000 {
				hint = "check `user`, `password`/`private_key_path` and `authenticator`"
			}
		}
		msg := strings.TrimSpace(strings.TrimSuffix(se.Message, "."))
		if hint != "" {
			return fmt.Errorf("cannot log in to %s: %s (%d): %s", who, msg, se.Number, hint)
		}
		return fmt.Errorf("cannot log in to %s: %w", who, sqlError("", err))
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("%w: %s: host %s not found: check `account` (and `host` if set)", adapter.ErrUnreachable, who, dns.Name)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("%w: %s: %v: check `host`/`port` and your network", adapter.ErrUnreachable, who, op.Err)
	}
	return fmt.Errorf("%w: %s: %v", adapter.ErrUnreachable, who, err)
}
