package deps

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/diag"
)

// File names dbt uses for a project's package list and its lock.
const (
	PackagesFile     = "packages.yml"
	DependenciesFile = "dependencies.yml"
	LockFile         = "package-lock.yml"
)

// Source is where a package comes from.
type Source string

// The package sources of packages.yml.
const (
	SourceHub     Source = "hub"
	SourceGit     Source = "git"
	SourceLocal   Source = "local"
	SourceTarball Source = "tarball"
	SourcePrivate Source = "private"
)

// entryKeys are the keys each source accepts (dbt's PackageSpec dataclasses).
var entryKeys = map[Source][]string{
	SourceLocal:   {"local", "name"},
	SourceTarball: {"tarball", "name"},
	SourceGit:     {"git", "revision", "warn-unpinned", "subdirectory", "name"},
	SourcePrivate: {"private", "provider", "revision", "warn-unpinned", "subdirectory", "name"},
	SourceHub:     {"package", "version", "install_prerelease", "install-prerelease", "name"},
}

// sourceKeys decide an entry's source, in dbt's order.
var sourceKeys = []struct {
	key string
	src Source
}{{"local", SourceLocal}, {"tarball", SourceTarball}, {"git", SourceGit}, {"package", SourceHub}, {"private", SourcePrivate}}

// spec is one package entry as a requirer wrote it, with its values rendered.
type spec struct {
	source Source
	file   string // where it is written, for messages ("packages.yml"); "" for a Hub listing
	line   int
	by     string // the requirer: "packages.yml" for the root project, else a package ("dbt-labs/dbt_utils@1.3.0")

	raw      map[string]any // the entry as written, templates unrendered
	rendered map[string]any // the same keys, rendered

	local, git, tarball, pkg, private, provider, subdir, name string
	revision                                                  string
	versions                                                  []string
	prerelease                                                bool
	warnUnpinned                                              bool
}

// where names the requirer and position for messages.
func (s *spec) where() string {
	if s.file != "" && s.line > 0 {
		if s.by == s.file {
			return fmt.Sprintf("%s:%d", s.file, s.line)
		}
		return fmt.Sprintf("%s (%s:%d)", s.by, s.file, s.line)
	}
	return s.by
}

// display names the package for messages and the lock, never with a secret:
// git and tarball URLs are shown as written (templates unrendered).
func (s *spec) display() string {
	switch s.source {
	case SourceHub:
		return s.pkg
	case SourceGit:
		d := displayURL(pyStr(s.raw["git"]))
		if s.subdir != "" {
			d += " (subdirectory " + s.subdir + ")"
		}
		return d
	case SourcePrivate:
		return s.private
	case SourceLocal:
		return pyStr(s.raw["local"])
	case SourceTarball:
		return displayURL(pyStr(s.raw["tarball"]))
	}
	return "?"
}

// key identifies the package across requirers (dbt's all_names): one Hub
// name, one git URL with or without ".git", one local path, one tarball URL.
func (s *spec) key(root string) string {
	switch s.source {
	case SourceHub:
		return "hub:" + strings.ToLower(s.pkg)
	case SourceGit:
		return "git:" + strings.TrimSuffix(strings.TrimSuffix(s.git, "/"), ".git") + "#" + strings.Trim(s.subdir, "/")
	case SourcePrivate:
		return "private:" + s.private + "#" + strings.Trim(s.subdir, "/")
	case SourceLocal:
		return "local:" + localPath(root, s.local)
	case SourceTarball:
		return "tarball:" + s.tarball
	}
	return ""
}

// localPath resolves a local: path as dbt does, against the root project.
func localPath(root, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return filepath.Clean(p)
}

// hashDict is the entry as dbt's dataclass serialises it for the sha1_hash:
// every field of its source (None when unset), the rendered values, and the
// entry as written under "unrendered".
func (s *spec) hashDict() map[string]any {
	d := map[string]any{"unrendered": s.raw}
	str := func(k string) any {
		v, ok := s.rendered[k]
		if !ok || v == nil {
			return nil
		}
		return pyStr(v)
	}
	boolOr := func(k string, def any) any {
		if v, ok := s.rendered[k].(bool); ok {
			return v
		}
		return def
	}
	if n := str("name"); n != nil {
		d["name"] = n
	}
	switch s.source {
	case SourceLocal:
		d["local"] = str("local")
	case SourceTarball:
		d["tarball"], d["name"] = str("tarball"), str("name")
	case SourceGit:
		d["git"], d["revision"], d["warn-unpinned"], d["subdirectory"] = str("git"), rawVersion(s.rendered["revision"]), boolOr("warn-unpinned", nil), str("subdirectory")
	case SourcePrivate:
		d["private"], d["provider"], d["revision"], d["warn-unpinned"], d["subdirectory"] = str("private"), str("provider"), rawVersion(s.rendered["revision"]), boolOr("warn-unpinned", nil), str("subdirectory")
	case SourceHub:
		ip := boolOr("install_prerelease", nil)
		if ip == nil {
			ip = boolOr("install-prerelease", false)
		}
		d["package"], d["version"], d["install_prerelease"] = str("package"), rawVersion(s.rendered["version"]), ip
	}
	return d
}

