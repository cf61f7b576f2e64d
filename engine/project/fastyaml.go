package project

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastParse parses the plain block-style YAML that properties files are
// almost always written in (block mappings and sequences, one-line plain or
// quoted scalars, one-line flow lists and mappings, comments) straight into
// yaml.v3 nodes with the same kinds, tags, styles, lines and columns yaml.v3
// would give. It is several times faster than yaml.v3, whose tokenizer
// dominates a large project's load time. Anything outside that subset (anchors,
// tags, block scalars, multi-line strings, escapes, tabs, odd indentation, any
// syntax error) returns ok=false and the caller uses yaml.v3, so errors and
// rare constructs keep yaml.v3's exact behaviour. Comments are not kept.
func fastParse(data []byte) (root *yaml.Node, ok bool) {
	src := string(data)
	if !printable(src) || strings.HasPrefix(src, "\ufeff") {
		return nil, false
	}
	p := &fastParser{}
	if !p.split(src) {
		return nil, false
	}
	if len(p.lines) == 0 {
		return nil, true
	}
	n, ok := p.block(p.lines[0].indent)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	return n, true
}

// printable reports whether src holds only what the fast path reads as
// yaml.v3 does: printable characters and newlines (no tabs, no carriage
// returns), valid UTF-8.
func printable(src string) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError || !(r == 0x85 || r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += size
	}
	return true
}

type fastLine struct {
	num    int    // 1-based line number
	indent int    // leading spaces
	text   string // content after the indent, comment and trailing spaces removed
	raw    string // the whole line, for columns
	off    int    // byte offset of text within raw
}

type fastParser struct {
	lines []fastLine
	i     int         // next line to consume
	slab  []yaml.Node // nodes are carved from chunks: one allocation per 256
}

func (p *fastParser) node(n yaml.Node) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 256)
	}
	p.slab = append(p.slab, n)
	return &p.slab[len(p.slab)-1]
}

// split cuts src into significant lines, dropping blank and comment-only ones.
func (p *fastParser) split(src string) bool {
	p.lines = make([]fastLine, 0, strings.Count(src, "\n")+1)
	num := 0
	for len(src) > 0 {
		num++
		var raw string
		if k := strings.IndexByte(src, '\n'); k >= 0 {
			raw, src = src[:k], src[k+1:]
		} else {
			raw, src = src, ""
		}
		ind := 0
		for ind < len(raw) && raw[ind] == ' ' {
			ind++
		}
		text := raw[ind:]
		if text == "" || text[0] == '#' {
			continue
		}
		if ind == 0 && (strings.HasPrefix(text, "---") || strings.HasPrefix(text, "...")) {
			return false
		}
		p.lines = append(p.lines, fastLine{num: num, indent: ind, text: strings.TrimRight(text, " "), raw: raw, off: ind})
	}
	return true
}

// col is the 1-based column (in characters, as yaml.v3 counts) of byte offset
// off within the line's text.
func (l *fastLine) col(off int) int {
	b := l.off + off
	for i := 0; i < b; i++ {
		if l.raw[i] >= utf8.RuneSelf {
			return utf8.RuneCountInString(l.raw[:b]) + 1
		}
	}
	return b + 1
}

func isDash(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// block parses the block collection whose lines start at the current line,
// indented by ind.
func (p *fastParser) block(ind int) (*yaml.Node, bool) {
	if p.i >= len(p.lines) || p.lines[p.i].indent != ind {
		return nil, false
	}
	if isDash(p.lines[p.i].text) {
		return p.sequence(ind)
	}
	return p.mapping(ind)
}

func (p *fastParser) sequence(ind int) (*yaml.Node, bool) {
	first := &p.lines[p.i]
	seq := p.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.num, Column: first.col(0)})
	for p.i < len(p.lines) {
		l := &p.lines[p.i]
		if l.indent < ind {
			break
		}
		if l.indent > ind || !isDash(l.text) {
			if l.indent == ind {
				break // a mapping key after a same-indent list: the parent continues
			}
			return nil, false
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		restOff := len(l.text) - len(rest)
		if rest == "" {
			p.i++
			item, ok := p.valueBelow(ind, l, 1)
			if !ok {
				return nil, false
			}
			seq.Content = append(seq.Content, item)
			continue
		}
		if isDash(rest) {
			return nil, false // "- - x": nested compact lists
		}
		if isMappingEntry(rest) {
			// "- key: value": the item is a mapping indented to where key starts.
			l.indent += restOff
			l.off += restOff
			l.text = rest
			item, ok := p.mapping(l.indent)
			if !ok {
				return nil, false
			}
			seq.Content = append(seq.Content, item)
			continue
		}
		item, ok := p.inline(l, restOff)
		if !ok {
			return nil, false
		}
		p.i++
		if p.i < len(p.lines) && p.lines[p.i].indent > ind {
			return nil, false // a multi-line scalar
		}
		seq.Content = append(seq.Content, item)
	}
	return seq, true
}

