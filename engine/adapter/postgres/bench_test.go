package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
)

// TestConcurrentViewRebuilds re-runs a fan of views over one parent from 4
// workers, twice, as `strata run --threads 4` does over existing views: it
// must never deadlock (dbt-core's drop-cascade swap does, here).
func TestConcurrentViewRebuilds(t *testing.T) {
	c := openTest(t, 4)
	t.Cleanup(func() { _ = c.Close() }) // after uniqueSchema's drop
	schema := uniqueSchema(t, c)
	a := materialize.New(c, Driver(), adapter.Target{Database: c.database, Schema: schema})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.CreateSchema(ctx, c.database, schema); err != nil {
		t.Fatal(err)
	}
	rel := func(n string) relation.Relation {
		return relation.Relation{Database: c.database, Schema: schema, Identifier: n}
	}
	for round := range 3 {
		if _, err := a.Materialize(ctx, materialize.Request{Relation: rel("parent"), Materialized: "view",
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
					if _, err := a.Materialize(ctx, materialize.Request{Relation: rel(fmt.Sprintf("child_%d", i)), Materialized: "view", SQL: sql}); err != nil {
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
	c, err := OpenPostgres(context.Background(), testTarget(b, 1))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	schema := fmt.Sprintf("strata_bench_%d", time.Now().UnixNano())
	a := materialize.New(c, Driver(), adapter.Target{Database: c.database, Schema: schema})
	if err := a.CreateSchema(ctx, c.database, schema); err != nil {
		b.Fatal(err)
	}
	d := Dialect{}
	defer c.Exec(ctx, "drop schema "+d.QuoteIdent(schema)+" cascade")
	rel := relation.Relation{Database: c.database, Schema: schema}
	replace := adapter.CreateOptions{Replace: true}
	// Both variants replace the same 1,000 existing views, as a re-run does.
	for i := range 1000 {
		if _, err := c.Exec(ctx, d.CreateView(rel.WithIdentifier(fmt.Sprintf("v%d", i)), "select 1 as id", replace)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("materialize", func(b *testing.B) {
		for i := range b.N {
			r := rel.WithIdentifier(fmt.Sprintf("v%d", i%1000))
			if _, err := a.Materialize(ctx, materialize.Request{Relation: r, Materialized: "view", SQL: "select 1 as id"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		pc, err := c.pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer pc.Release()
		for i := range b.N {
			r := rel.WithIdentifier(fmt.Sprintf("v%d", i%1000))
			if _, err := pc.Exec(ctx, d.CreateView(r, "select 1 as id", replace)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
