// Package profile finds and reads the connection profile a project runs
// against: profiles.yaml (or dbt's profiles.yml) looked up in --profiles-dir,
// the project folder, ~/.strata and ~/.dbt, with Jinja such as env_var()
// rendered by a renderer the caller injects. Without any profiles file it falls
// back to an embedded DuckDB file under the project's target folder.
//
// What an output of each warehouse type may hold is the adapter's knowledge:
// its ProfileSpec, handed in through Options.Specs, lists the keys, their
// types, ranges and allowed values, which are required, and completes the
// target (a DuckDB path resolved against the project, a PostgreSQL database
// from dbname or database). Every problem is reported at the file and line
// of the key it concerns.
//
// It also decides what is secret (passwords, keys, values read from
// STRATA_ENV_SECRET_* / DBT_ENV_SECRET_* variables): Redacted and PublicFields
// keep those out of logs, artifacts and templates, and no error produced here
// contains a secret value.
//
// The package holds no state; every function is safe for concurrent use.
package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// Options says where to look and what to pick.
type Options struct {
	// ProfilesDir is --profiles-dir; when empty, STRATA_PROFILES_DIR and then
	// DBT_PROFILES_DIR are used, and when those are unset too the file is looked
	// up in ProjectDir, HomeDir/.strata and HomeDir/.dbt.
	ProfilesDir string
	// ProjectDir is the project folder (relative DuckDB paths are relative to it).
	ProjectDir string
	// ProjectName names the fallback DuckDB file, and the profile when
	// ProfileName is empty.
	ProjectName string
	// TargetPath is the project's target-path for the fallback DuckDB file
	// (default "target").
	TargetPath string
	// HomeDir is the user's home; os.UserHomeDir when empty.
	HomeDir string
	// ProfileName is the project's `profile:`.
	ProfileName string
	// TargetName is -t/--target; when empty the profile's `target:` is used.
	TargetName string
	// Env looks up environment variables; os.LookupEnv when nil.
	Env func(string) (string, bool)
	// Render renders a value holding Jinja ("{{ env_var('PGHOST', 'localhost') }}").
	// When nil, values are kept as written.
	Render func(value string) (string, error)
	// Specs are the profile specs of the warehouses strata has drivers for,
	// by type: each adapter says which keys an output of its type takes and
	// checks them (engine/adapter.ProfileSpec).
	Specs map[string]adapter.ProfileSpec
}

// Info says where the target came from.
type Info struct {
	// Path is the profiles file read; empty when Fallback is true.
	Path string
	// Fallback is true when no profiles file exists and the embedded DuckDB
	// default is used.
	Fallback bool
	// Source says how Path was found: "--profiles-dir", "STRATA_PROFILES_DIR",
	// "DBT_PROFILES_DIR", "project", "~/.strata" or "~/.dbt".
	Source string
	// Profile and Target are the names resolved.
	Profile, Target string
}

// Profile file names, in lookup order within one folder.
var fileNames = []string{"profiles.yaml", "profiles.yml"}

// Load finds the profiles file, picks the profile and target, renders their
// Jinja and checks the keys. Problems come back as a *diag.ErrorList (so
// errors.Is(err, diag.ErrInvalidProject) holds), each naming the file and line.
func Load(o Options) (adapter.Target, Info, error) {
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	if o.HomeDir == "" {
		o.HomeDir, _ = os.UserHomeDir()
	}
	if o.ProjectDir == "" {
		o.ProjectDir = "."
	}
	if abs, err := filepath.Abs(o.ProjectDir); err == nil {
		o.ProjectDir = abs
	}
	if o.TargetPath == "" {
		o.TargetPath = "target"
	}
	if o.ProfileName == "" {
		o.ProfileName = o.ProjectName
	}

	path, source, err := findFile(o)
	if err != nil {
		return adapter.Target{}, Info{}, err
	}
	if path == "" {
		return fallback(o)
	}
	info := Info{Path: path, Source: source, Profile: o.ProfileName}
	data, err := os.ReadFile(path)
	if err != nil {
		return adapter.Target{}, info, diag.Invalid("unreadable profiles file", "read %s: %v", path, err)
	}
	r := &reader{file: displayPath(path, o.ProjectDir), opts: o}
	t := r.read(data)
	info.Target = t.Name
	if err := r.diags.Err(); err != nil {
		return adapter.Target{}, info, err
	}
	return t, info, nil
}

// findFile returns the profiles file to read, or "" when there is none.
func findFile(o Options) (path, source string, err error) {
	dir, source := o.ProfilesDir, "--profiles-dir"
	for _, env := range []string{"STRATA_PROFILES_DIR", "DBT_PROFILES_DIR"} {
		if dir != "" {
			break
		}
		if v, ok := o.Env(env); ok && v != "" {
			dir, source = v, env
		}
	}
	if dir != "" {
		if p := firstFile(dir, fileNames); p != "" {
			return p, source, nil
		}
		return "", "", diag.Invalid("no profiles file",
			"%s points at %s, which has no profiles.yaml or profiles.yml; create one there or drop %s", source, dir, source)
	}
	if p := firstFile(o.ProjectDir, fileNames); p != "" {
		return p, "project", nil
	}
	if o.HomeDir != "" {
		if p := firstFile(filepath.Join(o.HomeDir, ".strata"), fileNames); p != "" {
			return p, "~/.strata", nil
		}
		if p := firstFile(filepath.Join(o.HomeDir, ".dbt"), []string{"profiles.yml", "profiles.yaml"}); p != "" {
			return p, "~/.dbt", nil
		}
	}
	return "", "", nil
}

