package duckdb

import (
	"context"
	"fmt"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var _ adapter.Snapshotter = (*Adapter)(nil)

// Snapshot implements adapter.Snapshotter: the select is staged in a
// temporary table, then the snapshot table is created or updated with dbt's
// type-2 semantics, all in one transaction.
func (a *Adapter) Snapshot(ctx context.Context, req adapter.SnapshotRequest) (adapter.Result, error) {
	if err := adapter.ValidateSnapshot(req); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	rel := a.qualify(req.Relation)
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close()
	existing, err := a.kind(ctx, b.conn, rel)
	if err != nil {
		return b.result("", err)
	}
	if existing == relation.View {
		return b.result("", fmt.Errorf("%s: %s is a view, not a snapshot table: drop it or choose another name", req.Label, rel))
	}
	tmp := adapter.TempIdentifier(rel.Identifier, 0)
	tmpRel := a.TempRelation(tmp)
	ss := adapter.SnapshotSQL{Quote: a.QuoteIdent, Target: a.RenderRelation(rel), Source: a.RenderRelation(tmpRel), Now: "localtimestamp"}
	err = b.inTx(ctx, func() error {
		if _, err := b.exec(ctx, a.CreateTempTableAsSQL(tmp, req.SQL)); err != nil {
			return err
		}
		source, err := a.columns(ctx, b.q(), tmpRel)
		if err != nil {
			return err
		}
		stmts := []string{ss.Create(req, source)}
		if existing == relation.Table {
			current, err := a.columns(ctx, b.q(), rel)
			if err != nil {
				return err
			}
			stmts = ss.Apply(req, source, current)
		}
		for _, st := range stmts {
			if _, err := b.exec(ctx, st); err != nil {
				return err
			}
		}
		_, err = b.exec(ctx, a.DropSQL(tmpRel, relation.Table))
		return err
	})
	if err != nil {
		b.cleanup(ctx, a.DropSQL(tmpRel, relation.Table))
	}
	return b.result("SNAPSHOT", err)
}
