package lineage_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/lineage/duckdbsql"
	"github.com/strata-dev/strata/engine/lineage/pgsql"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// project is a small warehouse: a seed of users, a source over its table,
// a table of orders, and the models each case adds.
type project struct {
	m   *manifest.Manifest
	dir string
}

func newProject(t *testing.T) *project {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "seeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "seeds", "users.csv"), []byte("id,email,mobile,name\n1,a@b.c,98,Ann\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &project{m: manifest.New(), dir: dir}
	p.m.Metadata.AdapterType = "duckdb"
	seed := p.add("seed.p.users", manifest.Seed, "raw", "users", "")
	seed.OriginalFilePath, seed.FilePath = "seeds/users.csv", "seeds/users.csv"
	src := p.add("source.p.app.users", manifest.Source, "raw", "users", "")
	src.SourceName, src.Name = "app", "users"
	orders := p.add("source.p.app.orders", manifest.Source, "raw", "orders", "")
	orders.SourceName = "app"
	orders.Columns = map[string]*manifest.Column{"order_id": {Name: "order_id"}, "user_id": {Name: "user_id"}, "amount": {Name: "amount"}, "ordered_at": {Name: "ordered_at"}}
	return p
}

func (p *project) add(id string, kind manifest.ResourceType, schema, name, sql string, parents ...string) *manifest.Node {
	parts := strings.Split(id, ".")
	n := &manifest.Node{UniqueID: id, ResourceType: kind, Name: parts[len(parts)-1], PackageName: "p", CompiledCode: sql, Compiled: sql != ""}
	if schema != "" {
		n.Relation = relation.Relation{Database: "db", Schema: schema, Identifier: name}
	}
	n.Config.Materialized = "view"
	n.DependsOn.Nodes = parents
	if kind == manifest.Source {
		p.m.Sources[id] = n
	} else {
		p.m.Nodes[id] = n
	}
	return n
}

func (p *project) model(name, sql string, parents ...string) *manifest.Node {
	return p.add("model.p."+name, manifest.Model, "main", name, sql, parents...)
}

type dialect struct {
	name   string
	parser func(t *testing.T) lineage.Parser
}

func dialects() []dialect {
	return []dialect{
		{"duckdb", func(t *testing.T) lineage.Parser {
			p, err := duckdbsql.Open(2)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close() })
			return p
		}},
		{"postgres", func(t *testing.T) lineage.Parser { return pgsql.Parser{} }},
	}
}

