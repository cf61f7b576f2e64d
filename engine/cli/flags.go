package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strata-dev/strata/engine/diag"
)

// flagKind is how a flag takes values.
type flagKind int

const (
	boolFlag flagKind = iota
	stringFlag
	intFlag
	// listFlag takes every following argument up to the next flag, and may repeat:
	// `-s a b --select c` selects a, b and c, as dbt's CLI does.
	listFlag
)

// flagDef declares one flag. Commands list theirs as data; the command line
// is parsed by pflag (see root.go), which these declarations are turned into.
type flagDef struct {
	names []string // long name first, then aliases ("select", "s", "m", "models")
	kind  flagKind
	help  string
}

// flags is the parsed command line of one command: pflag's set, and which
// flags the user gave (on the command line or through their environment
// variable).
type flags struct {
	fs      *pflag.FlagSet
	set     map[string]bool
	args    []string // positional arguments
	command string
}

func (f *flags) str(name string) string {
	v, _ := f.fs.GetString(name)
	return v
}

func (f *flags) list(name string) []string {
	v, _ := f.fs.GetStringArray(name)
	return v
}

// on reports a boolean flag; --no-NAME turns it off.
func (f *flags) on(name string) bool {
	if off, _ := f.fs.GetBool("no-" + name); off && f.fs.Changed("no-"+name) {
		return false
	}
	v, _ := f.fs.GetBool(name)
	return v
}

func (f *flags) num(name string) int {
	v, _ := f.fs.GetInt(name)
	return v
}

// put sets a flag as if the user had given it (retry replays the last run's).
func (f *flags) put(name, value string) {
	if f.fs.Lookup(name) == nil {
		return
	}
	if err := f.fs.Set(name, value); err == nil {
		f.set[name] = true
	}
}

// Flag sets shared by commands. projectFlags are global now (root.go), kept
// here so that command tables may still list them.
var (
	projectFlags = []flagDef{
		{names: []string{"project-dir"}, kind: stringFlag, help: "project folder (default: the nearest folder up from here with project.yaml or dbt_project.yml)"},
		{names: []string{"profiles-dir"}, kind: stringFlag, help: "folder holding profiles.yaml"},
		{names: []string{"target", "t"}, kind: stringFlag, help: "profile target to use"},
		{names: []string{"vars"}, kind: stringFlag, help: "YAML or JSON dict of variables, e.g. '{k: v}'"},
		{names: []string{"log-format"}, kind: stringFlag, help: "text or json"},
		{names: []string{"quiet", "q"}, kind: boolFlag, help: "print only errors, warnings and the summary"},
		{names: []string{"warn-error"}, kind: boolFlag, help: "treat warnings as errors: exit 2 before anything runs (also DBT_WARN_ERROR)"},
		{names: []string{"help", "h"}, kind: boolFlag, help: "show this help"},
	}
	selectFlags = []flagDef{
		{names: []string{"select", "s", "models", "model", "m"}, kind: listFlag, help: "nodes to include (dbt selector syntax)"},
		{names: []string{"exclude"}, kind: listFlag, help: "nodes to leave out"},
		{names: []string{"selector"}, kind: stringFlag, help: "a selector defined in selectors.yml"},
		{names: []string{"resource-type", "resource-types"}, kind: listFlag, help: "only these node types (model, seed, snapshot, test, unit_test, source, exposure, analysis; all, default)"},
		{names: []string{"exclude-resource-type", "exclude-resource-types"}, kind: listFlag, help: "leave out these node types"},
	}
	runFlags = []flagDef{
		{names: []string{"threads"}, kind: intFlag, help: "parallel workers (default: the target's threads)"},
		{names: []string{"full-refresh", "f"}, kind: boolFlag, help: "rebuild incremental models and seeds from scratch"},
		{names: []string{"store-failures"}, kind: boolFlag, help: "store every test's failing rows in <schema>_dbt_test__audit"},
		{names: []string{"unit-tests-on"}, kind: stringFlag, help: "where unit tests run: target (default) or duckdb (embedded, no warehouse needed; also STRATA_UNIT_TESTS_ON)"},
	}
	buildFlags = []flagDef{
		{names: []string{"empty"}, kind: boolFlag, help: "read every ref and source as zero rows (schema-only builds)"},
	}
)

