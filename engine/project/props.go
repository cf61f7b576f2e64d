package project

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

var (
	propsTopKeys = []string{"version", "models", "seeds", "snapshots", "sources", "unit_tests", "exposures", "groups"}
	// Accepted and ignored quietly: documentation strata has no use for yet.
	propsQuietKeys = []string{"macros", "analyses", "data_tests"}
	// Accepted and ignored with a warning: they would make dbt do something.
	propsWarnKeys = []string{"metrics", "semantic_models", "saved_queries", "functions"}

	nodeKeys = []string{"name", "description", "config", "columns", "tests", "data_tests", "meta", "tags", "docs",
		"access", "group", "contract", "latest_version", "versions", "constraints", "deprecation_date", "time_spine"}
	// dbt knows these node keys; strata ignores them without complaint.
	nodeIgnored = []string{"freshness", "relation", "quote_columns"}

	columnKeys    = []string{"name", "description", "data_type", "quote", "meta", "tags", "tests", "data_tests", "config", "constraints"}
	columnIgnored = []string{"docs", "granularity", "policy_tags", "dimension", "entity", "tests_config"}

	sourceKeys    = []string{"name", "description", "database", "schema", "loader", "loaded_at_field", "freshness", "config", "meta", "tags", "tables"}
	sourceIgnored = []string{"quoting", "overrides", "loaded_at_query", "docs", "catalog"}

	tableKeys    = []string{"name", "identifier", "description", "loaded_at_field", "freshness", "columns", "tests", "data_tests", "config", "meta", "tags"}
	tableIgnored = []string{"quoting", "external", "docs", "loaded_at_query", "constraints"}

	// testConfigKeys written at the top level of a test entry are configs, not arguments.
	testConfigKeys = map[string]bool{
		"severity": true, "where": true, "limit": true, "warn_if": true, "error_if": true,
		"fail_calc": true, "store_failures": true, "store_failures_as": true, "enabled": true,
		"tags": true, "meta": true, "alias": true, "schema": true, "database": true,
		"sql_header": true, "group": true,
	}
)

// parseProperties parses one properties YAML file.
func parseProperties(file string, data []byte) (*PropertiesFile, diag.Diagnostics) {
	pf := &PropertiesFile{Path: file}
	root, perr := parseYAML(file, data)
	if perr != nil {
		return pf, diag.Diagnostics{*perr}
	}
	if root == nil {
		return pf, nil
	}
	d := &ydec{file: file}
	seen := map[string]*yaml.Node{}
	for _, p := range d.pairs(root, file) {
		k := p.k.Value
		if k == "tests" {
			// Some projects carry a top-level tests: list; dbt ignores it.
			k = "data_tests"
		}
		switch k {
		case "version":
			if v, ok := d.integer(p.v, "version"); ok {
				pf.Version = v
				if v != 2 {
					d.errorf(p.v, "unsupported properties version", "version: %d is not supported; write version: 2 or leave it out", v)
				}
			}
		case "models":
			pf.Models = d.nodeList(p.v, "models", seen)
		case "seeds":
			pf.Seeds = d.nodeList(p.v, "seeds", seen)
		case "snapshots":
			pf.Snapshots = d.nodeList(p.v, "snapshots", seen)
		case "sources":
			pf.Sources = d.sourceList(p.v)
		case "unit_tests":
			pf.UnitTests = d.unitTests(p.v)
		case "exposures":
			pf.Exposures = d.exposures(p.v)
		case "groups":
			pf.Groups = d.groups(p.v)
		default:
			switch {
			case contains(propsQuietKeys, k):
			case contains(propsWarnKeys, k):
				d.warnf(p.k, "ignored properties", "strata does not support %s yet; this block is ignored", p.k.Value)
			default:
				all := append(append(append([]string(nil), propsTopKeys...), propsQuietKeys...), propsWarnKeys...)
				// dbt ignores an unknown top-level key; strata warns (with a
				// did-you-mean for model: and the like), an error under --warn-error.
				d.unknownKey(p.k, "a properties file", all, diag.Warning)
			}
		}
	}
	return pf, d.diags
}

