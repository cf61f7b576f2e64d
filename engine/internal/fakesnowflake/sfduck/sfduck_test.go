package sfduck_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake/sfduck"
)

func setup(t *testing.T) (*fakesnowflake.Server, *sql.DB) {
	t.Helper()
	eng := sfduck.New(t, "ANALYTICS")
	s := fakesnowflake.New(t, fakesnowflake.WithEngine(eng))
	_ = gosnowflake.GetLogger().SetLogLevel("OFF")
	db := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, *s.Config()))
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return s, db
}

func rowsOf(t *testing.T, db *sql.DB, q string) (cols []string, out []string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ = rows.Columns()
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			if v.Valid {
				parts = append(parts, v.String)
			} else {
				parts = append(parts, "NULL")
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, out
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestUpperCaseFoldingAndMerge(t *testing.T) {
	_, db := setup(t)
	exec(t, db,
		`create schema if not exists analytics.staging`,
		`create or replace transient table analytics.staging.loans as select 1 as id, 'a' as name, 10 as "Order" union all select 2, 'b', 20`,
		`create or replace temporary table analytics.staging.loans__tmp as select 2 as id, 'B' as name, 21 as "Order" union all select 3, 'c', 30`,
		`merge into analytics.staging.loans as d using analytics.staging.loans__tmp as s on s.id = d.id
		 when matched then update set name = s.name, "Order" = s."Order"
		 when not matched then insert (id, name, "Order") values (s.id, s.name, s."Order")`,
	)
	cols, got := rowsOf(t, db, `select * from ANALYTICS.STAGING.LOANS order by id`)
	if strings.Join(cols, ",") != "ID,NAME,Order" {
		t.Errorf("columns %v, want ID,NAME,Order (unquoted names fold to upper case)", cols)
	}
	if want := "1|a|10,2|B|21,3|c|30"; strings.Join(got, ",") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	_, got = rowsOf(t, db, `select table_name, table_type from analytics.information_schema.tables where table_catalog = 'ANALYTICS' and table_schema = 'STAGING' order by 1`)
	if want := "LOANS|BASE TABLE,LOANS__TMP|BASE TABLE"; strings.Join(got, ",") != want {
		t.Errorf("tables %v, want %s", got, want)
	}
	_, got = rowsOf(t, db, `describe table analytics.staging.loans`)
	if want := "ID|NUMBER(38,0)|COLUMN|Y|NULL|N|N|NULL|NULL|NULL"; len(got) != 3 || got[0] != want {
		t.Errorf("describe %v", got)
	}
}

func TestSwapRenameAndErrors(t *testing.T) {
	_, db := setup(t)
	exec(t, db,
		`create or replace table public.a as select 1 as x`,
		`create or replace table public.b as select 2 as x`,
		`alter table analytics.public.a swap with analytics.public.b`,
		`alter table public.b rename to analytics.public.c`,
	)
	_, got := rowsOf(t, db, `select (select x from a), (select x from c)`)
	if strings.Join(got, ",") != "2|1" {
		t.Errorf("after swap %v", got)
	}
	_, err := db.Exec(`select * from public.missing`)
	var se *gosnowflake.SnowflakeError
	if !errors.As(err, &se) || se.Number != 2003 || se.SQLState != "42S02" || !strings.Contains(se.Message, "MISSING") {
		t.Errorf("missing table: %v", err)
	}
}

func TestDDLCommitsOpenTransaction(t *testing.T) {
	_, db := setup(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`create table t (x int)`, `begin`, `insert into t values (1)`,
		`create table u (y int)`, // commits the insert, as on Snowflake
		`rollback`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_ = conn.Close()
	_, got := rowsOf(t, db, `select count(*) from t`)
	if fmt.Sprint(got) != "[1]" {
		t.Errorf("rows in t after DDL + rollback: %v, want 1", got)
	}
}

func TestBindings(t *testing.T) {
	_, db := setup(t)
	exec(t, db, `create table seed (id number(38,0), name varchar, ok boolean, d date, f float)`)
	if _, err := db.Exec(`insert into seed values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`,
		"1", "it's", "true", "2024-02-03", "1.5", nil, nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, got := rowsOf(t, db, `select * from seed order by id nulls last`)
	if want := "1|it's|1|2024-02-03T00:00:00Z|1.5,NULL|NULL|NULL|NULL|NULL"; strings.Join(got, ",") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
}
