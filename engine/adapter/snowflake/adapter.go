// Package snowflake is strata's Snowflake adapter, on the
// github.com/snowflakedb/gosnowflake driver. Profiles use dbt-snowflake's
// fields (account, user, password or private_key_path/private_key with
// private_key_passphrase, authenticator, role, warehouse, database, schema,
// threads, query_tag, client_session_keep_alive, connect_timeout,
// connect_retries) plus host, port and protocol to reach a non-default
// endpoint (tests point them at engine/internal/fakesnowflake).
//
// Snowflake specifics: unquoted names fold to upper case (NormalizeIdent), so
// relations render quoted after folding; `create or replace` replaces views and
// tables atomically; DDL commits any open transaction (Traits), so only DML
// runs inside BEGIN/COMMIT; results are requested as JSON; the driver's own
// log never reaches the terminal (strata reports errors itself).
//
// Driver() is what main registers. A Conn is safe for concurrent use: each
// call takes a connection (a Snowflake session) from a pool sized to the
// target's threads.
package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/sqlconn"
)

// Traits are Snowflake's: DDL commits at once (not transactional);
// `create or replace table` is atomic; identifiers hold up to 255 bytes;
// quoted names keep their case; one session reaches every database of the
// account.
var Traits = adapter.Traits{
	AtomicReplace:      true,
	Merge:              true,
	MaxIdentifierBytes: 255,
	UnquotedFold:       "upper",
	CrossDatabase:      true,
	// Snowflake enforces not null only; unique, primary and foreign keys are
	// kept as metadata, and it has no check constraints (as dbt documents).
	Constraints: map[string]adapter.ConstraintSupport{
		"not_null": adapter.ConstraintEnforced, "unique": adapter.ConstraintNotEnforced,
		"primary_key": adapter.ConstraintNotEnforced, "foreign_key": adapter.ConstraintNotEnforced,
	},
}

// Driver is Snowflake's entry in strata's driver table. It silences the
// driver's log at once: the driver logs from its first call on.
func Driver() adapter.Driver {
	quietDriverLog()
	return adapter.Driver{Type: "snowflake", Dialect: Dialect{}, Traits: Traits, Profile: Profile(), Open: Open}
}

// Conn is a connected Snowflake account.
type Conn struct {
	*sqlconn.Conn
	cfg *gosnowflake.Config
}

var _ adapter.Conn = (*Conn)(nil)

// Open builds the driver configuration from the target and connects, failing
// with one line that names the profile field to check.
func Open(ctx context.Context, t adapter.Target) (adapter.Conn, error) {
	cfg, err := Config(t)
	if err != nil {
		return nil, err
	}
	quietDriverLog()
	db := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, *cfg))
	threads := max(t.Threads, 1)
	db.SetMaxOpenConns(threads)
	db.SetMaxIdleConns(threads)
	c := &Conn{cfg: cfg, Conn: sqlconn.New(db, sqlconn.Options{
		MapError: func(_ context.Context, err error) error { return sqlError("", err) },
		ExecContext: func(ctx context.Context) (context.Context, error) {
			// A script is sent as one multi-statement request.
			return gosnowflake.WithMultiStatement(ctx, 0)
		},
	})}
	if err := c.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return c, nil
}

// quietDriverLog keeps the driver's log off the terminal. It logs expected
// failures (a bad password, every SQL error) itself, partly through entries
// that ignore its level, so its output is discarded as well; strata reports
// those errors once, in its own words, and nothing in engine/ prints.
func quietDriverLog() {
	l := gosnowflake.GetLogger()
	_ = l.SetLogLevel("OFF")
	l.SetOutput(io.Discard)
}

// Ping logs in (when no session is open yet) and runs SELECT 1.
func (c *Conn) Ping(ctx context.Context) error {
	if err := c.DB().PingContext(ctx); err != nil {
		return loginError(c.cfg, err)
	}
	return nil
}

// Session implements adapter.Conn with a session that bulk-loads through
// batched INSERTs with bound values.
func (c *Conn) Session(ctx context.Context) (adapter.Session, error) {
	s, err := c.Pin(ctx)
	if err != nil {
		return nil, err
	}
	return session{s}, nil
}

type session struct{ *sqlconn.Session }

var _ adapter.BulkLoader = session{}

// Batches of a bulk load: at most this many rows, and bound cells, per INSERT.
const (
	loadBatchRows  = 1000
	loadBatchCells = 16000
)

// BulkLoad implements adapter.BulkLoader: multi-row INSERTs whose values are
// bound parameters, never pasted into the SQL.
func (s session) BulkLoad(ctx context.Context, r relation.Relation, columns []string, rows [][]string) (int64, error) {
	d := Dialect{}
	names := make([]string, len(columns))
	marks := make([]string, len(columns))
	for i, c := range columns {
		names[i] = d.QuoteIdent(c)
		marks[i] = "?"
	}
	row := "(" + strings.Join(marks, ", ") + ")"
	perBatch := max(1, min(loadBatchRows, loadBatchCells/max(1, len(columns))))
	var loaded int64
	for start := 0; start < len(rows); start += perBatch {
		batch := rows[start:min(start+perBatch, len(rows))]
		values := make([]string, len(batch))
		args := make([]any, 0, len(batch)*len(columns))
		for i, rec := range batch {
			values[i] = row
			for j := range columns {
				if j < len(rec) && rec[j] != "" {
					args = append(args, rec[j])
				} else {
					args = append(args, nil)
				}
			}
		}
		stmt := fmt.Sprintf("insert into %s (%s) values\n%s", d.RenderRelation(r), strings.Join(names, ", "), strings.Join(values, ",\n"))
		if _, err := s.ExecArgs(ctx, stmt, args...); err != nil {
			return loaded, err
		}
		loaded += int64(len(batch))
	}
	return loaded, nil
}
