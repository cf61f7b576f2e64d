package compile

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
)

// adapterDialect is testDialect answering to another adapter type, so the
// global project's macros dispatch to that adapter's variants.
type adapterDialect struct {
	testDialect
	typ string
}

func (d adapterDialect) Type() string { return d.typ }

var goldenAdapters = []string{"duckdb", "postgres", "snowflake"}

// compileProjectFor compiles a project as the given adapter type would, with
// no connection (execute is false).
func compileProjectFor(t testing.TB, typ string, files map[string]string, dir string) *manifest.Manifest {
	t.Helper()
	var o Options
	if dir != "" {
		o = testOptions(loadDir(t, dir))
	} else {
		o = testOptions(memProject(t, files))
	}
	o.Dialect = adapterDialect{typ: typ}
	o.Target.Type = typ
	m, ds := Compile(context.Background(), o)
	if ds.HasErrors() {
		t.Fatalf("compile for %s: %v", typ, ds.Err())
	}
	return m
}

// renderFor renders one model's SQL as the given adapter type would.
func renderFor(t testing.TB, typ, sql string, extra map[string]string) string {
	t.Helper()
	files := map[string]string{"models/m.sql": sql}
	for k, v := range extra {
		files[k] = v
	}
	return compileProjectFor(t, typ, files, "").Nodes["model.proj.m"].CompiledCode
}

