package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

// Open sends client_connection_check_interval in the startup packet, so each
// connection's sessions have it without a SET round trip; a server that
// refuses an unknown startup parameter is told apart from other failures, so
// Open can connect again without it (servers before 14).
func TestCheckIntervalIsAStartupParameter(t *testing.T) {
	c := openTest(t, 2)
	defer c.Close()
	ctx := context.Background()
	for range 2 { // the first connection and one made later by the pool
		tab, err := c.Query(ctx, "show client_connection_check_interval", 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tab.Rows[0][0]); got != "2s" {
			t.Errorf("client_connection_check_interval = %s, want 2s", got)
		}
	}

	cfg, _, err := poolConfig(testTarget(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["strata_no_such_setting"] = "1"
	_, err = openPool(ctx, cfg, "test")
	if err == nil || !unknownStartupParam(err, "strata_no_such_setting") {
		t.Fatalf("an unknown startup parameter: err = %v, not recognised as one", err)
	}
	if unknownStartupParam(err, checkParam) {
		t.Error("an error naming another parameter was taken for the check interval's")
	}
	delete(cfg.ConnConfig.RuntimeParams, "strata_no_such_setting")
	cfg.ConnConfig.Port = 1
	if _, err := openPool(ctx, cfg, "127.0.0.1:1"); err == nil || unknownStartupParam(err, "strata_no_such_setting") {
		t.Errorf("a refused connection: err = %v", err)
	}
}
