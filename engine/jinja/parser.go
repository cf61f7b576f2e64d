package jinja

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// parser builds the executable tree straight from tokens: the nodes it makes
// are what renders, so a template is never re-parsed.
type parser struct {
	env  *Environment
	name string
	src  string
	lx   *lexer
	toks []token
	t    *token    // the current token: &toks[i]
	sc   *scratch  // scratch stacks, reused between parses
	a    nodeArena // where the template's nodes come from
	// scope is the lexical scope being parsed: assignments declare slots in
	// it, and names read are resolved to slots when the template is done.
	scope *scopeInfo
	i     int
	tmpl  *Template
	soft  int // inside if/conditional: unknown filters fail at run time
	// unknown filters and tests, reported after parsing (as Jinja2's
	// compiler does) unless they stand in a conditional.
	unknowns []unknownRef
	names    []map[string]bool // names read inside each macro being parsed
	ends     []string          // end tags the enclosing blocks wait for
	depth    int               // block nesting, for top-level detection
}

// Parse compiles src into a template.
func (e *Environment) Parse(name, src string) (t *Template, err error) {
	norm := newlineNormalize(src)
	norm = strings.TrimSuffix(norm, "\n")
	if len(norm) > math.MaxInt32 {
		// tokens and nodes keep 32-bit offsets
		return nil, &Error{Kind: "TemplateSyntaxError", Msg: fmt.Sprintf("template too large: %d bytes (at most %d)", len(norm), math.MaxInt32), Template: name}
	}
	sc := getScratch()
	defer sc.release()
	lx := &sc.lx
	if err := lex(name, norm, lx); err != nil {
		return nil, err
	}
	t = &Template{Name: name, Source: src, norm: norm, env: e}
	p := &parser{env: e, name: name, src: norm, lx: lx, toks: lx.toks, tmpl: t, sc: sc, ends: sc.ends}
	p.t = &p.toks[0]
	p.a.reserve(lx)
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				// No panic reaches a user: a bug in the parser is an error too.
				pe = &Error{Kind: "InternalError", Msg: fmt.Sprintf("internal error in the template engine: %v", r), Template: name}
			}
			t, err = nil, pe
		}
	}()
	t.rootScope = p.newScope(nil)
	p.scope = t.rootScope
	t.root = p.subparse(nil)
	if p.cur().kind != tEOF {
		p.failTok(p.cur(), "unexpected %s", p.tokStr(p.cur()))
	}
	p.resolveNames()
	for _, u := range p.unknowns {
		if !u.soft {
			p.failKind("TemplateAssertionError", u.pos, "No %s named '%s'.", u.kind, u.name)
		}
	}
	return t, nil
}

func (p *parser) cur() *token { return p.t }
func (p *parser) peek(n int) *token {
	if p.i+n < len(p.toks) {
		return &p.toks[p.i+n]
	}
	return &p.toks[len(p.toks)-1]
}
func (p *parser) next() *token {
	t := p.t
	if p.i < len(p.toks)-1 {
		p.i++
		p.t = &p.toks[p.i]
	}
	return t
}

func (p *parser) fail(pos offset, format string, args ...any) {
	e := Errorf("TemplateSyntaxError", format, args...)
	e.Template = p.name
	e.Pos = p.posAt(pos)
	panic(e)
}

func (p *parser) failKind(kind string, pos offset, format string, args ...any) {
	e := Errorf(kind, format, args...)
	e.Template = p.name
	e.Pos = p.posAt(pos)
	panic(e)
}

func (p *parser) failTok(t *token, format string, args ...any) { p.fail(p.offOf(t), format, args...) }

// val is a token's text.
func (p *parser) val(t *token) string { return p.lx.val(t) }

// offOf is a token's place.
func (p *parser) offOf(t *token) offset { return offset(t.off) }

// posAt is the line and column of a place.
func (p *parser) posAt(off offset) Pos { return p.lx.posAt(int(off)) }

// tokStr describes a token in messages.
func (p *parser) tokStr(t *token) string {
	if n := tokKindName(t.kind); n != "" {
		return n
	}
	return "'" + p.val(t) + "'"
}

func (p *parser) isOp(op byte) bool {
	t := p.cur()
	return t.kind == tOp && t.op == op
}

func (p *parser) isName(n string) bool {
	t := p.cur()
	return t.kind == tName && p.val(t) == n
}

func (p *parser) skipOp(op byte) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) skipName(n string) bool {
	if p.isName(n) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op byte) *token {
	t := p.cur()
	if t.kind == tOp && t.op == op {
		return p.next()
	}
	p.unexpected(t, "'"+opText(op)+"'")
	return t
}

// opText is an operator code's text.
func opText(op byte) string {
	switch op {
	case opFloorDiv:
		return "//"
	case opPow:
		return "**"
	case opEq:
		return "=="
	case opNe:
		return "!="
	case opGe:
		return ">="
	case opLe:
		return "<="
	}
	return string(rune(op))
}

func (p *parser) unexpected(t *token, expected string) {
	switch t.kind {
	case tEOF:
		p.failTok(t, "unexpected end of template, expected %s.", expected)
	case tBlockEnd:
		p.failTok(t, "expected token %s, got '%%}'", expected)
	case tVarEnd:
		p.failTok(t, "expected token %s, got '}}'", expected)
	}
	p.failTok(t, "expected token %s, got %s", expected, p.tokDesc(t))
}

func (p *parser) tokDesc(t *token) string {
	switch t.kind {
	case tName, tOp:
		return "'" + p.val(t) + "'"
	case tString:
		return "'string'"
	case tInt:
		return "'integer'"
	case tFloat:
		return "'float'"
	}
	return p.tokStr(t)
}

func (p *parser) expectName() *token {
	t := p.cur()
	if t.kind != tName {
		p.unexpected(t, "'name'")
	}
	return p.next()
}

func (p *parser) expectBlockEnd() {
	t := p.cur()
	if t.kind != tBlockEnd {
		p.unexpected(t, "'end of statement block'")
	}
	p.next()
}

