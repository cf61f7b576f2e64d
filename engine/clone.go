package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/selector"
)

// TableCloner is the optional dialect capability behind zero-copy clones
// (Snowflake's `create or replace table … clone …`). Warehouses without it
// get views over the state's relations, as dbt does.
type TableCloner interface {
	CloneTable(target, source relation.Relation) string
}

// CloneOptions tune Clone.
type CloneOptions struct {
	Common
	// Selection chooses the nodes to clone (models, seeds and snapshots);
	// StateDir is required: it holds the manifest whose relations are cloned.
	Selection
	// Threads overrides the target's threads when > 0.
	Threads int
	// ResultsPath is where run_results.json goes (default target/run_results.json).
	ResultsPath string
}

// Clone is dbt's `clone --state DIR`: each selected model, seed and snapshot
// becomes, in the target, a zero-copy clone of the relation the state's
// manifest recorded for it (where the warehouse can clone tables) or a view
// selecting from it. A relation that already exists is left alone unless
// FullRefresh; an ephemeral model or one the state does not have is a no-op.
// It reports node events and writes run_results.json.
func (p *Project) Clone(ctx context.Context, o CloneOptions) (*result.RunResults, error) {
	if o.StateDir == "" {
		return nil, diag.Invalid("clone needs --state", "clone copies the relations of an earlier run: pass --state DIR holding its manifest.json")
	}
	s := p.newSession(o.Common, "clone")
	defer s.close()
	state, err := selector.LoadManifest(filepath.Join(o.StateDir, "manifest.json"))
	if err != nil {
		return nil, diag.Invalid("cannot read --state", "%v; --state must name a folder holding an earlier manifest.json", err)
	}
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if err := s.parse(ctx); err != nil {
		return nil, err
	}
	ids, err := s.selectNodes(ctx, o.Selection, []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot})
	if err != nil {
		return nil, err
	}
	var nodes []*manifest.Node
	for _, id := range ids {
		n, ok := s.comp.Manifest.Node(id)
		if !ok || n.Config.Materialized == "ephemeral" || n.Relation.Identifier == "" {
			continue
		}
		switch n.ResourceType {
		case manifest.Model, manifest.Seed, manifest.Snapshot:
			nodes = append(nodes, n)
		}
	}
	if err := s.writeArtifacts(false); err != nil {
		return nil, err
	}
	threads := p.Target.Threads
	if o.Threads > 0 {
		threads = o.Threads
	}
	obs := s.c.observer()
	obs.Event(result.Event{Kind: result.Starting, Time: time.Now(), Stats: &result.Stats{Threads: threads, Target: p.Target.Name}})
	start := time.Now()
	obs.Event(result.Event{Kind: result.RunStarted, Time: start, Total: len(nodes)})
	cloner, _ := p.Driver.Dialect.(TableCloner)
	c := &cloneRun{s: s, state: state, cloner: cloner, full: o.FullRefresh, total: len(nodes), schemas: map[string]error{}}
	results := make([]*result.NodeResult, len(nodes))
	sem := make(chan struct{}, max(threads, 1))
	var wg sync.WaitGroup
	var next int
	var mu sync.Mutex
	for i, n := range nodes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			mu.Lock()
			next++
			idx := next
			mu.Unlock()
			results[i] = c.one(ctx, n, idx, strconv.Itoa(i%max(threads, 1)+1))
		}()
	}
	wg.Wait()
	rr := &result.RunResults{
		Metadata: result.Metadata{GeneratedAt: start.UTC().Format(time.RFC3339Nano), InvocationID: s.ticket, StrataVersion: Version},
		Results:  results, ElapsedTime: time.Since(start).Seconds(),
		Args: map[string]any{"which": "clone", "select": o.Select, "exclude": o.Exclude, "state": o.StateDir, "full_refresh": o.FullRefresh, "target": p.Target.Name},
	}
	obs.Event(result.Event{Kind: result.RunFinished, Time: time.Now(), Results: rr, Elapsed: time.Since(start)})
	path := o.ResultsPath
	if path == "" {
		path = filepath.Join(p.TargetDir, "run_results.json")
	}
	if err := artifact.WriteRunResults(path, rr); err != nil {
		return rr, err
	}
	return rr, nil
}

