package engine

import (
	"context"

	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/execute"
	"github.com/strata-dev/strata/engine/result"
)

// renderer gives the executor compile's execution-time renders, bound to the
// run's warehouse: the glue that keeps execute free of templates and compile
// free of execution.
type renderer struct {
	parsed *compile.Parsed
	wh     compile.Warehouse
}

func (r *renderer) Dynamic(id string) bool { return r.parsed.Dynamic(id) }

func (r *renderer) Render(ctx context.Context, id string) (execute.Rendered, error) {
	n, err := r.parsed.RenderNode(ctx, id, r.wh)
	return execute.Rendered{SQL: n.SQL, IncrementalSQL: n.IncrementalSQL, PreHooks: n.PreHooks, Statements: n.Statements}, err
}

func (r *renderer) HooksAtRun(id string) bool { return r.parsed.HooksAtRun(id) }

func (r *renderer) Hooks(ctx context.Context, id, which string) ([]string, []string, error) {
	return r.parsed.RenderHooks(ctx, id, which, r.wh)
}

func (r *renderer) Custom(id string) bool { return r.parsed.CustomMaterialization(id) }

func (r *renderer) Materialize(ctx context.Context, id string) (execute.CustomResult, error) {
	res, err := r.parsed.RunMaterialization(ctx, id, r.wh)
	return execute.CustomResult{Statements: res.Statements, Message: res.Message}, err
}

func (r *renderer) RunHooks(ctx context.Context, which string, results []*result.NodeResult) ([]execute.Hook, error) {
	rs := make([]compile.RunResult, len(results))
	schemas := map[string]bool{}
	var schemaList []string
	for i, x := range results {
		rs[i] = compile.RunResult{UniqueID: x.UniqueID, Status: string(x.Status), Message: x.Message, ExecutionTime: x.ExecutionTime,
			RowsAffected: x.AdapterResponse.RowsAffected, Failures: x.Failures, ThreadID: x.ThreadID}
		if x.Node != nil && x.Node.Relation.Schema != "" && !schemas[x.Node.Relation.Schema] {
			schemas[x.Node.Relation.Schema] = true
			schemaList = append(schemaList, x.Node.Relation.Schema)
		}
	}
	hooks, err := r.parsed.RunHooks(ctx, which, r.wh, rs, schemaList)
	out := make([]execute.Hook, len(hooks))
	for i, h := range hooks {
		out[i] = execute.Hook{SQL: h.SQL, Source: h.Source, File: h.File, Index: h.Index}
	}
	return out, err
}
