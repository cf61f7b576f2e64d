package compile

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/relation"
)

// phase is which pass a render serves.
type phase uint8

const (
	// phaseParse: dbt's parse. `execute` is false, relations are placeholders
	// (markers) because other nodes' configs are not known yet.
	phaseParse phase = iota
	// phaseFinal: relations are real; the warehouse may be there (compile).
	phaseFinal
	// phaseRuntime: just before the node executes, its parents built.
	phaseRuntime
)

// renderState is everything one render of one node can see and change; host
// functions reach it through State.Host. A render runs on one goroutine; the
// state is never shared.
type renderState struct {
	ctx   context.Context
	p     *Program
	r     *Parsed // nil while the parse pass has not assembled configs
	u     *unit   // nil for standalone renders (sources, project hooks, YAML values)
	k     *pkg    // the package whose refs, sources and vars apply
	phase phase
	exec  bool // `execute`
	incr  bool // is_incremental() answers true
	wh    Warehouse

	// what the render found
	rerender bool // read inside a placeholder relation: the final SQL needs a new render
	usedIncr bool
	dynamic  bool // read `execute` or introspected the warehouse
	refs     []int
	sources  []string
	macros   map[string]bool
	cfg      map[string]any // config() calls of this render
	warnings diag.Diagnostics
	results  map[string]jinja.Value // statement results, for load_result
	// hookResults are on-run-end's `results`.
	runResults jinja.Value

	// per-render objects of the context, kept here to save allocations
	xf         executeFlag
	gr         graphObj
	sr         selectedRes
	md         lazyDict
	statements []string               // SQL run by statement blocks (for target/run)
	extra      map[string]jinja.Value // more variables (a materialization's sql, on-run-end's schemas)

	// unit is set while a unit test renders its model: inputs read as CTEs,
	// overridden macros, vars and env vars.
	unit *unitCtx

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

// introspects marks the render as needing the warehouse: the node renders
// again at execution time.
func (st *renderState) introspects() { st.dynamic = true }

// standaloneState is a render outside any node (a source's YAML, a project
// hook, a description) in package k.
func (p *Program) standaloneState(k *pkg) *renderState {
	return &renderState{ctx: p.ctx, p: p, k: k, phase: phaseFinal}
}

// vars are a render's own variables, layered over the environment's globals.
func (p *Program) vars(st *renderState) map[string]jinja.Value {
	st.xf.st, st.gr.st, st.sr.st = st, st, st
	vars := map[string]jinja.Value{
		"execute":            jinja.ObjectValue(&st.xf),
		"graph":              jinja.ObjectValue(&st.gr),
		"selected_resources": jinja.ObjectValue(&st.sr),
	}
	if st.runResults.Kind() != jinja.KindUndefined {
		vars["results"] = st.runResults
	}
	for k, v := range st.extra {
		vars[k] = v
	}
	if st.unit != nil {
		for name, v := range st.unit.macros {
			ns, macro, dotted := strings.Cut(name, ".")
			if !dotted {
				vars[name] = p.overrideValue(st.k, name, v)
				continue
			}
			// audit_helper._get_comparison_bounds: the package's namespace
			// with that one macro answering the override's value.
			base := vars[ns]
			if base.Kind() == jinja.KindUndefined {
				base = st.k.env.Globals[ns]
			}
			m, ok := base.Object().(*module)
			if !ok {
				continue
			}
			attrs := make(map[string]jinja.Value, len(m.attrs))
			for k, a := range m.attrs {
				attrs[k] = a
			}
			val := jinja.FromGo(v)
			attrs[macro] = fn(macro, func(*jinja.State, jinja.Args) (jinja.Value, error) { return val, nil })
			vars[ns] = newModule(m.name, attrs)
		}
	}
	if st.u != nil {
		st.md.build = st.modelDict
		vars["this"] = jinja.ObjectValue(p.relFor(st, st.u.idx))
		vars["model"] = jinja.ObjectValue(&st.md)
	}
	return vars
}

// executeFlag is `execute`: false while parsing, true when the warehouse is
// there. Reading it marks the render as one that must run again at execution
// time, as dbt renders every node then.
type executeFlag struct{ st *renderState }

func (e *executeFlag) Truth() bool {
	e.st.dynamic = true
	return e.st.exec
}
func (e *executeFlag) Attr(string) (jinja.Value, bool) { return jinja.Value{}, false }
func (e *executeFlag) String() string {
	e.st.dynamic = true
	if e.st.exec {
		return "True"
	}
	return "False"
}
func (e *executeFlag) EqualValue(o jinja.Value) bool {
	e.st.dynamic = true
	return o.Kind() == jinja.KindBool && o.Truthy() == e.st.exec
}

// render renders a parsed template for st.
func (p *Program) render(t *jinja.Template, st *renderState) (string, error) {
	ctx := st.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return t.Execute(ctx, p.vars(st), jinja.RenderOptions{Host: st})
}

// callFromGo calls a macro with positional arguments for st and returns its
// output (or returned value) as text.
func (p *Program) callFromGo(st *renderState, def *macroDef, args ...jinja.Value) (string, error) {
	v, err := p.callMacro(st, def, jinja.Args{Pos: args})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(v.String()), nil
}

// callMacro calls def for st outside any template (generic tests, naming macros).
func (p *Program) callMacro(st *renderState, def *macroDef, a jinja.Args) (jinja.Value, error) {
	st.useMacro(def)
	ctx := st.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return def.m.Invoke(ctx, a, p.vars(st), jinja.RenderOptions{Host: st})
}

// renderText renders a one-off template of package k: a YAML value or a
// hook. Positions inside it are reported at line, the line of the YAML key
// (0: unknown). Problems go to ds.
func (p *Program) renderText(k *pkg, file string, line int, src string, st *renderState, ds *diag.Diagnostics) (string, bool) {
	if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") {
		return src, true
	}
	if st == nil {
		st = p.standaloneState(k)
	}
	nw := len(st.warnings)
	out, err := p.renderValue(k, file, line, src, st)
	if st.u == nil {
		// A standalone render reports its own warnings; a node's render
		// reports them with the node's.
		for _, w := range st.warnings[nw:] {
			p.addWarning(ds, w)
		}
		st.warnings = st.warnings[:nw]
	}
	if err != nil {
		d := p.errDiagIn(file, err, src)
		if d.File == file {
			d.Line, d.Col = line, 0
		}
		ds.Add(d)
		return "", false
	}
	return out, true
}

