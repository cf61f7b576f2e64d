package compile

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"

	"github.com/strata-dev/strata/engine/relation"
)

// sourceLoader serves one template's text to gonja (no includes/imports from disk).
type sourceLoader struct{ src string }

func (l sourceLoader) Read(string) (io.Reader, error)   { return strings.NewReader(l.src), nil }
func (l sourceLoader) Resolve(p string) (string, error) { return p, nil }
func (l sourceLoader) Inherit(string) (loaders.Loader, error) {
	return nil, errors.New("include and import are not supported: call macros by name instead")
}

// jinja holds the gonja configuration shared by every render of one Compile.
// After newJinja returns it is only read, so renders may run in parallel.
type jinja struct {
	cfg  *config.Config
	env  *exec.Environment // base context: builtins, strata globals, macros
	base *exec.Context
}

func newJinja() *jinja {
	cs := exec.NewControlStructureSet(map[string]parser.ControlStructureParser{}).Update(builtins.ControlStructures)
	if set, ok := cs.Get("set"); ok {
		_ = cs.Replace("set", wrapSet(set))
	}
	filters := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	tests := exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests)
	base := exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables)
	j := &jinja{cfg: config.New(), base: base}
	j.env = &exec.Environment{
		Filters:           filters,
		ControlStructures: cs,
		Tests:             tests,
		Context:           base,
		Methods:           newMethods(),
	}
	return j
}

// parse parses one template; id names it in gonja's messages.
func (j *jinja) parse(id, src string) (*exec.Template, error) {
	return exec.NewTemplate(id, j.cfg, sourceLoader{src: src}, j.env)
}

// environment returns an environment whose context is ctx.
func (j *jinja) environment(ctx *exec.Context) *exec.Environment {
	return &exec.Environment{
		Filters:           j.env.Filters,
		ControlStructures: j.env.ControlStructures,
		Tests:             j.env.Tests,
		Context:           ctx,
		Methods:           j.env.Methods,
	}
}

