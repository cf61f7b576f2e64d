// Package adapter is the contract between strata's executor and a warehouse
// (DuckDB, PostgreSQL, Snowflake). It holds interfaces and plain request/response
// data only; implementations live in subpackages and never import each other.
//
// An Adapter is shared by every worker of a run: implementations must be safe for
// concurrent use, each call using its own connection from a pool sized to the
// run's thread count. Every call takes a context; cancelling it must stop the
// statement in the warehouse (not just the client) and leave no temporary
// relation behind.
package adapter

import (
	"context"
	"errors"

	"github.com/strata-dev/strata/engine/relation"
)

// Dialect is the pure, connection-free part of an adapter: the SQL text rules of
// one engine. The compiler uses it to render relation names; it never touches a
// network. Implementations must be safe for concurrent use.
type Dialect interface {
	// Type is the profile `type:` this dialect serves: "duckdb", "postgres", "snowflake".
	Type() string
	// QuoteIdent quotes one identifier, escaping embedded quotes.
	QuoteIdent(name string) string
	// RenderRelation renders a relation fully qualified and quoted as this engine
	// wants it in SQL (DuckDB always includes the catalog).
	RenderRelation(r relation.Relation) string
	// NormalizeIdent folds an identifier as the engine folds unquoted names
	// (upper case on Snowflake, unchanged elsewhere).
	NormalizeIdent(name string) string
	// DefaultIncrementalStrategy is the strategy used when a model sets none:
	// what dbt uses for this adapter (e.g. "append" without a unique_key).
	DefaultIncrementalStrategy(hasUniqueKey bool) string
	// ValidIncrementalStrategies lists the strategies this engine accepts.
	ValidIncrementalStrategies() []string
}

// Adapter is a connected warehouse.
type Adapter interface {
	Dialect

	// Ping checks the connection, failing fast (seconds, not minutes) when the
	// database is unreachable.
	Ping(ctx context.Context) error
	// Close releases every connection. It is safe to call more than once.
	Close() error

	// Exec runs one or more statements and returns rows affected (-1 when the
	// engine does not say).
	Exec(ctx context.Context, sql string) (int64, error)
	// Query runs a query and returns at most limit rows (limit <= 0: all rows).
	Query(ctx context.Context, sql string, limit int) (*Table, error)

	// RelationKind says what exists at r (relation.None when nothing does).
	RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error)
	// Columns lists r's columns in order.
	Columns(ctx context.Context, r relation.Relation) ([]Column, error)
	// EnsureSchema creates database.schema when it does not exist.
	EnsureSchema(ctx context.Context, database, schema string) error
	// DropRelation drops r if it exists as kind.
	DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error

	// Materialize builds a model's relation as req asks (view, table or
	// incremental), atomically: a reader sees either the old relation or the new
	// one, never none and never a half-built one. The result lists every statement
	// executed, even when it fails.
	Materialize(ctx context.Context, req MaterializeRequest) (Result, error)
	// LoadSeed replaces a seed's table with the CSV's rows through the engine's
	// bulk path (COPY, appender), atomically like a table.
	LoadSeed(ctx context.Context, req SeedRequest) (Result, error)
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

// MaterializeRequest is what the executor asks of a model.
type MaterializeRequest struct {
	Relation relation.Relation
	// Materialized is "view", "table" or "incremental".
	Materialized string
	// SQL is the model's compiled SELECT for a full build.
	SQL string
	// IncrementalSQL is the SELECT compiled with is_incremental() true, used when
	// an incremental model's table already exists and FullRefresh is false. Empty
	// means "same as SQL".
	IncrementalSQL string
	// Strategy is "append", "merge" or "delete+insert" ("" = the dialect default).
	Strategy string
	// UniqueKey lists the key columns for merge and delete+insert.
	UniqueKey []string
	// OnSchemaChange is "ignore" (default), "fail" or "append_new_columns".
	OnSchemaChange string
	FullRefresh    bool
	// Transient asks for a transient table where the engine has them (Snowflake).
	Transient bool
	// Label names the node in error messages (e.g. "model.finhouse.stg_loans").
	Label string
}

// SeedRequest is a parsed CSV to load.
type SeedRequest struct {
	Relation relation.Relation
	Header   []string
	// Rows are the CSV records as text; "" is loaded as NULL.
	Rows [][]string
	// ColumnTypes are the seed's column_types config (column name -> SQL type);
	// every other column's type is inferred by the adapter from the values
	// (integer, decimal, boolean, date, timestamp, else text).
	ColumnTypes map[string]string
	Label       string
}

// Result says what a build did.
type Result struct {
	// RowsAffected is -1 when the engine does not report it.
	RowsAffected int64
	// Statements are the statements executed, in order, for target/run.
	Statements []string
	// Message is a short status such as "CREATE VIEW" or "INSERT 12".
	Message string
}

// Sentinel errors callers branch on.
var (
	// ErrSchemaChanged is returned for on_schema_change: fail.
	ErrSchemaChanged = errors.New("the model's columns differ from the existing table's")
	// ErrUnreachable wraps connection failures (exit code 2 territory is decided by the CLI).
	ErrUnreachable = errors.New("database unreachable")
	// ErrBadStrategy is returned for an unknown incremental strategy.
	ErrBadStrategy = errors.New("unknown incremental strategy")
)

// Opener opens an adapter for one target. Main builds the table of openers
// explicitly (no init registration).
type Opener func(ctx context.Context, t Target) (Adapter, error)

// Target is the connection settings of one profile output, with Jinja already
// rendered. Fields holds every key as written (host, port, path, account, …).
type Target struct {
	Profile  string
	Name     string
	Type     string
	Database string
	Schema   string
	Threads  int
	Fields   map[string]any
}
