package snowflake

import (
	"testing"

	"github.com/strata-dev/strata/engine/relation"
)

func TestCloneTable(t *testing.T) {
	got := Dialect{}.CloneTable(
		relation.Relation{Database: "ANALYTICS", Schema: "DBT_ALICE", Identifier: "FCT_LOANS"},
		relation.Relation{Database: "ANALYTICS", Schema: "PROD", Identifier: "FCT_LOANS"})
	want := `create or replace table "ANALYTICS"."DBT_ALICE"."FCT_LOANS" clone "ANALYTICS"."PROD"."FCT_LOANS"`
	if got != want {
		t.Errorf("CloneTable:\n got %s\nwant %s", got, want)
	}
}
