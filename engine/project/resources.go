package project

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// dbt 1.5+ resources of properties files: model versions, constraints,
// unit tests, exposures and groups, read as written (no Jinja rendered).

// VersionProps is one entry of a model's `versions:`.
type VersionProps struct {
	// V is the version identifier as written ("2", "1.5", "beta").
	V string
	// DefinedIn is the file (without extension) holding this version's SQL;
	// "" means <model>_v<v>.
	DefinedIn   string
	Description string
	Config      map[string]any
	// Columns are the version's own column entries (added, or replacing the
	// model's entry of that name).
	Columns []*ColumnProps
	// Include says which of the model's columns the version keeps: nil or
	// "all"/"*" for every one, else a list of names. Exclude drops names.
	Include any
	Exclude []string
	Tests   []*TestSpec
	// Constraints replace the model's constraints when set.
	Constraints     []*ConstraintProps
	DeprecationDate string
	Docs            map[string]any
	Line            int
}

// ConstraintProps is one constraint of a contracted model or column.
type ConstraintProps struct {
	// Type is not_null, unique, primary_key, foreign_key, check or custom.
	Type string
	Name string
	// Expression is a check's condition, a custom constraint's text, or a
	// foreign key's "other_table (id)".
	Expression string
	// Columns are the columns of a model-level constraint.
	Columns []string
	// To and ToColumns are a foreign key's parent: ref('x') or source('s', 't').
	To        string
	ToColumns []string
	// WarnUnenforced and WarnUnsupported default to true.
	WarnUnenforced, WarnUnsupported *bool
	Line                            int
}

// ConstraintTypes are the constraint types dbt knows.
var ConstraintTypes = []string{"not_null", "unique", "primary_key", "foreign_key", "check", "custom"}

// UnitTestProps is one `unit_tests:` entry.
type UnitTestProps struct {
	Name        string
	Model       string
	Description string
	Given       []*UnitInputProps
	Expect      *UnitInputProps
	// Overrides replace macros, vars and env vars for this test.
	Overrides UnitOverrides
	Config    map[string]any
	// VersionsInclude and VersionsExclude pick the versions of a versioned
	// model the test runs on (none: every version).
	VersionsInclude, VersionsExclude []string
	Line                             int
}

// UnitInputProps is one given input, or the expected output (Input empty).
type UnitInputProps struct {
	// Input is ref('x'), source('s', 't') or this.
	Input string
	// Format is dict (default), csv or sql.
	Format string
	// Rows is the inline data: a list of mappings (dict), a CSV text (csv) or
	// a query (sql). Nil when Fixture is set.
	Rows any
	// Fixture names a file under <test-path>/fixtures (without extension).
	Fixture string
	// Columns are the keys of dict rows in the order first written.
	Columns []string
	Line    int
}

// UnitOverrides are a unit test's overrides.
type UnitOverrides struct {
	Macros  map[string]any
	Vars    map[string]any
	EnvVars map[string]any
}

// ExposureProps is one `exposures:` entry: a dashboard, notebook or
// application that reads the project's models.
type ExposureProps struct {
	Name, Label, Type, Maturity, URL, Description string
	// DependsOn are ref(...), source(...) and metric(...) calls as written.
	DependsOn []string
	Owner     OwnerProps
	Config    map[string]any
	Meta      map[string]any
	Tags      []string
	Line      int
}

// OwnerProps is an exposure's or a group's owner.
type OwnerProps struct {
	Name, Email string
	// Extra holds any other owner keys (dbt allows them for groups).
	Extra map[string]any
}

// GroupProps is one `groups:` entry.
type GroupProps struct {
	Name, Description string
	Owner             OwnerProps
	Config            map[string]any
	Line              int
}

// ExposureTypes and ExposureMaturities are the values dbt accepts.
var (
	ExposureTypes      = []string{"dashboard", "notebook", "analysis", "ml", "application"}
	ExposureMaturities = []string{"low", "medium", "high"}
)

// mergeTopConfig puts access:, group: and contract: written as properties
// under the entry's config (config: wins).
func (np *NodeProps) mergeTopConfig() {
	if len(np.topConfig) == 0 {
		return
	}
	if np.Config == nil {
		np.Config = map[string]any{}
	}
	for k, v := range np.topConfig {
		if _, set := np.Config[k]; !set {
			np.Config[k] = v
		}
	}
	np.topConfig = nil
}

