package duckdb

import (
	"fmt"
	"path/filepath"
	"regexp"
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
	if t.Schema == "" {
		t.Schema = "main"
		t.Fields["schema"] = "main"
	}
	return problems
}
