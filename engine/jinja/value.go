package jinja

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Kind is the type of a Value, with Python's names in mind.
type Kind uint8

const (
	KindUndefined Kind = iota
	KindNone
	KindBool
	KindInt
	KindFloat
	KindString
	KindList
	KindTuple
	KindDict
	KindCallable
	KindObject
)

// Value is one Jinja value. The zero Value is Undefined. Scalars live in the
// struct itself, so they cost no allocation; lists and dicts are shared by
// reference, as in Python.
type Value struct {
	k    Kind
	safe bool   // a Markup string (escape filter, |safe)
	n    uint64 // bool (0/1), int64 bits or float64 bits
	s    string // string value, or the name of an undefined value
	p    any    // *List, *Dict, Callable, Object, or *undefInfo
}

// undefInfo says why a value is undefined, for the error an operation on it raises.
type undefInfo struct {
	msg  string // "'dict object' has no attribute 'b'"
	kind string // the error class using it raises (default UndefinedError)
}

// List is a Python list or tuple.
type List struct {
	Items []Value
}

// Callable is a function value. Call must not keep args after it returns.
type Callable interface {
	Call(s *State, args Args) (Value, error)
}

// Object is a host value with attributes (a relation, the adapter, api, …).
// Attr returns false when the object has no such attribute; the engine then
// yields an undefined value naming it.
type Object interface {
	Attr(name string) (Value, bool)
}

// Optional interfaces an Object may implement.
type (
	// ItemGetter answers obj[key].
	ItemGetter interface {
		Item(key Value) (Value, bool)
	}
	// Iterable gives the values a for loop walks.
	Iterable interface {
		Iter() []Value
	}
	// Lengther answers length.
	Lengther interface {
		Len() int
	}
	// Truther answers truthiness (default true).
	Truther interface {
		Truth() bool
	}
	// Reprer gives Python's repr (default: String()).
	Reprer interface {
		Repr() string
	}
	// Equaler answers == against another value (default: identity).
	Equaler interface {
		EqualValue(other Value) bool
	}
	// Slicer answers obj[start:stop:step]; each bound is None or an int.
	Slicer interface {
		Slice(start, stop, step Value) (Value, error)
	}
	// Operand answers a binary operator (+ - * / // % **) with other, as
	// Python's __add__ and __radd__ do: right is true when the object is the
	// right operand. ok false means "not supported" (Python's NotImplemented).
	Operand interface {
		Operate(op string, other Value, right bool) (v Value, ok bool, err error)
	}
)

// KwArg is one keyword argument of a call.
type KwArg struct {
	Name  string
	Value Value
}

// Args are the arguments of a call: positional, then keyword in call order.
type Args struct {
	Pos []Value
	Kw  []KwArg
}

// Get returns keyword name, else positional i (i < 0: keyword only).
func (a Args) Get(i int, name string) (Value, bool) {
	for _, kw := range a.Kw {
		if kw.Name == name {
			return kw.Value, true
		}
	}
	if i >= 0 && i < len(a.Pos) {
		return a.Pos[i], true
	}
	return Value{}, false
}

// Func adapts a Go function to Callable.
type Func func(s *State, args Args) (Value, error)

// Call implements Callable.
func (f Func) Call(s *State, args Args) (Value, error) { return f(s, args) }

// namedFunc is a Func with a name for repr and error messages.
type namedFunc struct {
	name string
	fn   Func
}

func (f *namedFunc) Call(s *State, args Args) (Value, error) { return f.fn(s, args) }

// Constructors.

var (
	None  = Value{k: KindNone}
	True  = Value{k: KindBool, n: 1}
	False = Value{k: KindBool}
)

// Undefined returns an undefined value for name.
func Undefined(name string) Value { return Value{k: KindUndefined, s: name} }

// UndefinedMsg returns an undefined value whose use raises msg.
func UndefinedMsg(name, msg string) Value {
	return Value{k: KindUndefined, s: name, p: &undefInfo{msg: msg}}
}

// Bool returns True or False.
func Bool(b bool) Value {
	if b {
		return True
	}
	return False
}

// Int returns an int value.
func Int(i int64) Value { return Value{k: KindInt, n: uint64(i)} }

// Float returns a float value.
func Float(f float64) Value { return Value{k: KindFloat, n: math.Float64bits(f)} }

// String returns a str value.
func String(s string) Value { return Value{k: KindString, s: s} }

// Markup returns a str value marked safe (Jinja2's Markup).
func Markup(s string) Value { return Value{k: KindString, s: s, safe: true} }

