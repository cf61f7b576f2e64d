package jinja

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// State is one render in progress. It belongs to one goroutine.
type State struct {
	ctx     context.Context
	done    <-chan struct{}
	env     *Environment
	tmpl    *Template // the template whose code is running (a macro's own)
	host    any
	out     *[]byte // where output goes: mainBuf, or capBuf while capturing
	written int
	limits  Limits
	globals map[string]Value
	frame   *frame // the current scope's variables
	root    *frame // the template's top level
	slow    bool   // names are found by comparing them (see scope.go)
	depth   int
	iters   int64
	pos     offset    // the statement running, for errors
	posT    *Template // the template pos is in

	// argument stacks for calls in progress (see evalArgs)
	posStack []Value
	kwStack  []KwArg

	freeFrames []*frame   // frames no one uses any more
	freeLoops  []*loopObj // loop objects no one can reach any more

	mainBuf []byte // the render's output
	capBuf  []byte // captured output (macro bodies, block sets), nested by offset

	// first backing arrays, saving allocations per render
	rootFrame    frame
	rootBuf      [6]Value
	spareFrames  [2]frame
	spareVals    [2][4]Value
	spareLoops   [1]loopObj
	freeFrameBuf [4]*frame
	freeLoopBuf  [2]*loopObj
	posBuf       [4]Value
	kwBuf        [2]KwArg
}

func newState(ctx context.Context, t *Template, vars map[string]Value, o RenderOptions) *State {
	if ctx == nil {
		ctx = context.Background()
	}
	s := &State{
		ctx: ctx, done: ctx.Done(), env: t.env, tmpl: t, host: o.Host,
		limits: t.env.Limits.withDefaults(), globals: vars,
	}
	s.root = &s.rootFrame
	s.root.info = t.rootScope
	if s.root.info == nil {
		s.root.info = &scopeInfo{} // a template made by hand
	}
	if n := len(s.root.info.names); n <= len(s.rootBuf) {
		s.root.vals = s.rootBuf[:n]
	} else {
		s.root.vals = make([]Value, n)
	}
	s.root.reset()
	s.frame = s.root
	s.freeFrames = s.freeFrameBuf[:0]
	for i := range s.spareFrames {
		s.spareFrames[i].vals = s.spareVals[i][:0]
		s.freeFrames = append(s.freeFrames, &s.spareFrames[i])
	}
	s.freeLoops = s.freeLoopBuf[:0]
	for i := range s.spareLoops {
		s.freeLoops = append(s.freeLoops, &s.spareLoops[i])
	}
	s.out = &s.mainBuf
	s.posStack = s.posBuf[:0]
	s.kwStack = s.kwBuf[:0]
	return s
}

// Context returns the render's context.
func (s *State) Context() context.Context { return s.ctx }

// Host returns RenderOptions.Host.
func (s *State) Host() any { return s.host }

// Env returns the environment.
func (s *State) Env() *Environment { return s.env }

// Template returns the template whose code is running (inside a macro, the
// macro's template) and the position of the statement running.
func (s *State) Template() (*Template, Pos) { return s.tmpl, s.curPos() }

// setPos records the statement running.
func (s *State) setPos(off offset) { s.pos, s.posT = off, s.tmpl }

// curPos is the position of the statement running.
func (s *State) curPos() Pos {
	if s.posT == nil {
		return Pos{}
	}
	return s.posT.posAt(s.pos)
}

// Lookup resolves a name as a template would: scopes, then the render's
// variables, then the environment's globals; else an undefined value.
// The loop variable of a loop whose template never reads `loop` is valid
// only until that loop ends: its object is reused.
func (s *State) Lookup(name string) Value {
	if v, ok := s.lookupFrames(name); ok {
		return v
	}
	return s.global(name)
}

// Names returns every name visible from the current scope (for did-you-mean).
func (s *State) Names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for f := s.frame; f != nil; f = f.parent {
		for i, n := range f.info.names {
			if f.vals[i].k != kindUnset {
				add(n)
			}
		}
		for _, n := range f.xnames {
			add(n)
		}
	}
	for n := range s.globals {
		add(n)
	}
	for n := range s.env.Globals {
		add(n)
	}
	return out
}

func (s *State) exports() *Dict {
	d := NewDict()
	f := s.root
	for i, n := range f.info.names {
		if f.vals[i].k != kindUnset && !strings.HasPrefix(n, "_") {
			d.SetStr(n, f.vals[i])
		}
	}
	for i, n := range f.xnames {
		if !strings.HasPrefix(n, "_") {
			d.SetStr(n, f.xvals[i])
		}
	}
	return d
}

// write appends text to the output, enforcing the output limit.
func (s *State) write(str string) error {
	s.written += len(str)
	if s.written > s.limits.Output {
		return s.limitErr("output limit exceeded: the template wrote more than %d bytes", s.limits.Output)
	}
	*s.out = append(*s.out, str...)
	return nil
}

