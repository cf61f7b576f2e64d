package compile

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

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

func newModule(name string, attrs map[string]jinja.Value) jinja.Value {
	return jinja.ObjectValue(&module{name: name, attrs: attrs})
}

// relObj is a relation as templates see it: it renders as SQL and exposes
// database/schema/identifier. During the first render of a node it is a
// placeholder (marker) because other nodes' configs are not known yet; reading
// its parts then forces a second render with the real values.
type relObj struct {
	rel      relation.Relation
	rendered string
	marker   string       // set for placeholders
	st       *renderState // placeholder owner, to flag a re-render
	cte      bool         // an ephemeral model's CTE name
	kind     string       // "table"/"view" when known
}

func (r *relObj) String() string {
	if r.marker != "" {
		return r.marker
	}
	return r.rendered
}

func (r *relObj) touch() {
	if r.marker != "" && r.st != nil {
		r.st.needsRerender = true
	}
}

func (r *relObj) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "database":
		r.touch()
		return jinja.String(r.rel.Database), true
	case "schema":
		r.touch()
		return jinja.String(r.rel.Schema), true
	case "identifier", "name", "table":
		r.touch()
		return jinja.String(r.rel.Identifier), true
	case "type":
		return jinja.String(r.kind), true
	case "is_table":
		return jinja.Bool(r.kind == "table"), true
	case "is_view":
		return jinja.Bool(r.kind == "view"), true
	case "is_cte":
		return jinja.Bool(r.cte), true
	case "render":
		return fn("render", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.String(r.String()), nil }), true
	case "include":
		return fn("include", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "include", []string{"database", "schema", "identifier"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			r.touch()
			st := stateOf(s)
			if st == nil {
				return jinja.ObjectValue(r), nil
			}
			rel := r.rel
			if !v[0].IsUndefined() && !v[0].Truthy() {
				rel.Database = ""
			}
			if !v[1].IsUndefined() && !v[1].Truthy() {
				rel.Schema = ""
			}
			if !v[2].IsUndefined() && !v[2].Truthy() {
				rel.Identifier = ""
			}
			return jinja.ObjectValue(&relObj{rel: rel, rendered: st.c.renderRelation(rel), kind: r.kind}), nil
		}), true
	}
	return jinja.Value{}, false
}

// configObj is `config`: config(k=v, …) records the node's in-file config;
// config.get/require read the config known so far.
type configObj struct{}

func (configObj) Call(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	st := stateOf(s)
	if st == nil {
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
	case "get", "require", "meta_get":
		req := name == "require"
		return fn(name, func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"name", "default", "validator"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			k := v[0].String()
			var x any
			var ok bool
			if st := stateOf(s); st != nil {
				x, ok = st.configValue(k)
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
		return fn("get", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "get", []string{"key", "default"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			if x, ok := d.Get(v[0]); ok {
				return x, nil
			}
			if v[1].IsUndefined() {
				return jinja.None, nil
			}
			return v[1], nil
		}), true
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

// pyDatetime is modules.datetime.datetime / run_started_at.
type pyDatetime struct {
	t        time.Time
	dateOnly bool
}

func (d pyDatetime) String() string {
	if d.dateOnly {
		return d.t.Format("2006-01-02")
	}
	s := d.t.Format("2006-01-02 15:04:05")
	if d.t.Nanosecond() != 0 {
		s += fmt.Sprintf(".%06d", d.t.Nanosecond()/1000)
	}
	if d.t.Location() == time.UTC {
		s += "+00:00"
	}
	return s
}

func dtValue(d pyDatetime) jinja.Value { return jinja.ObjectValue(d) }

func (d pyDatetime) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "year":
		return jinja.Int(int64(d.t.Year())), true
	case "month":
		return jinja.Int(int64(d.t.Month())), true
	case "day":
		return jinja.Int(int64(d.t.Day())), true
	case "hour":
		return jinja.Int(int64(d.t.Hour())), true
	case "minute":
		return jinja.Int(int64(d.t.Minute())), true
	case "second":
		return jinja.Int(int64(d.t.Second())), true
	case "microsecond":
		return jinja.Int(int64(d.t.Nanosecond() / 1000)), true
	case "strftime":
		return fn("strftime", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "strftime", []string{"format"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(strftime(d.t, v[0].String())), nil
		}), true
	case "isoformat":
		return fn("isoformat", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			if d.dateOnly {
				return jinja.String(d.t.Format("2006-01-02")), nil
			}
			return jinja.String(d.t.Format("2006-01-02T15:04:05.999999-07:00")), nil
		}), true
	case "date":
		return fn("date", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return dtValue(pyDatetime{t: d.t, dateOnly: true}), nil
		}), true
	case "timestamp":
		return fn("timestamp", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.Float(float64(d.t.UnixNano()) / 1e9), nil
		}), true
	case "replace":
		return fn("replace", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			t := d.t
			y, mo, dd := t.Date()
			h, mi, s := t.Clock()
			get := func(k string, cur int) int {
				if v, ok := a.Get(-1, k); ok {
					return int(v.AsInt())
				}
				return cur
			}
			t = time.Date(get("year", y), time.Month(get("month", int(mo))), get("day", dd), get("hour", h), get("minute", mi), get("second", s), 0, t.Location())
			return dtValue(pyDatetime{t: t, dateOnly: d.dateOnly}), nil
		}), true
	case "add", "subtract":
		sign := time.Duration(1)
		if name == "subtract" {
			sign = -1
		}
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			if len(a.Pos) != 1 {
				return jinja.Value{}, fail("bad datetime arithmetic", name+"() takes one timedelta")
			}
			td, ok := a.Pos[0].Object().(pyTimedelta)
			if !ok {
				return jinja.Value{}, fail("bad datetime arithmetic", name+"() takes a timedelta, not "+a.Pos[0].TypeName())
			}
			return dtValue(pyDatetime{t: d.t.Add(sign * td.d), dateOnly: d.dateOnly}), nil
		}), true
	}
	return jinja.Value{}, false
}

