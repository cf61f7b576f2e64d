package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
)

// buildGlobals fills the environment's globals once per Compile: strata's
// functions and objects, which find the render they serve through
// State.Host, and every macro. Afterwards the environment is only read.
func (c *compiler) buildGlobals() {
	g := c.env.Globals
	set := func(name string, f jinja.Func) { g[name] = fn(name, f) }

	set("ref", c.fnRef)
	set("source", c.fnSource)
	set("var", c.fnVar)
	set("env_var", c.fnEnvVar)
	g["config"] = jinja.ObjectValue(configObj{})
	set("is_incremental", func(s *jinja.State, _ jinja.Args) (jinja.Value, error) {
		st := stateOf(s)
		if st == nil {
			return jinja.False, nil
		}
		st.usedIncr = true
		return jinja.Bool(st.incr), nil
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
			if c.o.Log != nil {
				c.o.Log(lv, v[0].String())
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
	set("zip", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
		var lists [][]jinja.Value
		for _, x := range a.Pos {
			items, err := s.Iter(x)
			if err != nil {
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
	})
	set("run_query", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "run_query", []string{"sql"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		t, err := c.runQuery(c.ctx, v[0].String())
		if err != nil {
			return jinja.Value{}, fail("run_query failed", err.Error())
		}
		return jinja.ObjectValue(t), nil
	})
	set("doc", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		if len(a.Pos) == 0 || len(a.Pos) > 2 {
			return jinja.Value{}, fail("bad doc call", "doc() takes a docs block name, or a package and a name")
		}
		name := a.Pos[len(a.Pos)-1].String()
		d, ok := c.docs[name]
		if !ok {
			names := make([]string, 0, len(c.docs))
			for n := range c.docs {
				names = append(names, n)
			}
			return jinja.Value{}, failSuggest("unknown doc", fmt.Sprintf("doc(%q) names no {%% docs %%} block", name), diag.Suggest(name, names))
		}
		return jinja.String(d), nil
	})

	g["execute"] = jinja.Bool(c.o.Adapter != nil)
	g["run_started_at"] = dtValue(pyDatetime{t: c.now().UTC()})
	g["invocation_id"] = jinja.String(c.o.InvocationID)
	g["project_name"] = jinja.String(c.name)
	g["dbt_version"] = jinja.String("1.8.0")
	g["flags"] = jinja.FromGo(map[string]any{"FULL_REFRESH": c.o.FullRefresh, "WHICH": "compile"})
	g["modules"] = c.modulesObject()
	g["target"] = c.targetObject()
	msgArg := func(a jinja.Args, name string) (string, error) {
		v, err := bind(a, name, []string{"msg"}, 1)
		if err != nil {
			return "", err
		}
		return v[0].String(), nil
	}
	g["exceptions"] = newModule("exceptions", map[string]jinja.Value{
		"raise_compiler_error": fn("raise_compiler_error", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			msg, err := msgArg(a, "raise_compiler_error")
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.Value{}, fail("compilation error", msg)
		}),
		"raise_not_implemented": fn("raise_not_implemented", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			msg, err := msgArg(a, "raise_not_implemented")
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.Value{}, fail("not implemented", msg)
		}),
		"warn": fn("warn", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			msg, err := msgArg(a, "warn")
			if err != nil {
				return jinja.Value{}, err
			}
			t, pos := s.Template()
			c.warn(stateOf(s), t, pos, diag.Diagnostic{Summary: "warning", Detail: msg})
			return jinja.String(""), nil
		}),
	})
	g["adapter"] = c.adapterObject()

	// Macros by name (project macros override the built-in global project),
	// and by package: dbt.<name>, <project>.<name>.
	for _, def := range c.macros {
		g[def.name] = def.fn
	}
	for pkg, byName := range c.macrosByPkg {
		attrs := make(map[string]jinja.Value, len(byName))
		for name, def := range byName {
			attrs[name] = def.fn
		}
		if _, taken := g[pkg]; !taken {
			g[pkg] = newModule(pkg, attrs)
		}
	}
}

func (c *compiler) targetObject() jinja.Value {
	t := c.o.Target
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

func (c *compiler) adapterObject() jinja.Value {
	typ := c.dialectType()
	strArgs := func(a jinja.Args, name string, names []string, required int) ([]string, error) {
		v, err := bind(a, name, names, required)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(v))
		for i, x := range v {
			if given(x) {
				out[i] = x.String()
			}
		}
		return out, nil
	}
	return newModule("adapter", map[string]jinja.Value{
		"type": fn("type", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(typ), nil }),
		"quote": fn("quote", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "quote", []string{"identifier"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			if c.o.Dialect == nil {
				return jinja.String(`"` + v[0] + `"`), nil
			}
			return jinja.String(c.o.Dialect.QuoteIdent(v[0])), nil
		}),
		"dispatch": fn("dispatch", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "dispatch", []string{"macro_name", "macro_namespace"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			def := c.dispatch(v[0], v[1])
			if def == nil {
				return jinja.Value{}, fail("unknown macro in adapter.dispatch",
					fmt.Sprintf("no macro named %s__%s or default__%s", typ, v[0], v[0]))
			}
			if st := stateOf(s); st != nil {
				st.useMacro(def)
			}
			return def.fn, nil
		}),
		"get_relation": fn("get_relation", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "get_relation", []string{"database", "schema", "identifier"}, 3)
			if err != nil {
				return jinja.Value{}, err
			}
			r, err := c.getRelation(v[0], v[1], v[2])
			if err != nil {
				return jinja.Value{}, fail("adapter.get_relation failed", err.Error())
			}
			if r == nil {
				return jinja.None, nil
			}
			return jinja.ObjectValue(r), nil
		}),
		"get_columns_in_relation": fn("get_columns_in_relation", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "get_columns_in_relation", []string{"relation"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			r, _ := v[0].Object().(*relObj)
			if r == nil || c.o.Adapter == nil {
				return jinja.NewList([]jinja.Value{}), nil
			}
			r.touch()
			cols, err := c.o.Adapter.Columns(c.ctx, r.rel)
			if err != nil {
				return jinja.Value{}, fail("adapter.get_columns_in_relation failed", err.Error())
			}
			out := make([]jinja.Value, 0, len(cols))
			for _, col := range cols {
				out = append(out, jinja.FromGo(map[string]any{"name": col.Name, "column": col.Name, "data_type": col.DataType, "dtype": col.DataType}))
			}
			return jinja.NewList(out), nil
		}),
	})
}

