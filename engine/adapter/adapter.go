// Package adapter is the contract between strata and a warehouse. It holds
// interfaces and plain data only, no implementation:
//
//   - Conn: an open pool of connections (Exec, Query, Session, Ping, Close);
//   - Dialect: the pure SQL text rules of one engine, one set of signatures
//     for every engine;
//   - Traits: what the engine does on its own (transactional DDL, atomic
//     `create or replace`, MERGE, identifier length and case);
//   - optional capabilities found by type assertion, each with a fallback in
//     the code that uses it: BulkLoader (a Session), CatalogDialect (a
//     Dialect), and a TickLocker a Driver may open;
//   - Driver: one warehouse type, which main registers in one line.
//
// The materializations (engine/materialize) are written once on top of this
// contract; an adapter implements the contract and nothing else. Adapters live
// in subpackages and never import each other.
//
// A Conn is shared by every worker of a run: implementations must be safe for
// concurrent use, each call using its own connection from a pool sized to the
// run's thread count. Every call takes a context; cancelling it must stop the
// statement in the warehouse, not only in the client. A Session is used by
// one goroutine at a time. Dialect values and Traits are immutable and safe
// for concurrent use.
package adapter

import (
	"context"
	"errors"

	"github.com/strata-dev/strata/engine/relation"
)

// Conn is an open pool of connections to one warehouse.
type Conn interface {
	// Exec runs one or more statements and returns the rows the last one
	// affected (-1 when the engine does not say).
	Exec(ctx context.Context, sql string) (int64, error)
	// Query runs a query and returns at most limit rows (limit <= 0: all rows).
	Query(ctx context.Context, sql string, limit int) (*Table, error)
	// Session pins one connection until Release, for work that must share a
	// session: a transaction, temporary tables, a bulk load.
	Session(ctx context.Context) (Session, error)
	// Ping checks the connection, failing fast (seconds, not minutes) when the
	// database is unreachable, with an error wrapping ErrUnreachable.
	Ping(ctx context.Context) error
	// Close releases every connection, within a second or so even when the
	// server has stopped answering. It is safe to call more than once.
	Close() error
}

// Session is one connection pinned for a sequence of statements. It is used
// by one goroutine at a time.
type Session interface {
	// Exec runs one statement (or several, where the engine allows) and
	// returns rows affected (-1 when the engine does not say).
	Exec(ctx context.Context, sql string) (int64, error)
	// Query runs a query and returns at most limit rows (limit <= 0: all rows).
	Query(ctx context.Context, sql string, limit int) (*Table, error)
	// Release hands the connection back. A session left inside a transaction
	// (a failure, a cancellation) must be rolled back or closed here, never
	// handed to another caller half-done.
	Release()
}

// Table is a small result set read back from the warehouse.
type Table struct {
	Columns []string `json:"columns"`
	// Types are the engine's type names, one per column (may be empty strings).
	Types []string `json:"types"`
	Rows  [][]any  `json:"rows"`
}

// Column is one column of a relation.
type Column struct {
	Name     string `json:"name"`
	DataType string `json:"data_type"`
}

// ListedRelation is one relation found in a schema.
type ListedRelation struct {
	Relation relation.Relation
	Kind     relation.Kind
}

// Target is the connection settings of one profile output, with Jinja already
// rendered and values typed by the driver's ProfileSpec. Fields holds every
// key as written (host, port, path, account, …).
type Target struct {
	Profile  string
	Name     string
	Type     string
	Database string
	Schema   string
	Threads  int
	Fields   map[string]any
}

// Driver is one warehouse type: everything strata needs to know about it.
// Main lists the drivers explicitly (no init registration); adding a
// warehouse is a new package under engine/adapter and one line there.
type Driver struct {
	// Type is the profile `type:` it serves ("duckdb", "postgres", …).
	Type string
	// Dialect renders its SQL; compile uses it without a connection.
	Dialect Dialect
	// Traits declare what the engine does on its own.
	Traits Traits
	// Profile lists the keys a profile output of this type takes and checks them.
	Profile ProfileSpec
	// Open connects to a target. An unreachable database is an error wrapping
	// ErrUnreachable.
	Open func(ctx context.Context, t Target) (Conn, error)
	// TickLock, when set, opens the lock that lets several scheduler replicas
	// sharing this warehouse run each tick once. Nil means the warehouse has
	// none: the scheduler then locks in-process (a single replica).
	TickLock func(ctx context.Context, t Target) (TickLocker, error)
}

// Sentinel errors callers branch on.
var (
	// ErrUnreachable wraps connection failures (the CLI exits 2 on them).
	ErrUnreachable = errors.New("database unreachable")
	// ErrCannotReplace is wrapped by the error of a `create or replace`
	// the engine refuses because of what stands there (a relation of another
	// kind, or a view whose columns changed in a way the engine cannot
	// replace in place). The materializations then rebuild through a swap.
	ErrCannotReplace = errors.New("cannot replace the existing relation in place")
	// ErrConflict is wrapped by the error of a statement that lost a race
	// with a concurrent transaction (DuckDB's write-write conflicts between
	// catalog changes in one schema); running the transaction again may
	// succeed, and the materializations do, a few times.
	ErrConflict = errors.New("conflict with a concurrent transaction")
	// ErrTickBusy is returned by TickLocker.Claim when this replica won the
	// tick but the schedule's previous run still holds it.
	ErrTickBusy = errors.New("previous run of the schedule is still going")
)
