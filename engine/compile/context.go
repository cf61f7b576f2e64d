package compile

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// DBTVersion is the dbt version whose behaviour strata implements: `dbt_version`
// in templates and what require-dbt-version is checked against.
const DBTVersion = "1.8.0"

// buildGlobals fills every package's environment: dbt's context (functions
// and objects that find the render they serve through State.Host), then the
// macros the package sees unqualified (its own, the root project's, the
// global project's) and every package as a namespace (`dbt_utils.star`,
// `dbt.date_trunc`). Afterwards environments are only read.
func (p *Program) buildGlobals() {
	base := p.contextGlobals()
	p.baseVars = base
	for _, k := range p.pkgOrder {
		g := k.env.Globals
		for name, v := range base {
			g[name] = v
		}
		for _, src := range []*pkg{p.internal, p.root, k} {
			for name, def := range src.macros {
				g[name] = def.fn
			}
		}
		for _, ns := range p.pkgOrder {
			attrs := make(map[string]jinja.Value, len(ns.macros))
			for name, def := range ns.macros {
				attrs[name] = def.fn
			}
			if _, taken := g[ns.name]; !taken || ns.name == k.name || ns.internal {
				g[ns.name] = newModule(ns.name, attrs)
			}
		}
	}
}

// contextGlobals is dbt's context as every template sees it.
func (p *Program) contextGlobals() map[string]jinja.Value {
	g := map[string]jinja.Value{}
	set := func(name string, f jinja.Func) { g[name] = fn(name, f) }

	set("ref", p.fnRef)
	set("source", p.fnSource)
	set("var", p.fnVar)
	set("env_var", p.fnEnvVar)
	g["config"] = jinja.ObjectValue(configObj{})
	set("is_incremental", func(s *jinja.State, _ jinja.Args) (jinja.Value, error) {
		st := stateOf(s)
		if st == nil {
			return jinja.False, nil
		}
		st.usedIncr = true
		return jinja.Bool(st.incr), nil
	})
	set("should_full_refresh", func(s *jinja.State, _ jinja.Args) (jinja.Value, error) {
		st := stateOf(s)
		full := p.o.Flags.FullRefresh
		if st != nil && st.r != nil && st.u != nil {
			if v := st.r.cfgs[st.u.idx].cfg.FullRefresh; v != nil {
				full = *v
			}
		}
		return jinja.Bool(full), nil
	})
	set("return", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v := jinja.None
		if len(a.Pos) > 0 {
			v = a.Pos[0]
		}
		return jinja.Value{}, jinja.Return(v)
	})
	logf := func(name, level string) jinja.Func {
		return func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"msg", "info"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			lv := level
			if v[1].Truthy() {
				lv = "info"
			}
			if p.o.Log != nil {
				p.o.Log(lv, v[0].String())
			}
			return jinja.String(""), nil
		}
	}
	set("log", logf("log", "debug"))
	set("print", logf("print", "info"))
	set("tojson", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "tojson", []string{"value", "default", "sort_keys"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		s, err := toJSON(v[0].ToGo())
		if err != nil {
			if given(v[1]) {
				return v[1], nil
			}
			return jinja.Value{}, err
		}
		return jinja.String(s), nil
	})
	set("fromjson", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "fromjson", []string{"string", "default"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		x, err := jinja.ParseJSON([]byte(v[0].String()))
		if err != nil {
			if !v[1].IsUndefined() {
				return v[1], nil
			}
			return jinja.Value{}, fmt.Errorf("fromjson: %w", err)
		}
		return x, nil
	})
	set("toyaml", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "toyaml", []string{"value", "default", "sort_keys"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		s, err := toYAML(v[0].ToGo())
		if err != nil {
			return jinja.Value{}, err
		}
		return jinja.String(s), nil
	})
	set("fromyaml", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "fromyaml", []string{"value", "default"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		x, err := fromYAML(v[0].String())
		if err != nil {
			if !v[1].IsUndefined() {
				return v[1], nil
			}
			return jinja.Value{}, err
		}
		return x, nil
	})
	set("local_md5", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "local_md5", []string{"value"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		return jinja.String(md5hex(v[0].String())), nil
	})
	zip := func(strict bool) jinja.Func {
		return func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			var lists [][]jinja.Value
			for _, x := range a.Pos {
				items, err := s.Iter(x)
				if err != nil {
					if !strict {
						return jinja.None, nil
					}
					return jinja.Value{}, err
				}
				lists = append(lists, items)
			}
			out := []jinja.Value{}
			for i := 0; len(lists) > 0; i++ {
				row := make([]jinja.Value, 0, len(lists))
				for _, l := range lists {
					if i >= len(l) {
						return jinja.NewList(out), nil
					}
					row = append(row, l[i])
				}
				out = append(out, jinja.NewTuple(row))
			}
			return jinja.NewList(out), nil
		}
	}
	set("zip", zip(false))
	set("zip_strict", zip(true))
	setf := func(strict bool) jinja.Func {
		return func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "set", []string{"value", "default"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			items, err := s.Iter(v[0])
			if err != nil {
				if strict {
					return jinja.Value{}, err
				}
				if given(v[1]) {
					return v[1], nil
				}
				return jinja.None, nil
			}
			return newPySet(items), nil
		}
	}
	set("set", setf(false))
	set("set_strict", setf(true))
	set("diff_of_two_dicts", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "diff_of_two_dicts", []string{"dict_a", "dict_b"}, 2)
		if err != nil {
			return jinja.Value{}, err
		}
		// Keys of dict_a whose values differ from dict_b's (case-insensitive keys), as dbt's helper.
		da, db := v[0].Dict(), v[1].Dict()
		out := jinja.NewDict()
		if da == nil {
			return jinja.DictValue(out), nil
		}
		for i, k := range da.Keys() {
			val := da.Values()[i]
			if db != nil {
				if bv, ok := db.Get(k); ok && bv.Repr() == val.Repr() {
					continue
				}
			}
			out.Set(k, val)
		}
		return jinja.DictValue(out), nil
	})
	set("run_query", p.fnRunQuery)
	set("statement", p.fnStatement)
	set("load_result", p.fnLoadResult)
	set("store_result", p.fnStoreResult)
	set("store_raw_result", p.fnStoreRawResult)
	set("doc", p.fnDoc)

	g["run_started_at"] = dtValue(pyDatetime{t: p.now().UTC()})
	g["invocation_id"] = jinja.String(p.o.InvocationID)
	g["project_name"] = jinja.String(p.root.name)
	g["dbt_version"] = jinja.String(DBTVersion)
	g["thread_id"] = jinja.String("Thread-1")
	which := p.o.Flags.Which
	if which == "" {
		which = "compile"
	}
	g["flags"] = jinja.FromGo(map[string]any{
		"FULL_REFRESH": p.o.Flags.FullRefresh, "WHICH": which, "STORE_FAILURES": p.o.Flags.StoreFailures,
		"WARN_ERROR": p.o.Flags.WarnError, "STATE_MODIFIED_COMPARE_MORE_UNRENDERED_VALUES": false,
		"EMPTY": p.o.Flags.Empty, "STRICT_MODE": false, "USE_COLORS": false, "DEBUG": false, "LOG_FORMAT": "text",
		"PARTIAL_PARSE": false, "SEND_ANONYMOUS_USAGE_STATS": false, "INVOCATION_COMMAND": "strata " + which,
	})
	args := map[string]any{"which": which}
	for k, v := range p.o.Flags.Args {
		args[k] = v
	}
	g["invocation_args_dict"] = jinja.FromGo(args)
	g["modules"] = p.modulesObject()
	g["target"] = p.targetObject()
	g["database"] = jinja.String(p.o.Target.Database)
	g["schema"] = jinja.String(p.o.Target.Schema)
	g["exceptions"] = p.exceptionsObject()
	g["adapter"] = p.adapterObject()
	g["api"] = p.apiObject()
	return g
}

