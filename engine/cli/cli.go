// Package cli implements strata's commands: the command line (on
// spf13/cobra and pflag: global flags before or after the command, every
// dbt-bound flag also from its STRATA_… and DBT_… environment variable, shell
// completion), wiring the engine façade to the view, and exit codes (decided
// in one place, exitCode). main calls Main; everything is testable in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/view"
)

// Exit codes, as DESIGN.md documents them.
const (
	ExitOK      = 0 // everything passed
	ExitFailure = 1 // a model, test or freshness check failed (or the run was cancelled)
	ExitInvalid = 2 // the project, profile or command line is invalid: nothing was run
)

// Env is what Main needs from the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Drivers are the warehouse drivers, one per profile type; main lists them.
	Drivers []adapter.Driver
	// DriverModules names the Go module of each driver (by profile type),
	// for --version and "Registered adapter" lines.
	DriverModules map[string]string
	// Getenv looks up environment variables (os.LookupEnv when nil).
	Getenv func(string) (string, bool)
	// HomeDir overrides the user's home folder (tests).
	HomeDir string
	// WorkDir is the working directory the project is looked for from
	// (os.Getwd when empty).
	WorkDir string
	// Interactive says Stdin is a person at a terminal (init asks questions);
	// when false, Main checks whether Stdin is a terminal itself.
	Interactive bool
	// SetMemoryLimit, when set, receives a soft memory limit sized to the
	// project when its parse must render most nodes (main passes
	// debug.SetMemoryLimit unless GOMEMLIMIT is set; tests leave it nil).
	SetMemoryLimit func(int64) int64
	// SetGCPercent, when set, lets a warm parse-only command on a large
	// project collect only near its memory limit (main passes
	// debug.SetGCPercent unless GOGC is set; tests leave it nil).
	SetGCPercent func(int) int
}

// errFailed marks a command whose nodes failed: exit 1, already reported.
var errFailed = errors.New("some nodes failed")

type command struct {
	name    string
	aliases []string
	summary string
	long    string // more help, printed by --help
	flags   []flagDef
	// args are the words the command takes after its name (for help and
	// completion); none means it takes no positional arguments.
	args []string
	// anyArgs lets the command check its positional arguments itself.
	anyArgs bool
	// data marks a command whose stdout is data (ls, show, compile): its run
	// log goes to stderr.
	data bool
	// noLog: the command writes no log file (init, clean, completion).
	noLog bool
	run   func(ctx context.Context, c *invocation) error
}

// invocation is one command being run.
type invocation struct {
	env   Env
	f     *flags
	out   *view.Printer
	cmd   *command
	extra []string // sub-command words (source freshness, docs generate)
	log   *logFile
	// args is the command line as given (for the log file).
	args []string
	// id is the invocation id: JSON log lines, the log file and artifacts.
	id string
	// headed: "Running with strata=…" was printed.
	headed bool
}

func commands() []*command {
	base := defs(selectFlags, runFlags)
	build := defs(base, buildFlags)
	return []*command{
		{name: "parse", summary: "read the project and write target/manifest.json", run: runParse},
		{name: "compile", summary: "render templates into target/compiled; -s one node or --inline prints its SQL", data: true, flags: defs(selectFlags, buildFlags, []flagDef{{names: []string{"inline"}, kind: stringFlag, help: "compile this SQL and print it"}}), run: runCompile},
		{name: "ls", aliases: []string{"list"}, summary: "list selected nodes", data: true, flags: defs(selectFlags, []flagDef{
			{names: []string{"output", "o"}, kind: stringFlag, help: "name, path, json or selector"},
			{names: []string{"output-keys"}, kind: listFlag, help: "with --output json: the keys to print (name, resource_type, …)"},
		}), run: runList},
		{name: "run", summary: "build selected models", flags: build, run: runExecute},
		{name: "test", summary: "run selected data tests", flags: base, run: runExecute},
		{name: "build", summary: "seed, run, snapshot and test in one DAG pass", flags: build, run: runExecute},
		{name: "seed", summary: "load seed CSVs into tables", flags: base, run: runExecute},
		{name: "snapshot", summary: "record type-2 history of snapshot queries", flags: base, run: runExecute},
		{name: "clone", summary: "clone the relations of --state's manifest into the target (zero-copy where the warehouse can, else views)", flags: defs(selectFlags, runFlags), run: runClone},
		{name: "show", summary: "print rows of a model or an inline query", data: true, flags: defs(selectFlags, []flagDef{
			{names: []string{"inline"}, kind: stringFlag, help: "SQL to run (Jinja allowed)"},
			{names: []string{"limit"}, kind: intFlag, help: "rows to print (default 5; -1 = all)"},
			{names: []string{"output", "o"}, kind: stringFlag, help: "table, json or csv"},
		}), run: runShow},
		{name: "run-operation", summary: "call a macro against the warehouse", args: []string{"MACRO"}, anyArgs: true, data: true, flags: []flagDef{
			{names: []string{"args"}, kind: stringFlag, help: "the macro's keyword arguments, a YAML mapping: '{table: orders}'"},
		}, run: runOperation},
		{name: "retry", summary: "re-run what errored or was skipped in the last run", flags: runFlags, run: runRetry},
		{name: "source", summary: "source freshness: check sources' newest rows", args: []string{"freshness"}, anyArgs: true, flags: defs(selectFlags, []flagDef{{names: []string{"output", "o"}, kind: stringFlag, help: "where to write sources.json"}}), run: runSource},
		{name: "docs", summary: "docs generate | docs serve", args: []string{"generate", "serve"}, anyArgs: true, flags: docsFlags(), run: runDocs},
		{name: "schedule", summary: "run the project's schedules (long-running); trigger | pause | resume | rerun talk to it", args: []string{"trigger", "pause", "resume", "rerun"}, anyArgs: true, flags: scheduleFlags(), run: runSchedule},
		{name: "deps", summary: "install the packages in packages.yml into dbt_packages/", long: depsHelp, flags: depsFlags(), run: runDeps},
		{name: "debug", summary: "show the config found and check the connection", run: runDebug},
		{name: "clean", summary: "delete target/ and the project's clean-targets (never a DuckDB database)", noLog: true, run: runClean},
		{name: "init", summary: "scaffold a new project and its profile (asks on a terminal, else takes flags)", long: initHelp, args: []string{"NAME"}, anyArgs: true, noLog: true, flags: initFlags(), run: runInit},
	}
}

