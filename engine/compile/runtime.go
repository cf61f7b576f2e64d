package compile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/relation"
)

// Execution-time rendering: what the executor asks of compile while a run
// goes on. Every method is safe to call from the executor's workers.

// NodeSQL is what a node executes, rendered just before it runs.
type NodeSQL struct {
	// SQL is the node's SELECT (ephemeral parents inlined).
	SQL string
	// IncrementalSQL is SQL rendered with is_incremental() true, for
	// incremental models whose template asks; empty otherwise.
	IncrementalSQL      string
	PreHooks, PostHooks []string
	// Statements are the SQL the render itself ran (statement blocks,
	// adapter calls), for target/run.
	Statements []string
}

// SetSelected records the nodes the command selected (selected_resources).
// Call it before execution starts.
func (r *Parsed) SetSelected(ids []string) { r.selected = append([]string(nil), ids...) }

// Dynamic reports whether a node must render again at execution time: its
// template (or a macro it calls, or an ephemeral model it reads) introspects
// the warehouse or reads `execute`.
func (r *Parsed) Dynamic(id string) bool {
	i, ok := r.index[id]
	return ok && r.dynamic != nil && r.dynamic[i]
}

// HooksAtRun reports whether node id's hooks render when they run (they
// hold Jinja); Finalize rendered them otherwise.
func (r *Parsed) HooksAtRun(id string) bool {
	i, ok := r.index[id]
	return ok && r.hooksLater != nil && r.hooksLater[i]
}

// hooksHaveJinja reports whether any hook holds Jinja.
func hooksHaveJinja(lists ...[]string) bool {
	for _, l := range lists {
		for _, h := range l {
			if strings.Contains(h, "{{") || strings.Contains(h, "{%") {
				return true
			}
		}
	}
	return false
}

// RenderNode renders node id with `execute` true against the warehouse, after
// its parents are built, as dbt renders every node just before it runs.
func (r *Parsed) RenderNode(ctx context.Context, id string, wh Warehouse) (NodeSQL, error) {
	i, ok := r.index[id]
	if !ok {
		return NodeSQL{}, fmt.Errorf("no node %s to render", id)
	}
	u := r.p.units[i]
	var out NodeSQL
	body, stmts, err := r.runtimeBody(ctx, i, wh, false)
	if err != nil {
		return out, err
	}
	out.Statements = stmts
	c := r.cfgs[i].cfg
	if u.kind == kindSnapshot {
		body = strings.TrimSpace(body)
	}
	order := r.ephemeralParents(i)
	var ctes []string
	for _, e := range order {
		eb := r.body[e]
		if r.parse[e].dynamic {
			b, s, err := r.runtimeBody(ctx, e, wh, false)
			if err != nil {
				return out, err
			}
			eb = b
			out.Statements = append(out.Statements, s...)
		}
		ctes = append(ctes, " "+cteName(r.p.units[e].node.Name)+" as (\n"+eb+"\n)")
	}
	out.SQL = injectCTEs(body, ctes)
	if r.parse[i].usedIncr && c.Materialized == "incremental" {
		ib, s, err := r.runtimeBody(ctx, i, wh, true)
		if err != nil {
			return out, err
		}
		out.Statements = append(out.Statements, s...)
		out.IncrementalSQL = injectCTEs(ib, ctes)
	}
	if c.Materialized != "ephemeral" && !r.hooksLater[i] {
		// Pre-hooks only (hooks with Jinja render when they run): post-hooks render after the model is built
		// (RenderPostHooks), as dbt renders them, so a hook that inserts into
		// {{ this }} from a statement block finds the new relation.
		var ds diag.Diagnostics
		var stmts []string
		out.PreHooks, stmts = r.renderHookList(ctx, u, wh, c.PreHook, &ds)
		out.Statements = append(out.Statements, stmts...)
		if len(ds) > 0 {
			return out, ds.Err()
		}
	}
	return out, nil
}

// RenderHooks renders node id's pre-hooks ("pre") or post-hooks ("post")
// against the warehouse when they are about to run (post-hooks after the
// node's relation is built); it returns the hooks to run and the statements
// their rendering ran itself (statement blocks, run_query).
func (r *Parsed) RenderHooks(ctx context.Context, id, which string, wh Warehouse) (hooks, stmts []string, err error) {
	i, ok := r.index[id]
	if !ok {
		return nil, nil, fmt.Errorf("no node %s to render", id)
	}
	src := r.cfgs[i].cfg.PostHook
	if which == "pre" {
		src = r.cfgs[i].cfg.PreHook
	}
	var ds diag.Diagnostics
	hooks, stmts = r.renderHookList(ctx, r.p.units[i], wh, src, &ds)
	if len(ds) > 0 {
		return hooks, stmts, ds.Err()
	}
	return hooks, stmts, nil
}