// isMappingEntry reports whether text is a plain "key: ..." or "key:".
func isMappingEntry(text string) bool {
	if text == "" || strings.IndexByte("\"'[{#?:-,", text[0]) >= 0 {
		return false
	}
	k := keyEnd(text)
	return k > 0
}

// keyEnd returns the byte offset of the ':' ending a plain key, or -1.
func keyEnd(text string) int {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case ':':
			if i+1 == len(text) || text[i+1] == ' ' {
				return i
			}
		case '#':
			if i > 0 && text[i-1] == ' ' {
				return -1
			}
		case '{', '}', '[', ']', ',', '"', '\'':
			return -1
		}
	}
	return -1
}

func (p *fastParser) mapping(ind int) (*yaml.Node, bool) {
	first := &p.lines[p.i]
	m := p.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.num, Column: first.col(0)})
	for p.i < len(p.lines) {
		l := &p.lines[p.i]
		if l.indent < ind {
			break
		}
		if l.indent > ind || isDash(l.text) {
			return nil, false
		}
		var key *yaml.Node
		var k int // offset of the ':' after the key
		switch l.text[0] {
		case '"', '\'':
			q, end, ok := p.quoted(l.text, l.num, l.col(0))
			if !ok || !strings.HasPrefix(l.text[end:], ":") || end+1 < len(l.text) && l.text[end+1] != ' ' {
				return nil, false
			}
			key, k = q, end
		case '?':
			return nil, false
		default:
			k = keyEnd(l.text)
			if k <= 0 {
				return nil, false
			}
			keyText := strings.TrimRight(l.text[:k], " ")
			if keyText == "" || keyText == "<<" || strings.IndexByte("[]{},#-"+indicators, keyText[0]) >= 0 {
				return nil, false
			}
			if key = p.plainScalar(keyText, l.num, l.col(0)); key == nil {
				return nil, false
			}
		}
		if k > 1000 {
			return nil, false // YAML caps implicit keys at 1024 characters
		}
		rest := strings.TrimLeft(l.text[k+1:], " ")
		restOff := len(l.text) - len(rest)
		var val *yaml.Node
		var ok bool
		if rest == "" || rest[0] == '#' {
			p.i++
			val, ok = p.valueBelow(ind, l, k+1)
		} else {
			val, ok = p.inline(l, restOff)
			p.i++
			if p.i < len(p.lines) && p.lines[p.i].indent > ind {
				return nil, false // a multi-line scalar or a misplaced block
			}
		}
		if !ok {
			return nil, false
		}
		m.Content = append(m.Content, key, val)
	}
	return m, true
}

// valueBelow is the value of a key or list item written with nothing after
// its indicator: a block on the following lines, or null (positioned just after
// the indicator, as yaml.v3 does). after is the byte offset past the indicator.
func (p *fastParser) valueBelow(ind int, l *fastLine, after int) (*yaml.Node, bool) {
	if p.i < len(p.lines) {
		next := &p.lines[p.i]
		if next.indent > ind {
			return p.block(next.indent)
		}
		// A list may sit at its key's own indentation; a list item's value may not.
		if next.indent == ind && isDash(next.text) && !isDash(l.text) {
			return p.sequence(ind)
		}
	}
	return p.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: l.num, Column: l.col(after)}), true
}

// inline parses the single-line value starting at byte off of l's text.
func (p *fastParser) inline(l *fastLine, off int) (*yaml.Node, bool) {
	s := l.text[off:]
	switch s[0] {
	case '"', '\'':
		n, end, ok := p.quoted(s, l.num, l.col(off))
		if !ok || !onlyComment(s[end:]) {
			return nil, false
		}
		return n, true
	case '[', '{':
		n, end, ok := p.flow(l, off)
		if !ok || !onlyComment(l.text[end:]) {
			return nil, false
		}
		return n, true
	case '-', '?', ':', ',', ']', '}', '#':
		if len(s) == 1 || s[1] == ' ' || s[0] != '-' {
			return nil, false
		}
	}
	if strings.IndexByte(indicators, s[0]) >= 0 {
		return nil, false
	}
	v := s
	if k := strings.Index(v, " #"); k >= 0 {
		v = strings.TrimRight(v[:k], " ")
	}
	if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
		return nil, false // yaml.v3 reports this as an error
	}
	n := p.plainScalar(v, l.num, l.col(off))
	return n, n != nil
}

