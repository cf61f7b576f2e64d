package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/adapter/postgres"
	"github.com/strata-dev/strata/engine/adapter/snowflake"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/testfiles"
)

// fakeRender renders {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}
// from env, standing in for the compile package's Jinja.
func fakeRender(env map[string]string) func(string) (string, error) {
	re := regexp.MustCompile(`\{\{\s*env_var\(\s*'([^']+)'\s*(?:,\s*'?([^')]*)'?\s*)?\)\s*\}\}`)
	return func(s string) (string, error) {
		var err error
		out := re.ReplaceAllStringFunc(s, func(m string) string {
			sm := re.FindStringSubmatch(m)
			if v, ok := env[sm[1]]; ok {
				return v
			}
			if strings.Contains(m, ",") {
				return sm[2]
			}
			err = fmt.Errorf("env var %s is not set and has no default", sm[1])
			return ""
		})
		if strings.Contains(out, "{{") {
			return "", fmt.Errorf("fake renderer cannot render %q", s)
		}
		return out, err
	}
}

type fixture struct {
	project, home string
	env           map[string]string
}

func newFixture(t *testing.T, files map[string]string) fixture {
	t.Helper()
	root := t.TempDir()
	f := fixture{project: filepath.Join(root, "proj"), home: filepath.Join(root, "home"), env: map[string]string{}}
	for _, d := range []string{f.project, f.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	testfiles.Write(t, root, files)
	return f
}

func (f fixture) options() Options {
	return Options{
		ProjectDir: f.project, ProjectName: "finhouse", HomeDir: f.home, ProfileName: "finhouse",
		Env: func(k string) (string, bool) {
			v, ok := f.env[k]
			return v, ok
		},
		Render: fakeRender(f.env),
		Specs:  specs,
	}
}

// specs are the profile specs of strata's warehouses, as main registers them.
var specs = map[string]adapter.ProfileSpec{
	"duckdb": duckdb.Profile(), "postgres": postgres.Profile(), "snowflake": snowflake.Profile(),
}

func duck(name string) string {
	return fmt.Sprintf("finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: %s.duckdb\n", name)
}

func TestLookupOrder(t *testing.T) {
	all := map[string]string{
		"flag/profiles.yaml":        duck("flag"),
		"envdir/profiles.yaml":      duck("strata_env"),
		"dbtenv/profiles.yml":       duck("dbt_env"),
		"proj/profiles.yaml":        duck("project_yaml"),
		"proj/profiles.yml":         duck("project_yml"),
		"home/.strata/profiles.yml": duck("home_strata"),
		"home/.dbt/profiles.yml":    duck("home_dbt"),
	}
	without := func(drop ...string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			m[k] = v
		}
		for _, d := range drop {
			delete(m, d)
		}
		return m
	}
	cases := []struct {
		name     string
		files    map[string]string
		flag     bool
		env      map[string]string
		wantDB   string
		wantFrom string
	}{
		{"flag first", all, true, map[string]string{"STRATA_PROFILES_DIR": "envdir"}, "flag", "--profiles-dir"},
		{"STRATA_PROFILES_DIR when no flag", all, false, map[string]string{"STRATA_PROFILES_DIR": "envdir", "DBT_PROFILES_DIR": "dbtenv"}, "strata_env", "STRATA_PROFILES_DIR"},
		{"DBT_PROFILES_DIR", all, false, map[string]string{"DBT_PROFILES_DIR": "dbtenv"}, "dbt_env", "DBT_PROFILES_DIR"},
		{"project dir, .yaml before .yml", all, false, nil, "project_yaml", "project"},
		{"project dir .yml", without("proj/profiles.yaml"), false, nil, "project_yml", "project"},
		{"~/.strata", without("proj/profiles.yaml", "proj/profiles.yml"), false, nil, "home_strata", "~/.strata"},
		{"~/.dbt", without("proj/profiles.yaml", "proj/profiles.yml", "home/.strata/profiles.yml"), false, nil, "home_dbt", "~/.dbt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.files)
			root := filepath.Dir(f.project)
			for k, v := range c.env {
				f.env[k] = filepath.Join(root, v)
			}
			o := f.options()
			if c.flag {
				o.ProfilesDir = filepath.Join(root, "flag")
			}
			tg, info, err := Load(o)
			if err != nil {
				t.Fatal(err)
			}
			if tg.Database != c.wantDB || info.Source != c.wantFrom || info.Fallback || !filepath.IsAbs(info.Path) {
				t.Errorf("database %q from %q (%s), want %q from %q", tg.Database, info.Source, info.Path, c.wantDB, c.wantFrom)
			}
		})
	}
}

