// Package sqlconn implements the adapter contract's Conn and Session on
// database/sql, for warehouses whose Go driver is a database/sql driver
// (DuckDB, Snowflake). An adapter gives it its error mapping and value
// conversion and adds its own capabilities on top; the pooling, the pinned
// sessions, reading result sets into adapter.Table and keeping a session that
// failed inside a transaction out of the pool are written here once.
//
// A Conn is safe for concurrent use; a Session is used by one goroutine at a
// time.
package sqlconn

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/sqltext"
)

// Options adapt database/sql to one driver.
type Options struct {
	// MapError turns a driver error into the one callers see: the engine's
	// message kept, cancellations wrapping the context's error, and
	// adapter.ErrUnreachable / ErrConflict / ErrCannotReplace wrapped where they
	// apply. Nil keeps errors as they are.
	MapError func(ctx context.Context, err error) error
	// Value turns a scanned driver value into one that prints and encodes to
	// JSON as users expect (nil: as scanned).
	Value func(any) any
	// ExecContext prepares the context of a Conn.Exec, which may hold several
	// statements (nil: ctx as it is).
	ExecContext func(ctx context.Context) (context.Context, error)
}

// Conn is a database/sql pool implementing adapter.Conn.
type Conn struct {
	db *sql.DB
	o  Options

	closeOnce sync.Once
	closeErr  error
}

var _ adapter.Conn = (*Conn)(nil)

// New wraps db.
func New(db *sql.DB, o Options) *Conn {
	return &Conn{db: db, o: o}
}

// DB is the underlying pool.
func (c *Conn) DB() *sql.DB { return c.db }

func (c *Conn) mapError(ctx context.Context, err error) error {
	if err == nil || c.o.MapError == nil {
		return err
	}
	return c.o.MapError(ctx, err)
}

// Exec implements adapter.Conn.
func (c *Conn) Exec(ctx context.Context, q string) (int64, error) {
	ectx := ctx
	if c.o.ExecContext != nil {
		var err error
		if ectx, err = c.o.ExecContext(ctx); err != nil {
			return -1, err
		}
	}
	res, err := c.db.ExecContext(ectx, q)
	if err != nil {
		return -1, c.mapError(ctx, err)
	}
	return Affected(q, res), nil
}

// Query implements adapter.Conn.
func (c *Conn) Query(ctx context.Context, q string, limit int) (*adapter.Table, error) {
	return c.query(ctx, c.db, q, limit)
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (c *Conn) query(ctx context.Context, db queryer, q string, limit int) (*adapter.Table, error) {
	q, _ = sqltext.Limit(q, limit)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, c.mapError(ctx, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, c.mapError(ctx, err)
	}
	t := &adapter.Table{Columns: make([]string, len(types)), Types: make([]string, len(types)), Rows: [][]any{}}
	for i, ct := range types {
		t.Columns[i] = ct.Name()
		t.Types[i] = ct.DatabaseTypeName()
	}
	for rows.Next() {
		if limit > 0 && len(t.Rows) >= limit {
			break
		}
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, c.mapError(ctx, err)
		}
		if c.o.Value != nil {
			for i, v := range vals {
				vals[i] = c.o.Value(v)
			}
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, c.mapError(ctx, rows.Err())
}

// Session implements adapter.Conn.
func (c *Conn) Session(ctx context.Context) (adapter.Session, error) {
	return c.Pin(ctx)
}

// Pin takes one connection from the pool: the concrete Session, for
// adapters that add capabilities to it.
func (c *Conn) Pin(ctx context.Context) (*Session, error) {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return nil, c.mapError(ctx, err)
	}
	return &Session{c: c, conn: conn}, nil
}

// Ping implements adapter.Conn.
func (c *Conn) Ping(ctx context.Context) error {
	return c.mapError(ctx, c.db.PingContext(ctx))
}

// Close implements adapter.Conn.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.db.Close() })
	return c.closeErr
}

// Affected is the rows statement q affected, -1 when the driver cannot say:
// database/sql drivers report 0 for DDL (CREATE TABLE … AS included), which
// would read as an empty table.
func Affected(q string, res sql.Result) int64 {
	switch firstWord(q) {
	case "create", "alter", "drop":
		return -1
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1
	}
	return n
}

func firstWord(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	return strings.ToLower(q[:end])
}

// Session is one pinned connection, implementing adapter.Session. It follows
// the transaction statements run on it, so that Release never hands a
// connection still inside a transaction back to the pool.
type Session struct {
	c    *Conn
	conn *sql.Conn
	inTx bool
}

var _ adapter.Session = (*Session)(nil)

// Exec implements adapter.Session.
func (s *Session) Exec(ctx context.Context, q string) (int64, error) {
	return s.ExecArgs(ctx, q)
}

// ExecArgs runs one statement with bound arguments.
func (s *Session) ExecArgs(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.conn.ExecContext(ctx, q, args...)
	switch word := strings.ToLower(strings.TrimSpace(q)); {
	case word == "begin" || strings.HasPrefix(word, "begin transaction") || strings.HasPrefix(word, "start transaction"):
		s.inTx = err == nil || s.inTx
	case word == "commit" || word == "rollback" || word == "end":
		if err == nil {
			s.inTx = false
		}
	}
	if err != nil {
		return -1, s.c.mapError(ctx, err)
	}
	return Affected(q, res), nil
}

// Query implements adapter.Session.
func (s *Session) Query(ctx context.Context, q string, limit int) (*adapter.Table, error) {
	return s.c.query(ctx, s.conn, q, limit)
}

// Raw runs f with the driver's connection (for driver APIs such as DuckDB's
// appender).
func (s *Session) Raw(f func(driverConn any) error) error {
	return s.conn.Raw(f)
}

// Release implements adapter.Session: a transaction left open is rolled back;
// if that fails, the connection is closed instead of going back to the pool.
func (s *Session) Release() {
	if s.inTx {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.conn.ExecContext(ctx, "rollback")
		cancel()
		if err != nil {
			// Tell database/sql the connection is unusable: it closes it.
			_ = s.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		s.inTx = false
	}
	_ = s.conn.Close()
}
