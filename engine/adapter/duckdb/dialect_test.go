package duckdb

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql golden files")

// TestDialectGolden checks the SQL text of every statement builder against
// testdata/<case>.sql; -update rewrites the files.
func TestDialectGolden(t *testing.T) {
	d := Dialect{}
	target := relation.Relation{Database: "finhouse", Schema: "finhouse", Identifier: "fct_Loans"}
	tmp := d.TempRelation("fct_Loans__strata_tmp_0a1b2c3d")
	cols := []adapter.Column{{Name: "loan_id", DataType: "BIGINT"}, {Name: "Order", DataType: "VARCHAR"}, {Name: "amount", DataType: "DECIMAL(18,2)"}}
	keys := []string{"loan_id", "Order"}
	seed := adapter.InferSeedColumns([]string{"id", "rate", "ok", "day", "at", "select", "code"},
		[][]string{{"1", "0.25", "true", "2024-01-01", "2024-01-01T10:00:00", "x", "007"}}, map[string]string{"code": "varchar(3)"})
	cases := map[string]string{
		"create_schema":       d.CreateSchemaSQL("finhouse", "staging"),
		"create_view":         d.CreateViewSQL(target, "select 1 as id;\n"),
		"create_table":        d.CreateTableAsSQL(target, "select 1 as id -- trailing comment", false),
		"replace_table":       d.CreateTableAsSQL(target, "select 1 as id", true),
		"create_temp_table":   d.CreateTempTableAsSQL(tmp.Identifier, "select * from src"),
		"create_temp_columns": d.CreateTempTableSQL(tmp.Identifier, cols),
		"drop_view":           d.DropSQL(target, relation.View),
		"drop_table":          d.DropSQL(target, relation.Table),
		"rename":              d.RenameSQL(target, relation.Table, "fct_loans_old"),
		"append":              d.AppendSQL(target, tmp, cols),
		"delete_insert":       strings.Join(d.DeleteInsertSQL(target, tmp, keys, cols), ";\n"),
		"merge":               d.MergeSQL(target, tmp, keys, cols),
		"merge_keys_only":     d.MergeSQL(target, tmp, []string{"loan_id"}, cols[:1]),
		"add_columns":         strings.Join(d.AddColumnsSQL(target, cols[1:]), ";\n"),
		"seed_select":         d.SeedSelectSQL(tmp, seed),
		"quote":               d.QuoteIdent(`we"ird`) + " " + d.RenderRelation(relation.Relation{Schema: "s", Identifier: "t"}),
	}
	ss := adapter.SnapshotSQL{Quote: d.QuoteIdent, Target: d.RenderRelation(target), Source: d.RenderRelation(tmp), Now: "localtimestamp"}
	src := []adapter.Column{{Name: "id", DataType: "BIGINT"}, {Name: "name", DataType: "VARCHAR"}, {Name: "updated", DataType: "TIMESTAMP"}}
	snapCols := append(src[:2:2], adapter.Column{Name: "dbt_scd_id"}, adapter.Column{Name: "dbt_valid_to"})
	ts := adapter.SnapshotRequest{UniqueKey: []string{"id"}, Strategy: "timestamp", UpdatedAt: "updated"}
	check := adapter.SnapshotRequest{UniqueKey: []string{"id"}, Strategy: "check", CheckCols: []string{"all"}, HardDeletes: "new_record"}
	cases["snapshot_create"] = ss.Create(ts, src)
	cases["snapshot_timestamp"] = strings.Join(ss.Apply(ts, src, snapCols), ";\n")
	cases["snapshot_check_new_record"] = strings.Join(ss.Apply(check, src, snapCols), ";\n")
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got+"\n") })
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s (-want +got):\n-%s\n+%s", path, want, got)
	}
}

func TestDialectStrategies(t *testing.T) {
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
}
