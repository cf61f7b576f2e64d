package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/strata-dev/strata/engine/adapter"
)

// A cancelled Exec returns the context's error, and its interrupts never
// reach the statements its connection runs next.
func TestExecCancelThenReuse(t *testing.T) {
	c := openTemp(t, 1)
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.Exec(ctx, "create table big as select count(*) as n from range(10000000000)"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Exec: %v, want context.Canceled", err)
	}
	// Cancel as statements finish, many times: a late interrupt would fail
	// the next statement, which runs under a live context.
	for i := range 300 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = c.Exec(ctx, "select 1")
		}()
		if i%2 == 0 {
			time.Sleep(time.Duration(i%7) * 10 * time.Microsecond)
		}
		cancel()
		<-done
		if _, err := c.Exec(context.Background(), "create or replace view v as select 1 as a"); err != nil {
			t.Fatalf("round %d: a statement after a cancelled one failed: %v", i, err)
		}
	}
	if _, err := c.Exec(context.Background(), "select * from big"); err == nil {
		t.Error("the cancelled create table left a table behind")
	}
}

// A multi-statement Exec that fails inside its own transaction leaves no
// transaction open and nothing of it behind.
func TestExecFailedTransaction(t *testing.T) {
	c := openTemp(t, 1)
	defer c.Close()
	_, err := c.Exec(context.Background(), "begin; create table t1 as select 1 as a; select * from missing_table; commit")
	if err == nil || !strings.Contains(err.Error(), "missing_table") {
		t.Fatalf("err = %v, want DuckDB's message naming missing_table", err)
	}
	if _, err := c.Exec(context.Background(), "create table t2 as select 1 as a"); err != nil {
		t.Fatalf("next Exec: %v", err)
	}
	tab, err := c.Query(context.Background(), "select table_name from information_schema.tables order by 1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Rows[0][0] != "t2" {
		t.Errorf("tables: %v, want only t2", tab.Rows)
	}
}

// Exec reports the rows a statement changed, and -1 for DDL; an empty
// statement does nothing (as on PostgreSQL).
func TestExecRowsAndEmpty(t *testing.T) {
	c := openTemp(t, 1)
	defer c.Close()
	for _, tc := range []struct {
		q    string
		want int64
	}{
		{"create table t as select 1 as a", -1},
		{"insert into t values (2), (3)", 2},
		{"update t set a = a + 1 where a > 1", 2},
		{"delete from t", 3},
		{"", 0},
		{"-- nothing", 0},
	} {
		n, err := c.Exec(context.Background(), tc.q)
		if err != nil || n != tc.want {
			t.Errorf("Exec(%q) = %d, %v; want %d", tc.q, n, err, tc.want)
		}
	}
}

// The profile's settings reach every connection: Exec's own and the
// database/sql pool's.
func TestProfileSettingsReachEveryConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.duckdb")
	c, err := OpenDuckDB(context.Background(), adapter.Target{Type: "duckdb", Database: "db", Schema: "main", Threads: 2,
		Fields: map[string]any{"path": path, "settings": map[string]any{"TimeZone": "America/New_York", "threads": 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Exec(context.Background(), "create table s as select current_setting('TimeZone') as tz"); err != nil {
		t.Fatal(err)
	}
	tab, err := c.Query(context.Background(), "select tz, current_setting('TimeZone'), current_setting('threads') from s", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tab.Rows); got != "[[America/New_York America/New_York 1]]" {
		t.Errorf("settings seen: %s", got)
	}
	_, err = OpenDuckDB(context.Background(), adapter.Target{Type: "duckdb", Database: "db2", Schema: "main", Threads: 1,
		Fields: map[string]any{"path": filepath.Join(t.TempDir(), "db2.duckdb"), "settings": map[string]any{"no_such_setting": "x"}}})
	if err == nil || !strings.Contains(err.Error(), "no_such_setting") {
		t.Errorf("an unknown setting opened with %v, want an error naming it", err)
	}
}

func TestProfileSettingsProblems(t *testing.T) {
	for _, tc := range []struct {
		settings any
		want     string
	}{
		{"TimeZone=UTC", "must map DuckDB setting names"},
		{map[string]any{"time zone": "UTC"}, `"time zone" is not a DuckDB setting name`},
		{map[string]any{"TimeZone": []any{"UTC"}}, "setting TimeZone: the value must be"},
	} {
		tg := &adapter.Target{Name: "dev", Profile: "p", Type: "duckdb", Fields: map[string]any{"path": "x.duckdb", "settings": tc.settings}}
		problems := completeProfile(tg, adapter.ProfileEnv{ProjectDir: t.TempDir()})
		if len(problems) != 1 || problems[0].Key != "settings" || !strings.Contains(problems[0].Detail, tc.want) {
			t.Errorf("settings %v: problems %+v, want one on settings saying %q", tc.settings, problems, tc.want)
		}
	}
	stmts, err := settingStatements(map[string]any{"TimeZone": "it's", "threads": 4, "enable_progress_bar": false})
	if err != nil || strings.Join(stmts, "; ") != "set TimeZone = 'it''s'; set enable_progress_bar = 'false'; set threads = '4'" {
		t.Errorf("statements %q, %v", stmts, err)
	}
}

// An interrupt that reaches an idle connection (a cancellation as its
// statement returned) does not fail the connection's next statement: DuckDB
// clears the flag when a query begins, which rawExec's reuse relies on.
func TestStaleInterruptOnIdleConnection(t *testing.T) {
	c := openTemp(t, 1)
	defer c.Close()
	conn, err := c.raw.get()
	if err != nil {
		t.Fatal(err)
	}
	mapping.Interrupt(conn)
	c.raw.put(conn, true)
	if _, err := c.Exec(context.Background(), "create table after_interrupt as select 1 as a"); err != nil {
		t.Fatalf("the statement after a stale interrupt: %v", err)
	}
}

// Close releases the file with Exec's connections open: another process can
// open it at once (a scheduled run closes the file between runs).
func TestCloseReleasesFileAfterExec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.duckdb")
	c, err := OpenDuckDB(context.Background(), adapter.Target{Type: "duckdb", Database: "db", Schema: "main", Threads: 2,
		Fields: map[string]any{"path": path}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"create table a as select 1 as x", "create view v as select * from a"} {
		if _, err := c.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLockHelper$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	cmd.Stdin = strings.NewReader("\n")
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "ready") {
		t.Fatalf("another process could not open the closed file: %v\n%s", err, out)
	}
}

// A path with DSN options opens with a configuration the instance cache would
// not match: Exec goes through database/sql there, and works.
func TestExecOnPathWithOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.duckdb") + "?threads=1"
	c, err := OpenDuckDB(context.Background(), adapter.Target{Type: "duckdb", Database: "db", Schema: "main", Threads: 1,
		Fields: map[string]any{"path": path}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.raw != nil {
		t.Error("Exec runs on connections of its own for a path with options")
	}
	if _, err := c.Exec(context.Background(), "create table a as select 1 as x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(context.Background(), "select x from a", 0); err != nil {
		t.Errorf("a table Exec made is not in the database queries read: %v", err)
	}
}
