package postgres

import (
	"context"
	"fmt"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var _ adapter.Snapshotter = (*Adapter)(nil)

// Snapshot implements adapter.Snapshotter: the select is staged in a
// temporary table dropped at commit, then the snapshot table is created or
// updated with dbt's type-2 semantics, all in one transaction.
func (a *Adapter) Snapshot(ctx context.Context, req adapter.SnapshotRequest) (adapter.Result, error) {
	if err := adapter.ValidateSnapshot(req); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	rel := a.qualify(req.Relation)
	if err := a.sameDatabase(rel); err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	b, err := a.newBuild(ctx)
	if err != nil {
		return adapter.Result{RowsAffected: -1}, err
	}
	defer b.close(ctx)
	tmp := adapter.TempIdentifier(rel.Identifier, MaxIdentLen)
	ss := adapter.SnapshotSQL{Quote: a.QuoteIdent, Target: a.RenderRelation(rel), Source: a.QuoteIdent(tmp), Now: "localtimestamp"}
	err = b.tx(ctx, func() error {
		existing, err := a.kind(ctx, b.conn, rel)
		if err != nil {
			return err
		}
		if existing == relation.View {
			return fmt.Errorf("%s: %s is a view, not a snapshot table: drop it or choose another name", req.Label, rel)
		}
		if _, err := b.exec(ctx, a.CreateTempTableAsSQL(tmp, req.SQL)); err != nil {
			return err
		}
		source, err := a.columns(ctx, b.conn, tempColumnsSQL, tmp)
		if err != nil {
			return err
		}
		stmts := []string{ss.Create(req, source)}
		if existing == relation.Table {
			current, err := a.columns(ctx, b.conn, columnsSQL, rel.Schema, rel.Identifier)
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
		return nil
	})
	return b.result("SNAPSHOT", err)
}
