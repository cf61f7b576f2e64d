package compile

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/relation"
)

// bind matches a call's arguments to Python-style parameters (see jinja.Args.Bind).
func bind(a jinja.Args, fn string, names []string, required int) ([]jinja.Value, error) {
	vals, _, err := a.Bind(fn, names, required)
	return vals, err
}

// given reports whether an optional argument was passed (and is not None).
func given(v jinja.Value) bool { return !v.IsUndefined() && !v.IsNone() }

// fn is a shorthand for a host function value.
func fn(name string, f jinja.Func) jinja.Value { return jinja.FuncValue(name, f) }

// module is a namespace object (modules.datetime, adapter, exceptions…): its
// attributes are fixed when it is built.
type module struct {
	name  string
	attrs map[string]jinja.Value
}

func (m *module) Attr(name string) (jinja.Value, bool) {
	v, ok := m.attrs[name]
	return v, ok
}

func (m *module) Repr() string { return "<module '" + m.name + "'>" }

// Item makes a namespace reachable by key too, so `dbt_utils._is_relation`
// (a private name) resolves as it does in dbt, through the mapping.
func (m *module) Item(k jinja.Value) (jinja.Value, bool) {
	v, ok := m.attrs[k.String()]
	return v, ok
}

func newModule(name string, attrs map[string]jinja.Value) jinja.Value {
	return jinja.ObjectValue(&module{name: name, attrs: attrs})
}

// relObj is a relation as templates see it (dbt's BaseRelation): it renders
// as SQL, exposes database/schema/identifier, and is a mapping as dbt's
// relations are (dbt_utils checks `relation is mapping`). During the parse
// render it is a placeholder (marker) because other nodes' configs are not
// known yet; reading its parts then forces a new render with real values.
type relObj struct {
	p        *Program
	rel      relation.Relation
	rendered string
	marker   string       // set for placeholders
	st       *renderState // placeholder owner, to flag a re-render
	cte      bool         // an ephemeral model's CTE name
	kind     string       // "table"/"view"/"materialized_view" when known
	// include says which parts render (include(database=False, …)); zero = all.
	omitDB, omitSchema, omitIdent bool
	// limit0 renders a ref or source as zero rows (--empty).
	limit0 bool
}

func (r *relObj) String() string {
	if r.marker != "" {
		return r.marker
	}
	out := r.rendered
	if out == "" && r.p != nil {
		out = r.p.renderRelation(r.visible())
	}
	if r.limit0 && !r.cte {
		return emptyRelation(out, r.rel.Identifier)
	}
	return out
}

func (r *relObj) visible() relation.Relation {
	rel := r.rel
	if r.omitDB {
		rel.Database = ""
	}
	if r.omitSchema {
		rel.Schema = ""
	}
	if r.omitIdent {
		rel.Identifier = ""
	}
	return rel
}

func (r *relObj) touch() {
	if r.marker != "" && r.st != nil {
		r.st.rerender = true
	}
}

// typeName is dbt's relation class name for the warehouse ("PostgresRelation").
func (r *relObj) typeName() string {
	t := ""
	if r.p != nil {
		t = r.p.dialectType()
	}
	switch t {
	case "postgres":
		return "PostgresRelation"
	case "snowflake":
		return "SnowflakeRelation"
	case "duckdb":
		return "DuckDBRelation"
	}
	return "BaseRelation"
}

func (r *relObj) derive(rel relation.Relation, kind string) *relObj {
	return &relObj{p: r.p, rel: rel, kind: kind}
}

func (r *relObj) dict() *jinja.Dict {
	r.touch()
	d := jinja.NewDict()
	path := jinja.NewDict()
	path.SetStr("database", strOrNone(r.rel.Database))
	path.SetStr("schema", strOrNone(r.rel.Schema))
	path.SetStr("identifier", strOrNone(r.rel.Identifier))
	d.SetStr("path", jinja.DictValue(path))
	d.SetStr("type", strOrNone(r.kind))
	d.SetStr("quote_character", jinja.String(`"`))
	d.SetStr("metadata", jinja.FromGo(map[string]any{"type": r.typeName()}))
	return d
}

func strOrNone(s string) jinja.Value {
	if s == "" {
		return jinja.None
	}
	return jinja.String(s)
}

