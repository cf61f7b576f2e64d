package adapter

import "fmt"

// Traits declare what an engine does on its own; engine/materialize picks its
// path from them instead of asking which engine it talks to.
type Traits struct {
	// TransactionalDDL: CREATE, DROP, ALTER and RENAME run inside a
	// transaction and roll back with it (PostgreSQL, DuckDB). Without it
	// (Snowflake) DDL commits at once, so only DML is grouped in transactions.
	TransactionalDDL bool
	// AtomicReplace: `create or replace table … as` swaps the table in one
	// statement that readers never see half-done (DuckDB, Snowflake).
	// Without it (PostgreSQL) tables are built aside and swapped in a
	// transaction.
	AtomicReplace bool
	// Merge: the engine runs MERGE INTO … USING … WHEN MATCHED ….
	Merge bool
	// CountNewTables: CREATE TABLE … AS does not report its rows but counting
	// them is a cheap local read (DuckDB), so the materializations count, for
	// the console and run_results. Off where the engine reports them
	// (PostgreSQL) or a count is a round trip to a remote service (Snowflake).
	CountNewTables bool
	// MaxIdentifierBytes is the longest identifier the engine keeps, in bytes
	// (0: no limit). Longer names are truncated by some engines, silently
	// making two models one table, so strata refuses them.
	MaxIdentifierBytes int
	// CaseInsensitive: quoted identifiers that differ only in case name the
	// same object (DuckDB). PostgreSQL and Snowflake keep quoted names exact.
	CaseInsensitive bool
	// UnquotedFold is how the engine folds an unquoted identifier: "lower"
	// (PostgreSQL), "upper" (Snowflake), "" keeps it (DuckDB). Seeds with
	// quote_columns: false name their columns so.
	UnquotedFold string
	// CrossDatabase: one connection reaches relations of other databases
	// (catalogs) by qualifying them. PostgreSQL cannot.
	CrossDatabase bool
	// InProcess: the engine runs inside strata's process, called through cgo
	// (DuckDB). A one-thread run keeps its calls on one OS thread: the
	// engine's thread-local caches stay warm (DuckDB did ~12% less work for
	// 1,000 views). A network warehouse's session would only gain an extra
	// thread wake-up per statement from it.
	InProcess bool
	// Constraints says what the engine does with each constraint type of a
	// contracted model's table (not_null, unique, primary_key, foreign_key,
	// check), as dbt documents per adapter. A type missing from the map is
	// not supported: it is left out of the DDL with a warning.
	Constraints map[string]ConstraintSupport
}

// ConstraintSupport is what an engine does with one constraint type.
type ConstraintSupport int

const (
	// ConstraintUnsupported: the engine cannot hold it; it is not created.
	ConstraintUnsupported ConstraintSupport = iota
	// ConstraintNotEnforced: created as metadata, which the engine does not
	// check (Snowflake's unique, primary and foreign keys).
	ConstraintNotEnforced
	// ConstraintEnforced: created and checked on every insert.
	ConstraintEnforced
)

// CheckIdentifier refuses a name longer than the engine keeps, naming the
// limit and the fix. Compile calls it for every relation it names; the
// materializations call it again before they build.
func (t Traits) CheckIdentifier(engine, name string) error {
	if t.MaxIdentifierBytes > 0 && len(name) > t.MaxIdentifierBytes {
		return fmt.Errorf("the name %q is %d bytes long and %s keeps at most %d (longer names are cut short, so two models could end up in one relation): shorten the model's file name or set a shorter alias",
			name, len(name), engine, t.MaxIdentifierBytes)
	}
	return nil
}
