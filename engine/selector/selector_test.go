package selector

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
)

func ids(names ...string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		id, ok := short[n]
		if !ok {
			panic("unknown short name " + n)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func selectOn(t *testing.T, m *manifest.Manifest, o Options) ([]string, []string, error) {
	t.Helper()
	d, diags := manifest.BuildDAG(m)
	if diags.HasErrors() {
		t.Fatalf("graph.Build: %v", diags.Err())
	}
	return Select(m, d, o)
}

func TestSelect(t *testing.T) {
	models := []manifest.ResourceType{manifest.Model}
	tests := []struct {
		name     string
		sel, exc []string
		types    []manifest.ResourceType
		indirect string
		want     []string
	}{
		{name: "name selects the model and its tests", sel: []string{"stg_loans"}, want: ids("stg_loans", "t_notnull", "t_rel_int")},
		{name: "resource types filter", sel: []string{"stg_loans"}, types: models, want: ids("stg_loans")},
		{name: "glob on names", sel: []string{"stg_*"}, types: models, want: ids("stg_loans", "stg_payments")},
		{name: "folder by fqn", sel: []string{"staging"}, types: models, want: ids("stg_loans", "stg_payments")},
		{name: "dotted fqn", sel: []string{"staging.stg_loans"}, types: models, want: ids("stg_loans")},
		{name: "fqn with package", sel: []string{"fh.marts.fct_loans"}, types: models, want: ids("fct")},
		{name: "fqn glob in a later part", sel: []string{"marts.*"}, types: models, want: ids("fct", "dim")},
		{name: "fqn method", sel: []string{"fqn:intermediate"}, indirect: Empty, want: ids("int", "t_rel_int")},
		{name: "bare folder path", sel: []string{"models/staging"}, types: models, want: ids("stg_loans", "stg_payments")},
		{name: "bare path glob", sel: []string{"models/staging/*.sql"}, want: ids("stg_loans", "stg_payments", "t_notnull", "t_rel_int")},
		{name: "path method on yaml", sel: []string{"path:models/staging/_sources.yml"}, indirect: Empty, want: ids("loans", "payments", "t_source")},
		{name: "path with trailing slash and ./", sel: []string{"path:./models/marts/"}, want: ids("fct", "dim", "t_rel", "t_singular")},
		{name: "recursive path glob", sel: []string{"path:models/**/fct_*.sql"}, types: models, want: ids("fct")},
		{name: "file with extension", sel: []string{"fct_loans.sql"}, types: models, want: ids("fct")},
		{name: "file method by stem", sel: []string{"file:country_codes"}, want: ids("country_codes")},
		{name: "tag", sel: []string{"tag:nightly"}, types: models, want: ids("fct")},
		{name: "tag glob", sel: []string{"tag:fin*"}, types: models, want: ids("fct")},
		{name: "config scalar", sel: []string{"config.materialized:incremental"}, types: models, want: ids("fct")},
		{name: "config list element", sel: []string{"config.unique_key:loan_id"}, types: models, want: ids("fct")},
		{name: "config nested key", sel: []string{"config.meta.owner:risk"}, types: models, want: ids("fct")},
		{name: "config bool", sel: []string{"config.persist_docs.relation:true"}, types: models, want: ids("dim")},
		{name: "config case-insensitive", sel: []string{"config.severity:error"}, want: ids("t_notnull", "t_rel", "t_rel_int", "t_singular", "t_source")},
		{name: "source", sel: []string{"source:raw"}, want: ids("loans", "payments", "t_source")},
		{name: "source table", sel: []string{"source:raw.payments"}, want: ids("payments")},
		{name: "source with package", sel: []string{"source:fh.raw.loans"}, indirect: Empty, want: ids("loans")},
		{name: "source children", sel: []string{"source:raw.loans+"}, types: models, want: ids("stg_loans", "int", "fct", "dim")},
		{name: "resource_type", sel: []string{"resource_type:seed"}, want: ids("country_codes")},
		{name: "resource_type snapshot", sel: []string{"resource_type:snapshot"}, want: ids("snap")},
		{name: "test_type singular", sel: []string{"test_type:singular"}, want: ids("t_singular")},
		{name: "test_type generic", sel: []string{"test_type:generic"}, want: ids("t_notnull", "t_rel", "t_rel_int", "t_source")},
		{name: "test_name", sel: []string{"test_name:relationships"}, want: ids("t_rel", "t_rel_int")},
		{name: "package", sel: []string{"package:utils"}, want: ids("calendar")},
		{name: "package this", sel: []string{"package:this"}, types: []manifest.ResourceType{manifest.Seed, manifest.Snapshot}, want: ids("country_codes", "snap")},
		{name: "all parents", sel: []string{"+fct_loans"}, types: models, want: ids("stg_loans", "stg_payments", "int", "fct")},
		{name: "all parents with sources and tests", sel: []string{"+int_loan_balances"},
			want: ids("loans", "payments", "stg_loans", "stg_payments", "int", "t_notnull", "t_source", "t_rel_int")},
		{name: "one level of parents", sel: []string{"1+fct_loans"}, indirect: Empty, want: ids("int", "country_codes", "fct")},
		{name: "two levels of parents", sel: []string{"2+fct_loans"}, types: models, want: ids("stg_loans", "stg_payments", "int", "fct")},
		{name: "all children", sel: []string{"stg_loans+"}, indirect: Empty, want: ids("stg_loans", "int", "fct", "dim", "snap", "t_notnull", "t_rel", "t_singular", "t_rel_int")},
		{name: "one level of children", sel: []string{"stg_loans+1"}, indirect: Empty, want: ids("stg_loans", "int", "dim", "snap", "t_notnull", "t_rel_int")},
		{name: "parents and children", sel: []string{"1+int_loan_balances+1"}, types: models, want: ids("stg_loans", "stg_payments", "int", "fct")},
		{name: "at operator", sel: []string{"@int_loan_balances"}, indirect: Empty,
			want: ids("loans", "payments", "stg_loans", "stg_payments", "country_codes", "int", "fct", "t_rel", "t_singular", "dim", "t_rel_int")},
		{name: "union in one argument", sel: []string{"stg_loans dim_customers"}, types: models, want: ids("stg_loans", "dim")},
		{name: "union across arguments", sel: []string{"stg_loans", "tag:nightly"}, types: models, want: ids("stg_loans", "fct")},
		{name: "intersection", sel: []string{"marts,config.materialized:table"}, types: models, want: ids("dim")},
		{name: "intersection with graph operator", sel: []string{"+fct_loans,staging"}, types: models, want: ids("stg_loans", "stg_payments")},
		{name: "exclude", sel: []string{"+fct_loans"}, exc: []string{"stg_payments"}, types: models, want: ids("stg_loans", "int", "fct")},
		{name: "exclude drops the excluded node's tests", sel: []string{"stg_loans+1"}, exc: []string{"dim_customers"},
			want: ids("stg_loans", "int", "snap", "t_notnull", "t_rel_int")},
		{name: "exclude with children", sel: []string{"staging"}, exc: []string{"stg_payments+"}, types: models, want: ids("stg_loans")},
		{name: "eager takes a test when any parent is selected", sel: []string{"fct_loans"}, want: ids("fct", "t_rel", "t_singular")},
		{name: "cautious needs every parent", sel: []string{"fct_loans"}, indirect: Cautious, want: ids("fct", "t_singular")},
		{name: "cautious across a union", sel: []string{"fct_loans dim_customers"}, indirect: Cautious, want: ids("fct", "dim", "t_rel", "t_singular")},
		{name: "eager takes a test on a node and its parent", sel: []string{"int_loan_balances"}, want: ids("int", "t_rel_int")},
		{name: "cautious leaves a test on an unselected parent", sel: []string{"int_loan_balances"}, indirect: Cautious, want: ids("int")},
		{name: "buildable counts upstream nodes", sel: []string{"int_loan_balances"}, indirect: Buildable, want: ids("int", "t_rel_int")},
		{name: "buildable still needs the other side", sel: []string{"fct_loans"}, indirect: Buildable, want: ids("fct", "t_singular")},
		// Tests are graph nodes: + reaches them whatever the indirect mode, as in dbt.
		{name: "children include tests below", sel: []string{"dim_customers+"}, indirect: Cautious, want: ids("dim", "t_rel")},
		{name: "empty selects no tests", sel: []string{"fct_loans"}, indirect: Empty, want: ids("fct")},
		{name: "no select means everything", types: []manifest.ResourceType{manifest.Source}, want: ids("loans", "payments")},
		{name: "no select minus exclude", exc: []string{"tag:staging", "package:utils", "resource_type:test", "resource_type:source", "marts", "resource_type:snapshot"},
			want: ids("stg_payments", "int", "country_codes")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, warns, err := selectOn(t, fixture("prod"), Options{Select: tc.sel, Exclude: tc.exc, ResourceTypes: tc.types, IndirectSelection: tc.indirect})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Select(%q, exclude %q)\n got %v\nwant %v", tc.sel, tc.exc, got, tc.want)
			}
			if len(warns) > 0 {
				t.Errorf("unexpected warnings %v", warns)
			}
		})
	}
}

