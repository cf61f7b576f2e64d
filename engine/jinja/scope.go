package jinja

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Variables live in frames, one per lexical scope in use: the template's top
// level, a loop iteration, a macro call, a with block, a block set, …
//
// A template knows statically which names each of its scopes assigns, so the
// parser gives each such name a slot in its scope's frame and resolves every
// name a template reads to the slots that may hold it: (hops, slot) pairs,
// innermost first, where hops counts the frames to walk out. At render time
// a read checks those slots (a slot not assigned yet holds kindUnset, and the
// read goes on outward, as Jinja2's scoping does) and then the globals; no
// name is compared. A frame whose scope no closure can keep is reused: a loop
// clears its frame for each iteration instead of making a new one, and macro
// calls take frames from the render's free list.
//
// Two things make a render leave this fast path for good ("slow" mode, where
// names are found by comparing them, exactly as before slots existed): an
// {% include %}, whose template runs in the includer's frame, and a host
// rendering a tag's body out of its place (TagBlock.RenderBody). A frame can
// then also hold names its scope did not declare (overflow).

// kindUnset marks a frame slot not assigned yet. It never leaves a frame.
const kindUnset Kind = 0xff

var unsetValue = Value{k: kindUnset}

// scopeInfo is a lexical scope: its slot names, in slot order.
type scopeInfo struct {
	names  []string
	parent *scopeInfo // the enclosing scope
	// captures: a closure (a macro, a caller, a loop object that keeps its
	// outer frame) may keep a frame of this scope beyond its render, so the
	// frame is never reused.
	captures bool
	// isLoop: a for-loop body; slot 0 is `loop`.
	isLoop bool
	// usesLoop: the loop variable is read (statically, or perhaps through an
	// include or a host tag), so each run of the loop gets its own loop object.
	usesLoop bool
}

// declare returns the slot of name, adding it: the first slot of that name,
// as an assignment finds it.
func (sc *scopeInfo) declare(name string) int32 {
	for i, n := range sc.names {
		if n == name {
			return int32(i)
		}
	}
	sc.names = append(sc.names, name)
	return int32(len(sc.names) - 1)
}

// slotRef is a place a name may live: hops frames out, slot.
type slotRef struct{ hops, slot int32 }

// frame is one activation of a scope.
type frame struct {
	info   *scopeInfo
	parent *frame
	vals   []Value
	// names assigned in slow mode that the scope does not declare
	xnames []string
	xvals  []Value
}

// reset makes every slot unassigned.
func (f *frame) reset() { f.resetFrom(0) }

// resetFrom makes slots from i on unassigned.
func (f *frame) resetFrom(i int) {
	vals := f.vals[i:]
	for i := range vals {
		vals[i] = unsetValue
	}
	if f.xnames != nil {
		f.xnames, f.xvals = nil, nil
	}
}

// pushFrame makes a frame of info the current one (outer being its parent)
// and returns it; popFrame undoes it.
func (s *State) pushFrame(info *scopeInfo, parent *frame) *frame {
	f := s.newFrame(info, parent)
	s.frame = f
	return f
}

// newFrame returns a cleared frame of info, reused when one is free.
func (s *State) newFrame(info *scopeInfo, parent *frame) *frame {
	f := s.frameFor(info, parent)
	f.reset()
	return f
}

// frameFor returns a frame of info whose slots the caller sets.
func (s *State) frameFor(info *scopeInfo, parent *frame) *frame {
	var f *frame
	if n := len(s.freeFrames); n > 0 && !info.captures {
		f = s.freeFrames[n-1]
		s.freeFrames = s.freeFrames[:n-1]
	} else {
		f = new(frame)
	}
	f.info, f.parent = info, parent
	n := len(info.names)
	if cap(f.vals) < n {
		f.vals = make([]Value, n, max(n, 4))
	}
	f.vals = f.vals[:n]
	if f.xnames != nil {
		f.xnames, f.xvals = nil, nil
	}
	return f
}

// releaseFrame returns a frame no one can reach any more to the free list.
func (s *State) releaseFrame(f *frame) {
	if f.info.captures || s.slow {
		return
	}
	f.parent = nil
	s.freeFrames = append(s.freeFrames, f)
}

// lookupSlots resolves a name through the frames its reads may find it in.
func (s *State) lookupSlots(name string, first slotRef, more []slotRef) (Value, bool) {
	if first.hops < 0 {
		return Value{}, false
	}
	f := s.frame
	for h := first.hops; h > 0 && f != nil; h-- {
		f = f.parent
	}
	if f == nil {
		return Value{}, false
	}
	if v := f.vals[first.slot]; v.k != kindUnset {
		return v, true
	}
	hops := first.hops
	for _, r := range more {
		for ; hops < r.hops && f != nil; hops++ {
			f = f.parent
		}
		if f == nil {
			return Value{}, false
		}
		if v := f.vals[r.slot]; v.k != kindUnset {
			return v, true
		}
	}
	return Value{}, false
}