func build(t *testing.T, p *project, parser lineage.Parser) *lineage.Lineage {
	t.Helper()
	l, err := lineage.Build(context.Background(), lineage.Options{Manifest: p.m, Parser: parser, ProjectDir: p.dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// describe renders a node's columns as "name kind <- node.column kind, …".
func describe(n *lineage.Node) []string {
	var out []string
	for _, c := range n.Columns {
		s := c.Name + " " + string(c.Kind)
		var from []string
		for _, e := range c.From {
			from = append(from, strings.TrimPrefix(strings.TrimPrefix(e.Node, "model.p."), "source.p.")+"."+e.Column+" "+string(e.Kind))
		}
		if len(from) > 0 {
			s += " <- " + strings.Join(from, ", ")
		}
		out = append(out, s)
	}
	return out
}

const users = `"db"."raw"."users"`
const orders = `"db"."raw"."orders"`

// TestColumnLineage runs each case on both dialects' parsers: the same SQL
// (written in the common subset) must give the same lineage.
func TestColumnLineage(t *testing.T) {
	cases := []struct {
		name string
		// models are added in order: name, SQL; the last one is checked.
		models [][2]string
		want   []string
		// only limits a case to one dialect ("duckdb" or "postgres").
		only string
		// wantErr is a substring of the checked node's Error.
		wantErr string
	}{
		{
			name:   "renames and pass-throughs",
			models: [][2]string{{"stg_users", `select id as user_id, email, u.mobile as phone from ` + users + ` as u`}},
			want:   []string{"user_id rename <- app.users.id rename", "email pass <- app.users.email pass", "phone rename <- app.users.mobile rename"},
		},
		{
			name: "expressions",
			models: [][2]string{{"m", `select upper(email) as email, id + 1 as next_id, 'x' as const, coalesce(mobile, email) as contact,
				case when id > 0 then name else 'none' end as label, cast(id as varchar) as id_text from ` + users}},
			want: []string{
				"email transform <- app.users.email transform",
				"next_id transform <- app.users.id transform",
				"const transform",
				"contact transform <- app.users.email transform, app.users.mobile transform",
				"label transform <- app.users.id transform, app.users.name transform",
				"id_text transform <- app.users.id transform",
			},
		},
		{
			name: "joins read only the selected columns, not the join keys",
			models: [][2]string{{"m", `select o.order_id, u.email as buyer_email, amount * 2 as doubled
				from ` + orders + ` o join ` + users + ` u on o.user_id = u.id where u.name <> ''`}},
			want: []string{"order_id pass <- app.orders.order_id pass", "buyer_email rename <- app.users.email rename", "doubled transform <- app.orders.amount transform"},
		},
		{
			name: "CTEs chain renames and transformations",
			models: [][2]string{{"m", `with a as (select id as k, lower(email) as e from ` + users + `),
				b as (select k as key, e from a)
				select key, e as email_lower from b`}},
			want: []string{"key rename <- app.users.id rename", "email_lower transform <- app.users.email transform"},
		},
		{
			name: "select * through an ephemeral model inlined as a CTE",
			models: [][2]string{
				{"eph", `select id, lower(email) as email from ` + users},
				{"m", `with __dbt__cte__eph as (
select id, lower(email) as email from ` + users + `
) select *, id as user_id from __dbt__cte__eph`},
			},
			want: []string{"id pass <- eph.id pass", "email pass <- eph.email pass", "user_id rename <- eph.id rename"},
		},
		{
			name:   "select * from a seed reads its CSV header; the source over its table continues the seed",
			models: [][2]string{{"m", `select * from ` + users}},
			want:   []string{"id pass <- app.users.id pass", "email pass <- app.users.email pass", "mobile pass <- app.users.mobile pass", "name pass <- app.users.name pass"},
		},
		{
			name: "select * through a model, then a union",
			models: [][2]string{
				{"a", `select id, email from ` + users},
				{"m", `select * from "db"."main"."a" union all select user_id, 'none' from ` + orders},
			},
			want: []string{"id rename <- a.id pass, app.orders.user_id rename", "email transform <- a.email pass"},
		},
		{
			name: "window functions read their argument, partition and order columns",
			models: [][2]string{{"m", `select order_id, sum(amount) over (partition by user_id order by ordered_at) as running,
				row_number() over (partition by user_id order by ordered_at desc) as rn from ` + orders}},
			want: []string{
				"order_id pass <- app.orders.order_id pass",
				"running transform <- app.orders.amount transform, app.orders.ordered_at transform, app.orders.user_id transform",
				"rn transform <- app.orders.ordered_at transform, app.orders.user_id transform",
			},
		},
		{
			name:   "join using: a star shows the key once and it reads both sides",
			models: [][2]string{{"m", `select * from (select id as user_id, email from ` + users + `) u join (select user_id, amount from ` + orders + `) o using (user_id)`}},
			want:   []string{"user_id rename <- app.orders.user_id pass, app.users.id rename", "email pass <- app.users.email pass", "amount pass <- app.orders.amount pass"},
		},
		{
			name:   "scalar subqueries feed the column",
			models: [][2]string{{"m", `select id, (select max(amount) from ` + orders + ` o where o.user_id = u.id) as top from ` + users + ` u`}},
			want:   []string{"id pass <- app.users.id pass", "top transform <- app.orders.amount transform"},
		},
		{
			name:   "aggregates and group by",
			models: [][2]string{{"m", `select user_id, count(*) as n, sum(amount) as total from ` + orders + ` group by user_id having sum(amount) > 0`}},
			want:   []string{"user_id pass <- app.orders.user_id pass", "n transform", "total transform <- app.orders.amount transform"},
		},
		{
			name:   "DuckDB star modifiers",
			only:   "duckdb",
			models: [][2]string{{"m", `select * exclude (mobile) replace (upper(name) as name) rename (email as mail) from ` + users}},
			want:   []string{"id pass <- app.users.id pass", "mail rename <- app.users.email rename", "name transform <- app.users.name transform"},
		},
		{
			name:   "DuckDB lambdas do not read columns named like their parameters",
			only:   "duckdb",
			models: [][2]string{{"m", `select list_transform([1, 2], id -> id + 1) as xs, email from ` + users}},
			want:   []string{"xs transform", "email pass <- app.users.email pass"},
		},
		{
			name:   "PostgreSQL casts",
			only:   "postgres",
			models: [][2]string{{"m", `select id::text, email::varchar(50) as e from ` + users}},
			want:   []string{"id transform <- app.users.id transform", "e transform <- app.users.email transform"},
		},
		{
			name: "recursive CTE",
			models: [][2]string{{"m", `with recursive r(n, who) as (select 1, email from ` + users + ` union all select n + 1, who from r where n < 3)
				select n, who from r`}},
			want: []string{"n transform", "who rename <- app.users.email rename"},
		},
		{
			name:    "a parse error is reported on the node",
			models:  [][2]string{{"m", `select from where`}},
			want:    nil,
			wantErr: "syntax error",
		},
	}
	for _, d := range dialects() {
		parser := d.parser(t)
		for _, tc := range cases {
			if tc.only != "" && tc.only != d.name {
				continue
			}
			t.Run(d.name+"/"+tc.name, func(t *testing.T) {
				p := newProject(t)
				p.m.Metadata.AdapterType = d.name
				var last *manifest.Node
				for _, m := range tc.models {
					last = p.model(m[0], m[1], "source.p.app.users", "source.p.app.orders")
					if m[0] == "eph" {
						last.Config.Materialized = "ephemeral"
						last.Relation = relation.Relation{}
					}
				}
				if len(tc.models) == 2 {
					last.DependsOn.Nodes = append(last.DependsOn.Nodes, "model.p."+tc.models[0][0])
				}
				l := build(t, p, parser)
				got := l.Nodes[last.UniqueID]
				if got == nil {
					t.Fatalf("no lineage for %s", last.UniqueID)
				}
				if tc.wantErr != "" {
					if !strings.Contains(got.Error, tc.wantErr) {
						t.Errorf("error %q, want it to mention %q", got.Error, tc.wantErr)
					}
				} else if got.Error != "" {
					t.Errorf("unexpected error: %s", got.Error)
				}
				if diff := diffLines(tc.want, describe(got)); diff != "" {
					t.Errorf("lineage of %s (-want +got):\n%s", last.Name, diff)
				}
			})
		}
	}
}

func diffLines(want, got []string) string {
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			b.WriteString("- " + w + "\n+ " + g + "\n")
		}
	}
	return b.String()
}

// TestBuildConcurrent derives the same lineage on one goroutine and on four
// (batches of ready nodes parsed in parallel as their parents finish), and
// every model's columns read exactly its parents' columns.
func TestBuildConcurrent(t *testing.T) {
	m := benchProject(400)
	p, err := duckdbsql.Open(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var want string
	for _, threads := range []int{1, 4} {
		l, err := lineage.Build(context.Background(), lineage.Options{Manifest: m, Parser: p, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := l.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		got := b.String()
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("lineage on %d goroutines differs from one goroutine's", threads)
		}
		for id, n := range m.Nodes {
			ln := l.Nodes[id]
			if ln == nil || ln.Error != "" || len(ln.Columns) != 5 {
				t.Fatalf("%s: %+v", id, ln)
			}
			for _, c := range ln.Columns {
				for _, e := range c.From {
					if !slices.Contains(n.DependsOn.Nodes, e.Node) {
						t.Errorf("%s.%s reads %s, which is not its parent", id, c.Name, e.Node)
					}
				}
				if len(c.From) == 0 {
					t.Errorf("%s.%s reads nothing", id, c.Name)
				}
			}
		}
	}
}
