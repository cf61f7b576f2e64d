package engine

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/diag"
)

// WarnErrorOptions say which warnings are errors, as dbt's
// --warn-error-options does: `{include: all | [Name, …], exclude: [Name, …],
// silence: [Name, …]}` (also dbt 1.8's spellings error: and warn:). A
// warning's name is its event name: NoNodesForSelectionCriteria for a
// selector that matches nothing, LogTestResult for a test that warns, else
// its summary in CamelCase (UndefinedName, UnknownKey, …).
type WarnErrorOptions struct {
	// All makes every warning an error (--warn-error, include: all).
	All bool
	// Include lists warnings made errors; Exclude keeps these warnings
	// whatever All or Include say; Silence hides them.
	Include, Exclude, Silence []string
}

// ParseWarnErrorOptions reads --warn-error-options (YAML or JSON).
func ParseWarnErrorOptions(s string) (WarnErrorOptions, error) {
	var w WarnErrorOptions
	if strings.TrimSpace(s) == "" {
		return w, nil
	}
	var raw map[string]any
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil || raw == nil {
		return w, diag.Invalid("bad --warn-error-options", "expected a mapping such as '{include: all, exclude: [NoNodesForSelectionCriteria]}', got %q", s)
	}
	names := func(key string, v any) ([]string, bool, error) {
		switch x := v.(type) {
		case string:
			if x == "all" || x == "*" {
				return nil, true, nil
			}
			return []string{x}, false, nil
		case []any:
			var out []string
			for _, e := range x {
				str, ok := e.(string)
				if !ok {
					return nil, false, fmt.Errorf("%s: list event names, got %v", key, e)
				}
				if str == "all" || str == "*" {
					return nil, true, nil
				}
				out = append(out, str)
			}
			return out, false, nil
		case nil:
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("%s: expected all or a list of event names", key)
	}
	for k, v := range raw {
		list, all, err := names(k, v)
		if err != nil {
			return w, diag.Invalid("bad --warn-error-options", "%v", err)
		}
		switch k {
		case "include", "error":
			w.All = w.All || all
			w.Include = append(w.Include, list...)
		case "exclude", "warn":
			if all {
				return w, diag.Invalid("bad --warn-error-options", "%s: all would make --warn-error-options do nothing; list event names", k)
			}
			w.Exclude = append(w.Exclude, list...)
		case "silence":
			w.Silence = append(w.Silence, list...)
		default:
			return w, diag.Invalid("bad --warn-error-options", "unknown key %q: use include (or error), exclude (or warn) and silence", k)
		}
	}
	return w, nil
}

// Promotes reports whether the warning named name is an error.
func (w WarnErrorOptions) Promotes(name string) bool {
	if slices.Contains(w.Exclude, name) {
		return false
	}
	return w.All || slices.Contains(w.Include, name)
}

// Silenced reports whether the warning named name is hidden.
func (w WarnErrorOptions) Silenced(name string) bool {
	return slices.Contains(w.Silence, name) && !w.Promotes(name)
}

// warnErrors are the options in force: --warn-error is include: all.
func (o Options) warnErrors() WarnErrorOptions {
	w := o.WarnErrorOptions
	if o.WarnError {
		w.All = true
	}
	return w
}

// promote applies --warn-error and --warn-error-options to ds: warnings they
// name become errors, silenced ones are dropped.
func (o Options) promote(ds diag.Diagnostics) diag.Diagnostics {
	w := o.warnErrors()
	if !w.All && len(w.Include) == 0 && len(w.Silence) == 0 {
		return ds
	}
	out := make(diag.Diagnostics, 0, len(ds))
	for _, d := range ds {
		if d.Severity == diag.Warning {
			switch name := d.Name(); {
			case w.Promotes(name):
				d = diag.Diagnostics{d}.AsErrors()[0]
			case w.Silenced(name):
				continue
			}
		}
		out = append(out, d)
	}
	return out
}
