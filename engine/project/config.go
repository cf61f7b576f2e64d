package project

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// Config file names, in lookup order.
const (
	ConfigFileStrata = "project.yaml"
	ConfigFileDBT    = "dbt_project.yml"
)

// projectKeys are the top-level keys strata reads.
var projectKeys = []string{
	"name", "version", "config-version", "profile",
	"model-paths", "seed-paths", "test-paths", "macro-paths", "snapshot-paths",
	"docs-paths", "analysis-paths", "target-path", "clean-targets", "packages-install-path", "require-dbt-version",
	"vars", "on-run-start", "on-run-end", "dispatch", "quoting",
	"models", "seeds", "snapshots", "tests", "data_tests", "sources",
	"schedules", "scheduler",
	"source-paths", "data-paths", // dbt's legacy names of model-paths and seed-paths
	"unit-tests-on",
}

// dbtOnlyKeys are keys dbt_project.yml may hold that strata does not use. They
// warn in a dbt_project.yml (so dbt projects keep working) and are errors in a
// project.yaml.
var dbtOnlyKeys = []string{
	"query-comment", "flags",
	"log-path", "asset-paths", "function-paths", "modules-path", "dbt-cloud",
	"restrict-access", "exposures", "metrics", "semantic-models", "saved-queries",
	"unit_tests", "analyses", "functions", "macros",
}