// dispatch finds <adapter>__name, then default__name, in the namespaces the
// project's dispatch config lists for ns (else the project, then the global project).
func (c *compiler) dispatch(name, ns string) *macroDef {
	typ := c.dialectType()
	order := []string{c.name, globalProject}
	for _, d := range c.p.Config.Dispatch {
		if d.MacroNamespace == ns && len(d.SearchOrder) > 0 {
			order = d.SearchOrder
		}
	}
	for _, cand := range []string{typ + "__" + name, "default__" + name, name} {
		for _, pkg := range order {
			if def, ok := c.macrosByPkg[pkg][cand]; ok {
				return def
			}
		}
	}
	return nil
}

func (c *compiler) fnRef(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	var pkg, name string
	switch len(a.Pos) {
	case 1:
		name = a.Pos[0].String()
	case 2:
		pkg, name = a.Pos[0].String(), a.Pos[1].String()
	default:
		return jinja.Value{}, fail("bad ref", "ref() takes a model name, or a package and a model name")
	}
	idx, err := c.lookupRef(pkg, name)
	if err != nil {
		return jinja.Value{}, err
	}
	st := stateOf(s)
	if st == nil {
		st = &renderState{c: c, final: true}
	}
	st.refs = append(st.refs, idx)
	return jinja.ObjectValue(c.relFor(st, idx)), nil
}

func (c *compiler) lookupRef(pkg, name string) (int, error) {
	if pkg != "" && pkg != c.name {
		return 0, fail("unknown package in ref", fmt.Sprintf("ref(%q, %q) names package %q, but only %q is loaded", pkg, name, pkg, c.name))
	}
	idx, ok := c.byName[name]
	if !ok {
		if c.disabledNames[name] {
			return 0, fail("ref to a disabled node", fmt.Sprintf("%q is disabled (enabled: false); enable it or remove the ref", name))
		}
		return 0, failSuggest("unknown model in ref", fmt.Sprintf("ref(%q) names no model, seed or snapshot in the project", name), diag.Suggest(name, c.refNames))
	}
	return idx, nil
}

func (c *compiler) fnSource(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "source", []string{"source_name", "table_name"}, 2)
	if err != nil {
		return jinja.Value{}, err
	}
	n, err := c.lookupSource(v[0].String(), v[1].String())
	if err != nil {
		return jinja.Value{}, err
	}
	if st := stateOf(s); st != nil {
		st.sources = append(st.sources, n.UniqueID)
	}
	return jinja.ObjectValue(&relObj{rel: n.Relation, rendered: n.RelationName, kind: "table"}), nil
}

func (c *compiler) lookupSource(s, t string) (*nodeRef, error) {
	tables, ok := c.sources[s]
	if !ok {
		names := make([]string, 0, len(c.sources))
		for n := range c.sources {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, failSuggest("unknown source", fmt.Sprintf("source(%q, %q) names no source %q in the properties YAML", s, t, s), diag.Suggest(s, names))
	}
	n, ok := tables[t]
	if !ok {
		names := make([]string, 0, len(tables))
		for n := range tables {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, failSuggest("unknown source table", fmt.Sprintf("source(%q, %q): source %q has no table %q", s, t, s, t), diag.Suggest(t, names))
	}
	return n, nil
}

func (c *compiler) lookupVar(name string) (any, bool) {
	if v, ok := c.o.Vars[name]; ok {
		return v, true
	}
	if scoped, ok := c.p.Config.Vars[c.name].(map[string]any); ok {
		if v, ok := scoped[name]; ok {
			return v, true
		}
	}
	if v, ok := c.p.Config.Vars[name]; ok {
		if _, isScope := v.(map[string]any); !(isScope && name == c.name) {
			return v, true
		}
	}
	return nil, false
}

func (c *compiler) fnVar(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "var", []string{"var_name", "default"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	name := v[0].String()
	if x, ok := c.lookupVar(name); ok {
		return jinja.FromGo(x), nil
	}
	if !v[1].IsUndefined() {
		return v[1], nil
	}
	return jinja.Value{}, fail("undefined var", fmt.Sprintf("var(%q) is not set: define it under vars: in the project file, pass it with --vars, or give a default", name))
}

func (c *compiler) fnEnvVar(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
	v, err := bind(a, "env_var", []string{"var", "default"}, 1)
	if err != nil {
		return jinja.Value{}, err
	}
	name := v[0].String()
	if c.o.Env != nil {
		if x, ok := c.o.Env(name); ok {
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
	if st.final {
		v, ok := st.u.finalCfg[k]
		return v, ok
	}
	v, ok := st.u.baseCfg[k]
	return v, ok
}

func (st *renderState) configMap() map[string]any {
	out := map[string]any{}
	if st.u != nil {
		src := st.u.baseCfg
		if st.final {
			src = st.u.finalCfg
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
	return d
}
