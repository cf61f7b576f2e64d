package main

// Warehouse reliability through the real binary (issue 15): dependent views
// kept across table rebuilds, names PostgreSQL would truncate, a merge key
// that is not unique, two appends racing on one table, an invalid profile
// value, and (pg_outage_test.go) a server that stops answering and a strata
// killed mid-query. The project is testdata/script/reliability.txtar.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestDependentViewsKept: rebuilding a table on PostgreSQL keeps working the
// views that read it, made outside strata (two levels deep), whether its
// columns stay the same or grow; a view that reads a column the new table no
// longer has is dropped with a warning naming it, never silently.
func TestDependentViewsKept(t *testing.T) {
	t.Parallel()
	p := newProj(t, "reliability", "postgres")
	pg := p.pgConn()
	if o := p.run("run", "-s", "base"); o.code != 0 {
		t.Fatalf("first build:\n%s", o)
	}
	ctx := context.Background()
	q := func(sql string) string { return strings.ReplaceAll(sql, "S.", `"`+p.schema+`".`) }
	for _, sql := range []string{
		`create view S.by_hand as select id, name from S.base`,
		`create view S.on_by_hand as select id from S.by_hand`,
		`create view S.ids_only as select id from S.base`,
	} {
		if _, err := pg.Exec(ctx, q(sql)); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(view string) string {
		t.Helper()
		var got string
		if err := pg.QueryRow(ctx, q("select string_agg(id::text, ',' order by id) from S."+view)).Scan(&got); err != nil {
			t.Fatalf("%s after the rebuild: %v", view, err)
		}
		return got
	}
	for _, step := range []struct {
		vars string
		want string
	}{
		{"{first: 5}", "5,6"},               // same columns: refilled in place
		{"{first: 7, shape: three}", "7,8"}, // a column more: swapped, views recreated
	} {
		o := p.run("run", "-s", "base", "--vars", step.vars)
		if o.code != 0 || strings.Contains(o.stderr, "warning") {
			t.Fatalf("rebuild %s:\n%s", step.vars, o)
		}
		for _, v := range []string{"by_hand", "on_by_hand", "ids_only"} {
			if got := rows(v); got != step.want {
				t.Errorf("after rebuild %s, %s reads %q, want %q", step.vars, v, got, step.want)
			}
		}
	}
	// name is gone: by_hand (and on_by_hand, built on it) cannot be recreated.
	o := p.run("run", "-s", "base", "--vars", "{first: 9, shape: one}")
	if o.code != 0 {
		t.Fatalf("rebuild without name:\n%s", o)
	}
	wantMatch(t, "stderr", o.stderr, `warning: model\.p\.base: the view `+p.schema+`\.by_hand read .*base and no longer fits its new columns, so it was dropped`)
	if got := rows("ids_only"); got != "9,10" {
		t.Errorf("ids_only reads %q, want 9,10", got)
	}
	var left int
	if err := pg.QueryRow(ctx, "select count(*) from pg_views where schemaname = $1 and viewname in ('by_hand', 'on_by_hand')", p.schema).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d of the views that no longer fit are left (%v)", left, err)
	}
	if n := p.tmpRelations(); n != "0" {
		t.Errorf("%s relations named __strata_tmp left behind", n)
	}
}

// TestIdentifierTooLong: three models whose names share their first 63
// bytes would all land in one PostgreSQL table; compile refuses each before
// anything runs (exit 2), naming the file and the limit, and nothing is built
// under a truncated name.
func TestIdentifierTooLong(t *testing.T) {
	t.Parallel()
	p := newProj(t, "reliability", "postgres")
	o := p.run("run", "--vars", "{long: true}")
	if o.code != 2 {
		t.Fatalf("want exit 2 for models with 75-byte names:\n%s", o)
	}
	wantMatch(t, "stderr", o.stderr, `models/m_x{71}_1\.sql: identifier too long: model\.p\.m_x{71}_1: the name "m_x{71}_1" is 75 bytes long and postgres keeps at most 63`, `shorten the model's file name or set a shorter alias`)
	if got := p.scalar(`select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '{{ target.schema }}' and c.relname like 'm\_x%'`); got != "0" {
		t.Errorf("%s relations named m_x… exist: a truncated name was built", got)
	}
}