// Operate implements jinja.Operand: datetime ± timedelta, datetime − datetime.
func (d pyDatetime) Operate(op string, other jinja.Value, right bool) (jinja.Value, bool, error) {
	switch o := other.Object().(type) {
	case pyTimedelta:
		switch {
		case op == "+":
			return dtValue(pyDatetime{t: d.t.Add(o.d), dateOnly: d.dateOnly}), true, nil
		case op == "-" && !right:
			return dtValue(pyDatetime{t: d.t.Add(-o.d), dateOnly: d.dateOnly}), true, nil
		}
	case pyDatetime:
		if op == "-" && !right {
			return jinja.ObjectValue(pyTimedelta{d: d.t.Sub(o.t)}), true, nil
		}
	}
	return jinja.Value{}, false, nil
}

type pyTimedelta struct{ d time.Duration }

// Operate implements jinja.Operand: timedelta ± timedelta, timedelta × int.
func (t pyTimedelta) Operate(op string, other jinja.Value, right bool) (jinja.Value, bool, error) {
	if o, ok := other.Object().(pyTimedelta); ok {
		switch {
		case op == "+":
			return jinja.ObjectValue(pyTimedelta{d: t.d + o.d}), true, nil
		case op == "-" && !right:
			return jinja.ObjectValue(pyTimedelta{d: t.d - o.d}), true, nil
		case op == "-":
			return jinja.ObjectValue(pyTimedelta{d: o.d - t.d}), true, nil
		}
	}
	if op == "*" && other.Kind() == jinja.KindInt {
		return jinja.ObjectValue(pyTimedelta{d: t.d * time.Duration(other.AsInt())}), true, nil
	}
	return jinja.Value{}, false, nil
}

func (t pyTimedelta) String() string { return t.d.String() }
func (t pyTimedelta) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "days":
		return jinja.Int(int64(t.d / (24 * time.Hour))), true
	case "seconds":
		return jinja.Int(int64((t.d % (24 * time.Hour)) / time.Second)), true
	case "total_seconds":
		return fn("total_seconds", func(*jinja.State, jinja.Args) (jinja.Value, error) { return jinja.Float(t.d.Seconds()), nil }), true
	}
	return jinja.Value{}, false
}

var strftimeCodes = map[byte]string{
	'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06",
	'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'p': "PM", 'Z': "MST", 'z': "-0700",
	'I': "03", 'f': "000000",
}

