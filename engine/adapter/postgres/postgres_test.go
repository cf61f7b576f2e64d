package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

func TestUnreachableFailsFast(t *testing.T) {
	start := time.Now()
	_, err := Open(context.Background(), adapter.Target{Name: "dev", Fields: map[string]any{
		"host": "127.0.0.1", "port": 1, "user": "strata", "password": "s3cret-pw", "dbname": "x", "sslmode": "disable"}})
	took := time.Since(start)
	if !errors.Is(err, adapter.ErrUnreachable) {
		t.Fatalf("error %v, want ErrUnreachable", err)
	}
	if took > time.Second {
		t.Errorf("a refused port took %v to fail", took)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name host:port", err)
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("error %q leaks the password", err)
	}
}

func TestConnectTimeout(t *testing.T) {
	// A non-routable address never answers: connect_timeout bounds the wait.
	start := time.Now()
	_, err := Open(context.Background(), adapter.Target{Name: "dev", Fields: map[string]any{
		"host": "10.255.255.1", "port": 5432, "user": "u", "dbname": "x", "connect_timeout": 1}})
	if !errors.Is(err, adapter.ErrUnreachable) {
		t.Fatalf("error %v, want ErrUnreachable", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("connect_timeout 1 took %v", took)
	}
}

func TestPoolConfig(t *testing.T) {
	cfg, addr, err := poolConfig(adapter.Target{Name: "dev", Threads: 6, Fields: map[string]any{
		"host": "db.example", "port": 6543, "user": "o'neil", "pass": `p\w'd`, "database": "warehouse",
		"search_path": "analytics,public", "sslmode": "require"}})
	if err != nil {
		t.Fatal(err)
	}
	cc := cfg.ConnConfig
	if addr != "db.example:6543" || cc.Host != "db.example" || cc.Port != 6543 || cc.Database != "warehouse" ||
		cc.User != "o'neil" || cc.Password != `p\w'd` {
		t.Errorf("parsed %s:%d db=%s user=%s password=%s", cc.Host, cc.Port, cc.Database, cc.User, cc.Password)
	}
	if cc.ConnectTimeout != DefaultConnectTimeout {
		t.Errorf("connect timeout %v", cc.ConnectTimeout)
	}
	if cc.RuntimeParams["application_name"] != "strata" || cc.RuntimeParams["search_path"] != "analytics,public" {
		t.Errorf("runtime params %v", cc.RuntimeParams)
	}
	if cfg.MaxConns != 6 {
		t.Errorf("pool size %d, want threads (6)", cfg.MaxConns)
	}
	if _, _, err := poolConfig(adapter.Target{Fields: map[string]any{"connect_timeout": "soon"}}); err == nil {
		t.Error("a non-numeric connect_timeout was accepted")
	}
}

// TestCancelStopsBackend checks that cancelling a query stops it in the
// server: no backend is still running it afterwards.
func TestCancelStopsBackend(t *testing.T) {
	a := openTest(t, 2)
	defer a.Close()
	marker := fmt.Sprintf("strata_cancel_%d", time.Now().UnixNano())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := a.Exec(ctx, "select pg_sleep(30) as "+marker)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancel took %v", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	// pg_stat_activity shows our own query too: exclude this backend.
	deadline := time.Now().Add(2 * time.Second)
	for {
		tab, err := a.Query(context.Background(), fmt.Sprintf(
			"select count(*) from pg_stat_activity where state = 'active' and query like '%%%s%%' and pid <> pg_backend_pid()", marker), 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(tab.Rows[0][0]) == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a backend is still running the cancelled query")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSQLErrorKeepsMessage(t *testing.T) {
	a := openTest(t, 1)
	defer a.Close()
	_, err := a.Exec(context.Background(), "select * from no_such_relation_q")
	if err == nil || !strings.Contains(err.Error(), `relation "no_such_relation_q" does not exist`) {
		t.Errorf("error %v, want PostgreSQL's message", err)
	}
	if errors.Is(err, adapter.ErrUnreachable) || errors.Is(err, context.Canceled) {
		t.Errorf("a SQL error is classified as %v", err)
	}
}

// The SQL text of every statement is checked against golden files in
// engine/materialize/testdata/postgres; these are PostgreSQL's own rules.
func TestDialectRules(t *testing.T) {
	d := Dialect{}
	if got := d.TempRelation(relation.Relation{Database: "db", Schema: "s", Identifier: "t"}, "x"); d.RenderRelation(got) != `"pg_temp"."x"` {
		t.Errorf("temporary relation %s", d.RenderRelation(got))
	}
	if got := d.Drop(relation.Relation{Schema: "s", Identifier: "t"}, relation.External); got != `drop foreign table if exists "s"."t" cascade` {
		t.Errorf("drop = %s", got)
	}
	if Traits.MaxIdentifierBytes != 63 || Traits.AtomicReplace || !Traits.TransactionalDDL {
		t.Errorf("traits %+v", Traits)
	}
	if err := Traits.CheckIdentifier("postgres", strings.Repeat("x", 64)); err == nil || !strings.Contains(err.Error(), "63") {
		t.Errorf("a 64-byte name: %v", err)
	}
}
