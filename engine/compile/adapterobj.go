package compile

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// addDbtFilters adds dbt's filters. In a text render they return the value
// unchanged (dbt's as_bool and as_number act on native renders); strata turns
// rendered config and profile values into booleans and numbers afterwards,
// so `threads: "{{ env_var('T') | as_number }}"` works.
func addDbtFilters(f map[string]jinja.Filter) {
	same := func(_ *jinja.State, v jinja.Value, _ jinja.Args) (jinja.Value, error) { return v, nil }
	f["as_bool"] = same
	f["as_number"] = same
	f["as_native"] = same
	f["as_text"] = func(_ *jinja.State, v jinja.Value, _ jinja.Args) (jinja.Value, error) {
		return jinja.String(v.String()), nil
	}
}

// warehouseOf returns the render's warehouse, marking the render as one that
// introspects (it renders again at execution time). nil while parsing.
func warehouseOf(s *jinja.State) (*renderState, Warehouse) {
	st := stateOf(s)
	if st == nil {
		return nil, nil
	}
	st.introspects()
	if !st.exec {
		return st, nil
	}
	return st, st.wh
}

func (p *Program) adapterObject() jinja.Value {
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
	relArg := func(a jinja.Args, name string) (*relObj, error) {
		v, err := bind(a, name, []string{"relation"}, 1)
		if err != nil {
			return nil, err
		}
		r, ok := v[0].Object().(*relObj)
		if !ok {
			return nil, fail("bad argument", fmt.Sprintf("adapter.%s expects a relation (ref(), source(), this or api.Relation.create), got %s", name, v[0].TypeName()))
		}
		return r, nil
	}
	wrapErr := func(name string, err error) error {
		return fail("adapter."+name+" failed", err.Error())
	}
	noop := func(name string) jinja.Value {
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(""), nil })
	}
	attrs := map[string]jinja.Value{
		"type": fn("type", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(p.dialectType()), nil }),
		"quote": fn("quote", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "quote", []string{"identifier"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(p.quoteIdent(v[0])), nil
		}),
		"quote_as_configured": fn("quote_as_configured", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "quote_as_configured", []string{"identifier", "quote_key"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(v[0]), nil
		}),
		"quote_seed_column": fn("quote_seed_column", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "quote_seed_column", []string{"column", "quote_config"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			if v[1].IsNone() || v[1].IsUndefined() || v[1].Truthy() {
				return jinja.String(p.quoteIdent(v[0].String())), nil
			}
			return jinja.String(v[0].String()), nil
		}),
		"dispatch": fn("dispatch", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "dispatch", []string{"macro_name", "macro_namespace", "packages"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			st := stateOf(s)
			var k *pkg
			if st != nil {
				k = st.k
			}
			def, searched := p.dispatch(k, v[0], v[1])
			if def == nil {
				typ := p.dialectType()
				return jinja.Value{}, fail("unknown macro in adapter.dispatch",
					fmt.Sprintf("no macro named %s__%s or default__%s in %s", typ, v[0], v[0], strings.Join(searched, ", ")))
			}
			if st != nil {
				st.useMacro(def)
			}
			return def.fn, nil
		}),
		"get_relation": fn("get_relation", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "get_relation", []string{"database", "schema", "identifier"}, 3)
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.None, nil
			}
			r := p.relationFromArgs(v[0], v[1], v[2])
			kind, err := wh.RelationKind(st.ctx, r)
			if err != nil {
				return jinja.Value{}, wrapErr("get_relation", err)
			}
			if kind == relation.None {
				return jinja.None, nil
			}
			return jinja.ObjectValue(&relObj{p: p, rel: r, kind: string(kind)}), nil
		}),
		"get_columns_in_relation": fn("get_columns_in_relation", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			r, err := relArg(a, "get_columns_in_relation")
			if err != nil {
				return jinja.Value{}, err
			}
			r.touch()
			st, wh := warehouseOf(s)
			if wh == nil || r.marker != "" {
				return jinja.NewList([]jinja.Value{}), nil
			}
			cols, err := wh.Columns(st.ctx, r.rel)
			if err != nil {
				return jinja.Value{}, wrapErr("get_columns_in_relation", err)
			}
			out := make([]jinja.Value, len(cols))
			for i, c := range cols {
				out[i] = jinja.ObjectValue(&columnObj{p: p, name: c.Name, dtype: c.DataType})
			}
			return jinja.NewList(out), nil
		}),
		"get_missing_columns": fn("get_missing_columns", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "get_missing_columns", []string{"from_relation", "to_relation"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			from, ok1 := v[0].Object().(*relObj)
			to, ok2 := v[1].Object().(*relObj)
			st, wh := warehouseOf(s)
			if !ok1 || !ok2 || wh == nil {
				return jinja.NewList([]jinja.Value{}), nil
			}
			fc, err := wh.Columns(st.ctx, from.rel)
			if err != nil {
				return jinja.Value{}, wrapErr("get_missing_columns", err)
			}
			tc, err := wh.Columns(st.ctx, to.rel)
			if err != nil {
				return jinja.Value{}, wrapErr("get_missing_columns", err)
			}
			have := map[string]bool{}
			for _, c := range tc {
				have[strings.ToLower(c.Name)] = true
			}
			var out []jinja.Value
			for _, c := range fc {
				if !have[strings.ToLower(c.Name)] {
					out = append(out, jinja.ObjectValue(&columnObj{p: p, name: c.Name, dtype: c.DataType}))
				}
			}
			return jinja.NewList(out), nil
		}),
		"list_relations": fn("list_relations", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "list_relations", []string{"database", "schema"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			return p.listRelations(s, v[0], v[1])
		}),
		"list_relations_without_caching": fn("list_relations_without_caching", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			r, err := relArg(a, "list_relations_without_caching")
			if err != nil {
				return jinja.Value{}, err
			}
			return p.listRelations(s, r.rel.Database, r.rel.Schema)
		}),
		"list_schemas": fn("list_schemas", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "list_schemas", []string{"database"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.NewList([]jinja.Value{}), nil
			}
			names, err := p.schemas(st, wh, v[0])
			if err != nil {
				return jinja.Value{}, wrapErr("list_schemas", err)
			}
			out := make([]jinja.Value, len(names))
			for i, n := range names {
				out[i] = jinja.String(n)
			}
			return jinja.NewList(out), nil
		}),
		"check_schema_exists": fn("check_schema_exists", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "check_schema_exists", []string{"database", "schema"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.False, nil
			}
			names, err := p.schemas(st, wh, v[0])
			if err != nil {
				return jinja.Value{}, wrapErr("check_schema_exists", err)
			}
			want := p.normIdent(v[1])
			for _, n := range names {
				if strings.EqualFold(n, want) {
					return jinja.True, nil
				}
			}
			return jinja.False, nil
		}),
		"create_schema": fn("create_schema", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			r, err := relArg(a, "create_schema")
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.String(""), nil
			}
			if err := wh.CreateSchema(st.ctx, r.rel.Database, r.rel.Schema); err != nil {
				return jinja.Value{}, wrapErr("create_schema", err)
			}
			return jinja.String(""), nil
		}),
		"drop_schema": fn("drop_schema", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			r, err := relArg(a, "drop_schema")
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.String(""), nil
			}
			d, ok := wh.(schemaDropper)
			if !ok {
				_, err = wh.Exec(st.ctx, "drop schema if exists "+p.schemaName(r.rel.Database, r.rel.Schema)+" cascade")
			} else {
				err = d.DropSchema(st.ctx, r.rel.Database, r.rel.Schema)
			}
			if err != nil {
				return jinja.Value{}, wrapErr("drop_schema", err)
			}
			return jinja.String(""), nil
		}),
		"drop_relation": fn("drop_relation", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			r, err := relArg(a, "drop_relation")
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.String(""), nil
			}
			kind := relation.Kind(r.kind)
			if kind == "" {
				if kind, err = wh.RelationKind(st.ctx, r.rel); err != nil {
					return jinja.Value{}, wrapErr("drop_relation", err)
				}
			}
			if kind != relation.None {
				if err := wh.DropRelation(st.ctx, r.rel, kind); err != nil {
					return jinja.Value{}, wrapErr("drop_relation", err)
				}
			}
			return jinja.String(""), nil
		}),
		"rename_relation": fn("rename_relation", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "rename_relation", []string{"from_relation", "to_relation"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			from, ok1 := v[0].Object().(*relObj)
			to, ok2 := v[1].Object().(*relObj)
			if !ok1 || !ok2 {
				return jinja.Value{}, fail("bad argument", "adapter.rename_relation expects two relations")
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.String(""), nil
			}
			kind := "table"
			if from.kind == "view" {
				kind = "view"
			}
			sql := fmt.Sprintf("alter %s %s rename to %s", kind, p.renderRelation(from.rel), p.quoteIdent(to.rel.Identifier))
			if _, err := wh.Exec(st.ctx, sql); err != nil {
				return jinja.Value{}, wrapErr("rename_relation", err)
			}
			return jinja.String(""), nil
		}),
		"execute": fn("execute", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "execute", []string{"sql", "auto_begin", "fetch", "limit"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			empty := jinja.NewTuple([]jinja.Value{jinja.FromGo(map[string]any{"_message": "", "rows_affected": -1}), jinja.ObjectValue(newQueryTable(nil))})
			if wh == nil {
				return empty, nil
			}
			if v[2].Truthy() {
				t, err := wh.Query(st.ctx, v[0].String(), 0)
				if err != nil {
					return jinja.Value{}, wrapErr("execute", err)
				}
				return jinja.NewTuple([]jinja.Value{jinja.FromGo(map[string]any{"_message": "OK", "rows_affected": int64(len(t.Rows))}), jinja.ObjectValue(newQueryTable(t))}), nil
			}
			n, err := wh.Exec(st.ctx, v[0].String())
			if err != nil {
				return jinja.Value{}, wrapErr("execute", err)
			}
			return jinja.NewTuple([]jinja.Value{jinja.FromGo(map[string]any{"_message": "OK", "rows_affected": n}), jinja.ObjectValue(newQueryTable(nil))}), nil
		}),
		"already_exists": fn("already_exists", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := strArgs(a, "already_exists", []string{"schema", "name"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			st, wh := warehouseOf(s)
			if wh == nil {
				return jinja.False, nil
			}
			kind, err := wh.RelationKind(st.ctx, p.relationFromArgs(p.o.Target.Database, v[0], v[1]))
			if err != nil {
				return jinja.Value{}, wrapErr("already_exists", err)
			}
			return jinja.Bool(kind != relation.None), nil
		}),
		"commit":                     noop("commit"),
		"expand_target_column_types": noop("expand_target_column_types"),
		"cache_added":                noop("cache_added"),
		"cache_dropped":              noop("cache_dropped"),
		"cache_renamed":              noop("cache_renamed"),
	}
	attrs["Relation"] = p.apiRelation()
	attrs["Column"] = p.apiColumn()
	return newModule("adapter", attrs)
}