func TestFallback(t *testing.T) {
	f := newFixture(t, map[string]string{"home/.dbt/other.yml": "x: 1\n"})
	tg, info, err := Load(f.options())
	if err != nil {
		t.Fatal(err)
	}
	want := adapter.Target{
		Profile: "finhouse", Name: "dev", Type: "duckdb", Database: "finhouse", Schema: "main", Threads: 4,
		Fields: map[string]any{"type": "duckdb", "path": filepath.Join(f.project, "finhouse.duckdb"), "schema": "main", "threads": 4},
	}
	if !reflect.DeepEqual(tg, want) {
		t.Errorf("target =\n%+v\nwant\n%+v", tg, want)
	}
	if !info.Fallback || info.Path != "" {
		t.Errorf("info = %+v", info)
	}
}

func TestDuckDB(t *testing.T) {
	cases := []struct {
		name, output string
		wantPath     string // relative to the project, or absolute/":memory:"
		wantDB       string
		wantSchema   string
		wantThreads  int
	}{
		{"relative path", "type: duckdb\npath: data/wh.duckdb\nschema: analytics\nthreads: 8", "data/wh.duckdb", "wh", "analytics", 8},
		{"default path and schema", "type: duckdb", "finhouse.duckdb", "finhouse", "main", 4},
		{"memory", "type: duckdb\npath: ':memory:'", ":memory:", "memory", "main", 4},
		{"absolute path", "type: duckdb\npath: /var/lib/x/prod.db\ndatabase: prod", "/var/lib/x/prod.db", "prod", "main", 4},
		{"home path", "type: duckdb\npath: ~/dw.duckdb", "HOME/dw.duckdb", "dw", "main", 4},
		{"extensions and settings", "type: duckdb\nextensions: [httpfs, json]\nsettings: {memory_limit: 1GB}", "finhouse.duckdb", "finhouse", "main", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n" + indent(c.output, "      "),
			})
			tg, _, err := Load(f.options())
			if err != nil {
				t.Fatal(err)
			}
			want := c.wantPath
			switch {
			case strings.HasPrefix(want, "HOME/"):
				want = filepath.Join(f.home, want[5:])
			case want != ":memory:" && !filepath.IsAbs(want):
				want = filepath.Join(f.project, want)
			}
			if tg.Fields["path"] != want || tg.Database != c.wantDB || tg.Schema != c.wantSchema || tg.Threads != c.wantThreads || tg.Type != "duckdb" || tg.Name != "dev" {
				t.Errorf("target = %+v, want path %s database %s schema %s threads %d", tg, want, c.wantDB, c.wantSchema, c.wantThreads)
			}
		})
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

const pgProfiles = `finhouse:
  target: "{{ env_var('FH_TARGET', 'dev') }}"
  outputs:
    dev:
      type: duckdb
    prod:
      type: postgres
      host: "{{ env_var('PGHOST', 'localhost') }}"
      port: "{{ env_var('PGPORT', '5432') }}"
      user: postgres
      password: "{{ env_var('DBT_ENV_SECRET_PGPASSWORD') }}"
      dbname: warehouse
      schema: analytics
      threads: 6
      sslmode: disable
      search_path: "{{ env_var('STRATA_ENV_SECRET_PATH', 'public') }}"
`

func TestPostgresWithEnvVars(t *testing.T) {
	f := newFixture(t, map[string]string{"proj/profiles.yaml": pgProfiles})
	f.env["FH_TARGET"] = "prod"
	f.env["PGPORT"] = "5433"
	f.env["DBT_ENV_SECRET_PGPASSWORD"] = "s3cr3t-pw"
	f.env["STRATA_ENV_SECRET_PATH"] = "hidden_schema"
	tg, info, err := Load(f.options())
	if err != nil {
		t.Fatal(err)
	}
	want := adapter.Target{
		Profile: "finhouse", Name: "prod", Type: "postgres", Database: "warehouse", Schema: "analytics", Threads: 6,
		Fields: map[string]any{
			"type": "postgres", "host": "localhost", "port": 5433, "user": "postgres", "password": "s3cr3t-pw",
			"dbname": "warehouse", "schema": "analytics", "threads": 6, "sslmode": "disable",
			"search_path": "hidden_schema", SecretFieldsKey: []string{"search_path"},
		},
	}
	if !reflect.DeepEqual(tg, want) {
		t.Errorf("target =\n%#v\nwant\n%#v", tg, want)
	}
	if info.Target != "prod" || info.Path != filepath.Join(f.project, "profiles.yaml") || info.Source != "project" {
		t.Errorf("info = %+v", info)
	}

	red := Redacted(tg)
	if red["password"] != Mask || red["search_path"] != Mask || red["host"] != "localhost" || red["target"] != "prod" {
		t.Errorf("redacted = %v", red)
	}
	if _, leaked := red[SecretFieldsKey]; leaked {
		t.Error("redacted output carries the internal secret list")
	}
	if s := fmt.Sprint(red); strings.Contains(s, "s3cr3t-pw") || strings.Contains(s, "hidden_schema") {
		t.Errorf("secret in redacted output: %s", s)
	}
	pub := PublicFields(tg)
	if _, ok := pub["password"]; ok {
		t.Error("PublicFields keeps password")
	}
	if _, ok := pub["search_path"]; ok {
		t.Error("PublicFields keeps a value read from a secret env var")
	}
	if pub["host"] != "localhost" {
		t.Errorf("PublicFields = %v", pub)
	}
	if got := Scrub(tg, "connect failed for postgres:s3cr3t-pw@localhost"); got != "connect failed for postgres:****@localhost" {
		t.Errorf("Scrub = %q", got)
	}
	if tg.Fields["password"] != "s3cr3t-pw" {
		t.Error("Redacted modified the target")
	}
}

