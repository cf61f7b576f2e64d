package compile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// gonja's own method sets cover str well but lists only have append/reverse/copy
// and its dict methods mutate a copy. These sets replace them with Python's
// semantics: a list or dict bound by {% set %} is a shared reference, so
// `{% do cols.append(c) %}` inside a for loop is seen after the loop.

var strMethodNames = []string{"capitalize", "capwords", "casefold", "center", "count", "encode", "endswith",
	"expandtabs", "find", "format", "format_map", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
	"islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip",
	"partition", "removeprefix", "removesuffix", "replace", "rfind", "rjust", "rpartition", "rsplit", "rstrip",
	"split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill"}

func copyMethods[I any](from *exec.MethodSet[I], names []string, extra map[string]exec.Method[I]) *exec.MethodSet[I] {
	m := map[string]exec.Method[I]{}
	for _, n := range names {
		if f, ok := from.Get(n); ok {
			m[n] = f
		}
	}
	for n, f := range extra {
		m[n] = f
	}
	return exec.NewMethodSet(m)
}

func newMethods() exec.Methods {
	b := builtins.Methods
	return exec.Methods{
		Bool:  copyMethods(b.Bool, nil, nil),
		Int:   copyMethods(b.Int, []string{"is_integer"}, nil),
		Float: copyMethods(b.Float, []string{"is_integer"}, nil),
		Str: copyMethods(b.Str, strMethodNames, map[string]exec.Method[string]{
			"replace": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
				old, _ := argStr(va, 0, "old")
				nw, _ := argStr(va, 1, "new")
				n := -1
				if c, ok := argAt(va, 2, "count"); ok {
					n = c.Integer()
				}
				return strings.Replace(self, old, nw, n), nil
			},
			"index": func(self string, _ *exec.Value, va *exec.VarArgs) (any, error) {
				sub, _ := argStr(va, 0, "")
				i := strings.Index(self, sub)
				if i < 0 {
					return nil, errors.New("substring not found")
				}
				return i, nil
			},
		}),
		List: exec.NewMethodSet(listMethods()),
		Dict: exec.NewMethodSet(dictMethods()),
	}
}

// sliceOf returns the list a method was called on and a function to store a new
// version of it (through the pointer when the list is a shared reference).
func sliceOf(self *exec.Value) ([]*exec.Value, func([]*exec.Value)) {
	var items []*exec.Value
	rv := self.Val
	for rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	elem := rv
	if rv.Kind() == reflect.Pointer {
		elem = rv.Elem()
	}
	for i := 0; i < elem.Len(); i++ {
		items = append(items, exec.ToValue(elem.Index(i)))
	}
	store := func(next []*exec.Value) {
		if rv.Kind() == reflect.Pointer && rv.Elem().CanSet() {
			nv := reflect.MakeSlice(rv.Elem().Type(), 0, len(next))
			for _, v := range next {
				nv = reflect.Append(nv, convertElem(v, rv.Elem().Type().Elem()))
			}
			rv.Elem().Set(nv)
			return
		}
		*self = *exec.AsValue(exec.ValuesList(next))
	}
	return items, store
}

func convertElem(v *exec.Value, t reflect.Type) reflect.Value {
	if t == reflect.TypeFor[*exec.Value]() {
		return reflect.ValueOf(v)
	}
	x := v.Interface()
	if x == nil {
		return reflect.Zero(t)
	}
	xv := reflect.ValueOf(x)
	if xv.Type().AssignableTo(t) {
		return xv
	}
	return reflect.Zero(t)
}

