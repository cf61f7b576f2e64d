package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/strata-dev/strata/engine/adapter"
)

// DefaultClaimsTable is the claims table's name.
const DefaultClaimsTable = "strata_schedule_claims"

// TickLock opens the tick lock of a target: a small pool of its own (the lock
// outlives the runs' connections) and the claims table in the target's
// schema, created (with the schema) when missing. It is the driver's
// TickLock.
func TickLock(ctx context.Context, t adapter.Target) (adapter.TickLocker, error) {
	cfg, _, err := poolConfig(t)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	l, err := NewTickLocker(ctx, pool, TickLockOptions{Schema: t.Schema})
	if err != nil {
		pool.Close()
		return nil, err
	}
	l.closePool = true
	return l, nil
}

// TickLockOptions configure a TickLocker.
type TickLockOptions struct {
	// Schema holds the claims table; empty means the connection's search_path.
	Schema string
	// Table is the claims table's name; empty means DefaultClaimsTable.
	Table string
	// Replica names this process in the claims table; empty means host:pid.
	Replica string
	// KeepClaims is how long claim rows are kept; 0 means 7 days.
	KeepClaims time.Duration
}

// TickLocker is the adapter.TickLocker (the scheduler's Locker) for several
// strata scheduler replicas sharing one PostgreSQL database: each tick of
// each schedule runs on exactly one replica, and one schedule's runs never
// overlap across replicas.
//
// A tick is claimed by inserting (schedule, tick) into a claims table whose
// primary key is that pair, inside a transaction that first takes
// pg_try_advisory_xact_lock on a hash of the pair, so the losers of a race give
// up at once instead of queueing. The row outlives the transaction, so a
// replica whose clock lags and reaches the tick after the winner has finished
// still loses. The winner then takes a session advisory lock on the schedule,
// held on a dedicated connection until the run ends; if another replica holds
// it, the claim reports adapter.ErrTickBusy and the tick is recorded as skipped.
//
// A TickLocker is safe for concurrent use.
type TickLocker struct {
	pool      *pgxpool.Pool
	closePool bool
	table     string // quoted, qualified
	ns        string // namespaces the advisory lock keys by table
	replica   string
	keep      time.Duration
}

var _ adapter.TickLocker = (*TickLocker)(nil)

// NewTickLocker creates the claims table (and its schema) if missing and
// returns a TickLocker on pool.
func NewTickLocker(ctx context.Context, pool *pgxpool.Pool, opts TickLockOptions) (*TickLocker, error) {
	if opts.Table == "" {
		opts.Table = DefaultClaimsTable
	}
	if opts.Replica == "" {
		host, _ := os.Hostname()
		opts.Replica = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if opts.KeepClaims <= 0 {
		opts.KeepClaims = 7 * 24 * time.Hour
	}
	ident := pgx.Identifier{opts.Table}
	if opts.Schema != "" {
		ident = pgx.Identifier{opts.Schema, opts.Table}
	}
	l := &TickLocker{pool: pool, table: ident.Sanitize(), ns: ident.Sanitize(), replica: opts.Replica, keep: opts.KeepClaims}

	// Replicas starting together would race on "create table if not exists".
	// A fresh database has no schema yet either: the scheduler must start
	// before the first build has created it.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, l.key("create")); err != nil {
			return err
		}
		// A fresh database has no target schema until the first build makes
		// it. Look first: creating needs a privilege an existing schema does not.
		if opts.Schema != "" {
			var exists bool
			if err := tx.QueryRow(ctx, `select exists (select 1 from pg_namespace where nspname = $1)`, opts.Schema).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				if _, err := tx.Exec(ctx, `create schema if not exists `+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
					return fmt.Errorf("create schema %s: %w", opts.Schema, err)
				}
			}
		}
		_, err := tx.Exec(ctx, `create table if not exists `+l.table+` (
			schedule   text        not null,
			tick       timestamptz not null,
			replica    text        not null,
			claimed_at timestamptz not null default now(),
			primary key (schedule, tick))`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schedule claims table %s: %w", l.table, err)
	}
	return l, nil
}

// key hashes parts into an advisory lock key, namespaced by the claims table.
func (l *TickLocker) key(parts ...string) int64 {
	h := fnv.New64a()
	h.Write([]byte("strata/schedule\x00" + l.ns))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(h.Sum64())
}

// Claim implements adapter.TickLocker.
func (l *TickLocker) Claim(ctx context.Context, name string, tick time.Time) (bool, func(), error) {
	tick = tick.UTC()
	won := false
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, `select pg_try_advisory_xact_lock($1)`, l.key("tick", name, tick.Format(time.RFC3339Nano))).Scan(&got); err != nil {
			return err
		}
		if !got {
			return nil // another replica is claiming this very tick right now
		}
		tag, err := tx.Exec(ctx, `insert into `+l.table+` (schedule, tick, replica) values ($1, $2, $3) on conflict do nothing`, name, tick, l.replica)
		if err != nil {
			return err
		}
		won = tag.RowsAffected() == 1
		if won {
			_, err = tx.Exec(ctx, `delete from `+l.table+` where schedule = $1 and tick < $2`, name, tick.Add(-l.keep))
		}
		return err
	})
	if err != nil {
		return false, nil, fmt.Errorf("claim tick %s of schedule %s: %w", tick.Format(time.RFC3339), name, err)
	}
	if !won {
		return false, nil, nil
	}

	// Hold the schedule for the length of the run, on a connection of its own
	// (a session advisory lock lives as long as its session).
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return false, nil, fmt.Errorf("hold schedule %s: %w", name, err)
	}
	runKey := l.key("run", name)
	var held bool
	if err := conn.QueryRow(ctx, `select pg_try_advisory_lock($1)`, runKey).Scan(&held); err != nil {
		conn.Release()
		return false, nil, fmt.Errorf("hold schedule %s: %w", name, err)
	}
	if !held {
		conn.Release()
		return false, nil, adapter.ErrTickBusy
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var unlocked bool
			err := conn.QueryRow(ctx, `select pg_advisory_unlock($1)`, runKey).Scan(&unlocked)
			if err != nil || !unlocked {
				// Never hand a connection that may still hold the lock back
				// to the pool: closing the session drops the lock.
				_ = conn.Conn().Close(ctx)
			}
			conn.Release()
		})
	}
	return true, release, nil
}

// Close implements adapter.TickLocker: it closes the pool TickLock opened.
func (l *TickLocker) Close() {
	if l.closePool {
		l.pool.Close()
	}
}

// Claims lists the ticks claimed for a schedule and which replica claimed
// them, oldest first; for status pages and tests.
func (l *TickLocker) Claims(ctx context.Context, name string) ([]Claim, error) {
	rows, err := l.pool.Query(ctx, `select schedule, tick, replica, claimed_at from `+l.table+` where schedule = $1 order by tick`, name)
	if err != nil {
		return nil, fmt.Errorf("list claims of schedule %s: %w", name, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Claim, error) {
		var c Claim
		err := r.Scan(&c.Schedule, &c.Tick, &c.Replica, &c.ClaimedAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list claims of schedule %s: %w", name, err)
	}
	return out, nil
}

// Claim is one row of the claims table.
type Claim struct {
	Schedule  string
	Tick      time.Time
	Replica   string
	ClaimedAt time.Time
}