// Main runs strata with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	r := newRoot(ctx, env)
	return r.execute(args)
}

// exitCode reports err and maps it to an exit code: the one place that decides.
func (c *invocation) exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errFailed) {
		return ExitFailure
	}
	var dl *diag.ErrorList
	if errors.As(err, &dl) {
		c.out.Diagnostics(dl.Diags)
		return ExitInvalid
	}
	c.out.Error(err)
	if errors.Is(err, adapter.ErrUnreachable) {
		return ExitInvalid
	}
	return ExitFailure
}

// options builds the façade's options from the global flags (each already
// filled from its environment variable when not given).
func (c *invocation) options() (engine.Options, error) {
	o := engine.Options{
		BeforeRender: c.sizeMemory,
		ProjectDir:   c.f.str("project-dir"),
		ProfilesDir:  c.f.str("profiles-dir"),
		Target:       c.f.str("target"),
		Profile:      c.f.str("profile"),
		TargetPath:   c.f.str("target-path"),
		Threads:      c.f.num("threads"),
		Drivers:      c.env.Drivers,
		Env:          c.env.Getenv,
		HomeDir:      c.env.HomeDir,
		WarnError:    c.f.on("warn-error"),
	}
	if c.f.set["partial-parse"] && !c.f.on("partial-parse") {
		// --no-partial-parse is STRATA_NO_PARTIAL_PARSE for this command.
		getenv := o.Env
		o.Env = func(k string) (string, bool) {
			if k == "STRATA_NO_PARTIAL_PARSE" {
				return "1", true
			}
			return getenv(k)
		}
	}
	if o.ProjectDir == "" {
		o.ProjectDir = findProject(c.workDir())
	} else if !filepath.IsAbs(o.ProjectDir) {
		o.ProjectDir = filepath.Join(c.workDir(), o.ProjectDir)
	}
	if o.ProfilesDir != "" && !filepath.IsAbs(o.ProfilesDir) {
		o.ProfilesDir = filepath.Join(c.workDir(), o.ProfilesDir)
	}
	if s := c.f.str("warn-error-options"); s != "" {
		w, err := engine.ParseWarnErrorOptions(s)
		if err != nil {
			return o, err
		}
		o.WarnErrorOptions = w
	}
	if c.f.set["threads"] && o.Threads < 1 {
		return o, diag.Invalid("bad flag value", "--threads must be at least 1, got %d", o.Threads)
	}
	if v := c.f.str("vars"); v != "" {
		vars, err := ParseVars(v)
		if err != nil {
			return o, err
		}
		o.Vars = vars
	}
	return o, nil
}

