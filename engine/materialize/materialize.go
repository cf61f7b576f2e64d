// Package materialize builds relations in a warehouse: views, tables,
// incremental tables (append, merge, delete+insert, with on_schema_change),
// seeds, snapshots and stored test failures. Each is written once, here,
// from the adapter contract: the dialect says how the engine spells each
// statement, the traits which path to take (transactional DDL or not, atomic
// `create or replace` or a swap in a transaction), and optional capabilities
// (a bulk loader) are used where an adapter has them.
//
// A Warehouse is the per-run handle on one connected warehouse. Besides the
// builds it offers the introspection dbt's `adapter` object needs
// (RelationKind, Columns, ListRelations, ListSchemas, SchemaExists,
// CreateSchema, DropRelation), all answered from one relation cache: each
// schema's relations are read with one catalog query the first time a
// relation of that schema is asked about, and every build, drop and
// catalog-changing statement run through the handle keeps the cache current.
// A build that fails on a relation the cache got wrong (something outside the
// run changed it) reads that relation again and is retried once.
//
// A Warehouse is safe for concurrent use by the workers of a run. Nothing here
// prints; every call takes a context, and cancelling it stops the statement in
// the warehouse and leaves no temporary relation behind.
package materialize

import (
	"errors"

	"github.com/strata-dev/strata/engine/relation"
)

// Request is a model to build.
type Request struct {
	Relation relation.Relation
	// Materialized is "view", "table" or "incremental".
	Materialized string
	// SQL is the model's compiled SELECT for a full build.
	SQL string
	// IncrementalSQL is the SELECT compiled with is_incremental() true, used
	// when an incremental model's table already exists and FullRefresh is
	// false. Empty means "same as SQL".
	IncrementalSQL string
	// Strategy is "append", "merge" or "delete+insert" ("" = the dialect default).
	Strategy string
	// UniqueKey lists the key columns for merge and delete+insert.
	UniqueKey []string
	// OnSchemaChange is "ignore" (default), "fail" or "append_new_columns".
	OnSchemaChange string
	FullRefresh    bool
	// Transient asks for a transient table where the engine has them.
	Transient bool
	// Label names the node in error messages (e.g. "model.finhouse.stg_loans").
	Label string
	// Contract, when set, is the model's enforced contract: checked before
	// anything is replaced; a table is built from its DDL (contract.go).
	Contract *Contract
}

// SeedRequest is a parsed CSV to load.
type SeedRequest struct {
	Relation relation.Relation
	Header   []string
	// Rows are the CSV records as text; "" is loaded as NULL.
	Rows [][]string
	// ColumnTypes are the seed's column_types config (column name -> SQL type);
	// every other column's type is inferred from the values (integer,
	// decimal, boolean, date, timestamp, else text).
	ColumnTypes map[string]string
	// QuoteColumns false names the columns as the engine folds unquoted
	// names (dbt's quote_columns: false): PostgreSQL lower-cases COLUMN_NAME.
	QuoteColumns *bool
	Label        string
}

// SnapshotRequest is one snapshot to apply (dbt's type-2 history, with meta
// columns dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to and, for
// hard_deletes new_record, dbt_is_deleted).
type SnapshotRequest struct {
	Relation relation.Relation
	// SQL is the snapshot's compiled SELECT (the current state of the source).
	SQL       string
	UniqueKey []string
	// Strategy is "timestamp" or "check".
	Strategy  string
	UpdatedAt string
	// CheckCols lists the columns compared by the check strategy; ["all"] means every column.
	CheckCols []string
	// HardDeletes is "ignore" (default), "invalidate" or "new_record".
	HardDeletes string
	Label       string
}

// Result says what a build did.
type Result struct {
	// RowsAffected is -1 when the engine does not report it.
	RowsAffected int64
	// Statements are the statements executed, in order, for target/run; a
	// failed build lists them too.
	Statements []string
	// Message is a short status such as "CREATE VIEW" or "INSERT 12".
	Message string
	// Warnings say what the build did that the user should know although it
	// succeeded (a dependent view that no longer fits and was dropped).
	Warnings []string
}

// Sentinel errors callers branch on.
var (
	// ErrSchemaChanged is returned for on_schema_change: fail.
	ErrSchemaChanged = errors.New("the model's columns differ from the existing table's")
	// ErrBadStrategy is returned for an unknown incremental strategy.
	ErrBadStrategy = errors.New("unknown incremental strategy")
	// ErrDuplicateKey is returned when merge or delete+insert meets new rows
	// whose unique_key is not unique.
	ErrDuplicateKey = errors.New("the unique_key is not unique in the new rows")
)
