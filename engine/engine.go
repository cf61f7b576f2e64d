// Package engine is strata's library façade: open a project, compile it, select
// nodes and execute them. The CLI and the scheduler both drive strata through it,
// so a scheduled run behaves exactly like the command a user types.
//
// A Project is immutable after Open; Compile, Select and Execute may be called
// from several goroutines on one Project (the scheduler does, one run at a time
// per schedule).
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/execute"
	"github.com/strata-dev/strata/engine/graph"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/profile"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/selector"
)

// Version is strata's version, written into artifacts.
const Version = "0.1.0"

// Options say which project and target to open.
type Options struct {
	ProjectDir  string
	ProfilesDir string
	Target      string
	// Vars are --vars, overriding project vars.
	Vars map[string]any
	// Threads overrides the target's threads when > 0.
	Threads int
	// Drivers are the warehouse drivers, one per profile type; main lists them.
	Drivers []adapter.Driver
	// Env looks up environment variables (os.LookupEnv when nil).
	Env func(string) (string, bool)
	// HomeDir is the user's home (for ~/.strata and ~/.dbt); os.UserHomeDir when empty.
	HomeDir string
	// WarnError makes every warning of loading and compiling an error
	// (dbt's --warn-error): the command stops before anything runs.
	WarnError bool
}

// Project is an opened project with its resolved target.
type Project struct {
	Opts        Options
	Files       *project.Project
	Target      adapter.Target
	ProfileInfo profile.Info
	Driver      adapter.Driver
	// Warnings found while loading (shown, not fatal).
	Warnings  diag.Diagnostics
	TargetDir string
}