// rawVersion coerces a value as dbt's Union[str, float, list] field does: a
// string or float stays, a list keeps its items, anything else becomes str().
func rawVersion(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string, float64:
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rawVersion(e)
		}
		return out
	}
	return pyStr(v)
}

// renderer renders the Jinja in package entries: env_var() and var().
type renderer struct {
	env  func(string) (string, bool)
	vars map[string]any
	red  *redactor
}

// render renders one value. In a sensitive field (a URL that may carry a
// credential) every environment value it reads is treated as a secret; a
// DBT_ENV_SECRET_ variable always is.
func (r *renderer) render(s string, sensitive bool) (string, error) {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return s, nil
	}
	env := func(k string) (string, bool) {
		v, ok := r.env(k)
		if ok && (sensitive || strings.HasPrefix(k, "DBT_ENV_SECRET")) {
			r.red.addSecret(v)
		}
		return v, ok
	}
	out, err := compile.RenderString(s, env, r.vars)
	if err != nil {
		return "", errors.New(r.red.clean(err.Error()))
	}
	return out, nil
}

func (r *renderer) renderValue(v any, sensitive bool) (any, error) {
	switch x := v.(type) {
	case string:
		return r.render(x, sensitive)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			rv, err := r.renderValue(e, sensitive)
			if err != nil {
				return nil, err
			}
			out[i] = rv
		}
		return out, nil
	}
	return v, nil
}

// specList is one project's package list as read from its files.
type specList struct {
	file     string // the file the list came from ("packages.yml"), "" when there is none
	specs    []*spec
	warnings []string
	root     *yaml.Node // the parsed file, for --add-package
}

