package snowflake

import (
	"testing"

	"github.com/strata-dev/strata/engine/relation"
)

// The SQL text of every statement is checked against golden files in
// engine/materialize/testdata/snowflake; these are Snowflake's own rules.

func TestDialectRules(t *testing.T) {
	d := Dialect{}
	if d.NormalizeIdent("stg_Loans") != "STG_LOANS" {
		t.Error("NormalizeIdent must upper-case")
	}
	if d.DefaultIncrementalStrategy(true) != "merge" || d.DefaultIncrementalStrategy(false) != "append" {
		t.Error("default strategy: merge with a unique_key, else append")
	}
	if got := d.RenderRelation(relation.Relation{Database: "analytics", Schema: "My Schema", Identifier: "stg_loans"}); got != `"ANALYTICS"."My Schema"."STG_LOANS"` {
		t.Errorf("render = %s", got)
	}
	if got := d.Rename(relation.Relation{Database: "A", Schema: "S", Identifier: "T__TMP"}, relation.View, "t"); got != `alter view "A"."S"."T__TMP" rename to "A"."S"."T"` {
		t.Errorf("rename = %s", got)
	}
	for in, want := range map[string]string{"id": "ID", "loan_id2": "LOAN_ID2", "Order": "Order", "select": "select",
		"order": "order", "Mixed Case": "Mixed Case", "2fa": "2fa", "amount$": "AMOUNT$"} {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}
