package duckdb

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
)

// Profile is what a `type: duckdb` profile output takes.
func Profile() adapter.ProfileSpec {
	return adapter.ProfileSpec{
		Fields: []adapter.ProfileField{
			{Key: "path"}, {Key: "database"}, {Key: "schema"},
			{Key: "threads", Type: adapter.IntField, Min: 1, Max: 1024},
			{Key: "extensions", Type: adapter.AnyField}, {Key: "settings", Type: adapter.AnyField},
		},
		Complete: completeProfile,
	}
}

// uriRE matches "md:db" and similar scheme-prefixed DuckDB paths (not "C:\").
var uriRE = regexp.MustCompile(`^[a-z][a-z0-9]+:[^\\/]`)

// completeProfile resolves the database file (relative to the project,
// defaulting to target/<project>.duckdb); the catalog is the file's name
// without extension, and the schema defaults to main.
func completeProfile(t *adapter.Target, env adapter.ProfileEnv) []adapter.ProfileProblem {
	var problems []adapter.ProfileProblem
	p, _ := t.Fields["path"].(string)
	switch {
	case p == "":
		name := env.ProjectName
		if name == "" {
			name = env.ProfileName
		}
		// <project>.duckdb at the project root, never under target/, which
		// clean deletes: a database holds data no command can rebuild.
		p = filepath.Join(env.ProjectDir, name+".duckdb")
	case p == ":memory:" || uriRE.MatchString(p):
	case strings.HasPrefix(p, "~/") && env.HomeDir != "":
		p = filepath.Join(env.HomeDir, p[2:])
	case !filepath.IsAbs(p):
		p = filepath.Join(env.ProjectDir, filepath.FromSlash(p))
	}
	t.Fields["path"] = p
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
	if db, _ := t.Fields["database"].(string); db != "" && db != catalog {
		problems = append(problems, adapter.ProfileProblem{Key: "database", Summary: "conflicting keys",
			Detail: fmt.Sprintf("target %s of profile %s sets database %q but DuckDB names the catalog after the file (%q); remove database: or set it to %q",
				t.Name, t.Profile, db, catalog, catalog)})
	}
	t.Database = catalog
	if _, err := settingStatements(t.Fields["settings"]); err != nil {
		problems = append(problems, adapter.ProfileProblem{Key: "settings", Summary: "invalid settings",
			Detail: fmt.Sprintf("target %s of profile %s: %v", t.Name, t.Profile, err)})
	}
	if t.Schema == "" {
		t.Schema = "main"
		t.Fields["schema"] = "main"
	}
	return problems
}

// settingRE is a DuckDB setting's name.
var settingRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// settingStatements turns a profile's settings (a mapping of DuckDB setting
// names to scalar values, as dbt-duckdb takes them) into the SET statements
// every connection runs when it opens, in name order.
func settingStatements(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("settings must map DuckDB setting names to values (settings: {TimeZone: UTC}), not a %T", v)
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	stmts := make([]string, 0, len(names))
	for _, name := range names {
		if !settingRE.MatchString(name) {
			return nil, fmt.Errorf("%q is not a DuckDB setting name (letters, digits and underscores)", name)
		}
		var val string
		switch x := m[name].(type) {
		case string:
			val = x
		case bool, int, int64, uint64, float64:
			val = fmt.Sprint(x)
		default:
			return nil, fmt.Errorf("setting %s: the value must be a string, number or boolean, not a %T", name, x)
		}
		stmts = append(stmts, "set "+name+" = '"+strings.ReplaceAll(val, "'", "''")+"'")
	}
	return stmts, nil
}