// NewList returns a list holding items (not copied).
func NewList(items []Value) Value { return Value{k: KindList, p: &List{Items: items}} }

// NewTuple returns a tuple holding items (not copied).
func NewTuple(items []Value) Value { return Value{k: KindTuple, p: &List{Items: items}} }

// DictValue wraps d.
func DictValue(d *Dict) Value { return Value{k: KindDict, p: d} }

// CallableValue wraps a callable.
func CallableValue(c Callable) Value { return Value{k: KindCallable, p: c} }

// FuncValue wraps a Go function under a name.
func FuncValue(name string, fn Func) Value {
	return Value{k: KindCallable, p: &namedFunc{name: name, fn: fn}}
}

// ObjectValue wraps a host object.
func ObjectValue(o Object) Value { return Value{k: KindObject, p: o} }

// Accessors.

// Kind returns v's kind.
func (v Value) Kind() Kind { return v.k }

// IsUndefined reports whether v is undefined.
func (v Value) IsUndefined() bool { return v.k == KindUndefined }

// IsNone reports whether v is None.
func (v Value) IsNone() bool { return v.k == KindNone }

// IsSafe reports whether v is a Markup string.
func (v Value) IsSafe() bool { return v.safe }

// AsBool returns the bool of a KindBool value.
func (v Value) AsBool() bool { return v.n != 0 }

// AsInt returns the int of a KindInt or KindBool value.
func (v Value) AsInt() int64 { return int64(v.n) }

// AsFloat returns the float of a KindFloat value, or the int converted.
func (v Value) AsFloat() float64 {
	switch v.k {
	case KindFloat:
		return math.Float64frombits(v.n)
	case KindInt, KindBool:
		if v.isBig() {
			return bigFloat(v)
		}
		return float64(int64(v.n))
	}
	return 0
}

// Str returns the string of a KindString value (or an undefined value's name).
func (v Value) Str() string { return v.s }

// List returns the list behind a list or tuple (nil otherwise).
func (v Value) List() *List {
	if v.k == KindList || v.k == KindTuple {
		return v.p.(*List)
	}
	return nil
}

// Dict returns the dict behind v (nil otherwise).
func (v Value) Dict() *Dict {
	if v.k == KindDict {
		return v.p.(*Dict)
	}
	return nil
}

// Callable returns the callable behind v (nil otherwise).
func (v Value) Callable() Callable {
	if v.k == KindCallable {
		return v.p.(Callable)
	}
	if v.k == KindObject {
		if c, ok := v.p.(Callable); ok {
			return c
		}
	}
	return nil
}

// Object returns the host object behind v (nil otherwise).
func (v Value) Object() Object {
	if v.k == KindObject {
		return v.p.(Object)
	}
	return nil
}

// UndefinedName returns the name an undefined value stands for.
func (v Value) UndefinedName() string { return v.s }

// undefinedError is the error an operation on undefined v raises.
func (v Value) undefinedError() *Error {
	if ui, ok := v.p.(*undefInfo); ok && ui.msg != "" {
		kind := ui.kind
		if kind == "" {
			kind = "UndefinedError"
		}
		return &Error{Kind: kind, Msg: ui.msg}
	}
	return &Error{Kind: "UndefinedError", Msg: fmt.Sprintf("'%s' is undefined", v.s), Name: v.s}
}

// IsNumber reports whether v is an int, float or bool.
func (v Value) IsNumber() bool { return v.k == KindInt || v.k == KindFloat || v.k == KindBool }

// Truthy is Python's bool(v).
func (v Value) Truthy() bool {
	switch v.k {
	case KindUndefined, KindNone:
		return false
	case KindBool, KindInt:
		return v.n != 0 || v.p != nil
	case KindFloat:
		return math.Float64frombits(v.n) != 0
	case KindString:
		return v.s != ""
	case KindList, KindTuple:
		return len(v.p.(*List).Items) > 0
	case KindDict:
		return v.p.(*Dict).Len() > 0
	case KindObject:
		if t, ok := v.p.(Truther); ok {
			return t.Truth()
		}
		if l, ok := v.p.(Lengther); ok {
			return l.Len() > 0
		}
	}
	return true
}

// String is Python's str(v); undefined prints as nothing.
func (v Value) String() string {
	switch v.k {
	case KindUndefined:
		return ""
	case KindString:
		return v.s
	case KindObject:
		if s, ok := v.p.(fmt.Stringer); ok {
			return s.String()
		}
	}
	return v.Repr()
}