func (p *Program) quoteIdent(s string) string {
	if p.o.Dialect == nil {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return p.o.Dialect.QuoteIdent(s)
}

func (p *Program) listRelations(s *jinja.State, db, schema string) (jinja.Value, error) {
	st, wh := warehouseOf(s)
	if wh == nil {
		return jinja.NewList([]jinja.Value{}), nil
	}
	l, ok := wh.(relationLister)
	if !ok {
		return jinja.Value{}, fail("unsupported", "this warehouse cannot list relations")
	}
	rels, err := l.ListRelations(st.ctx, p.normIdent(db), p.normIdent(schema))
	if err != nil {
		return jinja.Value{}, fail("adapter.list_relations failed", err.Error())
	}
	out := make([]jinja.Value, len(rels))
	for i, r := range rels {
		out[i] = jinja.ObjectValue(&relObj{p: p, rel: r.Relation, kind: string(r.Kind)})
	}
	return jinja.NewList(out), nil
}

func (p *Program) schemas(st *renderState, wh Warehouse, db string) ([]string, error) {
	if db == "" {
		db = p.o.Target.Database
	}
	if l, ok := wh.(schemaLister); ok {
		return l.ListSchemas(st.ctx, p.normIdent(db))
	}
	t, err := wh.Query(st.ctx, "select schema_name from information_schema.schemata", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range t.Rows {
		if len(r) > 0 {
			out = append(out, fmt.Sprint(r[0]))
		}
	}
	return out, nil
}

// dispatch resolves adapter.dispatch(name, ns) as dbt does: for each package
// of the search order (the project's `dispatch:` config for ns; else the root
// project then ns when ns names a package; else every package, the calling
// package first), `<adapter>__name`, then `default__name`. It returns the
// packages searched, for the error.
func (p *Program) dispatch(k *pkg, name, ns string) (*macroDef, []string) {
	var order []*pkg
	add := func(n string) {
		if x, ok := p.pkgs[n]; ok {
			for _, y := range order {
				if y == x {
					return
				}
			}
			order = append(order, x)
		}
	}
	configured := false
	for _, d := range p.root.proj.Config.Dispatch {
		if d.MacroNamespace == ns && len(d.SearchOrder) > 0 {
			configured = true
			for _, n := range d.SearchOrder {
				add(n)
			}
		}
	}
	switch {
	case configured:
	case ns != "":
		add(p.root.name)
		add(ns)
	default:
		if k != nil {
			add(k.name)
		}
		for _, x := range p.pkgOrder {
			add(x.name)
		}
	}
	prefixes := []string{p.dialectType() + "__", "default__"}
	names := make([]string, len(order))
	for i, x := range order {
		names[i] = x.name
	}
	for _, x := range order {
		for _, pre := range prefixes {
			if d, ok := x.macros[pre+name]; ok {
				return d, names
			}
		}
	}
	// dbt also finds an undecorated macro of that name (packages that dispatch to themselves).
	for _, x := range order {
		if d, ok := x.macros[name]; ok {
			return d, names
		}
	}
	return nil, names
}

// apiObject is `api`: Relation and Column, as dbt's api namespace.
func (p *Program) apiObject() jinja.Value {
	return newModule("api", map[string]jinja.Value{"Relation": p.apiRelation(), "Column": p.apiColumn()})
}

func (p *Program) apiRelation() jinja.Value {
	return newModule("Relation", map[string]jinja.Value{
		"create": fn("create", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "create", []string{"database", "schema", "identifier", "type", "quote_policy", "include_policy"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			s := func(x jinja.Value) string {
				if given(x) {
					return x.String()
				}
				return ""
			}
			r := &relObj{p: p, rel: p.relationFromArgs(s(v[0]), s(v[1]), s(v[2])), kind: s(v[3])}
			return jinja.ObjectValue(r), nil
		}),
	})
}

// columnObj is dbt's Column: a column of a relation with its type.
type columnObj struct {
	p     *Program
	name  string
	dtype string
}

func (c *columnObj) String() string { return c.name }
func (c *columnObj) Repr() string {
	return fmt.Sprintf("<Column %s (%s)>", c.name, c.dtype)
}

func (c *columnObj) upper() string { return strings.ToUpper(c.dtype) }

func (c *columnObj) isString() bool {
	t := c.upper()
	return strings.Contains(t, "CHAR") || strings.Contains(t, "TEXT") || t == "STRING"
}

func (c *columnObj) isInteger() bool {
	t := c.upper()
	for _, x := range []string{"INT", "BIGINT", "SMALLINT", "INTEGER", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "INT2", "INT4", "INT8"} {
		if t == x {
			return true
		}
	}
	return false
}

func (c *columnObj) isFloat() bool {
	t := c.upper()
	return strings.Contains(t, "FLOAT") || strings.Contains(t, "DOUBLE") || t == "REAL"
}

func (c *columnObj) isNumeric() bool {
	t := c.upper()
	return strings.HasPrefix(t, "NUMERIC") || strings.HasPrefix(t, "DECIMAL") || t == "NUMBER" || strings.HasPrefix(t, "NUMBER(")
}

func (c *columnObj) Attr(name string) (jinja.Value, bool) {
	b := func(f func() bool) jinja.Value {
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.Bool(f()), nil })
	}
	switch name {
	case "name", "column":
		return jinja.String(c.name), true
	case "quoted":
		return jinja.String(c.p.quoteIdent(c.name)), true
	case "dtype", "data_type":
		return jinja.String(c.dtype), true
	case "char_size":
		return jinja.None, true
	case "numeric_precision", "numeric_scale":
		return jinja.None, true
	case "is_string":
		return b(c.isString), true
	case "is_integer":
		return b(c.isInteger), true
	case "is_float":
		return b(c.isFloat), true
	case "is_numeric":
		return b(c.isNumeric), true
	case "is_number":
		return b(func() bool { return c.isInteger() || c.isFloat() || c.isNumeric() }), true
	case "string_size":
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.Int(256), nil }), true
	case "can_expand_to":
		return b(func() bool { return false }), true
	}
	return jinja.Value{}, false
}

