package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

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

type flagDef struct {
	names []string // long name first, then aliases ("select", "s", "m", "models")
	kind  flagKind
	help  string
}

// flags is the parsed command line of one command.
type flags struct {
	defs    []flagDef
	byName  map[string]*flagDef
	strs    map[string]string
	lists   map[string][]string
	bools   map[string]bool
	ints    map[string]int
	set     map[string]bool
	args    []string // positional arguments
	command string
}

func newFlags(command string, defs []flagDef) *flags {
	f := &flags{defs: defs, byName: map[string]*flagDef{}, strs: map[string]string{}, lists: map[string][]string{},
		bools: map[string]bool{}, ints: map[string]int{}, set: map[string]bool{}, command: command}
	for i := range f.defs {
		for _, n := range f.defs[i].names {
			f.byName[n] = &f.defs[i]
		}
	}
	return f
}

func (f *flags) parse(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.args = append(f.args, args[i+1:]...)
			return nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			f.args = append(f.args, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, value, hasValue = name[:eq], name[eq+1:], true
		}
		d, ok := f.byName[name]
		if !ok {
			if strings.HasPrefix(name, "no-") {
				if nd, ok2 := f.byName[strings.TrimPrefix(name, "no-")]; ok2 && nd.kind == boolFlag {
					f.bools[nd.names[0]] = false
					f.set[nd.names[0]] = true
					continue
				}
			}
			return f.unknown(a, name)
		}
		key := d.names[0]
		f.set[key] = true
		switch d.kind {
		case boolFlag:
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return diag.Invalid("bad flag value", "%s expects true or false, got %q", a, value)
				}
				f.bools[key] = b
			} else {
				f.bools[key] = true
			}
		case stringFlag, intFlag:
			if !hasValue {
				if i+1 >= len(args) {
					return diag.Invalid("missing flag value", "%s needs a value; run `strata %s --help`", a, f.command)
				}
				i++
				value = args[i]
			}
			if d.kind == intFlag {
				n, err := strconv.Atoi(value)
				if err != nil {
					return diag.Invalid("bad flag value", "%s expects a whole number, got %q", a, value)
				}
				f.ints[key] = n
			} else {
				f.strs[key] = value
			}
		case listFlag:
			if hasValue {
				f.lists[key] = append(f.lists[key], value)
				continue
			}
			n := 0
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				f.lists[key] = append(f.lists[key], args[i])
				n++
			}
			if n == 0 {
				return diag.Invalid("missing flag value", "%s needs at least one value; run `strata %s --help`", a, f.command)
			}
		}
	}
	return nil
}

func (f *flags) unknown(arg, name string) error {
	var names []string
	for n := range f.byName {
		if len(n) > 1 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	d := diag.Diagnostic{Summary: "unknown flag", Detail: fmt.Sprintf("strata %s has no flag %s; run `strata %s --help` for the list", f.command, arg, f.command)}
	if s := diag.Suggest(name, names); s != "" {
		d.Suggestion = "--" + s
	}
	return diag.From(d)
}

func (f *flags) str(name string) string    { return f.strs[name] }
func (f *flags) list(name string) []string { return f.lists[name] }
func (f *flags) on(name string) bool       { return f.bools[name] }
func (f *flags) num(name string) int       { return f.ints[name] }

func (f *flags) usage() string {
	var b strings.Builder
	for _, d := range f.defs {
		var ns []string
		for _, n := range d.names {
			if len(n) == 1 {
				ns = append(ns, "-"+n)
			} else {
				ns = append(ns, "--"+n)
			}
		}
		arg := ""
		switch d.kind {
		case stringFlag:
			arg = " VALUE"
		case intFlag:
			arg = " N"
		case listFlag:
			arg = " SELECTOR..."
		}
		fmt.Fprintf(&b, "  %-34s %s\n", strings.Join(ns, ", ")+arg, d.help)
	}
	return b.String()
}

// Flag sets shared by commands.
var (
	projectFlags = []flagDef{
		{names: []string{"project-dir"}, kind: stringFlag, help: "project folder (default: current folder)"},
		{names: []string{"profiles-dir"}, kind: stringFlag, help: "folder holding profiles.yaml"},
		{names: []string{"target", "t"}, kind: stringFlag, help: "profile target to use"},
		{names: []string{"vars"}, kind: stringFlag, help: "YAML or JSON dict of variables, e.g. '{k: v}'"},
		{names: []string{"log-format"}, kind: stringFlag, help: "text or json"},
		{names: []string{"quiet", "q"}, kind: boolFlag, help: "print only errors and the summary"},
		{names: []string{"warn-error"}, kind: boolFlag, help: "treat warnings as errors: exit 2 before anything runs (also DBT_WARN_ERROR)"},
		{names: []string{"help", "h"}, kind: boolFlag, help: "show this help"},
	}
	selectFlags = []flagDef{
		{names: []string{"select", "s", "models", "m"}, kind: listFlag, help: "nodes to include (dbt selector syntax)"},
		{names: []string{"exclude"}, kind: listFlag, help: "nodes to leave out"},
		{names: []string{"state"}, kind: stringFlag, help: "folder with an earlier manifest.json for state: selectors"},
		{names: []string{"resource-type", "resource-types"}, kind: listFlag, help: "only these node types"},
	}
	runFlags = []flagDef{
		{names: []string{"threads"}, kind: intFlag, help: "parallel workers (default: the target's threads)"},
		{names: []string{"full-refresh", "f"}, kind: boolFlag, help: "rebuild incremental models and seeds from scratch"},
		{names: []string{"fail-fast", "x"}, kind: boolFlag, help: "stop at the first failure"},
		{names: []string{"defer"}, kind: boolFlag, help: "resolve refs outside the selection from --state"},
		{names: []string{"favor-state"}, kind: boolFlag, help: "with --defer, always prefer --state's relations"},
		{names: []string{"unit-tests-on"}, kind: stringFlag, help: "where unit tests run: target (default) or duckdb (embedded, no warehouse needed)"},
	}
)

func defs(sets ...[]flagDef) []flagDef {
	var out []flagDef
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}
