package compile

import (
	"fmt"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/jinja"
)

// naiveZone marks a datetime without a time zone (Python's naive datetime):
// it prints without an offset.
var naiveZone = time.FixedZone("", 0)

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
	switch loc := d.t.Location(); {
	case loc == time.UTC:
		s += "+00:00"
	case loc != naiveZone && loc != time.Local:
		s += d.t.Format("-07:00")
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
	case "tzinfo":
		if d.t.Location() == naiveZone {
			return jinja.None, true
		}
		return jinja.ObjectValue(pyTimezone{loc: d.t.Location(), name: d.t.Location().String()}), true
	case "weekday", "isoweekday":
		iso := name == "isoweekday"
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) {
			wd := (int(d.t.Weekday()) + 6) % 7 // Monday is 0
			if iso {
				wd++
			}
			return jinja.Int(int64(wd)), nil
		}), true
	case "astimezone":
		return fn("astimezone", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "astimezone", []string{"tz"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			loc := time.Local
			if z, ok := v[0].Object().(pyTimezone); ok {
				loc = z.loc
			}
			return dtValue(pyDatetime{t: d.t.In(loc), dateOnly: d.dateOnly}), nil
		}), true
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
// projects use: datetime (datetime, date, timedelta, timezone), re, itertools
// and pytz (UTC and named zones).
func (p *Program) modulesObject() jinja.Value {
	now := p.now
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
	zoneOf := func(v jinja.Value) *time.Location {
		if z, ok := v.Object().(pyTimezone); ok {
			return z.loc
		}
		return nil
	}
	inZone := func(t time.Time, v jinja.Value) time.Time {
		if loc := zoneOf(v); loc != nil {
			return t.In(loc)
		}
		return t.In(naiveZone)
	}
	datetimeCls := &pyClass{name: "datetime.datetime", call: func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "datetime", []string{"year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"}, 3)
		if err != nil {
			return jinja.Value{}, err
		}
		n := func(i int) int {
			if v[i].IsNumber() {
				return int(v[i].AsInt())
			}
			return 0
		}
		loc := zoneOf(v[7])
		if loc == nil {
			loc = naiveZone
		}
		return dtValue(pyDatetime{t: time.Date(n(0), time.Month(n(1)), n(2), n(3), n(4), n(5), n(6)*1000, loc)}), nil
	}, attrs: map[string]jinja.Value{
		"now": fn("now", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "now", []string{"tz"}, 0)
			if err != nil {
				return jinja.Value{}, err
			}
			return dtValue(pyDatetime{t: inZone(now(), v[0])}), nil
		}),
		"utcnow": fn("utcnow", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return dtValue(pyDatetime{t: now().UTC().In(naiveZone)}), nil
		}),
		"today": fn("today", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return dtValue(pyDatetime{t: now().In(naiveZone)}), nil
		}),
		"fromtimestamp": fn("fromtimestamp", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "fromtimestamp", []string{"timestamp", "tz"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			f := v[0].AsFloat()
			t := time.Unix(int64(f), int64((f-float64(int64(f)))*1e9))
			return dtValue(pyDatetime{t: inZone(t, v[1])}), nil
		}),
		"strptime": fn("strptime", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := str(a, "strptime", "date_string", "format")
			if err != nil {
				return jinja.Value{}, err
			}
			layout := strftime(time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC), v[1])
			t, err := time.ParseInLocation(layout, v[0], naiveZone)
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
			if t, err := time.Parse(time.RFC3339Nano, v[0]); err == nil {
				return dtValue(pyDatetime{t: t}), nil
			}
			for _, l := range []string{"2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999", "2006-01-02T15:04", "2006-01-02"} {
				if t, err := time.ParseInLocation(l, v[0], naiveZone); err == nil {
					return dtValue(pyDatetime{t: t}), nil
				}
			}
			return jinja.Value{}, jinja.Errorf("ValueError", "Invalid isoformat string: %s", jinja.PyQuote(v[0]))
		}),
	}}
	dateCls := &pyClass{name: "datetime.date", call: func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "date", []string{"year", "month", "day"}, 3)
		if err != nil {
			return jinja.Value{}, err
		}
		return dtValue(pyDatetime{t: time.Date(int(v[0].AsInt()), time.Month(v[1].AsInt()), int(v[2].AsInt()), 0, 0, 0, 0, naiveZone), dateOnly: true}), nil
	}, attrs: map[string]jinja.Value{
		"today": fn("today", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return dtValue(pyDatetime{t: now().In(naiveZone), dateOnly: true}), nil
		}),
		"fromisoformat": fn("fromisoformat", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := str(a, "fromisoformat", "date_string")
			if err != nil {
				return jinja.Value{}, err
			}
			t, err := time.ParseInLocation("2006-01-02", v[0], naiveZone)
			if err != nil {
				return jinja.Value{}, jinja.Errorf("ValueError", "Invalid isoformat string: %s", jinja.PyQuote(v[0]))
			}
			return dtValue(pyDatetime{t: t, dateOnly: true}), nil
		}),
	}}
	utc := jinja.ObjectValue(pyTimezone{loc: time.UTC, name: "UTC"})
	datetime := newModule("datetime", map[string]jinja.Value{
		"datetime": jinja.ObjectValue(datetimeCls),
		"date":     jinja.ObjectValue(dateCls),
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
		"timezone": newModule("datetime.timezone", map[string]jinja.Value{"utc": utc}),
	})
	pytz := newModule("pytz", map[string]jinja.Value{
		"utc": utc,
		"UTC": utc,
		"timezone": fn("timezone", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := str(a, "timezone", "zone")
			if err != nil {
				return jinja.Value{}, err
			}
			loc, err := time.LoadLocation(v[0])
			if err != nil {
				return jinja.Value{}, jinja.Errorf("UnknownTimeZoneError", "%s", jinja.PyQuote(v[0]))
			}
			return jinja.ObjectValue(pyTimezone{loc: loc, name: v[0]}), nil
		}),
	})
	return newModule("modules", map[string]jinja.Value{
		"datetime": datetime, "re": reModule(), "pytz": pytz, "itertools": itertoolsModule(),
	})
}