var versionKeys = []string{"v", "defined_in", "description", "config", "columns", "tests", "data_tests", "constraints", "deprecation_date", "docs", "access", "group", "contract", "meta", "tags"}

// versions decodes a model's `versions:` list.
func (d *ydec) versions(n *yaml.Node, owner string) []*VersionProps {
	items := d.listItems(n, "versions of "+owner)
	out := make([]*VersionProps, 0, len(items))
	seen := map[string]int{}
	for _, e := range items {
		v := &VersionProps{Line: deref(e).Line}
		where := "a version of " + owner
		var top map[string]any
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "v":
				v.V, _ = d.str(p.v, "v")
				where = fmt.Sprintf("version %s of %s", v.V, owner)
			case "defined_in":
				v.DefinedIn, _ = d.str(p.v, "defined_in")
			case "description":
				v.Description, _ = d.str(p.v, "description")
			case "config":
				v.Config = d.mapping(p.v, "config of "+where)
			case "columns":
				v.Columns, v.Include, v.Exclude = d.versionColumns(p.v, where)
			case "tests", "data_tests":
				v.Tests = append(v.Tests, d.tests(p.v, where)...)
			case "constraints":
				v.Constraints = d.constraints(p.v, where, true)
			case "deprecation_date":
				v.DeprecationDate, _ = d.str(p.v, "deprecation_date")
			case "docs":
				v.Docs = d.mapping(p.v, "docs")
			case "access", "group", "contract", "meta", "tags":
				if top == nil {
					top = map[string]any{}
				}
				top[p.k.Value] = d.value(p.v)
			default:
				d.unknownKey(p.k, where, versionKeys, diag.Warning)
			}
		}
		if v.V == "" {
			d.errorf(e, "missing version", "every entry under versions: of %s needs v: its version identifier, e.g. v: 2", owner)
			continue
		}
		if first, dup := seen[v.V]; dup {
			d.errorf(e, "duplicate version", "version %s of %s is listed twice (first at line %d); remove one", v.V, owner, first)
			continue
		}
		seen[v.V] = v.Line
		if len(top) > 0 {
			if v.Config == nil {
				v.Config = map[string]any{}
			}
			for k, x := range top {
				if _, set := v.Config[k]; !set {
					v.Config[k] = x
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// versionColumns splits a version's columns into its include/exclude entry
// and its own column entries.
func (d *ydec) versionColumns(n *yaml.Node, owner string) (cols []*ColumnProps, include any, exclude []string) {
	items := d.listItems(n, "columns of "+owner)
	var plain []*yaml.Node
	for _, e := range items {
		e = deref(e)
		if containsKey(e, "include") || containsKey(e, "exclude") {
			for _, p := range d.pairs(e, "the include/exclude entry of "+owner) {
				switch p.k.Value {
				case "include":
					v := d.value(p.v)
					if s, ok := v.(string); ok && s != "all" && s != "*" {
						d.errorf(p.v, "invalid include", "include of %s must be all, * or a list of column names, not %q", owner, s)
					}
					include = v
				case "exclude":
					exclude = d.strList(p.v, "exclude")
				default:
					d.unknownKey(p.k, "the include/exclude entry of "+owner, []string{"include", "exclude"}, diag.Error)
				}
			}
			continue
		}
		plain = append(plain, e)
	}
	if len(plain) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Content: plain, Line: deref(n).Line}
		cols = d.columns(seq, owner)
	}
	return cols, include, exclude
}

var constraintKeys = []string{"type", "name", "expression", "columns", "to", "to_columns", "warn_unenforced", "warn_unsupported"}

// constraints decodes a constraints: list; model-level ones may name columns.
func (d *ydec) constraints(n *yaml.Node, owner string, modelLevel bool) []*ConstraintProps {
	items := d.listItems(n, "constraints of "+owner)
	out := make([]*ConstraintProps, 0, len(items))
	for _, e := range items {
		c := &ConstraintProps{Line: deref(e).Line}
		where := "a constraint of " + owner
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "type":
				c.Type, _ = d.str(p.v, "type")
			case "name":
				c.Name, _ = d.str(p.v, "name")
			case "expression":
				c.Expression, _ = d.str(p.v, "expression")
			case "columns":
				c.Columns = d.strList(p.v, "columns")
			case "to":
				c.To, _ = d.str(p.v, "to")
			case "to_columns":
				c.ToColumns = d.strList(p.v, "to_columns")
			case "warn_unenforced":
				if b, ok := d.boolean(p.v, "warn_unenforced"); ok {
					c.WarnUnenforced = &b
				}
			case "warn_unsupported":
				if b, ok := d.boolean(p.v, "warn_unsupported"); ok {
					c.WarnUnsupported = &b
				}
			default:
				d.unknownKey(p.k, where, constraintKeys, diag.Error)
			}
		}
		switch {
		case c.Type == "":
			d.errorf(e, "missing constraint type", "a constraint of %s needs type: one of %s", owner, strings.Join(ConstraintTypes, ", "))
			continue
		case !contains(ConstraintTypes, c.Type):
			d.diags = append(d.diags, diag.Diagnostic{Severity: diag.Error, File: d.file, Line: c.Line, Summary: "unknown constraint type",
				Detail:     fmt.Sprintf("constraint type %q of %s is not one of %s", c.Type, owner, strings.Join(ConstraintTypes, ", ")),
				Suggestion: diag.Suggest(c.Type, ConstraintTypes)})
			continue
		case (c.Type == "check" || c.Type == "custom") && c.Expression == "":
			d.errorf(e, "missing expression", "the %s constraint of %s needs expression: the SQL it enforces", c.Type, owner)
			continue
		case c.Type == "foreign_key" && c.Expression == "" && c.To == "":
			d.errorf(e, "missing foreign key parent", "the foreign_key constraint of %s needs to: ref('parent') and to_columns: [id] (or expression: \"parent_table (id)\")", owner)
			continue
		case modelLevel && len(c.Columns) == 0 && c.Type != "check" && c.Type != "custom":
			d.errorf(e, "missing columns", "the model-level %s constraint of %s needs columns: the columns it covers", c.Type, owner)
			continue
		}
		out = append(out, c)
	}
	return out
}

