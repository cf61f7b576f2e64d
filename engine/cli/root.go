package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/view"
)

// The command line is cobra's: it gives global flags before or after the
// command, --help for every command and `strata completion bash|zsh|fish`.
// Commands stay declared as data (commands(), flagDef) and are turned into
// cobra commands here.

// root is one run of the command line.
type root struct {
	ctx  context.Context
	env  Env
	cmds []*command
	cc   *cobra.Command
	code int
	args []string
}

func newRoot(ctx context.Context, env Env) *root {
	r := &root{ctx: ctx, env: env, cmds: commands()}
	rc := &cobra.Command{
		Use:   "strata",
		Short: "a dbt-style SQL transformation orchestrator",
		Long: "strata compiles a dbt-style project (Jinja SQL models, seeds, snapshots, tests) into a DAG and\n" +
			"builds it on DuckDB, PostgreSQL or Snowflake. Global flags go before or after the command;\n" +
			"each also reads its STRATA_… or DBT_… environment variable (STRATA_TARGET, DBT_TARGET, …).",
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           engine.Version,
		CompletionOptions: cobra.CompletionOptions{DisableDescriptions: false},
	}
	rc.SetIn(env.Stdin)
	rc.SetOut(env.Stdout)
	rc.SetErr(env.Stderr)
	register(rc.PersistentFlags(), globalFlags)
	rc.Flags().BoolP("version", "V", false, "print strata's version and its adapters' drivers")
	rc.SetVersionTemplate(strings.ReplaceAll(r.versionText(), "{{", "{{`{{`}}"))
	rc.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError(c.Name(), c.Flags(), err) })
	for _, cmd := range r.cmds {
		rc.AddCommand(r.cobraCommand(cmd))
	}
	rc.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "print strata's version and its adapters' drivers",
		Args:  cobra.NoArgs,
		Run:   func(c *cobra.Command, _ []string) { fmt.Fprint(env.Stdout, r.versionText()) },
	})
	r.cc = rc
	return r
}

// globalNames are the flags every command takes from the root.
var globalNames = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range globalFlags {
		m[d.names[0]] = true
	}
	return m
}()

func (r *root) cobraCommand(cmd *command) *cobra.Command {
	use := cmd.name
	if len(cmd.args) > 0 {
		use += " " + strings.Join(cmd.args, "|")
	}
	long := cmd.summary
	if cmd.long != "" {
		long += "\n\n" + strings.TrimRight(cmd.long, "\n")
	}
	cc := &cobra.Command{
		Use:     use,
		Aliases: cmd.aliases,
		Short:   cmd.summary,
		Long:    long,
		RunE: func(cc *cobra.Command, args []string) error {
			r.run(cmd, cc, args)
			return nil
		},
	}
	for _, a := range cmd.args {
		if strings.ToLower(a) == a {
			cc.ValidArgs = append(cc.ValidArgs, a)
		}
	}
	if cmd.anyArgs {
		cc.Args = cobra.ArbitraryArgs
	} else {
		cc.Args = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			d := diag.Diagnostic{Summary: "unexpected argument", Detail: fmt.Sprintf("strata %s takes no arguments, got %q", cmd.name, strings.Join(args, " "))}
			if cmd.name != "retry" && cmd.name != "debug" && cmd.name != "clean" && cmd.name != "parse" {
				d.Detail += fmt.Sprintf("; to select nodes write -s %s", strings.Join(args, " "))
			}
			return diag.From(d)
		}
	}
	var own []flagDef
	for _, d := range cmd.flags {
		if !globalNames[d.names[0]] {
			own = append(own, d)
		}
	}
	cc.Flags().SetNormalizeFunc(aliasNormalizer(own))
	register(cc.Flags(), own)
	return cc
}

// execute parses args, runs the command and returns its exit code.
func (r *root) execute(args []string) int {
	lists := map[string]bool{}
	for _, cmd := range r.cmds {
		for _, d := range cmd.flags {
			if d.kind == listFlag {
				for _, n := range d.names {
					lists[n] = true
				}
			}
		}
	}
	r.args = args
	r.cc.SetArgs(expandLists(args, lists))
	_, err := r.cc.ExecuteC()
	if err == nil {
		return r.code
	}
	plain := view.New(r.env.Stdout, r.env.Stderr, view.Text, false)
	if m := unknownCommand.FindStringSubmatch(err.Error()); m != nil {
		var names []string
		for _, c := range r.cc.Commands() {
			names = append(names, c.Name())
		}
		sort.Strings(names)
		err = diag.From(diag.Diagnostic{Summary: "unknown command", Detail: fmt.Sprintf("strata has no command %q; run `strata help` for the list", m[1]), Suggestion: diag.Suggest(m[1], names)})
	}
	if dl, ok := err.(*diag.ErrorList); ok {
		plain.Diagnostics(dl.Diags)
	} else {
		plain.Error(err)
	}
	return ExitInvalid
}

