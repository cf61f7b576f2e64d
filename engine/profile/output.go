package profile

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// keysOf lists the keys an output of spec's type takes, `type` first.
func keysOf(spec adapter.ProfileSpec) []string {
	keys := []string{"type"}
	for _, f := range spec.Fields {
		keys = append(keys, f.Key)
	}
	return keys
}

// output reads the chosen output into t, checking it against its adapter's spec.
func (r *reader) output(t *adapter.Target, n *yaml.Node) {
	where := fmt.Sprintf("target %s of profile %s", t.Name, t.Profile)
	ps := r.pairs(n, where)
	var typeNode *yaml.Node
	for _, p := range ps {
		if p.k.Value == "type" {
			typeNode = p.v
		}
	}
	supported := r.supported()
	if typeNode == nil {
		r.errorf(deref(n), "missing type", "%s has no type:; set type: to one of %s", where, strings.Join(supported, ", "))
		return
	}
	tv, _ := r.render(typeNode, "type", false)
	t.Type, _ = tv.(string)
	spec, ok := r.opts.Specs[t.Type]
	if !ok {
		sugg := diag.Suggest(t.Type, supported)
		detail := fmt.Sprintf("%s has type %q; strata supports %s", where, t.Type, strings.Join(supported, ", "))
		if sugg != "" {
			detail += fmt.Sprintf("; did you mean %q?", sugg)
		}
		r.diags = append(r.diags, diag.Diagnostic{Severity: diag.Error, File: r.file, Line: typeNode.Line, Col: typeNode.Column,
			Summary: "unknown adapter type", Detail: detail, Suggestion: sugg})
		return
	}
	specOf := map[string]adapter.ProfileField{"type": {Key: "type"}}
	for _, f := range spec.Fields {
		specOf[f.Key] = f
	}

	fields := map[string]any{}
	lines := map[string]*yaml.Node{}
	var secretKeys []string
	for _, p := range ps {
		k := p.k.Value
		f, known := specOf[k]
		if !known {
			r.unknownKey(p.k, where+" ("+t.Type+")", keysOf(spec))
			continue
		}
		lines[k] = p.v
		secret := IsSecretKey(k) || f.Secret
		v, fromSecretEnv := r.render(p.v, k, secret)
		if (fromSecretEnv || f.Secret) && !IsSecretKey(k) {
			secretKeys = append(secretKeys, k)
		}
		fields[k] = r.convert(f, v, p.v, secret)
	}
	if len(secretKeys) > 0 {
		fields[SecretFieldsKey] = secretKeys
	}

	for _, alts := range spec.Required {
		found := false
		for _, a := range alts {
			if v, ok := fields[a]; ok && v != nil && v != "" {
				found = true
			}
		}
		if !found {
			what := "key " + alts[0]
			if len(alts) > 1 {
				what = "one of " + strings.Join(alts, ", ")
			}
			r.errorf(deref(n), "missing key", "%s needs %s (a %s connection cannot be made without it)", where, what, t.Type)
		}
	}

	t.Threads = defaultThreads
	if th, ok := fields["threads"].(int); ok {
		t.Threads = th
	}
	t.Schema, _ = fields["schema"].(string)
	t.Fields = fields
	if spec.Complete != nil && !r.diags.HasErrors() {
		o := r.opts
		env := adapter.ProfileEnv{ProjectDir: o.ProjectDir, ProjectName: o.ProjectName, ProfileName: o.ProfileName,
			TargetPath: o.TargetPath, HomeDir: o.HomeDir}
		for _, p := range spec.Complete(t, env) {
			at := deref(n)
			if p.Key != "" && lines[p.Key] != nil {
				at = lines[p.Key]
			}
			r.errorf(at, p.Summary, "%s", p.Detail)
		}
	}
}