var unitTestKeys = []string{"name", "model", "description", "given", "expect", "overrides", "config", "versions"}

// unitTests decodes `unit_tests:`.
func (d *ydec) unitTests(n *yaml.Node) []*UnitTestProps {
	items := d.listItems(n, "unit_tests")
	out := make([]*UnitTestProps, 0, len(items))
	seen := map[string]int{}
	for _, e := range items {
		u := &UnitTestProps{Line: deref(e).Line}
		where := "a unit test"
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				u.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("unit test %q", u.Name)
			case "model":
				u.Model, _ = d.str(p.v, "model")
			case "description":
				u.Description, _ = d.str(p.v, "description")
			case "given":
				for _, g := range d.listItems(p.v, "given of "+where) {
					if in := d.unitInput(g, where, true); in != nil {
						u.Given = append(u.Given, in)
					}
				}
			case "expect":
				u.Expect = d.unitInput(p.v, where, false)
			case "overrides":
				for _, o := range d.pairs(p.v, "overrides of "+where) {
					switch o.k.Value {
					case "macros":
						u.Overrides.Macros = d.mapping(o.v, "overrides.macros")
					case "vars":
						u.Overrides.Vars = d.mapping(o.v, "overrides.vars")
					case "env_vars":
						u.Overrides.EnvVars = d.mapping(o.v, "overrides.env_vars")
					default:
						d.unknownKey(o.k, "overrides of "+where, []string{"macros", "vars", "env_vars"}, diag.Error)
					}
				}
			case "config":
				u.Config = d.mapping(p.v, "config of "+where)
			case "versions":
				for _, o := range d.pairs(p.v, "versions of "+where) {
					switch o.k.Value {
					case "include":
						u.VersionsInclude = d.strList(o.v, "include")
					case "exclude":
						u.VersionsExclude = d.strList(o.v, "exclude")
					default:
						d.unknownKey(o.k, "versions of "+where, []string{"include", "exclude"}, diag.Error)
					}
				}
			default:
				d.unknownKey(p.k, where, unitTestKeys, diag.Error)
			}
		}
		switch {
		case u.Name == "":
			d.errorf(e, "missing name", "every entry under unit_tests: needs name:")
			continue
		case u.Model == "":
			d.errorf(e, "missing model", "unit test %q needs model: the model it tests", u.Name)
			continue
		case u.Expect == nil:
			d.errorf(e, "missing expect", "unit test %q needs expect: the rows the model must return, e.g. expect: {rows: [{id: 1}]}", u.Name)
			continue
		}
		key := u.Model + "\x00" + u.Name
		if first, dup := seen[key]; dup {
			d.errorf(e, "duplicate unit test", "unit test %q of model %s is defined twice in this file (first at line %d); rename one", u.Name, u.Model, first)
			continue
		}
		seen[key] = u.Line
		out = append(out, u)
	}
	return out
}