func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch c := f[i]; c {
		case '%':
			b.WriteByte('%')
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		default:
			if layout, ok := strftimeCodes[c]; ok {
				b.WriteString(t.Format(layout))
			} else {
				b.WriteByte('%')
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// modulesObject is `modules`: the parts of Python's datetime and re that dbt
// projects use.
func (c *compiler) modulesObject() jinja.Value {
	now := c.now
	str := func(a jinja.Args, fname string, names ...string) ([]string, error) {
		v, err := bind(a, fname, names, len(names))
		if err != nil {
			return nil, err
		}
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = x.String()
		}
		return out, nil
	}
	datetime := newModule("datetime", map[string]jinja.Value{
		"datetime": newModule("datetime.datetime", map[string]jinja.Value{
			"now":    fn("now", func(*jinja.State, jinja.Args) (jinja.Value, error) { return dtValue(pyDatetime{t: now()}), nil }),
			"utcnow": fn("utcnow", func(*jinja.State, jinja.Args) (jinja.Value, error) { return dtValue(pyDatetime{t: now().UTC()}), nil }),
			"strptime": fn("strptime", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
				v, err := str(a, "strptime", "date_string", "format")
				if err != nil {
					return jinja.Value{}, err
				}
				layout := strftime(time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC), v[1])
				t, err := time.Parse(layout, v[0])
				if err != nil {
					return jinja.Value{}, jinja.Errorf("ValueError", "time data %s does not match format %s", jinja.PyQuote(v[0]), jinja.PyQuote(v[1]))
				}
				return dtValue(pyDatetime{t: t}), nil
			}),
			"fromisoformat": fn("fromisoformat", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
				v, err := str(a, "fromisoformat", "date_string")
				if err != nil {
					return jinja.Value{}, err
				}
				for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
					if t, err := time.Parse(l, v[0]); err == nil {
						return dtValue(pyDatetime{t: t}), nil
					}
				}
				return jinja.Value{}, jinja.Errorf("ValueError", "Invalid isoformat string: %s", jinja.PyQuote(v[0]))
			}),
		}),
		"date": newModule("datetime.date", map[string]jinja.Value{
			"today": fn("today", func(*jinja.State, jinja.Args) (jinja.Value, error) {
				return dtValue(pyDatetime{t: now(), dateOnly: true}), nil
			}),
		}),
		"timedelta": fn("timedelta", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "timedelta", []string{"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			units := []time.Duration{24 * time.Hour, time.Second, time.Microsecond, time.Millisecond, time.Minute, time.Hour, 7 * 24 * time.Hour}
			var d time.Duration
			for i, x := range v {
				if x.IsNumber() {
					d += time.Duration(x.AsFloat() * float64(units[i]))
				}
			}
			return jinja.ObjectValue(pyTimedelta{d: d}), nil
		}),
	})
	// compile builds a Go regexp from a Python pattern and flags (re.I only).
	compile := func(p string, flags jinja.Value) (*regexp.Regexp, error) {
		if flags.IsNumber() && flags.AsInt()&2 != 0 {
			p = "(?i)" + p
		}
		rx, err := regexp.Compile(p)
		if err != nil {
			return nil, jinja.Errorf("re.error", "%v", err)
		}
		return rx, nil
	}
	matcher := func(name, prefix, suffix string) jinja.Value {
		return fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, []string{"pattern", "string", "flags"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			rx, err := compile(prefix+v[0].String()+suffix, v[2])
			if err != nil {
				return jinja.Value{}, err
			}
			m := rx.FindStringSubmatch(v[1].String())
			if m == nil {
				return jinja.None, nil
			}
			return jinja.ObjectValue(&matchResult{groups: m}), nil
		})
	}
	re := newModule("re", map[string]jinja.Value{
		"match":     matcher("match", `^(?:`, `)`),
		"search":    matcher("search", "", ""),
		"fullmatch": matcher("fullmatch", `^(?:`, `)$`),
		"sub": fn("sub", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "sub", []string{"pattern", "repl", "string", "count", "flags"}, 3)
			if err != nil {
				return jinja.Value{}, err
			}
			rx, err := compile(v[0].String(), v[4])
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(rx.ReplaceAllString(v[2].String(), pyRepl(v[1].String()))), nil
		}),
		"findall": fn("findall", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "findall", []string{"pattern", "string", "flags"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			rx, err := compile(v[0].String(), v[2])
			if err != nil {
				return jinja.Value{}, err
			}
			out := []jinja.Value{}
			for _, m := range rx.FindAllStringSubmatch(v[1].String(), -1) {
				if len(m) == 2 {
					out = append(out, jinja.String(m[1]))
				} else {
					out = append(out, jinja.String(m[0]))
				}
			}
			return jinja.NewList(out), nil
		}),
		"split": fn("split", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "split", []string{"pattern", "string", "maxsplit", "flags"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			rx, err := compile(v[0].String(), v[3])
			if err != nil {
				return jinja.Value{}, err
			}
			n := -1
			if v[2].IsNumber() && v[2].AsInt() > 0 {
				n = int(v[2].AsInt()) + 1
			}
			out := []jinja.Value{}
			for _, x := range rx.Split(v[1].String(), n) {
				out = append(out, jinja.String(x))
			}
			return jinja.NewList(out), nil
		}),
		"escape": fn("escape", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := str(a, "escape", "pattern")
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(regexp.QuoteMeta(v[0])), nil
		}),
		"IGNORECASE": jinja.Int(2),
		"I":          jinja.Int(2),
	})
	return newModule("modules", map[string]jinja.Value{"datetime": datetime, "re": re})
}

