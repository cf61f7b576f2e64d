package compile

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/strata-dev/strata/engine/jinja"
)

// modules.re: Python's re on a backtracking engine (regexp2), because the
// patterns dbt packages write need what Go's regexp leaves out on purpose:
// lookahead and lookbehind, backreferences, verbose mode with comments.
// Python's syntax and numbering are kept by rewriting each pattern before
// regexp2 (.NET syntax) sees it: named groups (?P<name>…) become plain
// groups so groups number left to right as in Python (.NET numbers named
// groups after the others), (?P=name) becomes a numbered backreference, and
// \Z (Python's end of string) becomes \z. Replacement templates (\1, \g<1>,
// \g<name>, \n) become .NET's ($1, $$ for a dollar).

// Python's re flags, as the module exposes them.
const (
	reIgnoreCase = 2
	reMultiline  = 8
	reDotAll     = 16
	reVerbose    = 64
)

// reMatchTimeout bounds one match: catastrophic backtracking ends with an
// error naming the pattern instead of hanging a render.
const reMatchTimeout = 5 * time.Second

// pyRegex is a compiled Python pattern.
type pyRegex struct {
	source string
	flags  int64
	rx     *regexp2.Regexp
	groups int            // capturing groups, numbered as Python numbers them
	names  map[string]int // named group -> number
}

func compilePyRegex(pattern string, flags int64) (*pyRegex, error) {
	net, groups, names, err := pyToNet(pattern, flags&reVerbose != 0)
	if err != nil {
		return nil, jinja.Errorf("re.error", "%v in pattern %s", err, jinja.PyQuote(pattern))
	}
	opts := regexp2.RegexOptions(0)
	if flags&reIgnoreCase != 0 {
		opts |= regexp2.IgnoreCase
	}
	if flags&reMultiline != 0 {
		opts |= regexp2.Multiline
	}
	if flags&reDotAll != 0 {
		opts |= regexp2.Singleline
	}
	if flags&reVerbose != 0 {
		opts |= regexp2.IgnorePatternWhitespace
	}
	rx, err := regexp2.Compile(net, opts)
	if err != nil {
		return nil, jinja.Errorf("re.error", "%v in pattern %s", err, jinja.PyQuote(pattern))
	}
	rx.MatchTimeout = reMatchTimeout
	return &pyRegex{source: pattern, flags: flags, rx: rx, groups: groups, names: names}, nil
}