// readSpecs reads dir's packages.yml or dependencies.yml by dbt's rules:
// dependencies.yml wins when it lists packages, both listing them is an
// error, and dependencies.yml's projects: (dbt Mesh) is ignored with a note.
// by names the requirer in messages; prefix is prepended to file names.
// read, when set, replaces reading the files from disk (--add-package reads
// the edited text before writing it).
func readSpecs(dir, by, prefix string, r *renderer, read func(name string) ([]byte, error)) (*specList, error) {
	if read == nil {
		read = func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	}
	type loaded struct {
		name  string
		root  *yaml.Node
		keys  map[string]*yaml.Node
		lines map[string]int
	}
	var files []*loaded
	var ds diag.Diagnostics
	for _, name := range []string{PackagesFile, DependenciesFile} {
		data, err := read(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", prefix+name, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, diag.From(diag.Diagnostic{File: prefix + name, Line: yamlErrLine(err), Summary: "invalid YAML", Detail: yamlErrDetail(err)})
		}
		l := &loaded{name: name, keys: map[string]*yaml.Node{}, lines: map[string]int{}}
		if len(doc.Content) > 0 {
			l.root = doc.Content[0]
		}
		if l.root != nil && l.root.Kind != yaml.MappingNode && !(l.root.Kind == yaml.ScalarNode && l.root.Tag == "!!null") {
			return nil, diag.From(diag.Diagnostic{File: prefix + name, Line: l.root.Line, Summary: "invalid package list", Detail: name + " must be a mapping with a packages: list"})
		}
		if l.root != nil && l.root.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(l.root.Content); i += 2 {
				k := l.root.Content[i]
				l.keys[k.Value] = l.root.Content[i+1]
				l.lines[k.Value] = k.Line
				allowed := []string{"packages"}
				if name == DependenciesFile {
					allowed = append(allowed, "projects")
				}
				if !contains(allowed, k.Value) {
					d := diag.Diagnostic{File: prefix + name, Line: k.Line, Summary: "unknown key", Detail: fmt.Sprintf("%s may hold only %s, not %q", name, strings.Join(allowed, " and "), k.Value), Suggestion: diag.Suggest(k.Value, allowed)}
					if k.Value == "projects" {
						d.Detail = "projects: (dbt Mesh cross-project references) belongs in dependencies.yml, not packages.yml"
						d.Suggestion = ""
					}
					ds.Add(d)
				}
			}
		}
		files = append(files, l)
	}
	if err := ds.Err(); err != nil {
		return nil, err
	}
	out := &specList{}
	var chosen *loaded
	switch {
	case len(files) == 2 && files[0].keys["packages"] != nil && files[1].keys["packages"] != nil:
		return nil, diag.From(diag.Diagnostic{File: prefix + DependenciesFile, Line: files[1].lines["packages"], Summary: "packages listed twice",
			Detail: "both packages.yml and dependencies.yml have packages:; dbt reads only one: move every package into one of them"})
	default:
		for _, f := range files {
			if f.name == DependenciesFile && f.keys["packages"] != nil || f.name == PackagesFile && chosen == nil {
				chosen = f
			}
		}
	}
	for _, f := range files {
		if _, ok := f.keys["projects"]; ok && f.name == DependenciesFile {
			out.warnings = append(out.warnings, fmt.Sprintf("%s:%d: projects: (dbt Mesh cross-project references) is ignored; strata installs only packages:", prefix+f.name, f.lines["projects"]))
		}
	}
	if chosen == nil {
		return out, nil
	}
	out.file, out.root = chosen.name, chosen.root
	list := chosen.keys["packages"]
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		return out, nil
	}
	file := prefix + chosen.name
	if list.Kind != yaml.SequenceNode {
		return nil, diag.From(diag.Diagnostic{File: file, Line: list.Line, Summary: "invalid package list", Detail: "packages: must be a list of entries such as {package: dbt-labs/dbt_utils, version: 1.3.0}"})
	}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			ds.Add(diag.Diagnostic{File: file, Line: item.Line, Summary: "invalid package entry", Detail: "each package is a mapping such as {package: dbt-labs/dbt_utils, version: 1.3.0}, {git: URL, revision: TAG} or {local: PATH}"})
			continue
		}
		var raw map[string]any
		if err := item.Decode(&raw); err != nil {
			ds.Add(diag.Diagnostic{File: file, Line: item.Line, Summary: "invalid package entry", Detail: err.Error()})
			continue
		}
		lines := map[string]int{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			lines[item.Content[i].Value] = item.Content[i].Line
		}
		s, d := parseEntry(raw, file, item.Line, lines, by, r)
		if d != nil {
			ds.Add(*d)
			continue
		}
		out.specs = append(out.specs, s)
	}
	if err := ds.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseEntry turns one entry into a spec, or a diagnostic naming the key at fault.