func (p *Program) targetObject() jinja.Value {
	t := p.o.Target
	m := map[string]any{}
	for k, v := range t.Fields {
		switch strings.ToLower(k) {
		case "password", "pass", "private_key", "private_key_passphrase", "token", "secret", "passphrase":
			continue
		}
		m[k] = v
	}
	m["name"] = t.Name
	m["target_name"] = t.Name
	m["type"] = t.Type
	m["schema"] = t.Schema
	m["database"] = t.Database
	m["threads"] = t.Threads
	m["profile_name"] = t.Profile
	return jinja.FromGo(m)
}

func (p *Program) exceptionsObject() jinja.Value {
	msgArg := func(a jinja.Args, name string) (string, error) {
		v, err := bind(a, name, []string{"msg", "node"}, 1)
		if err != nil {
			return "", err
		}
		return v[0].String(), nil
	}
	raise := func(name, summary string) jinja.Value {
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			msg, err := msgArg(a, name)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.Value{}, fail(summary, msg)
		})
	}
	return newModule("exceptions", map[string]jinja.Value{
		"raise_compiler_error":   raise("raise_compiler_error", "compilation error"),
		"raise_not_implemented":  raise("raise_not_implemented", "not implemented"),
		"raise_database_error":   raise("raise_database_error", "database error"),
		"raise_dependency_error": raise("raise_dependency_error", "dependency error"),
		"raise_contract_error": fn("raise_contract_error", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "raise_contract_error", []string{"yaml_columns", "sql_columns"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.Value{}, fail("contract error", fmt.Sprintf("the model's columns %s do not match its contract %s", v[1].Repr(), v[0].Repr()))
		}),
		"warn": fn("warn", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			msg, err := msgArg(a, "warn")
			if err != nil {
				return jinja.Value{}, err
			}
			t, pos := s.Template()
			p.warn(stateOf(s), t, pos, diag.Diagnostic{Summary: "warning", Detail: msg})
			return jinja.String(""), nil
		}),
	})
}