// listItems returns the entries of a list value, reporting anything else.
func (d *ydec) listItems(n *yaml.Node, what string) []*yaml.Node {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "wrong type", "%s must be a list (entries starting with \"- \"), not a %s", what, kindName(n.Kind))
		return nil
	}
	return n.Content
}

// checkKey reports a key outside known and ignored as an unknown-key warning.
// A config name written outside config: gets a hint to move it.
func (d *ydec) checkKey(k *yaml.Node, where string, known, ignored []string) {
	if contains(ignored, k.Value) {
		return
	}
	if knownConfigs[k.Value] {
		d.warnf(k, "misplaced config", "%q is a config: move it under config: in %s; here it is ignored", k.Value, where)
		return
	}
	d.unknownKey(k, where, append(append([]string(nil), known...), ignored...), diag.Warning)
}

func (d *ydec) nodeList(n *yaml.Node, kind string, seen map[string]*yaml.Node) []*NodeProps {
	items := d.listItems(n, kind)
	out := make([]*NodeProps, 0, len(items))
	singular := strings.TrimSuffix(kind, "s")
	for _, e := range items {
		np := &NodeProps{Line: deref(e).Line}
		where := "a " + singular + " entry"
		var nameNode *yaml.Node
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				nameNode = p.v
				np.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("%s %q", singular, np.Name)
			case "description":
				np.Description, _ = d.str(p.v, "description")
			case "config":
				np.Config = d.mapping(p.v, "config")
			case "columns":
				np.Columns = d.columns(p.v, where)
			case "tests", "data_tests":
				np.Tests = append(np.Tests, d.tests(p.v, where)...)
			case "meta":
				np.Meta = d.mapping(p.v, "meta")
			case "tags":
				np.Tags = d.strList(p.v, "tags")
			case "docs":
				np.Docs = d.mapping(p.v, "docs")
			case "access", "group", "contract":
				// dbt reads these as properties and as configs; config: wins.
				if np.topConfig == nil {
					np.topConfig = map[string]any{}
				}
				if p.k.Value == "contract" {
					np.topConfig["contract"] = d.mapping(p.v, "contract")
				} else {
					np.topConfig[p.k.Value], _ = d.str(p.v, p.k.Value)
				}
			case "latest_version":
				np.LatestVersion, _ = d.str(p.v, "latest_version")
			case "versions":
				np.Versions = d.versions(p.v, where)
			case "constraints":
				np.Constraints = d.constraints(p.v, where, true)
			case "deprecation_date":
				np.DeprecationDate, _ = d.str(p.v, "deprecation_date")
			case "time_spine":
				np.TimeSpine = d.mapping(p.v, "time_spine")
			default:
				d.checkKey(p.k, where, nodeKeys, nodeIgnored)
			}
		}
		np.mergeTopConfig()
		if np.Name == "" {
			if nameNode == nil {
				d.errorf(e, "missing name", "every entry under %s: needs name: the %s it describes", kind, singular)
			}
			continue
		}
		if prev, dup := seen[kind+"\x00"+np.Name]; dup {
			d.errorf(e, "duplicate properties", "%s %q is described twice in this file (first at line %d); merge the two entries", singular, np.Name, prev.Line)
			continue
		}
		seen[kind+"\x00"+np.Name] = deref(e)
		out = append(out, np)
	}
	return out
}

