// Package cli implements strata's commands: flag parsing, wiring the engine
// façade to the view, and exit codes (decided in one place, exitCode). main calls
// Main; everything is testable in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
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
	// Getenv looks up environment variables (os.LookupEnv when nil).
	Getenv func(string) (string, bool)
	// HomeDir overrides the user's home folder (tests).
	HomeDir string
}

// errFailed marks a command whose nodes failed: exit 1, already reported.
var errFailed = errors.New("some nodes failed")

type command struct {
	name    string
	summary string
	long    string // more help, printed by --help
	flags   []flagDef
	run     func(ctx context.Context, c *invocation) error
}

// invocation is one command being run.
type invocation struct {
	env   Env
	f     *flags
	out   *view.Printer
	cmd   *command
	extra []string // sub-command words (source freshness, docs generate)
}

func commands() []*command {
	base := defs(projectFlags, selectFlags, runFlags)
	return []*command{
		{name: "parse", summary: "read the project and write target/manifest.json", flags: defs(projectFlags), run: runParse},
		{name: "compile", summary: "render every template into target/compiled", flags: defs(projectFlags, selectFlags, []flagDef{{names: []string{"inline"}, kind: stringFlag, help: "compile this SQL and print it"}}), run: runCompile},
		{name: "ls", summary: "list selected nodes", flags: defs(projectFlags, selectFlags, []flagDef{
			{names: []string{"output", "o"}, kind: stringFlag, help: "name, path, json or selector"},
			{names: []string{"output-keys"}, kind: listFlag, help: "with --output json: the keys to print (name, resource_type, …)"},
		}), run: runList},
		{name: "run", summary: "build selected models", flags: base, run: runExecute},
		{name: "test", summary: "run selected data tests", flags: base, run: runExecute},
		{name: "build", summary: "seed, run, snapshot and test in one DAG pass", flags: base, run: runExecute},
		{name: "seed", summary: "load seed CSVs into tables", flags: base, run: runExecute},
		{name: "snapshot", summary: "record type-2 history of snapshot queries", flags: base, run: runExecute},
		{name: "show", summary: "print rows of a model or an inline query", flags: defs(projectFlags, selectFlags, []flagDef{
			{names: []string{"inline"}, kind: stringFlag, help: "SQL to run (Jinja allowed)"},
			{names: []string{"limit"}, kind: intFlag, help: "rows to print (default 5; -1 = all)"},
			{names: []string{"output", "o"}, kind: stringFlag, help: "table, json or csv"},
		}), run: runShow},
		{name: "run-operation", summary: "call a macro against the warehouse", flags: defs(projectFlags, []flagDef{
			{names: []string{"args"}, kind: stringFlag, help: "the macro's keyword arguments, a YAML mapping: '{table: orders}'"},
		}), run: runOperation},
		{name: "retry", summary: "re-run what errored or was skipped in the last run", flags: defs(projectFlags, runFlags), run: runRetry},
		{name: "source", summary: "source freshness: check sources' newest rows", flags: defs(projectFlags, selectFlags, []flagDef{{names: []string{"output", "o"}, kind: stringFlag, help: "where to write sources.json"}}), run: runSource},
		{name: "docs", summary: "docs generate | docs serve", flags: docsFlags(), run: runDocs},
		{name: "schedule", summary: "run the project's schedules (long-running); trigger | pause | resume | rerun talk to it", flags: scheduleFlags(), run: runSchedule},
		{name: "deps", summary: "install the packages in packages.yml into dbt_packages/", long: depsHelp, flags: depsFlags(), run: runDeps},
		{name: "debug", summary: "show the config found and check the connection", flags: defs(projectFlags), run: runDebug},
		{name: "clean", summary: "delete target/ and the project's clean-targets", flags: defs(projectFlags), run: runClean},
		{name: "init", summary: "scaffold a new project with a DuckDB profile", flags: []flagDef{{names: []string{"help", "h"}, kind: boolFlag}}, run: runInit},
	}
}

