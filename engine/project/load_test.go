package project

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/testfiles"
)

// writeProject writes files (path relative to the project -> content) into a
// fresh temporary folder and returns it.
func writeProject(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testfiles.Write(t, dir, files)
	return dir
}

func messages(ds diag.Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Severity.String() + ": " + d.Error()
	}
	return out
}

func paths(fs []File) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Path
	}
	return out
}

func mustLoad(t *testing.T, files map[string]string) *Project {
	t.Helper()
	p, ds := Load(writeProject(t, files))
	if len(ds) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", strings.Join(messages(ds), "\n"))
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	p := mustLoad(t, map[string]string{"project.yaml": "name: finhouse\n"})
	c := p.Config
	want := Config{
		Name: "finhouse", Profile: "finhouse",
		ModelPaths: []string{"models"}, SeedPaths: []string{"seeds"}, TestPaths: []string{"tests"},
		MacroPaths: []string{"macros"}, SnapshotPaths: []string{"snapshots"}, DocsPaths: []string{"models"},
		AnalysisPaths: []string{}, TargetPath: "target", CleanTargets: []string{"target"}, PackagesInstallPath: "dbt_packages",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config =\n%+v\nwant\n%+v", c, want)
	}
	if p.ConfigFile != "project.yaml" || !filepath.IsAbs(p.Root) || p.FS == nil {
		t.Errorf("ConfigFile %q Root %q FS %v", p.ConfigFile, p.Root, p.FS)
	}
}

func TestLoadFullConfig(t *testing.T) {
	p := mustLoad(t, map[string]string{"project.yaml": `
name: finhouse
version: "1.0.0"
config-version: 2
profile: fh
model-paths: [transform]
seed-paths: data
test-paths: [checks]
macro-paths: [lib]
snapshot-paths: [history]
docs-paths: [docs]
analysis-paths: [analyses]
target-path: build
clean-targets: [build, dbt_packages]
vars:
  start_date: '2024-01-01'
  limit: 10
  nested: {a: [1, 2], b: true}
on-run-start: "create schema if not exists x"
on-run-end:
  - "select 1"
  - "select 2"
dispatch:
  - macro_namespace: dbt_utils
    search_order: [finhouse, dbt_utils]
quoting: {identifier: false}
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Asia/Kolkata
    command: build
    retries: 2
    retry_delay: 30s
  - name: hourly
    cron: "@hourly"
    command: run
    select: tag:hourly
    exclude: [a, b]
scheduler:
  history_retention: 50
`,
		"transform/a.sql": "select 1", "data/b.csv": "x\n", "checks/t.sql": "select 1",
		"lib/m.sql": "", "history/s.sql": "", "docs/d.md": ""})
	c := p.Config
	if c.Version != "1.0.0" || c.ConfigVersion != 2 || c.Profile != "fh" {
		t.Errorf("version %v config-version %d profile %q", c.Version, c.ConfigVersion, c.Profile)
	}
	check := func(name string, got, want []string) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("model-paths", c.ModelPaths, []string{"transform"})
	check("seed-paths", c.SeedPaths, []string{"data"})
	check("docs-paths", c.DocsPaths, []string{"docs"})
	check("clean-targets", c.CleanTargets, []string{"build", "dbt_packages"})
	check("on-run-start", c.OnRunStart, []string{"create schema if not exists x"})
	check("on-run-end", c.OnRunEnd, []string{"select 1", "select 2"})
	if c.TargetPath != "build" {
		t.Errorf("target-path %q", c.TargetPath)
	}
	wantVars := map[string]any{"start_date": "2024-01-01", "limit": 10, "nested": map[string]any{"a": []any{1, 2}, "b": true}}
	if !reflect.DeepEqual(c.Vars, wantVars) {
		t.Errorf("vars = %#v", c.Vars)
	}
	if !reflect.DeepEqual(c.Dispatch, []Dispatch{{MacroNamespace: "dbt_utils", SearchOrder: []string{"finhouse", "dbt_utils"}}}) {
		t.Errorf("dispatch = %+v", c.Dispatch)
	}
	if len(c.Schedules) != 2 {
		t.Fatalf("schedules = %+v", c.Schedules)
	}
	s0, s1 := c.Schedules[0], c.Schedules[1]
	if s0.Name != "nightly" || s0.Cron != "0 2 * * *" || s0.Timezone != "Asia/Kolkata" || s0.Retries != 2 || s0.RetryDelay != "30s" || s0.Line != 28 {
		t.Errorf("schedule 0 = %+v", s0)
	}
	if !reflect.DeepEqual(s1.Select, StringList{"tag:hourly"}) || !reflect.DeepEqual(s1.Exclude, StringList{"a", "b"}) || s1.Line != 34 {
		t.Errorf("schedule 1 = %+v", s1)
	}
	if c.Scheduler.HistoryRetention != 50 {
		t.Errorf("scheduler = %+v", c.Scheduler)
	}
}