// Repr is Python's repr(v).
func (v Value) Repr() string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value, depth int) {
	if depth > 100 {
		b.WriteString("[...]")
		return
	}
	switch v.k {
	case KindUndefined:
		b.WriteString("Undefined")
	case KindNone:
		b.WriteString("None")
	case KindBool:
		if v.n != 0 {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case KindInt:
		if v.isBig() {
			b.WriteString(v.bigInt().String())
			return
		}
		b.WriteString(strconv.FormatInt(int64(v.n), 10))
	case KindFloat:
		b.WriteString(FormatFloat(v.AsFloat()))
	case KindString:
		if v.safe {
			b.WriteString("Markup(")
			b.WriteString(PyQuote(v.s))
			b.WriteString(")")
			return
		}
		b.WriteString(PyQuote(v.s))
	case KindList, KindTuple:
		items := v.p.(*List).Items
		if v.k == KindList {
			b.WriteByte('[')
		} else {
			b.WriteByte('(')
		}
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, it, depth+1)
		}
		if v.k == KindList {
			b.WriteByte(']')
		} else {
			if len(items) == 1 {
				b.WriteByte(',')
			}
			b.WriteByte(')')
		}
	case KindDict:
		d := v.p.(*Dict)
		b.WriteByte('{')
		for i := range d.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, d.keys[i], depth+1)
			b.WriteString(": ")
			writeRepr(b, d.vals[i], depth+1)
		}
		b.WriteByte('}')
	case KindCallable:
		switch c := v.p.(type) {
		case Reprer:
			b.WriteString(c.Repr())
		case *Macro:
			b.WriteString("<Macro '" + c.Name + "'>")
		case *namedFunc:
			b.WriteString("<function " + c.name + ">")
		default:
			b.WriteString("<function>")
		}
	case KindObject:
		if r, ok := v.p.(Reprer); ok {
			b.WriteString(r.Repr())
		} else if s, ok := v.p.(fmt.Stringer); ok {
			b.WriteString(s.String())
		} else {
			b.WriteString(fmt.Sprintf("<%T object>", v.p))
		}
	}
}

// FormatFloat formats f as Python's repr(float) does.
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	// Python's repr is the shortest round-trip form, in exponent notation
	// when the exponent is below -4 or at least 16.
	sh := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(sh, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		es := strconv.Itoa(exp)
		if len(es) < 2 {
			es = "0" + es
		}
		return mant + "e" + sign + es
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(out, ".") {
		out += ".0"
	}
	return out
}

// PyQuote quotes s as Python's repr(str) does.
func PyQuote(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && !pmIsPrintable(r):
			switch {
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// TypeName is Python's type name of v, for error messages.
func (v Value) TypeName() string {
	switch v.k {
	case KindUndefined:
		return "Undefined"
	case KindNone:
		return "NoneType"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindString:
		if v.safe {
			return "Markup"
		}
		return "str"
	case KindList:
		return "list"
	case KindTuple:
		return "tuple"
	case KindDict:
		return "dict"
	case KindCallable:
		if _, ok := v.p.(*Macro); ok {
			return "Macro"
		}
		return "function"
	case KindObject:
		switch o := v.p.(type) {
		case interface{ TypeName() string }:
			return o.TypeName()
		case *Namespace:
			return "Namespace"
		}
	}
	return fmt.Sprintf("%T", v.p)
}

// Equal is Python's ==.
func Equal(a, b Value) bool {
	if a.k == b.k {
		switch a.k {
		case KindUndefined, KindNone:
			return true
		case KindBool, KindInt:
			if a.isBig() || b.isBig() {
				return a.bigInt().Cmp(b.bigInt()) == 0
			}
			return a.n == b.n
		case KindFloat:
			return a.AsFloat() == b.AsFloat()
		case KindString:
			return a.s == b.s
		case KindList, KindTuple:
			x, y := a.p.(*List).Items, b.p.(*List).Items
			if len(x) != len(y) {
				return false
			}
			for i := range x {
				if !Equal(x[i], y[i]) {
					return false
				}
			}
			return true
		case KindDict:
			x, y := a.p.(*Dict), b.p.(*Dict)
			if x.Len() != y.Len() {
				return false
			}
			for i, k := range x.keys {
				w, ok := y.Get(k)
				if !ok || !Equal(x.vals[i], w) {
					return false
				}
			}
			return true
		case KindCallable, KindObject:
			if e, ok := a.p.(Equaler); ok {
				return e.EqualValue(b)
			}
			return sameRef(a.p, b.p)
		}
	}
	if a.IsNumber() && b.IsNumber() {
		if a.k != KindFloat && b.k != KindFloat {
			return a.n == b.n
		}
		return a.AsFloat() == b.AsFloat()
	}
	return false
}

func sameRef(a, b any) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// numCmp compares two numbers exactly (ints against floats too); ok is false
// when one is NaN.
func numCmp(a, b Value) (int, bool) {
	af, bf := a.k == KindFloat, b.k == KindFloat
	if a.isBig() || b.isBig() {
		if !af && !bf {
			return a.bigInt().Cmp(b.bigInt()), true
		}
		if math.IsNaN(a.AsFloat()) || math.IsNaN(b.AsFloat()) {
			return 0, false
		}
		x, y := new(big.Float), new(big.Float)
		if af {
			x.SetFloat64(a.AsFloat())
		} else {
			x.SetInt(a.bigInt())
		}
		if bf {
			y.SetFloat64(b.AsFloat())
		} else {
			y.SetInt(b.bigInt())
		}
		return x.Cmp(y), true
	}
	switch {
	case !af && !bf:
		x, y := a.AsInt(), b.AsInt()
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case af && bf:
		x, y := a.AsFloat(), b.AsFloat()
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		case x == y:
			return 0, true
		}
		return 0, false
	case af:
		c, ok := cmpIntFloat(b.AsInt(), a.AsFloat())
		return -c, ok
	}
	return cmpIntFloat(a.AsInt(), b.AsFloat())
}

// cmpIntFloat compares i with f exactly.
func cmpIntFloat(i int64, f float64) (int, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case f >= 9.223372036854775807e18:
		return -1, true
	case f < -9.223372036854775807e18:
		return 1, true
	}
	t := int64(f) // truncated toward zero, exact
	switch {
	case i < t:
		return -1, true
	case i > t:
		return 1, true
	}
	frac := f - float64(t)
	switch {
	case frac > 0:
		return -1, true
	case frac < 0:
		return 1, true
	}
	return 0, true
}

