package profile

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// typeSpec is what one adapter type accepts in an output.
type typeSpec struct {
	keys []string
	// required lists keys that must be set; "a|b" means either.
	required []string
}

var typeSpecs = map[string]typeSpec{
	"duckdb": {
		keys: []string{"type", "path", "database", "schema", "threads", "extensions", "settings"},
	},
	"postgres": {
		keys: []string{"type", "host", "port", "user", "password", "pass", "dbname", "database", "schema",
			"threads", "sslmode", "connect_timeout", "keepalives_idle", "search_path", "role",
			"application_name", "retries"},
		required: []string{"host", "user", "dbname|database", "schema"},
	},
	"snowflake": {
		keys: []string{"type", "account", "user", "password", "authenticator", "private_key_path", "private_key",
			"private_key_passphrase", "role", "warehouse", "database", "schema", "threads", "query_tag",
			"client_session_keep_alive", "connect_timeout", "connect_retries", "host", "port", "protocol", "retries",
			"reuse_connections"},
		required: []string{"account", "user", "database", "schema", "password|private_key_path|private_key|authenticator"},
	},
}

// intKeys and boolKeys are converted after rendering (a rendered value is text).
var (
	intKeys  = map[string]bool{"threads": true, "port": true, "connect_timeout": true, "keepalives_idle": true, "retries": true, "connect_retries": true}
	boolKeys = map[string]bool{"client_session_keep_alive": true, "reuse_connections": true}
)

// output reads the chosen output into t.
func (r *reader) output(t *adapter.Target, n *yaml.Node) {
	where := fmt.Sprintf("target %s of profile %s", t.Name, t.Profile)
	ps := r.pairs(n, where)
	var typeNode *yaml.Node
	for _, p := range ps {
		if p.k.Value == "type" {
			typeNode = p.v
		}
	}
	if typeNode == nil {
		r.errorf(deref(n), "missing type", "%s has no type:; set type: to one of %s", where, strings.Join(supportedTypes, ", "))
		return
	}
	tv, _ := r.render(typeNode, "type", false)
	t.Type, _ = tv.(string)
	spec, ok := typeSpecs[t.Type]
	if !ok {
		sugg := diag.Suggest(t.Type, supportedTypes)
		detail := fmt.Sprintf("%s has type %q; strata supports %s", where, t.Type, strings.Join(supportedTypes, ", "))
		if sugg != "" {
			detail += fmt.Sprintf("; did you mean %q?", sugg)
		}
		r.diags = append(r.diags, diag.Diagnostic{Severity: diag.Error, File: r.file, Line: typeNode.Line, Col: typeNode.Column,
			Summary: "unknown adapter type", Detail: detail, Suggestion: sugg})
		return
	}

	fields := map[string]any{}
	lines := map[string]*yaml.Node{}
	var secretKeys []string
	for _, p := range ps {
		k := p.k.Value
		if !contains(spec.keys, k) {
			r.unknownKey(p.k, where+" ("+t.Type+")", spec.keys)
			continue
		}
		lines[k] = p.v
		v, fromSecretEnv := r.render(p.v, k, IsSecretKey(k))
		if fromSecretEnv && !IsSecretKey(k) {
			secretKeys = append(secretKeys, k)
		}
		fields[k] = r.convert(k, v, p.v)
	}
	if len(secretKeys) > 0 {
		fields[SecretFieldsKey] = secretKeys
	}

	for _, req := range spec.required {
		alts := strings.Split(req, "|")
		found := false
		for _, a := range alts {
			if v, ok := fields[a]; ok && v != nil && v != "" {
				found = true
			}
		}
		if !found {
			what := "key " + alts[0]
			if len(alts) > 1 {
				what = "one of " + strings.Join(alts, ", ")
			}
			r.errorf(deref(n), "missing key", "%s needs %s (a %s connection cannot be made without it)", where, what, t.Type)
		}
	}

	t.Threads = defaultThreads
	if th, ok := fields["threads"].(int); ok {
		if th < 1 {
			r.errorf(lines["threads"], "invalid threads", "threads in %s must be 1 or more, not %d", where, th)
		} else {
			t.Threads = th
		}
	}
	t.Schema, _ = fields["schema"].(string)
	switch t.Type {
	case "duckdb":
		r.duckdb(t, fields, lines, where)
	case "postgres":
		db, _ := fields["dbname"].(string)
		alt, _ := fields["database"].(string)
		if db != "" && alt != "" && db != alt {
			r.errorf(lines["database"], "conflicting keys", "%s sets dbname %q and database %q; keep one", where, db, alt)
		}
		if db == "" {
			db = alt
		}
		t.Database = db
	case "snowflake":
		t.Database, _ = fields["database"].(string)
	}
	t.Fields = fields
}

