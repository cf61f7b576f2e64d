package compile

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// genericTest is one test instance declared in properties YAML.
type genericTest struct {
	name      string // test name without namespace: not_null
	namespace string
	args      map[string]any // as written, plus column_name
	column    string
	file      string
	line      int
	attached  int            // unit index, or -1 for a source
	source    *manifest.Node // for tests on sources
}

var nonIdentRE = regexp.MustCompile(`[^0-9a-zA-Z_]+`)

// testNames builds dbt's generic test name: <type>_<target>_<flattened args>,
// shortened with an md5 when it would reach 64 characters.
func testNames(identifier string, args map[string]any) (short, full string) {
	keys := make([]string, 0, len(args))
	for k := range args {
		if k != "model" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var flat []string
	for _, k := range keys {
		var parts []any
		switch v := args[k].(type) {
		case map[string]any:
			vk := make([]string, 0, len(v))
			for kk := range v {
				vk = append(vk, kk)
			}
			sort.Strings(vk)
			for _, kk := range vk {
				parts = append(parts, v[kk])
			}
		case []any:
			parts = v
		default:
			parts = []any{v}
		}
		for _, p := range parts {
			flat = append(flat, nonIdentRE.ReplaceAllString(pyStr(p), "_"))
		}
	}
	full = identifier + "_" + strings.Join(flat, "__")
	if len(full) >= 64 {
		return fmt.Sprintf("%s_%s", identifier[:min(30, len(identifier))], md5hex(full)), full
	}
	return full, full
}

// genericJob is one generic test a properties file declares.
type genericJob struct {
	file     string
	t        *project.TestSpec
	attached int
	src      *manifest.Node
	column   string
}

// makeGeneric builds a generic test's unit without adding it: it only reads
// the program (folder configs are behind their lock), so tests are made in
// parallel and added in declaration order.
func (p *Program) makeGeneric(k *pkg, j genericJob) *unit {
	file, t, attached, src, column := j.file, j.t, j.attached, j.src, j.column
	name, ns := t.Name, ""
	if i := strings.LastIndex(name, "."); i >= 0 {
		ns, name = name[:i], name[i+1:]
	}
	args := map[string]any{}
	for k, v := range t.Args {
		args[k] = v
	}
	if column != "" {
		args["column_name"] = column
	}
	testType := name
	if ns != "" {
		testType = ns + "_" + name
	}
	var identifier, target, modelRef string
	var fqnDirs []string
	if src != nil {
		identifier = "source_" + testType + "_" + src.SourceName + "_" + src.Name
		target = src.UniqueID
		modelRef = fmt.Sprintf("{{ get_where_subquery(source('%s', '%s')) }}", src.SourceName, src.Name)
	} else {
		au := p.units[attached]
		an := au.node
		identifier = testType + "_" + an.Name
		target = an.UniqueID
		pin := ""
		fqnDirs = an.FQN[1 : len(an.FQN)-1]
		if au.version != "" {
			// dbt names a versioned model's tests after the version's relation.
			identifier = testType + "_" + au.defaultAlias()
			pin = fmt.Sprintf(", v=%q", au.version)
			fqnDirs = an.FQN[1 : len(an.FQN)-2]
		}
		modelRef = fmt.Sprintf("{{ get_where_subquery(ref('%s'%s)) }}", an.Name, pin)
		if an.PackageName != p.root.name {
			modelRef = fmt.Sprintf("{{ get_where_subquery(ref('%s', '%s'%s)) }}", an.PackageName, an.Name, pin)
		}
	}
	short, full := testNames(identifier, args)
	if t.Alias != "" {
		short = t.Alias
	}
	kwargs := map[string]any{"model": modelRef}
	for k, v := range args {
		kwargs[k] = v
	}
	rel := strings.TrimPrefix(file, k.prefix)
	f := project.File{Path: rel, RelPath: strings.TrimPrefix(rel, firstDir(rel)+"/"), Name: short,
		Content: fmt.Sprintf("{{ test_%s(**_dbt_generic_test_kwargs) }}", name)}
	u := p.makeUnit(k, kindGeneric, manifest.Test, short, f, propsRef{})
	u.file = file
	u.text, u.sum = "", ""
	n := u.node
	n.UniqueID = "test." + k.name + "." + short + "." + md5hex(full + "|" + target)[:10]
	n.Path = short + ".sql"
	n.FQN = append(append([]string{k.name}, fqnDirs...), short)
	n.Checksum = checksum(full + "|" + target)
	n.Line = t.Line
	n.ColumnName = column
	n.AttachedNode = target
	n.TestMetadata = &manifest.TestMetadata{Name: name, Kwargs: kwargs, Namespace: ns}
	base := copyMap(p.folderConfig(k, manifest.Test, fqnDirs, ""))
	raw := copyMap(base)
	mergeAll(base, t.Config)
	mergeAll(raw, t.Config)
	u.baseCfg, u.rawCfg = base, raw
	u.generic = &genericTest{name: name, namespace: ns, args: args, column: column, file: file, line: t.Line, attached: attached, source: src}
	return u
}

func firstDir(p string) string {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}

var relCallRE = regexp.MustCompile(`^\s*(ref|source)\s*\(.*\)\s*$`)

// renderGeneric calls test_<name>(model=…, column_name=…, …) for a YAML test.
func (p *Program) renderGeneric(u *unit, st *renderState) (string, error) {
	g := u.generic
	def, err := p.testMacro(u.pkg, g)
	if err != nil {
		return "", err
	}
	var model *relObj
	if g.source != nil {
		st.sources = append(st.sources, g.source.UniqueID)
		model = &relObj{p: p, rel: g.source.Relation, rendered: g.source.RelationName, kind: "table"}
	} else {
		st.refs = append(st.refs, g.attached)
		model = p.relFor(st, g.attached)
	}
	kw := []jinja.KwArg{{Name: "model", Value: jinja.ObjectValue(model)}}
	if w, ok := st.configValue("where"); ok && w != nil && pyStr(w) != "" {
		kw[0].Value = jinja.String(fmt.Sprintf("(select * from %s where %s) dbt_subquery", model.String(), pyStr(w)))
	}
	keys := make([]string, 0, len(g.args))
	for k := range g.args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := g.args[k]
		s, isStr := v.(string)
		switch {
		case isStr && relCallRE.MatchString(s):
			// to: ref('customers') is an expression: its value is the relation.
			refs := len(st.refs)
			out, err := p.renderArg(u.pkg, g.file, "{{ "+strings.TrimSpace(s)+" }}", st)
			if err != nil {
				return "", err
			}
			if len(st.refs) > refs {
				kw = append(kw, jinja.KwArg{Name: k, Value: jinja.ObjectValue(p.relFor(st, st.refs[len(st.refs)-1]))})
			} else {
				kw = append(kw, jinja.KwArg{Name: k, Value: jinja.String(out)})
			}
		case isStr && strings.Contains(s, "{{"):
			v, err := p.renderArgNative(u.pkg, g.file, s, st)
			if err != nil {
				return "", err
			}
			kw = append(kw, jinja.KwArg{Name: k, Value: v})
		case hasJinja(v):
			// Jinja inside a list or mapping (compare_columns: ["{{ … }}"]):
			// each string renders natively in place, as dbt renders kwargs.
			rv, err := p.renderArgDeep(u.pkg, g.file, v, st)
			if err != nil {
				return "", err
			}
			kw = append(kw, jinja.KwArg{Name: k, Value: rv})
		default:
			kw = append(kw, jinja.KwArg{Name: k, Value: jinja.FromGo(v)})
		}
	}
	if out, ok := p.builtinTest(u.pkg, def, g.name, kw, st); ok {
		return out, nil
	}
	v, err := p.callMacro(st, def, jinja.Args{Kw: kw})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(v.String()) + "\n", nil
}

