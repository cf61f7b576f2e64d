package sqltext

import (
	"testing"

	"github.com/strata-dev/strata/engine/relation"
)

func TestLimit(t *testing.T) {
	if got, ok := Limit("select 1 -- c\n;", 5); !ok || got != "select * from (\nselect 1 -- c\n) as strata_limited limit 5" {
		t.Errorf("got %q", got)
	}
	for _, sql := range []string{"show tables", "select 1; select 2"} {
		if _, ok := Limit(sql, 5); ok {
			t.Errorf("%q was wrapped", sql)
		}
	}
	if _, ok := Limit("select 1", 0); ok {
		t.Error("limit 0 wrapped")
	}
}

func TestQuoting(t *testing.T) {
	if got := QuoteIdent(`we"ird`); got != `"we""ird"` {
		t.Errorf("QuoteIdent = %s", got)
	}
	if got := QuoteString(`it's`); got != `'it''s'` {
		t.Errorf("QuoteString = %s", got)
	}
	if got := JoinRelation(relation.Relation{Schema: "s", Identifier: "t"}, QuoteIdent); got != `"s"."t"` {
		t.Errorf("JoinRelation = %s", got)
	}
}