// typeLabels are dbt's translations of generic type names per warehouse
// (Column.translate_type).
var typeLabels = map[string]map[string]string{
	"postgres":  {"STRING": "TEXT", "TIMESTAMP": "TIMESTAMP", "FLOAT": "FLOAT", "INTEGER": "INT", "BOOLEAN": "BOOLEAN"},
	"snowflake": {"STRING": "TEXT", "TIMESTAMP": "TIMESTAMP_NTZ", "FLOAT": "FLOAT", "INTEGER": "INT", "BOOLEAN": "BOOLEAN"},
	"duckdb":    {"STRING": "VARCHAR", "TIMESTAMP": "TIMESTAMP", "FLOAT": "DOUBLE", "INTEGER": "INTEGER", "BOOLEAN": "BOOLEAN"},
}

func (p *Program) apiColumn() jinja.Value {
	translate := func(t string) string {
		if l, ok := typeLabels[p.dialectType()][strings.ToUpper(t)]; ok {
			return l
		}
		return t
	}
	return newModule("Column", map[string]jinja.Value{
		"create": fn("create", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "create", []string{"name", "label_or_dtype"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.ObjectValue(&columnObj{p: p, name: v[0].String(), dtype: translate(v[1].String())}), nil
		}),
		"translate_type": fn("translate_type", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "translate_type", []string{"dtype"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(translate(v[0].String())), nil
		}),
		"string_type": fn("string_type", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "string_type", []string{"size"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			if p.dialectType() == "duckdb" {
				return jinja.String("varchar"), nil
			}
			return jinja.String(fmt.Sprintf("character varying(%d)", v[0].AsInt())), nil
		}),
		"numeric_type": fn("numeric_type", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "numeric_type", []string{"dtype", "precision", "scale"}, 3)
			if err != nil {
				return jinja.Value{}, err
			}
			if v[1].IsNone() || v[2].IsNone() {
				return jinja.String(v[0].String()), nil
			}
			return jinja.String(fmt.Sprintf("%s(%d,%d)", v[0].String(), v[1].AsInt(), v[2].AsInt())), nil
		}),
	})
}

