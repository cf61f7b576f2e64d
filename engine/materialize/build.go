package materialize

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// TempMarker is the infix of every temporary relation strata creates. A relation
// whose name contains it is always safe to drop, and tests look for leftovers by it.
const TempMarker = "__strata_tmp"

// TempIdentifier returns a unique temporary name for a relation being built as
// name: "<name>__strata_tmp_<8 hex>", with name shortened so the result fits in
// maxLen bytes (0 = no limit; PostgreSQL allows 63).
func TempIdentifier(name string, maxLen int) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := TempMarker + "_" + hex.EncodeToString(b[:])
	if maxLen > 0 && len(name)+len(suffix) > maxLen {
		name = name[:max(0, maxLen-len(suffix))]
	}
	return name + suffix
}

// cleanupTimeout bounds the statements that tidy up after a failed or
// cancelled build (rollback, dropping a temporary relation).
const cleanupTimeout = 10 * time.Second

// build is one materialization: the statements it ran and, when it needs
// one, the session it runs them on.
type build struct {
	w     *Warehouse
	label string
	s     adapter.Session
	inTx  bool
	res   Result
}

func (w *Warehouse) newBuild(label string) *build {
	return &build{w: w, label: label, res: Result{RowsAffected: -1}}
}

// session pins a connection for the rest of the build.
func (b *build) session(ctx context.Context) error {
	if b.s != nil {
		return nil
	}
	s, err := b.w.conn.Session(ctx)
	if err != nil {
		return err
	}
	b.s = s
	return nil
}

// close rolls back a transaction a failure left open and releases the session.
func (b *build) close(ctx context.Context) {
	if b.inTx {
		b.rollback(ctx)
	}
	if b.s != nil {
		b.s.Release()
		b.s = nil
	}
}

// exec runs one statement, on the build's session when it has one, and
// records it for target/run.
func (b *build) exec(ctx context.Context, stmt string) (int64, error) {
	b.res.Statements = append(b.res.Statements, stmt)
	if b.s != nil {
		return b.s.Exec(ctx, stmt)
	}
	return b.w.conn.Exec(ctx, stmt)
}

// note records what a step did without a statement of its own (a bulk load).
func (b *build) note(line string) { b.res.Statements = append(b.res.Statements, line) }

// q is where the build's catalog queries run: its session when it has one
// (temporary relations are visible only there).
func (b *build) q() querier {
	if b.s != nil {
		return b.s
	}
	return b.w.conn
}

// tx runs f between begin and commit on the build's session, rolling back
// when it fails and running the whole transaction again (a few times) when it
// lost a race with a concurrent one. Inside an open transaction it just runs f.
func (b *build) tx(ctx context.Context, f func() error) error {
	if b.inTx {
		return f()
	}
	if err := b.session(ctx); err != nil {
		return err
	}
	return b.retry(ctx, func() error {
		if _, err := b.exec(ctx, "begin"); err != nil {
			return err
		}
		b.inTx = true
		if err := f(); err != nil {
			b.rollback(ctx)
			return err
		}
		_, err := b.exec(ctx, "commit")
		b.inTx = false
		return err
	})
}

// rollback ends the open transaction, even when ctx was cancelled.
func (b *build) rollback(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	b.res.Statements = append(b.res.Statements, "rollback")
	_, _ = b.s.Exec(ctx, "rollback")
	b.inTx = false
}

// cleanup runs stmt (dropping a temporary relation) even when ctx was
// cancelled, and records it.
func (b *build) cleanup(ctx context.Context, stmt string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, _ = b.exec(ctx, stmt)
}

// temp names a relation built next to r (same schema) while r is rebuilt.
func (b *build) temp(r relation.Relation) relation.Relation {
	return r.WithIdentifier(b.w.d.NormalizeIdent(TempIdentifier(r.Identifier, b.w.traits.MaxIdentifierBytes)))
}

// sessionTemp names a session-scoped temporary table staging rows for r.
func (b *build) sessionTemp(r relation.Relation) relation.Relation {
	return b.w.d.TempRelation(r, b.w.d.NormalizeIdent(TempIdentifier(r.Identifier, b.w.traits.MaxIdentifierBytes)))
}

// columns lists r's columns on the build's connection.
func (b *build) columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	return columnsOn(ctx, b.q(), b.w.d, r)
}

// result is what the build returns, with err.
func (b *build) result(msg string, err error) (Result, error) {
	if err == nil {
		b.res.Message = msg
	}
	return b.res, err
}

// retry runs f, again when it lost a race with a concurrent transaction,
// except inside an open transaction: that one is lost, and its own retry
// runs it all again.
func (b *build) retry(ctx context.Context, f func() error) error {
	if b.inTx {
		return f()
	}
	return retryConflicts(ctx, f)
}

// retryConflicts runs f again (up to 5 times, with a short growing pause)
// while it fails with adapter.ErrConflict.
func retryConflicts(ctx context.Context, f func() error) error {
	var err error
	for attempt := range 5 {
		if err = f(); err == nil || !errors.Is(err, adapter.ErrConflict) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

func labelOr(label string, r relation.Relation) string {
	if label != "" {
		return label
	}
	return r.String()
}

// wrap names the node in err unless it already does.
func wrap(label string, err error) error {
	if err == nil || label == "" || strings.HasPrefix(err.Error(), label+":") {
		return err
	}
	return fmt.Errorf("%s: %w", label, err)
}
