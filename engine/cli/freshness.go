package cli

import (
	"context"
	"path/filepath"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/execute"
	"github.com/strata-dev/strata/engine/result"
)

// runFreshness is `strata source freshness`: it writes target/sources.json and
// exits 1 when any source is past its error_after.
func runFreshness(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	conn, err := p.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	comp, err := p.Compile(ctx, engine.CompileOptions{Adapter: conn, Log: c.logFunc()})
	if err != nil {
		return err
	}
	ids, warns, err := p.Select(comp, engine.SelectOptions{Select: c.f.list("select"), Exclude: c.f.list("exclude"), ResourceTypes: engine.ResourceTypesFor("freshness")})
	if err != nil {
		return err
	}
	if err := c.selectWarnings(warns); err != nil {
		return err
	}
	start := time.Now()
	res := execute.Freshness(ctx, execute.FreshnessOptions{Warehouse: conn, Manifest: comp.Manifest, Selected: ids, Threads: p.Target.Threads, Observer: c.out})
	rr := &result.RunResults{}
	failed := false
	for _, s := range res {
		n := comp.Manifest.Sources[s.UniqueID]
		msg := execute.FreshnessMessage(s)
		rr.Results = append(rr.Results, &result.NodeResult{UniqueID: s.UniqueID, Status: result.Status(s.Status), Message: msg, ExecutionTime: s.ExecutionTime, Node: n})
		if s.Status == string(result.Error) || s.Status == string(result.RuntimeErr) {
			failed = true
		}
	}
	c.out.Event(result.Event{Kind: result.RunFinished, Results: rr, Elapsed: time.Since(start)})
	path := c.f.str("output")
	if path == "" {
		path = filepath.Join(p.TargetDir, "sources.json")
	}
	if err := artifact.WriteSources(path, res, time.Since(start).Seconds()); err != nil {
		return err
	}
	if failed {
		return errFailed
	}
	return nil
}