// renderArg renders a test argument written with Jinja in the properties YAML.
func (p *Program) renderArg(k *pkg, file, src string, st *renderState) (string, error) {
	t, err := p.parseCached(k, file, src)
	if err != nil {
		return "", err
	}
	return p.render(t, st)
}

// renderArgNative renders a test argument as dbt does, natively: a value
// that is one {{ expression }} keeps its type (`values: "{{ var('types') }}"`
// passes the list), and other text renders to a string that is read back as
// a Python literal when it is one (dbt's native environment).
func (p *Program) renderArgNative(k *pkg, file, src string, st *renderState) (jinja.Value, error) {
	t := strings.TrimSpace(src)
	if strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}") && strings.Count(t, "{{") == 1 && !strings.Contains(t, "{%") {
		if v, ok, err := p.evalExpr(k, file, strings.Trim(t[2:len(t)-2], "-+ \t\n"), st); ok || err != nil {
			return v, err
		}
	}
	out, err := p.renderArg(k, file, src, st)
	if err != nil {
		return jinja.Value{}, err
	}
	if lit := strings.TrimSpace(out); lit != "" && strings.ContainsRune("[{(", rune(lit[0])) {
		if v, ok, _ := p.evalExpr(k, file, lit, st); ok && v.Kind() != jinja.KindUndefined {
			return v, nil
		}
	}
	return jinja.String(out), nil
}

// hasJinja reports whether a YAML value holds Jinja anywhere.
func hasJinja(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, "{{") || strings.Contains(t, "{%")
	case []any:
		for _, x := range t {
			if hasJinja(x) {
				return true
			}
		}
	case map[string]any:
		for _, x := range t {
			if hasJinja(x) {
				return true
			}
		}
	}
	return false
}

// renderArgDeep renders every string with Jinja inside a list or mapping.
func (p *Program) renderArgDeep(k *pkg, file string, v any, st *renderState) (jinja.Value, error) {
	switch t := v.(type) {
	case string:
		if !hasJinja(t) {
			return jinja.String(t), nil
		}
		return p.renderArgNative(k, file, t, st)
	case []any:
		out := make([]jinja.Value, len(t))
		for i, x := range t {
			rv, err := p.renderArgDeep(k, file, x, st)
			if err != nil {
				return jinja.Value{}, err
			}
			out[i] = rv
		}
		return jinja.NewList(out), nil
	case map[string]any:
		d := jinja.NewDict()
		for _, key := range slices.Sorted(maps.Keys(t)) {
			rv, err := p.renderArgDeep(k, file, t[key], st)
			if err != nil {
				return jinja.Value{}, err
			}
			d.SetStr(key, rv)
		}
		return jinja.DictValue(d), nil
	}
	return jinja.FromGo(v), nil
}