// Compare is Python's ordering for <, <=, >, >=. ok is false when Python
// raises TypeError ("'<' not supported between instances of …").
func Compare(a, b Value) (c int, ok bool) {
	if a.IsNumber() && b.IsNumber() {
		if c, ok := numCmp(a, b); ok {
			return c, true
		}
		return 0, true // NaN: unordered, reported as equal
	}
	if a.k == KindString && b.k == KindString {
		return strings.Compare(a.s, b.s), true
	}
	if (a.k == KindList && b.k == KindList) || (a.k == KindTuple && b.k == KindTuple) {
		x, y := a.p.(*List).Items, b.p.(*List).Items
		for i := 0; i < len(x) && i < len(y); i++ {
			if Equal(x[i], y[i]) {
				continue
			}
			return Compare(x[i], y[i])
		}
		switch {
		case len(x) < len(y):
			return -1, true
		case len(x) > len(y):
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// Dict is an insertion-ordered dict, as Python's.
type Dict struct {
	keys []Value
	vals []Value
	idx  map[dictKey]int // nil while small
}

type dictKey struct {
	k Kind
	n uint64
	s string
	p any
}

func keyOf(v Value) (dictKey, bool) {
	switch v.k {
	case KindUndefined:
		return dictKey{k: KindUndefined}, true
	case KindNone:
		return dictKey{k: KindNone}, true
	case KindBool, KindInt:
		if v.isBig() {
			return dictKey{k: KindInt, s: v.bigInt().String()}, true
		}
		return dictKey{k: KindInt, n: v.n}, true
	case KindFloat:
		f := v.AsFloat()
		if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			return dictKey{k: KindInt, n: uint64(int64(f))}, true
		}
		return dictKey{k: KindFloat, n: v.n}, true
	case KindString:
		return dictKey{k: KindString, s: v.s}, true
	case KindTuple:
		// Rare: fall back to the repr.
		return dictKey{k: KindTuple, s: v.Repr()}, true
	case KindCallable, KindObject:
		return dictKey{k: v.k, p: v.p}, true
	}
	return dictKey{}, false
}

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{} }

const dictSmall = 8

// Len returns the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

func (d *Dict) find(k Value) int {
	if d.idx != nil {
		dk, ok := keyOf(k)
		if !ok {
			return -1
		}
		if i, ok := d.idx[dk]; ok {
			return i
		}
		return -1
	}
	if k.k == KindString {
		for i := range d.keys {
			if d.keys[i].k == KindString && d.keys[i].s == k.s {
				return i
			}
		}
		return -1
	}
	for i := range d.keys {
		if Equal(d.keys[i], k) && hashable(d.keys[i]) {
			return i
		}
	}
	return -1
}

func hashable(v Value) bool {
	_, ok := keyOf(v)
	return ok
}

// Hashable reports whether v may be a dict key.
func Hashable(v Value) bool { return hashable(v) }

// Get returns the value for k.
func (d *Dict) Get(k Value) (Value, bool) {
	if i := d.find(k); i >= 0 {
		return d.vals[i], true
	}
	return Value{}, false
}

// GetStr returns the value for string key k.
func (d *Dict) GetStr(k string) (Value, bool) { return d.Get(String(k)) }

// Set sets k to v, keeping the position of an existing key.
func (d *Dict) Set(k, v Value) {
	if i := d.find(k); i >= 0 {
		d.vals[i] = v
		return
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	if d.idx != nil {
		dk, _ := keyOf(k)
		d.idx[dk] = len(d.keys) - 1
	} else if len(d.keys) > dictSmall {
		d.reindex()
	}
}

// SetStr sets string key k.
func (d *Dict) SetStr(k string, v Value) { d.Set(String(k), v) }

func (d *Dict) reindex() {
	d.idx = make(map[dictKey]int, len(d.keys))
	for i, k := range d.keys {
		dk, _ := keyOf(k)
		d.idx[dk] = i
	}
}

// Delete removes k and reports whether it was there.
func (d *Dict) Delete(k Value) bool {
	i := d.find(k)
	if i < 0 {
		return false
	}
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i], d.vals[i+1:]...)
	if d.idx != nil {
		d.reindex()
	}
	return true
}