// subparse parses until one of the end tags (a {% name %} whose name is in
// ends) and leaves the parser at that tag's name.
func (p *parser) subparse(ends []string) *nodeList {
	// The statements are collected on the stack, then copied out.
	var buf [32]stmt
	stmts := buf[:0]
	for {
		t := p.cur()
		switch t.kind {
		case tEOF:
			if len(ends) > 0 {
				p.failEOF(ends)
			}
			return p.stmtList(stmts)
		case tText:
			p.next()
			ts := p.a.texts.new()
			ts.s = p.val(t)
			stmts = addStmt(stmts, ts)
		case tVarBegin:
			p.next()
			pos := p.offOf(p.cur())
			e := p.parseTuple(true, false, nil)
			if p.cur().kind != tVarEnd {
				p.unexpected(p.cur(), "'end of print statement'")
			}
			p.next()
			o := p.a.outs.new()
			o.e, o.pos = e, pos
			stmts = addStmt(stmts, o)
		case tBlockBegin:
			p.next()
			nt := p.cur()
			if nt.kind != tName {
				p.failTok(nt, "tag name expected")
			}
			for _, e := range ends {
				if p.val(nt) == e {
					return p.stmtList(stmts)
				}
			}
			st := p.parseStatement()
			if st != nil {
				stmts = addStmt(stmts, st)
			}
		default:
			p.failTok(t, "unexpected %s", p.tokStr(t))
		}
	}
}

// addStmt adds a statement to a list, merging adjacent text.
func addStmt(stmts []stmt, st stmt) []stmt {
	if t, ok := st.(*textStmt); ok && len(stmts) > 0 {
		if prev, ok := stmts[len(stmts)-1].(*textStmt); ok {
			stmts[len(stmts)-1] = &textStmt{s: prev.s + t.s}
			return stmts
		}
	}
	return append(stmts, st)
}

// stmtList makes statements a node list.
func (p *parser) stmtList(stmts []stmt) *nodeList {
	nl := p.a.lists.new()
	nl.stmts = carve(&p.a.stmts, stmts)
	return nl
}

func (p *parser) failEOF(ends []string) {
	var names []string
	for _, e := range ends {
		names = append(names, "'"+e+"'")
	}
	p.fail(p.offOf(p.cur()), "Unexpected end of template. Jinja was looking for the following tags: %s. The innermost block that needs to be closed is '%s'.", strings.Join(names, " or "), p.blockOf(ends))
}

func (p *parser) blockOf(ends []string) string {
	for _, e := range ends {
		if strings.HasPrefix(e, "end") {
			return e[3:]
		}
	}
	return ends[0]
}

// endBlock consumes "{% endname %}" whose name the parser is at.
func (p *parser) endTag() string {
	t := p.next()
	p.expectBlockEnd()
	return p.val(t)
}

func (p *parser) parseStatement() stmt {
	t := p.cur()
	p.depth++
	defer func() { p.depth-- }()
	switch p.val(t) {
	case "if":
		return p.parseIf()
	case "for":
		return p.parseFor()
	case "set":
		return p.parseSet()
	case "macro":
		return p.parseMacro()
	case "call":
		return p.parseCallBlock()
	case "filter":
		return p.parseFilterBlock()
	case "with":
		return p.parseWith()
	case "do":
		p.next()
		e := p.parseTuple(true, false, nil)
		p.expectBlockEnd()
		d := p.a.dos.new()
		d.e, d.pos = e, p.offOf(t)
		return d
	case "break", "continue":
		p.next()
		if p.loopDepth() == 0 {
			msg := "'break' outside loop"
			if p.val(t) == "continue" {
				msg = "'continue' not properly in loop"
			}
			p.failKind("SyntaxError", p.offOf(t), "%s", msg)
		}
		p.expectBlockEnd()
		if p.val(t) == "break" {
			return breakStmt{}
		}
		return continueStmt{}
	case "print":
		p.next()
		e := p.parseTuple(true, false, nil)
		p.expectBlockEnd()
		return &outputStmt{e: e, pos: p.offOf(t)}
	case "block":
		return p.parseBlock()
	case "autoescape":
		p.next()
		p.parseExpr()
		p.expectBlockEnd()
		body := p.withEnd("endautoescape", func() *nodeList { return p.subparse([]string{"endautoescape"}) })
		p.endTag()
		return body
	case "include", "import", "from", "extends":
		return p.parseLoad()
	}
	if tag, ok := p.env.Tags[p.val(t)]; ok {
		return p.parseTag(t, tag)
	}
	if len(p.ends) > 0 {
		var names []string
		for _, e := range p.ends[len(p.ends)-1:] {
			names = append(names, "'"+e+"'")
		}
		p.fail(p.offOf(t), "Encountered unknown tag '%s'. Jinja was looking for the following tags: %s. The innermost block that needs to be closed is '%s'.", p.val(t), p.endsDesc(), p.ends[len(p.ends)-1][3:])
	}
	p.fail(p.offOf(t), "Encountered unknown tag '%s'.", p.val(t))
	return nil
}

func (p *parser) endsDesc() string {
	last := p.ends[len(p.ends)-1]
	opts := []string{"'" + last + "'"}
	switch last {
	case "endif":
		opts = []string{"'elif'", "'else'", "'endif'"}
	case "endfor":
		opts = []string{"'endfor'", "'else'"}
	}
	return strings.Join(opts, " or ")
}

func (p *parser) loopDepth() int {
	n := 0
	for _, e := range p.ends {
		switch e {
		case "endfor":
			n++
		case "endmacro", "endcall":
			n = 0
		}
	}
	return n
}

func (p *parser) withEnd(end string, fn func() *nodeList) *nodeList {
	p.ends = append(p.ends, end)
	defer func() {
		p.ends = p.ends[:len(p.ends)-1]
		p.sc.ends = p.ends // keep the grown buffer
	}()
	return fn()
}

