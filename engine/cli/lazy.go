package cli

import (
	"context"
	"sync"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

// lazyConn is the warehouse compile may query, connected on first use, so
// `compile` touches the warehouse (and, for DuckDB, takes the file lock) only
// when a template queries it. It has the three methods compile asks for.
type lazyConn struct {
	ctx  context.Context
	p    *engine.Project
	once sync.Once
	w    *materialize.Warehouse
	err  error
}

func newLazy(ctx context.Context, p *engine.Project) *lazyConn {
	return &lazyConn{ctx: ctx, p: p}
}

func (l *lazyConn) get() (*materialize.Warehouse, error) {
	l.once.Do(func() { l.w, l.err = l.p.Connect(l.ctx) })
	return l.w, l.err
}

// Close closes the connection if one was opened.
func (l *lazyConn) Close() error {
	if l.w != nil {
		return l.w.Close()
	}
	return nil
}

func (l *lazyConn) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	w, err := l.get()
	if err != nil {
		return nil, err
	}
	return w.Query(ctx, sql, limit)
}

func (l *lazyConn) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	w, err := l.get()
	if err != nil {
		return relation.None, err
	}
	return w.RelationKind(ctx, r)
}

func (l *lazyConn) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	w, err := l.get()
	if err != nil {
		return nil, err
	}
	return w.Columns(ctx, r)
}