var unknownCommand = regexp.MustCompile(`^unknown command "([^"]*)"`)

// run is one command: flags from the environment, the printer, the command
// and its exit code.
func (r *root) run(cmd *command, cc *cobra.Command, args []string) {
	fs := cc.Flags()
	set := map[string]bool{}
	fs.Visit(func(fl *pflag.Flag) {
		set[strings.TrimPrefix(fl.Name, "no-")] = true
	})
	f := &flags{fs: fs, set: set, args: args, command: cmd.name}
	plain := view.New(r.env.Stdout, r.env.Stderr, view.Text, false)
	if err := bindEnv(fs, r.env.Getenv, set); err != nil {
		plain.Diagnostics(err.(*diag.ErrorList).Diags)
		r.code = ExitInvalid
		return
	}
	id := engine.NewInvocationID()
	out, err := newPrinter(r.env, cmd, f, id)
	if err != nil {
		plain.Diagnostics(err.(*diag.ErrorList).Diags)
		r.code = ExitInvalid
		return
	}
	inv := &invocation{env: r.env, f: f, out: out, cmd: cmd, extra: args, id: id, args: r.args}
	runErr := cmd.run(r.ctx, inv)
	out.Flush()
	code := inv.exitCode(runErr)
	inv.closeLog()
	if code == ExitInvalid && r.ctx.Err() != nil {
		// Ctrl-C or SIGTERM while compiling: the run was cancelled, not invalid.
		code = ExitFailure
	}
	r.code = code
}

// newPrinter makes the console from --log-format, --log-level, --debug,
// -q, --printer-width and --use-colors.
func newPrinter(env Env, cmd *command, f *flags, id string) (*view.Printer, error) {
	format := view.Text
	switch strings.ToLower(f.str("log-format")) {
	case "", "text", "default":
	case "json":
		format = view.JSON
	case "debug":
		format = view.Debug
	default:
		return nil, diag.Invalid("bad flag value", "--log-format must be text, json or debug, got %q", f.str("log-format"))
	}
	level, err := view.ParseLevel(f.str("log-level"))
	if err != nil {
		return nil, diag.Invalid("bad flag value", "--log-level: %v", err)
	}
	if f.on("debug") {
		level = view.LevelDebug
	}
	if _, err := view.ParseLevel(f.str("log-level-file")); err != nil {
		return nil, diag.Invalid("bad flag value", "--log-level-file: %v", err)
	}
	switch strings.ToLower(f.str("log-format-file")) {
	case "", "debug", "default", "text", "json":
	default:
		return nil, diag.Invalid("bad flag value", "--log-format-file must be debug, text or json, got %q", f.str("log-format-file"))
	}
	if f.set["printer-width"] && f.num("printer-width") < 20 {
		return nil, diag.Invalid("bad flag value", "--printer-width must be at least 20, got %d", f.num("printer-width"))
	}
	out := view.New(env.Stdout, env.Stderr, format, f.on("quiet"))
	out.Configure(view.Settings{Level: level, Width: f.num("printer-width"), NoColor: f.set["use-colors"] && !f.on("use-colors"),
		LogToStderr: cmd.data, InvocationID: id})
	return out, nil
}

// logFile is logs/strata.log, dbt's logs/dbt.log: every line of the
// command at --log-level-file (debug by default).
//
// Lines are buffered and written at most logFlushDelay after the first
// unwritten one, when the buffer fills, and at close: a run writes three
// debug lines per node, and a write(2) for each was a measurable part of a
// fast node's time (1,000 views on a local PostgreSQL). Each Write call is
// kept whole, so printers sharing the file (the scheduler's) never
// interleave within a line.
type logFile struct {
	mu    sync.Mutex
	f     *os.File
	buf   []byte
	timer *time.Timer
	err   error
}

const (
	logFlushDelay = 200 * time.Millisecond
	logBufferMax  = 64 << 10
)

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf)+len(p) > logBufferMax {
		l.flushLocked()
	}
	if len(p) >= logBufferMax {
		_, err := l.f.Write(p)
		return len(p), err
	}
	l.buf = append(l.buf, p...)
	if l.timer == nil {
		l.timer = time.AfterFunc(logFlushDelay, l.flush)
	} else if len(l.buf) == len(p) {
		l.timer.Reset(logFlushDelay)
	}
	return len(p), nil
}

