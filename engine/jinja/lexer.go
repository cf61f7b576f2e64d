package jinja

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tText
	tVarBegin   // {{
	tVarEnd     // }}
	tBlockBegin // {%
	tBlockEnd   // %}
	tName
	tString
	tInt
	tFloat
	tOp
)

// token is one lexeme. It holds no pointers (its text is an offset range of
// the source, or an index into the lexer's decoded strings), so a token
// buffer costs the garbage collector nothing and is reused between parses.
type token struct {
	kind tokKind
	op   byte  // tOp: the operator's code (see opAt)
	dec  bool  // the value is dec[v] (an unescaped string, a normalized number)
	off  int32 // byte offset of the token in the source, for positions
	v, n int32 // the value: src[v:v+n], or dec[v]
}

// Operator codes: a one-character operator is its own character; these are
// the two-character ones.
const (
	opFloorDiv = 'F' // //
	opPow      = 'P' // **
	opEq       = 'E' // ==
	opNe       = 'N' // !=
	opGe       = 'G' // >=
	opLe       = 'L' // <=
)

// tokKindName describes a token kind in messages.
func tokKindName(k tokKind) string {
	switch k {
	case tEOF:
		return "end of template"
	case tText:
		return "template data"
	case tVarBegin:
		return "begin of print statement"
	case tVarEnd:
		return "end of print statement"
	case tBlockBegin:
		return "begin of statement block"
	case tBlockEnd:
		return "end of statement block"
	case tString:
		return "string"
	case tInt:
		return "integer"
	case tFloat:
		return "float"
	}
	return ""
}

// lexer turns a template source into tokens. It follows Jinja2's lexer with
// trim_blocks and lstrip_blocks off.
type lexer struct {
	src    string
	name   string
	toks   []token
	dec    []string // decoded token values (token.dec)
	lineAt []int    // byte offset of each line start, made when a position is asked
	counts tokCounts
}

// tokCounts are token counts, to size the parser's slabs: by kind, by
// operator code, and by keyword code of block tag names.
type tokCounts struct {
	nkind [tOp + 1]int32
	nop   [128]int32
	ntag  [kwLast]int32
	nend  int32 // block tags whose name starts with end
}

func newlineNormalize(src string) string {
	if strings.IndexByte(src, '\r') < 0 {
		return src
	}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	return strings.ReplaceAll(src, "\r", "\n")
}

