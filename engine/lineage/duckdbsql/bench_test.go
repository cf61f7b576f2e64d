package duckdbsql

import (
	"context"
	"database/sql"
	"testing"
)

const benchSQL = `with p0 as (
    select * from "bench"."main"."stg_00001"
),
p1 as (
    select * from "bench"."main"."int_00002"
)
select
    p0.id,
    coalesce(p0.col_a, p1.col_a) as col_a,
    coalesce(p0.col_b, p1.col_b) as col_b,
    coalesce(p0.col_c, p1.col_c) as col_c,
    coalesce(p0.amount, 0) + coalesce(p1.amount, 0) as amount
from p0
left join p1 on p0.id = p1.id`

// BenchmarkParse32 parses a batch of 32 statements like the benchmark
// project's models (DuckDB's parser and the decoding).
func BenchmarkParse32(b *testing.B) {
	p, err := Open(1)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	sqls := make([]string, 32)
	for i := range sqls {
		sqls[i] = benchSQL
	}
	for b.Loop() {
		_, errs := p.Parse(context.Background(), sqls)
		if errs[0] != nil {
			b.Fatal(errs[0])
		}
	}
}

// BenchmarkDecode decodes one statement's parse tree.
func BenchmarkDecode(b *testing.B) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var js string
	if err := db.QueryRow(serializeQuery1, benchSQL).Scan(&js); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if _, err := Decode(js); err != nil {
			b.Fatal(err)
		}
	}
}
