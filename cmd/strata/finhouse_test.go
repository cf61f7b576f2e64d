package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/cli"
)

// copyFinhouse copies the example warehouse (the repository root's project
// files) into a temp dir, so tests never write into the checkout's target/.
func copyFinhouse(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, name := range []string{"project.yaml", "models", "macros", "seeds", "tests", "snapshots"} {
		src := filepath.Join(root, name)
		err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if info.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func strata(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var o, e bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := cli.Main(context.Background(), args, cli.Env{Stdout: &o, Stderr: &e, Drivers: Drivers(), Getenv: lookup, HomeDir: t.TempDir()})
	return code, o.String(), e.String()
}

var summaryRE = regexp.MustCompile(`PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) TOTAL=(\d+)`)

// checkWarehouse asserts a whole build passed with only the warehouse's
// deliberate warn-severity findings, and that marts hold rows.
func checkWarehouse(t *testing.T, dir string, env map[string]string, target ...string) {
	t.Helper()
	args := append([]string{"build", "--project-dir", dir}, target...)
	code, out, errOut := strata(t, env, args...)
	if code != 0 {
		t.Fatalf("strata build exit %d\n%s\n%s", code, lastN(out, 40), errOut)
	}
	m := summaryRE.FindStringSubmatch(out)
	if m == nil || m[3] != "0" || m[4] != "0" {
		t.Fatalf("build summary %q: want no errors and no skips\n%s", m, lastN(out, 40))
	}
	if m[1] == "0" || m[5] == "0" {
		t.Fatalf("build ran nothing: %q", m[0])
	}
	// The unit tests of the trickiest models ran before them, and passed;
	// the contracted regulatory mart was built.
	for _, ut := range []string{
		"stg_pg_settlement_transactions::cdc_latest_record_wins_and_deletes_vanish",
		"int_account_monthly_balances::statement_balances_carry_over",
		"rpt_consent_funnel_executive::executive_funnel_counts_each_stage",
	} {
		if !regexp.MustCompile(`PASS ` + regexp.QuoteMeta(ut) + ` \.* \[PASS in`).MatchString(out) {
			t.Errorf("unit test %s did not pass:\n%s", ut, lastN(out, 40))
		}
	}
	if n := len(regexp.MustCompile(`(?m) PASS \w+::\w+ \.* \[PASS in`).FindAllString(out, -1)); n != finhouseUnitTests {
		t.Errorf("%d unit tests passed, want %d", n, finhouseUnitTests)
	}
	if !regexp.MustCompile(`OK created sql table model \w+\.rpt_aa_regulatory_daily `).MatchString(out) {
		t.Errorf("the contracted regulatory mart was not built:\n%s", lastN(out, 40))
	}
	for _, q := range []string{
		"select count(*) from {{ ref('rpt_customers_per_tier') }}",
		"select count(*) from {{ ref('rpt_consent_funnel_executive') }}",
		"select count(*) from {{ ref('rpt_settlement_hourly') }}",
		"select count(*) from {{ ref('rpt_loan_portfolio_quality') }}",
		"select count(*) from {{ ref('customer_tier_history') }} where dbt_valid_to is null",
	} {
		args := append([]string{"show", "--project-dir", dir, "--inline", q, "--output", "csv"}, target...)
		code, out, errOut := strata(t, env, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", q, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || lines[1] == "0" {
			t.Errorf("%s: want a non-zero count, got %q", q, out)
		}
	}
}

// The finhouse project's unit tests and exposures (models/_unit_tests.yml,
// models/marts/_exposures.yml).
const (
	finhouseUnitTests = 3
	finhouseExposures = 8
)

func lastN(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func TestFinhouseBuildsOnDuckDB(t *testing.T) {
	dir := copyFinhouse(t)
	checkWarehouse(t, dir, map[string]string{})
	// A second build runs the incremental models incrementally and must still pass.
	checkWarehouse(t, dir, map[string]string{})
}

func TestFinhouseBuildsOnPostgres(t *testing.T) {
	// postgresEnv skips without STRATA_TEST_POSTGRES_DSN, fails when the server
	// is unreachable, and drops the schema (and its _staging, _marts, …) after.
	env := postgresEnv(t)
	dir := copyFinhouse(t)
	// The README's recipe: profiles.example.yaml copied to profiles.yaml, -t postgres.
	example, err := os.ReadFile("../../profiles.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prof := strings.Replace(string(example), "schema: finhouse", "schema: "+env["PGSCHEMA"], 1)
	prof = strings.Replace(prof, "port: 5432", "port: "+env["PGPORT"], 1)
	prof = strings.Replace(prof, "user: postgres", "user: "+env["PGUSER"], 1)
	prof = strings.Replace(prof, "dbname: postgres", "dbname: "+env["PGDATABASE"], 1)
	if err := os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(prof), 0o644); err != nil {
		t.Fatal(err)
	}
	checkWarehouse(t, dir, env, "-t", "postgres")
	checkWarehouse(t, dir, env, "-t", "postgres")
}

// TestFinhouseStateModified edits one staging model of the warehouse and checks
// that state:modified+ selects exactly it and everything downstream, computed
// here independently from manifest.json's depends_on.
func TestFinhouseStateModified(t *testing.T) {
	dir := copyFinhouse(t)
	if code, _, e := strata(t, nil, "parse", "--project-dir", dir, "-q"); code != 0 {
		t.Fatal(e)
	}
	state := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(dir, "target", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "manifest.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// Unchanged: nothing selected, also under another target.
	if code, out, e := strata(t, nil, "ls", "--project-dir", dir, "-s", "state:modified", "--state", state); code != 0 || strings.TrimSpace(out) != "" {
		t.Fatalf("unchanged project selected %q (exit %d, %s)", out, code, e)
	}
	path := filepath.Join(dir, "models", "staging", "core_banking", "stg_bank_accounts.sql")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(body, []byte("\n-- a reviewed change\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, e := strata(t, nil, "ls", "--project-dir", dir, "-s", "state:modified+", "--state", state, "--output", "json")
	if code != 0 {
		t.Fatal(e)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var n struct {
			UniqueID string `json:"unique_id"`
		}
		if err := json.Unmarshal([]byte(l), &n); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, n.UniqueID)
	}
	// Expected: the model and every node reachable through depends_on edges.
	type node struct {
		DependsOn struct {
			Nodes []string `json:"nodes"`
		} `json:"depends_on"`
	}
	var m struct {
		Nodes     map[string]node `json:"nodes"`
		Exposures map[string]node `json:"exposures"`
		UnitTests map[string]node `json:"unit_tests"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Exposures) != finhouseExposures || len(m.UnitTests) != finhouseUnitTests {
		t.Errorf("manifest has %d exposures and %d unit tests, want %d and %d", len(m.Exposures), len(m.UnitTests), finhouseExposures, finhouseUnitTests)
	}
	// Exposures read models; a unit test goes with its model (its depends_on).
	all := map[string]node{}
	for _, group := range []map[string]node{m.Nodes, m.Exposures, m.UnitTests} {
		for id, n := range group {
			all[id] = n
		}
	}
	start := "model.finhouse.stg_bank_accounts"
	want := map[string]bool{start: true}
	for changed := true; changed; {
		changed = false
		for id, n := range all {
			if want[id] {
				continue
			}
			for _, p := range n.DependsOn.Nodes {
				if want[p] {
					want[id], changed = true, true
					break
				}
			}
		}
	}
	var wantList []string
	for id := range want {
		wantList = append(wantList, id)
	}
	sort.Strings(wantList)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(wantList, "\n") {
		t.Errorf("state:modified+ selected %d nodes, want %d\ngot:  %v\nwant: %v", len(got), len(wantList), got, wantList)
	}
	if len(wantList) < 10 {
		t.Errorf("expected stg_bank_accounts to feed many nodes, found %d", len(wantList))
	}
}
