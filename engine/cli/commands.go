package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
)

func relTo(base, p string) string {
	if rel, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// common maps the flags every verb shares onto the façade's options.
func (c *invocation) common() engine.Common {
	return engine.Common{Observer: c.out, InvocationID: c.id, FullRefresh: c.f.on("full-refresh"),
		Empty: c.f.on("empty"), StoreFailures: c.f.on("store-failures")}
}

// selection maps -s, --exclude, --selector, --resource-type,
// --exclude-resource-type, --indirect-selection and --state.
func (c *invocation) selection() (engine.Selection, error) {
	types, err := resourceTypes("resource-type", c.f.list("resource-type"))
	if err != nil {
		return engine.Selection{}, err
	}
	excluded, err := resourceTypes("exclude-resource-type", c.f.list("exclude-resource-type"))
	if err != nil {
		return engine.Selection{}, err
	}
	mode := strings.ToLower(c.f.str("indirect-selection"))
	switch mode {
	case "", "eager", "cautious", "buildable", "empty":
	default:
		return engine.Selection{}, diag.Invalid("bad flag value", "--indirect-selection must be eager, cautious, buildable or empty, got %q", mode)
	}
	state := c.f.str("state")
	if state != "" && !filepath.IsAbs(state) {
		state = filepath.Join(c.workDir(), state)
	}
	return engine.Selection{Select: c.f.list("select"), Exclude: c.f.list("exclude"), Selector: c.f.str("selector"),
		ResourceTypes: types, ExcludeResourceTypes: excluded, IndirectSelection: mode, StateDir: state}, nil
}

func runParse(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	res, err := p.Parse(ctx, c.common())
	if err != nil {
		return err
	}
	counts := map[manifest.ResourceType]int{}
	res.Manifest.All(func(n *manifest.Node) { counts[n.ResourceType]++ })
	c.out.Notice("Parsed %d models, %d tests, %d seeds, %d snapshots, %d sources, %d macros; wrote %s",
		counts[manifest.Model], counts[manifest.Test], counts[manifest.Seed], counts[manifest.Snapshot], counts[manifest.Source],
		len(res.Manifest.Macros), relTo(p.Opts.ProjectDir, res.ManifestPath))
	return nil
}

func runCompile(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	res, err := p.Compile(ctx, engine.CompileOptions{Common: c.common(), Selection: sel, Inline: c.f.str("inline")})
	if err != nil {
		return err
	}
	if res.InlineSQL != "" {
		c.out.Output(res.InlineSQL + "\n")
		return nil
	}
	if len(res.Selected) == 1 {
		// One node selected: print its SQL, as dbt compile does.
		if n := res.Manifest.Nodes[res.Selected[0]]; n != nil && n.Compiled {
			c.out.Notice("Compiled node '%s' is:", n.Name)
			c.out.Output(strings.TrimSpace(n.CompiledCode) + "\n")
		}
	}
	c.out.Notice("Compiled %d nodes into %s", res.Compiled, relTo(p.Opts.ProjectDir, res.Dir))
	return nil
}

func runList(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	switch c.f.str("output") {
	case "", "name", "selector", "path", "json":
	default:
		return diag.Invalid("bad flag value", "--output must be name, path, json or selector, got %q", c.f.str("output"))
	}
	nodes, err := p.List(ctx, c.common(), sel)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, n := range nodes {
		switch c.f.str("output") {
		case "name":
			// dbt's search name: the node's name; a source's source.table.
			if n.ResourceType == manifest.Source {
				b.WriteString(n.SourceName + "." + n.Name + "\n")
			} else {
				b.WriteString(n.Name + "\n")
			}
		case "", "selector":
			if n.ResourceType == manifest.Source {
				b.WriteString("source:" + n.PackageName + "." + n.SourceName + "." + n.Name + "\n")
			} else {
				b.WriteString(strings.Join(n.FQN, ".") + "\n")
			}
		case "path":
			b.WriteString(n.OriginalFilePath + "\n")
		case "json":
			deps := n.DependsOn.Nodes
			if deps == nil {
				deps = []string{}
			}
			tags := n.Tags
			if tags == nil {
				tags = []string{}
			}
			obj := map[string]any{
				"name": n.Name, "unique_id": n.UniqueID, "resource_type": n.ResourceType, "package_name": n.PackageName,
				"original_file_path": n.OriginalFilePath, "path": n.Path, "tags": tags, "fqn": n.FQN,
				"alias": n.Alias, "database": n.Database, "schema": n.Schema, "relation_name": n.RelationName,
				"depends_on": map[string]any{"nodes": deps}, "config": map[string]any{"materialized": n.Config.Materialized, "enabled": true},
			}
			if keys := c.f.list("output-keys"); len(keys) > 0 {
				picked := map[string]any{}
				for _, group := range keys {
					for _, k := range strings.Split(group, ",") {
						k = strings.TrimSpace(k)
						if _, ok := obj[k]; !ok {
							return diag.Invalid("bad flag value", "--output-keys %q: ls prints %s", k, strings.Join(sortedKeys(obj), ", "))
						}
						picked[k] = obj[k]
					}
				}
				obj = picked
			}
			line, _ := json.Marshal(obj)
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	c.out.Output(b.String())
	return nil
}

// runExecute is run, test, build, seed and snapshot.
func runExecute(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	return c.build(ctx, p, c.cmd.name, nil)
}

// build runs one executing command through the façade. ids, when non-nil,
// replaces selection (retry).
func (c *invocation) build(ctx context.Context, p *engine.Project, command string, ids []string) error {
	sel, err := c.selection()
	if err != nil {
		return err
	}
	o := engine.RunOptions{
		Common: c.common(), Selection: sel, Command: command, IDs: ids,
		Defer: c.f.on("defer"), FavorState: c.f.on("favor-state"), FailFast: c.f.on("fail-fast"),
		UnitTestsOn: c.f.str("unit-tests-on"),
	}
	o.Args = map[string]any{}
	if v := c.f.str("vars"); v != "" {
		o.Args["vars"] = v
	}
	if st := c.f.str("state"); st != "" {
		o.Args["state"] = st
	}
	if o.Empty {
		o.Args["empty"] = true
	}
	rr, err := p.Build(ctx, o)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		c.out.Error(fmt.Errorf("cancelled: in-flight queries were stopped; results are in %s", relTo(p.Opts.ProjectDir, filepath.Join(p.TargetDir, "run_results.json"))))
		return errFailed
	}
	if rr.Failed() {
		return errFailed
	}
	return nil
}

// runRetry re-runs the nodes that errored, failed, were cancelled or skipped in
// the last run, with that run's command and flags.
func runRetry(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	plan, err := p.PlanRetry()
	if err != nil {
		return err
	}
	if len(plan.IDs) == 0 {
		c.out.Notice("Nothing to retry: every node of the last %s succeeded", plan.Command)
		return nil
	}
	if plan.Vars != "" && !c.f.set["vars"] {
		vars, err := ParseVars(plan.Vars)
		if err != nil {
			return err
		}
		p.Opts.Vars = vars
		c.f.put("vars", plan.Vars)
	}
	if plan.FullRefresh && !c.f.set["full-refresh"] {
		c.f.put("full-refresh", "true")
	}
	c.out.Notice("Retrying %d nodes of the last %s", len(plan.IDs), plan.Command)
	return c.build(ctx, p, plan.Command, plan.IDs)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runClone is `strata clone --state DIR [-s …]`.
func runClone(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	rr, err := p.Clone(ctx, engine.CloneOptions{Common: c.common(), Selection: sel, Threads: c.f.num("threads")})
	if err != nil {
		return err
	}
	if ctx.Err() != nil || rr.Failed() {
		return errFailed
	}
	return nil
}