// capture runs fn with output going to the capture buffer, after what
// enclosing captures wrote there, and returns what it wrote.
func (s *State) capture(fn func() error) (string, error) {
	saved := s.out
	mark := len(s.capBuf)
	if s.capBuf == nil {
		s.capBuf = make([]byte, 0, 256)
	}
	s.out = &s.capBuf
	err := fn()
	out := string(s.capBuf[mark:])
	s.capBuf = s.capBuf[:mark]
	s.out = saved
	return out, err
}

func (s *State) limitErr(format string, args ...any) *Error {
	return &Error{Kind: "LimitError", Msg: fmt.Sprintf(format, args...)}
}

// tick counts one loop iteration: it enforces the iteration limit and stops
// the render when the context is cancelled.
func (s *State) tick() error {
	s.iters++
	if s.iters&255 == 0 {
		if s.iters > s.limits.Iterations {
			return s.limitErr("iteration limit exceeded: loops ran more than %d times in one render", s.limits.Iterations)
		}
		select {
		case <-s.done:
			return s.cancelErr()
		default:
		}
	}
	return nil
}

func (s *State) cancelErr() *Error {
	return &Error{Kind: "Cancelled", Msg: "rendering stopped: " + s.ctx.Err().Error(), Cause: s.ctx.Err()}
}

// checkSize enforces the output limit on a string a template builds.
func (s *State) checkSize(n int) error {
	if n > s.limits.Output {
		return s.limitErr("output limit exceeded: a string of %d bytes is larger than the limit of %d", n, s.limits.Output)
	}
	return nil
}

// recoverPanic turns a panic during a render into an error naming the
// template and line, so no Go stack trace reaches a user.
func (s *State) recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = &Error{Kind: "InternalError", Msg: fmt.Sprintf("internal error in the template engine: %v", r), Template: s.tmpl.Name, Pos: s.curPos()}
	}
}

// finishErr gives an error its template and position when it has none.
func (s *State) finishErr(err error) error {
	e, ok := err.(*Error)
	if !ok {
		if _, ok := err.(*returnSignal); ok {
			return &Error{Kind: "TemplateRuntimeError", Msg: "return() called outside of a macro", Template: s.tmpl.Name, Pos: s.curPos()}
		}
		return &Error{Kind: "HostError", Msg: err.Error(), Template: s.tmpl.Name, Pos: s.curPos(), Cause: err}
	}
	if e.Template == "" {
		e.Template = s.tmpl.Name
		e.Pos = s.curPos()
	}
	return e
}

// Call calls fn with args.
func (s *State) Call(fn Value, args Args) (Value, error) {
	switch fn.k {
	case KindUndefined:
		return Value{}, fn.undefinedError()
	case KindCallable, KindObject:
		if c := fn.Callable(); c != nil {
			return c.Call(s, args)
		}
	}
	return Value{}, typeErrorf("'%s' object is not callable", fn.TypeName())
}

// Attr is Jinja2's getattr: an attribute (or method) of v, else the item of
// that name; else an undefined value.
func (s *State) Attr(v Value, name string) (Value, error) {
	if len(name) > 0 && name[0] == '_' && v.k == KindObject && !strings.HasPrefix(name, "__") {
		// Jinja2's sandbox refuses the private attribute of a Python object,
		// but an object without one falls back to its item of that name (a
		// mapping's key): host objects have no Python attributes, so only
		// their items are reachable (`dbt_utils._is_relation`).
		if ig, ok := v.p.(ItemGetter); ok {
			if x, ok := ig.Item(String(name)); ok {
				return x, nil
			}
		}
		return UndefinedMsg(name, fmt.Sprintf("'%s' has no attribute '%s'", objDesc(v), name)), nil
	}
	if len(name) > 0 && name[0] == '_' && v.k != KindUndefined && !(v.k == KindDict && !strings.HasPrefix(name, "__")) {
		// The sandbox: private and dunder attributes are unsafe; using the
		// value raises SecurityError, printing it prints nothing.
		return Value{k: KindUndefined, s: name, p: &undefInfo{kind: "SecurityError",
			msg: fmt.Sprintf("access to attribute '%s' of '%s' object is unsafe.", name, v.TypeName())}}, nil
	}
	switch v.k {
	case KindUndefined:
		return Value{}, v.undefinedError()
	case KindDict:
		if hasMethod(v, name) {
			return boundMethod(v, name), nil
		}
		if x, ok := v.Dict().GetStr(name); ok {
			return x, nil
		}
	case KindObject:
		if x, ok := v.Object().Attr(name); ok {
			return x, nil
		}
		if ig, ok := v.p.(ItemGetter); ok {
			if x, ok := ig.Item(String(name)); ok {
				return x, nil
			}
		}
	case KindString, KindList, KindTuple:
		if hasMethod(v, name) {
			return boundMethod(v, name), nil
		}
	case KindCallable:
		if m, ok := v.p.(*Macro); ok {
			if x, ok := m.attr(name); ok {
				return x, nil
			}
		}
	}
	return UndefinedMsg(name, fmt.Sprintf("'%s' has no attribute '%s'", objDesc(v), name)), nil
}

