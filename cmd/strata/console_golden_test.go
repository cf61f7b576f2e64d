package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/cli"
)

var updateConsole = flag.Bool("update", false, "rewrite testdata/console/*.golden")

// TestConsoleGolden builds a small project (a seed, views and tables, a
// snapshot, passing, warning and failing tests, an error and what it
// skips) on one thread and compares the console with a golden file, times
// normalised: it must read as dbt's does. -update rewrites the file.
func TestConsoleGolden(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"project.yaml":               "name: shop\nprofile: shop\n",
		"profiles.yaml":              "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n      schema: main\n      threads: 1\n",
		"seeds/raw_orders.csv":       "id,customer_id,amount,status\n1,1,100,placed\n2,2,250,shipped\n3,2,80,returned\n",
		"models/stg_orders.sql":      "select id, customer_id, amount, status from {{ ref('raw_orders') }}\n",
		"models/customer_totals.sql": "{{ config(materialized='table') }}\nselect customer_id, sum(amount) as total from {{ ref('stg_orders') }} group by 1\n",
		"models/broken_report.sql":   "{{ config(materialized='table') }}\nselect * from {{ ref('stg_orders') }} join missing_table using (id)\n",
		"models/after_broken.sql":    "select * from {{ ref('broken_report') }}\n",
		"snapshots/order_status.sql": "{% snapshot order_status %}\n{{ config(unique_key='id', strategy='check', check_cols=['status'], target_schema='snapshots') }}\nselect id, status from {{ ref('stg_orders') }}\n{% endsnapshot %}\n",
		"models/schema.yml": `version: 2
models:
  - name: stg_orders
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              values: [placed, shipped]
              config: {severity: warn}
  - name: customer_totals
    columns:
      - name: total
        data_tests:
          - dbt_utils_free_positive
`,
		"tests/generic/dbt_utils_free_positive.sql": "{% test dbt_utils_free_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} < 200\n{% endtest %}\n",
	}
	writeFiles(t, dir, files)
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), []string{"build", "--project-dir", dir}, cli.Env{Stdout: &out, Stderr: &errOut,
		Drivers: Drivers(), DriverModules: DriverModules(), Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir()})
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	got := normalizeConsole(out.String())
	golden := filepath.Join("testdata", "console", "build.golden")
	if *updateConsole {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestConsoleGolden -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("console differs from %s (-want +got):\n%s", golden, lineDiff(string(want), got))
	}
}

var consoleNorm = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d`), "HH:MM:SS"},
	{regexp.MustCompile(` in \d+\.\d\ds\]`), " in 0.00s]"},
	{regexp.MustCompile(`\d+ hours \d+ minutes and \d+\.\d\d seconds \(\d+\.\d\ds\)`), "0 hours 0 minutes and 0.00 seconds (0.00s)"},
	{regexp.MustCompile(`strata=\d+\.\d+\.\d+`), "strata=X.Y.Z"},
	{regexp.MustCompile(`duckdb=v[\w.+-]+`), "duckdb=vX.Y.Z"},
	{regexp.MustCompile(`, \d+ macros`), ", N macros"},
}

func normalizeConsole(s string) string {
	for _, n := range consoleNorm {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// lineDiff lists the lines that differ, "-" from want and "+" from got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("- " + a + "\n+ " + c + "\n")
		}
	}
	return b.String()
}