// pyClass is a callable with attributes (datetime.datetime(…), datetime.datetime.now()).
type pyClass struct {
	name  string
	call  jinja.Func
	attrs map[string]jinja.Value
}

func (c *pyClass) Call(s *jinja.State, a jinja.Args) (jinja.Value, error) { return c.call(s, a) }
func (c *pyClass) Attr(name string) (jinja.Value, bool) {
	v, ok := c.attrs[name]
	return v, ok
}
func (c *pyClass) Repr() string { return "<class '" + c.name + "'>" }

// pyTimezone is a tzinfo (datetime.timezone.utc, pytz.timezone('…')).
type pyTimezone struct {
	loc  *time.Location
	name string
}

func (z pyTimezone) Attr(name string) (jinja.Value, bool) {
	if name == "zone" {
		return jinja.String(z.name), true
	}
	return jinja.Value{}, false
}
func (z pyTimezone) String() string { return z.name }

func itertoolsModule() jinja.Value {
	lists := func(s *jinja.State, a jinja.Args) ([][]jinja.Value, error) {
		var out [][]jinja.Value
		for _, x := range a.Pos {
			items, err := s.Iter(x)
			if err != nil {
				return nil, err
			}
			out = append(out, items)
		}
		return out, nil
	}
	return newModule("itertools", map[string]jinja.Value{
		"chain": fn("chain", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			ls, err := lists(s, a)
			if err != nil {
				return jinja.Value{}, err
			}
			var out []jinja.Value
			for _, l := range ls {
				out = append(out, l...)
			}
			return jinja.NewList(out), nil
		}),
		"product": fn("product", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			ls, err := lists(s, a)
			if err != nil {
				return jinja.Value{}, err
			}
			out := [][]jinja.Value{{}}
			for _, l := range ls {
				var next [][]jinja.Value
				for _, prefix := range out {
					for _, x := range l {
						next = append(next, append(append([]jinja.Value(nil), prefix...), x))
					}
				}
				out = next
			}
			vals := make([]jinja.Value, len(out))
			for i, t := range out {
				vals[i] = jinja.NewTuple(t)
			}
			return jinja.NewList(vals), nil
		}),
		"combinations": fn("combinations", func(s *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "combinations", []string{"iterable", "r"}, 2)
			if err != nil {
				return jinja.Value{}, err
			}
			items, err := s.Iter(v[0])
			if err != nil {
				return jinja.Value{}, err
			}
			r := int(v[1].AsInt())
			var out []jinja.Value
			var rec func(start int, cur []jinja.Value)
			rec = func(start int, cur []jinja.Value) {
				if len(cur) == r {
					out = append(out, jinja.NewTuple(append([]jinja.Value(nil), cur...)))
					return
				}
				for i := start; i < len(items); i++ {
					rec(i+1, append(cur, items[i]))
				}
			}
			if r >= 0 && r <= len(items) {
				rec(0, nil)
			}
			return jinja.NewList(out), nil
		}),
	})
}
