package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/schedule"
)

// testSchema connects to the test database (skipping without the DSN variable,
// failing when it is set but unreachable) and makes a fresh schema that is
// dropped afterwards.
func testSchema(t *testing.T) (string, string) {
	t.Helper()
	dsn := os.Getenv(dsnVar)
	if dsn == "" {
		t.Skipf("set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) to run the PostgreSQL tests", dsnVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL is unreachable: %v", dsnVar, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "strata_test_pglock_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "create schema "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "drop schema "+pgx.Identifier{schema}.Sanitize()+" cascade"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return dsn, schema
}

func newLocker(t *testing.T, dsn, schema, replica string) *TickLocker {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	l, err := NewTickLocker(ctx, pool, TickLockOptions{Schema: schema, Replica: replica})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// schedLocker is a TickLocker as the scheduler sees it: adapter.ErrTickBusy
// is its ErrBusy (the CLI does the same when it hands the driver's lock over).
type schedLocker struct{ l adapter.TickLocker }

func (s schedLocker) Claim(ctx context.Context, name string, tick time.Time) (bool, func(), error) {
	ok, release, err := s.l.Claim(ctx, name, tick)
	if errors.Is(err, adapter.ErrTickBusy) {
		err = schedule.ErrBusy
	}
	return ok, release, err
}

func TestClaimIsExclusivePerTickAndHoldsTheSchedule(t *testing.T) {
	dsn, schema := testSchema(t)
	ctx := context.Background()
	a := newLocker(t, dsn, schema, "a")
	b := newLocker(t, dsn, schema, "b")
	t1 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	t2, t3 := t1.Add(time.Hour), t1.Add(2*time.Hour)

	ok, releaseA, err := a.Claim(ctx, "nightly", t1)
	if err != nil || !ok {
		t.Fatalf("first claim = %v, %v", ok, err)
	}
	// The same tick, in another time zone representation, is lost.
	if ok, _, err := b.Claim(ctx, "nightly", t1.In(time.FixedZone("CET", 3600))); ok || err != nil {
		t.Fatalf("second claim of the same tick = %v, %v; want lost", ok, err)
	}
	// Another schedule is independent.
	ok, releaseOther, err := b.Claim(ctx, "hourly", t1)
	if err != nil || !ok {
		t.Fatalf("other schedule = %v, %v", ok, err)
	}
	releaseOther()
	// The next tick while a's run still goes: b wins the tick but the schedule is busy.
	if ok, _, err := b.Claim(ctx, "nightly", t2); ok || !errors.Is(err, adapter.ErrTickBusy) {
		t.Fatalf("claim while running = %v, %v; want ErrBusy", ok, err)
	}
	releaseA()
	releaseA() // twice is harmless
	// That tick stays decided: nobody runs it later.
	if ok, _, err := a.Claim(ctx, "nightly", t2); ok || err != nil {
		t.Fatalf("re-claim of a busy tick = %v, %v; want lost", ok, err)
	}
	ok, releaseB, err := b.Claim(ctx, "nightly", t3)
	if err != nil || !ok {
		t.Fatalf("claim after release = %v, %v", ok, err)
	}
	releaseB()
	// A replica with a lagging clock arriving at an old tick after its run ended loses.
	if ok, _, err := a.Claim(ctx, "nightly", t3); ok || err != nil {
		t.Fatalf("late claim = %v, %v; want lost", ok, err)
	}

	claims, err := a.Claims(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@" + t1.Format(time.RFC3339), "b@" + t2.Format(time.RFC3339), "b@" + t3.Format(time.RFC3339)}
	if len(claims) != len(want) {
		t.Fatalf("claims = %+v", claims)
	}
	for i, c := range claims {
		if got := c.Replica + "@" + c.Tick.UTC().Format(time.RFC3339); got != want[i] {
			t.Errorf("claim %d = %s, want %s", i, got, want[i])
		}
	}
}

// TestTickLockOnAFreshDatabase: the scheduler starts before any build has
// created the target's schema (issue: "schema does not exist" at start).
func TestTickLockOnAFreshDatabase(t *testing.T) {
	dsn, schema := testSchema(t)
	tg := testTarget(t, 1)
	tg.Schema = schema + "_fresh"
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = c.Exec(context.Background(), "drop schema if exists "+pgx.Identifier{tg.Schema}.Sanitize()+" cascade")
			_ = c.Close(context.Background())
		}
	})
	l, err := TickLock(context.Background(), tg)
	if err != nil {
		t.Fatalf("tick lock on a schema that does not exist yet: %v", err)
	}
	defer l.Close()
	ok, release, err := l.Claim(context.Background(), "nightly", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	release()
}

func TestClaimHonoursContext(t *testing.T) {
	dsn, schema := testSchema(t)
	l := newLocker(t, dsn, schema, "a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, _, err := l.Claim(ctx, "x", time.Now()); ok || err == nil {
		t.Fatalf("claim with a cancelled context = %v, %v", ok, err)
	}
}

// laggingClock is the wall clock running behind by lag, like a replica whose
// NTP is off.
type laggingClock struct{ lag time.Duration }

func (c laggingClock) Now() time.Time { return time.Now().Add(-c.lag) }
func (c laggingClock) NewTimer(d time.Duration) schedule.Timer {
	return schedule.WallClock{}.NewTimer(d)
}

func TestTwoSchedulersOnOnePostgresRunEachTickOnce(t *testing.T) {
	dsn, schema := testSchema(t)
	type key struct {
		schedule string
		tick     time.Time
	}
	var mu sync.Mutex
	ran := map[key][]string{}
	run := func(replica string) schedule.RunFunc {
		return func(ctx context.Context, req schedule.RunRequest) (schedule.RunReport, error) {
			mu.Lock()
			k := key{req.Schedule, req.Tick.UTC()}
			ran[k] = append(ran[k], replica)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // short: done long before the lagging replica arrives
			return schedule.RunReport{Status: schedule.StatusSuccess}, nil
		}
	}
	specs := []project.ScheduleSpec{{Name: "every", Cron: "@every 1s"}, {Name: "also", Cron: "@every 1s"}}
	var scheds []*schedule.Scheduler
	clocks := map[string]schedule.Clock{"a": schedule.WallClock{}, "b": laggingClock{lag: 300 * time.Millisecond}}
	for _, name := range []string{"a", "b"} {
		s, err := schedule.New(schedule.Options{
			Specs: specs, Run: run(name), Clock: clocks[name],
			HistoryDir: filepath.Join(t.TempDir(), name), Locker: schedLocker{newLocker(t, dsn, schema, name)},
		})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, len(scheds))
	for i, s := range scheds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Run(ctx)
		}()
	}
	time.Sleep(3500 * time.Millisecond)
	cancel()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Run = %v", i, err)
		}
	}

	perSchedule := map[string]int{}
	for k, replicas := range ran {
		perSchedule[k.schedule]++
		if len(replicas) != 1 {
			t.Errorf("%s tick %s ran on %v; want exactly one replica", k.schedule, k.tick.Format(time.RFC3339), replicas)
		}
		if k.tick.Nanosecond() != 0 {
			t.Errorf("tick %s is not aligned to a whole second", k.tick)
		}
	}
	for _, name := range []string{"every", "also"} {
		if perSchedule[name] < 2 {
			t.Errorf("schedule %s ran %d ticks in 3.5 s; want at least 2", name, perSchedule[name])
		}
	}
	// Each history records only what its replica ran: one record per tick in all.
	records := map[key]int{}
	for _, s := range scheds {
		for _, r := range s.Runs() {
			records[key{r.Schedule, r.Tick.UTC()}]++
			if r.Status != schedule.StatusSuccess {
				t.Errorf("run %s: %s %s", r.ID, r.Status, r.Message)
			}
		}
	}
	for k, n := range records {
		if n != 1 {
			t.Errorf("%s tick %s recorded %d times", k.schedule, k.tick.Format(time.RFC3339), n)
		}
	}
	if len(records) != len(ran) {
		t.Errorf("%d records for %d runs", len(records), len(ran))
	}
}