func (r *Parsed) runtimeBody(ctx context.Context, i int, wh Warehouse, incr bool) (string, []string, error) {
	u := r.p.units[i]
	st := r.finalState(ctx, u, phaseRuntime, wh, incr)
	out, err := r.renderFinal(u, st)
	if err != nil {
		return "", st.statements, r.runtimeErr(u, err)
	}
	return out, st.statements, nil
}

// runtimeErr turns a render error into one error naming file:line.
func (r *Parsed) runtimeErr(u *unit, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	d := r.p.nodeErr(u, err)
	return errors.New(d.Error())
}

// RunResult is one node's outcome as on-run-end hooks see it (`results`).
type RunResult struct {
	UniqueID      string
	Status        string
	Message       string
	ExecutionTime float64
	RowsAffected  *int64
	Failures      *int64
	ThreadID      string
}

// Hook is one rendered run hook, with where it was written.
type Hook struct {
	SQL string
	// Source is the hook as written and its file, for messages.
	Source, File string
	Index        int
}

// RunHooks renders the project's on-run-start or on-run-end hooks (every
// package's, then the root project's) with `execute` true. on-run-end hooks
// see `results` and `schemas`. Hooks that render to nothing are dropped, as
// dbt skips empty hooks.
func (r *Parsed) RunHooks(ctx context.Context, which string, wh Warehouse, results []RunResult, schemas []string) ([]Hook, error) {
	p := r.p
	var order []*pkg
	for _, k := range p.pkgOrder {
		if k != p.root && k.proj != nil {
			order = append(order, k)
		}
	}
	order = append(order, p.root)
	var out []Hook
	for _, k := range order {
		src := k.proj.Config.OnRunStart
		if which == "on-run-end" {
			src = k.proj.Config.OnRunEnd
		}
		file := k.fileName(k.proj.ConfigFile)
		for i, h := range src {
			st := &renderState{ctx: ctx, p: p, r: r, k: k, phase: phaseRuntime, exec: wh != nil, wh: wh}
			if which == "on-run-end" {
				st.runResults = resultsValue(r, results)
				st.extra = map[string]jinja.Value{
					"schemas":          stringsValue(schemas),
					"database_schemas": databaseSchemas(p.o.Target.Database, schemas),
				}
			}
			var ds diag.Diagnostics
			sql, ok := p.renderText(k, file, findLine(configText(k), which), h, st, &ds)
			if !ok {
				return out, ds.Err()
			}
			if strings.TrimSpace(sql) == "" {
				continue
			}
			out = append(out, Hook{SQL: sql, Source: h, File: file, Index: i + 1})
		}
	}
	return out, nil
}

func configText(k *pkg) string {
	if k.proj == nil || k.proj.FS == nil {
		return ""
	}
	b, err := fs.ReadFile(k.proj.FS, k.proj.ConfigFile)
	if err != nil {
		return ""
	}
	return string(b)
}

func stringsValue(s []string) jinja.Value {
	out := make([]jinja.Value, len(s))
	for i, x := range s {
		out[i] = jinja.String(x)
	}
	return jinja.NewList(out)
}

func databaseSchemas(db string, schemas []string) jinja.Value {
	out := make([]jinja.Value, len(schemas))
	for i, s := range schemas {
		out[i] = jinja.NewTuple([]jinja.Value{jinja.String(db), jinja.String(s)})
	}
	return jinja.NewList(out)
}

func resultsValue(r *Parsed, results []RunResult) jinja.Value {
	out := make([]jinja.Value, len(results))
	for i, res := range results {
		m := map[string]any{
			"status": res.Status, "message": res.Message, "execution_time": res.ExecutionTime, "thread_id": res.ThreadID,
			"unique_id": res.UniqueID, "adapter_response": map[string]any{},
		}
		if res.RowsAffected != nil {
			m["adapter_response"] = map[string]any{"rows_affected": *res.RowsAffected}
		}
		if res.Failures != nil {
			m["failures"] = *res.Failures
		} else {
			m["failures"] = nil
		}
		v := jinja.FromGo(m)
		if n, ok := r.Manifest.Nodes[res.UniqueID]; ok {
			v.Dict().SetStr("node", graphNode(n))
		}
		out[i] = v
	}
	return jinja.NewList(out)
}

// materialization finds the macro of a custom materialization for the
// warehouse: `{% materialization name, adapter='x' %}`, then `default`, in
// the root project, the packages, then the global project.
func (p *Program) materialization(name string) (*macroDef, bool) {
	for _, suffix := range []string{p.dialectType(), "default"} {
		for _, k := range p.pkgOrder {
			if d, ok := k.macros["materialization_"+name+"_"+suffix]; ok {
				return d, true
			}
		}
	}
	return nil, false
}

// CustomMaterialization reports whether node id is built by a project's
// {% materialization %} block instead of a built-in materialization.
func (r *Parsed) CustomMaterialization(id string) bool {
	i, ok := r.index[id]
	if !ok || r.p.units[i].kind != kindModel {
		return false
	}
	switch r.cfgs[i].cfg.Materialized {
	case "view", "table", "incremental", "ephemeral":
		return false
	}
	_, ok = r.p.materialization(r.cfgs[i].cfg.Materialized)
	return ok
}