func (r *relObj) Item(k jinja.Value) (jinja.Value, bool) { return r.dict().Get(k) }
func (r *relObj) Iter() []jinja.Value                    { return r.dict().Keys() }
func (r *relObj) Len() int                               { return r.dict().Len() }
func (r *relObj) Repr() string {
	return "<" + r.typeName() + " " + r.String() + ">"
}

// EqualValue compares relations by their parts, as dbt's relations compare.
func (r *relObj) EqualValue(o jinja.Value) bool {
	x, ok := o.Object().(*relObj)
	return ok && x.rel == r.rel && x.marker == r.marker
}

func (r *relObj) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "database":
		r.touch()
		return strOrNone(r.rel.Database), true
	case "schema":
		r.touch()
		return strOrNone(r.rel.Schema), true
	case "identifier", "name", "table":
		r.touch()
		return strOrNone(r.rel.Identifier), true
	case "type":
		return strOrNone(r.kind), true
	case "is_table":
		return jinja.Bool(r.kind == "table"), true
	case "is_view":
		return jinja.Bool(r.kind == "view"), true
	case "is_materialized_view":
		return jinja.Bool(r.kind == "materialized_view"), true
	case "is_cte":
		return jinja.Bool(r.cte), true
	case "path":
		v, _ := r.dict().GetStr("path")
		return v, true
	case "metadata":
		return jinja.FromGo(map[string]any{"type": r.typeName()}), true
	case "quote_policy", "include_policy":
		return jinja.FromGo(map[string]any{"database": !r.omitDB, "schema": !r.omitSchema, "identifier": !r.omitIdent}), true
	case "render":
		return fn("render", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(r.String()), nil }), true
	case "get":
		return getMethod(r.Item), true
	case "without_identifier":
		return fn("without_identifier", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			r.touch()
			x := r.derive(r.rel, r.kind)
			x.omitIdent = true
			return jinja.ObjectValue(x), nil
		}), true
	case "include", "quote":
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"database", "schema", "identifier"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			r.touch()
			x := r.derive(r.rel, r.kind)
			x.omitDB, x.omitSchema, x.omitIdent = r.omitDB, r.omitSchema, r.omitIdent
			if name == "include" {
				set := func(v jinja.Value, omit *bool) {
					if !v.IsUndefined() && !v.IsNone() {
						*omit = !v.Truthy()
					}
				}
				set(v[0], &x.omitDB)
				set(v[1], &x.omitSchema)
				set(v[2], &x.omitIdent)
			}
			return jinja.ObjectValue(x), nil
		}), true
	case "information_schema":
		// dbt's InformationSchema relation: <database>.INFORMATION_SCHEMA[.<view>],
		// the database quoted as the relation's, the rest as written.
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"view_name"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			r.touch()
			view := ""
			if !v[0].IsUndefined() && !v[0].IsNone() {
				view = v[0].String()
			}
			return jinja.ObjectValue(&infoSchemaObj{p: r.p, database: r.rel.Database, view: view}), nil
		}), true
	case "incorporate", "replace_path", "replace":
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			r.touch()
			rel, kind := r.rel, r.kind
			apply := func(d *jinja.Dict) {
				if d == nil {
					return
				}
				if v, ok := d.GetStr("database"); ok && !v.IsUndefined() {
					rel.Database = r.p.normIdent(v.String())
				}
				if v, ok := d.GetStr("schema"); ok && !v.IsUndefined() {
					rel.Schema = r.p.normIdent(v.String())
				}
				if v, ok := d.GetStr("identifier"); ok && !v.IsUndefined() {
					rel.Identifier = r.p.normIdent(v.String())
				}
			}
			for _, kw := range a.Kw {
				switch kw.Name {
				case "path":
					apply(kw.Value.Dict())
				case "type":
					kind = kw.Value.String()
				case "database", "schema", "identifier":
					d := jinja.NewDict()
					d.SetStr(kw.Name, kw.Value)
					apply(d)
				}
			}
			return jinja.ObjectValue(r.derive(rel, kind)), nil
		}), true
	}
	return jinja.Value{}, false
}

// infoSchemaObj is relation.information_schema(view): what dbt packages
// query the catalog through (`{{ relation.information_schema('columns') }}`).
type infoSchemaObj struct {
	p        *Program
	database string
	view     string
}

