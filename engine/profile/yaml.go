package profile

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

type kv struct{ k, v *yaml.Node }

// pairs returns a mapping's pairs (aliases resolved, `<<` merges expanded),
// reporting duplicate keys and non-mappings.
func (r *reader) pairs(n *yaml.Node, what string) []kv {
	n = deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "wrong type", "%s must be a mapping of keys to values", what)
		return nil
	}
	var out, merged []kv
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			src := deref(v)
			if src.Kind == yaml.SequenceNode {
				for _, c := range src.Content {
					merged = append(merged, r.pairs(c, what)...)
				}
			} else {
				merged = append(merged, r.pairs(src, what)...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, "wrong type", "keys in %s must be plain names", what)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			r.errorf(k, "duplicate key", "%q appears twice in %s (first at line %d); remove one", k.Value, what, prev.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, kv{k, v})
	}
	for _, p := range merged {
		if _, ok := seen[p.k.Value]; !ok {
			seen[p.k.Value] = p.k
			out = append(out, p)
		}
	}
	return out
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// scalar resolves a plain scalar: int, float64, bool, nil or string.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return int(i)
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 syntax error into one positioned diagnostic. The
// parser's message quotes no values, so no secret leaks through it.
func yamlError(file string, err error) diag.Diagnostic {
	msg := err.Error()
	d := diag.Diagnostic{Severity: diag.Error, File: file, Summary: "malformed YAML"}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	hint := "fix the YAML syntax at this line"
	switch {
	case strings.Contains(msg, "cannot start any token"):
		hint = "YAML does not allow tab characters for indentation: indent with spaces"
	case strings.Contains(msg, "mapping values are not allowed"):
		hint = "check the indentation of this line, or quote a value that contains \": \""
	case strings.Contains(msg, "did not find expected key"):
		hint = "a line in the block that starts here is indented differently from its siblings"
	case strings.Contains(msg, "did not find expected ',' or"):
		hint = "Jinja such as {{ env_var('X') }} must be quoted: \"{{ env_var('X') }}\""
	}
	d.Detail = msg + "; " + hint
	return d
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
