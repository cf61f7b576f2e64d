package jinja

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Statements.

type stmt interface {
	exec(s *State) error
}

type nodeList struct {
	stmts []stmt
}

func (n *nodeList) exec(s *State) error {
	for _, st := range n.stmts {
		if err := st.exec(s); err != nil {
			return err
		}
	}
	return nil
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

type breakStmt struct{}

func (breakStmt) exec(*State) error { return errBreak }

type continueStmt struct{}

func (continueStmt) exec(*State) error { return errContinue }

type textStmt struct{ s string }

func (t *textStmt) exec(s *State) error { return s.write(t.s) }

type outputStmt struct {
	e   expr
	pos offset
}

func (o *outputStmt) exec(s *State) error {
	s.setPos(o.pos)
	v, err := o.e.eval(s)
	if err != nil {
		return s.wrap(err, o.pos)
	}
	switch v.k {
	case KindString:
		return s.write(v.s)
	case KindUndefined:
		if ui, ok := v.p.(*undefInfo); ok && ui.kind == "SecurityError" {
			return nil
		}
		if s.env.OnUndefinedPrint != nil {
			s.env.OnUndefinedPrint(s, v, s.tmpl.posAt(o.pos))
		}
		return nil
	}
	return s.write(v.String())
}

// captureScoped renders body in a scope of its own and returns its output.
func (s *State) captureScoped(info *scopeInfo, body *nodeList) (string, error) {
	outer := s.frame
	f := s.pushFrame(info, outer)
	out, err := s.capture(func() error { return body.exec(s) })
	s.frame = outer
	if err == nil {
		s.releaseFrame(f)
	}
	return out, err
}

// wrap gives err the template and position of the construct that failed,
// unless an inner construct already did.
func (s *State) wrap(err error, pos offset) error {
	switch e := err.(type) {
	case *Error:
		if e.Template == "" {
			e.Template = s.tmpl.Name
			e.Pos = s.tmpl.posAt(pos)
		}
		return e
	case *returnSignal:
		return err
	}
	if err == errBreak || err == errContinue {
		return err
	}
	return &Error{Kind: "HostError", Msg: err.Error(), Template: s.tmpl.Name, Pos: s.tmpl.posAt(pos), Cause: err}
}

type ifStmt struct {
	conds  []expr
	bodies []*nodeList
	els    *nodeList
	pos    offset
}

func (st *ifStmt) exec(s *State) error {
	for i, c := range st.conds {
		s.setPos(st.pos)
		v, err := c.eval(s)
		if err != nil {
			return s.wrap(err, st.pos)
		}
		if v.Truthy() {
			return st.bodies[i].exec(s)
		}
	}
	if st.els != nil {
		return st.els.exec(s)
	}
	return nil
}

type forStmt struct {
	target    target
	iter      expr
	filter    expr
	body      *nodeList
	els       *nodeList
	recursive bool
	pos       offset

	scope       *scopeInfo // the body's: loop, the targets, what the body assigns
	filterScope *scopeInfo // the if-condition's: the targets
	elseScope   *scopeInfo
}

func (st *forStmt) exec(s *State) error {
	s.setPos(st.pos)
	v, err := st.iter.eval(s)
	if err != nil {
		return s.wrap(err, st.pos)
	}
	return st.run(s, v, 0)
}

func (st *forStmt) run(s *State, v Value, depth int) error {
	items, err := s.Iter(v)
	if err != nil {
		return s.wrap(err, st.pos)
	}
	outer := s.frame
	lp := s.newLoop(st)
	lp.depth, lp.outer = depth, outer
	f := s.pushFrame(st.scope, outer)
	defer func() { s.frame = outer }()
	switch {
	case st.filter != nil:
		// Filtered lazily, as Jinja2's generator does: the condition sees what
		// earlier iterations changed.
		lp.raw = items
	case v.k == KindList:
		// A list is iterated live: items appended by the body are visited.
		lp.live = v.List()
	default:
		lp.items = items
	}
	lv := ObjectValue(lp)
	iterated, seen := false, false
	for i := 0; ; i++ {
		it, ok, err := lp.at(i)
		if err != nil {
			return s.wrap(err, st.pos)
		}
		if !ok {
			break
		}
		seen = true
		if err := s.tick(); err != nil {
			return s.wrap(err, st.pos)
		}
		lp.i = i
		if i > 0 {
			// Each iteration starts with a clear scope. It is the same frame,
			// as it always was: a macro defined in the loop sees the last
			// iteration's values when called after the loop.
			f.reset()
		}
		f.vals[0] = lv
		if err := st.target.assign(s, it); err != nil {
			return s.wrap(err, st.pos)
		}
		err = st.body.exec(s)
		if err != nil {
			if err == errBreak {
				break
			}
			if err == errContinue {
				continue
			}
			return err
		}
		iterated = true
	}
	s.frame = outer
	s.releaseFrame(f)
	s.releaseLoop(lp)
	if !seen || !iterated {
		// As in Jinja2, else also runs when break or continue ended every
		// iteration before its end.
		return st.runElse(s, outer)
	}
	return nil
}

func (st *forStmt) runElse(s *State, outer *frame) error {
	if st.els == nil {
		return nil
	}
	f := s.pushFrame(st.elseScope, outer)
	if err := st.els.exec(s); err != nil {
		return err
	}
	s.frame = outer
	s.releaseFrame(f)
	return nil
}

// newLoop returns a loop object for a run of st: a new one when the
// template may keep it (it reads loop), else one from the free list.
func (s *State) newLoop(st *forStmt) *loopObj {
	if n := len(s.freeLoops); n > 0 && !st.scope.usesLoop {
		lp := s.freeLoops[n-1]
		s.freeLoops = s.freeLoops[:n-1]
		*lp = loopObj{s: s, st: st, length: -1}
		return lp
	}
	return &loopObj{s: s, st: st, length: -1}
}

// releaseLoop returns a loop object no template can reach to the free list.
func (s *State) releaseLoop(lp *loopObj) {
	if lp.st.scope.usesLoop || s.slow {
		return
	}
	s.freeLoops = append(s.freeLoops, lp)
}

// loopObj is the loop variable.
type loopObj struct {
	s      *State
	st     *forStmt
	outer  *frame
	i      int
	depth  int
	items  []Value // a fixed sequence
	live   *List   // a list, read as it is now
	raw    []Value // items before the loop's if-condition
	rawPos int     // raw items tested so far
	kept   []Value // raw items that passed
	length int     // cached length, -1 until asked

	changed []Value
	hasLast bool
}

// at returns item i, testing more raw items when the loop is filtered.
func (l *loopObj) at(i int) (Value, bool, error) {
	switch {
	case l.live != nil:
		if i < len(l.live.Items) {
			return l.live.Items[i], true, nil
		}
		return Value{}, false, nil
	case l.raw != nil:
		for i >= len(l.kept) {
			if l.rawPos >= len(l.raw) {
				return Value{}, false, nil
			}
			it := l.raw[l.rawPos]
			l.rawPos++
			ok, err := l.test(it)
			if err != nil {
				return Value{}, false, err
			}
			if ok {
				l.kept = append(l.kept, it)
			}
		}
		return l.kept[i], true, nil
	}
	if i < len(l.items) {
		return l.items[i], true, nil
	}
	return Value{}, false, nil
}

// test evaluates the loop's if-condition for one item in a scope of its own.
func (l *loopObj) test(it Value) (bool, error) {
	s := l.s
	saved := s.frame
	f := s.pushFrame(l.st.filterScope, l.outer)
	defer func() { s.frame = saved }()
	if err := l.st.target.assign(s, it); err != nil {
		return false, err
	}
	c, err := l.st.filter.eval(s)
	if err != nil {
		return false, err
	}
	s.releaseFrame(f)
	return c.Truthy(), nil
}

// size is the loop's length (all remaining items tested when filtered).
func (l *loopObj) size() int {
	if l.length >= 0 {
		return l.length
	}
	switch {
	case l.live != nil:
		l.length = len(l.live.Items)
	case l.raw != nil:
		for {
			if _, ok, err := l.at(len(l.kept)); err != nil || !ok {
				break
			}
		}
		l.length = len(l.kept)
	default:
		l.length = len(l.items)
	}
	return l.length
}

func (l *loopObj) hasNext() bool {
	_, ok, _ := l.at(l.i + 1)
	return ok
}

func (l *loopObj) Attr(name string) (Value, bool) {
	switch name {
	case "index":
		return Int(int64(l.i + 1)), true
	case "index0":
		return Int(int64(l.i)), true
	case "revindex":
		return Int(int64(l.size() - l.i)), true
	case "revindex0":
		return Int(int64(l.size() - l.i - 1)), true
	case "first":
		return Bool(l.i == 0), true
	case "last":
		return Bool(!l.hasNext()), true
	case "length":
		return Int(int64(l.size())), true
	case "depth":
		return Int(int64(l.depth + 1)), true
	case "depth0":
		return Int(int64(l.depth)), true
	case "previtem":
		if l.i == 0 {
			return UndefinedMsg("previtem", "there is no previous item"), true
		}
		v, _, _ := l.at(l.i - 1)
		return v, true
	case "nextitem":
		v, ok, _ := l.at(l.i + 1)
		if !ok {
			return UndefinedMsg("nextitem", "there is no next item"), true
		}
		return v, true
	case "cycle":
		return FuncValue("cycle", func(s *State, a Args) (Value, error) {
			if len(a.Pos) == 0 {
				return Value{}, typeErrorf("no items for cycling given")
			}
			return a.Pos[l.i%len(a.Pos)], nil
		}), true
	case "changed":
		return FuncValue("changed", func(s *State, a Args) (Value, error) {
			cur := NewTuple(append([]Value(nil), a.Pos...))
			if l.hasLast && Equal(cur, NewTuple(l.changed)) {
				return False, nil
			}
			l.changed = cur.List().Items
			l.hasLast = true
			return True, nil
		}), true
	}
	return Value{}, false
}

func (l *loopObj) Repr() string {
	return fmt.Sprintf("<LoopContext %d/%d>", l.i+1, l.size())
}

// Call makes loop(x) recurse in a recursive loop.
func (l *loopObj) Call(s *State, a Args) (Value, error) {
	if !l.st.recursive {
		return Value{}, typeErrorf("Tried to call non recursive loop.  Maybe you forgot the 'recursive' modifier.")
	}
	if len(a.Pos) != 1 {
		return Value{}, typeErrorf("loop() takes exactly one argument")
	}
	out, err := s.capture(func() error {
		// recursion runs in the scope the loop started in
		saved := s.frame
		s.frame = l.outer
		err := l.st.run(s, a.Pos[0], l.depth+1)
		s.frame = saved
		return err
	})
	if err != nil {
		return Value{}, err
	}
	return String(out), nil
}

type setStmt struct {
	target target
	e      expr
	pos    offset
}

func (st *setStmt) exec(s *State) error {
	s.setPos(st.pos)
	v, err := st.e.eval(s)
	if err != nil {
		return s.wrap(err, st.pos)
	}
	if err := st.target.assign(s, v); err != nil {
		return s.wrap(err, st.pos)
	}
	return nil
}

type setBlockStmt struct {
	target  target
	body    *nodeList
	scope   *scopeInfo // the body's
	filters []*filterExpr
	pos     offset
}

func (st *setBlockStmt) exec(s *State) error {
	v, err := filteredBody(s, st.scope, st.body, st.filters, st.pos)
	if err != nil {
		return err
	}
	if err := st.target.assign(s, v); err != nil {
		return s.wrap(err, st.pos)
	}
	return nil
}

type doStmt struct {
	e   expr
	pos offset
}

func (st *doStmt) exec(s *State) error {
	s.setPos(st.pos)
	if _, err := st.e.eval(s); err != nil {
		return s.wrap(err, st.pos)
	}
	return nil
}

type filterBlockStmt struct {
	body    *nodeList
	scope   *scopeInfo // the body's
	filters []*filterExpr
	pos     offset
}

// filteredBody renders body in its own scope and applies filters to it.
func filteredBody(s *State, info *scopeInfo, body *nodeList, filters []*filterExpr, pos offset) (Value, error) {
	out, err := s.captureScoped(info, body)
	if err != nil {
		return Value{}, err
	}
	v := String(out)
	for _, f := range filters {
		v, err = f.apply(s, v)
		if err != nil {
			return Value{}, s.wrap(err, pos)
		}
	}
	return v, nil
}

func (st *filterBlockStmt) exec(s *State) error {
	v, err := filteredBody(s, st.scope, st.body, st.filters, st.pos)
	if err != nil {
		return err
	}
	if v.k != KindString {
		// Jinja2 joins the block's output, which must be text.
		return s.wrap(typeErrorf("sequence item 0: expected str instance, %s found", v.TypeName()), st.pos)
	}
	return s.write(v.s)
}

type withStmt struct {
	targets []target
	values  []expr
	body    *nodeList
	scope   *scopeInfo // the targets and what the body assigns
	pos     offset
}

func (st *withStmt) exec(s *State) error {
	outer := s.frame
	vals := make([]Value, len(st.values))
	for i, e := range st.values {
		v, err := e.eval(s)
		if err != nil {
			return s.wrap(err, st.pos)
		}
		vals[i] = v
	}
	f := s.pushFrame(st.scope, outer)
	defer func() { s.frame = outer }()
	for i, t := range st.targets {
		if err := t.assign(s, vals[i]); err != nil {
			return s.wrap(err, st.pos)
		}
	}
	if err := st.body.exec(s); err != nil {
		return err
	}
	s.frame = outer
	s.releaseFrame(f)
	return nil
}

type macroStmt struct {
	m    *macroDef
	slot int32 // of the macro's name
}

func (st *macroStmt) exec(s *State) error {
	s.setLocal(st.slot, st.m.name, CallableValue(st.m.value(s.frame)))
	return nil
}

type callBlockStmt struct {
	call   *callExpr
	caller *macroDef
	pos    offset
}

func (st *callBlockStmt) exec(s *State) error {
	s.setPos(st.pos)
	caller := st.caller.value(s.frame)
	v, err := st.call.evalWith(s, &KwArg{Name: "caller", Value: CallableValue(caller)})
	if err != nil {
		return s.wrap(err, st.pos)
	}
	if v.k == KindUndefined {
		return nil
	}
	return s.write(v.String())
}

type tagStmt struct {
	tag  *Tag
	blk  *TagBlock
	m    *macroDef
	slot int32  // of the macro's name
	pos  offset // blk.Pos
}

func (st *tagStmt) exec(s *State) error {
	if st.m != nil {
		s.setLocal(st.slot, st.m.name, CallableValue(st.m.value(s.frame)))
	}
	if st.tag.Render != nil {
		s.setPos(st.pos)
		if err := st.tag.Render(s, st.blk); err != nil {
			return s.wrap(err, st.pos)
		}
	}
	return nil
}

type loadStmt struct {
	kind          string
	what          expr
	as            string
	names         [][2]string
	slots         []int32 // of as, or of each imported name
	ignoreMissing bool
	pos           offset
}

func (st *loadStmt) exec(s *State) error {
	s.setPos(st.pos)
	if st.kind == "extends" {
		return s.wrap(Errorf("TemplateRuntimeError", "{%% extends %%} is not supported: strata templates do not inherit"), st.pos)
	}
	if s.env.Loader == nil {
		return s.wrap(typeErrorf("no loader for this environment specified"), st.pos)
	}
	nv, err := st.what.eval(s)
	if err != nil {
		return s.wrap(err, st.pos)
	}
	t, err := s.env.Loader(nv.String())
	if err != nil {
		if st.ignoreMissing {
			return nil
		}
		return s.wrap(err, st.pos)
	}
	switch st.kind {
	case "include":
		// The included template runs in this frame, whose slots it does not
		// know: names are found by name from now on.
		s.goSlow()
		saved, savedT := s.frame, s.tmpl
		s.tmpl = t
		err := t.root.exec(s)
		s.frame, s.tmpl = saved, savedT
		return err
	}
	mod, _, err := t.Module(s.ctx, s.globals, RenderOptions{Host: s.host})
	if err != nil {
		return err
	}
	if st.kind == "import" {
		s.setLocal(st.slots[0], st.as, ObjectValue(&moduleObj{name: t.Name, d: mod}))
		return nil
	}
	for i, n := range st.names {
		v, ok := mod.GetStr(n[0])
		if !ok {
			v = UndefinedMsg(n[1], fmt.Sprintf("the template %s does not export the requested name %s", PyQuote(t.Name), PyQuote(n[0])))
		}
		s.setLocal(st.slots[i], n[1], v)
	}
	return nil
}

type moduleObj struct {
	name string
	d    *Dict
}

func (m *moduleObj) Attr(name string) (Value, bool) { return m.d.GetStr(name) }
func (m *moduleObj) Repr() string                   { return "<Template module " + PyQuote(m.name) + ">" }

// Targets of assignment.

type target interface {
	assign(s *State, v Value) error
}

type nameTarget struct {
	name string
	slot int32 // in the frame of the scope that assigns it
}

func (t *nameTarget) assign(s *State, v Value) error {
	s.setLocal(t.slot, t.name, v)
	return nil
}

type nsTarget struct {
	name, attr string
	pos        offset
}

func (t *nsTarget) assign(s *State, v Value) error {
	ns := s.Lookup(t.name)
	if n, ok := ns.p.(*Namespace); ok && ns.k == KindObject {
		n.D.SetStr(t.attr, v)
		return nil
	}
	return Errorf("TemplateRuntimeError", "cannot assign attribute on non-namespace object")
}

type tupleTarget struct{ items []target }

func (t *tupleTarget) assign(s *State, v Value) error {
	items, err := s.Iter(v)
	if err != nil {
		return typeErrorf("cannot unpack non-iterable %s object", v.TypeName())
	}
	if len(items) != len(t.items) {
		if len(items) > len(t.items) {
			return Errorf("ValueError", "too many values to unpack (expected %d)", len(t.items))
		}
		return Errorf("ValueError", "not enough values to unpack (expected %d, got %d)", len(t.items), len(items))
	}
	for i, it := range t.items {
		if err := it.assign(s, items[i]); err != nil {
			return err
		}
	}
	return nil
}

// Macros.

type macroDef struct {
	name         string
	params       []string
	defaults     []expr
	body         *nodeList
	tmpl         *Template
	pos          offset
	catchVarargs bool
	catchKwargs  bool
	usesCaller   bool
	// explicitCaller: caller is one of the parameters.
	explicitCaller bool

	// scope is the body's: the parameters (the first slots, in order), then
	// varargs, kwargs and caller when the macro takes them, then what the
	// body assigns.
	scope                               *scopeInfo
	varargsSlot, kwargsSlot, callerSlot int32
}

func (m *macroDef) value(closure *frame) *Macro {
	ps := make([]Param, len(m.params))
	for i, n := range m.params {
		ps[i] = Param{Name: n, HasDefault: i >= len(m.params)-len(m.defaults)}
	}
	return &Macro{Name: m.name, Params: ps, def: m, closure: closure}
}

// givenUndef marks, during binding, an undefined value that was passed.
var givenUndef = &undefInfo{}

// Macro is a macro: defined in a template, callable from any render.
type Macro struct {
	Name    string
	Params  []Param
	def     *macroDef
	closure *frame
}

// Template returns the template that defines the macro, and its position.
func (m *Macro) Template() (*Template, Pos) { return m.def.tmpl, m.def.tmpl.posAt(m.def.pos) }

// Call runs the macro: its body renders in a scope of its own whose parent is
// the scope it was defined in (none for a macro taken from Template.Macros),
// then the calling render's variables.
func (m *Macro) Call(s *State, a Args) (Value, error) {
	d := m.def
	if s.depth >= s.limits.Depth {
		return Value{}, s.limitErr("recursion limit exceeded: macros nested more than %d deep (macro '%s')", s.limits.Depth, m.Name)
	}
	np := len(d.params)
	// The parameters are the frame's first slots; values are bound in place,
	// with the zero Value (undefined) standing for "not given".
	f := s.frameFor(d.scope, m.closure)
	vals := f.vals
	npos := len(a.Pos)
	if npos > np {
		npos = np
	}
	copy(vals, a.Pos[:npos])
	clear(vals[npos:np])
	f.resetFrom(np)
	given := func(i int) bool { return i < npos || vals[i].k != KindUndefined || vals[i].p != nil }
	kws := a.Kw
	if len(kws) > 0 {
		kws = append([]KwArg(nil), kws...)
	}
	pop := func(name string) (Value, bool) {
		for i, kw := range kws {
			if kw.Name == name {
				kws = append(kws[:i], kws[i+1:]...)
				return kw.Value, true
			}
		}
		return Value{}, false
	}
	foundCaller := d.explicitCaller
	if npos != np {
		foundCaller = false
		for i := npos; i < np; i++ {
			if v, ok := pop(d.params[i]); ok {
				if v.k == KindUndefined && v.p == nil {
					v.p = givenUndef // an undefined value passed on purpose
				}
				vals[i] = v
			}
			if d.params[i] == "caller" {
				foundCaller = true
			}
		}
	}
	var caller Value
	specialCaller := d.usesCaller && !foundCaller
	if specialCaller {
		if v, ok := pop("caller"); ok && !v.IsNone() {
			caller = v
		} else {
			caller = UndefinedMsg("caller", "No caller defined")
		}
	}
	var kwargs *Dict
	if d.catchKwargs {
		kwargs = NewDict()
		for _, kw := range kws {
			kwargs.SetStr(kw.Name, kw.Value)
		}
	} else if len(kws) > 0 {
		for _, kw := range kws {
			if kw.Name == "caller" {
				return Value{}, typeErrorf("macro '%s' was invoked with two values for the special caller argument. This is most likely a bug.", m.Name)
			}
		}
		return Value{}, typeErrorf("macro '%s' takes no keyword argument '%s'", m.Name, kws[0].Name)
	}
	if !d.catchVarargs && len(a.Pos) > np {
		return Value{}, typeErrorf("macro '%s' takes not more than %d argument(s)", m.Name, np)
	}
	// The body resolves free names in the environment of the template that
	// defines the macro (a host may give each package an environment of its own).
	saved, savedT, savedE := s.frame, s.tmpl, s.env
	s.frame = f
	s.tmpl = d.tmpl
	if d.tmpl != nil && d.tmpl.env != nil {
		s.env = d.tmpl.env
	}
	s.depth++
	defer func() {
		s.frame, s.tmpl, s.env = saved, savedT, savedE
		s.depth--
		s.releaseFrame(f)
	}()
	firstDefault := np - len(d.defaults)
	for i, p := range d.params {
		if !given(i) {
			if i >= firstDefault {
				v, err := d.defaults[i-firstDefault].eval(s)
				if err != nil {
					return Value{}, s.wrap(err, d.pos)
				}
				vals[i] = v
			} else {
				vals[i] = UndefinedMsg(p, fmt.Sprintf("parameter '%s' was not provided", p))
			}
		} else if vals[i].p == givenUndef {
			vals[i].p = nil
		}
	}
	if d.catchVarargs {
		var extra []Value
		if len(a.Pos) > np {
			extra = append(extra, a.Pos[np:]...)
		}
		s.setLocal(d.varargsSlot, "varargs", NewTuple(extra))
	}
	if d.catchKwargs {
		s.setLocal(d.kwargsSlot, "kwargs", DictValue(kwargs))
	}
	if specialCaller {
		s.setLocal(d.callerSlot, "caller", caller)
	}
	out, err := s.capture(func() error { return d.body.exec(s) })
	if err != nil {
		if r, ok := err.(*returnSignal); ok {
			return r.v, nil
		}
		if err == errBreak || err == errContinue {
			return String(out), nil
		}
		return Value{}, err
	}
	return String(out), nil
}

func (m *Macro) attr(name string) (Value, bool) {
	d := m.def
	switch name {
	case "name":
		return String(m.Name), true
	case "arguments":
		items := make([]Value, len(d.params))
		for i, p := range d.params {
			items[i] = String(p)
		}
		return NewTuple(items), true
	case "catch_kwargs":
		return Bool(d.catchKwargs), true
	case "catch_varargs":
		return Bool(d.catchVarargs), true
	case "caller":
		return Bool(d.usesCaller), true
	}
	return Value{}, false
}

// Expressions.

type expr interface {
	eval(s *State) (Value, error)
}

type constExpr struct{ v Value }

func (c *constExpr) eval(*State) (Value, error) { return c.v, nil }

// strConst is a string literal: a constExpr in a third of the memory.
type strConst struct{ s string }

func (c *strConst) eval(*State) (Value, error) { return Value{k: KindString, s: c.s}, nil }

type nameExpr struct {
	name string
	pos  offset
	// where the name may live, innermost first (see scope.go); at.hops < 0:
	// in no frame, a global
	at   slotRef
	more *[]slotRef
}

func (n *nameExpr) eval(s *State) (Value, error) {
	if !s.slow {
		if n.at.hops >= 0 {
			f := s.frame
			for h := n.at.hops; h > 0 && f != nil; h-- {
				f = f.parent
			}
			if f != nil {
				if v := f.vals[n.at.slot]; v.k != kindUnset {
					return v, nil
				}
				if n.more != nil {
					if v, ok := s.lookupSlots(n.name, n.at, *n.more); ok {
						return v, nil
					}
				}
			}
		}
	} else if v, ok := s.lookupFrames(n.name); ok {
		return v, nil
	}
	if v, ok := s.globals[n.name]; ok {
		return v, nil
	}
	if v, ok := s.env.Globals[n.name]; ok {
		return v, nil
	}
	return Undefined(n.name), nil
}

type listExpr struct {
	items []expr
	pos   offset
}

func (l *listExpr) eval(s *State) (Value, error) {
	if len(l.items) <= 4 {
		// A small list and its items in one allocation, with room to grow
		// to 4 (templates build lists with append).
		sl := new(smallList)
		sl.Items = sl.buf[:len(l.items):4]
		for i, e := range l.items {
			v, err := e.eval(s)
			if err != nil {
				return Value{}, err
			}
			sl.Items[i] = v
		}
		return Value{k: KindList, p: &sl.List}, nil
	}
	items, err := evalAll(s, l.items)
	return NewList(items), err
}

// smallList is a List with its first items inline.
type smallList struct {
	List
	buf [4]Value
}

// evalAll evaluates each expression into a new slice.
func evalAll(s *State, es []expr) ([]Value, error) {
	out := make([]Value, len(es))
	for i, e := range es {
		v, err := e.eval(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type tupleExpr struct {
	items []expr
	pos   offset
}

func (l *tupleExpr) eval(s *State) (Value, error) {
	items, err := evalAll(s, l.items)
	return NewTuple(items), err
}

type dictExpr struct {
	keys, vals []expr
	pos        offset
}

func (d *dictExpr) eval(s *State) (Value, error) {
	out := &Dict{keys: make([]Value, 0, len(d.keys)), vals: make([]Value, 0, len(d.keys))}
	for i := range d.keys {
		k, err := d.keys[i].eval(s)
		if err != nil {
			return Value{}, err
		}
		if !hashable(k) {
			return Value{}, s.wrap(typeErrorf("unhashable type: '%s'", k.TypeName()), d.pos)
		}
		v, err := d.vals[i].eval(s)
		if err != nil {
			return Value{}, err
		}
		out.Set(k, v)
	}
	return DictValue(out), nil
}

type getattrExpr struct {
	obj  expr
	name string
	pos  offset
}

func (g *getattrExpr) eval(s *State) (Value, error) {
	o, err := g.obj.eval(s)
	if err != nil {
		return Value{}, err
	}
	if o.k == KindDict && g.name[0] != '_' {
		if !hasMethod(o, g.name) {
			if v, ok := o.Dict().GetStr(g.name); ok {
				return v, nil
			}
		}
	}
	v, err := s.Attr(o, g.name)
	if err != nil {
		return Value{}, s.wrap(err, g.pos)
	}
	return v, nil
}

type getitemExpr struct {
	obj, key expr
	pos      offset
}

func (g *getitemExpr) eval(s *State) (Value, error) {
	o, err := g.obj.eval(s)
	if err != nil {
		return Value{}, err
	}
	k, err := g.key.eval(s)
	if err != nil {
		return Value{}, err
	}
	v, err := s.Item(o, k)
	if err != nil {
		return Value{}, s.wrap(err, g.pos)
	}
	return v, nil
}

type sliceExpr struct {
	obj               expr
	start, stop, step expr
	pos               offset
}

func (sl *sliceExpr) eval(s *State) (Value, error) {
	o, err := sl.obj.eval(s)
	if err != nil {
		return Value{}, err
	}
	var idx [3]Value
	for i, e := range []expr{sl.start, sl.stop, sl.step} {
		if e == nil {
			idx[i] = None
			continue
		}
		v, err := e.eval(s)
		if err != nil {
			return Value{}, err
		}
		idx[i] = v
	}
	v, err := sliceValue(o, idx[0], idx[1], idx[2])
	if err != nil {
		return Value{}, s.wrap(err, sl.pos)
	}
	return v, nil
}

// sliceValue is Python's o[start:stop:step].
func sliceValue(o, start, stop, step Value) (Value, error) {
	if o.k == KindUndefined {
		return Value{}, o.undefinedError()
	}
	if sl, ok := o.p.(Slicer); ok && o.k == KindObject {
		return sl.Slice(start, stop, step)
	}
	n := length(o)
	if o.k == KindDict {
		return Value{}, typeErrorf("unhashable type: 'slice'")
	}
	if n < 0 || !(o.k == KindString || o.k == KindList || o.k == KindTuple) {
		// Jinja2 slices with Python's own subscription, not getitem.
		return Value{}, typeErrorf("'%s' object is not subscriptable", o.TypeName())
	}
	for _, v := range []Value{start, stop, step} {
		if !(v.k == KindNone || v.k == KindInt || v.k == KindBool) {
			return Value{}, typeErrorf("slice indices must be integers or None or have an __index__ method")
		}
	}
	st := int64(1)
	if step.k != KindNone {
		st = step.AsInt()
	}
	if st == 0 {
		return Value{}, Errorf("ValueError", "slice step cannot be zero")
	}
	ln := int64(n)
	norm := func(v Value, def int64) int64 {
		if v.k == KindNone {
			return def
		}
		i := v.AsInt()
		if i < 0 {
			i += ln
			if i < 0 {
				if st < 0 {
					return -1
				}
				return 0
			}
		}
		if i >= ln {
			if st < 0 {
				return ln - 1
			}
			return ln
		}
		return i
	}
	var b, e int64
	if st > 0 {
		b, e = norm(start, 0), norm(stop, ln)
	} else {
		b, e = norm(start, ln-1), norm(stop, -1)
		if stop.k != KindNone && stop.AsInt() < 0 && stop.AsInt()+ln < 0 {
			e = -1
		}
	}
	var idxs []int64
	if st > 0 {
		for i := b; i < e; i += st {
			idxs = append(idxs, i)
		}
	} else {
		for i := b; i > e; i += st {
			idxs = append(idxs, i)
		}
	}
	if o.k == KindString {
		if st == 1 && isASCII(o.s) {
			if b >= e {
				return Value{k: KindString, safe: o.safe}, nil
			}
			return Value{k: KindString, s: o.s[b:e], safe: o.safe}, nil
		}
		rs := []rune(o.s)
		out := make([]rune, 0, len(idxs))
		for _, i := range idxs {
			out = append(out, rs[i])
		}
		return Value{k: KindString, s: string(out), safe: o.safe}, nil
	}
	items := o.List().Items
	out := make([]Value, 0, len(idxs))
	for _, i := range idxs {
		out = append(out, items[i])
	}
	if o.k == KindTuple {
		return NewTuple(out), nil
	}
	return NewList(out), nil
}

type callExpr struct {
	fn     expr
	ca     callArgs
	method *getattrExpr // fn is obj.name: try a Python method first
	pos    offset
	// appendCall: obj.append(x), one positional argument: for a list, a
	// fast path to list.append (the most common call in dbt templates).
	appendCall bool
}

func (c *callExpr) eval(s *State) (Value, error) { return c.evalWith(s, nil) }

func (c *callExpr) evalWith(s *State, extra *KwArg) (Value, error) {
	var fn Value
	if c.method != nil {
		recv, err := c.method.obj.eval(s)
		if err != nil {
			return Value{}, err
		}
		if c.appendCall && recv.k == KindList && extra == nil {
			v, err := c.ca.args[0].eval(s)
			if err != nil {
				return Value{}, err
			}
			recv.List().append(v)
			return None, nil
		}
		switch recv.k {
		case KindString, KindList, KindTuple, KindDict:
			if hasMethod(recv, c.method.name) {
				args, mark, err := c.args(s, extra)
				if err != nil {
					return Value{}, err
				}
				v, found, err := callMethod(s, recv, c.method.name, args)
				s.release(mark)
				if found {
					if err != nil {
						return Value{}, s.wrap(err, c.pos)
					}
					return v, nil
				}
			}
		}
		fn, err = s.Attr(recv, c.method.name)
		if err != nil {
			return Value{}, s.wrap(err, c.pos)
		}
	} else {
		var err error
		fn, err = c.fn.eval(s)
		if err != nil {
			return Value{}, err
		}
	}
	if fn.k == KindUndefined {
		return Value{}, s.wrap(fn.undefinedError(), c.pos)
	}
	args, mark, err := c.args(s, extra)
	if err != nil {
		return Value{}, err
	}
	v, err := s.Call(fn, args)
	s.release(mark)
	if err != nil {
		if _, ok := err.(*returnSignal); ok {
			return Value{}, err
		}
		return Value{}, s.wrap(err, c.pos)
	}
	return v, nil
}

func (c *callExpr) args(s *State, extra *KwArg) (Args, argMark, error) {
	return evalArgs(s, &c.ca, extra, c.pos)
}

// evalArgs evaluates a call's arguments onto the State's argument stacks;
// the Args it returns are valid until release (Callable's contract: a callee
// does not keep them), which saves an allocation per call.
func evalArgs(s *State, ca *callArgs, extra *KwArg, pos offset) (Args, argMark, error) {
	mark := argMark{len(s.posStack), len(s.kwStack)}
	var a Args
	more := ca.more
	if more == nil {
		more = &noMore
	}
	if len(ca.args) > 0 || more.star != nil {
		for _, e := range ca.args {
			v, err := e.eval(s)
			if err != nil {
				s.release(mark)
				return a, mark, err
			}
			s.posStack = append(s.posStack, v)
		}
		if more.star != nil {
			v, err := more.star.eval(s)
			if err != nil {
				s.release(mark)
				return a, mark, err
			}
			items, err := s.Iter(v)
			if err != nil {
				s.release(mark)
				return a, mark, s.wrap(typeErrorf("argument after * must be an iterable, not %s", v.TypeName()), pos)
			}
			s.posStack = append(s.posStack, items...)
		}
		a.Pos = s.posStack[mark.pos:len(s.posStack):len(s.posStack)]
	}
	if len(more.kws) > 0 || more.dstar != nil || extra != nil {
		for _, kw := range more.kws {
			v, err := kw.e.eval(s)
			if err != nil {
				s.release(mark)
				return a, mark, err
			}
			s.kwStack = append(s.kwStack, KwArg{Name: kw.name, Value: v})
		}
		if more.dstar != nil {
			v, err := more.dstar.eval(s)
			if err != nil {
				s.release(mark)
				return a, mark, err
			}
			d := v.Dict()
			if d == nil {
				s.release(mark)
				if v.k == KindUndefined {
					return a, mark, s.wrap(v.undefinedError(), pos)
				}
				return a, mark, s.wrap(typeErrorf("argument after ** must be a mapping, not %s", v.TypeName()), pos)
			}
			for i, k := range d.keys {
				if k.k != KindString {
					s.release(mark)
					return a, mark, s.wrap(typeErrorf("keywords must be strings"), pos)
				}
				s.kwStack = append(s.kwStack, KwArg{Name: k.s, Value: d.vals[i]})
			}
		}
		if extra != nil {
			s.kwStack = append(s.kwStack, *extra)
		}
		a.Kw = s.kwStack[mark.kw:len(s.kwStack):len(s.kwStack)]
		if a.Pos != nil {
			// the positional slice may have moved while keywords were evaluated
			a.Pos = s.posStack[mark.pos : mark.pos+len(a.Pos) : mark.pos+len(a.Pos)]
		}
	}
	return a, mark, nil
}

// noMore stands for a call's absent keyword, * and ** arguments.
var noMore callMore

// argMark is where a call's arguments start on the State's stacks.
type argMark struct{ pos, kw int }

// release pops a call's arguments.
func (s *State) release(m argMark) {
	s.posStack = s.posStack[:m.pos]
	s.kwStack = s.kwStack[:m.kw]
}

type filterExpr struct {
	x    expr // nil in filter blocks and block sets
	name string
	ca   callArgs
	fn   Filter
	pos  offset
}

func (f *filterExpr) eval(s *State) (Value, error) {
	v, err := f.x.eval(s)
	if err != nil {
		return Value{}, err
	}
	return f.apply(s, v)
}

func (f *filterExpr) apply(s *State, v Value) (Value, error) {
	fn := f.fn
	if fn == nil {
		var ok bool
		fn, ok = s.env.Filters[f.name]
		if !ok {
			return Value{}, s.wrap(Errorf("TemplateRuntimeError", "No filter named '%s' found.", f.name), f.pos)
		}
	}
	return withArgs(s, &f.ca, f.pos, func(a Args) (Value, error) { return fn(s, v, a) })
}

// withArgs evaluates a filter's or test's arguments, calls fn with them and
// positions its error.
func withArgs[T any](s *State, ca *callArgs, pos offset, fn func(Args) (T, error)) (T, error) {
	var zero T
	args, mark, err := evalArgs(s, ca, nil, pos)
	if err != nil {
		return zero, err
	}
	r, err := fn(args)
	s.release(mark)
	if err != nil {
		return zero, s.wrap(err, pos)
	}
	return r, nil
}

type testExpr struct {
	x    expr
	name string
	ca   callArgs
	fn   Test
	pos  offset
}

func (t *testExpr) eval(s *State) (Value, error) {
	v, err := t.x.eval(s)
	if err != nil {
		return Value{}, err
	}
	fn := t.fn
	if fn == nil {
		var ok bool
		fn, ok = s.env.Tests[t.name]
		if !ok {
			return Value{}, s.wrap(Errorf("TemplateRuntimeError", "No test named '%s' found.", t.name), t.pos)
		}
	}
	r, err := withArgs(s, &t.ca, t.pos, func(a Args) (bool, error) { return fn(s, v, a) })
	return Bool(r), err
}

type notExpr struct {
	x   expr
	pos offset
}

func (n *notExpr) eval(s *State) (Value, error) {
	v, err := n.x.eval(s)
	if err != nil {
		return Value{}, err
	}
	return Bool(!v.Truthy()), nil
}

type andExpr struct{ l, r expr }

func (a *andExpr) eval(s *State) (Value, error) {
	l, err := a.l.eval(s)
	if err != nil || !l.Truthy() {
		return l, err
	}
	return a.r.eval(s)
}

type orExpr struct{ l, r expr }

func (o *orExpr) eval(s *State) (Value, error) {
	l, err := o.l.eval(s)
	if err != nil || l.Truthy() {
		return l, err
	}
	return o.r.eval(s)
}

type condExpr struct {
	test, then, els expr
	pos             offset
	undef           Value // the value without an else (made once: undefInfo is never changed)
}

func newCondExpr(test, then, els expr, off offset, pos Pos) *condExpr {
	c := &condExpr{test: test, then: then, els: els, pos: off}
	if els == nil {
		c.undef = UndefinedMsg("", fmt.Sprintf("the inline if-expression on line %d evaluated to false and no else section was defined.", pos.Line))
	}
	return c
}

func (c *condExpr) eval(s *State) (Value, error) {
	t, err := c.test.eval(s)
	if err != nil {
		return Value{}, err
	}
	if t.Truthy() {
		return c.then.eval(s)
	}
	if c.els == nil {
		return c.undef, nil
	}
	return c.els.eval(s)
}

type negExpr struct {
	x   expr
	pos offset
}

func (n *negExpr) eval(s *State) (Value, error) {
	v, err := n.x.eval(s)
	if err != nil {
		return Value{}, err
	}
	switch v.k {
	case KindInt, KindBool:
		if v.isBig() || (v.k == KindInt && int64(v.n) == math.MinInt64) {
			return intFromBig(new(big.Int).Neg(v.bigInt())), nil
		}
		return Int(-v.AsInt()), nil
	case KindFloat:
		return Float(-v.AsFloat()), nil
	case KindUndefined:
		return Value{}, s.wrap(v.undefinedError(), n.pos)
	}
	return Value{}, s.wrap(typeErrorf("bad operand type for unary -: '%s'", v.TypeName()), n.pos)
}

type posExpr struct {
	x   expr
	pos offset
}

func (n *posExpr) eval(s *State) (Value, error) {
	v, err := n.x.eval(s)
	if err != nil {
		return Value{}, err
	}
	switch v.k {
	case KindInt, KindBool:
		return Int(v.AsInt()), nil
	case KindFloat:
		return v, nil
	case KindUndefined:
		return Value{}, s.wrap(v.undefinedError(), n.pos)
	}
	return Value{}, s.wrap(typeErrorf("bad operand type for unary +: '%s'", v.TypeName()), n.pos)
}

type concatExpr struct {
	parts []expr
	pos   offset
}

func (c *concatExpr) eval(s *State) (Value, error) {
	if len(c.parts) <= 4 {
		var parts [4]string
		n := 0
		for i, p := range c.parts {
			v, err := p.eval(s)
			if err != nil {
				return Value{}, err
			}
			parts[i] = v.String()
			n += len(parts[i])
		}
		if err := s.checkSize(n); err != nil {
			return Value{}, s.wrap(err, c.pos)
		}
		switch len(c.parts) {
		case 2:
			return String(parts[0] + parts[1]), nil
		case 3:
			return String(parts[0] + parts[1] + parts[2]), nil
		}
		return String(parts[0] + parts[1] + parts[2] + parts[3]), nil
	}
	var b strings.Builder
	for _, p := range c.parts {
		v, err := p.eval(s)
		if err != nil {
			return Value{}, err
		}
		b.WriteString(v.String())
		if err := s.checkSize(b.Len()); err != nil {
			return Value{}, s.wrap(err, c.pos)
		}
	}
	return String(b.String()), nil
}

type cmpOp struct {
	op string
	e  expr
}

type compareExpr struct {
	first expr
	ops   []cmpOp
	pos   offset
}

func (c *compareExpr) eval(s *State) (Value, error) {
	l, err := c.first.eval(s)
	if err != nil {
		return Value{}, err
	}
	for _, op := range c.ops {
		r, err := op.e.eval(s)
		if err != nil {
			return Value{}, err
		}
		ok, err := compare(s, op.op, l, r)
		if err != nil {
			return Value{}, s.wrap(err, c.pos)
		}
		if !ok {
			return False, nil
		}
		l = r
	}
	return True, nil
}

func compare(s *State, op string, l, r Value) (bool, error) {
	switch op {
	case "==":
		return Equal(l, r), nil
	case "!=":
		return !Equal(l, r), nil
	case "in":
		return contains2(s, r, l)
	case "notin":
		ok, err := contains2(s, r, l)
		return !ok, err
	}
	if l.k == KindUndefined {
		return false, l.undefinedError()
	}
	if r.k == KindUndefined {
		return false, r.undefinedError()
	}
	c, ok := Compare(l, r)
	if !ok {
		return false, typeErrorf("'%s' not supported between instances of '%s' and '%s'", op, l.TypeName(), r.TypeName())
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

// Contains is Python's `x in container`.
func Contains(s *State, container, x Value) (bool, error) { return contains2(s, container, x) }

func contains2(s *State, container, x Value) (bool, error) {
	switch container.k {
	case KindString:
		if x.k != KindString {
			return false, typeErrorf("'in <string>' requires string as left operand, not %s", x.TypeName())
		}
		return strings.Contains(container.s, x.s), nil
	case KindList, KindTuple:
		for _, it := range container.List().Items {
			if Equal(it, x) {
				return true, nil
			}
		}
		return false, nil
	case KindDict:
		if !hashable(x) {
			return false, typeErrorf("unhashable type: '%s'", x.TypeName())
		}
		_, ok := container.Dict().Get(x)
		return ok, nil
	case KindUndefined:
		return false, nil
	case KindObject:
		if it, ok := container.p.(Iterable); ok {
			for _, v := range it.Iter() {
				if Equal(v, x) {
					return true, nil
				}
			}
			return false, nil
		}
		if ig, ok := container.p.(ItemGetter); ok {
			_, ok := ig.Item(x)
			return ok, nil
		}
	}
	return false, typeErrorf("argument of type '%s' is not iterable", container.TypeName())
}

type binExpr struct {
	op   string
	l, r expr
	pos  offset
}

func (b *binExpr) eval(s *State) (Value, error) {
	l, err := b.l.eval(s)
	if err != nil {
		return Value{}, err
	}
	r, err := b.r.eval(s)
	if err != nil {
		return Value{}, err
	}
	v, err := binop(s, b.op, l, r)
	if err != nil {
		return Value{}, s.wrap(err, b.pos)
	}
	return v, nil
}

// Binop applies a binary arithmetic operator with Python semantics.
func Binop(s *State, op string, l, r Value) (Value, error) { return binop(s, op, l, r) }

func binop(s *State, op string, l, r Value) (Value, error) {
	if op == "%" && l.k == KindString {
		if l.safe {
			return percentFormatValue(l, r)
		}
		out, err := percentFormat(l.s, r)
		if err != nil {
			return Value{}, err
		}
		return String(out), nil
	}
	if l.k == KindUndefined {
		return Value{}, l.undefinedError()
	}
	if r.k == KindUndefined {
		return Value{}, r.undefinedError()
	}
	li := l.k == KindInt || l.k == KindBool
	ri := r.k == KindInt || r.k == KindBool
	if li && ri {
		switch op {
		case "/":
			if r.isBig() || l.isBig() {
				if r.bigInt().Sign() == 0 {
					return Value{}, Errorf("ZeroDivisionError", "division by zero")
				}
				return Float(bigFloat(l) / bigFloat(r)), nil
			}
			x, y := l.AsInt(), r.AsInt()
			if y == 0 {
				return Value{}, Errorf("ZeroDivisionError", "division by zero")
			}
			return Float(float64(x) / float64(y)), nil
		case "**":
			if !r.isBig() && r.AsInt() < 0 {
				if !l.isBig() && l.AsInt() == 0 {
					return Value{}, Errorf("ZeroDivisionError", "0.0 cannot be raised to a negative power")
				}
				return Float(math.Pow(l.AsFloat(), r.AsFloat())), nil
			}
		}
		if v, ok, err := intArith(op, l, r); ok {
			return v, err
		}
	}
	if l.IsNumber() && r.IsNumber() {
		x, y := l.AsFloat(), r.AsFloat()
		switch op {
		case "+":
			return Float(x + y), nil
		case "-":
			return Float(x - y), nil
		case "*":
			return Float(x * y), nil
		case "/":
			if y == 0 {
				return Value{}, Errorf("ZeroDivisionError", "float division by zero")
			}
			return Float(x / y), nil
		case "//":
			if y == 0 {
				return Value{}, Errorf("ZeroDivisionError", "float floor division by zero")
			}
			return Float(math.Floor(x / y)), nil
		case "%":
			if y == 0 {
				return Value{}, Errorf("ZeroDivisionError", "float modulo")
			}
			m := math.Mod(x, y)
			if m != 0 && (m < 0) != (y < 0) {
				m += y
			}
			return Float(m), nil
		case "**":
			if x == 0 && y < 0 {
				return Value{}, Errorf("ZeroDivisionError", "0.0 cannot be raised to a negative power")
			}
			return Float(math.Pow(x, y)), nil
		}
	}
	switch op {
	case "+":
		if l.k == KindString && r.k == KindString {
			if err := s.checkSize(len(l.s) + len(r.s)); err != nil {
				return Value{}, err
			}
			switch {
			case l.safe && !r.safe:
				return Markup(l.s + htmlEscape(r.s)), nil
			case r.safe && !l.safe:
				return Markup(htmlEscape(l.s) + r.s), nil
			}
			return Value{k: KindString, s: l.s + r.s, safe: l.safe}, nil
		}
		if l.k == r.k && (l.k == KindList || l.k == KindTuple) {
			a, b := l.List().Items, r.List().Items
			out := make([]Value, 0, len(a)+len(b))
			out = append(append(out, a...), b...)
			return Value{k: l.k, p: &List{Items: out}}, nil
		}
		if l.k == KindString || l.k == KindList || l.k == KindTuple {
			return Value{}, typeErrorf("can only concatenate %s (not \"%s\") to %s", l.TypeName(), r.TypeName(), l.TypeName())
		}
	case "*":
		if (l.k == KindString || l.k == KindList || l.k == KindTuple) && ri {
			return repeat(s, l, r.AsInt())
		}
		if (r.k == KindString || r.k == KindList || r.k == KindTuple) && li {
			return repeat(s, r, l.AsInt())
		}
		if l.k == KindString || r.k == KindString || l.k == KindList || r.k == KindList {
			other := r
			if !(l.k == KindString || l.k == KindList) {
				other = l
			}
			return Value{}, typeErrorf("can't multiply sequence by non-int of type '%s'", other.TypeName())
		}
	case "%":
		if l.k == KindString {
			out, err := percentFormat(l.s, r)
			if err != nil {
				return Value{}, err
			}
			return String(out), nil
		}
	}
	if o, ok := l.p.(Operand); ok && l.k == KindObject {
		if v, ok, err := o.Operate(op, r, false); ok || err != nil {
			return v, err
		}
	}
	if o, ok := r.p.(Operand); ok && r.k == KindObject {
		if v, ok, err := o.Operate(op, l, true); ok || err != nil {
			return v, err
		}
	}
	return Value{}, typeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", pyOpName(op), l.TypeName(), r.TypeName())
}

func pyOpName(op string) string {
	if op == "**" {
		return "** or pow()"
	}
	return op
}

func repeat(s *State, seq Value, n int64) (Value, error) {
	if n < 0 {
		n = 0
	}
	if seq.k == KindString {
		if n > 0 && int64(len(seq.s)) > int64(s.limits.Output)/n {
			return Value{}, s.limitErr("output limit exceeded: a string of %d bytes is larger than the limit of %d", int64(len(seq.s))*n, s.limits.Output)
		}
		return String(strings.Repeat(seq.s, int(n))), nil
	}
	items := seq.List().Items
	if int64(len(items))*n > int64(s.limits.Iterations) {
		return Value{}, s.limitErr("a list of %d items is larger than the limit", int64(len(items))*n)
	}
	out := make([]Value, 0, len(items)*int(n))
	for i := int64(0); i < n; i++ {
		out = append(out, items...)
	}
	return Value{k: seq.k, p: &List{Items: out}}, nil
}

func floorDiv(x, y int64) int64 {
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}
