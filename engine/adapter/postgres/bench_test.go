package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// TestConcurrentViewRebuilds re-runs a fan of views over one parent from 4
// workers, twice, as `strata run --threads 4` does over existing views: it
// must never deadlock (dbt-core's drop-cascade swap does, here).
func TestConcurrentViewRebuilds(t *testing.T) {
	a := openTest(t, 4)
	t.Cleanup(func() { _ = a.Close() }) // after uniqueSchema's drop
	schema := uniqueSchema(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.EnsureSchema(ctx, a.database, schema); err != nil {
		t.Fatal(err)
	}
	rel := func(n string) relation.Relation {
		return relation.Relation{Database: a.database, Schema: schema, Identifier: n}
	}
	for round := range 3 {
		if _, err := a.Materialize(ctx, adapter.MaterializeRequest{Relation: rel("parent"), Materialized: "view",
			SQL: fmt.Sprintf("select %d as round, g as id from generate_series(1, 10) g", round)}); err != nil {
			t.Fatal(err)
		}
		work := make(chan int)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 4 {
			wg.Go(func() {
				for i := range work {
					sql := fmt.Sprintf("select * from %s where id %% 40 <> %d", a.RenderRelation(rel("parent")), i)
					if _, err := a.Materialize(ctx, adapter.MaterializeRequest{Relation: rel(fmt.Sprintf("child_%d", i)), Materialized: "view", SQL: sql}); err != nil {
						errs <- err
					}
				}
			})
		}
		for i := range 40 {
			work <- i
		}
		close(work)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// BenchmarkViewOverhead compares Materialize of a small view with sending the
// same statement straight through one connection: the difference is the
// adapter's per-model overhead (figures, not a pass/fail check).
func BenchmarkViewOverhead(b *testing.B) {
	a, err := OpenPostgres(context.Background(), testTarget(b, 1))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	schema := fmt.Sprintf("strata_bench_%d", time.Now().UnixNano())
	if err := a.EnsureSchema(ctx, a.database, schema); err != nil {
		b.Fatal(err)
	}
	defer a.Exec(ctx, "drop schema "+a.QuoteIdent(schema)+" cascade")
	rel := relation.Relation{Database: a.database, Schema: schema}
	// Both variants replace the same 1,000 existing views, as a re-run does.
	for i := range 1000 {
		if _, err := a.Exec(ctx, a.CreateOrReplaceViewSQL(rel.WithIdentifier(fmt.Sprintf("v%d", i)), "select 1 as id")); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("materialize", func(b *testing.B) {
		for i := range b.N {
			r := rel.WithIdentifier(fmt.Sprintf("v%d", i%1000))
			if _, err := a.Materialize(ctx, adapter.MaterializeRequest{Relation: r, Materialized: "view", SQL: "select 1 as id"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		c, err := a.pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Release()
		for i := range b.N {
			r := rel.WithIdentifier(fmt.Sprintf("v%d", i%1000))
			if _, err := c.Exec(ctx, a.CreateOrReplaceViewSQL(r, "select 1 as id")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
