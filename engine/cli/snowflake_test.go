package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/snowflake"
	"github.com/strata-dev/strata/engine/cli"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
	"github.com/strata-dev/strata/engine/internal/fakesnowflake/sfduck"
	"github.com/strata-dev/strata/engine/internal/testfiles"
)

// snowflakeProject writes a project whose profile points at the fake Snowflake,
// with password overridden when non-empty.
func snowflakeProject(t *testing.T, srv *fakesnowflake.Server, password string) string {
	t.Helper()
	dir := t.TempDir()
	fields := srv.ProfileFields()
	if password != "" {
		fields["password"] = password
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var prof strings.Builder
	prof.WriteString("p:\n  target: snowflake\n  outputs:\n    snowflake:\n")
	for _, k := range keys {
		fmt.Fprintf(&prof, "      %s: %q\n", k, fmt.Sprint(fields[k]))
	}
	files := map[string]string{
		"project.yaml":              "name: p\nprofile: p\n",
		"profiles.yaml":             prof.String(),
		"seeds/customers.csv":       "id,name\n1,Asha\n2,Ravi\n3,Meera\n",
		"models/stg_customers.sql":  "select id, upper(name) as name from {{ ref('customers') }}",
		"models/customer_count.sql": "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('stg_customers') }}",
		"models/schema.yml":         "version: 2\nmodels:\n  - name: stg_customers\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n",
	}
	testfiles.Write(t, dir, files)
	return dir
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	var o, e bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{Stdout: &o, Stderr: &e,
		Drivers: []adapter.Driver{snowflake.Driver()},
		Getenv:  func(string) (string, bool) { return "", false }, HomeDir: t.TempDir()})
	return code, o.String(), e.String()
}

// strata debug -t snowflake against the fake, through the real gosnowflake
// driver over HTTP: a successful connection; a bad password is one clear line.
func TestDebugSnowflakeAgainstFake(t *testing.T) {
	srv := fakesnowflake.New(t)
	dir := snowflakeProject(t, srv, "")
	code, out, errOut := runCLI(t, "debug", "--project-dir", dir)
	if code != 0 || !strings.Contains(out, "connection: OK") {
		t.Fatalf("debug: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, srv.Password) {
		t.Errorf("debug printed the password:\n%s", out)
	}
	if len(srv.Logins()) == 0 {
		t.Error("the fake saw no login: the driver did not talk to it")
	}

	bad := snowflakeProject(t, srv, "not-the-password")
	code, out, errOut = runCLI(t, "debug", "--project-dir", bad)
	if code == 0 {
		t.Fatalf("debug with a bad password exited 0\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "password") || !strings.Contains(lines[0], "STRATA") {
		t.Errorf("bad password should give one line naming the password field and the user, got:\n%s", errOut)
	}
	if strings.Contains(errOut, "not-the-password") {
		t.Errorf("the wrong password was printed: %s", errOut)
	}
}

// A whole build (seed, view, table, tests) through the real driver against the
// fake backed by DuckDB: the SQL the adapter sends really executes.
func TestBuildOnFakeSnowflake(t *testing.T) {
	srv := fakesnowflake.New(t, fakesnowflake.WithEngine(sfduck.New(t, "ANALYTICS")))
	dir := snowflakeProject(t, srv, "")
	code, out, errOut := runCLI(t, "build", "--project-dir", dir)
	if code != 0 || !strings.Contains(out, "PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5") {
		t.Fatalf("build: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "show", "--project-dir", dir, "-s", "customer_count", "--output", "csv")
	if code != 0 || !strings.Contains(out, "3") {
		t.Fatalf("show: exit %d\n%s\n%s", code, out, errOut)
	}
	var sawTransient bool
	for _, q := range srv.SQL() {
		if strings.Contains(strings.ToLower(q), "create or replace transient table") && strings.Contains(q, "CUSTOMER_COUNT") {
			sawTransient = true
		}
	}
	if !sawTransient {
		t.Errorf("the table model was not built as a transient table; statements:\n%s", strings.Join(srv.SQL(), "\n"))
	}
}