// graphObj is `graph`: the manifest as dbt's flat graph (nodes, sources,
// exposures, metrics, groups). Reading it marks the render as one that runs
// again at execution time; while parsing it is empty.
type graphObj struct{ st *renderState }

func (g *graphObj) value() *jinja.Dict {
	st := g.st
	st.introspects()
	if st.r == nil || st.phase == phaseParse || st.r.Manifest == nil {
		d := jinja.NewDict()
		for _, k := range []string{"nodes", "sources", "exposures", "metrics", "groups", "semantic_models", "saved_queries", "unit_tests", "macros"} {
			d.SetStr(k, jinja.DictValue(jinja.NewDict()))
		}
		return d
	}
	return st.r.graphDict()
}

func (g *graphObj) Attr(name string) (jinja.Value, bool) {
	d := g.value()
	if name == "get" {
		return getMethod(d.Get), true
	}
	return d.GetStr(name)
}
func (g *graphObj) Item(k jinja.Value) (jinja.Value, bool) { return g.value().Get(k) }
func (g *graphObj) Iter() []jinja.Value                    { return g.value().Keys() }
func (g *graphObj) Len() int                               { return g.value().Len() }
func (g *graphObj) Repr() string                           { return "<graph>" }

// graphDict builds the flat graph once per Parsed.
func (r *Parsed) graphDict() *jinja.Dict {
	r.graphOnce.Do(func() {
		nodes, sources := jinja.NewDict(), jinja.NewDict()
		ids := make([]string, 0, len(r.Manifest.Nodes))
		for id := range r.Manifest.Nodes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			nodes.SetStr(id, graphNode(r.Manifest.Nodes[id]))
		}
		sids := make([]string, 0, len(r.Manifest.Sources))
		for id := range r.Manifest.Sources {
			sids = append(sids, id)
		}
		sort.Strings(sids)
		for _, id := range sids {
			sources.SetStr(id, graphNode(r.Manifest.Sources[id]))
		}
		d := jinja.NewDict()
		d.SetStr("nodes", jinja.DictValue(nodes))
		d.SetStr("sources", jinja.DictValue(sources))
		d.SetStr("exposures", jinja.DictValue(graphMap(r.Manifest.Exposures)))
		d.SetStr("unit_tests", jinja.DictValue(graphMap(r.Manifest.UnitTests)))
		groups := jinja.NewDict()
		for _, id := range slices.Sorted(maps.Keys(r.Manifest.Groups)) {
			g := r.Manifest.Groups[id]
			groups.SetStr(id, jinja.FromGo(map[string]any{"unique_id": g.UniqueID, "name": g.Name, "resource_type": string(g.ResourceType),
				"package_name": g.PackageName, "path": g.Path, "original_file_path": g.OriginalFilePath, "description": g.Description,
				"owner": map[string]any{"name": nilIfEmpty(g.Owner.Name), "email": nilIfEmpty(g.Owner.Email)}}))
		}
		d.SetStr("groups", jinja.DictValue(groups))
		for _, k := range []string{"metrics", "semantic_models", "saved_queries"} {
			d.SetStr(k, jinja.DictValue(jinja.NewDict()))
		}
		r.graph = jinja.DictValue(d)
	})
	return r.graph.Dict()
}

