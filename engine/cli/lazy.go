package cli

import (
	"context"
	"sync"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// lazyConn is an adapter that connects on first use, so `compile` touches the
// warehouse (and, for DuckDB, takes the file lock) only when a template queries it.
type lazyConn struct {
	adapter.Dialect
	ctx  context.Context
	p    *engine.Project
	once sync.Once
	a    adapter.Adapter
	err  error
}

func newLazy(ctx context.Context, p *engine.Project) *lazyConn {
	return &lazyConn{Dialect: p.Driver.Dialect, ctx: ctx, p: p}
}

func (l *lazyConn) get() (adapter.Adapter, error) {
	l.once.Do(func() { l.a, l.err = l.p.Connect(l.ctx) })
	return l.a, l.err
}

func (l *lazyConn) Ping(ctx context.Context) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.Ping(ctx)
}

// Close closes the connection if one was opened.
func (l *lazyConn) Close() error {
	if l.a != nil {
		return l.a.Close()
	}
	return nil
}

func (l *lazyConn) Exec(ctx context.Context, sql string) (int64, error) {
	a, err := l.get()
	if err != nil {
		return 0, err
	}
	return a.Exec(ctx, sql)
}

func (l *lazyConn) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.Query(ctx, sql, limit)
}

func (l *lazyConn) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	a, err := l.get()
	if err != nil {
		return relation.None, err
	}
	return a.RelationKind(ctx, r)
}

func (l *lazyConn) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.Columns(ctx, r)
}

func (l *lazyConn) EnsureSchema(ctx context.Context, database, schema string) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.EnsureSchema(ctx, database, schema)
}

func (l *lazyConn) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.DropRelation(ctx, r, kind)
}

func (l *lazyConn) Materialize(ctx context.Context, req adapter.MaterializeRequest) (adapter.Result, error) {
	a, err := l.get()
	if err != nil {
		return adapter.Result{}, err
	}
	return a.Materialize(ctx, req)
}

func (l *lazyConn) LoadSeed(ctx context.Context, req adapter.SeedRequest) (adapter.Result, error) {
	a, err := l.get()
	if err != nil {
		return adapter.Result{}, err
	}
	return a.LoadSeed(ctx, req)
}