// duckdb resolves the database file: relative to the project, defaulting to
// <project>.duckdb at the project root (never under target/, which clean
// deletes); the catalog is the file's name without extension.
func (r *reader) duckdb(t *adapter.Target, fields map[string]any, lines map[string]*yaml.Node, where string) {
	o := r.opts
	p, _ := fields["path"].(string)
	switch {
	case p == "":
		name := o.ProjectName
		if name == "" {
			name = o.ProfileName
		}
		p = filepath.Join(o.ProjectDir, name+".duckdb")
	case p == ":memory:" || uriRE.MatchString(p):
	case strings.HasPrefix(p, "~/") && o.HomeDir != "":
		p = filepath.Join(o.HomeDir, p[2:])
	case !filepath.IsAbs(p):
		p = filepath.Join(o.ProjectDir, filepath.FromSlash(p))
	}
	fields["path"] = p
	catalog := "memory"
	switch {
	case p == ":memory:":
	case uriRE.MatchString(p):
		catalog = strings.TrimSuffix(p[strings.Index(p, ":")+1:], ".duckdb")
		if i := strings.IndexAny(catalog, "?"); i >= 0 {
			catalog = catalog[:i]
		}
	default:
		base := filepath.Base(p)
		catalog = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if db, _ := fields["database"].(string); db != "" && db != catalog {
		r.errorf(lines["database"], "conflicting keys",
			"%s sets database %q but DuckDB names the catalog after the file (%q); remove database: or set it to %q", where, db, catalog, catalog)
	}
	t.Database = catalog
	if t.Schema == "" {
		t.Schema = "main"
		fields["schema"] = "main"
	}
}

// uriRE matches "md:db" and similar scheme-prefixed DuckDB paths (not "C:\").
var uriRE = regexp.MustCompile(`^[a-z][a-z0-9]+:[^\\/]`)

// secretEnvRE finds a secret environment variable named in a template.
var secretEnvRE = regexp.MustCompile(`(STRATA|DBT)_ENV_SECRET_[A-Za-z0-9_]*`)

// render renders the Jinja in a value's strings (recursively for lists and
// mappings). It reports whether a template read a secret env var. Errors for
// secret keys never include the value.
func (r *reader) render(n *yaml.Node, key string, secret bool) (any, bool) {
	n = deref(n)
	fromSecret := false
	var walk func(n *yaml.Node) any
	walk = func(n *yaml.Node) any {
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			if n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 && deref(n.Content[0]).Kind == yaml.MappingNode {
				r.errorf(n, "unquoted jinja", "%s starts with {{ and YAML reads that as a mapping; put the value in quotes: \"{{ ... }}\"", key)
				return nil
			}
			m := map[string]any{}
			for _, p := range r.pairs(n, key) {
				m[p.k.Value] = walk(p.v)
			}
			return m
		case yaml.SequenceNode:
			out := make([]any, len(n.Content))
			for i, c := range n.Content {
				out[i] = walk(c)
			}
			return out
		case yaml.ScalarNode:
			if n.ShortTag() != "!!str" || !strings.Contains(n.Value, "{{") && !strings.Contains(n.Value, "{%") {
				return scalar(n)
			}
			if secretEnvRE.MatchString(n.Value) {
				fromSecret = true
			}
			if r.opts.Render == nil {
				return n.Value
			}
			out, err := r.opts.Render(n.Value)
			if err != nil {
				if secret || fromSecret {
					r.errorf(n, "render error", "cannot render %s: check the env_var() names it reads", key)
				} else {
					r.errorf(n, "render error", "cannot render %s: %v", key, err)
				}
				return nil
			}
			return out
		}
		return nil
	}
	return walk(n), fromSecret
}

// convert types a rendered value: numbers for ports and counts, booleans for
// switches, text for everything else scalar (a numeric password stays text).
func (r *reader) convert(k string, v any, n *yaml.Node) any {
	switch {
	case intKeys[k]:
		switch x := v.(type) {
		case int:
			return x
		case string:
			if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				return i
			}
			r.errorf(n, "wrong type", "%s must be a whole number, not %q", k, x)
		case nil:
			return nil
		default:
			r.errorf(n, "wrong type", "%s must be a whole number", k)
		}
		return nil
	case boolKeys[k]:
		switch x := v.(type) {
		case bool:
			return x
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b
			}
			r.errorf(n, "wrong type", "%s must be true or false, not %q", k, x)
		case nil:
			return nil
		default:
			r.errorf(n, "wrong type", "%s must be true or false", k)
		}
		return nil
	case k == "extensions" || k == "settings":
		if s, ok := v.(string); ok && k == "extensions" {
			return []any{s}
		}
		return v
	}
	switch x := v.(type) {
	case nil, string:
		return x
	case map[string]any, []any:
		if IsSecretKey(k) {
			r.errorf(n, "wrong type", "%s must be text", k)
		} else {
			r.errorf(n, "wrong type", "%s must be text, not a %s", k, describeKind(x))
		}
		return nil
	}
	return fmt.Sprint(v)
}

func describeKind(v any) string {
	if _, ok := v.([]any); ok {
		return "list"
	}
	return "mapping"
}