// graphMap is a map of nodes as the graph shows them, sorted by id.
func graphMap(m map[string]*manifest.Node) *jinja.Dict {
	d := jinja.NewDict()
	for _, id := range slices.Sorted(maps.Keys(m)) {
		d.SetStr(id, graphNode(m[id]))
	}
	return d
}

// graphConstraints are constraints as dbt's graph lists them.
func graphConstraints(cs []manifest.Constraint) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"type": c.Type, "name": nilIfEmpty(c.Name), "expression": nilIfEmpty(c.Expression),
			"columns": anyList(c.Columns), "to": nilIfEmpty(c.To), "to_columns": anyList(c.ToColumns)}
	}
	return out
}

// nilIfEmpty is None for an unset string, as dbt's graph has it.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func graphPeriod(p *manifest.Period) map[string]any {
	if p == nil {
		return map[string]any{"count": nil, "period": nil}
	}
	return map[string]any{"count": p.Count, "period": p.Period}
}

// graphNode is one node of `graph` with the fields of dbt's manifest that
// packages read (dbt-project-evaluator reads nearly all of them).
func graphNode(n *manifest.Node) jinja.Value {
	cols := map[string]any{}
	for name, c := range n.Columns {
		cols[name] = map[string]any{"name": c.Name, "description": c.Description, "data_type": nilIfEmpty(c.DataType), "meta": c.Meta,
			"tags": anyList(c.Tags), "constraints": graphConstraints(c.Constraints), "quote": nil}
	}
	cfg := map[string]any{"enabled": n.Config.Enabled, "materialized": n.Config.Materialized, "tags": anyList(n.Config.Tags),
		"meta": n.Config.Meta, "schema": n.Config.Schema, "database": n.Config.Database, "alias": n.Config.Alias,
		"severity": n.Config.Severity, "unique_key": anyList(n.Config.UniqueKey), "on_schema_change": nilIfEmpty(n.Config.OnSchemaChange)}
	for k, v := range n.Config.Extra {
		cfg[k] = v
	}
	refs := make([]any, len(n.Refs))
	for i, rc := range n.Refs {
		refs[i] = map[string]any{"name": rc.Name, "package": rc.Package, "version": nil}
	}
	srcs := make([]any, len(n.Sources))
	for i, s := range n.Sources {
		srcs[i] = anyList(s)
	}
	m := map[string]any{
		"unique_id": n.UniqueID, "name": n.Name, "resource_type": string(n.ResourceType), "package_name": n.PackageName,
		"path": n.Path, "original_file_path": n.OriginalFilePath, "fqn": anyList(n.FQN), "raw_code": n.RawCode,
		"database": n.Database, "schema": n.Schema, "alias": n.Alias, "relation_name": n.RelationName,
		"config": cfg, "tags": anyList(n.Tags), "meta": n.Meta, "description": n.Description, "columns": cols,
		"depends_on": map[string]any{"nodes": anyList(n.DependsOn.Nodes), "macros": anyList(n.DependsOn.Macros)},
		"refs":       refs, "sources": srcs, "patch_path": n.PatchPath,
		"language": n.Language, "checksum": map[string]any{"name": n.Checksum.Name, "checksum": n.Checksum.Checksum},
		"unrendered_config": n.UnrenderedConfig,
		"group":             nilIfEmpty(n.Group), "access": nilIfEmpty(n.Access), "version": nilIfEmpty(string(n.Version)),
		"latest_version": nilIfEmpty(string(n.LatestVersion)), "deprecation_date": nilIfEmpty(n.DeprecationDate),
	}
	if n.ResourceType == manifest.Model {
		contract := map[string]any{"enforced": false, "alias_types": true}
		if c := n.Contract; c != nil {
			contract = map[string]any{"enforced": c.Enforced, "alias_types": c.AliasTypes}
		}
		m["contract"] = contract
		m["constraints"] = graphConstraints(n.Constraints)
		m["time_spine"] = nil // dbt 1.9's time_spine: properties, as written
		if n.TimeSpine != nil {
			m["time_spine"] = n.TimeSpine
		}
		if m["access"] == nil {
			m["access"] = "protected" // dbt's default for models
		}
	}
	if x := n.Exposure; x != nil {
		m["type"], m["label"], m["maturity"], m["url"] = x.Type, nilIfEmpty(x.Label), nilIfEmpty(x.Maturity), nilIfEmpty(x.URL)
		m["owner"] = map[string]any{"name": nilIfEmpty(x.Owner.Name), "email": nilIfEmpty(x.Owner.Email)}
	}
	if n.ResourceType == manifest.Test {
		m["column_name"] = n.ColumnName
		m["attached_node"] = n.AttachedNode
		if n.TestMetadata != nil {
			m["test_metadata"] = map[string]any{"name": n.TestMetadata.Name, "kwargs": n.TestMetadata.Kwargs, "namespace": n.TestMetadata.Namespace}
		}
	}
	if n.ResourceType == manifest.Source {
		m["source_name"] = n.SourceName
		m["identifier"] = n.Identifier
		m["loaded_at_field"] = nilIfEmpty(n.LoadedAtField)
		m["source_description"] = n.SourceDescription
		f := map[string]any{"warn_after": graphPeriod(nil), "error_after": graphPeriod(nil), "filter": nil}
		if fr := n.Freshness; fr != nil {
			f = map[string]any{"warn_after": graphPeriod(fr.WarnAfter), "error_after": graphPeriod(fr.ErrorAfter), "filter": nilIfEmpty(fr.Filter)}
		}
		m["freshness"] = f
		cfg["freshness"] = f
		m["loader"] = n.Config.Extra["loader"]
	}
	return jinja.FromGo(m)
}

// selectedRes is `selected_resources`: the unique_ids the command selected,
// known at execution time (empty while parsing).
type selectedRes struct{ st *renderState }

func (s *selectedRes) ids() []jinja.Value {
	st := s.st
	st.introspects()
	if st.r == nil || st.phase == phaseParse {
		return nil
	}
	out := make([]jinja.Value, len(st.r.selected))
	for i, id := range st.r.selected {
		out[i] = jinja.String(id)
	}
	return out
}

func (s *selectedRes) Attr(string) (jinja.Value, bool) { return jinja.Value{}, false }
func (s *selectedRes) Iter() []jinja.Value             { return s.ids() }
func (s *selectedRes) Len() int                        { return len(s.ids()) }
func (s *selectedRes) Repr() string                    { return jinja.NewList(s.ids()).Repr() }

// schemaName renders database.schema for schema statements; PostgreSQL
// names a schema without its database.
func (p *Program) schemaName(db, schema string) string {
	if db == "" || p.dialectType() == "postgres" {
		return p.quoteIdent(schema)
	}
	return p.quoteIdent(db) + "." + p.quoteIdent(schema)
}
