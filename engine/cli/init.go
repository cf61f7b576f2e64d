package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/strata-dev/strata/engine/diag"
)

const initHelp = `Creates the folder NAME (the project's name) with a project that builds at
once and its profiles.yaml. On a terminal strata asks which warehouse to use and
its connection fields (Enter keeps the default shown in brackets); otherwise it
takes them from flags, DuckDB when --type is not given:
  strata init demo
  strata init demo --type postgres --host db.internal --user me --dbname analytics
  strata init demo --type snowflake --account xy12345 --user me --database ANALYTICS --warehouse WH
A password left out becomes {{ env_var('PGPASSWORD') }} (SNOWFLAKE_PASSWORD), so
the profile can be committed. The DuckDB file lives at the project root, never
under target/, which clean deletes.

`

// initField is one question init asks about a warehouse.
type initField struct {
	key, help string
	// def is the default; "{name}" stands for the project's name.
	def      string
	number   bool
	secret   bool
	required bool
}

// initFields are the fields init asks for, per warehouse type.
var initFields = map[string][]initField{
	"duckdb": {
		{key: "path", help: "the database file, relative to the project", def: "{name}.duckdb"},
		{key: "schema", help: "schema models build into", def: "main"},
		{key: "threads", help: "models built at once", def: "4", number: true},
	},
	"postgres": {
		{key: "host", help: "hostname of the server", def: "localhost"},
		{key: "port", help: "port", def: "5432", number: true},
		{key: "user", help: "user name", def: "postgres"},
		{key: "password", help: "password (empty: read PGPASSWORD)", secret: true},
		{key: "dbname", help: "database", def: "postgres"},
		{key: "schema", help: "schema models build into", def: "{name}"},
		{key: "threads", help: "models built at once", def: "4", number: true},
	},
	"snowflake": {
		{key: "account", help: "account identifier (e.g. xy12345.eu-west-1)", required: true},
		{key: "user", help: "user name", required: true},
		{key: "password", help: "password (empty: read SNOWFLAKE_PASSWORD)", secret: true},
		{key: "role", help: "role (empty: the user's default)"},
		{key: "warehouse", help: "warehouse (empty: the user's default)"},
		{key: "database", help: "database", required: true},
		{key: "schema", help: "schema models build into", def: "{name}"},
		{key: "threads", help: "models built at once", def: "4", number: true},
	},
}

var passwordEnv = map[string]string{"postgres": "PGPASSWORD", "snowflake": "SNOWFLAKE_PASSWORD"}