func (p *Program) fnDoc(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	if len(a.Pos) == 0 || len(a.Pos) > 2 {
		return jinja.Value{}, fail("bad doc call", "doc() takes a docs block name, or a package and a name")
	}
	name := a.Pos[len(a.Pos)-1].String()
	var search []*pkg
	if len(a.Pos) == 2 {
		k, ok := p.pkgs[a.Pos[0].String()]
		if !ok {
			return jinja.Value{}, p.unknownPackage(a.Pos[0].String(), "doc")
		}
		search = []*pkg{k}
	} else {
		if st := stateOf(s); st != nil && st.k != nil {
			search = append(search, st.k)
		}
		search = append(search, p.pkgOrder...)
	}
	var names []string
	for _, k := range search {
		if d, ok := k.docs[name]; ok {
			return jinja.String(d), nil
		}
		for n := range k.docs {
			names = append(names, n)
		}
	}
	return jinja.Value{}, failSuggest("unknown doc", fmt.Sprintf("doc(%q) names no {%% docs %%} block", name), diag.Suggest(name, names))
}

// unknownPackage is the error for a namespace that names no installed package.
func (p *Program) unknownPackage(name, what string) error {
	var names []string
	for _, k := range p.pkgOrder {
		names = append(names, k.name)
	}
	sort.Strings(names)
	return failSuggest("package not installed", fmt.Sprintf("%s names package %q, which is not installed (installed: %s); add it to packages.yml and run `strata deps`",
		what, name, strings.Join(names, ", ")), diag.Suggest(name, names))
}

func (p *Program) fnRef(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	var pkgName, name string
	var version jinja.Value
	for _, kw := range a.Kw {
		switch kw.Name {
		case "v", "version":
			version = kw.Value
		case "package":
			pkgName = kw.Value.String()
		default:
			return jinja.Value{}, fail("bad ref", fmt.Sprintf("ref() got an unexpected keyword argument %q", kw.Name))
		}
	}
	switch len(a.Pos) {
	case 1:
		name = a.Pos[0].String()
	case 2:
		pkgName, name = a.Pos[0].String(), a.Pos[1].String()
	default:
		return jinja.Value{}, fail("bad ref", "ref() takes a model name, or a package and a model name")
	}
	st := stateOf(s)
	if st == nil {
		st = p.standaloneState(p.root)
	}
	idx, err := p.lookupRef(st, pkgName, name, versionArg(version))
	if err != nil {
		return jinja.Value{}, err
	}
	st.refs = append(st.refs, idx)
	rel := p.relFor(st, idx)
	rel.limit0 = p.o.Flags.Empty
	return jinja.ObjectValue(rel), nil
}

