// Package engine is strata's library façade and its one pipeline. Open loads
// a project (and its installed packages) and resolves the profile; the verbs —
// Parse, Compile, List, Build (run/test/seed/snapshot/build), Retry,
// Freshness, Show and Catalog — each own a whole sequence (connect, load,
// parse, select, defer, finalize, write artifacts, execute) and report what
// happens as events to an Observer. The CLI and the scheduler are its two
// clients: they only map flags and schedule entries onto these options, so a
// scheduled run behaves exactly like the command a user types.
//
// A Project is immutable after Open; verbs may be called from several
// goroutines on one Project (the scheduler does, one run at a time per
// schedule).
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

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/deps"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/profile"
	"github.com/strata-dev/strata/engine/project"
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
	// WarnErrorOptions names the warnings that are errors (and those that
	// are silenced): dbt's --warn-error-options.
	WarnErrorOptions WarnErrorOptions
	// Profile replaces the project's profile name (--profile).
	Profile string
	// TargetPath replaces the project's target-path (--target-path), relative
	// to the project folder.
	TargetPath string
	// BeforeRender, when set, is told how many of the project's nodes the
	// parse pass must render (not found in the partial-parse cache) out of
	// all, before it renders any.
	BeforeRender func(renders, total int)
}

// Project is an opened project with its resolved target.
type Project struct {
	Opts  Options
	Files *project.Project
	// Packages are the installed packages (packages-install-path), each a project.
	Packages    []*project.Project
	Target      adapter.Target
	ProfileInfo profile.Info
	Driver      adapter.Driver
	// Warnings found while loading (shown, not fatal).
	Warnings  diag.Diagnostics
	TargetDir string
}

// Open loads the project files and its installed packages, and resolves the
// profile. It touches no database. Problems come back as a *diag.ErrorList
// (errors.Is(err, diag.ErrInvalidProject)).
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
	files, ds := project.LoadWith(abs, project.LoadOptions{FileIndex: partialParsing(o.Env), TargetPath: o.TargetPath})
	pkgs, pds := loadPackages(files)
	ds = append(ds, pds...)
	ds = append(ds, checkDbtVersion(files, abs)...)
	for _, pk := range pkgs {
		ds = append(ds, checkDbtVersion(pk, abs)...)
	}
	ds = o.promote(ds)
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	p := &Project{Opts: o, Files: files, Packages: pkgs, Warnings: ds.Warnings()}
	profileName := files.Config.Profile
	if o.Profile != "" {
		profileName = o.Profile
	}
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
		ProfileName: profileName,
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
	p.TargetDir = files.TargetDir(o.TargetPath)
	return p, nil
}

// loadPackages loads every package installed under the root project's
// packages-install-path, as dbt does: each folder holding a dbt_project.yml
// (or project.yaml) is a package. Problems are positioned in the package's
// files, named from the root project.
func loadPackages(root *project.Project) ([]*project.Project, diag.Diagnostics) {
	dir := root.Config.PackagesInstallPath
	if dir == "" {
		dir = "dbt_packages"
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root.Root, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil
	}
	var out []*project.Project
	var ds diag.Diagnostics
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue // strata deps' bookkeeping and staging folders
		}
		pdir := filepath.Join(dir, e.Name())
		if st, err := os.Stat(pdir); err != nil || !st.IsDir() {
			continue
		}
		if !hasProjectFile(pdir) {
			continue
		}
		p, pds := project.Load(pdir)
		prefix := relTo(root.Root, pdir) + "/"
		for _, d := range pds {
			if d.Severity != diag.Error {
				// A package's settings strata does not use are the package's business.
				continue
			}
			if d.File != "" {
				d.File = prefix + d.File
			}
			ds = append(ds, d)
		}
		out = append(out, p)
	}
	return out, ds
}

// checkDbtVersion warns when a project's require-dbt-version excludes the
// dbt version strata implements, as dbt checks it before running.
func checkDbtVersion(p *project.Project, root string) diag.Diagnostics {
	if len(p.Config.RequireDbtVersion) == 0 {
		return nil
	}
	file := relTo(root, filepath.Join(p.Root, p.ConfigFile))
	r, err := deps.ParseRange(p.Config.RequireDbtVersion)
	if err != nil {
		return diag.Diagnostics{{Severity: diag.Warning, File: file, Summary: "bad require-dbt-version", Detail: err.Error()}}
	}
	v, _ := deps.ParseVersion(compile.DBTVersion)
	if r.Allows(v) {
		return nil
	}
	return diag.Diagnostics{{Severity: diag.Warning, File: file, Summary: "dbt version",
		Detail: fmt.Sprintf("%s requires dbt %s; strata implements dbt %s's behaviour, so parts of it may not work", p.Config.Name, r, compile.DBTVersion)}}
}

func hasProjectFile(dir string) bool {
	for _, f := range []string{project.ConfigFileDBT, project.ConfigFileStrata} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

func relTo(base, p string) string {
	if rel, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
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
		return []manifest.ResourceType{manifest.Test, manifest.UnitTest}
	case "seed":
		return []manifest.ResourceType{manifest.Seed}
	case "snapshot":
		return []manifest.ResourceType{manifest.Snapshot}
	case "build":
		return []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Test, manifest.UnitTest}
	case "freshness":
		return []manifest.ResourceType{manifest.Source}
	}
	return nil
}

// Describe renders a short label for messages.
func Describe(t adapter.Target) string {
	return fmt.Sprintf("%s/%s (%s)", t.Profile, t.Name, t.Type)
}