func initFlags() []flagDef {
	out := []flagDef{
		{names: []string{"type"}, kind: stringFlag, help: "warehouse: duckdb (default), postgres or snowflake"},
		{names: []string{"skip-profile-setup"}, kind: boolFlag, help: "write no profiles.yaml"},
	}
	seen := map[string]bool{}
	var keys []string
	for _, fs := range initFields {
		for _, f := range fs {
			if !seen[f.key] {
				seen[f.key] = true
				keys = append(keys, f.key)
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, flagDef{names: []string{k}, kind: stringFlag, help: "profile field " + k})
	}
	return out
}

// runInit scaffolds a new project: strata init [DIR/]NAME creates the folder
// NAME and its files, asking for the profile on a terminal.
func runInit(ctx context.Context, c *invocation) error {
	interactive := c.env.Interactive || isTerminalReader(c.env.Stdin)
	q := &asker{in: bufio.NewReader(c.env.Stdin), out: c.env.Stderr, stdin: c.env.Stdin}
	if len(c.extra) > 1 {
		return diag.Invalid("init takes one name", "usage: strata init <project_name> [--type duckdb|postgres|snowflake]")
	}
	root := ""
	if len(c.extra) == 1 {
		root = c.extra[0]
	} else if interactive {
		v, err := q.ask("Enter a name for your project (letters, digits and underscores)", "", false)
		if err != nil {
			return err
		}
		root = v
	} else {
		return diag.Invalid("init needs a name", "usage: strata init <project_name>")
	}
	if !filepath.IsAbs(root) {
		root = filepath.Join(c.workDir(), root)
	}
	name := filepath.Base(root)
	if !validName(name) {
		return diag.Invalid("bad project name", "%q: a project name is lower-case letters, digits and underscores, starting with a letter", name)
	}
	if _, err := os.Stat(root); err == nil {
		return diag.Invalid("folder exists", "%s already exists; choose another name or remove it", root)
	}
	profile := ""
	literalSecret := false
	if !c.f.on("skip-profile-setup") {
		typ, values, err := c.profileAnswers(q, interactive, name)
		if err != nil {
			return err
		}
		profile, literalSecret = profileYAML(name, typ, values)
	}
	files := map[string]string{
		"project.yaml": fmt.Sprintf(`name: %s
profile: %s
model-paths: [models]
seed-paths: [seeds]
test-paths: [tests]
macro-paths: [macros]
snapshot-paths: [snapshots]
target-path: target
clean-targets: [target]

models:
  %s:
    staging:
      +materialized: view
    marts:
      +materialized: table
`, name, name, name),
		"models/staging/stg_example.sql": "select 1 as id, 'hello' as greeting\n",
		"models/marts/example_mart.sql":  "select id, upper(greeting) as greeting\nfrom {{ ref('stg_example') }}\n",
		"models/schema.yml": `version: 2
models:
  - name: example_mart
    description: An example mart built on stg_example.
    columns:
      - name: id
        data_tests: [unique, not_null]
`,
		"seeds/.gitkeep":     "",
		"macros/.gitkeep":    "",
		"tests/.gitkeep":     "",
		"snapshots/.gitkeep": "",
		".gitignore":         "target/\nlogs/\ndbt_packages/\n*.duckdb\n*.duckdb.wal\n",
	}
	if profile != "" {
		files["profiles.yaml"] = profile
		if literalSecret {
			files[".gitignore"] += "profiles.yaml\n"
		}
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		path := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f == "profiles.yaml" && literalSecret {
			mode = 0o600 // it holds a password
		}
		if err := os.WriteFile(path, []byte(files[f]), mode); err != nil {
			return err
		}
	}
	shown := c.extra
	if len(shown) == 0 {
		shown = []string{name}
	}
	c.out.Output(fmt.Sprintf("Created project %s. Next:\n  cd %s && strata debug && strata build\n", name, shown[0]))
	return nil
}

// profileAnswers are the warehouse type and its fields: asked on a
// terminal, else from flags and defaults.
func (c *invocation) profileAnswers(q *asker, interactive bool, name string) (string, map[string]string, error) {
	var types []string
	for _, d := range c.env.Drivers {
		if _, ok := initFields[d.Type]; ok {
			types = append(types, d.Type)
		}
	}
	if len(types) == 0 {
		types = []string{"duckdb"}
	}
	typ := c.f.str("type")
	if typ == "" && interactive {
		var b strings.Builder
		b.WriteString("Which warehouse would you like to use?\n")
		for i, t := range types {
			fmt.Fprintf(&b, "[%d] %s\n", i+1, t)
		}
		b.WriteString("Enter a number")
		for {
			v, err := q.ask(b.String(), "1", false)
			if err != nil {
				return "", nil, err
			}
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(types) {
				typ = types[n-1]
				break
			}
			if _, ok := initFields[v]; ok {
				typ = v
				break
			}
			fmt.Fprintf(q.out, "Enter a number from 1 to %d.\n", len(types))
		}
	}
	if typ == "" {
		typ = "duckdb"
	}
	fields, ok := initFields[typ]
	if !ok {
		return "", nil, diag.Invalid("bad flag value", "--type %q: init knows %s", typ, strings.Join(types, ", "))
	}
	values := map[string]string{}
	for _, f := range fields {
		def := strings.ReplaceAll(f.def, "{name}", name)
		v := c.f.str(f.key)
		if !c.f.set[f.key] && interactive {
			prompt := f.key + " (" + f.help + ")"
			for {
				var err error
				if v, err = q.ask(prompt, def, f.secret); err != nil {
					return "", nil, err
				}
				if f.number {
					if _, err := strconv.Atoi(v); err != nil {
						fmt.Fprintf(q.out, "%s must be a whole number.\n", f.key)
						continue
					}
				}
				if f.required && v == "" {
					fmt.Fprintf(q.out, "%s is required.\n", f.key)
					continue
				}
				break
			}
		} else if v == "" {
			v = def
		}
		if f.number && v != "" {
			if _, err := strconv.Atoi(v); err != nil {
				return "", nil, diag.Invalid("bad flag value", "--%s must be a whole number, got %q", f.key, v)
			}
		}
		if f.required && v == "" {
			return "", nil, diag.Invalid("missing flag", "a %s profile needs --%s", typ, f.key)
		}
		values[f.key] = v
	}
	// Flags for another warehouse's fields are a mistake worth saying.
	for k := range c.f.set {
		if k == "type" || k == "skip-profile-setup" || !isInitField(k) {
			continue
		}
		if _, ok := values[k]; !ok {
			return "", nil, diag.Invalid("bad flag", "--%s is not a field of a %s profile (its fields: %s)", k, typ, fieldKeys(fields))
		}
	}
	values["type"] = typ
	return typ, values, nil
}

func isInitField(k string) bool {
	for _, fs := range initFields {
		for _, f := range fs {
			if f.key == k {
				return true
			}
		}
	}
	return false
}

func fieldKeys(fs []initField) string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

// profileYAML writes the profile; literal is true when it holds a password.
func profileYAML(name, typ string, values map[string]string) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n  target: dev\n  outputs:\n    dev:\n      type: %s\n", name, typ)
	literal := false
	for _, f := range initFields[typ] {
		v := values[f.key]
		switch {
		case f.secret && v == "" && typ == "postgres":
			v = fmt.Sprintf("\"{{ env_var('%s', '') }}\"", passwordEnv[typ])
		case f.secret && v == "":
			v = fmt.Sprintf("\"{{ env_var('%s') }}\"", passwordEnv[typ])
		case f.secret:
			literal = true
			v = yamlString(v)
		case v == "":
			continue
		case f.number:
		default:
			v = yamlString(v)
		}
		fmt.Fprintf(&b, "      %s: %s\n", f.key, v)
	}
	return b.String(), literal
}

