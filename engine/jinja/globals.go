package jinja

// Jinja2 3.1's default globals (jinja2/defaults.py DEFAULT_NAMESPACE), with
// the sandbox's range: range, dict, lipsum, cycler, joiner, namespace.

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"strings"
)

func builtinGlobals() map[string]Value {
	return map[string]Value{
		"range":     FuncValue("range", globalRange),
		"dict":      FuncValue("dict", globalDict),
		"lipsum":    FuncValue("generate_lorem_ipsum", globalLipsum),
		"cycler":    FuncValue("Cycler", globalCycler),
		"joiner":    FuncValue("Joiner", globalJoiner),
		"namespace": FuncValue("Namespace", globalNamespace),
	}
}

// ---------------------------------------------------------------------------
// range

// rangeObj is a Python range: a lazy sequence of ints. Bounds beyond int64
// keep big ints.
type rangeObj struct {
	start, stop, step Value
	n                 int
	items             []Value // made on first iteration
}

func (r *rangeObj) at(i int) Value {
	if !r.start.isBig() && !r.step.isBig() {
		x, y := r.start.AsInt(), r.step.AsInt()
		hi, lo := bits.Mul64(uint64(abs(y)), uint64(i))
		if hi == 0 && lo < 1<<62 && abs(x) < 1<<62 {
			p := int64(lo)
			if y < 0 {
				p = -p
			}
			return Int(x + p)
		}
	}
	z := new(big.Int).Mul(r.step.bigInt(), big.NewInt(int64(i)))
	return intFromBig(z.Add(z, r.start.bigInt()))
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// Attr implements Object.
func (r *rangeObj) Attr(name string) (Value, bool) {
	switch name {
	case "start":
		return r.start, true
	case "stop":
		return r.stop, true
	case "step":
		return r.step, true
	case "count", "index":
		return FuncValue(name, func(s *State, a Args) (Value, error) {
			if len(a.Kw) > 0 || len(a.Pos) != 1 {
				return Value{}, typeErrorf("range.%s() takes exactly one argument (%d given)", name, len(a.Pos)+len(a.Kw))
			}
			x := a.Pos[0]
			for i := 0; i < r.n; i++ {
				if Equal(r.at(i), x) {
					if name == "index" {
						return Int(int64(i)), nil
					}
					return Int(1), nil
				}
			}
			if name == "index" {
				return Value{}, Errorf("ValueError", "%s is not in range", x.Repr())
			}
			return Int(0), nil
		}), true
	}
	return Value{}, false
}

// Item implements ItemGetter.
func (r *rangeObj) Item(k Value) (Value, bool) {
	if k.k != KindInt && k.k != KindBool {
		return Value{}, false
	}
	i := k.AsInt()
	if k.isBig() {
		i = -1 << 62
	}
	if i < 0 {
		i += int64(r.n)
	}
	if i < 0 || i >= int64(r.n) {
		return UndefinedMsg("", "range object has no element "+k.Repr()), true
	}
	return r.at(int(i)), true
}

// Iter implements Iterable (a range can be iterated many times).
func (r *rangeObj) Iter() []Value {
	if r.items == nil && r.n > 0 {
		r.items = make([]Value, r.n)
		for i := range r.items {
			r.items[i] = r.at(i)
		}
	}
	return r.items
}

func (r *rangeObj) Len() int         { return r.n }
func (r *rangeObj) Truth() bool      { return r.n > 0 }
func (r *rangeObj) TypeName() string { return "range" }

func (r *rangeObj) Repr() string {
	if Equal(r.step, Int(1)) {
		return "range(" + r.start.Repr() + ", " + r.stop.Repr() + ")"
	}
	return "range(" + r.start.Repr() + ", " + r.stop.Repr() + ", " + r.step.Repr() + ")"
}

func (r *rangeObj) String() string { return r.Repr() }

// EqualValue implements Equaler (range == other): ranges are equal when
// they are the same sequence (range(0) == range(5, 1)); a range equals no
// other kind of value.
func (r *rangeObj) EqualValue(other Value) bool {
	o, ok := other.p.(*rangeObj)
	if !ok || other.k != KindObject {
		return false
	}
	if r.n != o.n {
		return false
	}
	if r.n == 0 {
		return true
	}
	return Equal(r.start, o.start) && (r.n == 1 || Equal(r.step, o.step))
}

// rangeLen is len(range(start, stop, step)).
func rangeLen(start, stop, step *big.Int) *big.Int {
	lo, hi, st := start, stop, step
	switch {
	case step.Sign() > 0 && start.Cmp(stop) < 0:
	case step.Sign() < 0 && start.Cmp(stop) > 0:
		lo, hi, st = stop, start, new(big.Int).Neg(step)
	default:
		return new(big.Int)
	}
	d := new(big.Int).Sub(hi, lo)
	d.Sub(d, big.NewInt(1))
	d.Quo(d, st)
	return d.Add(d, big.NewInt(1))
}

func globalRange(s *State, a Args) (Value, error) {
	if len(a.Kw) > 0 {
		return Value{}, typeErrorf("safe_range() got an unexpected keyword argument '%s'", a.Kw[0].Name)
	}
	switch n := len(a.Pos); {
	case n == 0:
		return Value{}, typeErrorf("range expected at least 1 argument, got 0")
	case n > 3:
		return Value{}, typeErrorf("range expected at most 3 arguments, got %d", n)
	}
	var args [3]Value
	for i, v := range a.Pos {
		if v.k != KindInt && v.k != KindBool {
			return Value{}, typeErrorf("'%s' object cannot be interpreted as an integer", pyType(v))
		}
		args[i] = Int(v.AsInt())
		if v.isBig() {
			args[i] = v
		}
	}
	start, stop, step := Int(0), args[0], Int(1)
	if len(a.Pos) >= 2 {
		start, stop = args[0], args[1]
	}
	if len(a.Pos) == 3 {
		step = args[2]
		if step.bigInt().Sign() == 0 {
			return Value{}, Errorf("ValueError", "range() arg 3 must not be zero")
		}
	}
	n := rangeLen(start.bigInt(), stop.bigInt(), step.bigInt())
	if !n.IsInt64() {
		return Value{}, Errorf("OverflowError", "Python int too large to convert to C ssize_t")
	}
	if n.Int64() > int64(s.limits.Range) {
		return Value{}, Errorf("OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (%d).", s.limits.Range)
	}
	return ObjectValue(&rangeObj{start: start, stop: stop, step: step, n: int(n.Int64())}), nil
}

// ---------------------------------------------------------------------------
// dict and namespace

// pyDictArgs is dict(*args, **kwargs).
func pyDictArgs(s *State, a Args) (*Dict, error) {
	if len(a.Pos) > 1 {
		return nil, typeErrorf("dict expected at most 1 argument, got %d", len(a.Pos))
	}
	d := NewDict()
	if len(a.Pos) == 1 {
		src := a.Pos[0]
		switch {
		case src.k == KindUndefined:
			// dict() looks for src.keys, which an undefined value refuses.
			return nil, src.undefinedError()
		case src.k == KindDict:
			d = src.Dict().Copy()
		case src.k == KindObject && isNamespace(src):
			return nil, typeErrorf("'Namespace' object is not iterable")
		default:
			items, err := s.Iter(src)
			if err != nil {
				return nil, err
			}
			for i, it := range items {
				pair, err := s.Iter(it)
				if err != nil {
					return nil, typeErrorf("cannot convert dictionary update sequence element #%d to a sequence", i)
				}
				if len(pair) != 2 {
					return nil, Errorf("ValueError", "dictionary update sequence element #%d has length %d; 2 is required", i, len(pair))
				}
				if !Hashable(pair[0]) {
					return nil, typeErrorf("unhashable type: '%s'", pair[0].TypeName())
				}
				d.Set(pair[0], pair[1])
			}
		}
	}
	for _, kw := range a.Kw {
		d.SetStr(kw.Name, kw.Value)
	}
	return d, nil
}

func isNamespace(v Value) bool {
	_, ok := v.p.(*Namespace)
	return ok
}

func globalDict(s *State, a Args) (Value, error) {
	d, err := pyDictArgs(s, a)
	if err != nil {
		return Value{}, err
	}
	return DictValue(d), nil
}

func globalNamespace(s *State, a Args) (Value, error) {
	d, err := pyDictArgs(s, a)
	if err != nil {
		return Value{}, err
	}
	return ObjectValue(&Namespace{D: d}), nil
}

// ---------------------------------------------------------------------------
// cycler

type cyclerObj struct {
	items []Value
	pos   int
}

func globalCycler(s *State, a Args) (Value, error) {
	if len(a.Kw) > 0 {
		return Value{}, typeErrorf("Cycler.__init__() got an unexpected keyword argument '%s'", a.Kw[0].Name)
	}
	if len(a.Pos) == 0 {
		return Value{}, Errorf("RuntimeError", "at least one item has to be provided")
	}
	return ObjectValue(&cyclerObj{items: append([]Value(nil), a.Pos...)}), nil
}

// noMethodArgs checks a call of a method that takes no arguments.
func noMethodArgs(name string, a Args) error {
	if len(a.Kw) > 0 {
		return typeErrorf("%s() got an unexpected keyword argument '%s'", name, a.Kw[0].Name)
	}
	if len(a.Pos) > 0 {
		return typeErrorf("%s() takes 1 positional argument but %d were given", name, len(a.Pos)+1)
	}
	return nil
}

// Attr implements Object.
func (c *cyclerObj) Attr(name string) (Value, bool) {
	switch name {
	case "current":
		return c.items[c.pos], true
	case "items":
		return NewTuple(c.items), true
	case "pos":
		return Int(int64(c.pos)), true
	case "next":
		return FuncValue("next", func(s *State, a Args) (Value, error) {
			if err := noMethodArgs("Cycler.next", a); err != nil {
				return Value{}, err
			}
			rv := c.items[c.pos]
			c.pos = (c.pos + 1) % len(c.items)
			return rv, nil
		}), true
	case "reset":
		return FuncValue("reset", func(s *State, a Args) (Value, error) {
			if err := noMethodArgs("Cycler.reset", a); err != nil {
				return Value{}, err
			}
			c.pos = 0
			return None, nil
		}), true
	}
	if strings.HasPrefix(name, "_") {
		return Value{}, false
	}
	return UndefinedMsg(name, fmt.Sprintf("'jinja2.utils.Cycler object' has no attribute '%s'", name)), true
}

func (c *cyclerObj) TypeName() string { return "Cycler" }
func (c *cyclerObj) Repr() string     { return "<jinja2.utils.Cycler object at 0x7f0000000000>" }
func (c *cyclerObj) String() string   { return c.Repr() }

// ---------------------------------------------------------------------------
// joiner

type joinerObj struct {
	sep  Value
	used bool
}

var sigJoiner = &pySig{name: "Joiner.__init__", params: []string{"self", "sep"}, hidden: 1, required: 1}

func globalJoiner(s *State, a Args) (Value, error) {
	var p [1]Value
	if err := sigJoiner.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	return ObjectValue(&joinerObj{sep: orDefault(p[0], String(", "))}), nil
}

// Call implements Callable.
func (j *joinerObj) Call(s *State, a Args) (Value, error) {
	if err := noMethodArgs("Joiner.__call__", a); err != nil {
		return Value{}, err
	}
	if !j.used {
		j.used = true
		return String(""), nil
	}
	return j.sep, nil
}

// Attr implements Object.
func (j *joinerObj) Attr(name string) (Value, bool) {
	switch name {
	case "sep":
		return j.sep, true
	case "used":
		return Bool(j.used), true
	}
	if strings.HasPrefix(name, "_") {
		return Value{}, false
	}
	return UndefinedMsg(name, fmt.Sprintf("'jinja2.utils.Joiner object' has no attribute '%s'", name)), true
}

func (j *joinerObj) TypeName() string { return "Joiner" }
func (j *joinerObj) Repr() string     { return "<jinja2.utils.Joiner object at 0x7f0000000000>" }
func (j *joinerObj) String() string   { return j.Repr() }

// ---------------------------------------------------------------------------
// lipsum

var sigLipsum = &pySig{name: "generate_lorem_ipsum", params: []string{"n", "html", "min", "max"}}

// loremWords is Jinja2's LOREM_IPSUM_WORDS.
var loremWords = strings.Fields(`a ac accumsan ad adipiscing aenean aliquam aliquet amet ante aptent arcu at
auctor augue bibendum blandit class commodo condimentum congue consectetuer
consequat conubia convallis cras cubilia cum curabitur curae cursus dapibus
diam dictum dictumst dignissim dis dolor donec dui duis egestas eget eleifend
elementum elit enim erat eros est et etiam eu euismod facilisi facilisis fames
faucibus felis fermentum feugiat fringilla fusce gravida habitant habitasse hac
hendrerit hymenaeos iaculis id imperdiet in inceptos integer interdum ipsum
justo lacinia lacus laoreet lectus leo libero ligula litora lobortis lorem
luctus maecenas magna magnis malesuada massa mattis mauris metus mi molestie
mollis montes morbi mus nam nascetur natoque nec neque netus nibh nisi nisl non
nonummy nostra nulla nullam nunc odio orci ornare parturient pede pellentesque
penatibus per pharetra phasellus placerat platea porta porttitor posuere
potenti praesent pretium primis proin pulvinar purus quam quis quisque rhoncus
ridiculus risus rutrum sagittis sapien scelerisque sed sem semper senectus sit
sociis sociosqu sodales sollicitudin suscipit suspendisse taciti tellus tempor
tempus tincidunt torquent tortor tristique turpis ullamcorper ultrices
ultricies urna ut varius vehicula vel velit venenatis vestibulum vitae vivamus
viverra volutpat vulputate`)

// randrange is random.randrange(lo, hi).
func randrange(lo, hi int64) (int64, error) {
	if lo >= hi {
		return 0, Errorf("ValueError", "empty range for randrange() (%d, %d, %d)", lo, hi, hi-lo)
	}
	return lo + rand.Int64N(hi-lo), nil
}

func globalLipsum(s *State, a Args) (Value, error) {
	var p [4]Value
	if err := sigLipsum.bind(a, p[:]); err != nil {
		return Value{}, err
	}
	n, err := indexArg(orDefault(p[0], Int(5)))
	if err != nil {
		return Value{}, err
	}
	html := isMissing(p[1]) || p[1].Truthy()
	lo, err := indexArg(orDefault(p[2], Int(20)))
	if err != nil {
		return Value{}, err
	}
	hi, err := indexArg(orDefault(p[3], Int(100)))
	if err != nil {
		return Value{}, err
	}
	var result []string
	size := 0
	for k := int64(0); k < n; k++ {
		nextCapitalized := true
		lastComma, lastFullstop := int64(0), int64(0)
		last := ""
		count, err := randrange(lo, hi)
		if err != nil {
			return Value{}, err
		}
		var b strings.Builder
		for idx := int64(0); idx < count; idx++ {
			var word string
			for {
				word = loremWords[rand.IntN(len(loremWords))]
				if word != last {
					last = word
					break
				}
			}
			if nextCapitalized {
				word = pyCapitalize(word)
				nextCapitalized = false
			}
			r1, _ := randrange(3, 8)
			if idx-r1 > lastComma {
				lastComma = idx
				lastFullstop += 2
				word += ","
			}
			r2, _ := randrange(10, 20)
			if idx-r2 > lastFullstop {
				lastComma, lastFullstop = idx, idx
				word += "."
				nextCapitalized = true
			}
			if idx > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word)
			if size+b.Len() > s.limits.Output {
				return Value{}, s.checkSize(size + b.Len())
			}
		}
		ps := b.String()
		switch {
		case strings.HasSuffix(ps, ","):
			ps = ps[:len(ps)-1] + "."
		case !strings.HasSuffix(ps, "."):
			ps += "."
		}
		size += len(ps)
		result = append(result, ps)
	}
	if !html {
		return String(strings.Join(result, "\n\n")), nil
	}
	var b strings.Builder
	for i, ps := range result {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("<p>" + htmlEscape(ps) + "</p>")
	}
	return Markup(b.String()), nil
}