func (p *parser) parseIf() stmt {
	pos := p.offOf(p.next())
	st := &ifStmt{pos: pos}
	for {
		p.soft++
		cond := p.parseTuple(false, false, nil)
		p.soft--
		p.expectBlockEnd()
		p.soft++
		body := p.withEnd("endif", func() *nodeList { return p.subparse([]string{"elif", "else", "endif"}) })
		p.soft--
		st.conds = append(st.conds, cond)
		st.bodies = append(st.bodies, body)
		tag := p.next()
		if p.val(tag) == "elif" {
			continue
		}
		if p.val(tag) == "else" {
			p.expectBlockEnd()
			p.soft++
			st.els = p.withEnd("endif", func() *nodeList { return p.subparse([]string{"endif"}) })
			p.soft--
			p.endTag()
		} else {
			p.expectBlockEnd()
		}
		return st
	}
}

func (p *parser) parseFor() stmt {
	pos := p.offOf(p.next())
	st := p.a.fors.new()
	st.pos = pos
	outer := p.scope
	// The body's scope: loop in slot 0, then the targets.
	st.scope = p.newScope(outer)
	st.scope.isLoop = true
	st.scope.declare("loop")
	p.scope = st.scope
	st.target = p.parseAssignTarget(false, []string{"in"})
	p.scope = outer
	if targetHasName(st.target, "loop") {
		p.failKind("TemplateAssertionError", pos, "Can't assign to special loop variable in for-loop target")
	}
	if !p.skipName("in") {
		p.unexpected(p.cur(), "'in'")
	}
	st.iter = p.parseTuple(false, true, []string{"recursive"})
	if p.skipName("if") {
		// The condition's scope holds the targets in the body's slots.
		st.filterScope = p.newScope(outer)
		st.filterScope.names = append([]string(nil), st.scope.names...)
		p.scope = st.filterScope
		st.filter = p.parseExpr()
		p.scope = outer
	}
	if p.skipName("recursive") {
		st.recursive = true
	}
	if st.recursive || st.filter != nil {
		// the loop object keeps the frame around the loop
		p.markCaptures()
	}
	p.expectBlockEnd()
	p.scope = st.scope
	st.body = p.withEnd("endfor", func() *nodeList { return p.subparse([]string{"endfor", "else"}) })
	p.scope = outer
	if p.val(p.next()) == "else" {
		p.expectBlockEnd()
		st.elseScope = p.newScope(outer)
		p.scope = st.elseScope
		st.els = p.withEnd("endfor-else", func() *nodeList { return p.subparse([]string{"endfor"}) })
		p.scope = outer
		p.endTag()
	} else {
		p.expectBlockEnd()
	}
	return st
}

func (p *parser) parseSet() stmt {
	pos := p.offOf(p.next())
	target := p.parseAssignTarget(true, nil)
	if p.loopDepth() > 0 && targetHasName(target, "loop") {
		p.failKind("TemplateAssertionError", pos, "Can't assign to special loop variable in for-loop target")
	}
	if p.skipOp('=') {
		e := p.parseTuple(true, false, nil)
		p.expectBlockEnd()
		st := p.a.sets.new()
		st.target, st.e, st.pos = target, e, pos
		return st
	}
	// block set, with optional filters
	var filters []*filterExpr
	for p.skipOp('|') {
		filters = append(filters, p.parseFilterCall(nil))
	}
	p.expectBlockEnd()
	outer := p.scope
	bodyScope := p.newScope(outer)
	p.scope = bodyScope
	body := p.withEnd("endset", func() *nodeList { return p.subparse([]string{"endset"}) })
	p.scope = outer
	p.endTag()
	return &setBlockStmt{target: target, body: body, scope: bodyScope, filters: filters, pos: pos}
}

func (p *parser) parseSignature(m *macroDef) {
	p.expectOp('(')
	for !p.isOp(')') {
		if len(m.params) > 0 {
			p.expectOp(',')
		}
		t := p.expectName()
		m.params = append(m.params, p.val(t))
		m.scope.names = append(m.scope.names, p.val(t))
		if p.skipOp('=') {
			m.defaults = append(m.defaults, p.parseExpr())
		} else if len(m.defaults) > 0 {
			p.fail(p.offOf(t), "non-default argument follows default argument")
		}
	}
	p.next()
}

func (p *parser) beginMacroNames() { p.names = append(p.names, map[string]bool{}) }
func (p *parser) endMacroNames(m *macroDef) {
	ns := p.names[len(p.names)-1]
	p.names = p.names[:len(p.names)-1]
	m.catchVarargs = ns["varargs"] && !contains(m.params, "varargs")
	m.catchKwargs = ns["kwargs"] && !contains(m.params, "kwargs")
	m.usesCaller = ns["caller"]
	if m.catchVarargs {
		m.varargsSlot = m.scope.declare("varargs")
	}
	if m.catchKwargs {
		m.kwargsSlot = m.scope.declare("kwargs")
	}
	if m.usesCaller {
		m.callerSlot = m.scope.declare("caller")
	}
	for i, name := range m.params {
		if name == "caller" {
			m.explicitCaller = true
			if m.usesCaller && i < len(m.params)-len(m.defaults) {
				e := Errorf("TemplateAssertionError", "When defining macros or call blocks the special \"caller\" argument must be omitted or be given a default.")
				e.Template, e.Pos = m.tmpl.Name, p.posAt(m.pos)
				panic(e)
			}
		}
	}
}

func (p *parser) parseMacro() stmt {
	pos := p.offOf(p.next())
	name := p.expectName()
	m := &macroDef{name: p.val(name), tmpl: p.tmpl, pos: pos}
	outer := p.scope
	slot := outer.declare(m.name)
	p.markCaptures() // the macro keeps the frame it is defined in
	m.scope = p.newScope(outer)
	p.scope = m.scope
	p.beginMacroNames()
	p.parseSignature(m)
	p.expectBlockEnd()
	m.body = p.withEnd("endmacro", func() *nodeList { return p.subparse([]string{"endmacro"}) })
	p.endMacroNames(m)
	p.scope = outer
	p.endTag()
	if p.depth == 1 && len(p.ends) == 0 {
		p.tmpl.macros = append(p.tmpl.macros, m.value(nil))
	}
	return &macroStmt{m: m, slot: slot}
}