// TestMergeKeyNotUnique: new rows that repeat their unique_key fail merge
// and delete+insert on every engine, naming the key and the duplicates, and
// leave the table as it was (DuckDB used to mangle it).
func TestMergeKeyNotUnique(t *testing.T) {
	t.Parallel()
	for _, target := range targets {
		for _, strategy := range []string{"merge", "delete+insert"} {
			t.Run(target+"/"+strategy, func(t *testing.T) {
				t.Parallel()
				p := newProj(t, "reliability", target)
				if o := p.run("run", "-s", "keyed"); o.code != 0 {
					t.Fatalf("first build:\n%s", o)
				}
				o := p.run("run", "-s", "keyed", "--vars", fmt.Sprintf("{dups: true, strategy: %q}", strategy))
				if o.code != 1 {
					t.Fatalf("want exit 1\n%s", o)
				}
				wantMatch(t, "stdout", o.stdout, `Error in model keyed`, `unique_key \(id\) repeats in the rows to apply: id=4 \(3 rows\); id=2 \(2 rows\); nothing was changed`)
				wantStatus(t, p.runResults(), "model.p.keyed", "error", `unique_key`)
				if got := p.scalar(`select string_agg(cast(id as varchar) || name, '|' order by id) from {{ ref("keyed") }}`); got != "1a|2b|3c" {
					t.Errorf("keyed holds %q after the refused run, want 1a|2b|3c", got)
				}
				if n := p.tmpRelations(); n != "0" {
					t.Errorf("%s relations named __strata_tmp left behind", n)
				}
				// Unique new rows still merge.
				if o := p.run("run", "-s", "keyed", "--vars", fmt.Sprintf("{strategy: %q}", strategy)); o.code != 0 {
					t.Fatalf("unique rows:\n%s", o)
				}
				if got := p.scalar(`select string_agg(cast(id as varchar) || name, '|' order by id) from {{ ref("keyed") }}`); got != "1a|2B|3c|4d" {
					t.Errorf("keyed holds %q, want 1a|2B|3c|4d", got)
				}
			})
		}
	}
}

// TestConcurrentAppendsOneTable: two runs of one append model at once on
// PostgreSQL insert the new rows once: the second waits for the first's lock
// on the table and then finds nothing new.
func TestConcurrentAppendsOneTable(t *testing.T) {
	t.Parallel()
	p := newProj(t, "reliability", "postgres")
	if o := p.run("run", "-s", "appended", "--vars", "{append: true, upto: 10}"); o.code != 0 {
		t.Fatalf("first build:\n%s", o)
	}
	var wg sync.WaitGroup
	outs := make([]outcome, 2)
	for i := range outs {
		wg.Go(func() { outs[i] = p.run("run", "-s", "appended", "--vars", "{append: true, upto: 20, pause: 1}") })
	}
	wg.Wait()
	for i, o := range outs {
		if o.code != 0 {
			t.Errorf("run %d:\n%s", i+1, o)
		}
	}
	if got := p.scalar(`select count(*) || '|' || count(distinct id) || '|' || max(id) from "{{ target.schema }}".appended`); got != "20|20|20" {
		t.Errorf("rows, distinct ids, max id = %s; want 20|20|20 (no row twice)", got)
	}
}

// TestInvalidProfileValues: a port out of range or an unknown sslmode exits
// 2 before connecting, naming the file, line and field.
func TestInvalidProfileValues(t *testing.T) {
	t.Parallel()
	cases := []struct{ line, want string }{
		{"port: 99999", `profiles\.yaml:9:13: invalid port: port must be between 1 and 65535, not 99999`},
		{"port: -1", `profiles\.yaml:9:13: invalid port: port must be between 1 and 65535, not -1`},
		{"sslmode: sometimes", `profiles\.yaml:9:16: invalid sslmode: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, not "sometimes"`},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			t.Parallel()
			p := newProj(t, "reliability", "")
			p.write("profiles.yaml", "p:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: 127.0.0.1\n      user: postgres\n      dbname: postgres\n      "+c.line+"\n      schema: s\n")
			o := p.run("run")
			if o.code != 2 {
				t.Fatalf("want exit 2\n%s", o)
			}
			wantMatch(t, "stderr", o.stderr, c.want)
			if _, err := os.Stat(filepath.Join(p.dir, "target", "run_results.json")); err == nil {
				t.Error("something ran: run_results.json was written")
			}
		})
	}
}
