// Package jinja is strata's template language: Jinja2 3.1 as dbt configures it
// (a sandboxed environment with the do and loopcontrols extensions, the default
// Undefined, no trim_blocks, lstrip_blocks or trailing newline), written for
// strata with no dependency. It knows nothing of dbt: compile adds dbt's tags,
// functions and objects through Environment's extension points.
//
// A Template is compiled once into a tree of Go closures and may be rendered
// from many goroutines at once; an Environment must not be changed after its
// first Parse. Rendering takes a context.Context: it stops soon after the
// context is cancelled and enforces Limits, so a runaway template ends with an
// error naming its file and line instead of exhausting memory.
package jinja

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// Filter is a filter function: v | name(args).
type Filter func(s *State, v Value, args Args) (Value, error)

// Test is a test function: v is name(args).
type Test func(s *State, v Value, args Args) (bool, error)

// Limits bound one render. Zero fields take the defaults.
type Limits struct {
	Iterations int64 // loop iterations in one render (default 50,000,000)
	Output     int   // bytes of output of one render (default 256 MiB)
	Depth      int   // nested macro calls (default 200)
	Range      int   // largest range() (default 100,000, Jinja2's sandbox MAX_RANGE)
}

func (l Limits) withDefaults() Limits {
	if l.Iterations <= 0 {
		l.Iterations = 50_000_000
	}
	if l.Output <= 0 {
		l.Output = 256 << 20
	}
	if l.Depth <= 0 {
		l.Depth = 200
	}
	if l.Range <= 0 {
		l.Range = 100_000
	}
	return l
}

// Environment holds what every template parsed with it can use. Filters,
// Tests and Tags must be complete before the first Parse (unknown filters are
// reported while parsing); Globals may be filled until the first render (a
// host parses macro files, then publishes their macros). After that, only
// read it: Parse and Render never change it, so renders may run in parallel.
type Environment struct {
	Filters map[string]Filter
	Tests   map[string]Test
	Globals map[string]Value
	// Tags are the host's block statements ({% docs %}, {% test %}, …).
	Tags   map[string]*Tag
	Limits Limits
	// Loader returns a template for {% import %}, {% from %} and {% include %};
	// nil makes them an error.
	Loader func(name string) (*Template, error)
	// OnUndefinedPrint, when set, is told each time {{ … }} prints an undefined
	// value (which renders as nothing, as in Jinja2).
	OnUndefinedPrint func(s *State, u Value, pos Pos)
}

// NewEnvironment returns an environment with Jinja2's built-in filters, tests
// and globals, configured as dbt configures Jinja2.
func NewEnvironment() *Environment {
	return &Environment{
		Filters: builtinFilters(),
		Tests:   builtinTests(),
		Globals: builtinGlobals(),
		Tags:    map[string]*Tag{},
	}
}

// Pos is a place in a template: 1-based line and column.
type Pos struct {
	Line, Col int
}