func (p *parser) parseCallBlock() stmt {
	pos := p.offOf(p.next())
	m := &macroDef{name: "caller", tmpl: p.tmpl, pos: pos}
	outer := p.scope
	p.markCaptures() // the caller keeps the frame it is defined in
	m.scope = p.newScope(outer)
	if p.isOp('(') {
		p.scope = m.scope
		p.parseSignature(m)
		p.scope = outer
	}
	call := p.parseExpr()
	c, ok := call.(*callExpr)
	if !ok {
		p.fail(pos, "expected call")
	}
	p.expectBlockEnd()
	p.scope = m.scope
	p.beginMacroNames()
	m.body = p.withEnd("endcall", func() *nodeList { return p.subparse([]string{"endcall"}) })
	p.endMacroNames(m)
	p.scope = outer
	p.endTag()
	return &callBlockStmt{call: c, caller: m, pos: pos}
}

func (p *parser) parseFilterBlock() stmt {
	pos := p.offOf(p.next())
	var filters []*filterExpr
	filters = append(filters, p.parseFilterCall(nil))
	for p.skipOp('|') {
		filters = append(filters, p.parseFilterCall(nil))
	}
	p.expectBlockEnd()
	outer := p.scope
	bodyScope := p.newScope(outer)
	p.scope = bodyScope
	body := p.withEnd("endfilter", func() *nodeList { return p.subparse([]string{"endfilter"}) })
	p.scope = outer
	p.endTag()
	return &filterBlockStmt{body: body, scope: bodyScope, filters: filters, pos: pos}
}

func (p *parser) parseWith() stmt {
	pos := p.offOf(p.next())
	st := &withStmt{pos: pos}
	outer := p.scope
	st.scope = p.newScope(outer)
	for !p.isBlockEnd() {
		if len(st.targets) > 0 {
			p.expectOp(',')
		}
		// targets are the block's; values are evaluated outside it
		p.scope = st.scope
		t := p.parseAssignTarget(false, nil)
		p.scope = outer
		p.expectOp('=')
		st.targets = append(st.targets, t)
		st.values = append(st.values, p.parseExpr())
	}
	p.expectBlockEnd()
	p.scope = st.scope
	st.body = p.withEnd("endwith", func() *nodeList { return p.subparse([]string{"endwith"}) })
	p.scope = outer
	p.endTag()
	return st
}

func (p *parser) isBlockEnd() bool { return p.cur().kind == tBlockEnd }

func (p *parser) parseBlock() stmt {
	p.next()
	name := p.expectName()
	p.skipName("scoped")
	p.skipName("required")
	p.expectBlockEnd()
	body := p.withEnd("endblock", func() *nodeList { return p.subparse([]string{"endblock"}) })
	p.next()
	if p.cur().kind == tName {
		if p.val(p.cur()) != p.val(name) {
			p.fail(p.offOf(p.cur()), "mismatching name in endblock")
		}
		p.next()
	}
	p.expectBlockEnd()
	return body
}

func (p *parser) parseLoad() stmt {
	t := p.next()
	st := &loadStmt{kind: p.val(t), pos: p.offOf(t)}
	st.what = p.parseExpr()
	switch p.val(t) {
	case "import":
		if !p.skipName("as") {
			p.unexpected(p.cur(), "'as'")
		}
		st.as = p.val(p.expectName())
		st.slots = []int32{p.scope.declare(st.as)}
		p.skipContext()
	case "from":
		if !p.skipName("import") {
			p.unexpected(p.cur(), "'import'")
		}
		for {
			if len(st.names) > 0 && !p.skipOp(',') {
				break
			}
			if p.isName("with") || p.isName("without") || p.isBlockEnd() {
				break
			}
			n := p.val(p.expectName())
			as := n
			if p.skipName("as") {
				as = p.val(p.expectName())
			}
			st.names = append(st.names, [2]string{n, as})
			st.slots = append(st.slots, p.scope.declare(as))
		}
		p.skipContext()
	case "include":
		if p.skipName("ignore") {
			p.skipName("missing")
			st.ignoreMissing = true
		}
		p.skipContext()
	}
	p.expectBlockEnd()
	return st
}

func (p *parser) skipContext() {
	if p.isName("with") || p.isName("without") {
		p.next()
		p.skipName("context")
	}
}