// posAt returns the line and column of an offset. Positions are asked only
// for errors and a few parse-time values, so the line table is made on the
// first question.
func (lx *lexer) posAt(off int) Pos {
	if len(lx.lineAt) == 0 {
		lx.lineAt = append(lx.lineAt, 0)
		for i := 0; ; {
			j := strings.IndexByte(lx.src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			lx.lineAt = append(lx.lineAt, i)
		}
	}
	off = min(max(off, 0), len(lx.src))
	lo := sort.SearchInts(lx.lineAt, off+1) - 1
	return Pos{Line: lo + 1, Col: 1 + utf8.RuneCountInString(lx.src[lx.lineAt[lo]:off])}
}

func (lx *lexer) errAt(off int, format string, args ...any) *Error {
	e := Errorf("TemplateSyntaxError", format, args...)
	e.Template = lx.name
	e.Pos = lx.posAt(off)
	return e
}

// emit adds a token whose value is src[v:v+n].
func (lx *lexer) emit(k tokKind, off, v, n int) {
	lx.toks = append(lx.toks, token{kind: k, off: int32(off), v: int32(v), n: int32(n)})
	lx.counts.nkind[k]++
}

// emitDec adds a token whose value is not a slice of the source.
func (lx *lexer) emitDec(k tokKind, val string, off int) {
	lx.toks = append(lx.toks, token{kind: k, dec: true, off: int32(off), v: int32(len(lx.dec)), n: int32(len(val))})
	lx.dec = append(lx.dec, val)
	lx.counts.nkind[k]++
}

// val is a token's text: text, name, decoded string, operator, number.
func (lx *lexer) val(t *token) string {
	if t.dec {
		return lx.dec[t.v]
	}
	return lx.src[t.v : t.v+t.n]
}

// lex tokenizes src (newlines already normalized, final newline removed).
// buf is a recycled token buffer (tokens live only while a template parses).
// lx is a recycled lexer (a parse's scratch) whose buffers are reused.
func lex(name, src string, lx *lexer) error {
	if need := len(src)/5 + 8; cap(lx.toks) < need {
		lx.toks = make([]token, 0, need)
	}
	lx.src, lx.name = src, name
	lx.toks, lx.lineAt, lx.dec = lx.toks[:0], lx.lineAt[:0], lx.dec[:0]
	lx.counts = tokCounts{}
	return lx.run()
}

func isSpace(c byte) bool { return charClass[c]&ccSpace != 0 }

// nextTag finds the next {{, {% or {# at or after i.
func nextTag(src string, i int) int {
	for {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 {
			return -1
		}
		j += i
		if j+1 < len(src) {
			c := src[j+1]
			if c == '{' || c == '%' || c == '#' {
				return j
			}
		}
		i = j + 1
	}
}

func (lx *lexer) run() error {
	src := lx.src
	i := 0
	stripNext := false // the previous tag ended with -
	for i < len(src) {
		j := nextTag(src, i)
		end := j
		if j < 0 {
			end = len(src)
		}
		text := src[i:end]
		textOff := i
		if stripNext {
			t := strings.TrimLeft(text, " \t\n\r\f\v")
			textOff += len(text) - len(t)
			text = t
			stripNext = false
		}
		if j >= 0 && j+2 < len(src) && src[j+2] == '-' {
			text = strings.TrimRight(text, " \t\n\r\f\v")
		}
		if text != "" {
			lx.emit(tText, textOff, textOff, len(text))
		}
		if j < 0 {
			break
		}
		// Raw block? (its name starts with r)
		if src[j+1] == '%' && mayBeRaw(src, j+2) {
			if k, ok := lx.rawBlock(j); ok {
				ni, strip, err := lx.lexRaw(j, k)
				if err != nil {
					return err
				}
				i = ni
				stripNext = strip
				continue
			}
		}
		var err error
		switch src[j+1] {
		case '#':
			i, stripNext, err = lx.lexComment(j)
		case '{':
			i, stripNext, err = lx.lexTag(j, tVarBegin, tVarEnd, "}}")
		case '%':
			i, stripNext, err = lx.lexTag(j, tBlockBegin, tBlockEnd, "%}")
		}
		if err != nil {
			return err
		}
	}
	lx.emit(tEOF, len(src), len(src), 0)
	return nil
}

// mayBeRaw is a quick test that the block tag whose text starts at k is not
// {% raw %}: its first non-space character is not r.
func mayBeRaw(src string, k int) bool {
	if k < len(src) && (src[k] == '-' || src[k] == '+') {
		k++
	}
	for k < len(src) && isSpace(src[k]) {
		k++
	}
	return k < len(src) && src[k] == 'r'
}

// rawBlock reports whether the block tag at j is {% raw %} and returns the
// offset after its %}.
func (lx *lexer) rawBlock(j int) (int, bool) {
	src := lx.src
	k := j + 2
	if k < len(src) && (src[k] == '-' || src[k] == '+') {
		k++
	}
	for k < len(src) && isSpace(src[k]) {
		k++
	}
	if !strings.HasPrefix(src[k:], "raw") {
		return 0, false
	}
	k += 3
	for k < len(src) && isSpace(src[k]) {
		k++
	}
	if k < len(src) && (src[k] == '-' || src[k] == '+') {
		k++
	}
	if strings.HasPrefix(src[k:], "%}") {
		return k + 2, true
	}
	return 0, false
}

// lexRaw emits the body of a raw block whose opening tag starts at j and
// ends before bodyStart.
func (lx *lexer) lexRaw(j, bodyStart int) (int, bool, error) {
	src := lx.src
	stripStart := src[bodyStart-3] == '-'
	// find {% endraw %} allowing whitespace and -/+ markers
	k := bodyStart
	for {
		m := strings.Index(src[k:], "{%")
		if m < 0 {
			return 0, false, lx.errAt(j, "Missing end of raw directive")
		}
		m += k
		p := m + 2
		stripEnd := false
		if p < len(src) && (src[p] == '-' || src[p] == '+') {
			stripEnd = src[p] == '-'
			p++
		}
		for p < len(src) && isSpace(src[p]) {
			p++
		}
		if strings.HasPrefix(src[p:], "endraw") {
			p += 6
			for p < len(src) && isSpace(src[p]) {
				p++
			}
			stripAfter := false
			if p < len(src) && (src[p] == '-' || src[p] == '+') {
				stripAfter = src[p] == '-'
				p++
			}
			if strings.HasPrefix(src[p:], "%}") {
				body := src[bodyStart:m]
				off := bodyStart
				if stripStart {
					t := strings.TrimLeft(body, " \t\n\r\f\v")
					off += len(body) - len(t)
					body = t
				}
				if stripEnd {
					body = strings.TrimRight(body, " \t\n\r\f\v")
				}
				if body != "" {
					lx.emit(tText, off, off, len(body))
				}
				return p + 2, stripAfter, nil
			}
		}
		k = m + 2
	}
}

func (lx *lexer) lexComment(j int) (int, bool, error) {
	src := lx.src
	k := strings.Index(src[j+2:], "#}")
	if k < 0 && j+2 == len(src) {
		return len(src), false, nil // Jinja2 drops a lone {# at the very end
	}
	if k < 0 {
		return 0, false, lx.errAt(j, "Missing end of comment tag")
	}
	k += j + 2
	strip := k > j+2 && src[k-1] == '-'
	return k + 2, strip, nil
}

// lexTag lexes a {{ … }} or {% … %} tag starting at j.
func (lx *lexer) lexTag(j int, begin, end tokKind, closer string) (int, bool, error) {
	src := lx.src
	toks := append(lx.toks, token{kind: begin, off: int32(j), v: int32(j), n: 2})
	lx.counts.nkind[begin]++
	c0 := closer[0] // '}' or '%'; the closer's second byte is '}'
	i := j + 2
	if i < len(src) && (src[i] == '-' || src[i] == '+') {
		i++
	}
	depth := 0 // brackets open, so }} inside a dict literal is not the end
	first := begin == tBlockBegin
	for {
		if i < len(src) && src[i] == ' ' {
			i++ // most often one space
		}
		for i < len(src) && charClass[src[i]]&ccSpace != 0 {
			i++
		}
		if i >= len(src) {
			what := "print statement"
			if begin == tBlockBegin {
				what = "block statement"
			}
			lx.toks = toks
			return 0, false, lx.errAt(len(src), "unexpected end of template, expected end of %s", what)
		}
		c := src[i]
		// closing?
		if depth == 0 && (c == '-' || c == '+' || c == c0) {
			if c == c0 {
				if i+1 < len(src) && src[i+1] == '}' {
					lx.toks = append(toks, token{kind: end, off: int32(i), v: int32(i), n: 2})
					return i + 2, false, nil
				}
			} else if i+2 < len(src) && src[i+1] == c0 && src[i+2] == '}' && (c == '-' || begin == tBlockBegin) {
				lx.toks = append(toks, token{kind: end, off: int32(i), v: int32(i + 1), n: 2})
				return i + 3, c == '-', nil
			}
		}
		cls := charClass[c]
		switch {
		case cls&ccIdent != 0:
			k := i + 1
			for k < len(src) && charClass[src[k]]&(ccIdent|ccDigit) != 0 {
				k++
			}
			if k < len(src) && src[k] >= utf8.RuneSelf {
				k = identEnd(src, k)
			}
			kw := keyword(src[i:k])
			if first {
				lx.counts.ntag[kw]++ // the tag's name
				if k-i > 3 && src[i:i+3] == "end" {
					lx.counts.nend++
				}
			}
			toks = append(toks, token{kind: tName, op: kw, off: int32(i), v: int32(i), n: int32(k - i)})
			lx.counts.nkind[tName]++
			i = k
		case c == '\'' || c == '"':
			lx.toks = toks
			n, err := lx.lexString(i)
			toks = lx.toks
			if err != nil {
				return 0, false, err
			}
			i = n
		case cls&ccDigit != 0:
			lx.toks = toks
			i = lx.lexNumber(i)
			toks = lx.toks
		case c >= utf8.RuneSelf && startsIdent(src[i:]):
			k := identEnd(src, i)
			toks = append(toks, token{kind: tName, off: int32(i), v: int32(i), n: int32(k - i)})
			lx.counts.nkind[tName]++
			i = k
		default:
			op, n := opAt(src, i)
			if n == 0 {
				r, _ := utf8.DecodeRuneInString(src[i:])
				lx.toks = toks
				return 0, false, lx.errAt(i, "unexpected char %s at %d", pyRuneRepr(r), i)
			}
			switch op {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, token{kind: tOp, op: op, off: int32(i), v: int32(i), n: int32(n)})
			lx.counts.nop[op]++
			i += n
		}
		first = false
	}
}

// identEnd returns the end of the identifier that continues at k.
func identEnd(src string, k int) int {
	for k < len(src) {
		c := src[k]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			k++
			continue
		}
		if c >= utf8.RuneSelf {
			r, sz := utf8.DecodeRuneInString(src[k:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
				k += sz
				continue
			}
		}
		break
	}
	return k
}

// Keyword codes of names the expression parser tests often (token.op of a
// tName).
const (
	kwOr = 1 + iota
	kwAnd
	kwNot
	kwIn
	kwIf
	kwIs
	kwElse
	// tag names, counted to size the parser's slabs (keyword is not asked
	// of them where it matters: these are never operators)
	kwSet
	kwFor
	kwElif
	kwMacro
	kwCall
	kwFilter
	kwWith
	kwLast
)

func keyword(name string) byte {
	switch len(name) {
	case 2:
		switch name {
		case "or":
			return kwOr
		case "in":
			return kwIn
		case "if":
			return kwIf
		case "is":
			return kwIs
		}
	case 3:
		switch name {
		case "and":
			return kwAnd
		case "not":
			return kwNot
		case "set":
			return kwSet
		case "for":
			return kwFor
		}
	case 4:
		switch name {
		case "else":
			return kwElse
		case "elif":
			return kwElif
		case "call":
			return kwCall
		case "with":
			return kwWith
		}
	case 5:
		if name == "macro" {
			return kwMacro
		}
	case 6:
		if name == "filter" {
			return kwFilter
		}
	}
	return 0
}

// Character classes of ASCII bytes, for the lexer's inner loops.
const (
	ccSpace = 1 << iota // whitespace as Python's str.isspace sees ASCII
	ccIdent             // a letter or _
	ccDigit             // 0-9
)

var charClass = func() (t [256]uint8) {
	for _, c := range " \t\n\r\f\v" {
		t[c] |= ccSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= ccIdent
		t[c-'a'+'A'] |= ccIdent
	}
	t['_'] |= ccIdent
	for c := '0'; c <= '9'; c++ {
		t[c] |= ccDigit
	}
	return t
}()

func startsIdent(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

func pyRuneRepr(r rune) string { return PyQuote(string(r)) }

// opAt returns the code and length of the operator at src[i] (length 0
// when there is none).
func opAt(src string, i int) (byte, int) {
	c := src[i]
	var c2 byte
	if i+1 < len(src) {
		c2 = src[i+1]
	}
	switch c {
	case '/':
		if c2 == '/' {
			return opFloorDiv, 2
		}
		return '/', 1
	case '*':
		if c2 == '*' {
			return opPow, 2
		}
		return '*', 1
	case '=':
		if c2 == '=' {
			return opEq, 2
		}
		return '=', 1
	case '!':
		if c2 == '=' {
			return opNe, 2
		}
		return 0, 0
	case '>':
		if c2 == '=' {
			return opGe, 2
		}
		return '>', 1
	case '<':
		if c2 == '=' {
			return opLe, 2
		}
		return '<', 1
	}
	if strings.IndexByte(singleOps, c) >= 0 {
		return c, 1
	}
	return 0, 0
}

const singleOps = "+-%~[](){}.:|,;"

// lexNumber lexes an int or float (with _ separators) at i.
func (lx *lexer) lexNumber(i int) int {
	src := lx.src
	k := i
	digits := func() {
		for k < len(src) && (src[k] >= '0' && src[k] <= '9' || src[k] == '_' && k+1 < len(src) && src[k+1] >= '0' && src[k+1] <= '9') {
			k++
		}
	}
	// 0b, 0o, 0x
	if src[k] == '0' && k+1 < len(src) && strings.IndexByte("bBoOxX", src[k+1]) >= 0 {
		base := 16
		switch src[k+1] {
		case 'b', 'B':
			base = 2
		case 'o', 'O':
			base = 8
		}
		m := k + 2
		for m < len(src) && (isDigitBase(src[m], base) || src[m] == '_') {
			m++
		}
		if m > k+2 {
			n, _ := strconv.ParseInt(strings.ReplaceAll(src[k+2:m], "_", ""), base, 64)
			lx.emitDec(tInt, strconv.FormatInt(n, 10), i)
			return m
		}
	}
	digits()
	isFloat := false
	if k+1 < len(src) && src[k] == '.' && src[k+1] >= '0' && src[k+1] <= '9' {
		isFloat = true
		k++
		digits()
	}
	if k < len(src) && (src[k] == 'e' || src[k] == 'E') {
		m := k + 1
		if m < len(src) && (src[m] == '+' || src[m] == '-') {
			m++
		}
		if m < len(src) && src[m] >= '0' && src[m] <= '9' {
			isFloat = true
			k = m
			digits()
		}
	}
	if !isFloat && src[i] == '0' {
		// Python ints have no leading zeros: 007 is 0 followed by 07.
		k = i + 1
		for k < len(src) && (src[k] == '0' || src[k] == '_' && k+1 < len(src) && src[k+1] == '0') {
			k++
		}
	}
	kind := tInt
	if isFloat {
		kind = tFloat
	}
	if strings.IndexByte(src[i:k], '_') >= 0 {
		lx.emitDec(kind, strings.ReplaceAll(src[i:k], "_", ""), i)
	} else {
		lx.emit(kind, i, i, k-i)
	}
	return k
}

func isDigitBase(c byte, base int) bool {
	switch base {
	case 2:
		return c == '0' || c == '1'
	case 8:
		return c >= '0' && c <= '7'
	}
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lexString emits the string literal at i, decoded as Python's
// unicode-escape does, and returns the offset after it.
func (lx *lexer) lexString(i int) (int, error) {
	src := lx.src
	q := src[i]
	k := i + 1
	if e := strings.IndexByte(src[k:], q); e >= 0 && strings.IndexByte(src[k:k+e], '\\') < 0 {
		k += e // no escapes: the next quote ends it
	} else {
		for k < len(src) && src[k] != q {
			if src[k] == '\\' {
				k++
			}
			k++
		}
	}
	if k >= len(src) {
		return 0, lx.errAt(i, "unexpected end of string")
	}
	raw := src[i+1 : k]
	if strings.IndexByte(raw, '\\') < 0 {
		lx.emit(tString, i, i+1, len(raw))
	} else {
		lx.emitDec(tString, unescapePy(raw), i)
	}
	return k + 1, nil
}

// unescapePy decodes Python string escapes; unknown escapes stay as written.
func unescapePy(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
		case '\n':
		case '\\':
			b.WriteByte('\\')
		case '\'':
			b.WriteByte('\'')
		case '"':
			b.WriteByte('"')
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case 'x', 'u', 'U':
			n := 2
			switch raw[i] {
			case 'u':
				n = 4
			case 'U':
				n = 8
			}
			hex := ""
			if i+1+n <= len(raw) {
				hex = raw[i+1 : i+1+n]
			}
			if v, err := strconv.ParseUint(hex, 16, 32); err == nil && len(hex) == n {
				b.WriteRune(rune(v))
				i += n
			} else {
				b.WriteByte('\\')
				b.WriteByte(raw[i])
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(raw) && j < i+3 && raw[j] >= '0' && raw[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(raw[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}