type cloneRun struct {
	s      *session
	state  *manifest.Manifest
	cloner TableCloner
	full   bool
	total  int

	mu      sync.Mutex
	schemas map[string]error
}

func (c *cloneRun) one(ctx context.Context, n *manifest.Node, idx int, thread string) *result.NodeResult {
	obs := c.s.c.observer()
	shown := n.Relation.Schema + "." + n.Relation.Identifier
	ev := result.Event{Index: idx, Total: c.total, UniqueID: n.UniqueID, ResourceType: "clone", Name: shown, RelationName: shown}
	start := time.Now()
	ev.Kind, ev.Time = result.NodeStarted, start
	obs.Event(ev)
	r := &result.NodeResult{UniqueID: n.UniqueID, Node: n, ThreadID: "Thread-" + thread, Status: result.Success}
	msg, stmts, err := c.clone(ctx, n)
	if err != nil {
		r.Status, r.Message = result.Error, err.Error()
	} else {
		// The console shows the short status ("CLONE", "CREATE VIEW", "NO-OP");
		// run_results.json keeps why.
		short, _, _ := strings.Cut(msg, " (")
		r.Message, r.AdapterResponse.Message = msg, short
	}
	r.Statements = stmts
	done := time.Now()
	r.ExecutionTime = done.Sub(start).Seconds()
	r.Timing = []result.Timing{{Name: "execute", StartedAt: start.UTC(), CompletedAt: done.UTC()}}
	ev.Kind, ev.Time, ev.Result = result.NodeFinished, done, r
	obs.Event(ev)
	return r
}

// clone makes n's relation from the state's, saying what it did.
func (c *cloneRun) clone(ctx context.Context, n *manifest.Node) (string, []string, error) {
	wh := c.s.conn
	prev, ok := c.state.Node(n.UniqueID)
	if !ok || prev.Relation.Identifier == "" || prev.Config.Materialized == "ephemeral" {
		return "NO-OP (not in the state manifest)", nil, nil
	}
	if wh.RenderRelation(prev.Relation) == wh.RenderRelation(n.Relation) {
		return "NO-OP (the state's relation is this one)", nil, nil
	}
	existing, err := wh.RelationKind(ctx, n.Relation)
	if err != nil {
		return "", nil, err
	}
	if existing != relation.None && !c.full {
		return "NO-OP (already exists)", nil, nil
	}
	from, err := wh.RelationKind(ctx, prev.Relation)
	if err != nil {
		return "", nil, err
	}
	if from == relation.None {
		return "", nil, fmt.Errorf("the state's relation %s does not exist; build it there first, or leave %s out of the selection", wh.RenderRelation(prev.Relation), n.Name)
	}
	if err := c.schema(ctx, n.Relation); err != nil {
		return "", nil, err
	}
	if from == relation.Table && c.cloner != nil {
		var stmts []string
		if existing != relation.None && existing != relation.Table {
			if err := wh.DropRelation(ctx, n.Relation, existing); err != nil {
				return "", nil, err
			}
		}
		sql := c.cloner.CloneTable(n.Relation, prev.Relation)
		stmts = append(stmts, sql)
		if _, err := wh.Exec(ctx, sql); err != nil {
			return "", stmts, fmt.Errorf("clone %s: %w", wh.RenderRelation(prev.Relation), err)
		}
		return "CLONE", stmts, nil
	}
	res, err := wh.Materialize(ctx, materialize.Request{Relation: n.Relation, Materialized: "view",
		SQL: "select * from " + wh.RenderRelation(prev.Relation), FullRefresh: c.full, Label: n.UniqueID})
	if err != nil {
		return "", res.Statements, err
	}
	return "CREATE VIEW", res.Statements, nil
}

func (c *cloneRun) schema(ctx context.Context, r relation.Relation) error {
	key := r.Database + "." + r.Schema
	c.mu.Lock()
	defer c.mu.Unlock()
	if err, ok := c.schemas[key]; ok {
		return err
	}
	err := c.s.conn.CreateSchema(ctx, r.Database, r.Schema)
	c.schemas[key] = err
	return err
}