func (i *infoSchemaObj) String() string {
	out := "INFORMATION_SCHEMA"
	if i.database != "" {
		out = i.p.quoteIdent(i.database) + "." + out
	}
	if i.view != "" {
		out += "." + i.view
	}
	return out
}

func (i *infoSchemaObj) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "database":
		return strOrNone(i.database), true
	case "schema":
		return jinja.String("INFORMATION_SCHEMA"), true
	case "identifier", "information_schema_view":
		return strOrNone(i.view), true
	case "render":
		return fn("render", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(i.String()), nil }), true
	}
	return jinja.Value{}, false
}

func (i *infoSchemaObj) Repr() string { return "<InformationSchema " + i.String() + ">" }

// getMethod is a mapping's .get(key, default=None), answered by item.
func getMethod(item func(jinja.Value) (jinja.Value, bool)) jinja.Value {
	return fn("get", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "get", []string{"key", "default"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		if x, ok := item(v[0]); ok {
			return x, nil
		}
		if v[1].IsUndefined() {
			return jinja.None, nil
		}
		return v[1], nil
	})
}

// configObj is `config`: config(k=v, …) records the node's in-file config;
// config.get/require read the config known so far.
type configObj struct{}

func (configObj) Call(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	st := stateOf(s)
	if st == nil {
		return jinja.String(""), nil
	}
	if st.phase != phaseParse {
		// Only the parse render's config() counts (dbt reads config at parse time).
		return jinja.String(""), nil
	}
	if st.cfg == nil {
		st.cfg = map[string]any{}
	}
	for _, p := range a.Pos {
		if d := p.Dict(); d != nil {
			for i, k := range d.Keys() {
				mergeKey(st.cfg, k.String(), d.Values()[i].ToGo())
			}
		}
	}
	for _, kw := range a.Kw {
		mergeKey(st.cfg, kw.Name, kw.Value.ToGo())
	}
	return jinja.String(""), nil
}

func (configObj) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "get", "require", "meta_get", "meta_require":
		req := name == "require" || name == "meta_require"
		meta := strings.HasPrefix(name, "meta_")
		return fn(name, func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"name", "default", "validator"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			k := v[0].String()
			var x any
			var ok bool
			if st := stateOf(s); st != nil {
				if meta {
					if m, isMap := st.configMap()["meta"].(map[string]any); isMap {
						x, ok = m[k]
					}
				} else {
					x, ok = st.configValue(k)
				}
			}
			if !ok || x == nil {
				if req {
					return jinja.Value{}, fail("missing required config", fmt.Sprintf("config %q is required but not set", k))
				}
				if !v[1].IsUndefined() {
					return v[1], nil
				}
				return jinja.None, nil
			}
			return jinja.FromGo(x), nil
		}), true
	case "persist_relation_docs", "persist_column_docs":
		return fn(name, func(s *jinja.State, _ jinja.Args) (jinja.Value, error) {
			st := stateOf(s)
			if st == nil {
				return jinja.False, nil
			}
			pd, _ := st.configMap()["persist_docs"].(map[string]any)
			key := "relation"
			if name == "persist_column_docs" {
				key = "columns"
			}
			b, _ := boolOf(pd[key])
			return jinja.Bool(b), nil
		}), true
	}
	return jinja.Value{}, false
}

func (configObj) Repr() string { return "<config>" }

// lazyDict is a dict built on first use: `model` is read by few renders, and
// building it for every node would cost more than the rest of the render.
type lazyDict struct {
	build func() *jinja.Dict
	d     *jinja.Dict
}

func (l *lazyDict) dict() *jinja.Dict {
	if l.d == nil {
		l.d = l.build()
	}
	return l.d
}

func (l *lazyDict) Attr(name string) (jinja.Value, bool) {
	d := l.dict()
	switch name {
	case "get":
		return getMethod(d.Get), true
	case "keys":
		return fn("keys", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.NewList(append([]jinja.Value(nil), d.Keys()...)), nil
		}), true
	case "values":
		return fn("values", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.NewList(append([]jinja.Value(nil), d.Values()...)), nil
		}), true
	case "items":
		return fn("items", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, d.Len())
			for i, k := range d.Keys() {
				out[i] = jinja.NewTuple([]jinja.Value{k, d.Values()[i]})
			}
			return jinja.NewList(out), nil
		}), true
	}
	return d.GetStr(name)
}

