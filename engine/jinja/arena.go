package jinja

import "sync"

// Parse-time allocation. A template's nodes live and die together, so the
// parser takes the most common ones from chunks (one allocation for many
// nodes) and carves expression and statement lists out of shared backing
// arrays, collecting their items on scratch stacks first.

// slab hands out zeroed T values from chunks that double in size.
type slab[T any] struct {
	free []T
	next int // size of the next chunk
}

// reserve sizes the first chunk for n values.
func (s *slab[T]) reserve(n int) {
	if len(s.free) == 0 {
		s.next = max(n, 1)
	}
}

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		if s.next < 4 {
			s.next = 4
		}
		s.free = make([]T, s.next)
		if s.next < 64 {
			s.next *= 2
		}
	}
	x := &s.free[0]
	s.free = s.free[1:]
	return x
}

// nodeArena holds the slabs of one parse.
type nodeArena struct {
	names     slab[nameExpr]
	consts    slab[constExpr]
	strConsts slab[strConst]
	texts     slab[textStmt]
	outs      slab[outputStmt]
	calls     slab[callExpr]
	targets   slab[nameTarget]
	lists     slab[nodeList]
	sets      slab[setStmt]
	listEs    slab[listExpr]
	concats   slab[concatExpr]
	attrs     slab[getattrExpr]
	filters   slab[filterExpr]
	scopes    slab[scopeInfo]
	fors      slab[forStmt]
	dos       slab[doStmt]
	strs      []string // backing array scopes' first slot names are carved from

	exprs []expr // backing array that expression lists are carved from
	stmts []stmt // backing array that statement lists are carved from
}

// reserve sizes the first chunks from the tokens: most counts are upper
// bounds (a name token may be a keyword), so a template's nodes of a kind
// mostly take one allocation and little is left unused.
func (a *nodeArena) reserve(lx *lexer) {
	k, op, tag := &lx.counts.nkind, &lx.counts.nop, &lx.counts.ntag
	texts, outs, blocks := int(k[tText]), int(k[tVarBegin]), int(k[tBlockBegin])
	names := int(k[tName])
	consts := int(k[tInt] + k[tFloat])
	calls, lists, concats := int(op['(']), int(op['[']), int(op['~'])
	attrs, filters, commas := int(op['.']), int(op['|']), int(op[','])
	sets := int(tag[kwSet])
	targets := sets + int(tag[kwFor])
	bodies := int(tag[kwFor] + tag[kwIf] + tag[kwElif] + tag[kwElse] +
		tag[kwMacro] + tag[kwCall] + tag[kwFilter] + tag[kwWith])
	a.texts.reserve(texts)
	a.outs.reserve(outs)
	a.names.reserve(names / 2)
	a.consts.reserve(consts)
	a.strConsts.reserve(int(k[tString]))
	a.calls.reserve(calls)
	a.listEs.reserve(lists)
	a.concats.reserve(concats / 2)
	a.attrs.reserve(attrs)
	a.filters.reserve(filters)
	a.targets.reserve(targets)
	a.sets.reserve(sets)
	a.lists.reserve(bodies + 1)
	a.fors.reserve(int(tag[kwFor]))
	scopes := int(tag[kwFor] + tag[kwMacro] + tag[kwCall] + tag[kwFilter] + tag[kwWith])
	a.strs = make([]string, 0, 4*(scopes+1)+sets)
	a.exprs = make([]expr, 0, commas+calls+2*concats+lists+1)
	// statements: text, output and the block tags that are not end, else or
	// elif tags
	a.stmts = make([]stmt, 0, texts+outs+blocks-int(lx.counts.nend+tag[kwElse]+tag[kwElif])+1)
}

// carve copies items into a slice of a shared backing array.
func carve[T any](backing *[]T, items []T) []T {
	n := len(items)
	if n == 0 {
		return nil
	}
	b := *backing
	if cap(b)-len(b) < n {
		c := 32
		if n > c {
			c = n
		}
		b = make([]T, 0, c)
	}
	out := b[len(b) : len(b)+n : len(b)+n]
	copy(out, items)
	*backing = b[:len(b)+n]
	return out
}

// scratch holds the stacks items are collected on before they are carved;
// it is reused between parses.
type scratch struct {
	lx   lexer // its token, line and decoded-string buffers are reused
	ends []string
	refs []nameRef // names read, resolved when the template is parsed
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func (sc *scratch) release() {
	if cap(sc.lx.toks) > 1<<16 || cap(sc.refs) > 1<<12 {
		return // do not keep a huge template's buffers
	}
	if cap(sc.lx.dec) > 1<<10 || cap(sc.lx.lineAt) > 1<<16 {
		return
	}
	sc.lx.src, sc.lx.name = "", ""
	clear(sc.lx.dec)
	clear(sc.ends[:cap(sc.ends)])
	sc.ends = sc.ends[:0]
	clear(sc.refs[:cap(sc.refs)])
	sc.refs = sc.refs[:0]
	scratchPool.Put(sc)
}
