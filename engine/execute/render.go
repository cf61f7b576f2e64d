package execute

import (
	"context"
	"fmt"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/result"
)

// Renderer renders templates while a run goes on, as dbt renders each node
// just before it executes: nodes that introspect the warehouse (their SQL
// depends on what their parents built), custom materializations and the
// project's run hooks. The façade implements it with compile's results, so
// execute needs no template engine of its own. Implementations must be safe
// for concurrent use by the run's workers.
type Renderer interface {
	// Dynamic reports whether node id must render again now.
	Dynamic(id string) bool
	// Render renders node id against the warehouse (its parents are built):
	// its SQL and pre-hooks.
	Render(ctx context.Context, id string) (Rendered, error)
	// HooksAtRun reports whether node id's hooks render when they run.
	HooksAtRun(id string) bool
	// Hooks renders node id's "pre" or "post" hooks now (post-hooks once its
	// relation is built); it returns them and the statements their rendering
	// ran.
	Hooks(ctx context.Context, id, which string) (hooks, statements []string, err error)
	// Custom reports whether node id is built by a project's {% materialization %}.
	Custom(id string) bool
	// Materialize runs node id's custom materialization.
	Materialize(ctx context.Context, id string) (CustomResult, error)
	// RunHooks renders on-run-start or on-run-end; on-run-end sees results.
	RunHooks(ctx context.Context, which string, results []*result.NodeResult) ([]Hook, error)
}

// Rendered is a node's SQL rendered at execution time.
type Rendered struct {
	SQL, IncrementalSQL string
	PreHooks            []string
	// Statements the render itself ran (statement blocks), for target/run.
	Statements []string
}

// CustomResult is what a custom materialization did.
type CustomResult struct {
	Statements []string
	Message    string
}

// Hook is one rendered run hook and where it was written.
type Hook struct {
	SQL, Source, File string
	Index             int
}

// runHooks runs the project's on-run-start or on-run-end hooks. A failing
// hook is an error result of its own (operation.<project>.<project>-<which>-<i>,
// as dbt names them), so the run fails and says which hook and why.
func (x *executor) runHooks(ctx context.Context, which string, results []*result.NodeResult) *result.NodeResult {
	if x.o.Renderer == nil || x.o.Warehouse == nil {
		return nil
	}
	hooks, err := x.o.Renderer.RunHooks(ctx, which, results)
	if err != nil {
		return x.hookFailed(which, 0, "", "", err)
	}
	for _, h := range hooks {
		began := x.o.Now()
		if _, err := x.o.Warehouse.Exec(ctx, h.SQL); err != nil {
			return x.hookFailed(which, h.Index, h.Source, h.File, fmt.Errorf("%s hook %d (%s): %w", which, h.Index, h.Source, err))
		}
		x.emit(result.Event{Kind: result.Info, Message: fmt.Sprintf("%s hook %d of %d ran in %.2fs", which, h.Index, len(hooks), x.o.Now().Sub(began).Seconds())})
	}
	return nil
}

func (x *executor) hookFailed(which string, index int, source, file string, err error) *result.NodeResult {
	project := x.o.Manifest.Metadata.ProjectName
	id := fmt.Sprintf("operation.%s.%s-%s-%d", project, project, which, max(index-1, 0))
	now := x.o.Now()
	r := &result.NodeResult{UniqueID: id, Status: result.Error, Message: err.Error(),
		Timing: []result.Timing{{Name: "execute", StartedAt: now.UTC(), CompletedAt: now.UTC()}},
		Node:   &manifest.Node{UniqueID: id, ResourceType: "operation", Name: which, RawCode: source, OriginalFilePath: file, FilePath: file}}
	x.emit(result.Event{Kind: result.NodeFinished, Time: now, UniqueID: id, ResourceType: "operation", Name: which + " hook", Result: r})
	return r
}