var unitFormats = []string{"dict", "csv", "sql"}

// unitInput decodes one given: entry (given true) or the expect: block.
func (d *ydec) unitInput(n *yaml.Node, owner string, given bool) *UnitInputProps {
	in := &UnitInputProps{Line: deref(n).Line}
	what := "expect of " + owner
	keys := []string{"rows", "format", "fixture"}
	if given {
		what = "an input of " + owner
		keys = append([]string{"input"}, keys...)
	}
	var rowsNode *yaml.Node
	for _, p := range d.pairs(n, what) {
		switch {
		case p.k.Value == "input" && given:
			in.Input, _ = d.str(p.v, "input")
			what = fmt.Sprintf("input %s of %s", in.Input, owner)
		case p.k.Value == "format":
			in.Format, _ = d.str(p.v, "format")
			if !contains(unitFormats, in.Format) {
				d.errorf(p.v, "invalid format", "format of %s must be dict, csv or sql, not %q", what, in.Format)
				return nil
			}
		case p.k.Value == "rows":
			rowsNode = p.v
		case p.k.Value == "fixture":
			in.Fixture, _ = d.str(p.v, "fixture")
		default:
			d.unknownKey(p.k, what, keys, diag.Error)
		}
	}
	if given && in.Input == "" {
		d.errorf(n, "missing input", "every entry under given: of %s needs input: ref('model'), source('name', 'table') or this", owner)
		return nil
	}
	if in.Format == "" {
		in.Format = "dict"
	}
	if rowsNode != nil && in.Fixture != "" {
		d.errorf(rowsNode, "rows and fixture", "%s sets both rows: and fixture:; keep one", what)
		return nil
	}
	if rowsNode != nil {
		rn := deref(rowsNode)
		switch in.Format {
		case "dict":
			if isNull(rn) {
				in.Rows = []any{}
				break
			}
			if rn.Kind != yaml.SequenceNode {
				d.errorf(rn, "wrong type", "rows of %s (format dict) must be a list of mappings such as - {id: 1, name: a}; for CSV text set format: csv", what)
				return nil
			}
			rows := make([]any, 0, len(rn.Content))
			seen := map[string]bool{}
			for _, r := range rn.Content {
				m := d.mapping(r, "a row of "+what)
				if m == nil && !isNull(r) {
					return nil
				}
				if r = deref(r); r.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(r.Content); i += 2 {
						if k := r.Content[i].Value; !seen[strings.ToLower(k)] {
							seen[strings.ToLower(k)] = true
							in.Columns = append(in.Columns, k)
						}
					}
				}
				rows = append(rows, m)
			}
			in.Rows = rows
		default:
			s, ok := d.str(rn, "rows of "+what)
			if !ok {
				return nil
			}
			in.Rows = s
		}
	}
	if in.Format == "dict" && in.Fixture != "" {
		d.errorf(n, "fixture needs a format", "%s names fixture %q: fixtures are CSV or SQL files, so set format: csv or format: sql", what, in.Fixture)
		return nil
	}
	if rowsNode == nil && in.Fixture == "" {
		if in.Format == "sql" {
			d.errorf(n, "missing rows", "%s has format: sql but neither rows: (a query) nor fixture:", what)
			return nil
		}
		in.Rows = []any{}
		if in.Format == "csv" {
			in.Rows = ""
		}
	}
	return in
}

var exposureKeys = []string{"name", "label", "type", "maturity", "url", "description", "depends_on", "owner", "config", "meta", "tags"}

