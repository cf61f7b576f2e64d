package fakesnowflake_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
)

func open(t *testing.T, cfg *gosnowflake.Config) *sql.DB {
	t.Helper()
	_ = gosnowflake.GetLogger().SetLogLevel("OFF")
	db := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, *cfg))
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestLoginAndTypedResult(t *testing.T) {
	s := fakesnowflake.New(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)
	s.On("select * from loans", fakesnowflake.Returns(fakesnowflake.Select(
		[]fakesnowflake.Column{
			{Name: "ID", Type: "fixed"}, {Name: "AMOUNT", Type: "fixed", Precision: 12, Scale: 2},
			{Name: "NAME", Type: "text", Nullable: true}, {Name: "ACTIVE", Type: "boolean"},
			{Name: "OPENED", Type: "date"}, {Name: "AT", Type: "timestamp_ntz"}, {Name: "RATE", Type: "real"},
		},
		[]any{int64(1), "10.50", "a'b", true, day, ts, 0.25},
		[]any{int64(2), "3.00", nil, false, day, ts, 1.5},
	)))
	db := open(t, s.Config())
	rows, err := db.QueryContext(context.Background(), "select * from loans")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if strings.Join(cols, ",") != "ID,AMOUNT,NAME,ACTIVE,OPENED,AT,RATE" {
		t.Fatalf("columns %v", cols)
	}
	var n int
	for rows.Next() {
		var id int64
		var amount string
		var name sql.NullString
		var active bool
		var opened, at time.Time
		var rate float64
		if err := rows.Scan(&id, &amount, &name, &active, &opened, &at, &rate); err != nil {
			t.Fatal(err)
		}
		n++
		if id == 1 && (amount != "10.50" || name.String != "a'b" || !active || !opened.Equal(day) || !at.Equal(ts) || rate != 0.25) {
			t.Errorf("row 1 = %v %v %v %v %v %v", amount, name, active, opened, at, rate)
		}
		if id == 2 && (name.Valid || active) {
			t.Errorf("row 2 name %v active %v", name, active)
		}
	}
	if n != 2 {
		t.Fatalf("%d rows", n)
	}
	l := s.Logins()
	if len(l) != 1 || !l[0].OK || l[0].Database != "ANALYTICS" || l[0].SessionParameters["GO_QUERY_RESULT_FORMAT"] != "JSON" {
		t.Fatalf("logins %+v", l)
	}
}

func TestBadPassword(t *testing.T) {
	s := fakesnowflake.New(t)
	cfg := s.Config()
	cfg.Password = "wrong"
	err := open(t, cfg).Ping()
	var se *gosnowflake.SnowflakeError
	if !errors.As(err, &se) || se.Number != 390100 {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownAccount(t *testing.T) {
	s := fakesnowflake.New(t)
	cfg := s.Config()
	cfg.Account = "nosuch"
	err := open(t, cfg).Ping()
	var se *gosnowflake.SnowflakeError
	if !errors.As(err, &se) || se.Number != gosnowflake.ErrCodeFailedToConnect {
		t.Fatalf("err = %v", err)
	}
}

func TestJWT(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	s := fakesnowflake.New(t, fakesnowflake.WithPublicKey("keyuser", &key.PublicKey))
	cfg := s.Config()
	cfg.User, cfg.Password = "keyuser", ""
	cfg.Authenticator = gosnowflake.AuthTypeJwt
	cfg.PrivateKey = key
	if err := open(t, cfg).Ping(); err != nil {
		t.Fatalf("good key: %v", err)
	}
	cfg.PrivateKey = other
	err = open(t, cfg).Ping()
	var se *gosnowflake.SnowflakeError
	if !errors.As(err, &se) || se.Number != 390144 {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestPollingRenewalAndMulti(t *testing.T) {
	s := fakesnowflake.New(t, fakesnowflake.WithPollWait(50*time.Millisecond))
	s.On("select slow", fakesnowflake.Sleeps(180*time.Millisecond, fakesnowflake.Select(
		[]fakesnowflake.Column{{Name: "X", Type: "fixed"}}, []any{int64(7)})))
	s.OnRegexp(`(?i)^insert`, fakesnowflake.Returns(fakesnowflake.DML(fakesnowflake.StmtInsert, 3)))
	db := open(t, s.Config())
	var x int
	if err := db.QueryRow("select slow").Scan(&x); err != nil || x != 7 {
		t.Fatalf("slow: %v %d", err, x)
	}
	var polls int
	for _, c := range s.Calls() {
		if strings.HasSuffix(c, "/result") {
			polls++
		}
	}
	if polls < 2 {
		t.Errorf("want at least 2 result polls, got %d: %v", polls, s.Calls())
	}
	s.ExpireSessions()
	res, err := db.Exec("insert into t values (1)")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Errorf("rows affected %d", n)
	}
	ctx, _ := gosnowflake.WithMultiStatement(context.Background(), 0)
	res, err = db.ExecContext(ctx, "insert into t values (1); insert into t values (2);")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 6 {
		t.Errorf("multi rows affected %d", n)
	}
	got := s.SQL()
	if len(got) != 4 || got[2] != "insert into t values (1)" || got[3] != "insert into t values (2)" {
		t.Errorf("sql %q", got)
	}
}

func TestAbort(t *testing.T) {
	s := fakesnowflake.New(t)
	s.On("select hang", fakesnowflake.Hangs())
	db := open(t, s.Config())
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := db.QueryContext(ctx, "select hang")
	if err == nil {
		t.Fatal("no error")
	}
	var req string
	for _, q := range s.Queries() {
		if q.SQL == "select hang" {
			req = q.RequestID
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for _, a := range s.Aborts() {
			if a.RequestID == req && a.WasRunning {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no abort for request %s: %+v", req, s.Aborts())
}
