package compile

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/relation"
)

// jfunc is the shape of every Go function exposed to templates: it sees the
// calling evaluator (to find the render it belongs to) and the arguments.
type jfunc = func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value

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

func (r *relObj) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "database":
		r.touch()
		return exec.AsValue(r.rel.Database), true
	case "schema":
		r.touch()
		return exec.AsValue(r.rel.Schema), true
	case "identifier", "name", "table":
		r.touch()
		return exec.AsValue(r.rel.Identifier), true
	case "type":
		return exec.AsValue(r.kind), true
	case "is_table":
		return exec.AsValue(r.kind == "table"), true
	case "is_view":
		return exec.AsValue(r.kind == "view"), true
	case "is_cte":
		return exec.AsValue(r.cte), true
	case "render":
		return exec.AsValue(func() string { return r.String() }), true
	case "include":
		return exec.AsValue(jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			// include(database=False, schema=False, identifier=True)
			r.touch()
			st := stateOf(e)
			if st == nil {
				return exec.AsValue(r)
			}
			rel := r.rel
			if v, ok := va.KwArgs["database"]; ok && !v.IsTrue() {
				rel.Database = ""
			}
			if v, ok := va.KwArgs["schema"]; ok && !v.IsTrue() {
				rel.Schema = ""
			}
			if v, ok := va.KwArgs["identifier"]; ok && !v.IsTrue() {
				rel.Identifier = ""
			}
			return exec.AsValue(&relObj{rel: rel, rendered: st.c.renderRelation(rel), kind: r.kind})
		})), true
	}
	return exec.AsValue(nil), false
}

// configFn is `config`: callable as config(k=v, …) and with .get/.require.
type configFn jfunc

func (f configFn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "get", "require", "meta_get":
		req := name == "require"
		return exec.AsValue(jfunc(func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
			st := stateOf(e)
			k, _ := argStr(va, 0, "name")
			var v any
			var ok bool
			if st != nil {
				v, ok = st.configValue(k)
			}
			if !ok || v == nil {
				if req {
					return errValue(st.fail("missing required config", fmt.Sprintf("config %q is required but not set", k)))
				}
				if d, ok := argAt(va, 1, "default"); ok {
					return d
				}
				return exec.AsValue(nil)
			}
			return exec.ToValue(v)
		})), true
	}
	return exec.AsValue(nil), false
}

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

func (d pyDatetime) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "year":
		return exec.AsValue(d.t.Year()), true
	case "month":
		return exec.AsValue(int(d.t.Month())), true
	case "day":
		return exec.AsValue(d.t.Day()), true
	case "hour":
		return exec.AsValue(d.t.Hour()), true
	case "minute":
		return exec.AsValue(d.t.Minute()), true
	case "second":
		return exec.AsValue(d.t.Second()), true
	case "strftime":
		return exec.AsValue(func(f string) string { return strftime(d.t, f) }), true
	case "isoformat":
		return exec.AsValue(func() string {
			if d.dateOnly {
				return d.t.Format("2006-01-02")
			}
			return d.t.Format("2006-01-02T15:04:05.999999-07:00")
		}), true
	case "date":
		return exec.AsValue(func() pyDatetime { return pyDatetime{t: d.t, dateOnly: true} }), true
	case "timestamp":
		return exec.AsValue(func() float64 { return float64(d.t.UnixNano()) / 1e9 }), true
	case "replace":
		return exec.AsValue(func(va *exec.VarArgs) pyDatetime {
			t := d.t
			y, mo, dd := t.Date()
			h, mi, s := t.Clock()
			get := func(k string, cur int) int {
				if v, ok := va.KwArgs[k]; ok {
					return v.Integer()
				}
				return cur
			}
			t = time.Date(get("year", y), time.Month(get("month", int(mo))), get("day", dd), get("hour", h), get("minute", mi), get("second", s), 0, t.Location())
			return pyDatetime{t: t, dateOnly: d.dateOnly}
		}), true
	case "add", "__add__":
		return exec.AsValue(func(td pyTimedelta) pyDatetime { return pyDatetime{t: d.t.Add(td.d), dateOnly: d.dateOnly} }), true
	case "subtract", "__sub__":
		return exec.AsValue(func(td pyTimedelta) pyDatetime { return pyDatetime{t: d.t.Add(-td.d), dateOnly: d.dateOnly} }), true
	}
	return exec.AsValue(nil), false
}

