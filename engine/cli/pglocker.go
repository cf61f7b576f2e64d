package cli

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter/postgres"
	"github.com/strata-dev/strata/engine/schedule"
	"github.com/strata-dev/strata/engine/schedule/pglock"
)

// postgresLocker claims ticks through the target's PostgreSQL, so that replicas
// sharing it run each tick exactly once.
func postgresLocker(ctx context.Context, p *engine.Project) (schedule.Locker, func(), error) {
	cfg, err := postgres.PoolConfig(p.Target)
	if err != nil {
		return nil, nil, err
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	l, err := pglock.New(ctx, pool, pglock.Options{Schema: p.Target.Schema})
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return l, pool.Close, nil
}