func TestLoadDBTProject(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": `name: jaffle
profile: jaffle
config-version: 2
require-dbt-version: ">=1.5.0"
source-paths: ["src"]
data-paths: ["data"]
log-path: logs
packages-install-path: dbt_packages
query-comment: null
flags: {send_anonymous_usage_stats: false}
`,
		"src/orders.sql":  "select 1 as id",
		"data/raw.csv":    "id\n1\n",
		"project.yml.bak": "ignored",
	})
	p, ds := Load(dir)
	if p.ConfigFile != "dbt_project.yml" {
		t.Fatalf("ConfigFile = %q", p.ConfigFile)
	}
	want := []string{
		`warning: dbt_project.yml:7:1: ignored setting: strata does not use dbt's "log-path"; it is ignored`,
		`warning: dbt_project.yml:9:1: ignored setting: strata does not use dbt's "query-comment"; it is ignored`,
		`warning: dbt_project.yml:10:1: ignored setting: strata does not use dbt's "flags"; it is ignored`,
	}
	if got := messages(ds); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.Config.PackagesInstallPath != "dbt_packages" || !reflect.DeepEqual(p.Config.RequireDbtVersion, []string{">=1.5.0"}) {
		t.Errorf("packages-install-path %q require-dbt-version %q", p.Config.PackagesInstallPath, p.Config.RequireDbtVersion)
	}
	if !reflect.DeepEqual(paths(p.Models), []string{"src/orders.sql"}) || !reflect.DeepEqual(paths(p.Seeds), []string{"data/raw.csv"}) {
		t.Errorf("models %v seeds %v", paths(p.Models), paths(p.Seeds))
	}
}