// execute renders t with ctx as its context (ctx should inherit the base).
func (j *jinja) execute(t *exec.Template, ctx *exec.Context) (string, error) {
	var b strings.Builder
	r := exec.NewRenderer(j.environment(ctx), &b, j.cfg, sourceLoader{}, t)
	if err := r.Execute(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// macroDef is one macro: its parsed file and its node in that file.
type macroDef struct {
	name     string
	uniqueID string
	pkg      string
	file     string
	line     int
	sql      string
	checksum string
	tmpl     *exec.Template
	node     *nodes.Macro
}

// frame is one macro call in progress, for return() and error positions.
type frame struct {
	def      *macroDef
	returned bool
	value    *exec.Value
}

// userError is a problem in the user's project found while rendering.
type userError struct {
	summary, detail, suggestion string
	file                        string
	line                        int
}

func (e *userError) Error() string { return e.summary + ": " + e.detail }

// renderState is everything one render of one node can see and change. A render
// runs on one goroutine; the state is never shared.
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
	cfg           map[string]any // config() calls of this render, in order of keys
	cfgRaw        map[string]any
	frames        []*frame
	err           *userError
	errFile       string
}

const stateKey = "__strata_state__"

func stateOf(e *exec.Evaluator) *renderState {
	if e == nil {
		return nil
	}
	v, ok := e.Environment.Context.Get(stateKey)
	if !ok {
		return nil
	}
	st, _ := v.(*renderState)
	return st
}

// fail records a user error (the first one wins) and returns it for the template.
func (st *renderState) fail(summary, detail string) error {
	return st.failSuggest(summary, detail, "")
}

func (st *renderState) failSuggest(summary, detail, suggestion string) error {
	ue := &userError{summary: summary, detail: detail, suggestion: suggestion}
	if st == nil {
		return ue
	}
	if len(st.frames) > 0 {
		ue.file = st.frames[len(st.frames)-1].def.file
	}
	if st.err == nil {
		st.err = ue
	}
	return ue
}

// newContext makes the per-render context: the state, this, config and model.
func (c *compiler) newContext(st *renderState) *exec.Context {
	ctx := c.j.base.Inherit()
	ctx.Set(stateKey, st)
	ctx.Set("config", configFn(c.configCall))
	if u := st.u; u != nil {
		ctx.Set("this", c.relFor(st, u.idx))
		ctx.Set("model", map[string]any{
			"name": u.node.Name, "unique_id": u.node.UniqueID, "resource_type": string(u.node.ResourceType),
			"package_name": u.node.PackageName, "path": u.node.Path, "original_file_path": u.node.OriginalFilePath,
			"fqn": anyList(u.node.FQN), "config": st.configMap(),
		})
	}
	return ctx
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// render renders a parsed template for st.
func (c *compiler) render(t *exec.Template, st *renderState) (string, error) {
	return c.j.execute(t, c.newContext(st).Inherit())
}

// callMacro runs a macro for the render that e belongs to.
func (c *compiler) callMacro(e *exec.Evaluator, def *macroDef, va *exec.VarArgs) *exec.Value {
	st := stateOf(e)
	if st == nil {
		st = &renderState{c: c}
	}
	if st.macros == nil {
		st.macros = map[string]bool{}
	}
	st.macros[def.uniqueID] = true
	if len(st.frames) > 64 {
		return errValue(st.fail("macro recursion too deep", fmt.Sprintf("macro %s calls itself more than 64 levels deep", def.name)))
	}
	ctx := c.newContext(st).Inherit()
	if cl, ok := e.Environment.Context.Get("__gonja_caller__"); ok && cl != nil {
		ctx.Set("__gonja_caller__", cl)
		e.Environment.Context.Set("__gonja_caller__", nil)
	}
	r := exec.NewRenderer(c.j.environment(ctx), io.Discard, c.j.cfg, sourceLoader{}, def.tmpl)
	fn, err := exec.MacroNodeToFunc(def.node, r)
	if err != nil {
		return errValue(err)
	}
	f := &frame{def: def}
	st.frames = append(st.frames, f)
	v := fn(va)
	st.frames = st.frames[:len(st.frames)-1]
	if f.returned {
		return f.value
	}
	if v.IsError() && st.errFile == "" {
		st.errFile = def.file
	}
	return v
}

// macroFunc is the global callable for a macro name.
func (c *compiler) macroFunc(def *macroDef) jfunc {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value { return c.callMacro(e, def, va) }
}

// relFor returns the relation object for node idx as this render may see it.
func (c *compiler) relFor(st *renderState, idx int) *relObj {
	u := c.units[idx]
	if !st.final {
		return &relObj{
			marker: markerFor(idx), st: st,
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

var markerRE = regexp.MustCompile("\x00([0-9]+)\x00")

// substitute replaces markers with final relation names. ok is false when a
// marker was damaged (a template transformed a relation's text).
func (c *compiler) substitute(s string) (string, bool) {
	if strings.IndexByte(s, 0) < 0 {
		return s, true
	}
	out := markerRE.ReplaceAllStringFunc(s, func(m string) string {
		idx, _ := strconv.Atoi(m[1 : len(m)-1])
		if idx < 0 || idx >= len(c.units) {
			return m
		}
		u := c.units[idx]
		if u.node.Config.Materialized == "ephemeral" {
			return cteName(u.node.Name)
		}
		return u.node.RelationName
	})
	return out, strings.IndexByte(out, 0) < 0
}

// lineRE finds gonja's "at line N" and parse errors' "(Line: N Col: M".
var (
	lineRE      = regexp.MustCompile(`at line (\d+)`)
	parseLineRE = regexp.MustCompile(`\(Line: (\d+) Col: (\d+), near "((?:[^"\\]|\\.)*)"\)`)
)

// errorLine returns the innermost line gonja mentions in err's message.
func errorLine(msg string) int {
	ms := lineRE.FindAllStringSubmatch(msg, -1)
	if len(ms) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(ms[len(ms)-1][1])
	return n
}

// cleanGonjaError shortens gonja's wrapped error chain to its last part.
func cleanGonjaError(msg string) string {
	parts := strings.Split(msg, ": ")
	for i := len(parts) - 1; i >= 0; i-- {
		p := strings.TrimSpace(parts[i])
		if p == "" || strings.HasPrefix(p, "Unable to") || strings.HasPrefix(p, "unable to") {
			continue
		}
		return strings.Join(parts[i:], ": ")
	}
	return msg
}
