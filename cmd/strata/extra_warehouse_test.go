package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/cli"
)

// quackDriver is a warehouse that exists only in this test: DuckDB
// underneath, but its own type name, its own profile keys, and none of
// DuckDB's optional capabilities (no bulk loader, no catalog query), so the
// fallbacks run. Everything strata needs to know about it is in this value.
func quackDriver() adapter.Driver {
	return adapter.Driver{
		Type:    "quack",
		Dialect: quackDialect{duckdb.Dialect{}},
		Traits:  duckdb.Traits,
		Profile: adapter.ProfileSpec{
			Fields: []adapter.ProfileField{
				{Key: "pond"}, {Key: "schema"}, {Key: "threads", Type: adapter.IntField, Min: 1, Max: 16},
			},
			Required: [][]string{{"pond"}, {"schema"}},
			Complete: func(t *adapter.Target, env adapter.ProfileEnv) []adapter.ProfileProblem {
				pond, _ := t.Fields["pond"].(string)
				if !filepath.IsAbs(pond) {
					pond = filepath.Join(env.ProjectDir, pond)
				}
				t.Fields["pond"] = pond
				t.Database = strings.TrimSuffix(filepath.Base(pond), filepath.Ext(pond))
				return nil
			},
		},
		Open: func(ctx context.Context, t adapter.Target) (adapter.Conn, error) {
			c, err := duckdb.Open(ctx, adapter.Target{Database: t.Database, Threads: t.Threads, Fields: map[string]any{"path": t.Fields["pond"]}})
			if err != nil {
				return nil, err
			}
			return quackConn{c}, nil
		},
	}
}

// quackDialect is DuckDB's SQL under another name; embedding the interface
// leaves out DuckDB's catalog query.
type quackDialect struct{ adapter.Dialect }

func (quackDialect) Type() string { return "quack" }

// quackConn hands out sessions that only run statements (no bulk loader).
type quackConn struct{ adapter.Conn }

type quackSession struct{ s adapter.Session }

func (c quackConn) Session(ctx context.Context) (adapter.Session, error) {
	s, err := c.Conn.Session(ctx)
	if err != nil {
		return nil, err
	}
	return quackSession{s}, nil
}

func (q quackSession) Exec(ctx context.Context, sql string) (int64, error) { return q.s.Exec(ctx, sql) }
func (q quackSession) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	return q.s.Query(ctx, sql, limit)
}
func (q quackSession) Release() { q.s.Release() }

// TestWarehouseNeedsOnlyItsDriver registers a warehouse type that exists only
// in this test, with one line next to strata's own drivers, and builds a
// project on it through the real pipeline: seed, views, tables, an
// incremental merge, a snapshot, data tests, adapter.dispatch to its own
// macros, and docs generate. No other part of strata knows its name.
func TestWarehouseNeedsOnlyItsDriver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"project.yaml":            "name: p\nprofile: p\n",
		"profiles.yaml":           "p:\n  target: dev\n  outputs:\n    dev:\n      type: quack\n      pond: ducks.pond\n      schema: lake\n      threads: 2\n",
		"seeds/people.csv":        "id,name,joined\n1,Asha,2024-01-05\n2,Ravi,2024-02-11\n3,Meera,2024-03-20\n",
		"models/stg_people.sql":   "select id, upper(name) as name, joined from {{ ref('people') }}\n",
		"models/people_table.sql": "{{ config(materialized='table') }}\nselect id, name, {{ adapter.dispatch('greeting')() }} as hello from {{ ref('stg_people') }}\n",
		"models/people_inc.sql": "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\n" +
			"select id, name from {{ ref('stg_people') }}\n{% if is_incremental() %}union all select 4, 'NEW'{% endif %}\n",
		"macros/greeting.sql": "{% macro default__greeting() %}'hello'{% endmacro %}\n{% macro quack__greeting() %}'quack'{% endmacro %}\n",
		"models/schema.yml":   "version: 2\nmodels:\n  - name: people_table\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n",
		"snapshots/people_snap.sql": "{% snapshot people_snap %}\n{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='lake') }}\n" +
			"select * from {{ ref('people') }}\n{% endsnapshot %}\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	drivers := append(Drivers(), quackDriver()) // the one registration line
	strata := func(args ...string) (int, string, string) {
		t.Helper()
		var o, e bytes.Buffer
		code := cli.Main(context.Background(), append(args, "--project-dir", dir), cli.Env{Stdout: &o, Stderr: &e, Drivers: drivers,
			Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir()})
		return code, o.String(), e.String()
	}
	for round := 1; round <= 2; round++ {
		code, out, errOut := strata("build")
		if code != 0 || !strings.Contains(out, "PASS=7 WARN=0 ERROR=0 SKIP=0 TOTAL=7") {
			t.Fatalf("build %d on the quack warehouse: exit %d\n%s\n%s", round, code, out, errOut)
		}
	}
	show := func(sql, want string) {
		t.Helper()
		code, out, errOut := strata("show", "--inline", sql, "--output", "csv", "--limit", "-1")
		if code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("show %s: exit %d\n%s\nwant:\n%s\n%s", sql, code, out, want, errOut)
		}
	}
	show("select id, name, hello from {{ ref('people_table') }} order by id", "id,name,hello\n1,ASHA,quack\n2,RAVI,quack\n3,MEERA,quack")
	show("select count(*) as n, max(name) as name from {{ ref('people_inc') }} where id = 4", "n,name\n1,NEW")
	show("select count(*) as n, count(dbt_valid_to) as closed from {{ ref('people_snap') }}", "n,closed\n3,0")
	show("select typeof(joined) as t from {{ ref('people') }} limit 1", "t\nDATE")
	code, out, errOut := strata("docs", "generate")
	if code != 0 || !strings.Contains(errOut, "Catalog: 5 nodes and 0 sources found") {
		t.Errorf("docs generate: exit %d\n%s\n%s", code, out, errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "target", "catalog.json"))
	if err != nil || !strings.Contains(string(raw), `"model.p.people_table":{"metadata":{"type":"BASE TABLE","schema":"lake","name":"people_table"`) {
		t.Errorf("catalog.json (%v):\n%.600s", err, raw)
	}
	if _, err := os.Stat(filepath.Join(dir, "ducks.pond")); err != nil {
		t.Errorf("the warehouse file named by the profile's own key: %v", err)
	}
}