func TestSelectWarnsOnNoMatch(t *testing.T) {
	got, warns, err := selectOn(t, fixture("prod"), Options{Select: []string{"stg_loans nothing_here tag:nope,stg_loans"}, ResourceTypes: []manifest.ResourceType{manifest.Model}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ids("stg_loans")) {
		t.Errorf("got %v", got)
	}
	want := []string{
		`the selection criterion "nothing_here" does not match any enabled nodes`,
		`the selection criterion "tag:nope,stg_loans" does not match any enabled nodes`,
	}
	if !reflect.DeepEqual(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
}

func TestSelectErrors(t *testing.T) {
	tests := []struct {
		sel        string
		opts       Options
		contains   string
		suggestion string
	}{
		{sel: "tga:finance", contains: `"tga:finance": unknown selector method "tga"; valid methods: fqn, tag,`, suggestion: "tag"},
		{sel: "metric:revenue", contains: "does not support the metric: method"},
		{sel: "version:newest", contains: `unknown version selector "newest"; valid: latest, prerelease, old, none`},
		{sel: "access:secret", contains: `unknown access "secret"`},
		{sel: "config:table", contains: "config selectors name a key"},
		{sel: "tag.x:y", contains: "only config takes a key"},
		{sel: "@stg_loans+", contains: "cannot be combined"},
		{sel: "+", contains: "no value"},
		{sel: "resource_type:modle", contains: `unknown resource type "modle"`, suggestion: "model"},
		{sel: "test_type:generik", contains: "unknown test type", suggestion: "generic"},
		{sel: "state:modified", contains: "pass --state DIR"},
		{sel: "state:modifed", opts: Options{State: fixture("prod")}, contains: "unknown state selector", suggestion: "modified"},
		{sel: "result:error", contains: "run_results.json"},
		{sel: "source:a.b.c.d", contains: "source:<source>.<table>"},
		{sel: "stg_loans,,fct_loans", contains: "empty criterion"},
	}
	for _, tc := range tests {
		t.Run(tc.sel, func(t *testing.T) {
			o := tc.opts
			o.Select = []string{tc.sel}
			_, _, err := selectOn(t, fixture("prod"), o)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, diag.ErrInvalidProject) {
				t.Errorf("error %v is not an invalid-command error", err)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
			var el *diag.ErrorList
			if errors.As(err, &el) && el.Diags[0].Suggestion != tc.suggestion {
				t.Errorf("suggestion = %q, want %q", el.Diags[0].Suggestion, tc.suggestion)
			}
		})
	}
	if _, _, err := selectOn(t, fixture("prod"), Options{IndirectSelection: "lazy"}); err == nil {
		t.Error("unknown indirect selection mode accepted")
	}
}

func TestSelectResult(t *testing.T) {
	prev := map[string]string{
		short["stg_payments"]: "error",
		short["int"]:          "skipped",
		short["fct"]:          "skipped",
		short["stg_loans"]:    "success",
		short["t_notnull"]:    "fail",
		short["t_singular"]:   "warn",
	}
	tests := []struct {
		sel  string
		want []string
	}{
		{"result:error", ids("stg_payments")},
		{"result:fail", ids("t_notnull")},
		{"result:warn", ids("t_singular")},
		{"result:skipped", ids("int", "fct")},
		{"result:success", ids("stg_loans")},
		{"result:error+", ids("stg_payments", "int", "fct", "t_rel", "t_singular", "t_rel_int")},
	}
	for _, tc := range tests {
		got, _, err := selectOn(t, fixture("prod"), Options{Select: []string{tc.sel}, PreviousResults: prev, IndirectSelection: Empty,
			ResourceTypes: []manifest.ResourceType{manifest.Model, manifest.Test}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.sel, got, tc.want)
		}
	}
}

func TestSelectWithoutDAG(t *testing.T) {
	got, _, err := Select(fixture("prod"), nil, Options{Select: []string{"+stg_loans"}, IndirectSelection: Empty})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ids("loans", "stg_loans")) {
		t.Errorf("got %v", got)
	}
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		raw  string
		want spec
	}{
		{"m", spec{method: "fqn", value: "m", parentsDepth: -1, childrenDepth: -1}},
		{"+m", spec{method: "fqn", value: "m", parents: true, parentsDepth: -1, childrenDepth: -1}},
		{"3+m+", spec{method: "fqn", value: "m", parents: true, parentsDepth: 3, children: true, childrenDepth: -1}},
		{"m+12", spec{method: "fqn", value: "m", children: true, childrenDepth: 12, parentsDepth: -1}},
		{"@tag:x", spec{method: "tag", value: "x", childrensParents: true, parentsDepth: -1, childrenDepth: -1}},
		{"config.meta.owner:risk+", spec{method: "config", args: []string{"meta", "owner"}, value: "risk", children: true, parentsDepth: -1, childrenDepth: -1}},
		{"state:modified.body+", spec{method: "state", value: "modified.body", children: true, parentsDepth: -1, childrenDepth: -1}},
		{"2020_loans", spec{method: "fqn", value: "2020_loans", parentsDepth: -1, childrenDepth: -1}},
		{"a+b", spec{method: "fqn", value: "a+b", parentsDepth: -1, childrenDepth: -1}},
		{"models/staging", spec{method: "path", value: "models/staging", parentsDepth: -1, childrenDepth: -1}},
		{"x.csv", spec{method: "file", value: "x.csv", parentsDepth: -1, childrenDepth: -1}},
	}
	for _, tc := range tests {
		got, err := parseSpec(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		tc.want.raw = tc.raw
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.raw, got, tc.want)
		}
	}
}