func firstFile(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
			return p
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p // exists but unreadable: let the read report it
		}
	}
	return ""
}

// displayPath is path relative to the project when inside it, else absolute.
func displayPath(path, projectDir string) string {
	if rel, err := filepath.Rel(projectDir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// fallback is the embedded DuckDB used when there is no profiles file at all.
func fallback(o Options) (adapter.Target, Info, error) {
	if o.ProjectName == "" {
		return adapter.Target{}, Info{}, diag.Invalid("no profile", "no profiles file was found and the project has no name to name a DuckDB file after")
	}
	target := o.TargetName
	if target == "" {
		target = "dev"
	}
	// At the project root, not under target/: `clean` deletes target/, and a
	// database holds data (snapshot history) no command can rebuild.
	path := filepath.Join(o.ProjectDir, o.ProjectName+".duckdb")
	t := adapter.Target{
		Profile: o.ProfileName, Name: target, Type: "duckdb",
		Database: o.ProjectName, Schema: "main", Threads: defaultThreads,
		Fields: map[string]any{"type": "duckdb", "path": path, "schema": "main", "threads": defaultThreads},
	}
	return t, Info{Fallback: true, Profile: t.Profile, Target: target}, nil
}

const defaultThreads = 4

// reader reads one profiles file, collecting problems.
type reader struct {
	file   string
	opts   Options
	target string // the output being read
	diags  diag.Diagnostics
}

func (r *reader) errorf(n *yaml.Node, summary, format string, args ...any) {
	d := diag.Diagnostic{Severity: diag.Error, File: r.file, Summary: summary, Detail: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line, d.Col = n.Line, n.Column
	}
	r.diags = append(r.diags, d)
}

func (r *reader) read(data []byte) adapter.Target {
	o := r.opts
	t := adapter.Target{Profile: o.ProfileName}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		r.diags = append(r.diags, yamlError(r.file, err))
		return t
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	profiles := r.pairs(root, r.file)
	var profNode *yaml.Node
	var names []string
	for _, p := range profiles {
		if p.k.Value == "config" {
			continue // dbt's legacy user settings block
		}
		names = append(names, p.k.Value)
		if p.k.Value == o.ProfileName {
			profNode = p.v
		}
	}
	if profNode == nil {
		r.missing(nil, "profile", o.ProfileName, names,
			"add a "+o.ProfileName+": entry with target: and outputs:, or set profile: in the project file to one of them")
		return t
	}

	var outputs []kv
	var outputsNode, outputsKey, targetNode *yaml.Node
	for _, p := range r.pairs(profNode, "profile "+o.ProfileName) {
		switch p.k.Value {
		case "target":
			targetNode = p.v
		case "outputs":
			outputsNode, outputsKey = p.v, p.k
			outputs = r.pairs(p.v, "outputs of profile "+o.ProfileName)
		default:
			r.unknownKey(p.k, "profile "+o.ProfileName, []string{"target", "outputs"})
		}
	}
	if outputsNode == nil {
		r.errorf(deref(profNode), "missing outputs", "profile %s has no outputs:; add outputs: {dev: {type: duckdb, ...}}", o.ProfileName)
		return t
	}
	t.Name = o.TargetName
	if t.Name == "" && targetNode != nil {
		s, _ := r.render(targetNode, "target", false)
		t.Name, _ = s.(string)
	}
	if t.Name == "" {
		t.Name = "default" // dbt's name when target: is not set
	}
	var outNode *yaml.Node
	var outNames []string
	for _, p := range outputs {
		outNames = append(outNames, p.k.Value)
		if p.k.Value == t.Name {
			outNode = p.v
		}
	}
	if outNode == nil {
		fix := "add it under outputs:, or pick one of them with -t/--target"
		if o.TargetName == "" {
			fix = "add it under outputs:, or set target: to one of them"
		}
		at := outputsKey
		if o.TargetName == "" && targetNode != nil {
			at = targetNode
		}
		r.missing(at, "target", t.Name, outNames, fix)
		return t
	}
	r.target = t.Name
	r.output(&t, outNode)
	return t
}

// missing reports a profile or target that is not there, naming those that are.
func (r *reader) missing(at *yaml.Node, what, name string, have []string, fix string) {
	sort.Strings(have)
	detail := fmt.Sprintf("%s has no %s %q", r.file, what, name)
	switch len(have) {
	case 0:
		detail += fmt.Sprintf(" (it has no %ss at all)", what)
	default:
		detail += fmt.Sprintf("; it has %s", strings.Join(quoteAll(have), ", "))
	}
	sugg := diag.Suggest(name, have)
	if sugg != "" {
		detail += fmt.Sprintf("; did you mean %q?", sugg)
	}
	detail += "; " + fix
	d := diag.Diagnostic{Severity: diag.Error, File: r.file, Summary: "missing " + what, Detail: detail, Suggestion: sugg}
	if at = deref(at); at != nil {
		d.Line = at.Line
	}
	r.diags = append(r.diags, d)
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

func (r *reader) unknownKey(k *yaml.Node, where string, known []string) {
	sugg := diag.Suggest(k.Value, known)
	detail := fmt.Sprintf("%s has no key %q", where, k.Value)
	if sugg != "" {
		detail += fmt.Sprintf("; did you mean %q?", sugg)
	} else {
		detail += fmt.Sprintf("; the keys it takes are %s", strings.Join(known, ", "))
	}
	r.diags = append(r.diags, diag.Diagnostic{Severity: diag.Error, File: r.file, Line: k.Line, Col: k.Column,
		Summary: "unknown key", Detail: detail, Suggestion: sugg})
}