// lookupRef finds the node ref(pkg, name) names, as dbt searches: the named
// package only; else the root project, then the calling node's package, then
// any package. Of a versioned model it picks version (the latest when "").
func (p *Program) lookupRef(st *renderState, pkgName, name, version string) (int, error) {
	cands := p.byName[name]
	if pkgName != "" {
		k, ok := p.pkgs[pkgName]
		if !ok {
			return 0, p.unknownPackage(pkgName, fmt.Sprintf("ref(%q, %q)", pkgName, name))
		}
		i, err := p.pickVersion(k, name, cands, version)
		if err != nil {
			return 0, err
		}
		if i >= 0 {
			return p.checkEnabled(st, i)
		}
		return 0, failSuggest("unknown model in ref", fmt.Sprintf("ref(%q, %q) names no model, seed or snapshot of package %q", pkgName, name, pkgName), diag.Suggest(name, p.refNames()))
	}
	if len(cands) == 0 {
		return 0, failSuggest("unknown model in ref", fmt.Sprintf("ref(%q) names no model, seed or snapshot in the project", name), diag.Suggest(name, p.refNames()))
	}
	order := []*pkg{p.root}
	if st.k != nil && st.k != p.root {
		order = append(order, st.k)
	}
	order = append(order, p.units[cands[0]].pkg)
	for _, k := range order {
		i, err := p.pickVersion(k, name, cands, version)
		if err != nil {
			return 0, err
		}
		if i >= 0 {
			return p.checkEnabled(st, i)
		}
	}
	return p.checkEnabled(st, cands[0])
}

// checkEnabled refuses a ref to a disabled node once configs are known.
func (p *Program) checkEnabled(st *renderState, i int) (int, error) {
	if st.r != nil && st.r.enabled != nil && st.r.off[i] {
		return 0, fail("ref to a disabled node", fmt.Sprintf("%q is disabled (enabled: false); enable it or remove the ref", p.units[i].node.Name))
	}
	return i, nil
}

func (p *Program) refNames() []string {
	out := make([]string, 0, len(p.byName))
	for n := range p.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (p *Program) fnSource(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "source", []string{"source_name", "table_name"}, 2)
	if err != nil {
		return jinja.Value{}, err
	}
	st := stateOf(s)
	var k *pkg
	if st != nil {
		k = st.k
	}
	n, err := p.lookupSource(k, v[0].String(), v[1].String())
	if err != nil {
		return jinja.Value{}, err
	}
	if st != nil {
		st.sources = append(st.sources, n.UniqueID)
		if st.unit != nil {
			name := st.unit.srcCTE[n.UniqueID]
			if name == "" {
				name = cteFor(n.SourceName + "__" + n.Name)
			}
			return jinja.ObjectValue(&relObj{rel: relation.Relation{Identifier: name}, rendered: name, cte: true, p: p}), nil
		}
	}
	return jinja.ObjectValue(&relObj{rel: n.Relation, rendered: n.RelationName, kind: "table", p: p, limit0: p.o.Flags.Empty}), nil
}

// lookupSource finds source(s, t) as dbt searches: the root project, the
// calling node's package, then any package.
func (p *Program) lookupSource(k *pkg, s, t string) (*manifest.Node, error) {
	order := []*pkg{p.root}
	if k != nil && k != p.root {
		order = append(order, k)
	}
	for _, x := range p.pkgOrder {
		if x != p.root && x != k {
			order = append(order, x)
		}
	}
	var names []string
	for _, x := range order {
		tables, ok := x.sources[s]
		if !ok {
			for n := range x.sources {
				names = append(names, n)
			}
			continue
		}
		n, ok := tables[t]
		if !ok {
			tn := make([]string, 0, len(tables))
			for n := range tables {
				tn = append(tn, n)
			}
			sort.Strings(tn)
			return nil, failSuggest("unknown source table", fmt.Sprintf("source(%q, %q): source %q has no table %q", s, t, s, t), diag.Suggest(t, tn))
		}
		return n, nil
	}
	sort.Strings(names)
	return nil, failSuggest("unknown source", fmt.Sprintf("source(%q, %q) names no source %q in the properties YAML", s, t, s), diag.Suggest(s, names))
}