// lookupFrames finds a name by comparing it, frame by frame (slow mode and
// the host's Lookup).
func (s *State) lookupFrames(name string) (Value, bool) {
	for f := s.frame; f != nil; f = f.parent {
		for i := len(f.xnames) - 1; i >= 0; i-- {
			if f.xnames[i] == name {
				return f.xvals[i], true
			}
		}
		names := f.info.names
		for i := len(names) - 1; i >= 0; i-- {
			if names[i] == name && f.vals[i].k != kindUnset {
				return f.vals[i], true
			}
		}
	}
	return Value{}, false
}

// global resolves a name no frame holds: the render's variables, then the
// environment's globals; else an undefined value.
func (s *State) global(name string) Value {
	if v, ok := s.globals[name]; ok {
		return v
	}
	if v, ok := s.env.Globals[name]; ok {
		return v
	}
	return Undefined(name)
}

// setLocal assigns a name in the current frame: its slot, or by name in
// slow mode.
func (s *State) setLocal(slot int32, name string, v Value) {
	if !s.slow {
		s.frame.vals[slot] = v
		return
	}
	s.setName(name, v)
}

// setName assigns a name in the current frame by comparing names.
func (s *State) setName(name string, v Value) {
	f := s.frame
	for i, n := range f.info.names {
		if n == name {
			f.vals[i] = v
			return
		}
	}
	for i, n := range f.xnames {
		if n == name {
			f.xvals[i] = v
			return
		}
	}
	f.xnames = append(f.xnames, name)
	f.xvals = append(f.xvals, v)
}

// goSlow leaves the fast path for the rest of the render.
func (s *State) goSlow() { s.slow = true }

// Parse time.

// nameRef is a name read in a scope, resolved when the template is parsed
// (an assignment later in the scope or around it still counts).
type nameRef struct {
	e     *nameExpr
	scope *scopeInfo
}

func (p *parser) newScope(parent *scopeInfo) *scopeInfo {
	sc := p.a.scopes.new()
	sc.parent = parent
	// room for 4 names without an allocation
	b := p.a.strs
	if cap(b)-len(b) < 4 {
		b = make([]string, 0, 32)
	}
	sc.names = b[len(b) : len(b) : len(b)+4]
	p.a.strs = b[:len(b)+4]
	return sc
}

// markCaptures notes that a closure made in the current scope keeps its
// frame, and so every frame around it.
func (p *parser) markCaptures() {
	for sc := p.scope; sc != nil; sc = sc.parent {
		sc.captures = true
	}
}

// resolveNames gives every name read the slots it may live in.
func (p *parser) resolveNames() {
	for _, r := range p.sc.refs {
		n := r.e
		n.at = slotRef{hops: -1}
		hops := int32(0)
		for sc := r.scope; sc != nil; sc, hops = sc.parent, hops+1 {
			slot := int32(-1)
			for i := len(sc.names) - 1; i >= 0; i-- {
				if sc.names[i] == n.name {
					slot = int32(i)
					break
				}
			}
			if slot < 0 {
				continue
			}
			if sc.isLoop && slot == 0 {
				sc.usesLoop = true
			}
			if n.at.hops < 0 {
				n.at = slotRef{hops: hops, slot: slot}
			} else {
				if n.more == nil {
					n.more = new([]slotRef)
				}
				*n.more = append(*n.more, slotRef{hops: hops, slot: slot})
			}
		}
	}
}

// offset is a place in a template: a byte offset into its source (newlines
// normalized). Nodes keep one instead of a Pos, which is worked out only
// when an error or a host asks for it.
type offset int32

// posAt returns the line and column of an offset. The line table is made
// the first time a position is asked (errors and warnings only).
func (t *Template) posAt(off offset) Pos {
	src := t.norm
	o := int(off)
	if o < 0 {
		o = 0
	}
	if o > len(src) {
		o = len(src)
	}
	t.linesOnce.Do(func() {
		t.lines = []int{0}
		for i := 0; ; {
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			t.lines = append(t.lines, i)
		}
	})
	line := sort.SearchInts(t.lines, o+1) - 1
	start := t.lines[line]
	return Pos{Line: line + 1, Col: 1 + utf8.RuneCountInString(src[start:o])}
}