// TestGlobalProjectGolden compiles testdata/globalproject (one model per
// global macro) for DuckDB, PostgreSQL and Snowflake and compares each
// model's SQL with testdata/globalproject/golden/<adapter>/<model>.sql.
// Snowflake's SQL is checked only here. `go test ./engine/compile -run
// TestGlobalProjectGolden -update` rewrites the files.
func TestGlobalProjectGolden(t *testing.T) {
	dir := filepath.Join("testdata", "globalproject")
	for _, typ := range goldenAdapters {
		t.Run(typ, func(t *testing.T) {
			m := compileProjectFor(t, typ, nil, dir)
			got := map[string]string{}
			for _, n := range m.Nodes {
				if n.ResourceType == "model" {
					got[n.Name+".sql"] = n.CompiledCode
				}
			}
			if len(got) == 0 {
				t.Fatal("no models compiled")
			}
			gdir := filepath.Join(dir, "golden", typ)
			if *update {
				os.RemoveAll(gdir)
				if err := os.MkdirAll(gdir, 0o755); err != nil {
					t.Fatal(err)
				}
				for f, s := range got {
					if err := os.WriteFile(filepath.Join(gdir, f), []byte(s), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			entries, err := os.ReadDir(gdir)
			if err != nil {
				t.Fatalf("%v (run with -update to create the golden files)", err)
			}
			want := map[string]string{}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(gdir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				want[e.Name()] = string(b)
			}
			for _, f := range sortedKeys(want) {
				if g, ok := got[f]; !ok {
					t.Errorf("%s/%s: golden file for no model", typ, f)
				} else if g != want[f] {
					t.Errorf("%s/%s differs (-want +got):\n%s", typ, f, lineDiff(want[f], g))
				}
			}
			for _, f := range sortedKeys(got) {
				if _, ok := want[f]; !ok {
					t.Errorf("%s/%s: compiled but no golden file (run with -update)", typ, f)
				}
			}
		})
	}
}

// publicGlobalMacros lists the global project's macros a project calls by
// name: not the default__/<adapter>__ variants, not the _helpers, not tests.
func publicGlobalMacros(t *testing.T) map[string]*jinja.Macro {
	t.Helper()
	out := map[string]*jinja.Macro{}
	env := jinja.NewEnvironment()
	for _, f := range globalMacroFiles() {
		tmpl, err := env.Parse(f.path, f.src)
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		for _, m := range tmpl.Macros() {
			if strings.Contains(m.Name, "__") || strings.HasPrefix(m.Name, "_") {
				continue
			}
			out[m.Name] = m
		}
	}
	return out
}

// TestGlobalProjectGoldenCoversEveryMacro: every public macro of the global
// project is called by some model of testdata/globalproject, so the golden
// files show its SQL on every adapter.
func TestGlobalProjectGoldenCoversEveryMacro(t *testing.T) {
	var all strings.Builder
	files, _ := filepath.Glob(filepath.Join("testdata", "globalproject", "models", "*.sql"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	notCalled := map[string]bool{
		// generic tests run through the YAML; test_accepted_values is
		// called directly to show its quoting.
		"test_not_null": true, "test_unique": true, "test_relationships": true, "should_store_failures": true,
	}
	// relations.sql's helpers act on a warehouse (they introspect, create or
	// drop relations): cmd/strata/testdata/script/runtime_macros.txtar runs
	// each of them on DuckDB and PostgreSQL instead.
	for _, name := range []string{"load_relation", "load_cached_relation", "get_where_subquery", "get_columns_in_query",
		"make_temp_relation", "make_intermediate_relation", "make_backup_relation", "drop_relation_if_exists", "drop_relation",
		"create_schema", "drop_schema", "get_create_table_as_sql", "create_table_as", "get_create_view_as_sql", "create_view_as",
		"run_hooks", "persist_docs", "apply_grants", "should_revoke"} {
		notCalled[name] = true
	}
	for name := range publicGlobalMacros(t) {
		if notCalled[name] {
			continue
		}
		if !regexp.MustCompile(`\b` + name + `\(`).MatchString(all.String()) {
			t.Errorf("no model of testdata/globalproject calls %s(): add one so its golden SQL is checked", name)
		}
	}
}

// dbtSignatures are the parameters of dbt's global macros as dbt documents
// them; packages pass them by keyword, so the names must match. A trailing
// "=" marks a parameter with a default.
var dbtSignatures = map[string]string{
	"any_value":                           "expression",
	"array_append":                        "array new_element",
	"array_concat":                        "array_1 array_2",
	"array_construct":                     "inputs= data_type=",
	"bool_or":                             "expression",
	"cast":                                "field type",
	"cast_bool_to_text":                   "field",
	"concat":                              "fields",
	"current_timestamp":                   "",
	"current_timestamp_backcompat":        "",
	"current_timestamp_in_utc_backcompat": "",
	"date":                                "year month day",
	"date_spine":                          "datepart start_date end_date",
	"date_trunc":                          "datepart date",
	"dateadd":                             "datepart interval from_date_or_timestamp",
	"datediff":                            "first_date second_date datepart",
	"default_last_day":                    "date datepart",
	"equals":                              "expr1 expr2",
	"escape_single_quotes":                "expression",
	"except":                              "",
	"generate_alias_name":                 "custom_alias_name= node=",
	"generate_database_name":              "custom_database_name= node=",
	"generate_schema_name":                "custom_schema_name= node=",
	"generate_schema_name_for_env":        "custom_schema_name node",
	"generate_series":                     "upper_bound",
	"get_intervals_between":               "start_date end_date datepart",
	"get_powers_of_two":                   "upper_bound",
	"hash":                                "field",
	"intersect":                           "",
	"last_day":                            "date datepart",
	"length":                              "expression",
	"listagg":                             "measure delimiter_text= order_by_clause= limit_num=",
	"position":                            "substring_text string_text",
	"replace":                             "field old_chars new_chars",
	"right":                               "string_text length_expression",
	"safe_cast":                           "field type",
	"should_store_failures":               "",
	"snapshot_get_time":                   "",
	"split_part":                          "string_text delimiter_text part_number",
	"string_literal":                      "value",
	"test_accepted_values":                "model column_name values quote=",
	"test_not_null":                       "model column_name",
	"test_relationships":                  "model column_name to field",
	"test_unique":                         "model column_name",
	"type_bigint":                         "",
	"type_boolean":                        "",
	"type_float":                          "",
	"type_int":                            "",
	"type_numeric":                        "",
	"type_string":                         "",
	"type_timestamp":                      "",
	// relations.sql: relation and introspection helpers.
	"load_relation":              "relation",
	"load_cached_relation":       "relation",
	"get_where_subquery":         "relation",
	"get_columns_in_query":       "select_sql",
	"make_temp_relation":         "base_relation suffix=",
	"make_intermediate_relation": "base_relation suffix=",
	"make_backup_relation":       "base_relation backup_relation_type suffix=",
	"drop_relation_if_exists":    "relation",
	"drop_relation":              "relation",
	"create_schema":              "relation",
	"drop_schema":                "relation",
	"get_create_table_as_sql":    "temporary relation sql",
	"create_table_as":            "temporary relation compiled_code language=",
	"get_create_view_as_sql":     "relation sql",
	"create_view_as":             "relation sql",
	"run_hooks":                  "hooks inside_transaction=",
	"persist_docs":               "relation model for_relation= for_columns=",
	"apply_grants":               "relation grant_config should_revoke",
	"should_revoke":              "existing_relation full_refresh_mode=",
}

// TestGlobalProjectSignatures: the global project has exactly the macros
// above, each with dbt's parameter names and defaults.
func TestGlobalProjectSignatures(t *testing.T) {
	macros := publicGlobalMacros(t)
	for _, name := range sortedKeys(dbtSignatures) {
		m, ok := macros[name]
		if !ok {
			t.Errorf("the global project lacks %s", name)
			continue
		}
		var got []string
		for _, p := range m.Params {
			s := p.Name
			if p.HasDefault {
				s += "="
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != dbtSignatures[name] {
			t.Errorf("%s(%s): dbt's parameters are (%s)", name, g, dbtSignatures[name])
		}
	}
	var extra []string
	for name := range macros {
		if _, ok := dbtSignatures[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("macros missing from dbtSignatures (add dbt's parameters): %v", extra)
	}
}