// Error is every error the engine returns: parse errors and render errors.
// Kind is the Python exception class Jinja2 raises for the same problem
// ("TemplateSyntaxError", "UndefinedError", "TypeError", …).
type Error struct {
	Kind     string
	Msg      string
	Template string // template name
	Pos      Pos
	// Name is the undefined name an UndefinedError of the form "'x' is
	// undefined" is about.
	Name string
	// Construct is the source text of the construct that failed, when known.
	Construct string
	// Cause is a host error that a function returned, when there was one.
	Cause error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Template != "" {
		b.WriteString(e.Template)
		if e.Pos.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Pos.Line, e.Pos.Col)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the host error, if any.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error of the given kind.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// typeErrorf is the common TypeError.
func typeErrorf(format string, args ...any) *Error { return Errorf("TypeError", format, args...) }

// Tag is a block statement the host adds: {% name header %}body{% endname %}.
type Tag struct {
	// Header says how the text between the tag name and %} is parsed.
	Header HeaderKind
	// RawBody keeps the body as source text instead of parsing it ({% docs %}).
	RawBody bool
	// NoEnd: the tag has no body and no end tag.
	NoEnd bool
	// MacroName, when set, makes the block define a macro (body = macro body,
	// header = signature) under the name it returns, like {% macro %}.
	MacroName func(h *TagHeader) string
	// Render is called where the block stands in a rendered template; nil
	// renders nothing. body renders the block's body with the current scope.
	Render func(s *State, b *TagBlock) error
}

// HeaderKind is how a Tag's header is parsed.
type HeaderKind uint8

const (
	// HeaderSignature: name(params with defaults), as {% macro %}.
	HeaderSignature HeaderKind = iota
	// HeaderArgs: comma separated expressions and key=expression pairs;
	// bare names are kept as identifiers ({% materialization table, adapter='x' %}).
	HeaderArgs
	// HeaderName: one identifier ({% docs name %}, {% snapshot name %}).
	HeaderName
)

// TagHeader is a parsed tag header, as known at parse time.
type TagHeader struct {
	Tag    string
	Name   string   // the first identifier
	Idents []string // bare identifiers, in order (HeaderArgs)
	// Consts holds key=value pairs whose value is a constant (HeaderArgs).
	Consts map[string]Value
	Params []Param // HeaderSignature
}

// Param is a macro parameter.
type Param struct {
	Name       string
	HasDefault bool
}

// TagBlock is one host block in a template.
type TagBlock struct {
	Header TagHeader
	Pos    Pos
	Raw    string // the body's source text
	body   *nodeList
	tmpl   *Template
}

// RenderBody renders the block's body in the current scope and returns it.
// The rest of the render then finds names by comparing them (see scope.go),
// which is slower: call it from Tag.Render, where the block stands.
func (b *TagBlock) RenderBody(s *State) (string, error) {
	if b.body == nil {
		return b.Raw, nil
	}
	// The body may run anywhere the host likes: names are found by name.
	s.goSlow()
	return s.capture(func() error { return b.body.exec(s) })
}

// Template is a compiled template, safe for concurrent rendering.
type Template struct {
	Name   string
	Source string
	norm   string // Source with newlines normalized: positions are offsets into it
	// line starts of norm, made when a position is first asked
	linesOnce sync.Once
	lines     []int
	env       *Environment
	root      *nodeList
	// rootScope is the top level's scope: the names it assigns.
	rootScope *scopeInfo
	macros    []*Macro    // top-level macros, in order
	blocks    []*TagBlock // top-level host blocks, in order
	names     []string    // every name the template reads, for did-you-mean
}

// Macros returns the macros defined at the top level of t, in order,
// including those that host tags define.
func (t *Template) Macros() []*Macro { return t.macros }

// Blocks returns t's top-level host blocks in order.
func (t *Template) Blocks() []*TagBlock { return t.blocks }

// RenderOptions are the inputs of one render beyond the variables.
type RenderOptions struct {
	// Host is handed to host functions through State.Host.
	Host any
}

// Render renders t with vars as the template's globals.
func (t *Template) Render(ctx context.Context, vars map[string]any) (string, error) {
	g := make(map[string]Value, len(vars))
	for k, v := range vars {
		g[k] = FromGo(v)
	}
	return t.Execute(ctx, g, RenderOptions{})
}

// Execute renders t with vars as its globals.
func (t *Template) Execute(ctx context.Context, vars map[string]Value, o RenderOptions) (string, error) {
	out, _, err := t.run(ctx, vars, o)
	return out, err
}

// Module renders t's top level (defining its macros and top-level variables)
// and returns its exported names, as {% import %} sees them.
func (t *Template) Module(ctx context.Context, vars map[string]Value, o RenderOptions) (*Dict, string, error) {
	out, s, err := t.run(ctx, vars, o)
	if err != nil {
		return nil, "", err
	}
	return s.exports(), out, nil
}

// run renders t and returns its output and the finished render's state.
func (t *Template) run(ctx context.Context, vars map[string]Value, o RenderOptions) (out string, s *State, err error) {
	s = newState(ctx, t, vars, o)
	defer s.recoverPanic(&err)
	s.mainBuf = make([]byte, 0, len(t.Source)+len(t.Source)/2)
	s.out = &s.mainBuf
	if err := t.root.exec(s); err != nil {
		return "", s, s.finishErr(err)
	}
	// The buffer is never written again: the string can share it.
	return unsafe.String(unsafe.SliceData(s.mainBuf), len(s.mainBuf)), s, nil
}

// Bind matches a call's arguments to parameter names, as Python does:
// positional arguments first, then keywords. The first required names must be
// given. It returns one value per name and whether it was given; a missing
// optional argument is the zero (undefined) Value. Too many arguments, an
// unknown keyword, a duplicate or a missing required one is a TypeError.
func (a Args) Bind(fn string, names []string, required int) ([]Value, []bool, error) {
	vals := make([]Value, len(names))
	given := make([]bool, len(names))
	if len(a.Pos) > len(names) {
		return nil, nil, typeErrorf("%s() takes %s but %d were given", fn, countWord(len(names), "positional argument"), len(a.Pos))
	}
	for i, v := range a.Pos {
		vals[i] = v
		given[i] = true
	}
	for _, kw := range a.Kw {
		found := false
		for i, n := range names {
			if n == kw.Name {
				if given[i] {
					return nil, nil, typeErrorf("%s() got multiple values for argument '%s'", fn, n)
				}
				vals[i] = kw.Value
				given[i] = true
				found = true
				break
			}
		}
		if !found {
			return nil, nil, typeErrorf("%s() got an unexpected keyword argument '%s'", fn, kw.Name)
		}
	}
	for i := 0; i < required; i++ {
		if !given[i] {
			return nil, nil, typeErrorf("%s() missing required argument: '%s'", fn, names[i])
		}
	}
	return vals, given, nil
}

func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
