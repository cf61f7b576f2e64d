package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/result"
)

func relTo(base, p string) string {
	if rel, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func (c *invocation) logFunc() func(level, msg string) {
	return func(level, msg string) {
		if level == "warn" {
			c.out.Event(result.Event{Kind: result.Warning, Message: msg})
			return
		}
		c.out.Event(result.Event{Kind: result.Info, Message: msg})
	}
}

func runParse(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	comp, err := p.Compile(ctx, engine.CompileOptions{Log: c.logFunc()})
	if err != nil {
		return err
	}
	c.out.Diagnostics(comp.Warnings)
	if err := p.WriteArtifacts(comp, false); err != nil {
		return err
	}
	counts := map[manifest.ResourceType]int{}
	comp.Manifest.All(func(n *manifest.Node) { counts[n.ResourceType]++ })
	c.out.Notice("Parsed %d models, %d tests, %d seeds, %d snapshots, %d sources, %d macros; wrote %s",
		counts[manifest.Model], counts[manifest.Test], counts[manifest.Seed], counts[manifest.Snapshot], counts[manifest.Source],
		len(comp.Manifest.Macros), relTo(p.Opts.ProjectDir, filepath.Join(p.TargetDir, "manifest.json")))
	return nil
}

func runCompile(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	var extra []project.File
	inline := c.f.str("inline")
	if inline != "" {
		extra = append(extra, inlineFile(inline))
	}
	conn := newLazy(ctx, p)
	defer conn.Close()
	comp, err := p.Compile(ctx, engine.CompileOptions{Adapter: conn, Extra: extra, Log: c.logFunc()})
	if err != nil {
		return err
	}
	c.out.Diagnostics(comp.Warnings)
	if inline != "" {
		n := comp.Manifest.Nodes["model."+p.Files.Config.Name+"."+inlineName]
		if n == nil {
			return errors.New("the inline query did not compile")
		}
		c.out.Output(strings.TrimSpace(n.CompiledCode) + "\n")
		return nil
	}
	if err := p.WriteArtifacts(comp, true); err != nil {
		return err
	}
	compiled := 0
	for _, n := range comp.Manifest.Nodes {
		if n.Compiled {
			compiled++
		}
	}
	c.out.Notice("Compiled %d nodes into %s", compiled, relTo(p.Opts.ProjectDir, filepath.Join(p.TargetDir, "compiled")))
	return nil
}

const inlineName = "__strata_inline"

func inlineFile(sql string) project.File {
	return project.File{Path: "<inline>", RootDir: "", RelPath: inlineName + ".sql", Name: inlineName, Content: sql}
}

func runList(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	comp, err := p.Compile(ctx, engine.CompileOptions{Log: c.logFunc()})
	if err != nil {
		return err
	}
	types, err := resourceTypes(c.f.list("resource-type"))
	if err != nil {
		return err
	}
	ids, warns, err := p.Select(comp, engine.SelectOptions{Select: c.f.list("select"), Exclude: c.f.list("exclude"), ResourceTypes: types, StateDir: c.f.str("state")})
	if err != nil {
		return err
	}
	if err := c.selectWarnings(warns); err != nil {
		return err
	}
	var b strings.Builder
	for _, id := range ids {
		n, _ := comp.Manifest.Node(id)
		switch c.f.str("output") {
		case "", "name", "selector":
			if n.ResourceType == manifest.Source {
				b.WriteString("source:" + p.Files.Config.Name + "." + n.SourceName + "." + n.Name + "\n")
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
			line, _ := json.Marshal(map[string]any{
				"name": n.Name, "unique_id": n.UniqueID, "resource_type": n.ResourceType, "package_name": n.PackageName,
				"original_file_path": n.OriginalFilePath, "path": n.Path, "tags": tags,
				"depends_on": map[string]any{"nodes": deps}, "config": map[string]any{"materialized": n.Config.Materialized, "enabled": true},
			})
			b.Write(line)
			b.WriteByte('\n')
		default:
			return diag.Invalid("bad flag value", "--output must be name, path, json or selector, got %q", c.f.str("output"))
		}
	}
	c.out.Output(b.String())
	return nil
}

func resourceTypes(names []string) ([]manifest.ResourceType, error) {
	var out []manifest.ResourceType
	for _, group := range names {
		for _, n := range strings.Fields(strings.ReplaceAll(group, ",", " ")) {
			switch manifest.ResourceType(n) {
			case manifest.Model, manifest.Seed, manifest.Test, manifest.Source, manifest.Snapshot, manifest.Analysis:
				out = append(out, manifest.ResourceType(n))
			default:
				return nil, diag.Invalid("bad flag value", "--resource-type %q: expected model, seed, test, source or snapshot", n)
			}
		}
	}
	return out, nil
}

// runExecute is run, test, build, seed and snapshot.
func runExecute(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	return c.execute(ctx, p, c.cmd.name, c.f.list("select"), c.f.list("exclude"), nil)
}

// execute compiles, selects and runs. ids, when non-nil, replaces selection (retry).
func (c *invocation) execute(ctx context.Context, p *engine.Project, command string, sel, excl []string, ids []string) error {
	if c.f.on("defer") && c.f.str("state") == "" {
		return diag.Invalid("--defer needs --state", "--defer resolves refs from an earlier manifest: pass --state DIR holding production's manifest.json")
	}
	conn, err := p.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	invocation := engine.NewInvocationID()
	comp, err := p.Compile(ctx, engine.CompileOptions{Adapter: conn, FullRefresh: c.f.on("full-refresh"), InvocationID: invocation, Log: c.logFunc()})
	if err != nil {
		return err
	}
	c.out.Diagnostics(comp.Warnings)
	if ids == nil {
		types, err := resourceTypes(c.f.list("resource-type"))
		if err != nil {
			return err
		}
		if len(types) == 0 {
			types = engine.ResourceTypesFor(command)
		}
		var warns []string
		ids, warns, err = p.Select(comp, engine.SelectOptions{Select: sel, Exclude: excl, ResourceTypes: types, StateDir: c.f.str("state")})
		if err != nil {
			return err
		}
		if err := c.selectWarnings(warns); err != nil {
			return err
		}
	}
	if c.f.on("defer") {
		deferred, err := p.Defer(ctx, conn, comp, ids, c.f.str("state"), c.f.on("favor-state"))
		if err != nil {
			return err
		}
		for _, d := range deferred {
			c.out.Event(result.Event{Kind: result.Info, Message: fmt.Sprintf("deferring %s to %s (from --state)", d.From, d.To)})
		}
	}
	if err := p.WriteArtifacts(comp, true); err != nil {
		return err
	}
	args := map[string]any{"which": command, "select": sel, "exclude": excl, "full_refresh": c.f.on("full-refresh"),
		"threads": p.Target.Threads, "target": p.Target.Name}
	if v := c.f.str("vars"); v != "" {
		args["vars"] = v
	}
	if st := c.f.str("state"); st != "" {
		args["state"] = st
	}
	rr, err := p.Execute(ctx, conn, comp, ids, engine.ExecOptions{
		Command: command, FullRefresh: c.f.on("full-refresh"), FailFast: c.f.on("fail-fast"),
		Observer: c.out, InvocationID: invocation, Args: args,
	})
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
	path := filepath.Join(p.TargetDir, "run_results.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return diag.Invalid("nothing to retry", "no previous run found at %s: run a command first", relTo(p.Opts.ProjectDir, path))
	}
	var prev struct {
		Args    map[string]any `json:"args"`
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &prev); err != nil {
		return diag.Invalid("nothing to retry", "%s is not a run_results.json: %v", relTo(p.Opts.ProjectDir, path), err)
	}
	command, _ := prev.Args["which"].(string)
	if command == "" {
		command = "build"
	}
	var ids []string
	for _, r := range prev.Results {
		switch result.Status(r.Status) {
		case result.Error, result.Fail, result.Skipped, result.Cancelled, result.RuntimeErr:
			ids = append(ids, r.UniqueID)
		}
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		c.out.Notice("Nothing to retry: every node of the last %s succeeded", command)
		return nil
	}
	if v, ok := prev.Args["vars"].(string); ok && v != "" && !c.f.set["vars"] {
		vars, err := ParseVars(v)
		if err != nil {
			return err
		}
		p.Opts.Vars = vars
		c.f.strs["vars"] = v
	}
	if fr, ok := prev.Args["full_refresh"].(bool); ok && fr && !c.f.set["full-refresh"] {
		c.f.bools["full-refresh"] = true
	}
	c.out.Notice("Retrying %d nodes of the last %s", len(ids), command)
	return c.execute(ctx, p, command, nil, nil, ids)
}