func (l *logFile) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *logFile) flushLocked() {
	if len(l.buf) == 0 {
		return
	}
	if _, err := l.f.Write(l.buf); err != nil && l.err == nil {
		l.err = err
	}
	l.buf = l.buf[:0]
}

func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	l.flushLocked()
	return l.f.Close()
}

const (
	logFileMax  = 10 << 20 // bytes before the log rolls over, as dbt's does
	logFileKeep = 5
)

// startLog opens the project's log file (--log-path, default <project>/logs).
// A folder without a project gets none; a log that cannot be written is
// reported once and the command carries on.
func (c *invocation) startLog(projectDir string) {
	level, _ := view.ParseLevel(c.f.str("log-level-file"))
	if c.f.str("log-level-file") == "" {
		level = view.LevelDebug
	}
	if level == view.LevelNone {
		return
	}
	dir := c.f.str("log-path")
	switch {
	case dir == "":
		if !hasProject(projectDir) {
			return
		}
		dir = filepath.Join(projectDir, "logs")
	case !filepath.IsAbs(dir):
		dir = filepath.Join(c.workDir(), dir)
	}
	format := c.logFormat()
	path := filepath.Join(dir, "strata.log")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.out.Notice("No log file: %v", err)
		return
	}
	rotate(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.out.Notice("No log file: %v", err)
		return
	}
	c.log = &logFile{f: f}
	c.out.SetLogFile(c.log, level, format)
	c.out.Debugf("running strata %s (invocation %s) in %s", strings.Join(redactArgs(c.args), " "), c.id, projectDir)
}

// logFormat is the log file's layout: --log-format-file, else JSON when the
// console is JSON, else dbt's debug layout.
func (c *invocation) logFormat() view.Format {
	switch strings.ToLower(c.f.str("log-format-file")) {
	case "text":
		return view.Text
	case "json":
		return view.JSON
	case "":
		if strings.ToLower(c.f.str("log-format")) == "json" {
			return view.JSON
		}
	}
	return view.Debug
}

func (c *invocation) closeLog() {
	if c.log == nil {
		return
	}
	c.out.SetLogFile(nil, view.LevelNone, view.Debug)
	c.log.Close()
	c.log = nil
}

func hasProject(dir string) bool {
	for _, f := range []string{"project.yaml", "dbt_project.yml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// rotate keeps the log under logFileMax: strata.log becomes strata.log.1,
// and so on up to logFileKeep files.
func rotate(path string) {
	st, err := os.Stat(path)
	if err != nil || st.Size() < logFileMax {
		return
	}
	for i := logFileKeep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", path, i), fmt.Sprintf("%s.%d", path, i+1))
	}
	os.Rename(path, path+".1")
}

// redactArgs hides the values of flags that may carry secrets (--vars,
// --args, init's --password) in the log file.
func redactArgs(args []string) []string {
	out := make([]string, 0, len(args))
	hide := false
	for _, a := range args {
		switch {
		case hide:
			out = append(out, "****")
			hide = false
		case a == "--password" || a == "--vars" || a == "--args":
			out = append(out, a)
			hide = true
		case strings.HasPrefix(a, "--password=") || strings.HasPrefix(a, "--vars=") || strings.HasPrefix(a, "--args="):
			k, _, _ := strings.Cut(a, "=")
			out = append(out, k+"=****")
		default:
			out = append(out, a)
		}
	}
	return out
}

// versionText is --version: strata's version, the dbt behaviour it follows,
// and each adapter with its driver module's version from the build.
func (r *root) versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "strata %s (dbt %s behaviour; %s %s/%s)\n", engine.Version, compile.DBTVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	b.WriteString("adapters:\n")
	for _, d := range r.env.Drivers {
		mod := r.env.DriverModules[d.Type]
		if mod == "" {
			fmt.Fprintf(&b, "  - %-10s built in\n", d.Type)
			continue
		}
		fmt.Fprintf(&b, "  - %-10s %s %s\n", d.Type, mod, moduleVersion(mod))
	}
	return b.String()
}

// driverVersion is the version of the driver serving a profile type.
func (c *invocation) driverVersion(typ string) string {
	if mod := c.env.DriverModules[typ]; mod != "" {
		return moduleVersion(mod)
	}
	return engine.Version
}

// moduleVersion reads a dependency's version from the binary's build info.
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range bi.Deps {
		if m.Path == path {
			if m.Replace != nil && m.Replace.Version != "" {
				return m.Replace.Version
			}
			return m.Version
		}
	}
	return "unknown"
}