type pyTimedelta struct{ d time.Duration }

func (t pyTimedelta) String() string { return t.d.String() }
func (t pyTimedelta) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "days":
		return exec.AsValue(int(t.d / (24 * time.Hour))), true
	case "seconds":
		return exec.AsValue(int((t.d % (24 * time.Hour)) / time.Second)), true
	case "total_seconds":
		return exec.AsValue(func() float64 { return t.d.Seconds() }), true
	}
	return exec.AsValue(nil), false
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

func (c *compiler) modulesObject() map[string]any {
	now := func() time.Time {
		if c.o.Now.IsZero() {
			return time.Now()
		}
		return c.o.Now
	}
	datetime := map[string]any{
		"datetime": map[string]any{
			"now":    func() pyDatetime { return pyDatetime{t: now()} },
			"utcnow": func() pyDatetime { return pyDatetime{t: now().UTC()} },
			"strptime": func(s, f string) (pyDatetime, error) {
				layout := strftime(time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC), f)
				t, err := time.Parse(layout, s)
				return pyDatetime{t: t}, err
			},
			"fromisoformat": func(s string) (pyDatetime, error) {
				for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
					if t, err := time.Parse(l, s); err == nil {
						return pyDatetime{t: t}, nil
					}
				}
				return pyDatetime{}, fmt.Errorf("invalid isoformat string %q", s)
			},
		},
		"date": map[string]any{
			"today": func() pyDatetime { return pyDatetime{t: now(), dateOnly: true} },
		},
		"timedelta": func(va *exec.VarArgs) pyTimedelta {
			var d time.Duration
			units := map[string]time.Duration{"weeks": 7 * 24 * time.Hour, "days": 24 * time.Hour, "hours": time.Hour, "minutes": time.Minute, "seconds": time.Second}
			for k, v := range va.KwArgs {
				d += time.Duration(v.Float() * float64(units[k]))
			}
			if len(va.Args) > 0 {
				d += time.Duration(va.Args[0].Float() * float64(24*time.Hour))
			}
			return pyTimedelta{d: d}
		},
	}
	re := map[string]any{
		"match": func(p, s string) (any, error) {
			rx, err := regexp.Compile(`^(?:` + p + `)`)
			if err != nil {
				return nil, err
			}
			return matchObj(rx, s), nil
		},
		"search": func(p, s string) (any, error) {
			rx, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			return matchObj(rx, s), nil
		},
		"fullmatch": func(p, s string) (any, error) {
			rx, err := regexp.Compile(`^(?:` + p + `)$`)
			if err != nil {
				return nil, err
			}
			return matchObj(rx, s), nil
		},
		"sub": func(p, repl, s string) (string, error) {
			rx, err := regexp.Compile(p)
			if err != nil {
				return "", err
			}
			return rx.ReplaceAllString(s, pyRepl(repl)), nil
		},
		"findall": func(p, s string) ([]any, error) {
			rx, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, m := range rx.FindAllStringSubmatch(s, -1) {
				if len(m) == 2 {
					out = append(out, m[1])
				} else {
					out = append(out, m[0])
				}
			}
			return out, nil
		},
		"split": func(p, s string) ([]any, error) {
			rx, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, x := range rx.Split(s, -1) {
				out = append(out, x)
			}
			return out, nil
		},
		"escape":     regexp.QuoteMeta,
		"IGNORECASE": 2,
		"I":          2,
	}
	return map[string]any{"datetime": datetime, "re": re}
}