// renderValue renders a one-off template and returns the engine's error.
func (p *Program) renderValue(k *pkg, file string, line int, src string, st *renderState) (string, error) {
	saveFile, saveLine := st.valueFile, st.valueLine
	st.valueFile, st.valueLine = file, line
	defer func() { st.valueFile, st.valueLine = saveFile, saveLine }()
	t, err := p.parseCached(k, file, src)
	if err != nil {
		return "", err
	}
	return p.render(t, st)
}

// relFor returns the relation object for node idx as the render st may see it.
func (p *Program) relFor(st *renderState, idx int) *relObj {
	u := p.units[idx]
	if st.unit != nil && st.u != nil {
		// A unit test: the model reads its inputs from fixture CTEs.
		name := ""
		if idx == st.u.idx {
			name = st.unit.this
		} else if name = st.unit.refCTE[idx]; name == "" {
			name = cteFor(u.defaultAlias())
		}
		if name != "" {
			return &relObj{rel: relation.Relation{Identifier: name}, rendered: name, cte: true, p: p}
		}
	}
	if st.phase == phaseParse || st.r == nil || st.r.rels == nil {
		return &relObj{
			marker: markerFor(idx), st: st, p: p,
			rel: relation.Relation{Database: p.o.Target.Database, Schema: p.o.Target.Schema, Identifier: u.node.Name},
		}
	}
	r := st.r
	if r.cfgs[idx].cfg.Materialized == "ephemeral" {
		name := cteName(u.node.Name)
		return &relObj{rel: relation.Relation{Identifier: name}, rendered: name, cte: true, p: p}
	}
	if d, ok := r.deferred[idx]; ok {
		return &relObj{rel: d.rel, rendered: d.rendered, kind: d.kind, p: p}
	}
	kind := "table"
	if r.cfgs[idx].cfg.Materialized == "view" {
		kind = "view"
	}
	return &relObj{rel: r.rels[idx], rendered: r.relNames[idx], kind: kind, p: p}
}

func cteName(name string) string { return "__dbt__cte__" + name }

// Markers stand for a node's relation in parse output: NUL, index, NUL.
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

// substitute replaces markers with final relation names in the parse output
// of node self. ok is false when a marker was damaged (a template
// transformed a relation's text).
func (r *Parsed) substitute(s string, self int) (string, bool) {
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
		idx, ok := r.markerIndex(s[i+1 : i+1+end])
		if !ok {
			return "", false
		}
		text := r.relationText(idx)
		if r.p.o.Flags.Empty && idx != self && r.cfgs[idx].cfg.Materialized != "ephemeral" {
			text = emptyRelation(text, r.relIdentifier(idx))
		}
		b.WriteString(text)
		s = s[i+1+end+1:]
		i = strings.IndexByte(s, 0)
	}
	b.WriteString(s)
	if r.p.o.Flags.Empty {
		return keepUserAliases(b.String()), true
	}
	return b.String(), true
}

// markerIndex is the unit a relation marker names: its index (a fresh
// render's marker) or its unique_id (a partial-parse cache's).
func (r *Parsed) markerIndex(m string) (int, bool) {
	if idx, err := strconv.Atoi(m); err == nil {
		return idx, idx >= 0 && idx < len(r.p.units)
	}
	return r.p.unitIndex(m)
}

// relationText is how a ref to node idx renders in final SQL.
func (r *Parsed) relationText(idx int) string {
	if r.cfgs[idx].cfg.Materialized == "ephemeral" {
		return cteName(r.p.units[idx].node.Name)
	}
	if d, ok := r.deferred[idx]; ok {
		return d.rendered
	}
	return r.relNames[idx]
}

// relIdentifier is the identifier a ref to node idx resolves to.
func (r *Parsed) relIdentifier(idx int) string {
	if d, ok := r.deferred[idx]; ok {
		return d.rel.Identifier
	}
	return r.rels[idx].Identifier
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