func listMethods() map[string]exec.Method[[]any] {
	return map[string]exec.Method[[]any]{
		"append": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 1 {
				return nil, errors.New("append() takes exactly one argument")
			}
			items, store := sliceOf(self)
			store(append(items, va.Args[0]))
			return nil, nil
		},
		"extend": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 1 {
				return nil, errors.New("extend() takes exactly one argument")
			}
			items, store := sliceOf(self)
			va.Args[0].Iterate(func(_, _ int, k, _ *exec.Value) bool {
				items = append(items, k)
				return true
			}, func() {})
			store(items)
			return nil, nil
		},
		"insert": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			if len(va.Args) != 2 {
				return nil, errors.New("insert() takes exactly two arguments")
			}
			items, store := sliceOf(self)
			i := clampIndex(va.Args[0].Integer(), len(items))
			items = append(items[:i], append([]*exec.Value{va.Args[1]}, items[i:]...)...)
			store(items)
			return nil, nil
		},
		"pop": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, store := sliceOf(self)
			if len(items) == 0 {
				return nil, errors.New("pop from empty list")
			}
			i := len(items) - 1
			if len(va.Args) > 0 {
				i = va.Args[0].Integer()
				if i < 0 {
					i += len(items)
				}
				if i < 0 || i >= len(items) {
					return nil, errors.New("pop index out of range")
				}
			}
			v := items[i]
			store(append(items[:i:i], items[i+1:]...))
			return v.Interface(), nil
		},
		"remove": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, store := sliceOf(self)
			for i, it := range items {
				if len(va.Args) == 1 && it.EqualValueTo(va.Args[0]) {
					store(append(items[:i:i], items[i+1:]...))
					return nil, nil
				}
			}
			return nil, errors.New("list.remove(x): x not in list")
		},
		"index": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, _ := sliceOf(self)
			for i, it := range items {
				if len(va.Args) >= 1 && it.EqualValueTo(va.Args[0]) {
					return i, nil
				}
			}
			return nil, errors.New("list.index(x): x not in list")
		},
		"count": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, _ := sliceOf(self)
			n := 0
			for _, it := range items {
				if len(va.Args) >= 1 && it.EqualValueTo(va.Args[0]) {
					n++
				}
			}
			return n, nil
		},
		"reverse": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, store := sliceOf(self)
			out := make([]*exec.Value, len(items))
			for i, it := range items {
				out[len(items)-1-i] = it
			}
			store(out)
			return nil, nil
		},
		"copy": func(_ []any, self *exec.Value, va *exec.VarArgs) (any, error) {
			items, _ := sliceOf(self)
			return exec.ValuesList(append([]*exec.Value(nil), items...)), nil
		},
	}
}

func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}

// dictPairs reads a dict value (a gonja *Dict or a Go map) as ordered pairs.
type dictView struct {
	d  *exec.Dict
	m  reflect.Value
	ok bool
}

func viewDict(self *exec.Value) dictView {
	x := self.Interface()
	if d, ok := x.(*exec.Dict); ok {
		return dictView{d: d, ok: true}
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		return dictView{m: rv, ok: true}
	}
	return dictView{}
}

func (dv dictView) get(k string) (*exec.Value, bool) {
	if dv.d != nil {
		for _, p := range dv.d.Pairs {
			if p.Key.String() == k {
				return p.Value, true
			}
		}
		return nil, false
	}
	v := dv.m.MapIndex(reflect.ValueOf(k).Convert(dv.m.Type().Key()))
	if !v.IsValid() {
		return nil, false
	}
	return exec.ToValue(v), true
}

func (dv dictView) set(k string, v *exec.Value) {
	if dv.d != nil {
		for _, p := range dv.d.Pairs {
			if p.Key.String() == k {
				p.Value = v
				return
			}
		}
		dv.d.Pairs = append(dv.d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: v})
		return
	}
	dv.m.SetMapIndex(reflect.ValueOf(k).Convert(dv.m.Type().Key()), convertElem(v, dv.m.Type().Elem()))
}

func (dv dictView) del(k string) {
	if dv.d != nil {
		for i, p := range dv.d.Pairs {
			if p.Key.String() == k {
				dv.d.Pairs = append(dv.d.Pairs[:i:i], dv.d.Pairs[i+1:]...)
				return
			}
		}
		return
	}
	dv.m.SetMapIndex(reflect.ValueOf(k).Convert(dv.m.Type().Key()), reflect.Value{})
}

