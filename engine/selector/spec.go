package selector

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
)

// specPattern is dbt's selector grammar: [@][N+][method[.arg...]:]value[+N].
// The value is matched lazily so a trailing +N is read as the children operator.
var specPattern = regexp.MustCompile(`^(@)?(?:(\d*)\+)?(?:([\w.]+):)?(.*?)(?:\+(\d*))?$`)

// Methods strata supports, in the order error messages list them.
var methodNames = []string{
	"fqn", "tag", "path", "file", "package", "config", "source", "resource_type",
	"test_type", "test_name", "state", "result", "column", "source_status",
}

// dbt methods strata does not implement: named as unsupported rather than unknown.
var unsupportedMethods = []string{"metric", "semantic_model", "saved_query", "selector"}

// spec is one parsed selection criterion.
type spec struct {
	raw              string
	childrensParents bool // @
	parents          bool
	parentsDepth     int // -1: unbounded
	children         bool
	childrenDepth    int
	method           string
	args             []string // config.<key>.<subkey> path
	value            string
}

func invalidSelector(raw, format string, args ...any) error {
	return diag.From(diag.Diagnostic{
		Severity: diag.Error,
		Summary:  "invalid selector",
		Detail:   fmt.Sprintf("%q: ", raw) + fmt.Sprintf(format, args...),
	})
}

func parseSpec(raw string) (spec, error) {
	mt := specPattern.FindStringSubmatch(raw)
	if mt == nil {
		return spec{}, invalidSelector(raw, "it does not follow [@][N+][method:]value[+N]")
	}
	s := spec{raw: raw, parentsDepth: -1, childrenDepth: -1, value: mt[4]}
	s.childrensParents = mt[1] != ""
	// The groups are optional; FindStringSubmatchIndex tells "absent" from "empty".
	idx := specPattern.FindStringSubmatchIndex(raw)
	if idx[4] >= 0 { // the N+ group took part
		s.parents = true
		if mt[2] != "" {
			n, err := strconv.Atoi(mt[2])
			if err != nil {
				return spec{}, invalidSelector(raw, "parent depth %q is not a number", mt[2])
			}
			s.parentsDepth = n
		}
	}
	if idx[10] >= 0 { // the +N group took part
		s.children = true
		if mt[5] != "" {
			n, err := strconv.Atoi(mt[5])
			if err != nil {
				return spec{}, invalidSelector(raw, "child depth %q is not a number", mt[5])
			}
			s.childrenDepth = n
		}
	}
	if s.childrensParents && (s.children || s.parents) {
		return spec{}, invalidSelector(raw, "@ already selects children and their parents; it cannot be combined with + operators")
	}
	if s.value == "" {
		return spec{}, invalidSelector(raw, "the selector has no value")
	}
	if mt[3] == "" {
		s.method = defaultMethod(s.value)
		return s, nil
	}
	parts := strings.Split(mt[3], ".")
	s.method = parts[0]
	if len(parts) > 1 {
		s.args = parts[1:]
	}
	if err := checkMethod(s); err != nil {
		return spec{}, err
	}
	return s, nil
}

// defaultMethod picks what a bare value means, as dbt does: something with a
// slash is a path, a file name with an extension is a file, anything else is a
// name or dotted fqn.
func defaultMethod(value string) string {
	if strings.ContainsAny(value, `/\`) {
		return "path"
	}
	lower := strings.ToLower(value)
	for _, ext := range []string{".sql", ".py", ".csv"} {
		if strings.HasSuffix(lower, ext) {
			return "file"
		}
	}
	return "fqn"
}

func checkMethod(s spec) error {
	all := append(methodNames[:len(methodNames):len(methodNames)], newMethodNames...)
	known := false
	for _, m := range all {
		if s.method == m {
			known = true
		}
	}
	if !known {
		for _, m := range unsupportedMethods {
			if s.method == m {
				return invalidSelector(s.raw, "strata does not support the %s: method; supported methods: %s", m, strings.Join(all, ", "))
			}
		}
		sugg := diag.Suggest(s.method, all)
		err := invalidSelector(s.raw, "unknown selector method %q; valid methods: %s", s.method, strings.Join(all, ", "))
		if sugg != "" {
			el := err.(*diag.ErrorList)
			el.Diags[0].Suggestion = sugg
		}
		return err
	}
	switch {
	case s.method == "config" && len(s.args) == 0:
		return invalidSelector(s.raw, "config selectors name a key, e.g. config.materialized:incremental")
	case s.method != "config" && len(s.args) > 0:
		return invalidSelector(s.raw, "only config takes a key after a dot (config.<key>:<value>); write %s:<value>", s.method)
	}
	return nil
}
