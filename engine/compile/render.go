package compile

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/relation"
)

// newEnv returns a Jinja environment with dbt's block tags. Globals are added
// by buildGlobals; after that the environment is only read.
func (c *compiler) newEnv() *jinja.Environment {
	env := jinja.NewEnvironment()
	// {% docs name %}…{% enddocs %}: the body is markdown, kept as written.
	env.Tags["docs"] = &jinja.Tag{Header: jinja.HeaderName, RawBody: true}
	// {% test name(args) %}…{% endtest %} defines the macro test_<name>.
	env.Tags["test"] = &jinja.Tag{Header: jinja.HeaderSignature, MacroName: func(h *jinja.TagHeader) string { return "test_" + h.Name }}
	// {% snapshot name %}…{% endsnapshot %}: the body is a node of its own,
	// rendered by itself (collectUnits), so the block renders nothing in place.
	env.Tags["snapshot"] = &jinja.Tag{Header: jinja.HeaderName, RawBody: true}
	// {% materialization name, adapter='x' %} parses so that it can be reported
	// as unsupported with its position (addMacroFile).
	env.Tags["materialization"] = &jinja.Tag{Header: jinja.HeaderArgs, MacroName: func(h *jinja.TagHeader) string {
		adapter := "default"
		if len(h.Idents) > 1 {
			adapter = h.Idents[1]
		}
		if v, ok := h.Consts["adapter"]; ok {
			adapter = v.String()
		}
		return "materialization_" + h.Name + "_" + adapter
	}}
	env.OnUndefinedPrint = c.undefinedPrinted
	// Templates are files of the project, found by name (macros by their
	// name, across files); dbt has no {% include %} or {% import %} of them.
	env.Loader = func(name string) (*jinja.Template, error) {
		return nil, fail("unsupported construct", fmt.Sprintf("{%% include %%}, {%% import %%} and {%% from %%} are not supported (here: %q): call macros by name, they are global across files", name))
	}
	return env
}

// parse parses one template; name is its project-relative path, so engine
// errors carry positions in the user's file.
// The engine turns a panic (its own or a host function's) into an error
// naming the template, so one broken template cannot crash a run.
func (c *compiler) parse(name, src string) (*jinja.Template, error) {
	return c.env.Parse(name, src)
}

// parseCached parses a one-off template (a YAML value, a hook) once per text.
func (c *compiler) parseCached(name, src string) (*jinja.Template, error) {
	key := name + "\x00" + src
	if t, ok := c.oneOff.Load(key); ok {
		return t.(*jinja.Template), nil
	}
	t, err := c.parse(name, src)
	if err != nil {
		return nil, err
	}
	c.oneOff.Store(key, t)
	return t, nil
}

// macroDef is one macro: where it is defined and its parsed form.
type macroDef struct {
	name     string
	uniqueID string
	pkg      string
	file     string
	line     int
	sql      string
	checksum string
	m        *jinja.Macro
	fn       jinja.Value // the callable templates see (macroFn)
}

// macroFn is a macro as templates call it: the call is recorded in the
// render's depends_on.macros, then the engine runs the macro's body with
// the calling render's variables (dbt's semantics: a macro sees the calling
// node's this, config and model).
type macroFn struct{ def *macroDef }

func (f *macroFn) Call(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	if st := stateOf(s); st != nil {
		st.useMacro(f.def)
	}
	return f.def.m.Call(s, a)
}

func (f *macroFn) Repr() string { return "<Macro '" + f.def.name + "'>" }

// userError is a problem in the user's project found while rendering: host
// functions return it and the engine positions it (file, line, column of the
// call).
type userError struct {
	summary, detail, suggestion string
}

func (e *userError) Error() string { return e.summary + ": " + e.detail }

func fail(summary, detail string) error { return &userError{summary: summary, detail: detail} }

func failSuggest(summary, detail, suggestion string) error {
	return &userError{summary: summary, detail: detail, suggestion: suggestion}
}

// renderState is everything one render of one node can see and change; host
// functions reach it through State.Host. A render runs on one goroutine; the
// state is never shared.
type renderState struct {
	c     *compiler
	u     *unit // nil for standalone renders (sources, hooks of the project)
	final bool  // relations are real (second pass); else placeholders
	incr  bool  // is_incremental() answers true

	needsRerender bool
	usedIncr      bool
	refs          []int
	sources       []string
	macros        map[string]bool
	cfg           map[string]any // config() calls of this render
	warnings      diag.Diagnostics

	// valueFile and valueLine are set while a YAML value or a hook renders
	// (renderText): positions in that template are reported at the YAML line.
	valueFile string
	valueLine int
}