// yamlString quotes s when YAML would read it as something else.
func yamlString(s string) string {
	plain := s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") && strings.TrimSpace(s) == s
	if plain {
		switch strings.ToLower(s) {
		case "true", "false", "yes", "no", "on", "off", "null", "~":
			plain = false
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			plain = false
		}
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// asker asks questions on the terminal.
type asker struct {
	in    *bufio.Reader
	out   io.Writer
	stdin io.Reader
}

// ask prints "prompt [def]: " and reads one line; Enter keeps def. Secrets
// are read without echo on a real terminal.
func (q *asker) ask(prompt, def string, secret bool) (string, error) {
	if def != "" {
		fmt.Fprintf(q.out, "%s [%s]: ", prompt, def)
	} else {
		fmt.Fprintf(q.out, "%s: ", prompt)
	}
	if f, ok := q.stdin.(*os.File); ok && secret && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(q.out)
		if err != nil {
			return "", fmt.Errorf("read the answer: %w", err)
		}
		if v := strings.TrimSpace(string(b)); v != "" {
			return v, nil
		}
		return def, nil
	}
	line, err := q.in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", diag.Invalid("no answer", "init stopped at %q: the input ended; pass the answers as flags instead (strata init --help)", prompt)
	}
	if v := strings.TrimSpace(line); v != "" {
		return v, nil
	}
	return def, nil
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func validName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