func (l *lazyDict) Item(k jinja.Value) (jinja.Value, bool) { return l.dict().Get(k) }
func (l *lazyDict) Iter() []jinja.Value                    { return l.dict().Keys() }
func (l *lazyDict) Len() int                               { return l.dict().Len() }
func (l *lazyDict) Repr() string                           { return jinja.DictValue(l.dict()).Repr() }
func (l *lazyDict) String() string                         { return l.Repr() }

// queryTable is run_query's and load_result's table: the parts of agate's
// Table that dbt projects use (rows, columns, column_names, print_table).
type queryTable struct {
	columns []string
	types   []string
	rows    [][]jinja.Value
}

func newQueryTable(t *adapter.Table) *queryTable {
	if t == nil {
		return &queryTable{}
	}
	rows := make([][]jinja.Value, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]jinja.Value, len(r))
		for j, v := range r {
			rows[i][j] = dbValue(v)
		}
	}
	return &queryTable{columns: t.Columns, types: t.Types, rows: rows}
}

// data is load_result(...)['data']: the rows as tuples.
func (t *queryTable) data() jinja.Value {
	out := make([]jinja.Value, len(t.rows))
	for i, r := range t.rows {
		out[i] = jinja.NewTuple(append([]jinja.Value(nil), r...))
	}
	return jinja.NewList(out)
}

func (t *queryTable) rowValues() []jinja.Value {
	out := make([]jinja.Value, len(t.rows))
	for i, r := range t.rows {
		out[i] = jinja.ObjectValue(&queryRow{t: t, vals: r})
	}
	return out
}

func (t *queryTable) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "rows":
		return jinja.NewList(t.rowValues()), true
	case "columns":
		out := make([]jinja.Value, len(t.columns))
		for i, c := range t.columns {
			col := &queryColumn{name: c}
			if i < len(t.types) {
				col.typ = t.types[i]
			}
			for _, r := range t.rows {
				if i < len(r) {
					col.values = append(col.values, r[i])
				}
			}
			out[i] = jinja.ObjectValue(col)
		}
		return jinja.ObjectValue(&mappedSeq{names: t.columns, vals: out}), true
	case "column_names":
		out := make([]jinja.Value, len(t.columns))
		for i, c := range t.columns {
			out[i] = jinja.String(c)
		}
		return jinja.NewTuple(out), true
	case "column_types":
		out := make([]jinja.Value, len(t.types))
		for i, c := range t.types {
			out[i] = jinja.String(c)
		}
		return jinja.NewTuple(out), true
	case "print_table":
		return fn("print_table", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(""), nil }), true
	}
	return jinja.Value{}, false
}

func (t *queryTable) Iter() []jinja.Value { return t.rowValues() }
func (t *queryTable) Len() int            { return len(t.rows) }
func (t *queryTable) Item(k jinja.Value) (jinja.Value, bool) {
	if k.Kind() == jinja.KindInt {
		i := int(k.AsInt())
		if i < 0 {
			i += len(t.rows)
		}
		if i >= 0 && i < len(t.rows) {
			return jinja.ObjectValue(&queryRow{t: t, vals: t.rows[i]}), true
		}
	}
	return jinja.Value{}, false
}
func (t *queryTable) Repr() string { return fmt.Sprintf("<agate.Table rows=%d>", len(t.rows)) }

// queryRow is one row: indexable by position or column name, iterable.
type queryRow struct {
	t    *queryTable
	vals []jinja.Value
}

func (r *queryRow) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "keys":
		return fn("keys", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, len(r.t.columns))
			for i, c := range r.t.columns {
				out[i] = jinja.String(c)
			}
			return jinja.NewList(out), nil
		}), true
	case "values":
		return fn("values", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.NewList(append([]jinja.Value(nil), r.vals...)), nil
		}), true
	case "items":
		return fn("items", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, len(r.vals))
			for i, v := range r.vals {
				name := ""
				if i < len(r.t.columns) {
					name = r.t.columns[i]
				}
				out[i] = jinja.NewTuple([]jinja.Value{jinja.String(name), v})
			}
			return jinja.NewList(out), nil
		}), true
	}
	return r.Item(jinja.String(name))
}