func stateOf(s *jinja.State) *renderState {
	st, _ := s.Host().(*renderState)
	return st
}

func (st *renderState) useMacro(def *macroDef) {
	if st.macros == nil {
		st.macros = map[string]bool{}
	}
	st.macros[def.uniqueID] = true
}

// vars are a render's own variables, layered over the environment's globals.
func (c *compiler) vars(st *renderState) map[string]jinja.Value {
	if st.u == nil {
		return nil
	}
	return map[string]jinja.Value{
		"this":  jinja.ObjectValue(c.relFor(st, st.u.idx)),
		"model": jinja.ObjectValue(&lazyDict{build: st.modelDict}),
	}
}

// render renders a parsed template for st.
func (c *compiler) render(t *jinja.Template, st *renderState) (string, error) {
	return t.Execute(c.ctx, c.vars(st), jinja.RenderOptions{Host: st})
}

// callFromGo calls a macro with positional arguments for st and returns its
// output (or returned value) as text.
func (c *compiler) callFromGo(st *renderState, def *macroDef, args ...jinja.Value) (string, error) {
	v, err := c.callMacro(st, def, jinja.Args{Pos: args})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(v.String()), nil
}

// callMacro calls def for st outside any template (generic tests, naming macros).
func (c *compiler) callMacro(st *renderState, def *macroDef, a jinja.Args) (jinja.Value, error) {
	st.useMacro(def)
	return def.m.Invoke(c.ctx, a, c.vars(st), jinja.RenderOptions{Host: st})
}

// relFor returns the relation object for node idx as this render may see it.
func (c *compiler) relFor(st *renderState, idx int) *relObj {
	u := c.units[idx]
	if !st.final {
		return &relObj{
			marker: c.markers[idx], st: st,
			rel: relation.Relation{Database: c.o.Target.Database, Schema: c.o.Target.Schema, Identifier: u.node.Name},
		}
	}
	if u.node.Config.Materialized == "ephemeral" {
		name := cteName(u.node.Name)
		return &relObj{rel: relation.Relation{Identifier: name}, rendered: name, cte: true}
	}
	kind := "table"
	if u.node.Config.Materialized == "view" {
		kind = "view"
	}
	return &relObj{rel: u.node.Relation, rendered: u.node.RelationName, kind: kind}
}

func cteName(name string) string { return "__dbt__cte__" + name }

// Markers stand for a node's relation in first-pass output: NUL, index, NUL.
// Digits survive upper/lower and most string filters.
func markerFor(idx int) string { return "\x00" + strconv.Itoa(idx) + "\x00" }

// markersOK reports whether every marker in s is intact (n units).
func markersOK(s string, n int) bool {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			return true
		}
		end := strings.IndexByte(s[i+1:], 0)
		if end < 0 {
			return false
		}
		idx, err := strconv.Atoi(s[i+1 : i+1+end])
		if err != nil || idx < 0 || idx >= n {
			return false
		}
		s = s[i+1+end+1:]
	}
}

// substitute replaces markers with final relation names. ok is false when a
// marker was damaged (a template transformed a relation's text).
func (c *compiler) substitute(s string) (string, bool) {
	i := strings.IndexByte(s, 0)
	if i < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for i >= 0 {
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i+1:], 0)
		if end < 0 {
			return "", false
		}
		idx, err := strconv.Atoi(s[i+1 : i+1+end])
		if err != nil || idx < 0 || idx >= len(c.units) {
			return "", false
		}
		u := c.units[idx]
		if u.node.Config.Materialized == "ephemeral" {
			b.WriteString(cteName(u.node.Name))
		} else {
			b.WriteString(u.node.RelationName)
		}
		s = s[i+1+end+1:]
		i = strings.IndexByte(s, 0)
	}
	b.WriteString(s)
	return b.String(), true
}

// warnSet records each warning once (by position and message): a macro that
// prints an undefined name warns once, not once per node that calls it.
type warnSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (w *warnSet) first(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[key] {
		return false
	}
	w.seen[key] = true
	return true
}