// Slice is range[start:stop:step], which is a range again.
func (r *rangeObj) Slice(start, stop, step Value) (Value, error) {
	for _, v := range [...]Value{start, stop, step} {
		if v.k != KindNone && v.k != KindInt && v.k != KindBool {
			return Value{}, typeErrorf("slice indices must be integers or None or have an __index__ method")
		}
	}
	k := big.NewInt(1)
	if step.k != KindNone {
		k = step.bigInt()
		if k.Sign() == 0 {
			return Value{}, Errorf("ValueError", "slice step cannot be zero")
		}
	}
	n := big.NewInt(int64(r.n))
	lower, upper := big.NewInt(0), new(big.Int).Set(n)
	if k.Sign() < 0 {
		lower, upper = big.NewInt(-1), new(big.Int).Sub(n, big.NewInt(1))
	}
	index := func(v Value, def *big.Int) *big.Int {
		if v.k == KindNone {
			return def
		}
		i := new(big.Int).Set(v.bigInt())
		if i.Sign() < 0 {
			i.Add(i, n)
			if i.Cmp(lower) < 0 {
				i.Set(lower)
			}
		} else if i.Cmp(upper) > 0 {
			i.Set(upper)
		}
		return i
	}
	i, j := index(start, lower), index(stop, upper)
	if k.Sign() < 0 {
		i, j = index(start, upper), index(stop, lower)
	}
	at := func(x *big.Int) Value {
		z := new(big.Int).Mul(x, r.step.bigInt())
		return intFromBig(z.Add(z, r.start.bigInt()))
	}
	nstep := intFromBig(new(big.Int).Mul(k, r.step.bigInt()))
	nstart, nstop := at(i), at(j)
	cnt := rangeLen(nstart.bigInt(), nstop.bigInt(), nstep.bigInt())
	return ObjectValue(&rangeObj{start: nstart, stop: nstop, step: nstep, n: int(cnt.Int64())}), nil
}
