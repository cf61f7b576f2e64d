package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/strata-dev/strata/engine/diag"
)

// buildBase fills the shared base context: strata's globals and every macro.
// It runs once, before any render; afterwards the base is only read.
func (c *compiler) buildBase() {
	b := c.j.base
	set := func(name string, f jfunc) { b.Set(name, f) }

	set("ref", c.fnRef)
	set("source", c.fnSource)
	set("var", c.fnVar)
	set("env_var", c.fnEnvVar)
	set("is_incremental", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		st := stateOf(e)
		if st == nil {
			return exec.AsValue(false)
		}
		st.usedIncr = true
		return exec.AsValue(st.incr)
	})
	set("return", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		st := stateOf(e)
		if st == nil || len(st.frames) == 0 {
			return errValue(errReturn)
		}
		f := st.frames[len(st.frames)-1]
		f.returned = true
		f.value = exec.AsValue(nil)
		if len(va.Args) > 0 {
			f.value = va.Args[0]
		}
		// Stop the macro: gonja unwinds on an error value; callMacro sees the
		// frame's value and returns it instead of the error.
		return errValue(errReturn)
	})
	logf := func(level string) jfunc {
		return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			msg, _ := argStr(va, 0, "msg")
			lv := level
			if v, ok := argAt(va, 1, "info"); ok && v.IsTrue() {
				lv = "info"
			}
			if c.o.Log != nil {
				c.o.Log(lv, msg)
			}
			return exec.AsValue("")
		}
	}
	set("log", logf("debug"))
	set("print", logf("info"))
	set("tojson", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		v, _ := argAt(va, 0, "obj")
		s, err := toJSON(toGo(v), false)
		if err != nil {
			return errValue(err)
		}
		return exec.AsValue(s)
	})
	set("fromjson", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		s, _ := argStr(va, 0, "string")
		x, err := fromJSON(s)
		if err != nil {
			return errValue(err)
		}
		return exec.ToValue(x)
	})
	set("toyaml", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		v, _ := argAt(va, 0, "obj")
		s, err := toYAML(toGo(v))
		if err != nil {
			return errValue(err)
		}
		return exec.AsValue(s)
	})
	set("fromyaml", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		s, _ := argStr(va, 0, "string")
		x, err := fromYAML(s)
		if err != nil {
			return errValue(err)
		}
		return exec.ToValue(x)
	})
	set("local_md5", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		s, _ := argStr(va, 0, "value")
		return exec.AsValue(md5hex(s))
	})
	set("zip", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		var lists [][]any
		for _, a := range va.Args {
			l, _ := toGo(a).([]any)
			lists = append(lists, l)
		}
		out := []any{}
		for i := 0; len(lists) > 0; i++ {
			row := []any{}
			for _, l := range lists {
				if i >= len(l) {
					return exec.AsValue(out)
				}
				row = append(row, l[i])
			}
			out = append(out, row)
		}
		return exec.AsValue(out)
	})
	set("run_query", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		sql, _ := argStr(va, 0, "sql")
		t, err := c.runQuery(c.ctx, sql)
		if err != nil {
			return errValue(stateOf(e).fail("run_query failed", err.Error()))
		}
		return exec.AsValue(t)
	})
	set("doc", func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		name, _ := argStr(va, len(va.Args)-1, "name")
		d, ok := c.docs[name]
		if !ok {
			names := make([]string, 0, len(c.docs))
			for n := range c.docs {
				names = append(names, n)
			}
			return errValue(stateOf(e).failSuggest("unknown doc", fmt.Sprintf("doc(%q) names no {%% docs %%} block", name), diag.Suggest(name, names)))
		}
		return exec.AsValue(d)
	})

	b.Set("execute", c.o.Adapter != nil)
	b.Set("run_started_at", pyDatetime{t: c.now().UTC()})
	b.Set("invocation_id", c.o.InvocationID)
	b.Set("project_name", c.name)
	b.Set("dbt_version", "1.8.0")
	b.Set("flags", map[string]any{"FULL_REFRESH": c.o.FullRefresh, "WHICH": "compile"})
	b.Set("modules", c.modulesObject())
	b.Set("target", c.targetObject())
	b.Set("exceptions", map[string]any{
		"raise_compiler_error": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			msg, _ := argStr(va, 0, "msg")
			return errValue(stateOf(e).fail("compilation error", msg))
		}),
		"raise_not_implemented": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			msg, _ := argStr(va, 0, "msg")
			return errValue(stateOf(e).fail("not implemented", msg))
		}),
		"warn": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			msg, _ := argStr(va, 0, "msg")
			st := stateOf(e)
			file := ""
			if st != nil && st.u != nil {
				file = st.u.node.OriginalFilePath
			}
			c.addDiag(diag.Diagnostic{Severity: diag.Warning, File: file, Summary: "warning", Detail: msg})
			return exec.AsValue("")
		}),
	})
	b.Set("adapter", c.adapterObject())

	// Macros: project macros override the built-in global project.
	for name, def := range c.macros {
		b.Set(name, c.macroFunc(def))
	}
}