// parseTag parses a host tag.
func (p *parser) parseTag(t *token, tag *Tag) stmt {
	p.next()
	blk := &TagBlock{Pos: p.posAt(p.offOf(t)), tmpl: p.tmpl}
	blk.Header.Tag = p.val(t)
	var m *macroDef
	switch tag.Header {
	case HeaderName:
		blk.Header.Name = p.val(p.expectName())
	case HeaderSignature:
		name := p.expectName()
		blk.Header.Name = p.val(name)
		m = &macroDef{name: p.val(name), tmpl: p.tmpl, pos: p.offOf(t)}
		m.scope = p.newScope(p.scope)
		p.scope = m.scope
		p.beginMacroNames()
		p.parseSignature(m)
		p.scope = m.scope.parent
		for i, n := range m.params {
			blk.Header.Params = append(blk.Header.Params, Param{Name: n, HasDefault: i >= len(m.params)-len(m.defaults)})
		}
	case HeaderArgs:
		blk.Header.Consts = map[string]Value{}
		for !p.isBlockEnd() {
			if len(blk.Header.Idents)+len(blk.Header.Consts) > 0 {
				p.expectOp(',')
			}
			if p.cur().kind == tName && p.peek(1).kind == tOp && p.val(p.peek(1)) == "=" {
				k := p.val(p.next())
				p.next()
				e := p.parseExpr()
				if c, ok := constOf(e); ok {
					blk.Header.Consts[k] = c
				}
				continue
			}
			if p.cur().kind == tName {
				blk.Header.Idents = append(blk.Header.Idents, p.val(p.next()))
				continue
			}
			p.parseExpr()
		}
		if len(blk.Header.Idents) > 0 {
			blk.Header.Name = blk.Header.Idents[0]
		}
		if tag.MacroName != nil {
			// A block defining a macro without parameters ({% materialization name, adapter='x' %}).
			m = &macroDef{name: blk.Header.Name, tmpl: p.tmpl, pos: p.offOf(t)}
			m.scope = p.newScope(p.scope)
			p.beginMacroNames()
		}
	}
	p.expectBlockEnd()
	end := "end" + p.val(t)
	if tag.NoEnd {
		// nothing
	} else if tag.RawBody {
		// body is the source text up to {% endtag %}
		start := p.cur()
		off := start.off
		for {
			c := p.cur()
			if c.kind == tEOF {
				p.failEOF([]string{end})
			}
			if c.kind == tBlockBegin && p.peek(1).kind == tName && p.val(p.peek(1)) == end {
				blk.Raw = p.src[off:c.off]
				if start.kind == tText && c.off < off {
					blk.Raw = ""
				}
				p.next()
				break
			}
			p.next()
		}
		p.endTag()
	} else {
		outer := p.scope
		if m != nil {
			// a signature's body is the macro's: its scope is the macro's
			p.scope = m.scope
		}
		body := p.withEnd(end, func() *nodeList { return p.subparse([]string{end}) })
		p.scope = outer
		p.endTag()
		blk.body = body
		if m != nil {
			m.body = body
			p.endMacroNames(m)
		}
	}
	if m != nil && m.body == nil {
		p.endMacroNames(m)
		m.body = &nodeList{}
	}
	st := &tagStmt{tag: tag, blk: blk}
	if m != nil && tag.MacroName != nil {
		m.name = tag.MacroName(&blk.Header)
		st.m = m
		st.slot = p.scope.declare(m.name)
		p.markCaptures() // the macro keeps the frame it is defined in
		if p.depth == 1 && len(p.ends) == 0 {
			p.tmpl.macros = append(p.tmpl.macros, m.value(nil))
		}
	}
	if p.depth == 1 && len(p.ends) == 0 {
		p.tmpl.blocks = append(p.tmpl.blocks, blk)
	}
	return st
}

// Assignment targets.

func (p *parser) parseAssignTarget(withNamespace bool, extraEnd []string) target {
	var first target // the only target, unless a comma makes a tuple
	var items []target
	n := 0
	add := func(t target) {
		switch n {
		case 0:
			first = t
		case 1:
			items = append(items, first, t)
		default:
			items = append(items, t)
		}
		n++
	}
	isTuple := false
	for {
		if n > 0 {
			if !p.skipOp(',') {
				break
			}
			isTuple = true
		}
		if n > 0 && (p.isBlockEnd() || p.isOp(')') || (p.cur().kind == tName && contains(extraEnd, p.val(p.cur())))) {
			break
		}
		if p.skipOp('(') {
			inner := p.parseAssignTarget(false, nil)
			p.expectOp(')')
			add(inner)
			continue
		}
		t := p.cur()
		if t.kind != tName {
			p.failTok(t, "can't assign to %s", p.targetDesc(t))
		}
		p.next()
		if withNamespace && p.isOp('.') {
			p.next()
			attr := p.expectName()
			add(&nsTarget{name: p.val(t), attr: p.val(attr), pos: p.offOf(t)})
			continue
		}
		switch p.val(t) {
		case "true", "false", "none", "True", "False", "None":
			p.failTok(t, "can't assign to 'const'")
		}
		nt := p.a.targets.new()
		nt.name = p.val(t)
		nt.slot = p.scope.declare(nt.name)
		add(nt)
	}
	if !isTuple && n == 1 {
		return first
	}
	if n == 1 {
		items = []target{first}
	}
	return &tupleTarget{items: items}
}

func targetHasName(t target, name string) bool {
	switch x := t.(type) {
	case *nameTarget:
		return x.name == name
	case *tupleTarget:
		for _, it := range x.items {
			if targetHasName(it, name) {
				return true
			}
		}
	}
	return false
}