// evalExpr evaluates one Jinja expression for st and returns its value; ok
// is false when the text is not an expression.
func (p *Program) evalExpr(k *pkg, file, expr string, st *renderState) (jinja.Value, bool, error) {
	t, err := p.parseCached(k, file, "{% set strata_native_value = ("+expr+") %}")
	if err != nil {
		return jinja.Value{}, false, nil
	}
	ctx := st.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	mod, _, err := t.Module(ctx, p.vars(st), jinja.RenderOptions{Host: st})
	if err != nil {
		return jinja.Value{}, false, err
	}
	v, ok := mod.GetStr("strata_native_value")
	return v, ok, nil
}

// testMacro finds the macro behind a generic test: test_<name> in the named
// package for a namespaced test (`dbt_utils.unique_combination_of_columns`),
// else as a template of the test's package resolves the name.
func (p *Program) testMacro(k *pkg, g *genericTest) (*macroDef, error) {
	macro := "test_" + g.name
	if g.namespace != "" {
		ns, ok := p.pkgs[g.namespace]
		if !ok {
			return nil, p.unknownPackage(g.namespace, fmt.Sprintf("test %s.%s", g.namespace, g.name))
		}
		if d, ok := ns.macros[macro]; ok {
			return d, nil
		}
		return nil, failSuggest("unknown generic test", fmt.Sprintf("package %q has no generic test named %q", g.namespace, g.name), diag.Suggest(g.name, testNamesIn(ns)))
	}
	if d, ok := p.lookupMacro(k, macro); ok {
		return d, nil
	}
	var names []string
	for _, x := range []*pkg{k, p.root, p.internal} {
		names = append(names, testNamesIn(x)...)
	}
	sort.Strings(names)
	return nil, failSuggest("unknown generic test",
		fmt.Sprintf("no generic test named %q: define it with {%% test %s(model, column_name) %%} in a macro file, or install the package that has it and name it as package.%s", g.name, g.name, g.name),
		diag.Suggest(g.name, names))
}

func testNamesIn(k *pkg) []string {
	var out []string
	for n := range k.macros {
		if strings.HasPrefix(n, "test_") {
			out = append(out, strings.TrimPrefix(n, "test_"))
		}
	}
	return out
}

// builtinTest renders the four built-in generic tests in Go when the project
// overrides none of the macros involved; the output is exactly the global
// project's (TestBuiltinTestsMatchMacros checks it). It saves three macro
// calls per test on large projects.
func (p *Program) builtinTest(k *pkg, def *macroDef, name string, kw []jinja.KwArg, st *renderState) (string, bool) {
	if p.noFastTests || !def.pkg.internal {
		return "", false
	}
	for _, n := range []string{"default__test_" + name, p.dialectType() + "__test_" + name, "should_store_failures"} {
		if d, ok := p.lookupMacro(k, n); ok && !d.pkg.internal {
			return "", false
		}
		if _, ok := p.root.macros[n]; ok {
			return "", false
		}
	}
	str := func(k string) (string, bool) {
		for _, a := range kw {
			if a.Name == k && !a.Value.IsNone() {
				return a.Value.String(), true
			}
		}
		return "", false
	}
	model, ok1 := str("model")
	col, ok2 := str("column_name")
	if !ok1 || !ok2 {
		return "", false
	}
	used := func(names ...string) {
		if st.macros == nil {
			st.macros = map[string]bool{}
		}
		for _, n := range names {
			st.macros["macro."+globalProject+"."+n] = true
		}
	}
	used("test_"+name, "default__test_"+name)
	switch name {
	case "not_null":
		used("should_store_failures")
		if len(kw) != 2 {
			return "", false
		}
		list := col
		if v, ok := st.configValue("store_failures"); ok && v != nil {
			if b, _ := boolOf(v); b {
				list = "*"
			}
		}
		return "select " + list + "\nfrom " + model + "\nwhere " + col + " is null\n", true
	case "unique":
		if len(kw) != 2 {
			return "", false
		}
		return "select\n    " + col + " as unique_field,\n    count(*) as n_records\nfrom " + model + "\nwhere " + col +
			" is not null\ngroup by " + col + "\nhaving count(*) > 1\n", true
	case "relationships":
		to, ok3 := str("to")
		field, ok4 := str("field")
		if !ok3 || !ok4 || len(kw) != 4 {
			return "", false
		}
		return "with child as (\n    select " + col + " as from_field\n    from " + model + "\n    where " + col +
			" is not null\n),\n\nparent as (\n    select " + field + " as to_field\n    from " + to +
			"\n)\n\nselect\n    from_field\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\nwhere parent.to_field is null\n", true
	}
	return "", false
}