var (
	identRE       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	typeErrLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// parseConfig decodes the project file's root node into c, reporting problems
// into d. dbtFile is true for dbt_project.yml.
func parseConfig(d *ydec, root *yaml.Node, dbtFile bool, c *Config) {
	var nameNode *yaml.Node
	var legacyModel, legacySeed *yaml.Node
	var testsNode, dataTestsNode *yaml.Node
	for _, p := range d.pairs(root, d.file) {
		k, v := p.k.Value, p.v
		switch k {
		case "name":
			nameNode = p.k
			c.Name, _ = d.str(v, "name")
		case "version":
			c.Version = d.value(v)
		case "config-version":
			if n, ok := d.integer(v, "config-version"); ok {
				c.ConfigVersion = n
				if n != 0 && n != 2 {
					d.errorf(v, "unsupported config-version", "config-version %d is not supported; strata reads config-version: 2 (dbt 1.x)", n)
				}
			}
		case "profile":
			c.Profile, _ = d.str(v, "profile")
		case "model-paths":
			c.ModelPaths = d.paths(v, k)
		case "source-paths":
			legacyModel = p.k
			c.ModelPaths = d.paths(v, k)
		case "seed-paths":
			c.SeedPaths = d.paths(v, k)
		case "data-paths":
			legacySeed = p.k
			c.SeedPaths = d.paths(v, k)
		case "test-paths":
			c.TestPaths = d.paths(v, k)
		case "macro-paths":
			c.MacroPaths = d.paths(v, k)
		case "snapshot-paths":
			c.SnapshotPaths = d.paths(v, k)
		case "docs-paths":
			c.DocsPaths = d.paths(v, k)
		case "analysis-paths":
			c.AnalysisPaths = d.paths(v, k)
		case "target-path":
			if s, ok := d.str(v, k); ok {
				c.TargetPath = d.cleanPath(v, s, k)
			}
		case "clean-targets":
			c.CleanTargets = d.paths(v, k)
		case "packages-install-path":
			if s, ok := d.str(v, k); ok {
				c.PackagesInstallPath = d.cleanPath(v, s, k)
			}
		case "require-dbt-version":
			c.RequireDbtVersion = d.strList(v, k)
		case "vars":
			c.Vars = d.mapping(v, "vars")
		case "on-run-start":
			c.OnRunStart = StringList(d.strList(v, k))
		case "on-run-end":
			c.OnRunEnd = StringList(d.strList(v, k))
		case "dispatch":
			c.Dispatch = d.dispatch(v)
		case "quoting":
			c.Quoting = d.mapping(v, "quoting")
		case "models":
			c.Models = d.folderTree(v, k)
		case "seeds":
			c.Seeds = d.folderTree(v, k)
		case "snapshots":
			c.Snapshots = d.folderTree(v, k)
		case "tests":
			testsNode = p.k
			c.Tests = d.folderTree(v, k)
		case "data_tests":
			dataTestsNode = p.k
			c.Tests = d.folderTree(v, k)
		case "sources":
			c.Sources = d.folderTree(v, k)
		case "unit-tests-on":
			if s, ok := d.str(v, k); ok {
				if s != "target" && s != "duckdb" {
					d.errorf(v, "invalid value", "unit-tests-on must be target (the profile's warehouse) or duckdb (the embedded DuckDB), not %q", s)
				}
				c.UnitTestsOn = s
			}
		case "schedules":
			c.Schedules = d.schedules(v)
		case "scheduler":
			d.decodeStrict(v, "scheduler", &c.Scheduler)
			c.Scheduler.Line = deref(v).Line
			c.Scheduler.KeyLines = d.keyLines(v)
			c.Scheduler.Notify = d.notify(v, "scheduler", c.Scheduler.Notify)
		default:
			if contains(dbtOnlyKeys, k) {
				if dbtFile {
					d.warnf(p.k, "ignored setting", "strata does not use dbt's %q; it is ignored", k)
				} else {
					d.errorf(p.k, "unsupported key", "%q is a dbt setting strata does not use; remove it from %s", k, d.file)
				}
				continue
			}
			known := projectKeys
			if dbtFile {
				known = append(append([]string(nil), projectKeys...), dbtOnlyKeys...)
			}
			d.unknownKey(p.k, d.file, known, diag.Error)
		}
	}
	if testsNode != nil && dataTestsNode != nil {
		d.errorf(dataTestsNode, "duplicate key", "both tests: (line %d) and data_tests: are set; data_tests is the current name, move everything under it", testsNode.Line)
	}
	if legacyModel != nil && containsKey(root, "model-paths") {
		d.errorf(legacyModel, "duplicate key", "source-paths is dbt's old name for model-paths and both are set; keep model-paths")
	}
	if legacySeed != nil && containsKey(root, "seed-paths") {
		d.errorf(legacySeed, "duplicate key", "data-paths is dbt's old name for seed-paths and both are set; keep seed-paths")
	}

	switch {
	case nameNode == nil:
		d.errorf(root, "missing project name", "%s must set name: the project's name (letters, digits and underscores)", d.file)
	case !identRE.MatchString(c.Name):
		fix := strings.Map(func(r rune) rune {
			if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return '_'
		}, c.Name)
		if fix == "" || fix[0] >= '0' && fix[0] <= '9' {
			fix = "p_" + fix
		}
		d.errorf(nameNode, "invalid project name", "project name %q must start with a letter or underscore and hold only letters, digits and underscores, e.g. %q", c.Name, fix)
	}
	applyDefaults(c)
}

// applyDefaults fills dbt's defaults for unset paths.
func applyDefaults(c *Config) {
	if c.ModelPaths == nil {
		c.ModelPaths = []string{"models"}
	}
	if c.SeedPaths == nil {
		c.SeedPaths = []string{"seeds"}
	}
	if c.TestPaths == nil {
		c.TestPaths = []string{"tests"}
	}
	if c.MacroPaths == nil {
		c.MacroPaths = []string{"macros"}
	}
	if c.SnapshotPaths == nil {
		c.SnapshotPaths = []string{"snapshots"}
	}
	if c.DocsPaths == nil {
		c.DocsPaths = append([]string(nil), c.ModelPaths...)
	}
	if c.AnalysisPaths == nil {
		c.AnalysisPaths = []string{}
	}
	if c.TargetPath == "" {
		c.TargetPath = "target"
	}
	if c.PackagesInstallPath == "" {
		c.PackagesInstallPath = "dbt_packages"
	}
	if c.CleanTargets == nil {
		c.CleanTargets = []string{c.TargetPath}
	}
	if c.Profile == "" {
		// dbt requires profile:; strata falls back to the project's name so a
		// project.yaml without one still finds a profile of the same name.
		c.Profile = c.Name
	}
}

// paths decodes a list of project-relative directories.
func (d *ydec) paths(v *yaml.Node, key string) []string {
	raw := d.strList(v, key)
	out := make([]string, 0, len(raw))
	for _, s := range raw {
		if p := d.cleanPath(v, s, key); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cleanPath makes a path slash-separated and relative, rejecting ones that
// leave the project folder (the project is read through an fs.FS rooted there).
func (d *ydec) cleanPath(v *yaml.Node, s, key string) string {
	p := path.Clean(strings.ReplaceAll(strings.TrimSpace(s), "\\", "/"))
	if p == "." || p == "" {
		if key == "target-path" {
			d.errorf(v, "invalid path", "target-path must name a folder inside the project, e.g. \"target\"")
			return ""
		}
		return "."
	}
	if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || (len(p) > 1 && p[1] == ':') {
		d.errorf(v, "invalid path", "%s entry %q must be a folder inside the project, relative to it", key, s)
		return ""
	}
	return p
}

func (d *ydec) dispatch(v *yaml.Node) []Dispatch {
	v = deref(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, "wrong type", "dispatch must be a list of {macro_namespace, search_order}, not a %s", kindName(v.Kind))
		return nil
	}
	var out []Dispatch
	for _, e := range v.Content {
		var dsp Dispatch
		for _, p := range d.pairs(e, "a dispatch entry") {
			switch p.k.Value {
			case "macro_namespace":
				dsp.MacroNamespace, _ = d.str(p.v, "macro_namespace")
			case "search_order":
				dsp.SearchOrder = d.strList(p.v, "search_order")
			default:
				d.unknownKey(p.k, "a dispatch entry", []string{"macro_namespace", "search_order"}, diag.Error)
			}
		}
		if dsp.MacroNamespace == "" {
			d.errorf(e, "missing key", "a dispatch entry needs macro_namespace: the package whose macros it redirects")
		}
		out = append(out, dsp)
	}
	return out
}

// schedules decodes `schedules:`; engine/schedule validates the values.
func (d *ydec) schedules(v *yaml.Node) []ScheduleSpec {
	v = deref(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, "wrong type", "schedules must be a list of {name, cron, command, ...}, not a %s", kindName(v.Kind))
		return nil
	}
	out := make([]ScheduleSpec, 0, len(v.Content))
	for i, e := range v.Content {
		var s ScheduleSpec
		what := fmt.Sprintf("schedules entry %d", i+1)
		d.decodeStrict(e, what, &s)
		s.Line = deref(e).Line
		s.KeyLines = d.keyLines(e)
		s.Notify = d.notify(e, what, s.Notify)
		out = append(out, s)
	}
	return out
}

// keyLines maps each key of a mapping to its line.
func (d *ydec) keyLines(v *yaml.Node) map[string]int {
	v = deref(v)
	if v == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	out := make(map[string]int, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		out[v.Content[i].Value] = v.Content[i].Line
	}
	return out
}

// notify checks the keys of the `notify:` mapping inside parent (and of its
// `email:`), which decodeStrict does not look into, and records their lines.
func (d *ydec) notify(parent *yaml.Node, what string, spec *NotifySpec) *NotifySpec {
	if spec == nil {
		return nil
	}
	var node *yaml.Node
	for _, p := range d.pairs(parent, what) {
		if p.k.Value == "notify" {
			node = deref(p.v)
		}
	}
	if node == nil || node.Kind != yaml.MappingNode {
		return spec
	}
	where := what + " notify"
	known := yamlFieldNames(spec)
	for _, p := range d.pairs(node, where) {
		if !contains(known, p.k.Value) {
			d.unknownKey(p.k, where, known, diag.Error)
		}
		if p.k.Value == "email" && spec.Email != nil {
			ek := yamlFieldNames(spec.Email)
			for _, ep := range d.pairs(p.v, where+" email") {
				if !contains(ek, ep.k.Value) {
					d.unknownKey(ep.k, where+" email", ek, diag.Error)
				}
			}
			spec.Email.KeyLines = d.keyLines(p.v)
		}
	}
	spec.KeyLines = d.keyLines(node)
	return spec
}

// decodeStrict decodes a mapping into a struct with yaml tags, reporting keys
// the struct lacks and type errors with their lines.
func (d *ydec) decodeStrict(v *yaml.Node, what string, out any) {
	v = deref(v)
	if isNull(v) {
		return
	}
	known := yamlFieldNames(out)
	ok := true
	for _, p := range d.pairs(v, what) {
		if !contains(known, p.k.Value) {
			d.unknownKey(p.k, what, known, diag.Error)
			ok = false
		}
	}
	if v.Kind != yaml.MappingNode || !ok {
		return
	}
	if err := v.Decode(out); err != nil {
		if te, isTE := err.(*yaml.TypeError); isTE {
			for _, m := range te.Errors {
				n := v
				ln := 0
				if sm := typeErrLineRE.FindStringSubmatch(m); sm != nil {
					fmt.Sscan(sm[1], &ln)
					m = sm[2]
				}
				d.diags = append(d.diags, diag.Diagnostic{Severity: diag.Error, File: d.file, Line: max(ln, n.Line),
					Summary: "wrong type", Detail: fmt.Sprintf("in %s: %s", what, m)})
			}
			return
		}
		d.errorf(v, "wrong type", "in %s: %v", what, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsKey(m *yaml.Node, key string) bool {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

// yamlFieldNames lists the yaml tag names of the struct out points to.
func yamlFieldNames(out any) []string {
	t := reflect.TypeOf(out)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