func (p *parser) targetDesc(t *token) string {
	switch t.kind {
	case tString, tInt, tFloat:
		return "'const'"
	}
	return "'" + p.tokStr(t) + "'"
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Expressions.

func (p *parser) parseExpr() expr { return p.parseCondExpr(true) }

func (p *parser) parseCondExpr(withCond bool) expr {
	if p.simpleOperand() {
		return p.parsePrimary()
	}
	if !withCond {
		return p.parseOr()
	}
	start := len(p.unknowns)
	e := p.parseOr()
	for p.isKw(kwIf) {
		for i := start; i < len(p.unknowns); i++ {
			p.unknowns[i].soft = true
		}
		pos := p.offOf(p.next())
		p.soft++
		test := p.parseOr()
		var els expr
		if p.isKw(kwElse) {
			p.next()
			els = p.parseCondExpr(true)
		}
		p.soft--
		e = newCondExpr(test, e, els, pos, p.posAt(pos))
	}
	return e
}

// simpleOperand reports whether the expression at the current token is a
// lone name or literal (the most common expression): the token after it
// ends the expression, so no operator, filter, test, call or subscript
// applies and parsePrimary alone parses it.
func (p *parser) simpleOperand() bool {
	t := p.cur()
	switch t.kind {
	case tName:
		if t.op != 0 {
			return false // a keyword: not, …
		}
	case tString, tInt, tFloat:
	default:
		return false
	}
	switch n := p.peek(1); n.kind {
	case tVarEnd, tBlockEnd, tEOF:
		return true
	case tOp:
		switch n.op {
		case ',', ')', ']', '}', ':':
			return true
		}
	}
	return false
}

// isKw reports whether the current token is the keyword kw.
func (p *parser) isKw(kw byte) bool {
	t := p.cur()
	return t.kind == tName && t.op == kw
}

// The binary operators, loosest first: each level's xFrom continues from an
// operand already parsed (its left side), so an operand that no operator
// follows (most are) returns at once instead of through every level.

func (p *parser) parseOr() expr { return p.orFrom(p.parseAnd()) }

func (p *parser) orFrom(l expr) expr {
	for p.isKw(kwOr) {
		p.next()
		r := p.parseAnd()
		l = &orExpr{l: l, r: r}
	}
	return l
}

func (p *parser) parseAnd() expr { return p.andFrom(p.parseNot()) }

func (p *parser) andFrom(l expr) expr {
	for p.isKw(kwAnd) {
		p.next()
		r := p.parseNot()
		l = &andExpr{l: l, r: r}
	}
	return l
}

func (p *parser) parseNot() expr {
	if p.isKw(kwNot) {
		pos := p.offOf(p.next())
		return &notExpr{x: p.parseNot(), pos: pos}
	}
	return p.parseCompare()
}

func isCmpOp(op byte) bool {
	switch op {
	case opEq, opNe, '<', opLe, '>', opGe:
		return true
	}
	return false
}

// continuesExpr reports whether the current token can continue an
// expression after a unary operand: a binary operator or keyword.
func (p *parser) continuesExpr() bool {
	t := p.cur()
	switch t.kind {
	case tOp:
		switch t.op {
		case '+', '-', '~', '*', '/', opFloorDiv, '%', opPow, opEq, opNe, '<', opLe, '>', opGe:
			return true
		}
	case tName:
		return t.op != 0 && t.op != kwIs
	}
	return false
}

func (p *parser) parseCompare() expr {
	start := p.cur()
	l := p.parseUnary(true)
	if !p.continuesExpr() {
		return l
	}
	return p.compareFrom(start, p.math1From(p.concatFrom(p.math2From(p.powFrom(l)))))
}

func (p *parser) compareFrom(start *token, first expr) expr {
	var ops []cmpOp
	for {
		t := p.cur()
		if t.kind == tOp && isCmpOp(t.op) {
			p.next()
			ops = append(ops, cmpOp{op: p.val(t), e: p.parseMath1()})
		} else if p.isKw(kwIn) {
			p.next()
			ops = append(ops, cmpOp{op: "in", e: p.parseMath1()})
		} else if p.isKw(kwNot) && p.peek(1).kind == tName && p.peek(1).op == kwIn {
			p.next()
			p.next()
			ops = append(ops, cmpOp{op: "notin", e: p.parseMath1()})
		} else {
			break
		}
	}
	if len(ops) == 0 {
		return first
	}
	return &compareExpr{first: first, ops: ops, pos: p.offOf(start)}
}

func (p *parser) parseMath1() expr { return p.math1From(p.parseConcat()) }

func (p *parser) math1From(l expr) expr {
	for p.isOp('+') || p.isOp('-') {
		t := p.next()
		r := p.parseConcat()
		l = p.binop(t, l, r)
	}
	return l
}

func (p *parser) parseConcat() expr { return p.concatFrom(p.parseMath2()) }

func (p *parser) concatFrom(l expr) expr {
	if !p.isOp('~') {
		return l
	}
	c := p.a.concats.new()
	c.pos = p.offOf(p.cur())
	var buf [4]expr
	parts := append(buf[:0], l)
	for p.skipOp('~') {
		parts = append(parts, p.parseMath2())
	}
	c.parts = carve(&p.a.exprs, parts)
	return c
}

func (p *parser) parseMath2() expr { return p.math2From(p.parsePow()) }

func (p *parser) math2From(l expr) expr {
	for p.isOp('*') || p.isOp('/') || p.isOp(opFloorDiv) || p.isOp('%') {
		t := p.next()
		r := p.parsePow()
		l = p.binop(t, l, r)
	}
	return l
}

func (p *parser) parsePow() expr { return p.powFrom(p.parseUnary(true)) }

func (p *parser) powFrom(l expr) expr {
	for p.isOp(opPow) {
		t := p.next()
		r := p.parseUnary(true)
		l = p.binop(t, l, r)
	}
	return l
}

func (p *parser) binop(t *token, l, r expr) expr {
	return &binExpr{op: p.val(t), l: l, r: r, pos: p.offOf(t)}
}

func (p *parser) parseUnary(withFilter bool) expr {
	var e expr
	t := p.cur()
	if p.isOp('-') {
		p.next()
		e = &negExpr{x: p.parseUnary(false), pos: p.offOf(t)}
	} else if p.isOp('+') {
		p.next()
		e = &posExpr{x: p.parseUnary(false), pos: p.offOf(t)}
	} else {
		e = p.parsePrimary()
	}
	e = p.parsePostfix(e)
	if withFilter {
		e = p.parseFilterExpr(e)
	}
	return e
}

// constant makes a constant expression.
func (p *parser) constant(v Value) expr {
	c := p.a.consts.new()
	c.v = v
	return c
}

func (p *parser) parsePrimary() expr {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch p.val(t) {
		case "true", "True":
			return &constExpr{v: True}
		case "false", "False":
			return &constExpr{v: False}
		case "none", "None":
			return &constExpr{v: None}
		}
		for _, ns := range p.names {
			ns[p.val(t)] = true
		}
		n := p.a.names.new()
		n.name, n.pos = p.val(t), p.offOf(t)
		p.sc.refs = append(p.sc.refs, nameRef{e: n, scope: p.scope})
		return n
	case tString:
		p.next()
		s := p.val(t)
		for p.cur().kind == tString {
			s += p.val(p.next())
		}
		c := p.a.strConsts.new()
		c.s = s
		return c
	case tInt:
		p.next()
		n, err := strconv.ParseInt(p.val(t), 10, 64)
		if err != nil {
			b, _ := new(big.Int).SetString(p.val(t), 10)
			return p.constant(intFromBig(b))
		}
		return p.constant(Int(n))
	case tFloat:
		p.next()
		f, _ := strconv.ParseFloat(p.val(t), 64)
		return p.constant(Float(f))
	case tOp:
		switch t.op {
		case '(':
			p.next()
			e := p.parseTuple(true, true, nil)
			p.expectOp(')')
			return e
		case '[':
			return p.parseList()
		case '{':
			return p.parseDict()
		}
	}
	switch t.kind {
	case tEOF:
		p.failTok(t, "unexpected end of template, expected expression.")
	case tBlockEnd, tVarEnd:
		p.failTok(t, "unexpected '%s'", p.val(t))
	}
	p.failTok(t, "unexpected '%s'", p.val(t))
	return nil
}

