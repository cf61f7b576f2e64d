package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/selector"
)

// finhouse's PII rule, as data: the raw columns holding personal data, and
// the staging columns that mask each of them with mask_pii.
var (
	rawPII     = []string{"full_name", "mobile", "email", "pan"}
	maskedFrom = map[string]string{"display_name": "full_name", "mobile_masked": "mobile", "email_masked": "email", "pan_masked": "pan"}
)

const (
	rawUsersSeed   = "seed.finhouse.bank_users"
	rawUsersSource = "source.finhouse.core_banking.bank_users"
	maskingModel   = "model.finhouse.stg_bank_users"
)

// piiTarget is where the PII check compiles finhouse: the embedded DuckDB
// (env nil), or PostgreSQL through the README's profile recipe.
type piiTarget struct {
	dialect string
	env     map[string]string
}

// copyFor copies finhouse with the profile the target needs.
func (pt piiTarget) copyFor(t *testing.T) string {
	t.Helper()
	dir := copyFinhouse(t)
	if pt.env == nil {
		return dir
	}
	example, err := os.ReadFile("../../profiles.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prof := strings.Replace(string(example), "schema: finhouse", "schema: "+pt.env["PGSCHEMA"], 1)
	prof = strings.Replace(prof, "port: 5432", "port: "+pt.env["PGPORT"], 1)
	prof = strings.Replace(prof, "user: postgres", "user: "+pt.env["PGUSER"], 1)
	prof = strings.Replace(prof, "dbname: postgres", "dbname: "+pt.env["PGDATABASE"], 1)
	if err := os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(prof), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (pt piiTarget) args(args ...string) []string {
	if pt.env != nil {
		args = append(args, "-t", "postgres")
	}
	return args
}

// finhouseLineage generates finhouse's docs (no build needed: seed columns
// come from the CSV headers) and reads target/lineage.json and the manifest.
func finhouseLineage(t *testing.T, pt piiTarget, dir string) (*lineage.Lineage, *manifest.Manifest) {
	t.Helper()
	code, out, errOut := strata(t, pt.env, pt.args("docs", "generate", "--empty-catalog", "--project-dir", dir)...)
	if code != 0 {
		t.Fatalf("docs generate: exit %d\n%s\n%s", code, lastN(out, 20), errOut)
	}
	f, err := os.Open(filepath.Join(dir, "target", "lineage.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := lineage.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	m, err := selector.LoadManifest(filepath.Join(dir, "target", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Metadata.Dialect != pt.dialect {
		t.Fatalf("lineage read %s SQL, want %s", l.Metadata.Dialect, pt.dialect)
	}
	for id, n := range l.Nodes {
		if n.Error != "" {
			t.Errorf("lineage of %s is incomplete: %s", id, n.Error)
		}
	}
	return l, m
}

// piiLeaks traces every raw PII column downstream, through any kind of
// edge, stopping at the columns that mask it, and returns each path that
// still reaches a mart. It also fails when a masking column is not what the
// rule says: a transformation of its raw column through mask_pii.
func piiLeaks(t *testing.T, l *lineage.Lineage, m *manifest.Manifest) []string {
	t.Helper()
	stg, ok := m.Nodes[maskingModel]
	if !ok {
		t.Fatalf("no %s in the manifest", maskingModel)
	}
	for masked, raw := range maskedFrom {
		c, ok := l.Column(lineage.Ref{Node: maskingModel, Column: masked})
		if !ok {
			t.Fatalf("%s has no column %s", maskingModel, masked)
		}
		if c.Kind != lineage.Transform || len(c.From) != 1 || c.From[0].Column != raw || c.From[0].Node != rawUsersSource {
			t.Errorf("%s.%s should be a transformation of %s.%s alone: %+v", maskingModel, masked, rawUsersSource, raw, c)
		}
		if !regexp.MustCompile(`mask_pii\('` + raw + `',\s*'\w+'\)\s*\}\}\s*as\s+` + masked + `\b`).MatchString(stg.RawCode) {
			t.Errorf("%s does not compute %s with mask_pii(%q, …)", maskingModel, masked, raw)
		}
	}
	var start []lineage.Ref
	for _, c := range rawPII {
		start = append(start, lineage.Ref{Node: rawUsersSeed, Column: c})
	}
	maskPoint := func(r lineage.Ref) bool {
		_, ok := maskedFrom[strings.ToLower(r.Column)]
		return r.Node == maskingModel && ok
	}
	inMart := func(r lineage.Ref) bool {
		n, ok := m.Node(r.Node)
		return ok && strings.HasPrefix(n.OriginalFilePath, "models/marts/")
	}
	var leaks []string
	for _, p := range l.Paths(start, func(_ lineage.Ref, _ lineage.Edge, to lineage.Ref) bool { return !maskPoint(to) }, inMart) {
		var hops []string
		for _, r := range p {
			hops = append(hops, r.Node+"."+r.Column)
		}
		leaks = append(leaks, strings.Join(hops, " → "))
	}
	sort.Strings(leaks)
	return leaks
}

// TestFinhousePIIStaysMasked is finhouse's rule "no masked column reaches a
// mart unmasked", checked on column lineage: from the raw seed, through the
// source over its table, the personal columns reach the marts only through
// mask_pii. Two altered copies of the warehouse show the check catches a
// mart reading the raw column and a staging model passing it through. The
// SQL compiled for DuckDB is read with DuckDB's parser, and with
// STRATA_TEST_POSTGRES_DSN set, the SQL compiled for PostgreSQL with
// PostgreSQL's.
func TestFinhousePIIStaysMasked(t *testing.T) {
	t.Run("duckdb", func(t *testing.T) { checkPII(t, piiTarget{dialect: "duckdb"}) })
	t.Run("postgres", func(t *testing.T) { checkPII(t, piiTarget{dialect: "postgres", env: postgresEnv(t)}) })
}

func checkPII(t *testing.T, pt piiTarget) {
	dir := pt.copyFor(t)
	l, m := finhouseLineage(t, pt, dir)
	// The trace has something to follow: the raw email reaches the masked
	// column, which reaches the customer dimension.
	down := l.Downstream([]lineage.Ref{{Node: rawUsersSeed, Column: "email"}}, -1)
	for _, want := range []string{rawUsersSource + ".email", maskingModel + ".email_masked", "model.finhouse.dim_customers.email_masked"} {
		found := false
		for _, r := range down {
			found = found || r.Node+"."+r.Column == want
		}
		if !found {
			t.Errorf("the raw email does not reach %s; downstream: %v", want, down)
		}
	}
	if leaks := piiLeaks(t, l, m); len(leaks) > 0 {
		t.Errorf("raw personal data reaches a mart unmasked:\n%s", strings.Join(leaks, "\n"))
	}
	// The CLI selects the same: the raw email's column lineage reaches no
	// mart other than through the masked column.
	code, out, errOut := strata(t, pt.env, pt.args("ls", "-q", "--project-dir", dir, "-s", "column:core_banking.bank_users.email+", "--resource-type", "model", "--output", "path")...)
	if code != 0 {
		t.Fatalf("ls: exit %d %s", code, errOut)
	}
	if got := strings.Fields(out); strings.Join(got, " ") != "models/marts/banking/dim_customers.sql models/staging/core_banking/stg_bank_users.sql" {
		t.Errorf("ls -s column:core_banking.bank_users.email+ lists %v", got)
	}

	for _, tc := range []struct {
		name, file, sql string
		edit            func(string) string
		want            string
	}{
		{
			name: "a mart reads the raw source",
			file: "models/marts/banking/rpt_contact_sheet.sql",
			sql: "select u.customer_id, raw.email as contact\nfrom {{ ref('dim_customers') }} as u\n" +
				"join {{ source('core_banking', 'bank_users') }} as raw on u.customer_id = raw.user_id\n",
			want: rawUsersSeed + ".email → " + rawUsersSource + ".email → model.finhouse.rpt_contact_sheet.contact",
		},
		{
			name: "staging passes the raw column through",
			file: "models/staging/core_banking/stg_bank_users.sql",
			edit: func(s string) string {
				return strings.Replace(s, "    city,\n", "    city,\n    upper(pan) as pan_upper,\n", 1)
			},
			want: rawUsersSeed + ".pan → " + rawUsersSource + ".pan → " + maskingModel + ".pan_upper → model.finhouse.rpt_pan_check.pan_upper",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := pt.copyFor(t)
			path := filepath.Join(bad, tc.file)
			body := tc.sql
			if tc.edit != nil {
				old, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				body = tc.edit(string(old))
				if body == string(old) {
					t.Fatal("the edit changed nothing")
				}
				mart := "select customer_id, pan_upper from {{ ref('stg_bank_users') }}\n"
				if err := os.WriteFile(filepath.Join(bad, "models/marts/banking/rpt_pan_check.sql"), []byte(mart), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			l, m := finhouseLineage(t, pt, bad)
			leaks := piiLeaks(t, l, m)
			if len(leaks) != 1 || leaks[0] != tc.want {
				t.Errorf("leaks found:\n%s\nwant exactly:\n%s", strings.Join(leaks, "\n"), tc.want)
			}
		})
	}
}