// pyToNet rewrites a Python pattern into regexp2's syntax (see above) and
// counts its capturing groups. verbose says whether re.X is on from the
// start; an inline (?x) at the start turns it on too.
func pyToNet(p string, verbose bool) (string, int, map[string]int, error) {
	var b strings.Builder
	names := map[string]int{}
	groups := 0
	inClass := false
	if strings.HasPrefix(p, "(?") {
		// Inline flags at the start: (?ix) applies to the whole pattern.
		if end := strings.IndexByte(p, ')'); end > 0 {
			fl := p[2:end]
			if strings.Trim(fl, "aiLmsux") == "" && strings.Contains(fl, "x") {
				verbose = true
			}
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			if p[i+1] == 'Z' && !inClass {
				b.WriteString(`\z`)
			} else {
				b.WriteByte(c)
				b.WriteByte(p[i+1])
			}
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case verbose && c == '#':
			// A comment to the end of the line (kept out: it may hold parens).
			for i < len(p) && p[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '(':
			rest := p[i+1:]
			switch {
			case strings.HasPrefix(rest, "?P<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return "", 0, nil, fmt.Errorf("missing >, unterminated name at position %d", i)
				}
				groups++
				names[rest[3:end]] = groups
				b.WriteByte('(')
				i += end + 1
			case strings.HasPrefix(rest, "?P="):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return "", 0, nil, fmt.Errorf("missing ), unterminated name at position %d", i)
				}
				n, ok := names[rest[3:end]]
				if !ok {
					return "", 0, nil, fmt.Errorf("unknown group name %s at position %d", jinja.PyQuote(rest[3:end]), i)
				}
				b.WriteString(`(?:\` + strconv.Itoa(n) + `)`)
				i += end + 1
			case strings.HasPrefix(rest, "?"):
				b.WriteByte(c) // non-capturing, lookaround, flags, comment
			default:
				groups++
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), groups, names, nil
}

// pyReplacement rewrites a Python replacement template into .NET's.
func (r *pyRegex) pyReplacement(t string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '$' {
			b.WriteString("$$")
			continue
		}
		if c != '\\' || i+1 == len(t) {
			b.WriteByte(c)
			continue
		}
		i++
		switch d := t[i]; {
		case d >= '0' && d <= '9':
			j := i
			for j < len(t) && j < i+2 && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(t[i:j])
			if n > r.groups {
				return "", jinja.Errorf("re.error", "invalid group reference %d at position %d", n, i)
			}
			b.WriteString("${" + strconv.Itoa(n) + "}")
			i = j - 1
		case d == 'g' && i+1 < len(t) && t[i+1] == '<':
			end := strings.IndexByte(t[i:], '>')
			if end < 0 {
				return "", jinja.Errorf("re.error", "missing >, unterminated name at position %d", i)
			}
			ref := t[i+2 : i+end]
			n, err := strconv.Atoi(ref)
			if err != nil {
				var ok bool
				if n, ok = r.names[ref]; !ok {
					return "", jinja.Errorf("IndexError", "unknown group name %s", jinja.PyQuote(ref))
				}
			}
			b.WriteString("${" + strconv.Itoa(n) + "}")
			i += end
		case d == 'n':
			b.WriteByte('\n')
		case d == 't':
			b.WriteByte('\t')
		case d == 'r':
			b.WriteByte('\r')
		case d == '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(d)
		}
	}
	return b.String(), nil
}

func (r *pyRegex) err(e error) error {
	return jinja.Errorf("re.error", "%v (pattern %s)", e, jinja.PyQuote(r.source))
}

// match is one re.Match: the groups Python would number, with unmatched
// groups as None.
func (r *pyRegex) result(m *regexp2.Match) *matchResult {
	out := &matchResult{groups: make([]jinja.Value, r.groups+1), names: r.names}
	for i := 0; i <= r.groups; i++ {
		g := m.GroupByNumber(i)
		if g == nil || len(g.Captures) == 0 {
			out.groups[i] = jinja.None
			continue
		}
		out.groups[i] = jinja.String(g.String())
	}
	return out
}

// all calls f on each non-overlapping match, left to right.
func (r *pyRegex) all(s string, f func(m *regexp2.Match) bool) error {
	m, err := r.rx.FindStringMatch(s)
	for err == nil && m != nil {
		if !f(m) {
			return nil
		}
		m, err = r.rx.FindNextMatch(m)
	}
	if err != nil {
		return r.err(err)
	}
	return nil
}

func (r *pyRegex) search(s string) (jinja.Value, error) {
	m, err := r.rx.FindStringMatch(s)
	if err != nil {
		return jinja.Value{}, r.err(err)
	}
	if m == nil {
		return jinja.None, nil
	}
	return jinja.ObjectValue(r.result(m)), nil
}

// match is re.match: the leftmost match, if it starts at 0 (a backtracking
// engine tries position 0 first, with Python's priorities).
func (r *pyRegex) match(s string) (jinja.Value, error) {
	m, err := r.rx.FindStringMatch(s)
	if err != nil {
		return jinja.Value{}, r.err(err)
	}
	if m == nil || m.Index != 0 {
		return jinja.None, nil
	}
	return jinja.ObjectValue(r.result(m)), nil
}

// fullmatch needs the engine to look for a match spanning the whole string.
func (r *pyRegex) fullmatch(s string) (jinja.Value, error) {
	full, err := compilePyRegex(`(?:`+r.source+`)\Z`, r.flags)
	if err != nil {
		return jinja.Value{}, err
	}
	m, err := full.rx.FindStringMatch(s)
	if err != nil {
		return jinja.Value{}, r.err(err)
	}
	if m == nil || m.Index != 0 {
		return jinja.None, nil
	}
	res := full.result(m)
	res.names = r.names
	return jinja.ObjectValue(res), nil
}

func (r *pyRegex) findall(s string) (jinja.Value, error) {
	out := []jinja.Value{}
	err := r.all(s, func(m *regexp2.Match) bool {
		res := r.result(m)
		switch r.groups {
		case 0:
			out = append(out, res.groups[0])
		case 1:
			out = append(out, orEmpty(res.groups[1]))
		default:
			g := make([]jinja.Value, r.groups)
			for i := range g {
				g[i] = orEmpty(res.groups[i+1])
			}
			out = append(out, jinja.NewTuple(g))
		}
		return true
	})
	return jinja.NewList(out), err
}

// orEmpty is findall's "" for a group that did not take part.
func orEmpty(v jinja.Value) jinja.Value {
	if v.IsNone() {
		return jinja.String("")
	}
	return v
}

func (r *pyRegex) sub(repl, s string, count int) (jinja.Value, error) {
	t, err := r.pyReplacement(repl)
	if err != nil {
		return jinja.Value{}, err
	}
	if count <= 0 {
		count = -1
	}
	out, err := r.rx.Replace(s, t, -1, count)
	if err != nil {
		return jinja.Value{}, r.err(err)
	}
	return jinja.String(out), nil
}

// split is re.split: the pieces between matches, with the groups of each
// match between them (None for a group that did not take part).
func (r *pyRegex) split(s string, maxsplit int) (jinja.Value, error) {
	runes := []rune(s)
	out := []jinja.Value{}
	last, n := 0, 0
	err := r.all(s, func(m *regexp2.Match) bool {
		if maxsplit > 0 && n >= maxsplit {
			return false
		}
		out = append(out, jinja.String(string(runes[last:m.Index])))
		res := r.result(m)
		out = append(out, res.groups[1:]...)
		last = m.Index + m.Length
		n++
		return true
	})
	out = append(out, jinja.String(string(runes[last:])))
	return jinja.NewList(out), err
}

func reModule() jinja.Value {
	flagsOf := func(v jinja.Value) int64 {
		if v.IsNumber() {
			return v.AsInt()
		}
		return 0
	}
	intArg := func(v jinja.Value) int {
		if v.IsNumber() {
			return int(v.AsInt())
		}
		return 0
	}
	type op struct {
		params []string
		run    func(r *pyRegex, a []jinja.Value) (jinja.Value, error)
	}
	ops := map[string]op{
		"match":     {[]string{"string"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) { return r.match(a[0].String()) }},
		"search":    {[]string{"string"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) { return r.search(a[0].String()) }},
		"fullmatch": {[]string{"string"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) { return r.fullmatch(a[0].String()) }},
		"findall":   {[]string{"string"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) { return r.findall(a[0].String()) }},
		"sub": {[]string{"repl", "string", "count"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) {
			return r.sub(a[0].String(), a[1].String(), intArg(a[2]))
		}},
		"split": {[]string{"string", "maxsplit"}, func(r *pyRegex, a []jinja.Value) (jinja.Value, error) {
			return r.split(a[0].String(), intArg(a[1]))
		}},
	}
	attrs := map[string]jinja.Value{
		"IGNORECASE": jinja.Int(reIgnoreCase), "I": jinja.Int(reIgnoreCase),
		"MULTILINE": jinja.Int(reMultiline), "M": jinja.Int(reMultiline),
		"DOTALL": jinja.Int(reDotAll), "S": jinja.Int(reDotAll),
		"VERBOSE": jinja.Int(reVerbose), "X": jinja.Int(reVerbose),
		"escape": fn("escape", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, "escape", []string{"pattern"}, 1)
			if err != nil {
				return jinja.Value{}, err
			}
			return jinja.String(pyEscape(v[0].String())), nil
		}),
	}
	for name, o := range ops {
		params := append([]string{"pattern"}, o.params...)
		params = append(params, "flags")
		required := 2
		if name == "sub" {
			required = 3
		}
		attrs[name] = fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			v, err := bind(a, name, params, required)
			if err != nil {
				return jinja.Value{}, err
			}
			r, err := compilePyRegex(v[0].String(), flagsOf(v[len(v)-1]))
			if err != nil {
				return jinja.Value{}, err
			}
			return o.run(r, v[1:len(v)-1])
		})
	}
	attrs["compile"] = fn("compile", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
		v, err := bind(a, "compile", []string{"pattern", "flags"}, 1)
		if err != nil {
			return jinja.Value{}, err
		}
		r, err := compilePyRegex(v[0].String(), flagsOf(v[1]))
		if err != nil {
			return jinja.Value{}, err
		}
		methods := map[string]jinja.Value{"pattern": jinja.String(r.source), "flags": jinja.Int(r.flags), "groups": jinja.Int(int64(r.groups))}
		for name, o := range ops {
			methods[name] = fn(name, func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
				args, err := bind(a, name, o.params, 1)
				if err != nil {
					return jinja.Value{}, err
				}
				return o.run(r, args)
			})
		}
		return newModule("re.Pattern", methods), nil
	})
	return newModule("re", attrs)
}

// pyEscape is re.escape: every character but ASCII letters, digits and _
// gets a backslash (Python 3.7+ escapes only special characters; both give
// a pattern matching the text literally).
func pyEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			if strings.ContainsRune(`()[]{}?*+-|^$\.&~# `+"\t\n\r\v\f", r) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// matchResult is a Python re.Match.
type matchResult struct {
	groups []jinja.Value // 0 is the whole match; None for a group that did not take part
	names  map[string]int
}

func (m *matchResult) String() string {
	return fmt.Sprintf("<re.Match object; match=%s>", jinja.PyQuote(m.groups[0].String()))
}
func (m *matchResult) Truth() bool { return true }
func (m *matchResult) Attr(name string) (jinja.Value, bool) {
	group := func(g jinja.Value) (jinja.Value, error) {
		if g.Kind() == jinja.KindString {
			if i, ok := m.names[g.String()]; ok {
				return m.groups[i], nil
			}
			return jinja.Value{}, jinja.Errorf("IndexError", "no such group")
		}
		i := int(g.AsInt())
		if i < 0 || i >= len(m.groups) {
			return jinja.Value{}, jinja.Errorf("IndexError", "no such group")
		}
		return m.groups[i], nil
	}
	switch name {
	case "group":
		return fn("group", func(_ *jinja.State, a jinja.Args) (jinja.Value, error) {
			if len(a.Pos) == 0 {
				return m.groups[0], nil
			}
			if len(a.Pos) == 1 {
				return group(a.Pos[0])
			}
			out := make([]jinja.Value, len(a.Pos))
			for i, g := range a.Pos {
				v, err := group(g)
				if err != nil {
					return jinja.Value{}, err
				}
				out[i] = v
			}
			return jinja.NewTuple(out), nil
		}), true
	case "groups":
		return fn("groups", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			return jinja.NewTuple(append([]jinja.Value(nil), m.groups[1:]...)), nil
		}), true
	case "groupdict":
		return fn("groupdict", func(*jinja.State, jinja.Args) (jinja.Value, error) {
			d := jinja.NewDict()
			names := make([]string, 0, len(m.names))
			for n := range m.names {
				names = append(names, n)
			}
			// In the order the groups stand in the pattern.
			for i := 1; i < len(m.groups); i++ {
				for _, n := range names {
					if m.names[n] == i {
						d.SetStr(n, m.groups[i])
					}
				}
			}
			return jinja.DictValue(d), nil
		}), true
	}
	return jinja.Value{}, false
}
