package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/docs"
	"github.com/strata-dev/strata/engine/execute"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/result"
)

// RetryPlan is what the last run left to do: its command, arguments and the
// nodes that errored, failed, were cancelled or skipped.
type RetryPlan struct {
	Command     string
	IDs         []string
	Vars        string // the last run's --vars, as written
	FullRefresh bool
}

// PlanRetry reads target/run_results.json.
func (p *Project) PlanRetry() (*RetryPlan, error) {
	path := filepath.Join(p.TargetDir, "run_results.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.Invalid("nothing to retry", "no previous run found at %s: run a command first", relTo(p.Opts.ProjectDir, path))
	}
	var prev struct {
		Args    map[string]any `json:"args"`
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &prev); err != nil {
		return nil, diag.Invalid("nothing to retry", "%s is not a run_results.json: %v", relTo(p.Opts.ProjectDir, path), err)
	}
	plan := &RetryPlan{IDs: []string{}}
	plan.Command, _ = prev.Args["which"].(string)
	if plan.Command == "" {
		plan.Command = "build"
	}
	for _, r := range prev.Results {
		if strings.HasPrefix(r.UniqueID, "operation.") {
			continue // run hooks run again with the command anyway
		}
		switch result.Status(r.Status) {
		case result.Error, result.Fail, result.Skipped, result.Cancelled, result.RuntimeErr:
			plan.IDs = append(plan.IDs, r.UniqueID)
		}
	}
	sort.Strings(plan.IDs)
	plan.Vars, _ = prev.Args["vars"].(string)
	plan.FullRefresh, _ = prev.Args["full_refresh"].(bool)
	return plan, nil
}

// FreshnessOptions tune Freshness.
type FreshnessOptions struct {
	Common
	Selection
	// OutputPath is where sources.json goes (default target/sources.json).
	OutputPath string
}

// FreshnessResult is what Freshness found.
type FreshnessResult struct {
	Sources []*execute.SourceFreshness
	Results *result.RunResults
	Failed  bool
	Path    string
}

// Freshness checks the selected sources' newest rows against their rules,
// writes sources.json and reports each source as a node event.
func (p *Project) Freshness(ctx context.Context, o FreshnessOptions) (*FreshnessResult, error) {
	s := p.newSession(o.Common, "freshness")
	defer s.close()
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if err := s.parse(ctx); err != nil {
		return nil, err
	}
	ids, err := s.selectNodes(ctx, o.Selection, ResourceTypesFor("freshness"))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	obs := s.c.observer()
	obs.Event(result.Event{Kind: result.Starting, Time: start, Stats: &result.Stats{Threads: p.Target.Threads, Target: p.Target.Name}})
	res := execute.Freshness(ctx, execute.FreshnessOptions{Warehouse: s.conn, Manifest: s.comp.Manifest, Selected: ids, Threads: p.Target.Threads, Observer: obs})
	out := &FreshnessResult{Sources: res, Results: &result.RunResults{}}
	for _, f := range res {
		n := s.comp.Manifest.Sources[f.UniqueID]
		out.Results.Results = append(out.Results.Results, &result.NodeResult{UniqueID: f.UniqueID, Status: result.Status(f.Status), Message: execute.FreshnessMessage(f), ExecutionTime: f.ExecutionTime, Node: n})
		if f.Status == string(result.Error) || f.Status == string(result.RuntimeErr) {
			out.Failed = true
		}
	}
	obs.Event(result.Event{Kind: result.RunFinished, Time: time.Now(), Results: out.Results, Elapsed: time.Since(start)})
	out.Path = o.OutputPath
	if out.Path == "" {
		out.Path = filepath.Join(p.TargetDir, "sources.json")
	}
	if err := artifact.WriteSources(out.Path, res, time.Since(start).Seconds()); err != nil {
		return out, err
	}
	return out, nil
}

// ShowOptions tune Show.
type ShowOptions struct {
	Common
	Selection
	// Inline is a query to run (Jinja allowed); else Select names one node.
	Inline string
	// Limit caps the rows (< 0: all).
	Limit int
}

// ShowResult is Show's rows and the node they came from.
type ShowResult struct {
	Table *adapter.Table
	Node  *manifest.Node
}

