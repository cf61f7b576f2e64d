package snowflake

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql golden files")

// TestDialectGolden checks the SQL of every materialization and strategy
// against testdata/<case>.sql; -update rewrites the files.
func TestDialectGolden(t *testing.T) {
	d := Dialect{}
	target := relation.Relation{Database: "ANALYTICS", Schema: "FINHOUSE", Identifier: d.NormalizeIdent("fct_loans")}
	tmp := target.WithIdentifier("FCT_LOANS__STRATA_TMP_0A1B2C3D")
	cols := []adapter.Column{{Name: "LOAN_ID", DataType: "NUMBER(38,0)"}, {Name: "Order", DataType: "VARCHAR(16777216)"}, {Name: "AMOUNT", DataType: "NUMBER(18,2)"}}
	one, two := []string{"LOAN_ID"}, []string{"LOAN_ID", "Order"}
	seed := adapter.InferSeedColumns([]string{"id", "rate", "ok", "day", "at", "at_tz", "select", "Mixed Case", "code"},
		[][]string{{"1", "0.25", "true", "2024-01-01", "2024-01-01T10:00:00", "2024-01-01T10:00:00+02:00", "x", "y", "007"}},
		map[string]string{"code": "varchar(3)"})
	ss := d.SnapshotSQL(target, tmp)
	tsReq := adapter.SnapshotRequest{Relation: target, UniqueKey: one, Strategy: "timestamp", UpdatedAt: "UPDATED_AT"}
	ckReq := adapter.SnapshotRequest{Relation: target, UniqueKey: two, Strategy: "check", CheckCols: []string{"all"}, HardDeletes: "new_record"}
	snapSource := append(slices.Clone(cols), adapter.Column{Name: "UPDATED_AT", DataType: "TIMESTAMP_NTZ(9)"})
	var snapCols []adapter.Column
	for _, m := range ss.MetaColumns(tsReq) {
		snapCols = append(snapCols, adapter.Column{Name: m, DataType: "VARCHAR(16777216)"})
	}
	snapExisting := append(slices.Clone(cols[:2]), snapCols...)
	model := "select * from \"ANALYTICS\".\"FINHOUSE\".\"STG_LOANS\";\n"
	cases := map[string]string{
		"create_schema":                       d.CreateSchemaSQL("ANALYTICS", "FINHOUSE_STAGING"),
		"view":                                d.CreateViewSQL(target, model),
		"table_transient":                     d.CreateTableAsSQL(target, model, true),
		"table_permanent":                     d.CreateTableAsSQL(target, model, false),
		"incremental_stage":                   d.CreateTempTableAsSQL(tmp, model),
		"incremental_append":                  d.AppendSQL(target, tmp, cols),
		"incremental_merge":                   d.MergeSQL(target, tmp, one, cols),
		"incremental_merge_composite":         d.MergeSQL(target, tmp, two, cols),
		"incremental_merge_keys_only":         d.MergeSQL(target, tmp, two, cols[:2]),
		"incremental_delete_insert":           "begin;\n" + strings.Join(d.DeleteInsertSQL(target, tmp, one, cols), ";\n") + ";\ncommit",
		"incremental_delete_insert_composite": "begin;\n" + strings.Join(d.DeleteInsertSQL(target, tmp, two, cols), ";\n") + ";\ncommit",
		"on_schema_change_append":             strings.Join(d.AddColumnsSQL(target, cols[1:]), ";\n"),
		"drop_view":                           d.DropSQL(target, relation.View),
		"drop_table":                          d.DropSQL(target, relation.Table),
		"kind_change_rename":                  d.RenameSQL(tmp, target, relation.View),
		"seed_create":                         d.SeedCreateSQL(tmp, seed),
		"seed_insert_batch":                   d.SeedInsertSQL(tmp, seed, 3),
		"seed_swap":                           d.SwapSQL(target, tmp),
		"relation_kind":                       d.RelationKindSQL(target),
		"list_relations":                      d.ListRelationsSQL("ANALYTICS", "FINHOUSE"),
		"describe":                            d.DescribeSQL(target),
		"snapshot_create":                     ss.Create(tsReq, snapSource),
		"snapshot_create_new_record":          ss.Create(ckReq, cols),
		"snapshot_apply_timestamp":            strings.Join(ss.Apply(tsReq, snapSource, append(slices.Clone(snapExisting), snapSource[2:]...)), ";\n"),
		"snapshot_apply_check_new_record":     strings.Join(ss.Apply(ckReq, cols, snapExisting), ";\n"),
		"quote": strings.Join([]string{d.QuoteIdent(`we"ird`), d.QuoteIdent("Order"), d.QuoteIdent(ColumnName("select")),
			d.QuoteIdent(ColumnName("loan_id")), d.QuoteIdent(ColumnName("Mixed Case")),
			d.RenderRelation(relation.Relation{Database: "analytics", Schema: "My Schema", Identifier: d.NormalizeIdent("stg_loans")})}, "\n"),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got+"\n") })
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
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

func TestDialectRules(t *testing.T) {
	d := Dialect{}
	if d.NormalizeIdent("stg_Loans") != "STG_LOANS" {
		t.Error("NormalizeIdent must upper-case")
	}
	if d.DefaultIncrementalStrategy(true) != "merge" || d.DefaultIncrementalStrategy(false) != "append" {
		t.Error("default strategy: merge with a unique_key, else append")
	}
	for in, want := range map[string]string{"id": "ID", "loan_id2": "LOAN_ID2", "Order": "Order", "select": "select",
		"order": "order", "Mixed Case": "Mixed Case", "2fa": "2fa", "amount$": "AMOUNT$"} {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}
