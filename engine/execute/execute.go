// Package execute builds selected nodes in dependency order on one warehouse:
// models, seeds and snapshots (through engine/materialize), and tests,
// with a bounded number of workers. It decides each node's status, skips the
// descendants of a failed node once (naming the root cause), runs hooks, writes
// the statements each node executed to target/run, and reports progress as
// events to an observer. It never prints.
//
// One Execute call is one run; it is safe to run several concurrently on
// different manifests (the scheduler does) as long as they share no target dir.
package execute

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/graph"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/result"
)

// Options configure one run.
type Options struct {
	// Command is run, build, test, seed or snapshot (for run_results args).
	Command  string
	Manifest *manifest.Manifest
	DAG      *graph.DAG
	// Selected are the unique_ids to execute (sources and ephemeral models are ignored).
	Selected []string
	// Warehouse is the run's handle on the warehouse. It may be nil when
	// every selected node is a unit test run on UnitWarehouse (nothing then
	// needs the target: run hooks do not run either).
	Warehouse *materialize.Warehouse
	// UnitWarehouse, when set, is where unit tests run instead of Warehouse
	// (the embedded DuckDB, with --unit-tests-on duckdb).
	UnitWarehouse *materialize.Warehouse
	// ProjectDir is the root project's folder: seed CSVs are read from
	// ProjectDir/<node.FilePath>.
	ProjectDir string
	// Renderer renders nodes that introspect the warehouse, custom
	// materializations and run hooks at execution time (nil: none).
	Renderer Renderer
	// TargetSchema is the profile's schema (store_failures goes to <schema>_dbt_test__audit).
	TargetSchema string
	// StoreFailures stores every test's failing rows (--store-failures), not
	// only those of tests configured to.
	StoreFailures bool
	// WarnError fails a test that would warn (--warn-error), as dbt does.
	WarnError   bool
	Threads     int
	FullRefresh bool
	FailFast    bool
	// Slots is an optional thread budget shared with other runs (the scheduler's).
	Slots        *semaphore.Weighted
	Observer     result.Observer
	InvocationID string
	Args         map[string]any
	// Now is the clock (tests may fix it).
	Now func() time.Time
}

// Execute runs the selected nodes and returns their results. It returns results
// even when ctx is cancelled: in-flight nodes end cancelled and nodes never
// started end skipped. Only setup problems (nothing to run on) return an error.
func Execute(ctx context.Context, o Options) (*result.RunResults, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Observer == nil {
		o.Observer = result.Discard{}
	}
	if o.Threads < 1 {
		o.Threads = 1
	}
	start := o.Now()
	x := &executor{o: o, schemas: map[string]*schemaOnce{}, columns: map[string][]adapter.Column{}}
	ids := x.executable()
	parents := x.plan(ids)
	x.total = len(ids)

	rr := &result.RunResults{
		Metadata: result.Metadata{GeneratedAt: start.UTC().Format(time.RFC3339Nano), InvocationID: o.InvocationID},
		Args:     o.Args,
	}
	x.emit(result.Event{Kind: result.RunStarted, Total: x.total})

	if hr := x.runHooks(ctx, "on-run-start", nil); hr != nil {
		// A failing on-run-start hook means nothing is built: every node is skipped.
		for _, id := range ids {
			x.record(&result.NodeResult{UniqueID: id, Status: result.Skipped, Message: "skipped: on-run-start hook failed: " + hr.Message, Node: x.node(id)})
		}
		rr.Results = append([]*result.NodeResult{hr}, x.sortedResults(ids)...)
		rr.ElapsedTime = o.Now().Sub(start).Seconds()
		x.emit(result.Event{Kind: result.RunFinished, Results: rr, Elapsed: o.Now().Sub(start), Message: hr.Message})
		return rr, nil
	}

	walkErr := graph.Walk(ctx, parents, graph.WalkOptions{Workers: o.Threads, FailFast: o.FailFast, Slots: o.Slots},
		func(ctx context.Context, id string) graph.Outcome {
			r := x.runNode(ctx, id)
			return graph.Outcome{Status: string(r.Status), Block: r.Status.Blocking()}
		},
		func(id, cause string) {
			r := &result.NodeResult{UniqueID: id, Status: result.Skipped, SkippedBecause: cause, Node: x.node(id)}
			switch {
			case cause != "":
				r.Message = "skipped because " + cause + " did not succeed"
			case ctx.Err() != nil:
				r.Message = "skipped: the run was cancelled before this node started"
			default:
				r.Message = "skipped: --fail-fast stopped the run"
			}
			x.record(r)
			// A skipped node takes its place in the count, as dbt numbers it.
			x.emit(result.Event{Kind: result.NodeFinished, Index: int(x.started.Add(1)), Total: x.total, UniqueID: id, ResourceType: string(r.Node.ResourceType), Name: displayName(r.Node), Materialized: r.Node.Config.Materialized, RelationName: displayRelation(r.Node), Result: r})
		})
	if walkErr != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("walk the graph: %w", walkErr)
	}
	var endHook *result.NodeResult
	if ctx.Err() == nil {
		endHook = x.runHooks(ctx, "on-run-end", x.sortedResults(ids))
	}
	rr.Results = x.sortedResults(ids)
	if endHook != nil {
		rr.Results = append(rr.Results, endHook)
	}
	rr.ElapsedTime = o.Now().Sub(start).Seconds()
	x.emit(result.Event{Kind: result.RunFinished, Results: rr, Elapsed: o.Now().Sub(start)})
	return rr, nil
}