func (c *compiler) targetObject() map[string]any {
	t := c.o.Target
	m := map[string]any{}
	for k, v := range t.Fields {
		switch strings.ToLower(k) {
		case "password", "pass", "private_key", "private_key_passphrase", "token", "secret", "passphrase":
			continue
		}
		m[k] = plain(v)
	}
	m["name"] = t.Name
	m["target_name"] = t.Name
	m["type"] = t.Type
	m["schema"] = t.Schema
	m["database"] = t.Database
	m["threads"] = t.Threads
	m["profile_name"] = t.Profile
	return m
}

func (c *compiler) adapterObject() map[string]any {
	typ := ""
	if c.o.Dialect != nil {
		typ = c.o.Dialect.Type()
	}
	return map[string]any{
		"type": func() string { return typ },
		"quote": func(s string) string {
			if c.o.Dialect == nil {
				return `"` + s + `"`
			}
			return c.o.Dialect.QuoteIdent(s)
		},
		"dispatch": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			name, _ := argStr(va, 0, "macro_name")
			ns, _ := argStr(va, 1, "macro_namespace")
			if def := c.dispatch(name, ns); def != nil {
				if st := stateOf(e); st != nil {
					if st.macros == nil {
						st.macros = map[string]bool{}
					}
					st.macros[def.uniqueID] = true
				}
				return exec.AsValue(c.macroFunc(def))
			}
			return errValue(stateOf(e).fail("unknown macro in adapter.dispatch",
				fmt.Sprintf("no macro named %s__%s or default__%s", typ, name, name)))
		}),
		"get_relation": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			db, _ := argStr(va, 0, "database")
			sc, _ := argStr(va, 1, "schema")
			id, _ := argStr(va, 2, "identifier")
			r, err := c.getRelation(db, sc, id)
			if err != nil {
				return errValue(stateOf(e).fail("adapter.get_relation failed", err.Error()))
			}
			if r == nil {
				return exec.AsValue(nil)
			}
			return exec.AsValue(r)
		}),
		"get_columns_in_relation": jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			v, _ := argAt(va, 0, "relation")
			r, _ := v.Interface().(*relObj)
			if r == nil || c.o.Adapter == nil {
				return exec.AsValue([]any{})
			}
			r.touch()
			cols, err := c.o.Adapter.Columns(c.ctx, r.rel)
			if err != nil {
				return errValue(stateOf(e).fail("adapter.get_columns_in_relation failed", err.Error()))
			}
			out := []any{}
			for _, col := range cols {
				out = append(out, map[string]any{"name": col.Name, "column": col.Name, "data_type": col.DataType, "dtype": col.DataType})
			}
			return exec.AsValue(out)
		}),
	}
}