func TestTargetFlagOverridesProfileTarget(t *testing.T) {
	f := newFixture(t, map[string]string{"proj/profiles.yaml": pgProfiles})
	f.env["FH_TARGET"] = "prod"
	o := f.options()
	o.TargetName = "dev"
	tg, _, err := Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Name != "dev" || tg.Type != "duckdb" {
		t.Errorf("target = %+v", tg)
	}
}

func TestSnowflake(t *testing.T) {
	f := newFixture(t, map[string]string{"proj/profiles.yaml": `finhouse:
  target: sf
  outputs:
    sf:
      type: snowflake
      account: xy12345.eu-west-1
      user: LOADER
      private_key_path: /keys/rsa.p8
      private_key_passphrase: "{{ env_var('KEY_PASS') }}"
      role: TRANSFORMER
      warehouse: WH
      database: ANALYTICS
      schema: DBT
      client_session_keep_alive: "true"
      query_tag: strata
`})
	f.env["KEY_PASS"] = "open-sesame"
	tg, _, err := Load(f.options())
	if err != nil {
		t.Fatal(err)
	}
	if tg.Type != "snowflake" || tg.Database != "ANALYTICS" || tg.Schema != "DBT" || tg.Threads != 4 ||
		tg.Fields["client_session_keep_alive"] != true || tg.Fields["private_key_passphrase"] != "open-sesame" {
		t.Errorf("target = %+v", tg)
	}
	if Redacted(tg)["private_key_passphrase"] != Mask {
		t.Error("passphrase not masked")
	}
}