// parseTuple parses a comma separated expression list: one expression
// unless a comma makes it a tuple. explicit: inside parentheses ( () is an
// empty tuple).
func (p *parser) parseTuple(withCond, explicit bool, extraEnd []string) expr {
	start := p.cur()
	if !p.tupleEnd(extraEnd) {
		// The common case: one expression, no comma.
		e := p.parseCondExpr(withCond)
		if !p.isOp(',') {
			return e
		}
		return p.parseTupleRest(start, e, withCond, extraEnd)
	}
	return p.parseTupleRest(start, nil, withCond, extraEnd, explicit)
}

func (p *parser) parseTupleRest(start *token, first expr, withCond bool, extraEnd []string, explicit ...bool) expr {
	var buf [4]expr
	items := buf[:0]
	if first != nil {
		items = append(items, first)
	}
	isTuple := false
	for {
		if len(items) > 0 {
			if !p.skipOp(',') {
				break
			}
			isTuple = true
		}
		if p.tupleEnd(extraEnd) {
			break
		}
		items = append(items, p.parseCondExpr(withCond))
	}
	if !isTuple {
		if len(items) == 1 {
			return items[0]
		}
		if len(explicit) == 0 || !explicit[0] {
			p.failTok(p.cur(), "Expected an expression, got '%s'", p.tokName(p.cur()))
		}
	}
	return &tupleExpr{items: carve(&p.a.exprs, items), pos: p.offOf(start)}
}

func (p *parser) tokName(t *token) string {
	switch t.kind {
	case tBlockEnd:
		return "end of statement block"
	case tVarEnd:
		return "end of print statement"
	case tEOF:
		return "end of template"
	}
	return p.val(t)
}

func (p *parser) tupleEnd(extraEnd []string) bool {
	t := p.cur()
	switch t.kind {
	case tVarEnd, tBlockEnd, tEOF:
		return true
	case tOp:
		return p.val(t) == ")" || p.val(t) == "]"
	case tName:
		return contains(extraEnd, p.val(t))
	}
	return false
}

func (p *parser) parseList() expr {
	pos := p.offOf(p.next())
	l := p.a.listEs.new()
	l.pos = pos
	var buf [8]expr
	items := buf[:0]
	for !p.isOp(']') {
		if len(items) > 0 {
			p.expectOp(',')
			if p.isOp(']') {
				break
			}
		}
		items = append(items, p.parseExpr())
	}
	p.next()
	l.items = carve(&p.a.exprs, items)
	return l
}