func (c *invocation) workDir() string {
	if c.env.WorkDir != "" {
		return c.env.WorkDir
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// findProject walks up from dir to the nearest folder with a project.yaml
// or dbt_project.yml, as dbt does; dir itself when there is none (the error
// then names it).
func findProject(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		for _, f := range []string{"project.yaml", "dbt_project.yml"} {
			if st, err := os.Stat(filepath.Join(d, f)); err == nil && !st.IsDir() {
				return d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}

// ParseVars parses --vars: a YAML (or JSON) mapping.
func ParseVars(s string) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, diag.Invalid("bad --vars", "--vars must be a YAML or JSON mapping such as '{seed_name: added}': %v", err)
	}
	if m == nil && strings.TrimSpace(s) != "" && strings.TrimSpace(s) != "{}" {
		return nil, diag.Invalid("bad --vars", "--vars must be a YAML or JSON mapping such as '{seed_name: added}', got %q", s)
	}
	return m, nil
}

// open loads the project and says which profile and adapter are in use.
func (c *invocation) open() (*engine.Project, error) {
	o, err := c.options()
	if err != nil {
		return nil, err
	}
	c.header(o.ProjectDir)
	p, err := engine.Open(o)
	if err != nil {
		return nil, err
	}
	if len(p.Warnings) > 0 {
		c.out.Diagnostics(p.Warnings)
	}
	c.out.Adapter(p.Target.Type, c.driverVersion(p.Target.Type))
	if p.ProfileInfo.Fallback {
		c.out.Notice("No profiles.yaml found: using the embedded DuckDB at %s", relTo(p.Opts.ProjectDir, fmt.Sprint(p.Target.Fields["path"])))
	}
	c.out.TargetDir, c.out.ProjectDir = p.TargetDir, p.Opts.ProjectDir
	return p, nil
}

// header starts the log file of the project in dir and prints dbt's first
// line, once.
func (c *invocation) header(dir string) {
	if c.headed {
		return
	}
	c.headed = true
	if !c.cmd.noLog {
		c.startLog(dir)
	}
	c.out.Header(engine.Version)
}

// resourceTypes reads --resource-type / --exclude-resource-type values; all
// and default (dbt's) mean the command's own types.
func resourceTypes(flag string, names []string) ([]manifest.ResourceType, error) {
	var out []manifest.ResourceType
	for _, group := range names {
		for _, n := range strings.Fields(strings.ReplaceAll(group, ",", " ")) {
			switch manifest.ResourceType(n) {
			case manifest.Model, manifest.Seed, manifest.Test, manifest.Source, manifest.Snapshot, manifest.Analysis:
				out = append(out, manifest.ResourceType(n))
			case "all", "default":
				if flag == "exclude-resource-type" {
					return nil, diag.Invalid("bad flag value", "--%s %s would leave nothing to select", flag, n)
				}
				return nil, nil
			case "unit_test", "exposure", "metric", "semantic_model", "saved_query":
				out = append(out, manifest.ResourceType(n))
			default:
				return nil, diag.Invalid("bad flag value", "--%s %q: expected model, seed, snapshot, test, unit_test, source, exposure or analysis (or all, default)", flag, n)
			}
		}
	}
	return out, nil
}

// sizeMemory is the parse pass's BeforeRender. When the parse must render
// half of the nodes or more (no partial-parse cache, or one that misses
// after an upgrade or a macro edit; a warm run of the 10,000-model benchmark
// project renders only the 15% that read run-varying values), the command
// gets a soft memory limit of 9 KiB per node and at least 128 MiB (a
// 10,000-model project keeps ~9 KiB per node live). Go collects more often
// as its memory nears the limit, so with the GC percent main sets an
// empty-target compile of 10,000 models peaks at ~186 MB RSS instead of
// ~270 MB (~45-60 MB of any strata's RSS is its own mapped code), and one of
// 100,000 at 1.32 GB instead of 2.5 GB. A warm run gets no limit: its live
// heap (~113 MB at 10,000 models) sits near it, and the extra collections
// cost a warm compile ~12%. A heap that outgrows the limit is not stopped,
// only collected harder (the runtime gives the collector at most half the
// CPU). docs generate keeps far more per node (site data, lineage) and is
// left out.
//
// A warm ls or parse of a large project (lateCollectionNodes or more) keeps
// most of what it allocates until it exits: the manifest. At 100,000
// models (140,000 nodes) a warm ls allocates ~1.1 GB and ends with ~700 MB
// live, and with the GC percent main sets it collected twice on the way,
// the second time (a 700 MB heap to mark) beside the parse's busiest
// stretch. Such a command collects only near the same 9 KiB-per-node
// limit: ls of 100,000 models 2.94 -> 2.69 s (a slow hour), peak RSS 921
// -> 1,007 MB, under the 1.5 GB a 100,000-model project may use. (The
// limit is set once the parse cache is read; collections before that stay.)
func (c *invocation) sizeMemory(renders, total int) {
	if c.env.SetMemoryLimit == nil || c.cmd.name == "docs" {
		return
	}
	limit := max(128<<20, int64(total)*9<<10)
	switch {
	case renders*2 >= total:
		c.env.SetMemoryLimit(limit)
	case total >= lateCollectionNodes && c.env.SetGCPercent != nil && (c.cmd.name == "ls" || c.cmd.name == "parse"):
		c.env.SetMemoryLimit(limit)
		c.env.SetGCPercent(-1)
	}
}

// lateCollectionNodes is the size from which a warm ls or parse collects
// only near its memory limit (sizeMemory); below it the heap is small and
// collecting it cheap.
var lateCollectionNodes = 50_000
