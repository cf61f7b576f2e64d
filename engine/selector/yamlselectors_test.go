package selector

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/manifest"
)

const selectorsYML = `selectors:
  - name: staging_up
    definition:
      method: fqn
      value: stg_loans
      children: true
      children_depth: 1
      indirect_selection: empty
  - name: marts_tables
    definition:
      intersection:
        - path:models/marts
        - method: config.materialized
          value: table
  - name: all_but_marts
    default: "{{ 'yes' }}"
    definition:
      union:
        - {resource_type: model}
        - exclude:
            - method: path
              value: models/marts
  - name: nested
    definition:
      union:
        - method: selector
          value: marts_tables
        - "tag:nightly"
  - name: cautious_int
    definition:
      method: fqn
      value: int_loan_balances
      indirect_selection: cautious
  - name: bare_stg
    definition: {method: fqn, value: stg_loans, indirect_selection: empty}
`

func parseFixtureSelectors(t *testing.T) *Selectors {
	t.Helper()
	render := func(s string) (string, error) { return strings.NewReplacer("{{ 'yes' }}", "true").Replace(s), nil }
	sels, ds := ParseSelectors([]byte(selectorsYML), "selectors.yml", render)
	if ds.HasErrors() {
		t.Fatalf("ParseSelectors: %v", ds.Err())
	}
	return sels
}

func TestYAMLSelectors(t *testing.T) {
	sels := parseFixtureSelectors(t)
	if got := sels.Default(); got != "all_but_marts" {
		t.Errorf("Default() = %q, want all_but_marts (its default: renders through render)", got)
	}
	if got := sels.Names(); !slices.Equal(got, []string{"staging_up", "marts_tables", "all_but_marts", "nested", "cautious_int", "bare_stg"}) {
		t.Errorf("Names() = %v", got)
	}
	m := fixture("dev")
	cases := []struct {
		name string
		want []string
	}{
		// children_depth 1 from stg_loans: its children in the graph, tests
		// included, as dbt's stg_loans+1.
		{"staging_up", ids("stg_loans", "int", "dim", "snap", "t_notnull", "t_rel_int")},
		// A path intersected with a config value; each criterion takes its
		// tests eagerly, so the test on dim (and fct) stays in the intersection.
		{"marts_tables", ids("dim", "t_rel")},
		// Models less the marts folder (and the marts' tests, eagerly).
		{"all_but_marts", ids("stg_loans", "stg_payments", "int", "calendar", "t_notnull", "t_rel_int")},
		// Another selector, in a union with a command-line string.
		{"nested", ids("dim", "fct", "t_singular", "t_rel")},
		// cautious: the test between int and stg_loans needs both selected.
		{"cautious_int", ids("int")},
		// empty: no tests come with the model.
		{"bare_stg", ids("stg_loans")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			def, err := sels.Definition(c.name)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := selectOn(t, m, Options{Definition: def})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("selected\n %v\nwant\n %v", got, c.want)
			}
		})
	}
	if _, err := sels.Definition("staging_upp"); err == nil || !strings.Contains(err.Error(), `did you mean "staging_up"`) {
		t.Errorf("unknown selector: %v", err)
	}
}

func TestYAMLSelectorErrors(t *testing.T) {
	cases := []struct{ yml, want string }{
		{"selectors:\n  - name: a\n", "selectors.yml:2: bad selector: selector \"a\" has no definition"},
		{"selectors:\n  - name: a\n    definition: {method: tag}\n", `selectors.yml:3: bad selector definition: method tag needs a value:`},
		{"selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      childs: true\n", `selectors.yml:4: unknown key: a selector criterion takes`},
		{"selectors:\n  - name: a\n    definition: {method: selector, value: b}\n  - name: b\n    definition: {method: selector, value: a}\n", "selector cycle: a -> b -> a"},
		{"selectors:\n  - name: a\n    definition: x\n  - name: a\n    definition: y\n", `selectors.yml:4: duplicate selector: "a" is already defined at line 2`},
		{"selectors:\n  - name: a\n    definition:\n      union: [x]\n      intersection: [y]\n", "union: stands alone in its mapping"},
		{"selectors:\n  - name: a\n    definition: {method: tag, value: x, indirect_selection: lazy}\n", `indirect_selection: must be eager, cautious, buildable or empty, got "lazy"`},
		{"selector:\n  - name: a\n", `selectors.yml:1: unknown key: selectors.yml has one key, selectors; got "selector"`},
	}
	for _, c := range cases {
		_, ds := ParseSelectors([]byte(c.yml), "selectors.yml", nil)
		if !ds.HasErrors() {
			t.Errorf("%q: no error, want %q", c.yml, c.want)
			continue
		}
		if err := ds.Err().Error(); !strings.Contains(err, c.want) {
			t.Errorf("%q:\n got %s\nwant %s", c.yml, err, c.want)
		}
	}
}

func TestSourceStatus(t *testing.T) {
	m := fixture("dev")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := map[string]SourceFreshness{
		"source.fh.raw.loans":    {MaxLoadedAt: t0},
		"source.fh.raw.payments": {MaxLoadedAt: t0},
	}
	cur := map[string]SourceFreshness{
		"source.fh.raw.loans":    {MaxLoadedAt: t0.Add(time.Hour)},
		"source.fh.raw.payments": {MaxLoadedAt: t0},
	}
	sources := []manifest.ResourceType{manifest.Source}
	got, _, err := selectOn(t, m, Options{Select: []string{"source_status:fresher"}, ResourceTypes: sources, SourcesCurrent: cur, SourcesPrevious: prev})
	if err != nil || !slices.Equal(got, ids("loans")) {
		t.Errorf("fresher = %v, %v; want loans", got, err)
	}
	got, _, err = selectOn(t, m, Options{Select: []string{"source_status:stale"}, ResourceTypes: sources, SourcesCurrent: cur, SourcesPrevious: prev})
	if err != nil || !slices.Equal(got, ids("payments")) {
		t.Errorf("stale = %v, %v; want payments", got, err)
	}
	got, _, err = selectOn(t, m, Options{Select: []string{"source_status:fresher+"}, ResourceTypes: []manifest.ResourceType{manifest.Model}, SourcesCurrent: cur, SourcesPrevious: prev})
	if err != nil || !slices.Equal(got, ids("stg_loans", "int", "fct", "dim")) {
		t.Errorf("fresher+ models = %v, %v", got, err)
	}
	// A failed check is neither fresher nor stale.
	cur["source.fh.raw.loans"] = SourceFreshness{Failed: true}
	if got, _, _ := selectOn(t, m, Options{Select: []string{"source_status:fresher"}, ResourceTypes: sources, SourcesCurrent: cur, SourcesPrevious: prev}); len(got) != 0 {
		t.Errorf("fresher with a failed check = %v", got)
	}
	if _, _, err := selectOn(t, m, Options{Select: []string{"source_status:fresher"}}); err == nil || !strings.Contains(err.Error(), "--state") {
		t.Errorf("without state: %v", err)
	}
	if _, _, err := selectOn(t, m, Options{Select: []string{"source_status:newer"}, SourcesCurrent: cur, SourcesPrevious: prev}); err == nil || !strings.Contains(err.Error(), "fresher, stale") {
		t.Errorf("bad value: %v", err)
	}
}
