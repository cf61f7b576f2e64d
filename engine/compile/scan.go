package compile

import (
	"errors"
	"strconv"
	"strings"
)

// The fast path: most models are plain SQL with {{ ref() }}, {{ source() }},
// {{ config(k=literal) }}, {{ var('x') }} and comments. scanTemplate
// recognises exactly that and nothing more; anything else (a block tag,
// whitespace control, a filter, an expression it does not know) makes it
// decline, and the template goes through gonja. TestFastPathMatchesGonja
// checks both paths give identical output on a corpus.

type scanCall struct {
	fn     string
	args   []any
	kwargs map[string]any
	keys   []string // kwargs in written order
}

type scanSeg struct {
	lit  string
	call *scanCall
	line int
}

type scanResult struct{ segs []scanSeg }

func scanTemplate(src string) (*scanResult, bool) {
	// gonja also normalises \r\n to \n; leave such files to it.
	if strings.Contains(src, "{%") || strings.IndexByte(src, '\r') >= 0 {
		return nil, false
	}
	// Jinja drops one trailing newline of the template source.
	src = strings.TrimSuffix(src, "\n")
	sr := &scanResult{}
	line := 1
	var lit strings.Builder
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 {
			lit.WriteString(src[i:])
			break
		}
		j += i
		if j+1 >= len(src) || (src[j+1] != '{' && src[j+1] != '#') {
			lit.WriteString(src[i : j+1])
			i = j + 1
			continue
		}
		lit.WriteString(src[i:j])
		if src[j+1] == '#' {
			end := strings.Index(src[j+2:], "#}")
			if end < 0 {
				return nil, false
			}
			body := src[j+2 : j+2+end]
			if strings.HasPrefix(body, "-") || strings.HasSuffix(body, "-") {
				return nil, false
			}
			i = j + 2 + end + 2
			continue
		}
		end := strings.Index(src[j+2:], "}}")
		if end < 0 {
			return nil, false
		}
		body := src[j+2 : j+2+end]
		if strings.HasPrefix(body, "-") || strings.HasSuffix(body, "-") || strings.ContainsAny(body, "{}\\\n") {
			return nil, false
		}
		call, ok := parseCall(body)
		if !ok {
			return nil, false
		}
		switch call.fn {
		case "ref":
			if len(call.kwargs) > 0 || len(call.args) < 1 || len(call.args) > 2 || !allStrings(call.args) {
				return nil, false
			}
		case "source":
			if len(call.kwargs) > 0 || len(call.args) != 2 || !allStrings(call.args) {
				return nil, false
			}
		case "config":
			if len(call.args) > 0 {
				return nil, false
			}
		case "var":
			if len(call.kwargs) > 0 || len(call.args) < 1 || len(call.args) > 2 || !allStrings(call.args[:1]) {
				return nil, false
			}
			if len(call.args) == 2 && !scalarRendersSame(call.args[1]) {
				return nil, false
			}
		default:
			return nil, false
		}
		if lit.Len() > 0 {
			s := lit.String()
			sr.segs = append(sr.segs, scanSeg{lit: s})
			line += strings.Count(s, "\n")
			lit.Reset()
		}
		sr.segs = append(sr.segs, scanSeg{call: call, line: line})
		i = j + 2 + end + 2
	}
	if lit.Len() > 0 {
		sr.segs = append(sr.segs, scanSeg{lit: lit.String()})
	}
	return sr, true
}