func (d *ydec) columns(n *yaml.Node, owner string) []*ColumnProps {
	items := d.listItems(n, "columns of "+owner)
	out := make([]*ColumnProps, 0, len(items))
	seen := map[string]int{}
	for _, e := range items {
		c := &ColumnProps{Line: deref(e).Line}
		where := "a column of " + owner
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				c.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("column %q of %s", c.Name, owner)
			case "description":
				c.Description, _ = d.str(p.v, "description")
			case "data_type":
				c.DataType, _ = d.str(p.v, "data_type")
			case "quote":
				if b, ok := d.boolean(p.v, "quote"); ok {
					c.Quote = &b
				}
			case "meta":
				c.Meta = MergeConfig(orEmpty(c.Meta), d.mapping(p.v, "meta"))
			case "tags":
				c.Tags = unionStrings(c.Tags, d.strList(p.v, "tags"))
			case "tests", "data_tests":
				c.Tests = append(c.Tests, d.tests(p.v, where)...)
			case "config":
				// dbt 1.10 moved a column's meta and tags under config:.
				cfg := d.mapping(p.v, "config")
				if m, ok := cfg["meta"].(map[string]any); ok {
					c.Meta = MergeConfig(orEmpty(c.Meta), m)
				}
				c.Tags = unionStrings(c.Tags, asStrings(cfg["tags"]))
			case "constraints":
				c.Constraints = d.constraints(p.v, where, false)
			default:
				d.checkKey(p.k, where, columnKeys, columnIgnored)
			}
		}
		if c.Name == "" {
			d.errorf(e, "missing name", "every column of %s needs name:", owner)
			continue
		}
		if first, dup := seen[strings.ToLower(c.Name)]; dup {
			// dbt keeps the last entry; strata says so.
			d.warnf(e, "duplicate column", "column %q of %s is described twice (first at line %d); the last entry is used, merge the two", c.Name, owner, first)
			for i := range out {
				if strings.EqualFold(out[i].Name, c.Name) {
					out[i] = c
				}
			}
			seen[strings.ToLower(c.Name)] = c.Line
			continue
		}
		seen[strings.ToLower(c.Name)] = c.Line
		out = append(out, c)
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// tests normalises a tests:/data_tests: list.
func (d *ydec) tests(n *yaml.Node, owner string) []*TestSpec {
	items := d.listItems(n, "tests of "+owner)
	out := make([]*TestSpec, 0, len(items))
	for _, e := range items {
		if t := d.testSpec(deref(e), owner); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// testSpec normalises one test entry from any of dbt's spellings:
//
//   - not_null
//   - accepted_values: {values: [a, b], severity: warn, config: {where: "x > 0"}}
//   - accepted_values: {arguments: {values: [a, b]}, name: my_test}
//   - name: my_test
//     test_name: unique
//     config: {...}
func (d *ydec) testSpec(e *yaml.Node, owner string) *TestSpec {
	t := &TestSpec{Line: e.Line, Args: map[string]any{}, Config: map[string]any{}}
	switch e.Kind {
	case yaml.ScalarNode:
		t.Name = strings.TrimSpace(e.Value)
		if t.Name == "" || isNull(e) {
			d.errorf(e, "empty test", "a test of %s has no name", owner)
			return nil
		}
		return t
	case yaml.MappingNode:
	default:
		d.errorf(e, "wrong type", "a test of %s must be a test name or a mapping, not a %s", owner, kindName(e.Kind))
		return nil
	}
	ps := d.pairs(e, "a test of "+owner)
	var body []kv
	if containsKey(e, "test_name") {
		for _, p := range ps {
			switch p.k.Value {
			case "test_name":
				t.Name, _ = d.str(p.v, "test_name")
			case "name":
				t.Alias, _ = d.str(p.v, "name")
			default:
				body = append(body, p)
			}
		}
	} else {
		if len(ps) == 0 {
			d.errorf(e, "empty test", "a test entry of %s is empty; write the test's name, e.g. - not_null", owner)
			return nil
		}
		if len(ps) != 1 {
			keys := make([]string, len(ps))
			for i, p := range ps {
				keys[i] = p.k.Value
			}
			d.errorf(e, "invalid test", "a test entry of %s must name exactly one test, got %s; indent the test's arguments under its name, or use name: and test_name:", owner, strings.Join(keys, ", "))
			return nil
		}
		t.Name = ps[0].k.Value
		v := deref(ps[0].v)
		switch {
		case isNull(v):
		case v.Kind == yaml.MappingNode:
			for _, p := range d.pairs(v, "test "+t.Name) {
				if p.k.Value == "name" {
					t.Alias, _ = d.str(p.v, "name")
					continue
				}
				body = append(body, p)
			}
		default:
			d.errorf(v, "invalid test", "the arguments of test %s on %s must be a mapping such as {values: [...]}, not %s", t.Name, owner, describe(v))
			return nil
		}
	}
	if t.Name == "" {
		d.errorf(e, "empty test", "a test of %s has no test name", owner)
		return nil
	}
	for _, p := range body {
		k := p.k.Value
		switch {
		case k == "config":
			MergeConfig(t.Config, d.mapping(p.v, "config of test "+t.Name))
		case k == "arguments":
			for ak, av := range d.mapping(p.v, "arguments of test "+t.Name) {
				t.Args[ak] = av
			}
		case k == "description":
			t.Description, _ = d.str(p.v, "description")
		case testConfigKeys[k]:
			if _, set := t.Config[k]; !set {
				t.Config[k] = d.value(p.v)
			}
		default:
			t.Args[k] = d.value(p.v)
		}
	}
	return t
}

func (d *ydec) sourceList(n *yaml.Node) []*SourceProps {
	items := d.listItems(n, "sources")
	out := make([]*SourceProps, 0, len(items))
	for _, e := range items {
		s := &SourceProps{Line: deref(e).Line}
		where := "a source entry"
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				s.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("source %q", s.Name)
			case "description":
				s.Description, _ = d.str(p.v, "description")
			case "database":
				s.Database, _ = d.str(p.v, "database")
			case "schema":
				s.Schema, _ = d.str(p.v, "schema")
			case "loader":
				s.Loader, _ = d.str(p.v, "loader")
			case "loaded_at_field":
				s.LoadedAtField, _ = d.str(p.v, "loaded_at_field")
			case "freshness":
				s.Freshness = d.freshness(p.v, where)
			case "config":
				s.Config = d.mapping(p.v, "config")
			case "meta":
				s.Meta = d.mapping(p.v, "meta")
			case "tags":
				s.Tags = d.strList(p.v, "tags")
			case "tables":
				s.Tables = d.tables(p.v, where)
			default:
				d.checkKey(p.k, where, sourceKeys, sourceIgnored)
			}
		}
		if s.Name == "" {
			d.errorf(e, "missing name", "every entry under sources: needs name:")
			continue
		}
		// dbt 1.10 also accepts freshness and loaded_at_field under config:.
		if s.Freshness == nil {
			if fn := configChild(e, "freshness"); fn != nil {
				s.Freshness = d.freshness(fn, where)
			}
		}
		if s.LoadedAtField == "" {
			s.LoadedAtField, _ = s.Config["loaded_at_field"].(string)
		}
		if s.Schema == "" {
			s.Schema = s.Name
		}
		out = append(out, s)
	}
	return out
}