func TestProjectYamlWins(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"project.yaml":    "name: a\n",
		"dbt_project.yml": "name: b\n",
	})
	if p.Config.Name != "a" || p.ConfigFile != "project.yaml" {
		t.Errorf("read %s (%s), want project.yaml", p.ConfigFile, p.Config.Name)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name  string
		file  string // project.yaml unless it has a ':'
		body  string
		extra map[string]string
		want  []string
	}{
		{name: "missing name", body: "profile: x\n",
			want: []string{`error: project.yaml:1:1: missing project name: project.yaml must set name: the project's name (letters, digits and underscores)`}},
		{name: "invalid name", body: "name: my-project\n",
			want: []string{`error: project.yaml:1:1: invalid project name: project name "my-project" must start with a letter or underscore and hold only letters, digits and underscores, e.g. "my_project"`}},
		{name: "unknown key with suggestion", body: "name: a\nmodel-path: [models]\n",
			want: []string{`error: project.yaml:2:1: unknown key: project.yaml has no key "model-path"; did you mean "model-paths"?`}},
		{name: "unknown key without suggestion", body: "name: a\nwhatever: 1\n",
			want: []string{`error: project.yaml:2:1: unknown key: project.yaml has no key "whatever"; remove it or check its indentation`}},
		{name: "dbt-only key in project.yaml", body: "name: a\nquery-comment: null\n",
			want: []string{`error: project.yaml:2:1: unsupported key: "query-comment" is a dbt setting strata does not use; remove it from project.yaml`}},
		{name: "unknown key in dbt_project.yml", file: "dbt_project.yml", body: "name: a\nmodles: {}\n",
			want: []string{`error: dbt_project.yml:2:1: unknown key: dbt_project.yml has no key "modles"; did you mean "models"?`}},
		{name: "malformed yaml", body: "name: a\nvars:\n  x: 1\n   y: 2\n",
			want: []string{`error: project.yaml:4: malformed YAML: mapping values are not allowed in this context; check the indentation of this line, or quote a value that contains ": "`}},
		{name: "tab indentation", body: "name: a\nvars:\n\tx: 1\n",
			want: []string{"error: project.yaml:3: malformed YAML: found character that cannot start any token; YAML does not allow tab characters for indentation (or a value starting with @ or `): indent with spaces and quote such values"}},
		{name: "duplicate key", body: "name: a\nname: b\n",
			want: []string{`warning: project.yaml:2:1: duplicate key: "name" appears twice in project.yaml (first at line 1); the last value is used, remove or merge them`}},
		{name: "unquoted jinja", body: "name: a\nprofile: {{ env_var('P') }}\n",
			want: []string{`error: project.yaml:2:10: unquoted jinja: profile starts with {{ and YAML reads that as a mapping; put the value in quotes: "{{ ... }}"`}},
		{name: "path outside project", body: "name: a\nmodel-paths: [../elsewhere]\n",
			want: []string{`error: project.yaml:2:14: invalid path: model-paths entry "../elsewhere" must be a folder inside the project, relative to it`}},
		{name: "missing configured folder", body: "name: a\nmodel-paths: [modles]\n",
			want: []string{`warning: project.yaml: missing folder: model-paths lists "modles" but there is no such folder`}},
		{name: "wrong type", body: "name: a\nconfig-version: two\n",
			want: []string{`error: project.yaml:2:17: wrong type: config-version must be a whole number, not "two"`}},
		{name: "schedule unknown key", body: "name: a\nschedules:\n  - name: n\n    cron: '@daily'\n    comand: build\n",
			want: []string{`error: project.yaml:5:5: unknown key: schedules entry 1 has no key "comand"; did you mean "command"?`}},
		{name: "schedule wrong type", body: "name: a\nschedules:\n  - name: n\n    retries: many\n",
			want: []string{`error: project.yaml:4: wrong type: in schedules entry 1: cannot unmarshal !!str ` + "`many`" + ` into int`}},
		{name: "schedule notify unknown keys", body: "name: a\nschedules:\n  - name: n\n    cron: '@daily'\n    notify:\n      slak: x\n      email:\n        smpt: h:25\n",
			want: []string{
				`error: project.yaml:6:7: unknown key: schedules entry 1 notify has no key "slak"; did you mean "slack"?`,
				`error: project.yaml:8:9: unknown key: schedules entry 1 notify email has no key "smpt"; did you mean "smtp"?`,
			}},
		{name: "scheduler notify unknown key", body: "name: a\nscheduler:\n  notify:\n    webhok: x\n",
			want: []string{`error: project.yaml:4:5: unknown key: scheduler notify has no key "webhok"; did you mean "webhook"?`}},
		{name: "both tests and data_tests", body: "name: a\ntests: {+severity: warn}\ndata_tests: {+severity: warn}\n",
			want: []string{`error: project.yaml:3:1: duplicate key: both tests: (line 2) and data_tests: are set; data_tests is the current name, move everything under it`}},
		{name: "unknown folder config", body: "name: a\nmodels:\n  a:\n    materialised: table\n",
			want: []string{`error: project.yaml:4:5: unknown config: models.a: "materialised" is not a config strata knows, and a folder's value must be a mapping; did you mean "materialized"?`}},
		{name: "no project file", file: "none", body: "",
			want: []string{`error: no project: DIR has no project.yaml or dbt_project.yml; run strata init to create a project, or pass --project-dir`}},
		{name: "every problem at once", body: "name: 1bad\nmodle-paths: x\nvars: [1]\n",
			want: []string{
				`error: project.yaml:1:1: invalid project name: project name "1bad" must start with a letter or underscore and hold only letters, digits and underscores, e.g. "p_1bad"`,
				`error: project.yaml:2:1: unknown key: project.yaml has no key "modle-paths"; did you mean "model-paths"?`,
				`error: project.yaml:3:7: wrong type: vars must be a mapping, not a list`,
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			switch c.file {
			case "":
				files["project.yaml"] = c.body
			case "none":
				files["models/x.sql"] = "select 1"
			default:
				files[c.file] = c.body
			}
			for k, v := range c.extra {
				files[k] = v
			}
			dir := writeProject(t, files)
			_, ds := Load(dir)
			got := messages(ds)
			abs, _ := filepath.Abs(dir)
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], abs, "DIR")
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("diagnostics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	seed := "id,name\n1,a\n"
	p := mustLoad(t, map[string]string{
		"project.yaml":                   "name: fh\ndocs-paths: [docs]\n",
		"models/staging/stg_b.sql":       "select 2",
		"models/staging/stg_a.sql":       "select 1",
		"models/marts/fct.sql":           "select * from {{ ref('stg_a') }}",
		"models/marts/_marts.yml":        "version: 2\nmodels:\n  - name: fct\n",
		"models/overview.md":             "{% docs overview %}x{% enddocs %}",
		"models/.hidden/skip.sql":        "select 0",
		"models/.dotfile.sql":            "select 0",
		"models/notes.txt":               "ignored",
		"docs/more.md":                   "{% docs more %}y{% enddocs %}",
		"seeds/users.csv":                seed,
		"seeds/_seeds.yaml":              "seeds:\n  - name: users\n",
		"macros/util.sql":                "{% macro m() %}1{% endmacro %}",
		"macros/_macros.yml":             "macros:\n  - name: m\n",
		"tests/assert_positive.sql":      "select 1 where false",
		"tests/generic/is_even.sql":      "{% test is_even(model, column_name) %}select 1{% endtest %}",
		"snapshots/users_snapshot.sql":   "{% snapshot users_snapshot %}select 1{% endsnapshot %}",
		"target/compiled/models/x.sql":   "select 0",
		"analyses/not_read_as_model.sql": "select 0",
	})
	check := func(name string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("models", paths(p.Models), []string{"models/marts/fct.sql", "models/staging/stg_a.sql", "models/staging/stg_b.sql"})
	check("seeds", paths(p.Seeds), []string{"seeds/users.csv"})
	check("macros", paths(p.Macros), []string{"macros/util.sql"})
	check("tests", paths(p.Tests), []string{"tests/assert_positive.sql", "tests/generic/is_even.sql"})
	check("snapshots", paths(p.Snapshots), []string{"snapshots/users_snapshot.sql"})
	check("docs", paths(p.Docs), []string{"docs/more.md", "models/overview.md"})
	var props []string
	for _, pf := range p.Properties {
		props = append(props, pf.Path)
	}
	check("properties", props, []string{"macros/_macros.yml", "models/marts/_marts.yml", "seeds/_seeds.yaml"})

	m := p.Models[0]
	sum := sha256.Sum256([]byte("select * from {{ ref('stg_a') }}"))
	if m.RootDir != "models" || m.RelPath != "marts/fct.sql" || m.Name != "fct" ||
		m.Content != "select * from {{ ref('stg_a') }}" || m.Checksum != hex.EncodeToString(sum[:]) {
		t.Errorf("model file = %+v", m)
	}
	if got := m.ConfigPath(); !reflect.DeepEqual(got, []string{"marts", "fct"}) {
		t.Errorf("ConfigPath = %q", got)
	}
	s := p.Seeds[0]
	seedSum := sha256.Sum256([]byte(seed))
	if s.Content != "" || s.Checksum != hex.EncodeToString(seedSum[:]) || s.Name != "users" {
		t.Errorf("seed file = %+v", s)
	}
	if got := s.ConfigPath(); !reflect.DeepEqual(got, []string{"users"}) {
		t.Errorf("seed ConfigPath = %q", got)
	}
}

func TestDuplicateNames(t *testing.T) {
	_, ds := Load(writeProject(t, map[string]string{
		"project.yaml":             "name: fh\n",
		"models/a/loans.sql":       "select 1",
		"models/b/loans.sql":       "select 2",
		"seeds/users.csv":          "id\n",
		"models/users.sql":         "select 3",
		"snapshots/snap.sql":       "select 0\n{% snapshot loans %}select 1{% endsnapshot %}",
		"models/a/_a.yml":          "models:\n  - name: users\n  - name: ghost_model\n",
		"models/b/_b.yml":          "models:\n  - name: other\n  - name: users\n",
		"models/other.sql":         "select 4",
		"models/c/_c.yml":          "sources:\n  - name: raw\n    tables: [{name: t}]\n",
		"models/c/_d.yml":          "sources:\n  - name: raw\n    tables:\n      - name: t\n",
		"models/dup_in_one.yml":    "models:\n  - name: other2\n  - name: other2\n",
		"models/other2.sql":        "select 5",
		"models/cols.yml":          "models:\n  - name: other3\n    columns:\n      - name: id\n      - name: ID\n",
		"models/other3.sql":        "select 6",
		"models/ghost_modle.sql":   "select 7",
		"models/x/y/deep/name.sql": "select 8",
	}))
	want := []string{
		`error: models/b/_b.yml:3: duplicate properties: model "users" is described in both models/a/_a.yml:2 and models/b/_b.yml:3; describe it in one file`,
		`error: models/c/_d.yml:4: duplicate properties: source table "raw.t" is described in both models/c/_c.yml:3 and models/c/_d.yml:4; describe it in one file`,
		`error: models/dup_in_one.yml:3:5: duplicate properties: model "other2" is described twice in this file (first at line 2); merge the two entries`,
		`error: seeds/users.csv: duplicate name: 2 resources are named "users": model models/users.sql and seed seeds/users.csv; models, seeds and snapshots share one namespace for ref(), so rename all but one`,
		`warning: models/a/_a.yml:3: properties for a missing model: properties describe model "ghost_model" but no model has that name; did you mean "ghost_modle"?`,
		`warning: models/cols.yml:5:9: duplicate column: column "ID" of model "other3" is described twice (first at line 4); the last entry is used, merge the two`,
	}
	// The three-way loans clash is one error, on the last file found.
	want = append(want, `error: snapshots/snap.sql:2: duplicate name: 3 resources are named "loans": model models/a/loans.sql, model models/b/loans.sql and snapshot snapshots/snap.sql:2; models, seeds and snapshots share one namespace for ref(), so rename all but one`)
	got := messages(ds)
	sortStrings(got)
	sortStrings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestMalformedPropertiesKeepsGoing(t *testing.T) {
	p, ds := Load(writeProject(t, map[string]string{
		"project.yaml":     "name: fh\n",
		"models/a.sql":     "select 1",
		"models/bad.yml":   "models:\n  - name: a\n    columns: [\n",
		"models/good.yml":  "models:\n  - name: b\n",
		"models/b.sql":     "select 2",
		"models/empty.yml": "# nothing here\n",
	}))
	want := []string{`error: models/bad.yml:3: malformed YAML: did not find expected node content; fix the YAML syntax at this line`}
	if got := messages(ds); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Models) != 2 || len(p.Properties) != 3 {
		t.Errorf("models %d properties %d", len(p.Models), len(p.Properties))
	}
}

func TestSnapshotNames(t *testing.T) {
	names, lines := SnapshotNames("-- x\n{% snapshot a %}\nselect 1\n{% endsnapshot %}\n{%- snapshot  b_2 -%}select{% endsnapshot %}")
	if !reflect.DeepEqual(names, []string{"a", "b_2"}) || !reflect.DeepEqual(lines, []int{2, 5}) {
		t.Errorf("names %q lines %v", names, lines)
	}
}

func TestPackagesInstallPath(t *testing.T) {
	p := mustLoad(t, map[string]string{"project.yaml": "name: a\npackages-install-path: vendor/pkgs\n"})
	if p.Config.PackagesInstallPath != "vendor/pkgs" {
		t.Errorf("PackagesInstallPath = %q, want vendor/pkgs", p.Config.PackagesInstallPath)
	}
	p = mustLoad(t, map[string]string{"project.yaml": "name: a\n"})
	if p.Config.PackagesInstallPath != "dbt_packages" {
		t.Errorf("default PackagesInstallPath = %q, want dbt_packages", p.Config.PackagesInstallPath)
	}
	dir := writeProject(t, map[string]string{"project.yaml": "name: a\npackages-install-path: ../elsewhere\n", "models/m.sql": "select 1"})
	c, ds := LoadConfig(dir)
	if got := messages(ds); len(got) != 1 || !strings.Contains(got[0], "packages-install-path") || len(c.Models) != 0 {
		t.Errorf("LoadConfig diagnostics = %v, models %d; want one packages-install-path error and no files read", got, len(c.Models))
	}
}

func TestLoadScheduleKeysAndLines(t *testing.T) {
	dir := writeProject(t, map[string]string{"project.yaml": `name: a
schedules:
  - name: nightly
    cron: "0 2 * * *"
    catchup: all
    catchup_max: 3
    deadline: "06:00"
    max_duration: 2h
    notify:
      on: [failure, deadline]
      slack: "${SLACK_URL}"
      email:
        smtp: smtp.example.com:587
        from: strata@example.com
        to: [a@example.com, b@example.com]
scheduler:
  shutdown_grace: 45s
  url: https://strata.internal
  notify:
    webhook: https://hooks.example.com/x
`})
	p, ds := Load(dir)
	if ds.HasErrors() {
		t.Fatal(messages(ds))
	}
	s := p.Config.Schedules[0]
	if s.Catchup != "all" || s.CatchupMax != 3 || s.Deadline != "06:00" || s.MaxDuration != "2h" || s.KeyLines["deadline"] != 7 || s.KeyLines["notify"] != 9 {
		t.Errorf("schedule = %+v", s)
	}
	n := s.Notify
	if n == nil || !reflect.DeepEqual(n.On, StringList{"failure", "deadline"}) || n.Slack != "${SLACK_URL}" || n.KeyLines["slack"] != 11 ||
		n.Email == nil || n.Email.SMTP != "smtp.example.com:587" || len(n.Email.To) != 2 || n.Email.KeyLines["from"] != 14 {
		t.Errorf("notify = %+v (email %+v)", n, n.Email)
	}
	c := p.Config.Scheduler
	if c.ShutdownGrace != "45s" || c.URL != "https://strata.internal" || c.Notify == nil || c.Notify.Webhook != "https://hooks.example.com/x" || c.Line != 17 || c.KeyLines["url"] != 18 {
		t.Errorf("scheduler = %+v", c)
	}
}

// A file under two resource folders, one inside the other (or one folder
// named twice), is listed once; folders side by side list all their files.
func TestNestedResourceFoldersListAFileOnce(t *testing.T) {
	files := map[string]string{
		"models/a.sql":     "select 1\n",
		"models/sub/b.sql": "select 2\n",
		"more/c.sql":       "select 3\n",
	}
	for _, paths := range []string{"[models, models/sub, more]", "[models/sub, models, more]", "[models, ./models/, more]"} {
		files["project.yaml"] = "name: n\nmodel-paths: " + paths + "\n"
		p := mustLoad(t, files)
		got := map[string]int{}
		for _, f := range p.Models {
			got[f.Path]++
		}
		for _, want := range []string{"models/a.sql", "models/sub/b.sql"} {
			if got[want] != 1 {
				t.Errorf("model-paths %s: %s listed %d times (%v)", paths, want, got[want], got)
			}
		}
		if got["more/c.sql"] != 1 {
			t.Errorf("model-paths %s: more/c.sql listed %d times", paths, got["more/c.sql"])
		}
	}
	files["project.yaml"] = "name: n\nmodel-paths: [models, more]\n"
	if got := len(mustLoad(t, files).Models); got != 3 {
		t.Errorf("side-by-side folders: %d models, want 3", got)
	}
	for _, c := range []struct {
		roots []string
		want  bool
	}{{[]string{"models", "more"}, false}, {[]string{"models", "models2"}, false}, {[]string{"models", "models/x"}, true},
		{[]string{"a/b", "a"}, true}, {[]string{"models", "./models"}, true}, {[]string{"."}, false}, {[]string{".", "m"}, true}} {
		if got := nestedRoots(c.roots); got != c.want {
			t.Errorf("nestedRoots(%q) = %v, want %v", c.roots, got, c.want)
		}
	}
}