// globalFlags are dbt's global flags and the project flags: accepted before
// or after any command. envFlags says which of them (and of the commands'
// flags) also come from STRATA_<NAME> and DBT_<NAME>, as dbt documents.
var globalFlags = []flagDef{
	{names: []string{"project-dir"}, kind: stringFlag, help: "project folder (default: the nearest folder up from here with project.yaml or dbt_project.yml)"},
	{names: []string{"profiles-dir"}, kind: stringFlag, help: "folder holding profiles.yaml (default: the project folder, then ~/.strata, ~/.dbt)"},
	{names: []string{"profile"}, kind: stringFlag, help: "profile to use instead of the project's"},
	{names: []string{"target", "t"}, kind: stringFlag, help: "profile target to use"},
	{names: []string{"vars"}, kind: stringFlag, help: "YAML or JSON dict of variables, e.g. '{k: v}'"},
	{names: []string{"target-path"}, kind: stringFlag, help: "where artifacts go (default: the project's target-path, target/)"},
	{names: []string{"state"}, kind: stringFlag, help: "folder with an earlier manifest.json (and run_results.json, sources.json) for state:, result:, source_status: and --defer"},
	{names: []string{"defer"}, kind: boolFlag, help: "resolve refs outside the selection from --state"},
	{names: []string{"favor-state"}, kind: boolFlag, help: "with --defer, always prefer --state's relations"},
	{names: []string{"fail-fast", "x"}, kind: boolFlag, help: "stop at the first failure"},
	{names: []string{"indirect-selection"}, kind: stringFlag, help: "which tests of selected nodes run: eager (default), cautious, buildable or empty"},
	{names: []string{"warn-error"}, kind: boolFlag, help: "treat every warning as an error (exit 2 before anything runs; warn tests fail)"},
	{names: []string{"warn-error-options"}, kind: stringFlag, help: "which warnings are errors: '{include: all | [Name, …], exclude: [Name, …], silence: [Name, …]}'"},
	{names: []string{"log-format"}, kind: stringFlag, help: "console log: text (default) or json (dbt's structured lines)"},
	{names: []string{"log-format-file"}, kind: stringFlag, help: "log file: debug (default), text or json"},
	{names: []string{"log-level"}, kind: stringFlag, help: "console: debug, info (default), warn, error or none"},
	{names: []string{"log-level-file"}, kind: stringFlag, help: "log file: debug (default), info, warn, error or none"},
	{names: []string{"log-path"}, kind: stringFlag, help: "folder of strata.log (default: <project>/logs)"},
	{names: []string{"debug", "d"}, kind: boolFlag, help: "print debug lines too (the SQL each node ran)"},
	{names: []string{"quiet", "q"}, kind: boolFlag, help: "print only errors, warnings and the summary"},
	{names: []string{"use-colors"}, kind: boolFlag, help: "colour the console on a terminal (default; --no-use-colors or NO_COLOR turns it off)"},
	{names: []string{"printer-width"}, kind: intFlag, help: "width of node lines (default 80)"},
	{names: []string{"partial-parse"}, kind: boolFlag, help: "reuse the parse pass's findings kept in target/ (default; --no-partial-parse parses everything)"},
	{names: []string{"send-anonymous-usage-stats"}, kind: boolFlag, help: "accepted for dbt's sake: strata sends nothing"},
}

// envFlags are the flags dbt reads from DBT_<NAME>; strata also reads
// STRATA_<NAME>, which wins.
var envFlags = map[string]bool{
	"project-dir": true, "profiles-dir": true, "profile": true, "target": true, "target-path": true,
	"state": true, "defer": true, "favor-state": true, "fail-fast": true, "indirect-selection": true,
	"warn-error": true, "warn-error-options": true, "log-format": true, "log-format-file": true,
	"log-level": true, "log-level-file": true, "log-path": true, "debug": true, "quiet": true,
	"use-colors": true, "printer-width": true, "full-refresh": true, "store-failures": true,
	"partial-parse": true,
}

// envNames are the variables a flag reads, STRATA_ first.
func envNames(flag string) []string {
	k := strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
	return []string{"STRATA_" + k, "DBT_" + k}
}