// onlyComment reports whether what follows a value is nothing or a comment.
func onlyComment(rest string) bool {
	if rest == "" {
		return true
	}
	t := strings.TrimLeft(rest, " ")
	return rest[0] == ' ' && t != "" && t[0] == '#'
}

// indicators cannot start a plain scalar the fast path handles: anchors,
// aliases, tags, block scalars, directives and reserved characters.
const indicators = "&*!|>%@`"

// plainScalar makes a plain scalar node, its tag resolved by yaml.v3 itself;
// nil for the merge key "<<", which yaml.v3's parser tags differently.
func (p *fastParser) plainScalar(v string, line, col int) *yaml.Node {
	if v == "<<" {
		return nil
	}
	n := p.node(yaml.Node{Kind: yaml.ScalarNode, Value: v, Line: line, Column: col})
	n.Tag = n.ShortTag()
	return n
}

// quoted parses a one-line single- or double-quoted scalar at the start of s
// (double-quoted ones without escapes), returning the offset past it.
func (p *fastParser) quoted(s string, line, col int) (*yaml.Node, int, bool) {
	q := s[0]
	if q == '"' {
		k := strings.IndexByte(s[1:], '"')
		if k < 0 || strings.IndexByte(s[1:1+k], '\\') >= 0 {
			return nil, 0, false // unclosed on this line, or escapes: leave it to yaml.v3
		}
		return p.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s[1 : 1+k], Line: line, Column: col}), k + 2, true
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			i++ // '' is an escaped quote
			continue
		}
		return p.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.SingleQuotedStyle, Value: strings.ReplaceAll(s[1:i], "''", "'"), Line: line, Column: col}), i + 1, true
	}
	return nil, 0, false
}

// flow parses a one-line flow list or mapping starting at byte off of l's
// text, returning the offset past its closing bracket.
func (p *fastParser) flow(l *fastLine, off int) (*yaml.Node, int, bool) {
	s := l.text
	open := s[off]
	if off+1 < len(s) && (s[off+1] == '{' || s[off+1] == '%') {
		return nil, 0, false // unquoted Jinja: yaml.v3 reports it
	}
	n := p.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: l.num, Column: l.col(off)})
	closer := byte(']')
	if open == '{' {
		n.Kind, n.Tag, closer = yaml.MappingNode, "!!map", '}'
	}
	i := off + 1
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	// item parses one scalar or nested flow collection at i.
	item := func(inMapKey bool) (*yaml.Node, bool) {
		skip()
		if i >= len(s) {
			return nil, false
		}
		switch s[i] {
		case '[', '{':
			if inMapKey {
				return nil, false
			}
			c, end, ok := p.flow(l, i)
			i = end
			return c, ok
		case '"', '\'':
			c, end, ok := p.quoted(s[i:], l.num, l.col(i))
			i += end
			return c, ok
		case ']', '}', ',', '#', '-', '?', ':':
			return nil, false
		}
		if strings.IndexByte(indicators, s[i]) >= 0 {
			return nil, false
		}
		start := i
	scan:
		for ; i < len(s); i++ {
			switch s[i] {
			case ',', '[', ']', '{', '}':
				break scan
			case '#':
				return nil, false
			case ':':
				if inMapKey && i+1 < len(s) && s[i+1] == ' ' {
					break scan
				}
				return nil, false
			}
		}
		v := strings.TrimRight(s[start:i], " ")
		if v == "" {
			return nil, false
		}
		n := p.plainScalar(v, l.num, l.col(start))
		return n, n != nil
	}
	skip()
	if i < len(s) && s[i] == closer {
		return n, i + 1, true
	}
	for {
		if open == '{' {
			k, ok := item(true)
			if !ok || i >= len(s) || s[i] != ':' || i+1 >= len(s) || s[i+1] != ' ' {
				return nil, 0, false
			}
			i++
			v, ok := item(false)
			if !ok {
				return nil, 0, false
			}
			n.Content = append(n.Content, k, v)
		} else {
			v, ok := item(false)
			if !ok {
				return nil, 0, false
			}
			n.Content = append(n.Content, v)
		}
		skip()
		if i >= len(s) {
			return nil, 0, false
		}
		switch s[i] {
		case ',':
			i++
			skip()
			if i < len(s) && s[i] == closer {
				return nil, 0, false // a trailing comma: leave it to yaml.v3
			}
		case closer:
			return n, i + 1, true
		default:
			return nil, 0, false
		}
	}
}