func (dv dictView) keys() []string {
	var out []string
	if dv.d != nil {
		for _, p := range dv.d.Pairs {
			out = append(out, p.Key.String())
		}
		return out
	}
	for _, k := range dv.m.MapKeys() {
		out = append(out, k.String())
	}
	sortStrings(out)
	return out
}

func dictMethods() map[string]exec.Method[map[string]any] {
	bad := errors.New("dict method called on a value that is not a dict")
	return map[string]exec.Method[map[string]any]{
		"get": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			k, _ := argStr(va, 0, "")
			if dv.ok {
				if v, ok := dv.get(k); ok {
					return v.Interface(), nil
				}
			}
			if len(va.Args) > 1 {
				return va.Args[1].Interface(), nil
			}
			return nil, nil
		},
		"keys": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			out := []any{}
			for _, k := range dv.keys() {
				out = append(out, k)
			}
			return out, nil
		},
		"values": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			out := exec.ValuesList{}
			for _, k := range dv.keys() {
				v, _ := dv.get(k)
				out = append(out, v)
			}
			return out, nil
		},
		"items": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			out := exec.ValuesList{}
			for _, k := range dv.keys() {
				v, _ := dv.get(k)
				out = append(out, exec.AsValue(exec.ValuesList{exec.AsValue(k), v}))
			}
			return out, nil
		},
		"update": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			if len(va.Args) == 1 {
				src := viewDict(va.Args[0])
				if src.ok {
					for _, k := range src.keys() {
						v, _ := src.get(k)
						dv.set(k, v)
					}
				}
			}
			for k, v := range va.KwArgs {
				dv.set(k, v)
			}
			return nil, nil
		},
		"pop": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			k, _ := argStr(va, 0, "")
			if dv.ok {
				if v, ok := dv.get(k); ok {
					dv.del(k)
					return v.Interface(), nil
				}
			}
			if len(va.Args) > 1 {
				return va.Args[1].Interface(), nil
			}
			return nil, fmt.Errorf("key %q not found", k)
		},
		"setdefault": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			k, _ := argStr(va, 0, "")
			if v, ok := dv.get(k); ok {
				return v.Interface(), nil
			}
			def := exec.AsValue(nil)
			if len(va.Args) > 1 {
				def = va.Args[1]
			}
			dv.set(k, def)
			return def.Interface(), nil
		},
		"copy": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			d := exec.NewDict()
			for _, k := range dv.keys() {
				v, _ := dv.get(k)
				d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(k), Value: v})
			}
			return d, nil
		},
		"clear": func(_ map[string]any, self *exec.Value, va *exec.VarArgs) (any, error) {
			dv := viewDict(self)
			if !dv.ok {
				return nil, bad
			}
			for _, k := range dv.keys() {
				dv.del(k)
			}
			return nil, nil
		},
	}
}

// refSet wraps gonja's {% set %} so that a list bound to a name is stored as a
// pointer: Python lists are references, and dbt macros rely on appending to a
// list declared outside a loop.
type refSet struct {
	inner nodes.ControlStructure
	name  string
}

func (s *refSet) Position() *tokens.Token { return s.inner.Position() }
func (s *refSet) String() string          { return s.inner.String() }

func (s *refSet) Execute(r *exec.Renderer, tag *nodes.ControlStructureBlock) error {
	cs, ok := s.inner.(exec.ControlStructure)
	if !ok {
		return errors.New("set: not executable")
	}
	if err := cs.Execute(r, tag); err != nil {
		return err
	}
	if s.name == "" {
		return nil
	}
	v, ok := r.Environment.Context.Get(s.name)
	if !ok || v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		r.Environment.Context.Set(s.name, p.Interface())
	}
	return nil
}

func wrapSet(orig parser.ControlStructureParser) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		name := ""
		if t := args.Current(tokens.Name); t != nil {
			name = t.Val
		}
		cs, err := orig(p, args)
		if err != nil {
			return nil, err
		}
		return &refSet{inner: cs, name: name}, nil
	}
}