// Main runs strata with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(env.Stdout, topUsage())
		return ExitOK
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintf(env.Stdout, "strata %s\n", engine.Version)
		return ExitOK
	}
	name := args[0]
	if name == "list" {
		name = "ls"
	}
	var cmd *command
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
		if c.name == name {
			cmd = c
		}
	}
	plain := view.New(env.Stdout, env.Stderr, view.Text, false)
	if cmd == nil {
		d := diag.Diagnostic{Summary: "unknown command", Detail: fmt.Sprintf("strata has no command %q; run `strata help` for the list", name), Suggestion: diag.Suggest(name, names)}
		plain.Error(d)
		return ExitInvalid
	}
	f := newFlags(cmd.name, cmd.flags)
	if err := f.parse(args[1:]); err != nil {
		plain.Error(err)
		return ExitInvalid
	}
	if f.on("help") {
		fmt.Fprintf(env.Stdout, "strata %s: %s\n\n%sflags:\n%s", cmd.name, cmd.summary, cmd.long, f.usage())
		return ExitOK
	}
	format := view.Text
	switch f.str("log-format") {
	case "", "text":
	case "json":
		format = view.JSON
	default:
		plain.Error(diag.Invalid("bad flag value", "--log-format must be text or json, got %q", f.str("log-format")))
		return ExitInvalid
	}
	inv := &invocation{env: env, f: f, cmd: cmd, out: view.New(env.Stdout, env.Stderr, format, f.on("quiet"))}
	inv.extra = f.args
	err := cmd.run(ctx, inv)
	code := inv.exitCode(err)
	if code == ExitInvalid && ctx.Err() != nil {
		// Ctrl-C or SIGTERM while compiling: the run was cancelled, not invalid.
		return ExitFailure
	}
	return code
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
	if errors.Is(err, context.Canceled) {
		return ExitFailure
	}
	return ExitFailure
}

func topUsage() string {
	var b strings.Builder
	b.WriteString("strata: a dbt-style SQL transformation orchestrator\n\nusage: strata <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `strata <command> --help` for a command's flags.\n")
	return b.String()
}

// options builds the façade's options from common flags.
func (c *invocation) options() (engine.Options, error) {
	o := engine.Options{
		ProjectDir:  c.f.str("project-dir"),
		ProfilesDir: c.f.str("profiles-dir"),
		Target:      c.f.str("target"),
		Threads:     c.f.num("threads"),
		Drivers:     c.env.Drivers,
		Env:         c.env.Getenv,
		HomeDir:     c.env.HomeDir,
	}
	if o.ProjectDir == "" {
		if v, ok := c.env.Getenv("STRATA_PROJECT_DIR"); ok {
			o.ProjectDir = v
		}
	}
	if o.ProfilesDir == "" {
		if v, ok := c.env.Getenv("STRATA_PROFILES_DIR"); ok {
			o.ProfilesDir = v
		} else if v, ok := c.env.Getenv("DBT_PROFILES_DIR"); ok {
			o.ProfilesDir = v
		}
	}
	o.WarnError = c.warnError()
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

// warnError reports --warn-error, else STRATA_WARN_ERROR or DBT_WARN_ERROR.
func (c *invocation) warnError() bool {
	if c.f.set["warn-error"] {
		return c.f.on("warn-error")
	}
	for _, k := range []string{"STRATA_WARN_ERROR", "DBT_WARN_ERROR"} {
		if v, ok := c.env.Getenv(k); ok {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			return err == nil && b
		}
	}
	return false
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

// open loads the project and says which profile is in use.
func (c *invocation) open() (*engine.Project, error) {
	o, err := c.options()
	if err != nil {
		return nil, err
	}
	p, err := engine.Open(o)
	if err != nil {
		return nil, err
	}
	if len(p.Warnings) > 0 {
		c.out.Diagnostics(p.Warnings)
	}
	if p.ProfileInfo.Fallback {
		c.out.Notice("No profiles.yaml found: using the embedded DuckDB at %s", relTo(p.Opts.ProjectDir, fmt.Sprint(p.Target.Fields["path"])))
	}
	c.out.TargetDir, c.out.ProjectDir = p.TargetDir, p.Opts.ProjectDir
	return p, nil
}
