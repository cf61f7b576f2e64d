package adapter

import (
	"context"
	"time"

	"github.com/strata-dev/strata/engine/relation"
)

// Optional capabilities. Callers find them by type assertion and fall back
// to the plain contract when they are missing.

// BulkLoader is the optional capability of a Session to load many text rows
// into a table faster than INSERT statements (COPY, an appender, bound
// batches). Without it, engine/materialize inserts literal rows in batches.
type BulkLoader interface {
	// BulkLoad appends rows to the table r (which has the given columns, all
	// text) and returns how many it loaded. An empty field is NULL. It runs on
	// the session, inside its transaction when one is open.
	BulkLoad(ctx context.Context, r relation.Relation, columns []string, rows [][]string) (int64, error)
}

// CatalogDialect is the optional capability of a Dialect to read a schema's
// relations with their columns, owners and comments in one query, for
// `strata docs generate`. Without it, docs lists the schema and asks each
// relation's columns.
type CatalogDialect interface {
	// CatalogSQL reads database.schema: one row per column of every relation,
	// ordered by relation then position, with nine columns: table_schema,
	// table_name, table_type (the engine's word: "BASE TABLE", "VIEW", …),
	// owner, table_comment, column_name, data_type, ordinal_position (1-based)
	// and column_comment (NULL where the engine has none).
	CatalogSQL(database, schema string) string
}

// TickLocker decides which scheduler replica runs a tick when several share
// one warehouse, and keeps two runs of one schedule from overlapping across
// replicas (the scheduler's Locker, with ErrTickBusy for a busy schedule).
// It is safe for concurrent use.
type TickLocker interface {
	// Claim reports whether this replica won tick of schedule. A winner gets
	// release, to call once when the run ends; a winner whose schedule is
	// still running elsewhere gets ErrTickBusy.
	Claim(ctx context.Context, schedule string, tick time.Time) (ok bool, release func(), err error)
	// Close releases the lock's connections.
	Close()
}