var pyGroupRef = regexp.MustCompile(`\\(\d)`)

func pyRepl(r string) string { return pyGroupRef.ReplaceAllString(r, "$${$1}") }

// matchResult is a Python re.Match.
type matchResult struct{ groups []string }

func matchObj(rx *regexp.Regexp, s string) any {
	m := rx.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	return &matchResult{groups: m}
}

func (m *matchResult) String() string { return m.groups[0] }
func (m *matchResult) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "group":
		return exec.AsValue(func(va *exec.VarArgs) string {
			i := 0
			if len(va.Args) > 0 {
				i = va.Args[0].Integer()
			}
			if i < 0 || i >= len(m.groups) {
				return ""
			}
			return m.groups[i]
		}), true
	case "groups":
		return exec.AsValue(func() []any {
			out := []any{}
			for _, g := range m.groups[1:] {
				out = append(out, g)
			}
			return out
		}), true
	}
	return exec.AsValue(nil), false
}

// queryTable is run_query's result: a small agate-like table.
type queryTable struct {
	columns []string
	rows    [][]any
}

type queryColumn struct {
	name   string
	values []any
}

func (t *queryTable) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "rows":
		out := []any{}
		for _, r := range t.rows {
			out = append(out, append([]any(nil), r...))
		}
		return exec.AsValue(out), true
	case "columns":
		out := []any{}
		for i, c := range t.columns {
			col := &queryColumn{name: c}
			for _, r := range t.rows {
				if i < len(r) {
					col.values = append(col.values, r[i])
				}
			}
			out = append(out, col)
		}
		return exec.AsValue(out), true
	case "column_names":
		out := []any{}
		for _, c := range t.columns {
			out = append(out, c)
		}
		return exec.AsValue(out), true
	}
	return exec.AsValue(nil), false
}

func (c *queryColumn) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "name":
		return exec.AsValue(c.name), true
	case "values":
		return exec.AsValue(func() []any { return append([]any{}, c.values...) }), true
	}
	return exec.AsValue(nil), false
}

func (c *compiler) runQuery(ctx context.Context, sql string) (*queryTable, error) {
	if c.o.Adapter == nil {
		return &queryTable{}, nil
	}
	t, err := c.o.Adapter.Query(ctx, sql, 0)
	if err != nil {
		return nil, fmt.Errorf("run_query: %w", err)
	}
	rows := make([][]any, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]any, len(r))
		for j, v := range r {
			rows[i][j] = plain(v)
		}
	}
	return &queryTable{columns: t.Columns, rows: rows}, nil
}

func toJSON(x any, sortKeys bool) (string, error) {
	_ = sortKeys // Go's encoder always sorts map keys
	b, err := json.Marshal(jsonable(x))
	if err != nil {
		return "", err
	}
	s := string(b)
	return s, nil
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
	case *relObj, pyDatetime, pyTimedelta:
		return fmt.Sprint(t)
	}
	return x
}

func fromJSON(s string) (any, error) {
	var x any
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		return nil, fmt.Errorf("fromjson: %w", err)
	}
	return intify(x), nil
}

func fromYAML(s string) (any, error) {
	var x any
	if err := yaml.Unmarshal([]byte(s), &x); err != nil {
		return nil, fmt.Errorf("fromyaml: %w", err)
	}
	return intify(x), nil
}

func toYAML(x any) (string, error) {
	b, err := yaml.Marshal(jsonable(x))
	return string(b), err
}

// intify turns whole float64s from JSON into ints so they render as 3, not 3.0.
func intify(x any) any {
	switch t := x.(type) {
	case float64:
		if t == float64(int(t)) {
			return int(t)
		}
	case []any:
		for i := range t {
			t[i] = intify(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = intify(t[k])
		}
	}
	return x
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func sortStrings(s []string) { sort.Strings(s) }

var errReturn = errors.New("return() outside a macro")

func itoa(i int) string { return strconv.Itoa(i) }
