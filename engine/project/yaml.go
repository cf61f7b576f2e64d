package project

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// ydec walks yaml.v3 nodes of one file, turning them into plain Go values and
// collecting every problem as a positioned diagnostic.
type ydec struct {
	file  string
	diags diag.Diagnostics
}

func (d *ydec) errorf(n *yaml.Node, summary, format string, args ...any) {
	d.diags = append(d.diags, diag.Diagnostic{
		Severity: diag.Error, File: d.file, Line: line(n), Col: col(n),
		Summary: summary, Detail: fmt.Sprintf(format, args...),
	})
}

func (d *ydec) warnf(n *yaml.Node, summary, format string, args ...any) {
	d.diags = append(d.diags, diag.Diagnostic{
		Severity: diag.Warning, File: d.file, Line: line(n), Col: col(n),
		Summary: summary, Detail: fmt.Sprintf(format, args...),
	})
}

// unknownKey reports a key that is not in known, with a did-you-mean.
func (d *ydec) unknownKey(k *yaml.Node, where string, known []string, sev diag.Severity) {
	sugg := diag.Suggest(k.Value, known)
	detail := fmt.Sprintf("%s has no key %q", where, k.Value)
	if sugg != "" {
		detail += fmt.Sprintf("; did you mean %q?", sugg)
	} else {
		detail += "; remove it or check its indentation"
	}
	d.diags = append(d.diags, diag.Diagnostic{
		Severity: sev, File: d.file, Line: line(k), Col: col(k),
		Summary: "unknown key", Detail: detail, Suggestion: sugg,
	})
}

func line(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func col(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Column
}

// kv is one key/value pair of a mapping node.
type kv struct{ k, v *yaml.Node }

// pairs returns a mapping's key/value pairs in order, resolving aliases and
// expanding `<<` merge keys, and reports duplicate keys. A non-mapping node is
// reported (as "what must be a mapping") and yields nil.
func (d *ydec) pairs(n *yaml.Node, what string) []kv {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "wrong type", "%s must be a mapping of keys to values, not a %s", what, kindName(n.Kind))
		return nil
	}
	out := make([]kv, 0, len(n.Content)/2)
	var merged []kv
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged = append(merged, d.mergeSources(v, what)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			if k.Kind == yaml.MappingNode && k.Style&yaml.FlowStyle != 0 {
				d.errorf(k, "unquoted jinja", "a key written as {{ ... }} must be quoted")
			} else {
				d.errorf(k, "wrong type", "keys in %s must be plain names, not a %s", what, kindName(k.Kind))
			}
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			// YAML loaders (and so dbt) keep the last value; strata warns.
			d.warnf(k, "duplicate key", "%q appears twice in %s (first at line %d); the last value is used, remove or merge them", k.Value, what, prev.Line)
			for j := range out {
				if out[j].k.Value == k.Value {
					out[j] = kv{k, v}
				}
			}
			seen[k.Value] = k
			continue
		}
		seen[k.Value] = k
		out = append(out, kv{k, v})
	}
	// Keys written explicitly override merged ones.
	for _, p := range merged {
		if _, ok := seen[p.k.Value]; !ok {
			seen[p.k.Value] = p.k
			out = append(out, p)
		}
	}
	return out
}

func (d *ydec) mergeSources(v *yaml.Node, what string) []kv {
	v = deref(v)
	if v.Kind == yaml.SequenceNode {
		var out []kv
		for _, c := range v.Content {
			out = append(out, d.pairs(c, what)...)
		}
		return out
	}
	return d.pairs(v, what)
}

// deref follows alias nodes.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// looksLikeJinja reports a `{{ x }}` value that YAML parsed as a flow mapping
// because it was not quoted.
func looksLikeJinja(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 &&
		len(n.Content) >= 2 && deref(n.Content[0]).Kind == yaml.MappingNode
}

// str decodes a scalar as a string (numbers and booleans as written).
func (d *ydec) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n == nil || isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		if looksLikeJinja(n) {
			d.errorf(n, "unquoted jinja", "%s starts with {{ and YAML reads that as a mapping; put the value in quotes: \"{{ ... }}\"", what)
			return "", false
		}
		d.errorf(n, "wrong type", "%s must be a string, not a %s", what, kindName(n.Kind))
		return "", false
	}
	return n.Value, true
}