// MaterializationResult is what a custom materialization did.
type MaterializationResult struct {
	// Relations are the relations it returned ({'relations': [...]}).
	Relations []relation.Relation
	// Statements are the SQL its statement blocks ran.
	Statements []string
	// Message is the response of its "main" statement.
	Message string
}

// RunMaterialization runs node id's custom materialization: the macro runs
// with `execute` true, `sql`/`compiled_code` holding the node's SQL, and its
// statement blocks executing against the warehouse.
func (r *Parsed) RunMaterialization(ctx context.Context, id string, wh Warehouse) (MaterializationResult, error) {
	var res MaterializationResult
	i, ok := r.index[id]
	if !ok {
		return res, fmt.Errorf("no node %s", id)
	}
	u := r.p.units[i]
	c := r.cfgs[i].cfg
	def, ok := r.p.materialization(c.Materialized)
	if !ok {
		return res, fmt.Errorf("%s: no materialization %q for %s", u.file, c.Materialized, r.p.dialectType())
	}
	sql, err := r.RenderNode(ctx, id, wh)
	if err != nil {
		return res, err
	}
	st := r.finalState(ctx, u, phaseRuntime, wh, false)
	hooks := func(hs []string) jinja.Value {
		out := make([]jinja.Value, len(hs))
		for i, h := range hs {
			out[i] = jinja.FromGo(map[string]any{"sql": h, "transaction": true, "index": i})
		}
		return jinja.NewList(out)
	}
	st.extra = map[string]jinja.Value{
		"sql":           jinja.String(sql.SQL),
		"compiled_code": jinja.String(sql.SQL),
		"pre_hooks":     hooks(sql.PreHooks),
		"post_hooks":    hooks(sql.PostHooks),
	}
	v, err := r.p.callMacro(st, def, jinja.Args{})
	res.Statements = append(sql.Statements, st.statements...)
	if err != nil {
		return res, r.runtimeErr(u, err)
	}
	if d := v.Dict(); d != nil {
		if rels, ok := d.GetStr("relations"); ok {
			var items []jinja.Value
			if l := rels.List(); l != nil {
				items = l.Items
			}
			for _, x := range items {
				if ro, ok := x.Object().(*relObj); ok {
					res.Relations = append(res.Relations, ro.rel)
				}
			}
		}
	}
	if main, ok := st.results["main"]; ok {
		if resp, ok := main.Dict().GetStr("response"); ok {
			if m, ok := resp.Dict().GetStr("_message"); ok {
				res.Message = m.String()
			}
		}
	}
	if res.Message == "" {
		res.Message = "OK"
	}
	return res, nil
}

// RunOperation calls a macro as `dbt run-operation` does: with `execute`
// true against the warehouse, keyword arguments from --args, outside any
// node. name may be qualified (`package.macro`). It returns what the macro
// printed or returned, and the SQL its statement blocks ran.
func (r *Parsed) RunOperation(ctx context.Context, name string, args map[string]any, wh Warehouse) (string, []string, error) {
	p := r.p
	k := p.root
	macro := name
	if pkgName, m, ok := strings.Cut(name, "."); ok {
		x, found := p.pkgs[pkgName]
		if !found {
			var ue *userError
			errors.As(p.unknownPackage(pkgName, "run-operation "+name), &ue)
			ds := diag.Diagnostics{{Severity: diag.Error, Summary: ue.summary, Detail: ue.detail, Suggestion: ue.suggestion}}
			return "", nil, ds.Err()
		}
		k, macro = x, m
	}
	def, ok := k.macros[macro]
	if !ok && k == p.root {
		def, ok = p.lookupMacro(k, macro)
	}
	if !ok {
		var names []string
		for n := range k.macros {
			names = append(names, n)
		}
		ds := diag.Diagnostics{{Severity: diag.Error, Summary: "unknown macro", Detail: fmt.Sprintf("run-operation: no macro named %q", name), Suggestion: diag.Suggest(macro, names)}}
		return "", nil, ds.Err()
	}
	st := &renderState{ctx: ctx, p: p, r: r, k: k, phase: phaseRuntime, exec: wh != nil, wh: wh}
	keys := make([]string, 0, len(args))
	for key := range args {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var a jinja.Args
	for _, key := range keys {
		a.Kw = append(a.Kw, jinja.KwArg{Name: key, Value: jinja.FromGo(args[key])})
	}
	v, err := p.callMacro(st, def, a)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return "", st.statements, err
		}
		return "", st.statements, errors.New(p.errDiag(def.file, err).Error())
	}
	out := ""
	if !v.IsNone() && !v.IsUndefined() {
		out = strings.TrimSpace(v.String())
	}
	return out, st.statements, nil
}