// dispatch finds <adapter>__name, then default__name, in the namespaces the
// project's dispatch config lists for ns (else the project, then the global project).
func (c *compiler) dispatch(name, ns string) *macroDef {
	typ := ""
	if c.o.Dialect != nil {
		typ = c.o.Dialect.Type()
	}
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

func (c *compiler) fnRef(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	var pkg, name string
	switch len(va.Args) {
	case 1:
		name = va.Args[0].String()
	case 2:
		pkg, name = va.Args[0].String(), va.Args[1].String()
	default:
		return errValue(st.fail("bad ref", "ref() takes a model name, or a package and a model name"))
	}
	idx, err := c.lookupRef(st, pkg, name)
	if err != nil {
		return errValue(err)
	}
	if st != nil {
		st.refs = append(st.refs, idx)
	}
	return exec.AsValue(c.relFor(st, idx))
}

func (c *compiler) lookupRef(st *renderState, pkg, name string) (int, error) {
	if pkg != "" && pkg != c.name {
		return 0, st.fail("unknown package in ref", fmt.Sprintf("ref(%q, %q) names package %q, but only %q is loaded", pkg, name, pkg, c.name))
	}
	idx, ok := c.byName[name]
	if !ok {
		if c.disabledNames[name] {
			return 0, st.fail("ref to a disabled node", fmt.Sprintf("%q is disabled (enabled: false); enable it or remove the ref", name))
		}
		return 0, st.failSuggest("unknown model in ref", fmt.Sprintf("ref(%q) names no model, seed or snapshot in the project", name), diag.Suggest(name, c.refNames))
	}
	return idx, nil
}

func (c *compiler) fnSource(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	s, _ := argStr(va, 0, "source_name")
	t, _ := argStr(va, 1, "table_name")
	n, err := c.lookupSource(st, s, t)
	if err != nil {
		return errValue(err)
	}
	if st != nil {
		st.sources = append(st.sources, n.UniqueID)
	}
	return exec.AsValue(&relObj{rel: n.Relation, rendered: n.RelationName, kind: "table"})
}

func (c *compiler) lookupSource(st *renderState, s, t string) (*nodeRef, error) {
	tables, ok := c.sources[s]
	if !ok {
		names := make([]string, 0, len(c.sources))
		for n := range c.sources {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, st.failSuggest("unknown source", fmt.Sprintf("source(%q, %q) names no source %q in the properties YAML", s, t, s), diag.Suggest(s, names))
	}
	n, ok := tables[t]
	if !ok {
		names := make([]string, 0, len(tables))
		for n := range tables {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, st.failSuggest("unknown source table", fmt.Sprintf("source(%q, %q): source %q has no table %q", s, t, s, t), diag.Suggest(t, names))
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

func (c *compiler) fnVar(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	name, _ := argStr(va, 0, "var_name")
	if v, ok := c.lookupVar(name); ok {
		return exec.ToValue(v)
	}
	if d, ok := argAt(va, 1, "default"); ok {
		return d
	}
	return errValue(st.fail("undefined var", fmt.Sprintf("var(%q) is not set: define it under vars: in the project file, pass it with --vars, or give a default", name)))
}

func (c *compiler) fnEnvVar(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	name, _ := argStr(va, 0, "var")
	if c.o.Env != nil {
		if v, ok := c.o.Env(name); ok {
			return exec.AsValue(v)
		}
	}
	if d, ok := argAt(va, 1, "default"); ok {
		return exec.AsValue(d.String())
	}
	return errValue(st.fail("env var not set", fmt.Sprintf("env_var(%q): the environment variable is not set and no default is given", name)))
}

// configCall is config(k=v, …): it records the node's in-file config.
func (c *compiler) configCall(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	if st == nil {
		return exec.AsValue("")
	}
	if st.cfg == nil {
		st.cfg = map[string]any{}
	}
	add := func(k string, v *exec.Value) {
		mergeKey(st.cfg, k, toGo(v))
	}
	for _, a := range va.Args {
		if dv := viewDict(a); dv.ok {
			for _, k := range dv.keys() {
				v, _ := dv.get(k)
				add(k, v)
			}
		}
	}
	keys := make([]string, 0, len(va.KwArgs))
	for k := range va.KwArgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, va.KwArgs[k])
	}
	return exec.AsValue("")
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