// lookupVar resolves var(name) for a node of package k: --vars, then the
// root project's vars scoped to k, then the root project's global vars, then
// k's own project vars (scoped, then global).
func (p *Program) lookupVar(k *pkg, name string) (any, bool) {
	if v, ok := p.o.Vars[name]; ok {
		return v, true
	}
	if k == nil {
		k = p.root
	}
	projects := []*pkg{p.root}
	if k != p.root && k.proj != nil {
		projects = append(projects, k)
	}
	for _, src := range projects {
		vars := src.proj.Config.Vars
		if scoped, ok := vars[k.name].(map[string]any); ok {
			if v, ok := scoped[name]; ok {
				return v, true
			}
		}
		if v, ok := vars[name]; ok {
			if _, isScope := v.(map[string]any); !(isScope && p.pkgs[name] != nil) {
				return v, true
			}
		}
	}
	return nil, false
}

func (p *Program) fnVar(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "var", []string{"var_name", "default"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	name := v[0].String()
	var k *pkg
	if st := stateOf(s); st != nil {
		k = st.k
		if st.unit != nil {
			if x, ok := st.unit.vars[name]; ok {
				return jinja.FromGo(x), nil
			}
		}
	}
	if x, ok := p.lookupVar(k, name); ok {
		if hasJinja(x) {
			// dbt renders dbt_project.yml's vars with the target:
			// insert_batch_size: "{{ 500 if target.type == 'bigquery' else 10000 }}".
			return p.renderVar(s, k, name, x)
		}
		return jinja.FromGo(x), nil
	}
	if !v[1].IsUndefined() {
		return v[1], nil
	}
	return jinja.Value{}, fail("undefined var", fmt.Sprintf("var(%q) is not set: define it under vars: in the project file, pass it with --vars, or give a default", name))
}

// renderVar renders the Jinja in a project var's value (strings inside
// lists and mappings too) for the package whose node asked.
func (p *Program) renderVar(s *jinja.State, k *pkg, name string, x any) (jinja.Value, error) {
	if k == nil {
		k = p.root
	}
	ctx := context.Background()
	if st := stateOf(s); st != nil && st.ctx != nil {
		ctx = st.ctx
	}
	file := "dbt_project.yml"
	if k.proj != nil && k.proj.ConfigFile != "" {
		file = k.prefix + k.proj.ConfigFile
	}
	r, err := p.renderYAMLValue(ctx, k, file, x)
	if err != nil {
		return jinja.Value{}, fmt.Errorf("var %q: %w", name, err)
	}
	return jinja.FromGo(r), nil
}

// renderYAMLValue renders the Jinja in a YAML value written in file of
// package k (strings inside lists and mappings too), with the target and
// vars, as dbt renders project and properties files.
func (p *Program) renderYAMLValue(ctx context.Context, k *pkg, file string, x any) (any, error) {
	st := &renderState{ctx: ctx, p: p, k: k, phase: phaseFinal}
	var render func(v any) (any, error)
	render = func(v any) (any, error) {
		switch t := v.(type) {
		case string:
			if !hasJinja(t) {
				return t, nil
			}
			var ds diag.Diagnostics
			out, ok := p.renderText(k, file, 0, t, st, &ds)
			if !ok {
				return nil, ds.Err()
			}
			return out, nil
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				r, err := render(e)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		case map[string]any:
			out := make(map[string]any, len(t))
			for key, e := range t {
				r, err := render(e)
				if err != nil {
					return nil, err
				}
				out[key] = r
			}
			return out, nil
		}
		return v, nil
	}
	return render(x)
}

func (p *Program) fnEnvVar(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "env_var", []string{"var", "default"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	name := v[0].String()
	if st := stateOf(s); st != nil && st.unit != nil {
		if x, ok := st.unit.envVars[name]; ok {
			return jinja.String(pyStr(x)), nil
		}
	}
	if p.o.Env != nil {
		if x, ok := p.o.Env(name); ok {
			return jinja.String(x), nil
		}
	}
	if !v[1].IsUndefined() {
		return jinja.String(v[1].String()), nil
	}
	return jinja.Value{}, fail("env var not set", fmt.Sprintf("env_var(%q): the environment variable is not set and no default is given", name))
}

// configValue answers config.get for the render: the node's config so far.
func (st *renderState) configValue(k string) (any, bool) {
	k = normKey(k)
	if v, ok := st.cfg[k]; ok {
		return v, true
	}
	if st.u == nil {
		return nil, false
	}
	if st.r != nil && st.phase != phaseParse {
		v, ok := st.r.cfgs[st.u.idx].final[k]
		return v, ok
	}
	v, ok := st.u.baseCfg[k]
	return v, ok
}

func (st *renderState) configMap() map[string]any {
	out := map[string]any{}
	if st.u != nil {
		src := st.u.baseCfg
		if st.r != nil && st.phase != phaseParse {
			src = st.r.cfgs[st.u.idx].final
		}
		for k, v := range src {
			out[k] = v
		}
	}
	for k, v := range st.cfg {
		out[k] = v
	}
	return out
}

// modelDict is `model`: the node being rendered, as dbt's graph node.
func (st *renderState) modelDict() *jinja.Dict {
	n := st.u.node
	d := jinja.NewDict()
	d.SetStr("name", jinja.String(n.Name))
	d.SetStr("unique_id", jinja.String(n.UniqueID))
	d.SetStr("resource_type", jinja.String(string(n.ResourceType)))
	d.SetStr("package_name", jinja.String(n.PackageName))
	d.SetStr("path", jinja.String(n.Path))
	d.SetStr("original_file_path", jinja.String(n.OriginalFilePath))
	d.SetStr("fqn", jinja.FromGo(n.FQN))
	d.SetStr("config", jinja.FromGo(st.configMap()))
	d.SetStr("raw_code", jinja.String(n.RawCode))
	d.SetStr("language", jinja.String("sql"))
	d.SetStr("tags", jinja.FromGo(anyList(strList(st.configMap()["tags"]))))
	if st.r != nil && st.phase != phaseParse {
		if rel := st.r.rels[st.u.idx]; rel.Identifier != "" {
			d.SetStr("database", jinja.String(rel.Database))
			d.SetStr("schema", jinja.String(rel.Schema))
			d.SetStr("alias", jinja.String(rel.Identifier))
			d.SetStr("relation_name", jinja.String(st.r.relNames[st.u.idx]))
		}
		if mn := st.r.Manifest; mn != nil {
			if node := mn.Nodes[n.UniqueID]; node != nil {
				d.SetStr("depends_on", jinja.FromGo(map[string]any{"nodes": anyList(node.DependsOn.Nodes), "macros": anyList(node.DependsOn.Macros)}))
				cols := map[string]any{}
				for name, c := range node.Columns {
					cols[name] = map[string]any{"name": c.Name, "description": c.Description, "data_type": c.DataType, "meta": c.Meta, "tags": anyList(c.Tags)}
				}
				d.SetStr("columns", jinja.FromGo(cols))
				d.SetStr("description", jinja.String(node.Description))
				if node.CompiledCode != "" {
					d.SetStr("compiled_code", jinja.String(node.CompiledCode))
				}
			}
		}
	}
	return d
}

// fnRunQuery is run_query(sql): the rows of a query, or None while parsing
// (dbt's run_query returns load_result(...).table, which is empty then).
func (p *Program) fnRunQuery(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "run_query", []string{"sql"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	st := stateOf(s)
	if st == nil || !st.exec || st.wh == nil {
		if st != nil {
			st.introspects()
		}
		return parseStubValue, nil
	}
	st.introspects()
	t, err := st.wh.Query(st.ctx, v[0].String(), 0)
	if err != nil {
		return jinja.Value{}, fail("run_query failed", err.Error())
	}
	return jinja.ObjectValue(newQueryTable(t)), nil
}

// fnStatement is dbt's statement(name, fetch_result, auto_begin, language),
// used as a call block: `{% call statement('x', fetch_result=True) %}select …{% endcall %}`.
// It runs the block's SQL when `execute` is true and keeps the result for load_result.
func (p *Program) fnStatement(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "statement", []string{"name", "fetch_result", "auto_begin", "language", "caller"}, 0)
	if err != nil {
		return jinja.Value{}, err
	}
	st := stateOf(s)
	if st == nil {
		return jinja.String(""), nil
	}
	st.introspects()
	if !st.exec || st.wh == nil {
		return jinja.String(""), nil
	}
	caller := v[4].Callable()
	if caller == nil {
		return jinja.Value{}, fail("bad statement call", "statement() is a call block: {% call statement('name', fetch_result=True) %} SQL {% endcall %}")
	}
	body, err := caller.Call(s, jinja.Args{})
	if err != nil {
		return jinja.Value{}, err
	}
	sql := body.String()
	name := ""
	if given(v[0]) {
		name = v[0].String()
	}
	if v[1].Truthy() {
		t, err := st.wh.Query(st.ctx, sql, 0)
		if err != nil {
			return jinja.Value{}, fail("statement failed", err.Error())
		}
		st.storeResult(name, "OK", int64(len(t.Rows)), newQueryTable(t))
	} else {
		n, err := st.wh.Exec(st.ctx, sql)
		if err != nil {
			return jinja.Value{}, fail("statement failed", err.Error())
		}
		st.storeResult(name, "OK", n, newQueryTable(nil))
	}
	st.statements = append(st.statements, sql)
	return jinja.String(""), nil
}

func (st *renderState) storeResult(name, message string, rows int64, t *queryTable) {
	if name == "" {
		return
	}
	if st.results == nil {
		st.results = map[string]jinja.Value{}
	}
	resp := jinja.FromGo(map[string]any{"_message": message, "code": message, "rows_affected": rows})
	d := jinja.NewDict()
	d.SetStr("response", resp)
	d.SetStr("data", t.data())
	d.SetStr("table", jinja.ObjectValue(t))
	st.results[name] = jinja.DictValue(d)
}

func (p *Program) fnLoadResult(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "load_result", []string{"name"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	st := stateOf(s)
	if st == nil {
		return jinja.None, nil
	}
	st.introspects()
	if r, ok := st.results[v[0].String()]; ok {
		return r, nil
	}
	if !st.exec {
		// Nothing ran while parsing: like dbt's lenient parse-time
		// undefined, the result reads as empty wherever it is looked into.
		return parseStubValue, nil
	}
	return jinja.None, nil
}

func (p *Program) fnStoreResult(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "store_result", []string{"name", "response", "agate_table"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	if st := stateOf(s); st != nil {
		t, _ := v[2].Object().(*queryTable)
		if t == nil {
			t = newQueryTable(nil)
		}
		msg := "OK"
		if given(v[1]) {
			msg = v[1].String()
		}
		st.storeResult(v[0].String(), msg, -1, t)
	}
	return jinja.String(""), nil
}

func (p *Program) fnStoreRawResult(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "store_raw_result", []string{"name", "message", "code", "rows_affected", "agate_table"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	if st := stateOf(s); st != nil {
		t, _ := v[4].Object().(*queryTable)
		if t == nil {
			t = newQueryTable(nil)
		}
		rows := int64(-1)
		if v[3].IsNumber() {
			rows = v[3].AsInt()
		}
		st.storeResult(v[0].String(), v[1].String(), rows, t)
	}
	return jinja.String(""), nil
}

// relationFromArgs builds a relation from database/schema/identifier
// arguments, folding names as the warehouse does.
func (p *Program) relationFromArgs(db, schema, ident string) relation.Relation {
	return relation.Relation{Database: p.normIdent(db), Schema: p.normIdent(schema), Identifier: p.normIdent(ident)}
}