func (d *ydec) tables(n *yaml.Node, owner string) []*SourceTableProps {
	items := d.listItems(n, "tables of "+owner)
	out := make([]*SourceTableProps, 0, len(items))
	seen := map[string]int{}
	for _, e := range items {
		t := &SourceTableProps{Line: deref(e).Line}
		where := "a table of " + owner
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				t.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("table %q of %s", t.Name, owner)
			case "identifier":
				t.Identifier, _ = d.str(p.v, "identifier")
			case "description":
				t.Description, _ = d.str(p.v, "description")
			case "loaded_at_field":
				t.LoadedAtField, _ = d.str(p.v, "loaded_at_field")
			case "freshness":
				t.Freshness = d.freshness(p.v, where)
			case "columns":
				t.Columns = d.columns(p.v, where)
			case "tests", "data_tests":
				t.Tests = append(t.Tests, d.tests(p.v, where)...)
			case "config":
				t.Config = d.mapping(p.v, "config")
			case "meta":
				t.Meta = d.mapping(p.v, "meta")
			case "tags":
				t.Tags = d.strList(p.v, "tags")
			default:
				d.checkKey(p.k, where, tableKeys, tableIgnored)
			}
		}
		if t.Name == "" {
			d.errorf(e, "missing name", "every table of %s needs name:", owner)
			continue
		}
		if first, dup := seen[t.Name]; dup {
			d.errorf(e, "duplicate source table", "table %q of %s is listed twice (first at line %d); merge the two entries", t.Name, owner, first)
			continue
		}
		seen[t.Name] = t.Line
		if t.Freshness == nil {
			if fn := configChild(e, "freshness"); fn != nil {
				t.Freshness = d.freshness(fn, where)
			}
		}
		if t.LoadedAtField == "" {
			t.LoadedAtField, _ = t.Config["loaded_at_field"].(string)
		}
		if t.Identifier == "" {
			t.Identifier = t.Name
		}
		out = append(out, t)
	}
	return out
}

