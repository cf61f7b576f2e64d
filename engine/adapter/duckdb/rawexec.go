package duckdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/strata-dev/strata/engine/sqlconn"
)

// rawExec runs the statements of Conn.Exec (views, tables, schemas: every
// statement of a build that is not inside a session's transaction) on
// connections of its own to the same database, through DuckDB's C API
// (duckdb_query): one cgo call per statement.
//
// database/sql's path through duckdb-go extracts, prepares and executes each
// statement in separate calls, and starts a goroutine per call to interrupt
// it on cancellation, then waits for that goroutine to end. On a one-thread
// walk pinned to its OS thread (adapter.Traits.InProcess) that wait hands the
// thread's P to another thread and back on every statement: two thread
// wake-ups per statement. Here a cancellation is watched with
// context.AfterFunc, which starts a goroutine only when the context is
// cancelled.
//
// The connections share the database instance database/sql opened, through
// duckdb-go's instance cache (an in-memory database is not in it, and a path
// with DSN options or a URI opens with a configuration of its own: Conn.Exec
// then goes through database/sql). They run in auto-commit mode; one whose
// statement failed is closed rather than reused, so a multi-statement Exec
// that failed inside its own transaction leaves nothing open.
type rawExec struct {
	db mapping.Database
	// settings run on every connection as it opens (the profile's).
	settings []string

	mu     sync.Mutex
	idle   []mapping.Connection
	closed bool
}

// interruptInterval is how often a cancelled statement is interrupted again
// until it returns (DuckDB clears the flag when a query begins, so one
// interrupt can land before the query it was meant for).
const interruptInterval = 5 * time.Millisecond

// openRawExec opens a second handle on the file's cached database instance,
// with the configuration duckdb-go opened it with (the cache refuses a handle
// whose configuration differs).
func openRawExec(path string, settings []string) (*rawExec, error) {
	var config mapping.Config
	if mapping.CreateConfig(&config) == mapping.StateError {
		return nil, errors.New("duckdb: cannot create a configuration")
	}
	defer mapping.DestroyConfig(&config)
	if mapping.SetConfig(config, "duckdb_api", "go") == mapping.StateError {
		return nil, errors.New("duckdb: cannot set duckdb_api")
	}
	var db mapping.Database
	var msg string
	if mapping.GetOrCreateFromCache(duckdb.GetInstanceCache(), path, &db, config, &msg) == mapping.StateError {
		mapping.Close(&db)
		return nil, errors.New(msg)
	}
	return &rawExec{db: db, settings: settings}, nil
}

func (r *rawExec) get() (mapping.Connection, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return mapping.Connection{}, errors.New("duckdb: the database is closed")
	}
	if n := len(r.idle); n > 0 {
		c := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()
	var c mapping.Connection
	if mapping.Connect(r.db, &c) == mapping.StateError {
		return mapping.Connection{}, errors.New("duckdb: cannot connect to the database")
	}
	for _, q := range r.settings {
		var res mapping.Result
		if mapping.Query(c, q, &res) == mapping.StateError {
			err := fmt.Errorf("duckdb profile settings: %s: %s", q, mapping.ResultError(&res))
			mapping.DestroyResult(&res)
			mapping.Disconnect(&c)
			return mapping.Connection{}, err
		}
		mapping.DestroyResult(&res)
	}
	return c, nil
}

func (r *rawExec) put(c mapping.Connection, reuse bool) {
	r.mu.Lock()
	if reuse && !r.closed {
		r.idle = append(r.idle, c)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	mapping.Disconnect(&c)
}

// close disconnects the idle connections and releases the instance handle
// (the instance itself closes with its last handle).
func (r *rawExec) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	idle := r.idle
	r.idle, r.closed = nil, true
	r.mu.Unlock()
	for i := range idle {
		mapping.Disconnect(&idle[i])
	}
	mapping.Close(&r.db)
}

// changedRows is the sql.Result of a raw Exec.
type changedRows int64

func (n changedRows) LastInsertId() (int64, error) { return 0, errors.New("duckdb: no last insert id") }
func (n changedRows) RowsAffected() (int64, error) { return int64(n), nil }

// exec runs q (one or more statements) on an idle connection.
func (r *rawExec) exec(ctx context.Context, q string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	conn, err := r.get()
	if err != nil {
		return -1, err
	}
	var finished atomic.Bool
	var interrupted chan struct{}
	stop := func() bool { return true }
	if ctx.Done() != nil {
		interrupted = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			defer close(interrupted)
			for !finished.Load() {
				mapping.Interrupt(conn)
				time.Sleep(interruptInterval)
			}
		})
	}
	var res mapping.Result
	state := mapping.Query(conn, q, &res)
	finished.Store(true)
	if !stop() {
		// The watcher started: wait for its last interrupt, which must not
		// land on the connection's next statement.
		<-interrupted
	}
	if state == mapping.StateError {
		derr := &duckdb.Error{Type: duckdb.ErrorType(mapping.ResultErrorType(&res)), Msg: mapping.ResultError(&res)}
		mapping.DestroyResult(&res)
		r.put(conn, false)
		if cerr := ctx.Err(); cerr != nil {
			return -1, errors.Join(cerr, derr)
		}
		return -1, derr
	}
	n := mapping.RowsChanged(&res)
	mapping.DestroyResult(&res)
	r.put(conn, true)
	return sqlconn.Affected(q, changedRows(n)), nil
}