// integer decodes a scalar integer.
func (d *ydec) integer(n *yaml.Node, what string) (int, bool) {
	n = deref(n)
	if n == nil || isNull(n) {
		return 0, true
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int
		if err := n.Decode(&i); err == nil {
			return i, true
		}
	}
	d.errorf(n, "wrong type", "%s must be a whole number, not %s", what, describe(n))
	return 0, false
}

// boolean decodes a scalar boolean.
func (d *ydec) boolean(n *yaml.Node, what string) (bool, bool) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	d.errorf(n, "wrong type", "%s must be true or false, not %s", what, describe(n))
	return false, false
}

// strList decodes a string or a list of strings.
func (d *ydec) strList(n *yaml.Node, what string) []string {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if s, ok := d.str(c, what+" entries"); ok {
				out = append(out, s)
			}
		}
		return out
	}
	s, ok := d.str(n, what)
	if !ok || s == "" {
		return nil
	}
	return []string{s}
}

// mapping decodes a mapping into map[string]any (nil for null).
func (d *ydec) mapping(n *yaml.Node, what string) map[string]any {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode || looksLikeJinja(n) {
		if looksLikeJinja(n) {
			d.errorf(n, "unquoted jinja", "%s starts with {{ and YAML reads that as a mapping; put the value in quotes: \"{{ ... }}\"", what)
			return nil
		}
		d.errorf(n, "wrong type", "%s must be a mapping, not a %s", what, kindName(n.Kind))
		return nil
	}
	ps := d.pairs(n, what)
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		m[p.k.Value] = d.value(p.v)
	}
	return m
}

// value turns any node into plain Go data: map[string]any, []any, string,
// int, float64, bool or nil. Jinja strings stay as written.
func (d *ydec) value(n *yaml.Node) any {
	n = deref(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		if looksLikeJinja(n) {
			d.errorf(n, "unquoted jinja", "a value starting with {{ must be quoted: \"{{ ... }}\"")
			return nil
		}
		ps := d.pairs(n, "this mapping")
		m := make(map[string]any, len(ps))
		for _, p := range ps {
			m[p.k.Value] = d.value(p.v)
		}
		return m
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = d.value(c)
		}
		return out
	case yaml.ScalarNode:
		return scalar(n)
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return d.value(n.Content[0])
		}
	}
	return nil
}

// scalar resolves a scalar the way yaml.v3 decodes into interface{}, without
// reflection (this runs for every value of every properties file).
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			if i == int64(int(i)) {
				return int(i)
			}
			return i
		}
		var v any
		if err := n.Decode(&v); err == nil {
			return v
		}
		return n.Value
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
		return n.Value
	}
	return n.Value
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "a " + kindName(n.Kind)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into a document node. A syntax error becomes one
// diagnostic with the line yaml.v3 reports and a hint at the usual fix.
func parseYAML(file string, data []byte) (*yaml.Node, *diag.Diagnostic) {
	if root, ok := fastParse(data); ok {
		return root, nil
	}
	var doc yaml.Node
	err := yaml.Unmarshal(data, &doc)
	if err == nil {
		if doc.Kind == 0 || len(doc.Content) == 0 {
			return nil, nil // empty file or only comments
		}
		return doc.Content[0], nil
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	d := diag.Diagnostic{Severity: diag.Error, File: file, Summary: "malformed YAML"}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	d.Detail = msg + "; " + yamlHint(msg)
	return nil, &d
}

func yamlHint(msg string) string {
	switch {
	case strings.Contains(msg, "cannot start any token"):
		return "YAML does not allow tab characters for indentation (or a value starting with @ or `): indent with spaces and quote such values"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "check the indentation of this line, or quote a value that contains \": \""
	case strings.Contains(msg, "did not find expected key"):
		return "a line in the block that starts here is indented differently from its siblings"
	case strings.Contains(msg, "did not find expected ',' or"):
		return "a value starting with { or [ is read as an inline mapping or list: close the bracket or quote the value (Jinja such as {{ ... }} must be quoted)"
	case strings.Contains(msg, "unexpected end of stream"), strings.Contains(msg, "found unexpected end"):
		return "a quoted string or bracket is not closed"
	case strings.Contains(msg, "already defined"):
		return "remove the duplicate key"
	}
	return "fix the YAML syntax at this line"
}