// configChild returns the node of config.<key> in entry e, or nil.
func configChild(e *yaml.Node, key string) *yaml.Node {
	e = deref(e)
	if e == nil || e.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(e.Content); i += 2 {
		if e.Content[i].Value != "config" {
			continue
		}
		c := deref(e.Content[i+1])
		if c == nil || c.Kind != yaml.MappingNode {
			return nil
		}
		for j := 0; j+1 < len(c.Content); j += 2 {
			if c.Content[j].Value == key {
				return c.Content[j+1]
			}
		}
	}
	return nil
}

var freshnessPeriods = []string{"minute", "hour", "day"}

// freshness decodes a freshness block; an explicit null turns it off.
func (d *ydec) freshness(n *yaml.Node, owner string) *FreshnessProps {
	if isNull(n) {
		return &FreshnessProps{Null: true}
	}
	f := &FreshnessProps{}
	for _, p := range d.pairs(n, "freshness of "+owner) {
		switch p.k.Value {
		case "warn_after":
			f.WarnAfter = d.period(p.v, "warn_after of "+owner)
		case "error_after":
			f.ErrorAfter = d.period(p.v, "error_after of "+owner)
		case "filter":
			f.Filter, _ = d.str(p.v, "filter")
		default:
			d.unknownKey(p.k, "freshness of "+owner, []string{"warn_after", "error_after", "filter"}, diag.Error)
		}
	}
	return f
}

func (d *ydec) period(n *yaml.Node, what string) *PeriodProps {
	if isNull(n) {
		return nil
	}
	pp := &PeriodProps{}
	var countSet, periodSet bool
	for _, p := range d.pairs(n, what) {
		switch p.k.Value {
		case "count":
			if isNull(p.v) {
				return nil
			}
			countSet = true
			if c, ok := d.integer(p.v, "count"); ok {
				if c <= 0 {
					d.errorf(p.v, "invalid freshness", "count in %s must be a positive number", what)
				}
				pp.Count = c
			}
		case "period":
			if isNull(p.v) {
				return nil
			}
			periodSet = true
			pp.Period, _ = d.str(p.v, "period")
			if !contains(freshnessPeriods, pp.Period) {
				d.errorf(p.v, "invalid freshness", "period in %s must be minute, hour or day, not %q", what, pp.Period)
			}
		default:
			d.unknownKey(p.k, what, []string{"count", "period"}, diag.Error)
		}
	}
	if !countSet || !periodSet {
		d.errorf(n, "invalid freshness", "%s needs both count: and period:, e.g. {count: 12, period: hour}", what)
	}
	return pp
}