func TestBadProfiles(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		env     map[string]string
		flagDir string
		target  string
		want    string
	}{
		{name: "missing profile", files: map[string]string{"proj/profiles.yaml": "finhous:\n  outputs: {dev: {type: duckdb}}\nother:\n  outputs: {dev: {type: duckdb}}\n"},
			want: `profiles.yaml: missing profile: profiles.yaml has no profile "finhouse"; it has "finhous", "other"; did you mean "finhous"?; add a finhouse: entry with target: and outputs:, or set profile: in the project file to one of them`},
		{name: "missing target from profile", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: prd\n  outputs:\n    dev: {type: duckdb}\n    prod: {type: duckdb}\n"},
			want: `profiles.yaml:2: missing target: profiles.yaml has no target "prd"; it has "dev", "prod"; did you mean "prod"?; add it under outputs:, or set target: to one of them`},
		{name: "missing target from flag", target: "qa", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n"},
			want: `profiles.yaml:3: missing target: profiles.yaml has no target "qa"; it has "dev"; add it under outputs:, or pick one of them with -t/--target`},
		{name: "no target key and no default output", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  outputs:\n    dev: {type: duckdb}\n"},
			want: `profiles.yaml:2: missing target: profiles.yaml has no target "default"; it has "dev"; add it under outputs:, or set target: to one of them`},
		{name: "unknown key", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      pasword: x\n"},
			want: `profiles.yaml:10:7: unknown key: target dev of profile finhouse (postgres) has no key "pasword"; did you mean "password"?`},
		{name: "unknown key without suggestion", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      motherduck_token: x\n"},
			want: `profiles.yaml:6:7: unknown key: target dev of profile finhouse (duckdb) has no key "motherduck_token"; the keys it takes are type, path, database, schema, threads, extensions, settings`},
		{name: "unknown type", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgress\n"},
			want: `profiles.yaml:5:13: unknown adapter type: target dev of profile finhouse has type "postgress"; strata supports duckdb, postgres, snowflake; did you mean "postgres"?`},
		{name: "missing required keys", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      schema: s\n"},
			want: "profiles.yaml:5:7: missing key: target dev of profile finhouse needs key user (a postgres connection cannot be made without it)\n" +
				"profiles.yaml:5:7: missing key: target dev of profile finhouse needs one of dbname, database (a postgres connection cannot be made without it)"},
		{name: "snowflake without auth", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: sf\n  outputs:\n    sf: {type: snowflake, account: a, user: u, database: d, schema: s}\n"},
			want: `profiles.yaml:4:9: missing key: target sf of profile finhouse needs one of password, private_key_path, private_key, authenticator (a snowflake connection cannot be made without it)`},
		{name: "missing type", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      path: x.duckdb\n"},
			want: `profiles.yaml:5:7: missing type: target dev of profile finhouse has no type:; set type: to one of duckdb, postgres, snowflake`},
		{name: "threads zero", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      threads: 0\n"},
			want: `profiles.yaml:6:16: invalid threads: threads in target dev of profile finhouse must be 1 or more, not 0`},
		{name: "port not a number", env: map[string]string{"PGPORT": "fivefourthreetwo"}, files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      port: \"{{ env_var('PGPORT') }}\"\n"},
			want: `profiles.yaml:10:13: wrong type: port must be a whole number, not "fivefourthreetwo"`},
		{name: "port out of range", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      port: 99999\n"},
			want: `profiles.yaml:10:13: invalid port: port must be between 1 and 65535, not 99999`},
		{name: "negative port from an env var", env: map[string]string{"PGPORT": "-1"}, files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      port: \"{{ env_var('PGPORT') }}\"\n"},
			want: `profiles.yaml:10:13: invalid port: port must be between 1 and 65535, not -1`},
		{name: "unknown sslmode", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      sslmode: sometimes\n"},
			want: `profiles.yaml:10:16: invalid sslmode: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, not "sometimes"`},
		{name: "duckdb database must match the file", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: wh.duckdb\n      database: analytics\n"},
			want: `profiles.yaml:7:17: conflicting keys: target dev of profile finhouse sets database "analytics" but DuckDB names the catalog after the file ("wh"); remove database: or set it to "wh"`},
		{name: "malformed yaml", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n     path: x\n"},
			want: `profiles.yaml:3: malformed YAML: did not find expected key; a line in the block that starts here is indented differently from its siblings`},
		{name: "unquoted jinja", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {{ env_var('P') }}\n"},
			want: `profiles.yaml:6:13: unquoted jinja: path starts with {{ and YAML reads that as a mapping; put the value in quotes: "{{ ... }}"`},
		{name: "env var missing", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('DW_PATH') }}\"\n"},
			want: `profiles.yaml:6:13: render error: cannot render path: env var DW_PATH is not set and has no default`},
		{name: "secret env var missing says nothing of the value", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      password: \"{{ env_var('PGPASS') }}\"\n"},
			want: `profiles.yaml:10:17: render error: cannot render password: check the env_var() names it reads`},
		{name: "empty profiles-dir", flagDir: "nowhere", files: map[string]string{"proj/profiles.yaml": duck("x")},
			want: `no profiles file: --profiles-dir points at ROOT/nowhere, which has no profiles.yaml or profiles.yml; create one there or drop --profiles-dir`},
		{name: "duplicate output", files: map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n    dev: {type: postgres}\n"},
			want: `profiles.yaml:5:5: duplicate key: "dev" appears twice in outputs of profile finhouse (first at line 4); remove one`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.files)
			for k, v := range c.env {
				f.env[k] = v
			}
			o := f.options()
			o.TargetName = c.target
			root := filepath.Dir(f.project)
			if c.flagDir != "" {
				o.ProfilesDir = filepath.Join(root, c.flagDir)
			}
			_, _, err := Load(o)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, diag.ErrInvalidProject) {
				t.Errorf("error %v is not an invalid-project error", err)
			}
			if got := strings.ReplaceAll(err.Error(), root, "ROOT"); got != c.want {
				t.Errorf("error =\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	// A password of the wrong shape and a bad port: neither message may echo
	// the password, whether written literally or read from a secret variable.
	f := newFixture(t, map[string]string{"proj/profiles.yaml": "finhouse:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      dbname: d\n      schema: s\n      password: [hunter2]\n      pass: \"{{ env_var('DBT_ENV_SECRET_X') }}\"\n      port: nope\n"})
	f.env["DBT_ENV_SECRET_X"] = "topsecret"
	_, _, err := Load(f.options())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, s := range []string{"hunter2", "topsecret"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "password must be text") || !strings.Contains(err.Error(), `port must be a whole number, not "nope"`) {
		t.Errorf("error = %v", err)
	}
}