var pyGroupRef = regexp.MustCompile(`\\(\d)`)

func pyRepl(r string) string { return pyGroupRef.ReplaceAllString(r, "$${$1}") }

// matchResult is a Python re.Match.
type matchResult struct{ groups []string }

func (m *matchResult) String() string { return m.groups[0] }
func (m *matchResult) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "group":
		return fn("group", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			i := 0
			if len(a.Pos) > 0 {
				i = int(a.Pos[0].AsInt())
			}
			if i < 0 || i >= len(m.groups) {
				return jinja.Value{}, jinja.Errorf("IndexError", "no such group")
			}
			return jinja.String(m.groups[i]), nil
		}), true
	case "groups":
		return fn("groups", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			out := make([]jinja.Value, 0, len(m.groups)-1)
			for _, g := range m.groups[1:] {
				out = append(out, jinja.String(g))
			}
			return jinja.NewTuple(out), nil
		}), true
	}
	return jinja.Value{}, false
}

// queryTable is run_query's result: a small agate-like table.
type queryTable struct {
	columns []string
	rows    [][]jinja.Value
}

type queryColumn struct {
	name   string
	values []jinja.Value
}

func (t *queryTable) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "rows":
		out := make([]jinja.Value, len(t.rows))
		for i, r := range t.rows {
			out[i] = jinja.NewList(append([]jinja.Value(nil), r...))
		}
		return jinja.NewList(out), true
	case "columns":
		out := make([]jinja.Value, len(t.columns))
		for i, c := range t.columns {
			col := &queryColumn{name: c}
			for _, r := range t.rows {
				if i < len(r) {
					col.values = append(col.values, r[i])
				}
			}
			out[i] = jinja.ObjectValue(col)
		}
		return jinja.NewList(out), true
	case "column_names":
		out := make([]jinja.Value, len(t.columns))
		for i, c := range t.columns {
			out[i] = jinja.String(c)
		}
		return jinja.NewList(out), true
	}
	return jinja.Value{}, false
}

func (t *queryTable) Repr() string { return fmt.Sprintf("<Table rows=%d>", len(t.rows)) }

func (c *queryColumn) Attr(name string) (jinja.Value, bool) {
	switch name {
	case "name":
		return jinja.String(c.name), true
	case "values":
		return fn("values", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.NewTuple(append([]jinja.Value(nil), c.values...)), nil
		}), true
	}
	return jinja.Value{}, false
}

func (c *compiler) runQuery(ctx context.Context, sql string) (*queryTable, error) {
	if c.o.Adapter == nil {
		return &queryTable{}, nil
	}
	t, err := c.o.Adapter.Query(ctx, sql, 0)
	if err != nil {
		return nil, fmt.Errorf("run_query: %w", err)
	}
	rows := make([][]jinja.Value, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]jinja.Value, len(r))
		for j, v := range r {
			rows[i][j] = dbValue(v)
		}
	}
	return &queryTable{columns: t.Columns, rows: rows}, nil
}

// dbValue converts a value a driver returned.
func dbValue(x any) jinja.Value {
	switch t := x.(type) {
	case []byte:
		return jinja.String(string(t))
	case time.Time:
		return jinja.String(t.String())
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
