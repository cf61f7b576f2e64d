// Package jsontree parses JSON into a read-only tree for walking parse trees
// that parsers emit as JSON. It exists for speed: encoding/json into
// map[string]any spends most of a lineage run in allocation, while this
// parser slices strings out of the input (copying only those with escapes)
// and takes values from a slab, about ten times faster on DuckDB's and
// libpg_query's output. Objects keep their keys in order; lookups scan them,
// which beats hashing for the handful of keys parse-tree objects have.
//
// Values are immutable once parsed and safe for concurrent reads.
package jsontree

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is a JSON value's type.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is one JSON value.
type Value struct {
	Kind Kind
	// Str is a string's value or a number's text; Bool a boolean's.
	Str  string
	Bool bool
	// Items are an array's elements; Keys and Vals an object's members.
	Items []*Value
	Keys  []string
	Vals  []*Value
}

// Get returns an object's member, or nil (also for a nil or non-object v).
func (v *Value) Get(key string) *Value {
	if v == nil {
		return nil
	}
	for i, k := range v.Keys {
		if k == key {
			return v.Vals[i]
		}
	}
	return nil
}

// Text returns a string's value ("" for anything else).
func (v *Value) Text() string {
	if v == nil || v.Kind != String {
		return ""
	}
	return v.Str
}

// True reports whether v is the boolean true.
func (v *Value) True() bool { return v != nil && v.Kind == Bool && v.Bool }

// List returns an array's elements (nil for anything else).
func (v *Value) List() []*Value {
	if v == nil || v.Kind != Array {
		return nil
	}
	return v.Items
}

// Texts returns the strings of an array of strings.
func (v *Value) Texts() []string {
	var out []string
	for _, x := range v.List() {
		if x.Kind == String {
			out = append(out, x.Str)
		}
	}
	return out
}

// Parse parses one JSON document.
func Parse(data string) (*Value, error) {
	p := &parser{s: data}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("trailing data")
	}
	return v, nil
}

const maxDepth = 10000

type parser struct {
	s    string
	i    int
	slab []Value
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("json at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *parser) alloc() *Value {
	if len(p.slab) == 0 {
		p.slab = make([]Value, 128)
	}
	v := &p.slab[0]
	p.slab = p.slab[1:]
	return v
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Value, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested too deeply")
	}
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	v := p.alloc()
	switch c := p.s[p.i]; {
	case c == '{':
		v.Kind = Object
		p.i++
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return v, nil
		}
		for {
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return nil, p.errorf("expected a key")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.errorf("expected ':'")
			}
			p.i++
			p.ws()
			x, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.Keys = append(v.Keys, k)
			v.Vals = append(v.Vals, x)
			p.ws()
			if p.i >= len(p.s) {
				return nil, p.errorf("unexpected end")
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == '}' {
				p.i++
				return v, nil
			}
			return nil, p.errorf("expected ',' or '}'")
		}
	case c == '[':
		v.Kind = Array
		p.i++
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return v, nil
		}
		for {
			p.ws()
			x, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, x)
			p.ws()
			if p.i >= len(p.s) {
				return nil, p.errorf("unexpected end")
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ']' {
				p.i++
				return v, nil
			}
			return nil, p.errorf("expected ',' or ']'")
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v.Kind, v.Str = String, s
	case c == 't' && strings.HasPrefix(p.s[p.i:], "true"):
		v.Kind, v.Bool = Bool, true
		p.i += 4
	case c == 'f' && strings.HasPrefix(p.s[p.i:], "false"):
		v.Kind = Bool
		p.i += 5
	case c == 'n' && strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
			p.i++
		}
		v.Kind, v.Str = Number, p.s[start:p.i]
	default:
		return nil, p.errorf("unexpected %q", c)
	}
	return v, nil
}

// str reads a string at p.i (the opening quote): a slice of the input when
// it has no escapes.
func (p *parser) str() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.errorf("control character in string")
		default:
			p.i++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) escaped(start int) (string, error) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			break
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
				p.i += 2
				r2, err := p.hex4()
				if err != nil {
					return "", err
				}
				r = utf16.DecodeRune(r, r2)
			}
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return "", p.errorf("bad escape \\%c", e)
		}
	}
	return "", errors.New("json: unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errorf("short \\u escape")
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, p.errorf("bad \\u escape")
	}
	p.i += 4
	return rune(n), nil
}