// supported lists the adapter types the specs cover, sorted.
func (r *reader) supported() []string {
	out := make([]string, 0, len(r.opts.Specs))
	for k := range r.opts.Specs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// secretEnvRE finds a secret environment variable named in a template.
var secretEnvRE = regexp.MustCompile(`(STRATA|DBT)_ENV_SECRET_[A-Za-z0-9_]*`)

// render renders the Jinja in a value's strings (recursively for lists and
// mappings). It reports whether a template read a secret env var. Errors for
// secret keys never include the value.
func (r *reader) render(n *yaml.Node, key string, secret bool) (any, bool) {
	n = deref(n)
	fromSecret := false
	var walk func(n *yaml.Node) any
	walk = func(n *yaml.Node) any {
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			if n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 && deref(n.Content[0]).Kind == yaml.MappingNode {
				r.errorf(n, "unquoted jinja", "%s starts with {{ and YAML reads that as a mapping; put the value in quotes: \"{{ ... }}\"", key)
				return nil
			}
			m := map[string]any{}
			for _, p := range r.pairs(n, key) {
				m[p.k.Value] = walk(p.v)
			}
			return m
		case yaml.SequenceNode:
			out := make([]any, len(n.Content))
			for i, c := range n.Content {
				out[i] = walk(c)
			}
			return out
		case yaml.ScalarNode:
			if n.ShortTag() != "!!str" || !strings.Contains(n.Value, "{{") && !strings.Contains(n.Value, "{%") {
				return scalar(n)
			}
			if secretEnvRE.MatchString(n.Value) {
				fromSecret = true
			}
			if r.opts.Render == nil {
				return n.Value
			}
			out, err := r.opts.Render(n.Value)
			if err != nil {
				if secret || fromSecret {
					r.errorf(n, "render error", "cannot render %s: check the env_var() names it reads", key)
				} else {
					r.errorf(n, "render error", "cannot render %s: %v", key, err)
				}
				return nil
			}
			return out
		}
		return nil
	}
	return walk(n), fromSecret
}

// convert types a rendered value as its field says (numbers for ports and
// counts, booleans for switches, text for everything else scalar: a numeric
// password stays text) and checks it against the field's range or values.
// Messages about a secret value never include it.
func (r *reader) convert(f adapter.ProfileField, v any, n *yaml.Node, secret bool) any {
	k := f.Key
	switch f.Type {
	case adapter.IntField:
		var i int
		switch x := v.(type) {
		case int:
			i = x
		case string:
			var err error
			if i, err = strconv.Atoi(strings.TrimSpace(x)); err != nil {
				r.errorf(n, "wrong type", "%s must be a whole number, not %q", k, x)
				return nil
			}
		case nil:
			return nil
		default:
			r.errorf(n, "wrong type", "%s must be a whole number", k)
			return nil
		}
		switch {
		case k == "threads" && i < f.Min:
			r.errorf(n, "invalid threads", "threads in target %s of profile %s must be %d or more, not %d", r.target, r.opts.ProfileName, f.Min, i)
		case f.Max > 0 && (i < f.Min || i > f.Max):
			r.errorf(n, "invalid "+k, "%s must be between %d and %d, not %d", k, f.Min, f.Max, i)
		default:
			return i
		}
		return nil
	case adapter.BoolField:
		switch x := v.(type) {
		case bool:
			return x
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b
			}
			r.errorf(n, "wrong type", "%s must be true or false, not %q", k, x)
		case nil:
			return nil
		default:
			r.errorf(n, "wrong type", "%s must be true or false", k)
		}
		return nil
	case adapter.AnyField:
		if s, ok := v.(string); ok && k == "extensions" {
			return []any{s}
		}
		return v
	}
	var text string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		text = x
	case map[string]any, []any:
		if secret {
			r.errorf(n, "wrong type", "%s must be text", k)
		} else {
			r.errorf(n, "wrong type", "%s must be text, not a %s", k, describeKind(x))
		}
		return nil
	default:
		text = fmt.Sprint(v)
	}
	if len(f.OneOf) > 0 && !slices.Contains(f.OneOf, text) {
		detail := fmt.Sprintf("%s must be one of %s", k, strings.Join(f.OneOf, ", "))
		if !secret {
			detail += fmt.Sprintf(", not %q", text)
		}
		if sugg := diag.Suggest(text, f.OneOf); sugg != "" && !secret {
			detail += fmt.Sprintf("; did you mean %q?", sugg)
		}
		r.errorf(n, "invalid "+k, "%s", detail)
		return nil
	}
	return text
}

func describeKind(v any) string {
	if _, ok := v.([]any); ok {
		return "list"
	}
	return "mapping"
}