// Open loads the project files and resolves the profile. It touches no database.
// Problems come back as a *diag.ErrorList (errors.Is(err, diag.ErrInvalidProject)).
func Open(o Options) (*Project, error) {
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	if o.ProjectDir == "" {
		o.ProjectDir = "."
	}
	abs, err := filepath.Abs(o.ProjectDir)
	if err != nil {
		return nil, diag.Invalid("bad project directory", "%v", err)
	}
	o.ProjectDir = abs
	if o.HomeDir == "" {
		o.HomeDir, _ = os.UserHomeDir()
	}
	files, ds := project.Load(abs)
	if o.WarnError {
		ds = ds.AsErrors()
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	p := &Project{Opts: o, Files: files, Warnings: ds.Warnings()}
	vars := mergeVars(files.Config.Vars, o.Vars)
	render := func(v string) (string, error) { return compile.RenderString(v, o.Env, vars) }
	specs := make(map[string]adapter.ProfileSpec, len(o.Drivers))
	for _, d := range o.Drivers {
		specs[d.Type] = d.Profile
	}
	t, info, err := profile.Load(profile.Options{
		Specs:       specs,
		ProfilesDir: o.ProfilesDir,
		ProjectDir:  abs,
		ProjectName: files.Config.Name,
		HomeDir:     o.HomeDir,
		ProfileName: files.Config.Profile,
		TargetName:  o.Target,
		Env:         o.Env,
		Render:      render,
	})
	if err != nil {
		return nil, err
	}
	if o.Threads > 0 {
		t.Threads = o.Threads
	}
	i := slices.IndexFunc(o.Drivers, func(d adapter.Driver) bool { return d.Type == t.Type })
	if i < 0 {
		names := make([]string, 0, len(o.Drivers))
		for _, d := range o.Drivers {
			names = append(names, d.Type)
		}
		sort.Strings(names)
		return nil, diag.Invalid("unsupported adapter type", "profile %q target %q has type %q; strata supports %s", t.Profile, t.Name, t.Type, strings.Join(names, ", "))
	}
	drv := o.Drivers[i]
	p.Target, p.ProfileInfo, p.Driver = t, info, drv
	tp := files.Config.TargetPath
	if tp == "" {
		tp = "target"
	}
	if !filepath.IsAbs(tp) {
		tp = filepath.Join(abs, tp)
	}
	p.TargetDir = tp
	return p, nil
}

// mergeVars overlays command-line vars on project vars (a shallow merge, as dbt).
func mergeVars(projectVars, cli map[string]any) map[string]any {
	out := make(map[string]any, len(projectVars)+len(cli))
	for k, v := range projectVars {
		out[k] = v
	}
	for k, v := range cli {
		out[k] = v
	}
	return out
}

// Connect opens the target's warehouse: the driver's connection wrapped in
// the run's handle (engine/materialize). An unreachable database is reported
// as an error wrapping adapter.ErrUnreachable.
func (p *Project) Connect(ctx context.Context) (*materialize.Warehouse, error) {
	conn, err := p.Driver.Open(ctx, p.Target)
	if err != nil {
		return nil, err
	}
	return materialize.New(conn, p.Driver, p.Target), nil
}

// Compiled is a compiled project: the manifest and its graph.
type Compiled struct {
	Manifest *manifest.Manifest
	DAG      *graph.DAG
	Warnings diag.Diagnostics
}

// CompileOptions tune one compile.
type CompileOptions struct {
	// Adapter lets templates query the warehouse (run_query); nil = parse only.
	Adapter     compile.Warehouse
	FullRefresh bool
	// Extra are files compiled with the project's models (e.g. `show --inline`).
	Extra        []project.File
	InvocationID string
	Log          func(level, msg string)
}

// Compile renders every template and builds the graph. Every template error is
// collected and returned together; nothing is executed.
func (p *Project) Compile(ctx context.Context, o CompileOptions) (*Compiled, error) {
	files := p.Files
	if len(o.Extra) > 0 {
		cp := *files
		cp.Models = append(append([]project.File(nil), files.Models...), o.Extra...)
		files = &cp
	}
	if o.InvocationID == "" {
		o.InvocationID = NewInvocationID()
	}
	m, ds := compile.Compile(ctx, compile.Options{
		Project:      files,
		Target:       p.Target,
		Dialect:      p.Driver.Dialect,
		Adapter:      o.Adapter,
		Vars:         p.Opts.Vars,
		Env:          p.Opts.Env,
		Now:          time.Now(),
		InvocationID: o.InvocationID,
		FullRefresh:  o.FullRefresh,
		Log:          o.Log,
	})
	if p.Opts.WarnError {
		ds = ds.AsErrors()
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	d, gds := graph.Build(m)
	if p.Opts.WarnError {
		gds = gds.AsErrors()
	}
	if gds.HasErrors() {
		return nil, gds.Err()
	}
	m.Metadata.ProjectName = files.Config.Name
	m.Metadata.AdapterType = p.Target.Type
	m.Metadata.StrataVersion = Version
	m.Metadata.InvocationID = o.InvocationID
	m.Metadata.GeneratedAt = time.Now().UTC().Format(time.RFC3339Nano)
	m.Metadata.TargetName = p.Target.Name
	warnings := append(append(diag.Diagnostics{}, ds.Warnings()...), gds.Warnings()...)
	return &Compiled{Manifest: m, DAG: d, Warnings: warnings}, nil
}

// SelectOptions choose nodes.
type SelectOptions struct {
	Select, Exclude []string
	ResourceTypes   []manifest.ResourceType
	// StateDir holds an earlier manifest.json (and run_results.json) for state: and result:.
	StateDir string
}

// Select returns the selected unique_ids and warnings (selectors matching nothing).
func (p *Project) Select(c *Compiled, o SelectOptions) ([]string, []string, error) {
	so := selector.Options{
		Select:        o.Select,
		Exclude:       o.Exclude,
		ResourceTypes: o.ResourceTypes,
		ProjectName:   p.Files.Config.Name,
	}
	if o.StateDir != "" {
		st, err := selector.LoadManifest(filepath.Join(o.StateDir, "manifest.json"))
		if err != nil {
			return nil, nil, diag.Invalid("cannot read --state", "%v; --state must name a folder holding an earlier manifest.json", err)
		}
		so.State = st
		if res, err := selector.LoadResults(filepath.Join(o.StateDir, "run_results.json")); err == nil {
			so.PreviousResults = res
		}
	}
	ids, warns, err := selector.Select(c.Manifest, c.DAG, so)
	if err != nil {
		return nil, nil, diag.Invalid("bad selector", "%v", err)
	}
	return ids, warns, nil
}

// ExecOptions tune one execution.
type ExecOptions struct {
	Command      string
	FullRefresh  bool
	FailFast     bool
	Slots        *semaphore.Weighted
	Observer     result.Observer
	InvocationID string
	Args         map[string]any
	// ResultsPath is where run_results.json goes (default target/run_results.json).
	ResultsPath string
}

// Execute builds the selected nodes and writes run_results.json, also when the
// run was cancelled.
func (p *Project) Execute(ctx context.Context, w *materialize.Warehouse, c *Compiled, ids []string, o ExecOptions) (*result.RunResults, error) {
	rr, err := execute.Execute(ctx, execute.Options{
		Command:      o.Command,
		Manifest:     c.Manifest,
		DAG:          c.DAG,
		Selected:     ids,
		Warehouse:    w,
		ProjectFS:    p.Files.FS,
		TargetDir:    p.TargetDir,
		TargetSchema: p.Target.Schema,
		Threads:      p.Target.Threads,
		FullRefresh:  o.FullRefresh,
		FailFast:     o.FailFast,
		Slots:        o.Slots,
		Observer:     o.Observer,
		InvocationID: o.InvocationID,
		Args:         o.Args,
	})
	if err != nil {
		return nil, err
	}
	rr.Metadata.StrataVersion = Version
	path := o.ResultsPath
	if path == "" {
		path = filepath.Join(p.TargetDir, "run_results.json")
	}
	if werr := artifact.WriteRunResults(path, rr); werr != nil {
		return rr, werr
	}
	return rr, nil
}

// WriteArtifacts writes compiled SQL and manifest.json. Both only read the
// manifest and touch different files, so they are written at the same time.
func (p *Project) WriteArtifacts(c *Compiled, compiled bool) error {
	if !compiled {
		return artifact.WriteManifest(p.TargetDir, c.Manifest)
	}
	compiledErr := make(chan error, 1)
	go func() { compiledErr <- artifact.WriteCompiled(p.TargetDir, c.Manifest) }()
	manifestErr := artifact.WriteManifest(p.TargetDir, c.Manifest)
	if err := <-compiledErr; err != nil {
		return err
	}
	return manifestErr
}

// NewInvocationID returns a random UUID-shaped id.
func NewInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ResourceTypesFor says which node types a command executes.
func ResourceTypesFor(command string) []manifest.ResourceType {
	switch command {
	case "run":
		return []manifest.ResourceType{manifest.Model}
	case "test":
		return []manifest.ResourceType{manifest.Test}
	case "seed":
		return []manifest.ResourceType{manifest.Seed}
	case "snapshot":
		return []manifest.ResourceType{manifest.Snapshot}
	case "build":
		return []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Test}
	case "freshness":
		return []manifest.ResourceType{manifest.Source}
	}
	return nil
}

// Describe renders a short label for messages.
func Describe(t adapter.Target) string {
	return fmt.Sprintf("%s/%s (%s)", t.Profile, t.Name, t.Type)
}
