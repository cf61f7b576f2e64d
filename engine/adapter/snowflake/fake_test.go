package snowflake

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/adaptertest"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake/sfduck"
	"github.com/strata-dev/strata/engine/materialize"
)

func TestMain(m *testing.M) {
	// The driver probes cloud metadata services on its first connection.
	_ = os.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
	os.Exit(m.Run())
}

// longQuery is a real Snowflake function (it waits n seconds); the fake answers
// any statement calling it by hanging until the query is aborted.
const longQuery = "select system$wait(60)"

// newFake starts a fake Snowflake backed by DuckDB and connects to it.
func newFake(t *testing.T, opts ...fakesnowflake.Option) (*fakesnowflake.Server, adapter.Conn) {
	t.Helper()
	opts = append([]fakesnowflake.Option{fakesnowflake.WithEngine(sfduck.New(t, "ANALYTICS"))}, opts...)
	s := fakesnowflake.New(t, opts...)
	s.OnRegexp(`(?i)system\$wait`, fakesnowflake.Hangs())
	a, err := Open(context.Background(), s.Target())
	if err != nil {
		t.Fatalf("open on the fake: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return s, a
}

// TestConformanceOnFake runs the one conformance suite through the real
// driver against the DuckDB-backed fake.
func TestConformanceOnFake(t *testing.T) {
	adaptertest.Run(t, adaptertest.Harness{
		Driver: Driver(),
		Open: func(t *testing.T) adapter.Conn {
			_, c := newFake(t)
			return c
		},
		OpenSingle: func(t *testing.T) adapter.Conn {
			s := fakesnowflake.New(t, fakesnowflake.WithEngine(sfduck.New(t, "ANALYTICS")))
			tg := s.Target()
			tg.Threads = 1
			c, err := Open(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Database:   "ANALYTICS",
		Schema:     func(t *testing.T, c adapter.Conn) string { return "CONFORMANCE" },
		LongQuery:  longQuery,
		LongSelect: longQuery + " as w",
		Skip:       map[string]string{},
	})
}

// warehouse is a materialize handle on c, for the public schema of the
// fake's ANALYTICS database.
func warehouse(c adapter.Conn) *materialize.Warehouse {
	return materialize.New(c, Driver(), adapter.Target{Type: "snowflake", Database: "ANALYTICS", Schema: "PUBLIC"})
}

func fmtAny(v any) string { return fmt.Sprint(v) }