func (r *queryRow) Item(k jinja.Value) (jinja.Value, bool) {
	if k.Kind() == jinja.KindInt {
		i := int(k.AsInt())
		if i < 0 {
			i += len(r.vals)
		}
		if i >= 0 && i < len(r.vals) {
			return r.vals[i], true
		}
		return jinja.Value{}, false
	}
	name := k.String()
	for i, c := range r.t.columns {
		if c == name && i < len(r.vals) {
			return r.vals[i], true
		}
	}
	for i, c := range r.t.columns {
		if strings.EqualFold(c, name) && i < len(r.vals) {
			return r.vals[i], true
		}
	}
	return jinja.Value{}, false
}
func (r *queryRow) Iter() []jinja.Value { return append([]jinja.Value(nil), r.vals...) }
func (r *queryRow) Len() int            { return len(r.vals) }
func (r *queryRow) Repr() string        { return jinja.NewTuple(r.vals).Repr() }

type queryColumn struct {
	name, typ string
	values    []jinja.Value
}

func (c *queryColumn) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "name":
		return jinja.String(c.name), true
	case "data_type":
		return jinja.String(c.typ), true
	case "values", "values_distinct", "values_without_nulls":
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, 0, len(c.values))
			seen := map[string]bool{}
			for _, v := range c.values {
				if name == "values_without_nulls" && v.IsNone() {
					continue
				}
				if name == "values_distinct" {
					if seen[v.Repr()] {
						continue
					}
					seen[v.Repr()] = true
				}
				out = append(out, v)
			}
			return jinja.NewTuple(out), nil
		}), true
	}
	return jinja.Value{}, false
}

func (c *queryColumn) Iter() []jinja.Value { return append([]jinja.Value(nil), c.values...) }
func (c *queryColumn) Len() int            { return len(c.values) }

// dbValue converts a value a driver returned.
func dbValue(x any) jinja.Value {
	switch t := x.(type) {
	case []byte:
		return jinja.String(string(t))
	case time.Time:
		// A driver's timestamp without time zone comes back in UTC; Python
		// (agate) sees a naive datetime, which prints without an offset.
		return dtValue(pyDatetime{t: t.In(naiveZone)})
	case int32:
		return jinja.Int(int64(t))
	case int16:
		return jinja.Int(int64(t))
	case int8:
		return jinja.Int(int64(t))
	case uint32:
		return jinja.Int(int64(t))
	case float32:
		return jinja.Float(float64(t))
	}
	return jinja.FromGo(x)
}

func toJSON(x any) (string, error) {
	b, err := json.Marshal(jsonable(x))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func jsonable(x any) any {
	switch t := x.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonable(e)
		}
		return out
	case nil, bool, int64, float64, string:
		return t
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprint(x)
}

func fromYAML(s string) (jinja.Value, error) {
	var x any
	if err := yaml.Unmarshal([]byte(s), &x); err != nil {
		return jinja.Value{}, fmt.Errorf("fromyaml: %w", err)
	}
	return jinja.FromGo(x), nil
}