// Keys returns the keys in order (the slice is the dict's own; do not modify).
func (d *Dict) Keys() []Value { return d.keys }

// Values returns the values in order (the dict's own slice).
func (d *Dict) Values() []Value { return d.vals }

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	n := &Dict{keys: append([]Value(nil), d.keys...), vals: append([]Value(nil), d.vals...)}
	if d.idx != nil {
		n.reindex()
	}
	return n
}

// FromGo converts a Go value into a Value: nil, bool, ints, floats, string,
// []any, []string, map[string]any (keys sorted, as Go maps have no order),
// Value, Callable, Object, and func(*State, Args) (Value, error).
func FromGo(x any) Value {
	switch t := x.(type) {
	case nil:
		return None
	case Value:
		return t
	case bool:
		return Bool(t)
	case int:
		return Int(int64(t))
	case int64:
		return Int(t)
	case int32:
		return Int(int64(t))
	case uint64:
		return Int(int64(t))
	case float64:
		return Float(t)
	case float32:
		return Float(float64(t))
	case string:
		return String(t)
	case []Value:
		return NewList(t)
	case []any:
		out := make([]Value, len(t))
		for i, e := range t {
			out[i] = FromGo(e)
		}
		return NewList(out)
	case []string:
		out := make([]Value, len(t))
		for i, e := range t {
			out[i] = String(e)
		}
		return NewList(out)
	case map[string]any:
		return sortedDict(t, FromGo)
	case map[string]string:
		return sortedDict(t, String)
	case *Dict:
		return DictValue(t)
	case Func:
		return CallableValue(t)
	case func(*State, Args) (Value, error):
		return CallableValue(Func(t))
	case Callable:
		return CallableValue(t)
	case Object:
		return ObjectValue(t)
	case fmt.Stringer:
		return String(t.String())
	}
	return String(fmt.Sprint(x))
}

// sortedDict makes a dict of m with its keys sorted (Go maps have no order).
func sortedDict[V any](m map[string]V, conv func(V) Value) Value {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := &Dict{keys: make([]Value, 0, len(keys)), vals: make([]Value, 0, len(keys))}
	for _, k := range keys {
		d.Set(String(k), conv(m[k]))
	}
	return DictValue(d)
}

// ToGo converts v into plain Go data: nil, bool, int64, float64, string,
// []any, map[string]any (non-string keys become their str()); callables and
// objects are returned as they are.
func (v Value) ToGo() any {
	switch v.k {
	case KindUndefined, KindNone:
		return nil
	case KindBool:
		return v.n != 0
	case KindInt:
		return int64(v.n)
	case KindFloat:
		return v.AsFloat()
	case KindString:
		return v.s
	case KindList, KindTuple:
		items := v.p.(*List).Items
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = it.ToGo()
		}
		return out
	case KindDict:
		d := v.p.(*Dict)
		out := make(map[string]any, d.Len())
		for i, k := range d.keys {
			out[k.String()] = d.vals[i].ToGo()
		}
		return out
	}
	return v.p
}