// objDesc is how Jinja2 names an object in "has no attribute" messages.
func objDesc(v Value) string {
	if v.k == KindNone {
		return "None"
	}
	return v.TypeName() + " object"
}

// Item is Jinja2's getitem: v[key], else the attribute named key; else an
// undefined value.
func (s *State) Item(v Value, key Value) (Value, error) {
	switch v.k {
	case KindUndefined:
		return Value{}, v.undefinedError()
	case KindDict:
		if x, ok := v.Dict().Get(key); ok {
			return x, nil
		}
	case KindList, KindTuple, KindString:
		if key.k == KindInt || key.k == KindBool {
			n := length(v)
			i := int(key.AsInt())
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				if v.k == KindString {
					return Value{k: KindString, s: runeAt(v.s, i), safe: v.safe}, nil
				}
				return v.List().Items[i], nil
			}
			return UndefinedMsg(key.Repr(), fmt.Sprintf("%s object has no element %s", v.TypeName(), key.Repr())), nil
		}
	case KindObject:
		if ig, ok := v.p.(ItemGetter); ok {
			if x, ok := ig.Item(key); ok {
				return x, nil
			}
		}
	}
	if key.k == KindString {
		x, err := s.Attr(v, key.s)
		if err != nil || !x.IsUndefined() {
			return x, err
		}
	}
	if key.k == KindString {
		return UndefinedMsg(key.s, fmt.Sprintf("'%s' has no attribute %s", objDesc(v), key.Repr())), nil
	}
	return UndefinedMsg(key.Repr(), fmt.Sprintf("%s has no element %s", objDesc(v), key.Repr())), nil
}

func runeAt(str string, i int) string {
	if isASCII(str) {
		return str[i : i+1]
	}
	for _, r := range str {
		if i == 0 {
			return string(r)
		}
		i--
	}
	return ""
}

func isASCII(str string) bool {
	i := 0
	for ; i+8 <= len(str); i += 8 {
		// one 8-byte load (the compiler combines the byte loads)
		b := str[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(str); i++ {
		if str[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// length is len(v) for sized values, -1 otherwise.
func length(v Value) int {
	switch v.k {
	case KindString:
		if isASCII(v.s) {
			return len(v.s)
		}
		return utf8.RuneCountInString(v.s)
	case KindList, KindTuple:
		return len(v.List().Items)
	case KindDict:
		return v.Dict().Len()
	case KindUndefined:
		return 0
	case KindObject:
		if l, ok := v.p.(Lengther); ok {
			return l.Len()
		}
		if it, ok := v.p.(Iterable); ok {
			return len(it.Iter())
		}
	}
	return -1
}

// Len is len(v); ok is false for unsized values.
func Len(v Value) (int, bool) {
	n := length(v)
	return n, n >= 0
}

// Iter returns the values iterating v yields: list and tuple items, dict
// keys, the characters of a string; nothing for undefined.
func (s *State) Iter(v Value) ([]Value, error) {
	switch v.k {
	case KindUndefined:
		return nil, nil
	case KindList, KindTuple:
		return v.List().Items, nil
	case KindDict:
		return v.Dict().keys, nil
	case KindString:
		out := make([]Value, 0, len(v.s))
		for _, r := range v.s {
			out = append(out, String(string(r)))
		}
		return out, nil
	case KindObject:
		if it, ok := v.p.(Iterable); ok {
			return it.Iter(), nil
		}
	}
	return nil, typeErrorf("'%s' object is not iterable", v.TypeName())
}

// ApplyFilter runs filter name on v.
func (s *State) ApplyFilter(name string, v Value, args Args) (Value, error) {
	f, ok := s.env.Filters[name]
	if !ok {
		return Value{}, Errorf("TemplateRuntimeError", "No filter named '%s' found.", name)
	}
	return f(s, v, args)
}

// ApplyTest runs test name on v.
func (s *State) ApplyTest(name string, v Value, args Args) (bool, error) {
	t, ok := s.env.Tests[name]
	if !ok {
		return false, Errorf("TemplateRuntimeError", "No test named '%s' found.", name)
	}
	return t(s, v, args)
}

// Namespace is the object namespace() makes: attributes a template may set
// from inside loops with {% set ns.attr = … %}.
type Namespace struct {
	D *Dict
}

// Attr implements Object.
func (n *Namespace) Attr(name string) (Value, bool) { return n.D.GetStr(name) }

// Item implements ItemGetter.
func (n *Namespace) Item(k Value) (Value, bool) { return n.D.Get(k) }

// Repr implements Reprer.
func (n *Namespace) Repr() string {
	var b strings.Builder
	b.WriteString("<Namespace {")
	for i, k := range n.D.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.Repr() + ": " + n.D.vals[i].Repr())
	}
	b.WriteString("}>")
	return b.String()
}

// String implements fmt.Stringer.
func (n *Namespace) String() string { return n.Repr() }

// Return makes the macro that is running end now with value v: a host
// function returns Return(v) as its error (dbt's return()).
func Return(v Value) error { return &returnSignal{v: v} }

type returnSignal struct{ v Value }

func (r *returnSignal) Error() string { return "return() outside a macro" }