func toYAML(x any) (string, error) {
	b, err := yaml.Marshal(jsonable(x))
	return string(b), err
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// parseStub is what a query's result is while parsing, when nothing runs:
// dbt parses with a lenient undefined, so `run_query(q).columns[0].values()`
// or `load_result('x').table` read as empty instead of failing. Every
// attribute, item and call gives the stub again; it is false, empty and
// prints nothing.
type parseStub struct{}

var parseStubValue = jinja.ObjectValue(parseStub{})

func (parseStub) Attr(string) (jinja.Value, bool)                    { return parseStubValue, true }
func (parseStub) Item(jinja.Value) (jinja.Value, bool)               { return parseStubValue, true }
func (parseStub) Call(*jinja.State, jinja.Args) (jinja.Value, error) { return parseStubValue, nil }
func (parseStub) Iter() []jinja.Value                                { return nil }
func (parseStub) Len() int                                           { return 0 }
func (parseStub) Truth() bool                                        { return false }
func (parseStub) String() string                                     { return "" }
func (parseStub) Repr() string                                       { return "None" }
func (parseStub) EqualValue(o jinja.Value) bool                      { return o.IsNone() }

// pySet is Python's set (dbt's set() and set_strict()): distinct items in
// first-seen order, compared without regard to order.
type pySet struct {
	items []jinja.Value
	keys  map[string]bool
}

func newPySet(items []jinja.Value) jinja.Value {
	s := &pySet{keys: map[string]bool{}}
	for _, x := range items {
		s.add(x)
	}
	return jinja.ObjectValue(s)
}

func (s *pySet) add(x jinja.Value) {
	if k := x.Repr(); !s.keys[k] {
		s.keys[k] = true
		s.items = append(s.items, x)
	}
}

func (s *pySet) has(x jinja.Value) bool { return s.keys[x.Repr()] }

func (s *pySet) Iter() []jinja.Value { return append([]jinja.Value(nil), s.items...) }
func (s *pySet) Len() int            { return len(s.items) }
func (s *pySet) Repr() string {
	if len(s.items) == 0 {
		return "set()"
	}
	parts := make([]string, len(s.items))
	for i, x := range s.items {
		parts[i] = x.Repr()
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
func (s *pySet) String() string { return s.Repr() }

func (s *pySet) EqualValue(o jinja.Value) bool {
	x, ok := o.Object().(*pySet)
	if !ok || len(x.items) != len(s.items) {
		return false
	}
	for k := range s.keys {
		if !x.keys[k] {
			return false
		}
	}
	return true
}

func (s *pySet) Attr(name string) (jinja.Value, bool) {
	other := func(a jinja.Args) (*pySet, error) {
		if len(a.Pos) != 1 {
			return nil, fail("bad set call", name+"() takes one iterable")
		}
		if x, ok := a.Pos[0].Object().(*pySet); ok {
			return x, nil
		}
		var items []jinja.Value
		if l := a.Pos[0].List(); l != nil {
			items = l.Items
		}
		return newPySet(items).Object().(*pySet), nil
	}
	switch name {
	case "add":
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			if len(a.Pos) == 1 {
				s.add(a.Pos[0])
			}
			return jinja.None, nil
		}), true
	case "union", "intersection", "difference", "issubset", "issuperset":
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			x, err := other(a)
			if err != nil {
				return jinja.Value{}, err
			}
			var out []jinja.Value
			switch name {
			case "union":
				out = append(append(out, s.items...), x.items...)
			case "intersection":
				for _, v := range s.items {
					if x.has(v) {
						out = append(out, v)
					}
				}
			case "difference":
				for _, v := range s.items {
					if !x.has(v) {
						out = append(out, v)
					}
				}
			case "issubset", "issuperset":
				a, b := s, x
				if name == "issuperset" {
					a, b = x, s
				}
				for _, v := range a.items {
					if !b.has(v) {
						return jinja.False, nil
					}
				}
				return jinja.True, nil
			}
			return newPySet(out), nil
		}), true
	}
	return jinja.Value{}, false
}

// mappedSeq is agate's MappedSequence (a table's columns): a sequence of
// values that is also keyed by name (`columns[0]`, `columns['id']`,
// `columns.items()`).
type mappedSeq struct {
	names []string
	vals  []jinja.Value
}

func (m *mappedSeq) Iter() []jinja.Value { return append([]jinja.Value(nil), m.vals...) }
func (m *mappedSeq) Len() int            { return len(m.vals) }
func (m *mappedSeq) Item(k jinja.Value) (jinja.Value, bool) {
	if k.Kind() == jinja.KindInt {
		i := int(k.AsInt())
		if i < 0 {
			i += len(m.vals)
		}
		if i >= 0 && i < len(m.vals) {
			return m.vals[i], true
		}
		return jinja.Value{}, false
	}
	for i, n := range m.names {
		if n == k.String() {
			return m.vals[i], true
		}
	}
	return jinja.Value{}, false
}
func (m *mappedSeq) Repr() string { return jinja.NewTuple(m.vals).Repr() }
func (m *mappedSeq) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "keys":
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, len(m.names))
			for i, n := range m.names {
				out[i] = jinja.String(n)
			}
			return jinja.NewTuple(out), nil
		}), true
	case "values":
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.NewTuple(m.Iter()), nil }), true
	case "items":
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, len(m.vals))
			for i, v := range m.vals {
				out[i] = jinja.NewTuple([]jinja.Value{jinja.String(m.names[i]), v})
			}
			return jinja.NewList(out), nil
		}), true
	case "get":
		return getMethod(m.Item), true
	}
	return jinja.Value{}, false
}