// defs concatenates flag sets.
func defs(sets ...[]flagDef) []flagDef {
	var out []flagDef
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// register adds defs to fs, skipping names fs already has (a command
// repeating a global flag). Each bool flag gets a hidden --no-NAME.
func register(fs *pflag.FlagSet, ds []flagDef) {
	for _, d := range ds {
		name := d.names[0]
		if name == "help" || fs.Lookup(name) != nil {
			continue
		}
		short := ""
		for _, a := range d.names[1:] {
			if len(a) == 1 && fs.ShorthandLookup(a) == nil {
				short = a
				break
			}
		}
		switch d.kind {
		case boolFlag:
			fs.BoolP(name, short, false, d.help)
			if fs.Lookup("no-"+name) == nil {
				fs.Bool("no-"+name, false, "")
				fs.MarkHidden("no-" + name)
			}
		case stringFlag:
			fs.StringP(name, short, "", d.help)
		case intFlag:
			fs.IntP(name, short, 0, d.help)
		case listFlag:
			fs.StringArrayP(name, short, nil, d.help)
		}
	}
}

// aliasNormalizer maps a command's long aliases (--models, --resource-types,
// --host) onto their flag.
func aliasNormalizer(ds []flagDef) func(*pflag.FlagSet, string) pflag.NormalizedName {
	alias := map[string]string{}
	for _, d := range ds {
		for _, a := range d.names[1:] {
			if len(a) > 1 {
				alias[a] = d.names[0]
			}
		}
	}
	return func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := alias[name]; ok {
			return pflag.NormalizedName(to)
		}
		return pflag.NormalizedName(name)
	}
}

// expandLists rewrites multi-value flags into repeated single values, so
// pflag reads `-s a b --exclude c` as dbt's CLI does: -s=a -s=b --exclude=c.
// `-m` is dbt's old name for --select.
func expandLists(args []string, lists map[string]bool) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "-m" {
			a = "--select"
		}
		name, hasValue := "", false
		switch {
		case strings.HasPrefix(a, "--"):
			name = a[2:]
		case strings.HasPrefix(a, "-") && len(a) == 2:
			name = a[1:]
		}
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, hasValue = name[:eq], true
		}
		if name == "" || hasValue || !lists[name] {
			out = append(out, a)
			continue
		}
		n := 0
		for i+1 < len(args) && (!strings.HasPrefix(args[i+1], "-") || args[i+1] == "-") {
			i++
			out = append(out, a+"="+args[i])
			n++
		}
		if n == 0 {
			out = append(out, a) // pflag says it needs a value
		}
	}
	return out
}

// bindEnv gives every flag the user did not pass its STRATA_ or DBT_
// environment variable, when set.
func bindEnv(fs *pflag.FlagSet, getenv func(string) (string, bool), set map[string]bool) error {
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed || !envFlags[fl.Name] {
			return
		}
		if off := fs.Lookup("no-" + fl.Name); off != nil && off.Changed {
			return
		}
		for _, k := range envNames(fl.Name) {
			v, ok := getenv(k)
			if !ok || strings.TrimSpace(v) == "" {
				continue
			}
			v = strings.TrimSpace(v)
			if fl.Value.Type() == "bool" {
				b, perr := parseBool(v)
				if perr != nil {
					err = diag.Invalid("bad environment variable", "%s=%q: expected true or false (1/0, yes/no)", k, v)
					return
				}
				v = strconv.FormatBool(b)
			}
			if serr := fs.Set(fl.Name, v); serr != nil {
				err = diag.Invalid("bad environment variable", "%s=%q: %v", k, v, serr)
				return
			}
			set[fl.Name] = true
			return
		}
	})
	return err
}

// parseBool accepts what click does for boolean environment variables.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, nil
	case "0", "false", "f", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// flagError turns pflag's parse errors into one diagnostic naming the
// command and, for an unknown flag, the nearest real one.
func flagError(command string, fs *pflag.FlagSet, err error) error {
	msg := err.Error()
	var name string
	switch {
	case strings.HasPrefix(msg, "unknown flag: "):
		name = strings.TrimPrefix(msg, "unknown flag: ")
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		// unknown shorthand flag: 'z' in -z
		if i := strings.LastIndex(msg, " in "); i >= 0 {
			name = msg[i+4:]
		}
	}
	if name != "" {
		var names []string
		fs.VisitAll(func(fl *pflag.Flag) {
			if !fl.Hidden {
				names = append(names, fl.Name)
			}
		})
		sort.Strings(names)
		d := diag.Diagnostic{Summary: "unknown flag", Detail: fmt.Sprintf("strata %s has no flag %s; run `strata %s --help` for the list", command, name, command)}
		if s := diag.Suggest(strings.TrimLeft(name, "-"), names); s != "" {
			d.Suggestion = "--" + s
		}
		return diag.From(d)
	}
	if strings.HasPrefix(msg, "flag needs an argument") {
		return diag.Invalid("missing flag value", "%s; run `strata %s --help`", msg, command)
	}
	return diag.Invalid("bad flag value", "%s", msg)
}
