package lineage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/lineage/duckdbsql"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// benchProject is n models shaped like the benchmark generator's: each reads
// one to three earlier models through `select *` CTEs and combines their
// columns with coalesce.
func benchProject(n int) *manifest.Manifest {
	m := manifest.New()
	m.Metadata.AdapterType = "duckdb"
	src := &manifest.Node{UniqueID: "source.b.raw.t", ResourceType: manifest.Source, Name: "t", SourceName: "raw",
		Relation: relation.Relation{Database: "db", Schema: "raw", Identifier: "t"},
		Columns:  map[string]*manifest.Column{"id": {Name: "id"}, "col_a": {Name: "col_a"}, "col_b": {Name: "col_b"}, "col_c": {Name: "col_c"}, "amount": {Name: "amount"}}}
	m.Sources[src.UniqueID] = src
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("m%06d", i)
		var parents []string
		var sql string
		if i < 10 {
			parents = []string{src.UniqueID}
			sql = `select id, trim(lower(col_a)) as col_a, trim(lower(col_b)) as col_b, trim(lower(col_c)) as col_c, amount from "db"."raw"."t"`
		} else {
			k := 1 + i%3
			var ctes, joins []string
			var cols [3][]string
			var amounts []string
			for j := 0; j < k; j++ {
				p := fmt.Sprintf("m%06d", (i*7+j*13)%i)
				parents = append(parents, "model.b."+p)
				a := fmt.Sprintf("p%d", j)
				ctes = append(ctes, fmt.Sprintf("%s as (\n    select * from \"db\".\"main\".\"%s\"\n)", a, p))
				if j > 0 {
					joins = append(joins, fmt.Sprintf("left join %s on p0.id = %s.id", a, a))
				}
				for c := range cols {
					cols[c] = append(cols[c], fmt.Sprintf("%s.col_%c", a, 'a'+c))
				}
				amounts = append(amounts, "coalesce("+a+".amount, 0)")
			}
			sql = "with " + strings.Join(ctes, ",\n") + "\nselect\n    p0.id,\n"
			for c := range cols {
				sql += fmt.Sprintf("    coalesce(%s) as col_%c,\n", strings.Join(cols[c], ", "), 'a'+c)
			}
			sql += "    " + strings.Join(amounts, " + ") + " as amount\nfrom p0\n" + strings.Join(joins, "\n")
		}
		nd := &manifest.Node{UniqueID: "model.b." + name, ResourceType: manifest.Model, Name: name, CompiledCode: sql,
			Relation: relation.Relation{Database: "db", Schema: "main", Identifier: name}}
		nd.Config.Materialized = "view"
		nd.DependsOn.Nodes = parents
		m.Nodes[nd.UniqueID] = nd
	}
	return m
}

// BenchmarkBuild1k derives the lineage of 1,000 models with DuckDB's parser.
func BenchmarkBuild1k(b *testing.B) {
	m := benchProject(1000)
	p, err := duckdbsql.Open(2)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ResetTimer()
	for b.Loop() {
		l, err := lineage.Build(context.Background(), lineage.Options{Manifest: m, Parser: p, Threads: 2})
		if err != nil {
			b.Fatal(err)
		}
		if got := len(l.Nodes["model.b.m000999"].Columns); got != 5 {
			b.Fatalf("m000999 has %d columns, want 5", got)
		}
	}
}