// exposures decodes `exposures:`.
func (d *ydec) exposures(n *yaml.Node) []*ExposureProps {
	items := d.listItems(n, "exposures")
	out := make([]*ExposureProps, 0, len(items))
	seen := map[string]int{}
	for _, e := range items {
		x := &ExposureProps{Line: deref(e).Line}
		where := "an exposure"
		var typeNode, matNode *yaml.Node
		ownerSet := false
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				x.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("exposure %q", x.Name)
			case "label":
				x.Label, _ = d.str(p.v, "label")
			case "type":
				typeNode = p.v
				x.Type, _ = d.str(p.v, "type")
			case "maturity":
				matNode = p.v
				x.Maturity, _ = d.str(p.v, "maturity")
			case "url":
				x.URL, _ = d.str(p.v, "url")
			case "description":
				x.Description, _ = d.str(p.v, "description")
			case "depends_on":
				x.DependsOn = d.strList(p.v, "depends_on")
			case "owner":
				ownerSet = true
				x.Owner = d.owner(p.v, where)
			case "config":
				x.Config = d.mapping(p.v, "config of "+where)
			case "meta":
				x.Meta = d.mapping(p.v, "meta")
			case "tags":
				x.Tags = d.strList(p.v, "tags")
			default:
				d.unknownKey(p.k, where, exposureKeys, diag.Error)
			}
		}
		if x.Name == "" {
			d.errorf(e, "missing name", "every entry under exposures: needs name:")
			continue
		}
		if !identRE.MatchString(x.Name) {
			d.errorf(e, "invalid exposure name", "exposure name %q must hold only letters, digits and underscores (put a display name in label:)", x.Name)
			continue
		}
		if first, dup := seen[x.Name]; dup {
			d.errorf(e, "duplicate exposure", "exposure %q is defined twice in this file (first at line %d)", x.Name, first)
			continue
		}
		seen[x.Name] = x.Line
		switch {
		case x.Type == "":
			d.errorf(e, "missing type", "%s needs type: one of %s", where, strings.Join(ExposureTypes, ", "))
			continue
		case !contains(ExposureTypes, x.Type):
			d.errorf(typeNode, "invalid exposure type", "type of %s must be one of %s, not %q", where, strings.Join(ExposureTypes, ", "), x.Type)
			continue
		case x.Maturity != "" && !contains(ExposureMaturities, x.Maturity):
			d.errorf(matNode, "invalid maturity", "maturity of %s must be low, medium or high, not %q", where, x.Maturity)
			continue
		case !ownerSet || (x.Owner.Name == "" && x.Owner.Email == ""):
			d.errorf(e, "missing owner", "%s needs owner: with a name: or an email:", where)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (d *ydec) owner(n *yaml.Node, owner string) OwnerProps {
	var o OwnerProps
	for _, p := range d.pairs(n, "owner of "+owner) {
		switch p.k.Value {
		case "name":
			o.Name, _ = d.str(p.v, "name")
		case "email":
			o.Email, _ = d.str(p.v, "email")
		default:
			if o.Extra == nil {
				o.Extra = map[string]any{}
			}
			o.Extra[p.k.Value] = d.value(p.v)
		}
	}
	return o
}

// groups decodes `groups:`.
func (d *ydec) groups(n *yaml.Node) []*GroupProps {
	items := d.listItems(n, "groups")
	out := make([]*GroupProps, 0, len(items))
	for _, e := range items {
		g := &GroupProps{Line: deref(e).Line}
		where := "a group"
		ownerSet := false
		for _, p := range d.pairs(e, where) {
			switch p.k.Value {
			case "name":
				g.Name, _ = d.str(p.v, "name")
				where = fmt.Sprintf("group %q", g.Name)
			case "description":
				g.Description, _ = d.str(p.v, "description")
			case "owner":
				ownerSet = true
				g.Owner = d.owner(p.v, where)
			case "config":
				g.Config = d.mapping(p.v, "config of "+where)
			case "meta":
				if g.Config == nil {
					g.Config = map[string]any{}
				}
				g.Config["meta"] = d.mapping(p.v, "meta")
			default:
				d.unknownKey(p.k, where, []string{"name", "description", "owner", "config", "meta"}, diag.Error)
			}
		}
		switch {
		case g.Name == "":
			d.errorf(e, "missing name", "every entry under groups: needs name:")
			continue
		case !ownerSet || (g.Owner.Name == "" && g.Owner.Email == ""):
			d.errorf(e, "missing owner", "%s needs owner: with a name: or an email:", where)
			continue
		}
		out = append(out, g)
	}
	return out
}
