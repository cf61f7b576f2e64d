package duckdb

import (
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// The SQL text of every statement is checked against golden files in
// engine/materialize/testdata/duckdb; these are DuckDB's own rules.

func TestDialectRules(t *testing.T) {
	d := Dialect{}
	if got := d.DefaultIncrementalStrategy(false); got != "append" {
		t.Errorf("default without key = %s", got)
	}
	if got := d.DefaultIncrementalStrategy(true); got != "delete+insert" {
		t.Errorf("default with key = %s", got)
	}
	if got := d.RenderRelation(relation.Relation{Database: "finhouse", Schema: "finhouse", Identifier: "x"}); got != `"finhouse"."finhouse"."x"` {
		t.Errorf("render = %s", got)
	}
	if got := d.TempRelation(relation.Relation{Database: "db", Schema: "s", Identifier: "t"}, "t__strata_tmp_1"); got.Database != "temp" || got.Schema != "main" {
		t.Errorf("temporary tables live in %s", got)
	}
	if got := d.SeedType(adapter.SeedColumn{Kind: adapter.SeedDecimal, Precision: 40, Scale: 2}); got != "double" {
		t.Errorf("a 40-digit decimal is %s, want double", got)
	}
	if Driver().Traits.MaxIdentifierBytes != 0 {
		t.Error("DuckDB keeps identifiers of any length")
	}
}
