package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/adaptertest"
)

const dsnVar = "STRATA_TEST_POSTGRES_DSN"

// testTarget builds a target from STRATA_TEST_POSTGRES_DSN (a postgres:// URL),
// skipping the test when it is unset.
func testTarget(t testing.TB, threads int) adapter.Target {
	t.Helper()
	dsn := os.Getenv(dsnVar)
	if dsn == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", dsnVar)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", dsnVar, err)
	}
	fields := map[string]any{"host": u.Hostname(), "port": u.Port(), "user": u.User.Username()}
	if p, ok := u.User.Password(); ok {
		fields["password"] = p
	}
	db := u.Path
	if len(db) > 0 && db[0] == '/' {
		db = db[1:]
	}
	if db == "" {
		db = "postgres"
	}
	fields["dbname"] = db
	for k, v := range u.Query() {
		fields[k] = v[0]
	}
	return adapter.Target{Name: "test", Type: "postgres", Database: db, Schema: "public", Threads: threads, Fields: fields}
}

func openTest(t *testing.T, threads int) *Conn {
	t.Helper()
	a, err := OpenPostgres(context.Background(), testTarget(t, threads))
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL is unusable: %v", dsnVar, err)
	}
	return a
}

// uniqueSchema returns a fresh schema name and drops the schema after the test.
func uniqueSchema(t *testing.T, c adapter.Conn) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "strata_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.Exec(ctx, "drop schema if exists "+Dialect{}.QuoteIdent(name)+" cascade"); err != nil {
			t.Errorf("drop test schema %s: %v", name, err)
		}
	})
	return name
}

func TestConformance(t *testing.T) {
	db := testTarget(t, 1).Database
	adaptertest.Run(t, adaptertest.Harness{
		Driver:     Driver(),
		Open:       func(t *testing.T) adapter.Conn { return openTest(t, 4) },
		OpenSingle: func(t *testing.T) adapter.Conn { return openTest(t, 1) },
		Database:   db,
		Schema:     uniqueSchema,
		LongQuery:  "select pg_sleep(30)",
		LongSelect: "select 1 as n from pg_sleep(30)",
	})
}