type executor struct {
	o       Options
	total   int
	started atomic.Int64

	mu      sync.Mutex
	results map[string]*result.NodeResult

	schemaMu sync.Mutex
	schemas  map[string]*schemaOnce

	colMu   sync.Mutex
	columns map[string][]adapter.Column
}

type schemaOnce struct {
	once sync.Once
	err  error
}

func (x *executor) emit(e result.Event) {
	if e.Time.IsZero() {
		e.Time = x.o.Now()
	}
	x.o.Observer.Event(e)
}

func (x *executor) node(id string) *manifest.Node {
	n, _ := x.o.Manifest.Node(id)
	return n
}

// executable keeps the selected nodes that do work: no sources, no ephemeral
// models, no disabled nodes.
func (x *executor) executable() []string {
	var ids []string
	for _, id := range x.o.Selected {
		n, ok := x.o.Manifest.Node(id)
		if !ok || n.ResourceType == manifest.Exposure {
			continue
		}
		if n.ResourceType == manifest.Model && n.Config.Materialized == "ephemeral" {
			continue
		}
		if n.ResourceType == manifest.Source || n.ResourceType == manifest.Analysis {
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// plan returns each executable node's parents within the run. In a build, the
// tests of a node also gate that node's children, so bad data is not built on
// (a test is only added where that cannot create a cycle: every node it depends
// on must already be a parent of the child).
func (x *executor) plan(ids []string) map[string][]string {
	sel := make(map[string]bool, len(ids))
	for _, id := range ids {
		sel[id] = true
	}
	parents := x.o.DAG.ExecutionParents(sel)
	// A model waits for its unit tests: one that fails skips the model and
	// everything built on it.
	for _, id := range ids {
		if n := x.node(id); n.ResourceType == manifest.UnitTest && sel[n.AttachedNode] {
			parents[n.AttachedNode] = append(parents[n.AttachedNode], id)
		}
	}
	testsOf := map[string][]string{}
	for _, id := range ids {
		n := x.node(id)
		if n.ResourceType != manifest.Test {
			continue
		}
		for _, p := range parents[id] {
			testsOf[p] = append(testsOf[p], id)
		}
	}
	if len(testsOf) == 0 {
		return parents
	}
	for _, id := range ids {
		n := x.node(id)
		if n.ResourceType == manifest.Test || n.ResourceType == manifest.UnitTest {
			continue
		}
		direct := map[string]bool{}
		for _, p := range parents[id] {
			direct[p] = true
		}
		extra := []string{}
		for _, p := range parents[id] {
			for _, t := range testsOf[p] {
				ok := true
				for _, tp := range parents[t] {
					if !direct[tp] {
						ok = false
						break
					}
				}
				if ok && !direct[t] {
					direct[t] = true
					extra = append(extra, t)
				}
			}
		}
		if len(extra) > 0 {
			parents[id] = append(append([]string(nil), parents[id]...), extra...)
		}
	}
	return parents
}

func (x *executor) record(r *result.NodeResult) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.results == nil {
		x.results = map[string]*result.NodeResult{}
	}
	x.results[r.UniqueID] = r
}

func (x *executor) sortedResults(ids []string) []*result.NodeResult {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]*result.NodeResult, 0, len(ids))
	for _, id := range ids {
		if r, ok := x.results[id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// runNode does one node's work and records its result.
func (x *executor) runNode(ctx context.Context, id string) *result.NodeResult {
	n := x.node(id)
	idx := int(x.started.Add(1))
	x.emit(result.Event{Kind: result.NodeStarted, Index: idx, Total: x.total, UniqueID: id, ResourceType: string(n.ResourceType), Name: displayName(n), Materialized: n.Config.Materialized, RelationName: displayRelation(n)})
	began := x.o.Now()
	r := &result.NodeResult{UniqueID: id, Node: n, ThreadID: "Thread-" + strconv.Itoa(idx%max(1, x.o.Threads)+1), RelationName: n.RelationName, CompiledCode: n.CompiledCode}
	var statements []string
	var err error
	lateHooks := false
	if x.o.Renderer != nil && x.o.Renderer.Dynamic(id) {
		// Its SQL depends on what its parents built: render it now, as dbt does;
		// its post-hooks render once it is built.
		var rd Rendered
		rd, err = x.o.Renderer.Render(ctx, id)
		statements = rd.Statements
		if err == nil {
			c := *n
			c.CompiledCode, c.IncrementalCode, c.PreHooks, c.PostHooks = rd.SQL, rd.IncrementalSQL, rd.PreHooks, nil
			n = &c
			r.CompiledCode = rd.SQL
			lateHooks = true
		}
	} else if x.o.Renderer != nil && x.o.Renderer.HooksAtRun(id) {
		lateHooks = true
	}
	switch {
	case err != nil:
	case n.ResourceType == manifest.Model && x.o.Renderer != nil && x.o.Renderer.Custom(id):
		var st []string
		st, err = x.runCustom(ctx, n, r)
		statements = append(statements, st...)
	case n.ResourceType == manifest.Model:
		var st []string
		st, err = x.runModel(ctx, n, r, lateHooks)
		statements = append(statements, st...)
	case n.ResourceType == manifest.Seed:
		var st []string
		st, err = x.runSeed(ctx, n, r)
		statements = append(statements, st...)
	case n.ResourceType == manifest.Test:
		var st []string
		st, err = x.runTest(ctx, n, r)
		statements = append(statements, st...)
	case n.ResourceType == manifest.UnitTest:
		var st []string
		st, err = x.runUnitTest(ctx, n, r)
		statements = append(statements, st...)
	case n.ResourceType == manifest.Snapshot:
		var st []string
		st, err = x.runSnapshot(ctx, n, r)
		statements = append(statements, st...)
	default:
		err = fmt.Errorf("cannot execute a %s", n.ResourceType)
	}
	r.Statements = statements
	done := x.o.Now()
	r.Timing = []result.Timing{{Name: "execute", StartedAt: began.UTC(), CompletedAt: done.UTC()}}
	r.ExecutionTime = done.Sub(began).Seconds()
	if err != nil {
		r.Status = result.Error
		if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			r.Status = result.Cancelled
		}
		r.Message = err.Error()
	}
	x.record(r)
	x.emit(result.Event{Kind: result.NodeFinished, Index: idx, Total: x.total, UniqueID: id, ResourceType: string(n.ResourceType), Name: displayName(n), Materialized: n.Config.Materialized, RelationName: displayRelation(n), Result: r})
	return r
}

// ensureSchema creates each schema once per run, however many workers need it.
func (x *executor) ensureSchema(ctx context.Context, rel relation.Relation) error {
	key := rel.Database + "\x00" + rel.Schema
	x.schemaMu.Lock()
	s, ok := x.schemas[key]
	if !ok {
		s = &schemaOnce{}
		x.schemas[key] = s
	}
	x.schemaMu.Unlock()
	s.once.Do(func() { s.err = x.o.Warehouse.CreateSchema(ctx, rel.Database, rel.Schema) })
	if s.err != nil {
		return fmt.Errorf("create schema %s: %w", rel.Schema, s.err)
	}
	return nil
}

func (x *executor) runModel(ctx context.Context, n *manifest.Node, r *result.NodeResult, lateHooks bool) ([]string, error) {
	var stmts []string
	if err := x.ensureSchema(ctx, n.Relation); err != nil {
		return stmts, err
	}
	pre := n.PreHooks
	if lateHooks && x.o.Renderer.HooksAtRun(n.UniqueID) {
		hooks, ran, err := x.o.Renderer.Hooks(ctx, n.UniqueID, "pre")
		stmts = append(stmts, ran...)
		if err != nil {
			return stmts, fmt.Errorf("pre-hook: %w", err)
		}
		pre = hooks
	}
	for _, h := range pre {
		stmts = append(stmts, h)
		if _, err := x.o.Warehouse.Exec(ctx, h); err != nil {
			return stmts, fmt.Errorf("pre-hook: %w", err)
		}
	}
	full := x.o.FullRefresh
	if n.Config.FullRefresh != nil {
		full = *n.Config.FullRefresh
	}
	req := materialize.Request{
		Relation:       n.Relation,
		Materialized:   n.Config.Materialized,
		SQL:            n.CompiledCode,
		IncrementalSQL: n.IncrementalCode,
		Strategy:       n.Config.IncrementalStrategy,
		UniqueKey:      n.Config.UniqueKey,
		OnSchemaChange: n.Config.OnSchemaChange,
		FullRefresh:    full,
		Transient:      n.Config.Transient == nil || *n.Config.Transient,
		Label:          n.UniqueID,
		Contract:       contractOf(n),
	}
	res, err := x.o.Warehouse.Materialize(ctx, req)
	stmts = append(stmts, res.Statements...)
	if err != nil {
		return stmts, err
	}
	x.warn(n, res)
	setResponse(r, res)
	if p := n.LatestPointer; p != nil {
		// The latest version's pointer: a view named like the model.
		pres, err := x.o.Warehouse.Materialize(ctx, materialize.Request{Relation: *p, Materialized: "view",
			SQL: "select * from " + x.o.Warehouse.RenderRelation(n.Relation), Label: n.UniqueID})
		stmts = append(stmts, pres.Statements...)
		if err != nil {
			return stmts, fmt.Errorf("latest version pointer %s: %w", p, err)
		}
	}
	post := n.PostHooks
	if lateHooks {
		hooks, ran, err := x.o.Renderer.Hooks(ctx, n.UniqueID, "post")
		stmts = append(stmts, ran...)
		if err != nil {
			return stmts, fmt.Errorf("post-hook: %w", err)
		}
		post = hooks
	}
	for _, h := range post {
		stmts = append(stmts, h)
		if _, err := x.o.Warehouse.Exec(ctx, h); err != nil {
			return stmts, fmt.Errorf("post-hook: %w", err)
		}
	}
	r.Status = result.Success
	return stmts, nil
}

// warn reports what a build did that the user should know.
func (x *executor) warn(n *manifest.Node, res materialize.Result) {
	for _, w := range res.Warnings {
		x.emit(result.Event{Kind: result.Warning, UniqueID: n.UniqueID, Message: n.UniqueID + ": " + w})
	}
}

func setResponse(r *result.NodeResult, res materialize.Result) {
	r.AdapterResponse.Message = res.Message
	if res.RowsAffected >= 0 {
		rows := res.RowsAffected
		r.AdapterResponse.RowsAffected = &rows
	}
	r.Message = res.Message
}

func displayRelation(n *manifest.Node) string {
	if n == nil || n.Relation.Identifier == "" {
		return ""
	}
	if n.Relation.Schema == "" {
		return n.Relation.Identifier
	}
	return n.Relation.Schema + "." + n.Relation.Identifier
}
