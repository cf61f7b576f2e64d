package materialize

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/adapter/postgres"
	"github.com/strata-dev/strata/engine/adapter/snowflake"
	"github.com/strata-dev/strata/engine/relation"
)

var update = flag.Bool("update", false, "rewrite testdata/<engine>/*.sql golden files")

// TestGolden renders every statement the materializations build, and every
// catalog query they run, with each engine's dialect, and compares it with
// testdata/<engine>/<case>.sql; -update rewrites the files. Snowflake's SQL is
// checked here without an account.
func TestGolden(t *testing.T) {
	for _, drv := range []adapter.Driver{duckdb.Driver(), postgres.Driver(), snowflake.Driver()} {
		t.Run(drv.Type, func(t *testing.T) {
			d := drv.Dialect
			target := relation.Relation{Database: "finhouse", Schema: "analytics", Identifier: d.NormalizeIdent("fct_Loans")}
			stage := d.TempRelation(target, d.NormalizeIdent("fct_Loans__strata_tmp_0a1b2c3d"))
			aside := target.WithIdentifier(d.NormalizeIdent("fct_Loans__strata_tmp_99999999"))
			n := d.NormalizeIdent
			cols := []adapter.Column{{Name: n("loan_id"), DataType: "bigint"}, {Name: "Order", DataType: "text"}, {Name: n("amount"), DataType: "numeric(18,2)"}}
			keys := []string{n("loan_id"), "Order"}
			model := "select * from stg_loans; -- trailing comment\n"
			seed := InferSeedColumns([]string{"id", "rate", "ok", "day", "at", "at_tz", "select", "Mixed Case", "code"},
				[][]string{{"1", "0.25", "true", "2024-01-01", "2024-01-01T10:00:00", "2024-01-01T10:00:00+02:00", "x", "y", "007"}},
				map[string]string{"code": "varchar(3)"})
			for i := range seed {
				seed[i].Name = d.ColumnName(seed[i].Name)
			}
			now := "cast('2026-01-01 02:00:00' as " + d.SeedType(adapter.SeedColumn{Kind: adapter.SeedTimestamp}) + ")"
			ss := snapshotSQL{d: d, target: d.RenderRelation(target), source: d.RenderRelation(stage), now: now,
				timestamp: d.SeedType(adapter.SeedColumn{Kind: adapter.SeedTimestamp})}
			src := []adapter.Column{{Name: n("id"), DataType: "bigint"}, {Name: n("name"), DataType: "text"}, {Name: n("updated"), DataType: "timestamp"}}
			existing := append(slices.Clone(src[:2]), adapter.Column{Name: n("dbt_scd_id")}, adapter.Column{Name: n("dbt_valid_to")})
			ts := SnapshotRequest{UniqueKey: []string{n("id")}, Strategy: "timestamp", UpdatedAt: n("updated")}
			check := SnapshotRequest{UniqueKey: []string{n("id")}, Strategy: "check", CheckCols: []string{"all"}, HardDeletes: "new_record"}
			apply := func(req SnapshotRequest) string {
				ddl, dml := ss.apply(req, src, existing)
				return strings.Join(append(ddl, dml...), ";\n")
			}
			cases := map[string]string{
				"create_schema":         d.CreateSchema("finhouse", "analytics_staging"),
				"view":                  d.CreateView(target, model, adapter.CreateOptions{Replace: true}),
				"view_aside":            d.CreateView(aside, model, adapter.CreateOptions{}),
				"table":                 d.CreateTableAs(target, model, adapter.CreateOptions{Replace: drv.Traits.AtomicReplace}),
				"table_transient":       d.CreateTableAs(target, model, adapter.CreateOptions{Replace: drv.Traits.AtomicReplace, Transient: true}),
				"stage_rows":            d.CreateTableAs(stage, model, adapter.CreateOptions{Temporary: true}),
				"stage_seed":            d.CreateTable(stage, cols, adapter.CreateOptions{Temporary: true}),
				"drop_view":             d.Drop(target, relation.View),
				"drop_table":            d.Drop(target, relation.Table),
				"rename":                d.Rename(aside, relation.Table, target.Identifier),
				"add_column":            d.AddColumn(target, cols[1]),
				"lock":                  d.LockRelation(target, false),
				"lock_exclusive":        d.LockRelation(target, true),
				"insert":                insertSQL(d, target, stage, cols),
				"delete_matching":       deleteMatchingSQL(d, target, stage, keys),
				"merge":                 mergeSQL(d, target, stage, keys, cols),
				"merge_keys_only":       mergeSQL(d, target, stage, keys, cols[:2]),
				"seed_select":           seedSelect(d, stage, seed),
				"snapshot_create":       ss.create(ts, src),
				"snapshot_timestamp":    apply(ts),
				"snapshot_check_record": apply(check),
				"relations":             d.RelationsSQL("finhouse", "analytics", ""),
				"relation":              d.RelationsSQL("finhouse", "analytics", target.Identifier),
				"schemas":               d.SchemasSQL("finhouse"),
				"columns":               d.ColumnsSQL(stage),
				"dependent_views":       d.DependentViewsSQL(target),
				"quote":                 d.QuoteIdent(`we"ird`) + " " + d.QuoteString("it's") + " " + d.RenderRelation(relation.Relation{Schema: "My Schema", Identifier: "t"}),
			}
			// A contracted table: the DDL and the warnings of what the engine does not enforce.
			cb := &build{w: &Warehouse{d: d, traits: drv.Traits, typ: drv.Type}}
			on := Constraint{WarnUnenforced: true, WarnUnsupported: true}
			with := func(c Constraint) Constraint {
				c.WarnUnenforced, c.WarnUnsupported = on.WarnUnenforced, on.WarnUnsupported
				return c
			}
			contract := &Contract{
				Columns: []ContractColumn{
					{Name: n("loan_id"), DataType: "bigint", Constraints: []Constraint{with(Constraint{Type: "not_null"}), with(Constraint{Type: "primary_key", Name: "pk_loans"})}},
					{Name: n("amount"), DataType: "numeric(18,2)", Constraints: []Constraint{with(Constraint{Type: "check", Expression: "amount >= 0"})}},
					{Name: n("user_id"), DataType: "bigint"},
				},
				Constraints: []Constraint{
					with(Constraint{Type: "unique", Columns: []string{n("loan_id"), n("amount")}}),
					with(Constraint{Type: "foreign_key", Columns: []string{n("user_id")}, To: d.RenderRelation(target.WithIdentifier(n("users"))), ToColumns: []string{n("id")}}),
					{Type: "check", Expression: "user_id > 0"},
				},
			}
			ddl, warnings := cb.contractDDL(target, contract, false)
			for _, w := range warnings {
				ddl += "\n-- warning: " + w
			}
			cases["contract_table"] = ddl
			cases["contract_select"] = contractSelect(d, contract, model)
			if cd, ok := d.(adapter.CatalogDialect); ok {
				cases["catalog"] = cd.CatalogSQL("finhouse", "analytics")
			}
			for name, got := range cases {
				t.Run(name, func(t *testing.T) { golden(t, filepath.Join(drv.Type, name), got+"\n") })
			}
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
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