func (p *parser) parseDict() expr {
	pos := p.offOf(p.next())
	d := &dictExpr{pos: pos}
	for !p.isOp('}') {
		if len(d.keys) > 0 {
			p.expectOp(',')
			if p.isOp('}') {
				break
			}
		}
		k := p.parseExpr()
		p.expectOp(':')
		v := p.parseExpr()
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
	p.next()
	return d
}

func (p *parser) parsePostfix(e expr) expr {
	for {
		if p.isOp('.') || p.isOp('[') {
			e = p.parseSubscript(e)
		} else if p.isOp('(') {
			e = p.parseCall(e)
		} else {
			return e
		}
	}
}

func (p *parser) parseFilterExpr(e expr) expr {
	for {
		if p.isOp('|') {
			p.next()
			e = p.parseFilterCall(e)
		} else if p.isKw(kwIs) {
			e = p.parseTest(e)
		} else if p.isOp('(') {
			e = p.parseCall(e)
		} else {
			return e
		}
	}
}

func (p *parser) parseSubscript(e expr) expr {
	t := p.next()
	if p.val(t) == "." {
		a := p.cur()
		if a.kind == tName {
			p.next()
			g := p.a.attrs.new()
			g.obj, g.name, g.pos = e, p.val(a), p.offOf(a)
			return g
		}
		if a.kind == tInt {
			p.next()
			n, _ := strconv.ParseInt(p.val(a), 10, 64)
			return &getitemExpr{obj: e, key: &constExpr{v: Int(n)}, pos: p.offOf(a)}
		}
		p.unexpected(a, "name or number")
	}
	// [ subscript ]
	var args []expr
	isTuple := false
	for !p.isOp(']') {
		if len(args) > 0 {
			p.expectOp(',')
			isTuple = true
			if p.isOp(']') {
				break
			}
		}
		args = append(args, p.parseSubscribed())
	}
	p.expectOp(']')
	if len(args) == 0 {
		return &getitemExpr{obj: e, key: &tupleExpr{pos: p.offOf(t)}, pos: p.offOf(t)}
	}
	if len(args) == 1 && !isTuple {
		if sl, ok := args[0].(*sliceExpr); ok {
			sl.obj = e
			sl.pos = p.offOf(t)
			return sl
		}
		return &getitemExpr{obj: e, key: args[0], pos: p.offOf(t)}
	}
	return &getitemExpr{obj: e, key: &tupleExpr{items: args, pos: p.offOf(t)}, pos: p.offOf(t)}
}

func (p *parser) parseSubscribed() expr {
	var parts [3]expr
	if p.isOp(':') {
		p.next()
	} else {
		e := p.parseExpr()
		if !p.isOp(':') {
			return e
		}
		p.next()
		parts[0] = e
	}
	if !p.isOp(']') && !p.isOp(',') && !p.isOp(':') {
		parts[1] = p.parseExpr()
	}
	if p.skipOp(':') {
		if !p.isOp(']') && !p.isOp(',') {
			parts[2] = p.parseExpr()
		}
	}
	return &sliceExpr{start: parts[0], stop: parts[1], step: parts[2]}
}

type unknownRef struct {
	kind, name string
	pos        offset
	soft       bool
}

func (p *parser) unknown(kind, name string, pos offset) {
	p.unknowns = append(p.unknowns, unknownRef{kind: kind, name: name, pos: pos, soft: p.soft > 0})
}

type callArgs struct {
	args []expr
	more *callMore // keyword, * and ** arguments; nil when there are none
}

type callMore struct {
	kws   []kwExpr
	star  expr
	dstar expr
}

type kwExpr struct {
	name string
	e    expr
}

func (p *parser) parseCallArgs() callArgs {
	tok := p.expectOp('(')
	var ca callArgs
	var more callMore
	var buf [6]expr
	args := buf[:0]
	requireComma := false
	ensure := func(ok bool) {
		if !ok {
			p.fail(p.offOf(tok), "invalid syntax for function call expression")
		}
	}
	for !p.isOp(')') {
		if requireComma {
			p.expectOp(',')
			if p.isOp(')') {
				break
			}
		}
		if p.isOp('*') {
			ensure(more.star == nil && more.dstar == nil)
			p.next()
			more.star = p.parseExpr()
		} else if p.isOp(opPow) {
			ensure(more.dstar == nil)
			p.next()
			more.dstar = p.parseExpr()
		} else if p.cur().kind == tName && p.peek(1).kind == tOp && p.val(p.peek(1)) == "=" {
			ensure(more.dstar == nil)
			kt := p.next()
			p.next()
			for _, kw := range more.kws {
				if kw.name == p.val(kt) {
					p.failKind("SyntaxError", p.offOf(kt), "keyword argument repeated: %s", p.val(kt))
				}
			}
			more.kws = append(more.kws, kwExpr{name: p.val(kt), e: p.parseExpr()})
		} else {
			ensure(more.star == nil && more.dstar == nil && len(more.kws) == 0)
			args = append(args, p.parseExpr())
		}
		requireComma = true
	}
	p.next()
	ca.args = carve(&p.a.exprs, args)
	if more.kws != nil || more.star != nil || more.dstar != nil {
		m := more
		ca.more = &m
	}
	return ca
}

func (p *parser) parseCall(fn expr) expr {
	var pos offset
	switch f := fn.(type) {
	case *nameExpr:
		pos = f.pos
	case *getattrExpr:
		pos = f.pos
	default:
		pos = p.offOf(p.cur())
	}
	c := p.a.calls.new()
	c.fn, c.ca, c.pos = fn, p.parseCallArgs(), pos
	if ga, ok := fn.(*getattrExpr); ok {
		c.method = ga
		c.appendCall = ga.name == "append" && len(c.ca.args) == 1 && c.ca.more == nil
	}
	return c
}

func (p *parser) parseFilterCall(x expr) *filterExpr {
	t := p.expectName()
	name := p.val(t)
	for p.isOp('.') {
		p.next()
		name += "." + p.val(p.expectName())
	}
	f := p.a.filters.new()
	f.x, f.name, f.pos = x, name, p.offOf(t)
	if p.isOp('(') {
		f.ca = p.parseCallArgs()
	}
	fn, ok := p.env.Filters[name]
	if !ok {
		p.unknown("filter", name, p.offOf(t))
	}
	f.fn = fn
	return f
}

func (p *parser) parseTest(x expr) expr {
	p.next() // is
	negated := p.skipName("not")
	t := p.expectName()
	name := p.val(t)
	for p.isOp('.') {
		p.next()
		name += "." + p.val(p.expectName())
	}
	te := &testExpr{x: x, name: name, pos: p.offOf(t)}
	c := p.cur()
	if p.isOp('(') {
		te.ca = p.parseCallArgs()
	} else if (c.kind == tName || c.kind == tString || c.kind == tInt || c.kind == tFloat || (c.kind == tOp && (p.val(c) == "(" || p.val(c) == "[" || p.val(c) == "{"))) &&
		!(c.kind == tName && (p.val(c) == "else" || p.val(c) == "or" || p.val(c) == "and")) {
		if c.kind == tName && p.val(c) == "is" {
			p.fail(p.offOf(c), "You cannot chain multiple tests with is")
		}
		arg := p.parsePostfix(p.parsePrimary())
		te.ca.args = []expr{arg}
	}
	fn, ok := p.env.Tests[name]
	if !ok {
		p.unknown("test", name, p.offOf(t))
	}
	te.fn = fn
	if negated {
		return &notExpr{x: te, pos: p.offOf(t)}
	}
	return te
}

// constsOf returns the values of constant expressions.
func constsOf(es []expr) ([]Value, bool) {
	items := make([]Value, len(es))
	for i, it := range es {
		v, ok := constOf(it)
		if !ok {
			return nil, false
		}
		items[i] = v
	}
	return items, true
}

// constOf returns the value of a constant expression.
func constOf(e expr) (Value, bool) {
	switch x := e.(type) {
	case *constExpr:
		return x.v, true
	case *strConst:
		return String(x.s), true
	case *listExpr:
		items, ok := constsOf(x.items)
		return NewList(items), ok
	case *tupleExpr:
		items, ok := constsOf(x.items)
		return NewTuple(items), ok
	case *dictExpr:
		d := NewDict()
		for i := range x.keys {
			k, ok1 := constOf(x.keys[i])
			v, ok2 := constOf(x.vals[i])
			if !ok1 || !ok2 {
				return Value{}, false
			}
			d.Set(k, v)
		}
		return DictValue(d), true
	}
	return Value{}, false
}

var _ = fmt.Sprintf