func allStrings(xs []any) bool {
	for _, x := range xs {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

// scalarRendersSame reports whether the fast path renders x exactly as gonja would.
func scalarRendersSame(x any) bool {
	switch x.(type) {
	case string, int:
		return true
	}
	return false
}

// parseCall parses `name(arg, …, k=v, …)` with literal arguments.
func parseCall(s string) (*scanCall, bool) {
	lx := &lexer{s: s}
	name := lx.ident()
	if name == "" || !lx.punct('(') {
		return nil, false
	}
	call := &scanCall{fn: name, kwargs: map[string]any{}}
	if !lx.punct(')') {
		for {
			save := lx.i
			if k := lx.ident(); k != "" && lx.punct('=') {
				v, ok := lx.literal()
				if !ok {
					return nil, false
				}
				if _, dup := call.kwargs[k]; dup {
					return nil, false
				}
				call.kwargs[k] = v
				call.keys = append(call.keys, k)
			} else {
				lx.i = save
				if len(call.kwargs) > 0 {
					return nil, false
				}
				v, ok := lx.literal()
				if !ok {
					return nil, false
				}
				call.args = append(call.args, v)
			}
			if lx.punct(')') {
				break
			}
			if !lx.punct(',') {
				return nil, false
			}
		}
	}
	lx.space()
	return call, lx.i == len(lx.s)
}

type lexer struct {
	s string
	i int
}

func (l *lexer) space() {
	for l.i < len(l.s) && (l.s[l.i] == ' ' || l.s[l.i] == '\t') {
		l.i++
	}
}

func (l *lexer) punct(c byte) bool {
	l.space()
	if l.i < len(l.s) && l.s[l.i] == c {
		l.i++
		return true
	}
	return false
}

func (l *lexer) ident() string {
	l.space()
	st := l.i
	for l.i < len(l.s) && isIdent(l.s[l.i]) && !(l.i == st && l.s[l.i] >= '0' && l.s[l.i] <= '9') {
		l.i++
	}
	return l.s[st:l.i]
}

func (l *lexer) literal() (any, bool) {
	l.space()
	if l.i >= len(l.s) {
		return nil, false
	}
	switch c := l.s[l.i]; {
	case c == '\'' || c == '"':
		end := strings.IndexByte(l.s[l.i+1:], c)
		if end < 0 {
			return nil, false
		}
		v := l.s[l.i+1 : l.i+1+end]
		l.i += end + 2
		return v, true
	case c == '-' || c >= '0' && c <= '9':
		st := l.i
		l.i++
		for l.i < len(l.s) && l.s[l.i] >= '0' && l.s[l.i] <= '9' {
			l.i++
		}
		n, err := strconv.Atoi(l.s[st:l.i])
		return n, err == nil
	case c == '[':
		l.i++
		out := []any{}
		if l.punct(']') {
			return out, true
		}
		for {
			v, ok := l.literal()
			if !ok {
				return nil, false
			}
			out = append(out, v)
			if l.punct(']') {
				return out, true
			}
			if !l.punct(',') {
				return nil, false
			}
		}
	default:
		switch l.ident() {
		case "True", "true":
			return true, true
		case "False", "false":
			return false, true
		case "None", "none":
			return nil, true
		}
	}
	return nil, false
}

var errNotScalar = errors.New("var value is not a string or integer")

// scanVarsOK checks that every var() in a scanned template resolves to a value
// the fast path renders exactly as gonja does.
func (c *compiler) scanVarsOK(sr *scanResult) bool {
	for _, s := range sr.segs {
		if s.call == nil || s.call.fn != "var" {
			continue
		}
		if v, ok := c.lookupVar(s.call.args[0].(string)); ok && !scalarRendersSame(v) {
			return false
		}
	}
	return true
}

// runScan renders a scanned template for st.
func (c *compiler) runScan(sr *scanResult, st *renderState) (string, error) {
	var b strings.Builder
	for _, s := range sr.segs {
		if s.call == nil {
			b.WriteString(s.lit)
			continue
		}
		out, err := c.evalScanCall(s.call, st)
		if err != nil {
			if st.err != nil && st.err.line == 0 {
				st.err.line = s.line
			}
			return "", err
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

func (c *compiler) evalScanCall(call *scanCall, st *renderState) (string, error) {
	switch call.fn {
	case "ref":
		pkg, name := "", call.args[0].(string)
		if len(call.args) == 2 {
			pkg, name = name, call.args[1].(string)
		}
		idx, err := c.lookupRef(st, pkg, name)
		if err != nil {
			return "", err
		}
		st.refs = append(st.refs, idx)
		return c.relFor(st, idx).String(), nil
	case "source":
		n, err := c.lookupSource(st, call.args[0].(string), call.args[1].(string))
		if err != nil {
			return "", err
		}
		st.sources = append(st.sources, n.UniqueID)
		return n.RelationName, nil
	case "config":
		if st.cfg == nil {
			st.cfg = map[string]any{}
		}
		keys := append([]string(nil), call.keys...)
		sortStrings(keys)
		for _, k := range keys {
			mergeKey(st.cfg, k, call.kwargs[k])
		}
		return "", nil
	case "var":
		name := call.args[0].(string)
		if v, ok := c.lookupVar(name); ok {
			return pyStr(v), nil
		}
		if len(call.args) == 2 {
			return pyStr(call.args[1]), nil
		}
		return "", st.fail("undefined var", "var(\""+name+"\") is not set: define it under vars: in the project file, pass it with --vars, or give a default")
	}
	return "", errNotScalar
}