// Show runs an inline query or a node's compiled SELECT and returns its
// rows (as dbt show does: the query runs; the model's table is not read).
func (p *Project) Show(ctx context.Context, o ShowOptions) (*ShowResult, error) {
	s := p.newSession(o.Common, "show")
	defer s.close()
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if o.Inline != "" {
		if err := s.parse(ctx, InlineFile(o.Inline)); err != nil {
			return nil, err
		}
	} else if err := s.parse(ctx); err != nil {
		return nil, err
	}
	var id string
	if o.Inline != "" {
		id = inlineID(p)
	} else {
		ids, err := s.selectNodes(ctx, o.Selection, []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot})
		if err != nil {
			return nil, err
		}
		if len(ids) != 1 {
			return nil, diag.Invalid("show needs one node", "-s %s selects %d nodes; name exactly one model", strings.Join(o.Select, " "), len(ids))
		}
		id = ids[0]
	}
	if err := s.finalize(ctx, []string{id}, nil, s.conn); err != nil {
		return nil, err
	}
	n := s.comp.Manifest.Nodes[id]
	if n == nil || !n.Compiled && n.ResourceType != manifest.Seed {
		return nil, fmt.Errorf("nothing to show")
	}
	sql := strings.TrimRight(strings.TrimSpace(n.CompiledCode), ";")
	if n.ResourceType == manifest.Seed {
		sql = "select * from " + n.RelationName
	}
	q := sql
	if o.Limit >= 0 {
		q = fmt.Sprintf("select * from (\n%s\n) strata_show limit %d", sql, o.Limit)
	}
	t, err := s.conn.Query(ctx, q, 0)
	if err != nil {
		where := "the inline query"
		if o.Inline == "" {
			where = fmt.Sprintf("model %s (%s)", n.Name, n.OriginalFilePath)
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &ShowResult{Table: t, Node: n}, nil
}

// CatalogOptions tune Catalog (docs generate).
type CatalogOptions struct {
	Common
	Selection
	// Empty writes an empty catalog without querying the warehouse.
	Empty bool
	// NoLineage skips column lineage (target/lineage.json and the site's
	// column lineage).
	NoLineage bool
}

// CatalogResult is what Catalog wrote.
type CatalogResult struct {
	Catalog     *docs.Catalog
	CatalogPath string
	IndexPath   string
	Elapsed     time.Duration
	// LineagePath is target/lineage.json ("" with NoLineage); LineageColumns
	// counts the columns traced, LineageIncomplete the nodes whose lineage
	// is missing or partial (each says why in lineage.json).
	LineagePath       string
	LineageColumns    int
	LineageIncomplete int
}

// Catalog is docs generate: compile, write manifest.json, read the catalog
// (one query per schema) into catalog.json and render index.html. Schemas
// that cannot be read are in Catalog.Errors; everything else is written.
func (p *Project) Catalog(ctx context.Context, o CatalogOptions) (*CatalogResult, error) {
	s := p.newSession(o.Common, "generate")
	defer s.close()
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if err := s.parse(ctx); err != nil {
		return nil, err
	}
	if err := s.finalize(ctx, nil, nil, s.conn); err != nil {
		return nil, err
	}
	if err := s.writeArtifacts(true); err != nil {
		return nil, err
	}
	var only []string
	if len(o.Select) > 0 || len(o.Exclude) > 0 || o.StateDir != "" || len(o.ResourceTypes) > 0 {
		ids, err := s.selectNodes(ctx, o.Selection, []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Source})
		if err != nil {
			return nil, err
		}
		only = append([]string{}, ids...)
	}
	if o.Empty {
		only = []string{}
	}
	start := time.Now()
	cat, err := docs.BuildCatalog(ctx, docs.CatalogOptions{
		Warehouse: s.conn, Manifest: s.comp.Manifest, Only: only, Threads: p.Target.Threads,
		InvocationID: s.ticket, Version: Version,
	})
	if err != nil {
		return nil, err
	}
	res := &CatalogResult{Catalog: cat, CatalogPath: filepath.Join(p.TargetDir, docs.CatalogFile), IndexPath: filepath.Join(p.TargetDir, docs.IndexFile), Elapsed: time.Since(start)}
	if err := docs.WriteCatalog(p.TargetDir, cat); err != nil {
		return nil, err
	}
	site := docs.SiteOptions{Manifest: s.comp.Manifest, Catalog: cat}
	if !o.NoLineage {
		l, err := s.columnLineage(ctx, cat)
		if err != nil {
			return nil, err
		}
		if err := docs.WriteLineage(p.TargetDir, l); err != nil {
			return nil, err
		}
		site.Lineage = l
		res.LineagePath = filepath.Join(p.TargetDir, docs.LineageFile)
		for _, n := range l.Nodes {
			res.LineageColumns += len(n.Columns)
			if n.Error != "" {
				res.LineageIncomplete++
			}
		}
	}
	if err := docs.WriteSite(p.TargetDir, site); err != nil {
		return nil, err
	}
	return res, nil
}

// RunOperationOptions tune RunOperation.
type RunOperationOptions struct {
	Common
	// Macro is the macro to call (`package.macro` for a package's).
	Macro string
	// Args are its keyword arguments (--args, a YAML mapping).
	Args map[string]any
}

// RunOperationResult is what the macro did.
type RunOperationResult struct {
	// Output is what the macro printed or returned (trimmed).
	Output string
	// Statements are the SQL its statement blocks ran.
	Statements []string
}

// RunOperation is `run-operation`: call a macro with `execute` true against
// the warehouse (dbt's way to run maintenance SQL, grants or one-off loads).
func (p *Project) RunOperation(ctx context.Context, o RunOperationOptions) (*RunOperationResult, error) {
	s := p.newSession(o.Common, "run-operation")
	defer s.close()
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	if err := s.parse(ctx); err != nil {
		return nil, err
	}
	out, stmts, err := s.comp.parsed.RunOperation(ctx, o.Macro, o.Args, s.conn)
	return &RunOperationResult{Output: out, Statements: stmts}, err
}
