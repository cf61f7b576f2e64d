package adapter

import (
	"context"

	"github.com/strata-dev/strata/engine/relation"
)

// Snapshotter is the optional capability of building a type-2 history table
// (dbt's snapshots). Adapters implement it with dbt's semantics and meta columns
// dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to (and dbt_is_deleted
// for hard_deletes new_record), in one transaction where the engine has them.
type Snapshotter interface {
	Snapshot(ctx context.Context, req SnapshotRequest) (Result, error)
}

// SnapshotRequest is one snapshot to apply.
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