func parseEntry(raw map[string]any, file string, line int, lines map[string]int, by string, r *renderer) (*spec, *diag.Diagnostic) {
	at := func(k string) int {
		if l := lines[k]; l > 0 {
			return l
		}
		return line
	}
	bad := func(k, summary, format string, args ...any) *diag.Diagnostic {
		return &diag.Diagnostic{File: file, Line: at(k), Summary: summary, Detail: fmt.Sprintf(format, args...)}
	}
	if by == "" {
		by = file
	}
	where := by
	if file == "" {
		where = "the Hub's listing of " + by
	}
	s := &spec{file: file, line: line, by: by, raw: raw, rendered: map[string]any{}}
	var found []string
	for _, sk := range sourceKeys {
		if _, ok := raw[sk.key]; ok {
			found = append(found, sk.key)
			if s.source == "" {
				s.source = sk.src
			}
		}
	}
	switch {
	case len(found) == 0:
		keys := sortedKeys(raw)
		return nil, bad("", "invalid package entry", "an entry in %s has none of package:, git:, local:, tarball: or private: (it has %s); say where the package comes from", where, strings.Join(keys, ", "))
	case len(found) > 1:
		return nil, bad(found[1], "invalid package entry", "an entry has both %s: and %s:; write one source per entry", found[0], found[1])
	}
	allowed := entryKeys[s.source]
	for _, k := range sortedKeys(raw) {
		if !contains(allowed, k) {
			d := bad(k, "unknown key", "a %s package takes %s, not %q", s.source, strings.Join(allowed, ", "), k)
			d.Suggestion = diag.Suggest(k, allowed)
			return nil, d
		}
	}
	for _, k := range sortedKeys(raw) {
		sensitive := k == "git" || k == "tarball"
		v, err := r.renderValue(raw[k], sensitive)
		if err != nil {
			return nil, bad(k, "cannot render "+k, "%v", err)
		}
		s.rendered[k] = v
	}
	str := func(k string) (string, *diag.Diagnostic) {
		v, ok := s.rendered[k]
		if !ok || v == nil {
			return "", nil
		}
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x), nil
		case map[string]any, []any:
			return "", bad(k, "wrong type", "%s: must be a string, not a %s", k, typeName(v))
		}
		return pyStr(v), nil
	}
	var d *diag.Diagnostic
	for _, f := range []struct {
		k   string
		dst *string
	}{{"local", &s.local}, {"git", &s.git}, {"tarball", &s.tarball}, {"package", &s.pkg}, {"private", &s.private}, {"provider", &s.provider}, {"subdirectory", &s.subdir}, {"name", &s.name}, {"revision", &s.revision}} {
		if *f.dst, d = str(f.k); d != nil {
			return nil, d
		}
	}
	s.subdir = strings.Trim(filepath.ToSlash(filepath.Clean(s.subdir)), "/")
	if s.subdir == "." {
		s.subdir = ""
	}
	if strings.HasPrefix(s.subdir, "..") {
		return nil, bad("subdirectory", "invalid subdirectory", "subdirectory %q must be a folder inside the repository", s.subdir)
	}
	s.warnUnpinned = true
	if v, ok := s.rendered["warn-unpinned"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return nil, bad("warn-unpinned", "wrong type", "warn-unpinned: must be true or false, not %v", v)
		}
		s.warnUnpinned = b
	}
	for _, k := range []string{"install_prerelease", "install-prerelease"} {
		if v, ok := s.rendered[k]; ok && v != nil {
			b, isBool := v.(bool)
			if !isBool {
				return nil, bad(k, "wrong type", "%s: must be true or false, not %v", k, v)
			}
			s.prerelease = s.prerelease || b
		}
	}
	switch s.source {
	case SourceLocal:
		if s.local == "" {
			return nil, bad("local", "missing value", "local: needs a path to a dbt project, relative to the project or absolute")
		}
	case SourceGit:
		if s.git == "" {
			return nil, bad("git", "missing value", "git: needs a repository URL such as https://github.com/dbt-labs/dbt-utils.git")
		}
	case SourcePrivate:
		if s.private == "" || !strings.Contains(s.private, "/") {
			return nil, bad("private", "invalid private package", "private: takes org/repo (e.g. dbt-labs/awesome_repo), got %q", s.private)
		}
	case SourceTarball:
		if s.tarball == "" {
			return nil, bad("tarball", "missing value", "tarball: needs a URL of a .tar.gz archive")
		}
		if s.name == "" {
			return nil, bad("tarball", "missing name", "a tarball package needs name: (the folder it installs as, e.g. dbt_utils)")
		}
	case SourceHub:
		if s.pkg == "" {
			return nil, bad("package", "missing value", "package: needs a Hub name such as dbt-labs/dbt_utils")
		}
		if !strings.Contains(s.pkg, "/") {
			return nil, bad("package", "invalid Hub package", "%q has no namespace: Hub packages are written org/name, e.g. dbt-labs/dbt_utils", s.pkg)
		}
		v := s.rendered["version"]
		switch x := v.(type) {
		case nil:
			return nil, bad("package", "missing version", "%s needs version: (e.g. \"1.3.0\" or [\">=1.0.0\", \"<2.0.0\"]); the Hub requires one", s.pkg)
		case []any:
			for _, e := range x {
				s.versions = append(s.versions, pyStr(e))
			}
		default:
			s.versions = []string{pyStr(v)}
		}
		if _, err := ParseRange(s.versions); err != nil {
			return nil, bad("version", "invalid version", "%s: %v", s.pkg, err)
		}
	}
	return s, nil
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(yaml: )?line \d+: `) })

// yamlErrDetail is a yaml.v3 error without the prefix and line the
// diagnostic's position already gives.
func yamlErrDetail(err error) string {
	return yamlLineRE().ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
}

// yamlErrLine pulls the line number out of a yaml.v3 error ("yaml: line 3: ...").
func yamlErrLine(err error) int {
	var n int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &n)
	}
	return n
}

// displayURL hides a credential written literally in a URL's user part
// (https://user:token@host); a template such as {{ env_var('X') }} stays,
// since it names the variable, not its value.
func displayURL(raw string) string {
	if strings.Contains(raw, "{{") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return raw
	}
	return u.Scheme + "://****@" + u.Host + u.RequestURI()
}