func TestGlobs(t *testing.T) {
	tests := []struct {
		pattern, name string
		fn, path      bool
	}{
		{"stg_*", "stg_loans", true, true},
		{"stg_?oans", "stg_loans", true, true},
		{"[!x]*", "stg", true, true},
		{"[!s]*", "stg", false, false},
		{"stg_*", "models/stg_x.sql", false, false},
		{"models/staging", "models/staging/stg_loans.sql", false, true},
		{"models/stag", "models/staging/stg_loans.sql", false, false},
		// fnmatch's * crosses folders; a path glob's * stays in one.
		{"models/*", "models/staging/stg_loans.sql", true, true},
		{"models/*.sql", "models/staging/stg_loans.sql", true, false},
		{"models/**/*.sql", "models/staging/stg_loans.sql", true, true},
		{"**/stg_loans.sql", "models/staging/stg_loans.sql", true, true},
	}
	for _, tc := range tests {
		if got := fnmatch(tc.pattern, tc.name); got != tc.fn {
			t.Errorf("fnmatch(%q, %q) = %v", tc.pattern, tc.name, got)
		}
		if got := matchPath(tc.pattern, tc.name); got != tc.path {
			t.Errorf("matchPath(%q, %q) = %v", tc.pattern, tc.name, got)
		}
	}
}
