package postgres

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql golden files")

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

func TestDialectGolden(t *testing.T) {
	d := Dialect{}
	target := relation.Relation{Database: "finhouse", Schema: "analytics", Identifier: "fct_Loans"}
	tmp := target.WithIdentifier("fct_Loans__strata_tmp_0a1b2c3d")
	cols := []adapter.Column{{Name: "loan_id", DataType: "bigint"}, {Name: "Order", DataType: "text"}, {Name: "amount", DataType: "numeric(18,2)"}}
	keys := []string{"loan_id", "Order"}
	cases := map[string]string{
		"create_schema":     d.CreateSchemaSQL("analytics_staging"),
		"create_view":       d.CreateViewSQL(tmp, "select 1 as id;\n"),
		"replace_view":      d.CreateOrReplaceViewSQL(target, "select 1 as id -- trailing comment"),
		"create_table":      d.CreateTableAsSQL(tmp, "select 1 as id"),
		"create_temp_table": d.CreateTempTableAsSQL(tmp.Identifier, "select * from src"),
		"create_columns":    d.CreateTableSQL(tmp, cols),
		"drop_view":         d.DropSQL(target, relation.View),
		"drop_table":        d.DropSQL(target, relation.Table),
		"swap_table":        strings.Join(d.SwapSQL(target, relation.Table, tmp, relation.Table, "fct_Loans__strata_tmp_99999999"), ";\n"),
		"swap_view_table":   strings.Join(d.SwapSQL(target, relation.View, tmp, relation.Table, "fct_Loans__strata_tmp_99999999"), ";\n"),
		"swap_new":          strings.Join(d.SwapSQL(target, relation.None, tmp, relation.View, "unused"), ";\n"),
		"append":            d.AppendSQL(target, tmp.Identifier, cols),
		"delete_insert":     strings.Join(d.DeleteInsertSQL(target, tmp.Identifier, keys, cols), ";\n"),
		"merge":             d.MergeSQL(target, tmp.Identifier, keys, cols),
		"add_columns":       d.AddColumnsSQL(target, cols[1:]),
		"copy":              d.CopySQL(tmp, []string{"id", "select"}),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got+"\n") })
	}
	long := strings.Repeat("x", 70)
	if n := len(adapter.TempIdentifier(long, MaxIdentLen)); n > MaxIdentLen {
		t.Errorf("temporary name of %d bytes", n)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s (-want +got):\n-%s\n+%s", path, want, got)
	}
}
