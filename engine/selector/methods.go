package selector

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
)

var resourceTypes = []string{
	string(manifest.Model), string(manifest.Seed), string(manifest.Test),
	string(manifest.Source), string(manifest.Snapshot), string(manifest.Analysis),
	string(manifest.UnitTest), string(manifest.Exposure),
}

// match returns the nodes a spec's method and value select, before graph
// operators.
func (s *selection) match(sp spec) (bitset, error) {
	var pred func(n *manifest.Node) bool
	nodesOnly := false // dbt's fqn, file and test methods do not look at sources
	v := sp.value
	switch sp.method {
	case "fqn":
		nodesOnly = true
		pred = fqnMatcher(v)
	case "tag":
		pred = func(n *manifest.Node) bool {
			for _, t := range n.Tags {
				if fnmatch(v, t) {
					return true
				}
			}
			for _, t := range n.Config.Tags {
				if fnmatch(v, t) {
					return true
				}
			}
			return false
		}
	case "path":
		pred = func(n *manifest.Node) bool { return matchPath(v, n.OriginalFilePath) }
	case "file":
		pred = func(n *manifest.Node) bool {
			base := path.Base(n.OriginalFilePath)
			return fnmatch(v, base) || fnmatch(v, strings.TrimSuffix(base, path.Ext(base)))
		}
	case "package":
		pkg := v
		if pkg == "this" {
			pkg = s.o.ProjectName
		}
		pred = func(n *manifest.Node) bool { return fnmatch(pkg, n.PackageName) }
	case "config":
		pred = func(n *manifest.Node) bool { return s.matchConfig(n, sp.args, v) }
	case "source":
		parts := strings.Split(v, ".")
		if len(parts) > 3 {
			return nil, invalidSelector(sp.raw, "write source:<source>, source:<source>.<table> or source:<package>.<source>.<table>")
		}
		pkg, src, table := "*", parts[0], "*"
		switch len(parts) {
		case 2:
			table = parts[1]
		case 3:
			pkg, src, table = parts[0], parts[1], parts[2]
		}
		pred = func(n *manifest.Node) bool {
			return n.ResourceType == manifest.Source && fnmatch(pkg, n.PackageName) &&
				fnmatch(src, n.SourceName) && fnmatch(table, n.Name)
		}
	case "resource_type":
		if !slices.Contains(resourceTypes, v) {
			return nil, invalidValue(sp, "resource type", resourceTypes)
		}
		pred = func(n *manifest.Node) bool { return string(n.ResourceType) == v }
	case "test_type":
		nodesOnly = true
		switch v {
		case "generic", "schema":
			pred = func(n *manifest.Node) bool { return n.ResourceType == manifest.Test && n.TestMetadata != nil }
		case "singular", "data":
			pred = func(n *manifest.Node) bool { return n.ResourceType == manifest.Test && n.TestMetadata == nil }
		case "unit":
			pred = func(n *manifest.Node) bool { return n.ResourceType == manifest.UnitTest }
		default:
			return nil, invalidValue(sp, "test type", []string{"generic", "singular", "unit"})
		}
	case "test_name":
		nodesOnly = true
		pred = func(n *manifest.Node) bool {
			if n.ResourceType != manifest.Test || n.TestMetadata == nil {
				return false
			}
			tm := n.TestMetadata
			return fnmatch(v, tm.Name) || (tm.Namespace != "" && fnmatch(v, tm.Namespace+"."+tm.Name))
		}
	case "state":
		if s.o.State == nil {
			return nil, invalidSelector(sp.raw, "state: compares with an earlier manifest; pass --state DIR with the manifest.json of that run")
		}
		if !slices.Contains(stateMethods, v) {
			return nil, invalidValue(sp, "state selector", stateMethods)
		}
		if s.state == nil {
			s.state = newStateCompare(s.m, s.o.State)
		}
		pred = func(n *manifest.Node) bool { return s.state.match(v, n) }
	case "source_status":
		var err error
		if pred, err = s.sourceStatus(sp); err != nil {
			return nil, err
		}
	case "result":
		if s.o.PreviousResults == nil {
			return nil, invalidSelector(sp.raw, "result: reads the previous run_results.json; pass --state DIR holding it")
		}
		pred = func(n *manifest.Node) bool { return s.o.PreviousResults[n.UniqueID] == v }
	default:
		p, ok, err := s.matchNew(sp)
		if err != nil {
			return nil, err
		}
		if !ok {
			// parseSpec has rejected every other method.
			return nil, invalidSelector(sp.raw, "unknown selector method %q", sp.method)
		}
		pred = p
	}
	out := s.empty()
	for i, n := range s.nodes {
		if n == nil || (nodesOnly && n.ResourceType == manifest.Source) {
			continue
		}
		if pred(n) {
			out.add(i)
		}
	}
	return out, nil
}

func invalidValue(sp spec, what string, valid []string) error {
	err := invalidSelector(sp.raw, "unknown %s %q; valid: %s", what, sp.value, strings.Join(valid, ", "))
	if sugg := diag.Suggest(sp.value, valid); sugg != "" {
		err.(*diag.ErrorList).Diags[0].Suggestion = sugg
	}
	return err
}

// fqnMatcher is dbt's qualified-name match: the node's name, or a dotted prefix
// of its fqn with or without the package in front (a folder selects everything
// in it); a part with a wildcard matches the rest of the fqn as one string.
// Beyond dbt, a wildcard pattern without dots also matches the bare name (stg_*).
func fqnMatcher(sel string) func(n *manifest.Node) bool {
	parts := strings.Split(sel, ".")
	nameGlob := len(parts) == 1 && hasWildcard(sel)
	return func(n *manifest.Node) bool {
		if n.Name == sel || (nameGlob && fnmatch(sel, n.Name)) {
			return true
		}
		return fqnPrefix(n.FQN, sel, parts) || (len(n.FQN) > 1 && fqnPrefix(n.FQN[1:], sel, parts))
	}
}

func fqnPrefix(fqn []string, sel string, parts []string) bool {
	if len(fqn) == 0 {
		return false
	}
	if fqn[len(fqn)-1] == sel {
		return true
	}
	// Dots inside a segment (versioned or dotted names) separate parts too.
	flat := fqn
	if slices.ContainsFunc(fqn, func(s string) bool { return strings.Contains(s, ".") }) {
		flat = strings.Split(strings.Join(fqn, "."), ".")
	}
	for i, part := range parts {
		if hasWildcard(part) {
			return fnmatch(strings.Join(parts[i:], "."), strings.Join(flat[min(i, len(flat)):], "."))
		}
		if i >= len(flat) || flat[i] != part {
			return false
		}
	}
	return true
}

// matchConfig compares config.<key>[.<sub>...] with a value: lists match when
// any element does, and scalars compare as text case-insensitively so true,
// True and 3 match what YAML gave. Keys are dbt's JSON names; keys strata does
// not model are looked up in Config.Extra.
func (s *selection) matchConfig(n *manifest.Node, keys []string, want string) bool {
	var cur reflect.Value
	if fi, ok := s.configFields[keys[0]]; ok {
		cur = reflect.ValueOf(&n.Config).Elem().Field(fi)
	} else {
		v, ok := n.Config.Extra[keys[0]]
		if !ok {
			return false
		}
		cur = reflect.ValueOf(v)
	}
	for _, k := range keys[1:] {
		cur = deref(cur)
		if !cur.IsValid() || cur.Kind() != reflect.Map || cur.Type().Key().Kind() != reflect.String {
			return false
		}
		cur = cur.MapIndex(reflect.ValueOf(k).Convert(cur.Type().Key()))
	}
	cur = deref(cur)
	if !cur.IsValid() {
		return false
	}
	switch cur.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range cur.Len() {
			if e := deref(cur.Index(i)); e.IsValid() && scalarEqual(e, want) {
				return true
			}
		}
		return false
	case reflect.Map, reflect.Struct:
		return false
	}
	return scalarEqual(cur, want)
}

// deref follows pointers and interfaces; the result is invalid for nil.
func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

func scalarEqual(v reflect.Value, want string) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		return false
	}
	return strings.EqualFold(fmt.Sprint(v.Interface()), want)
}

// configFieldIndex maps dbt's config key names (manifest.Config's JSON names) to
// field indexes.
func configFieldIndex() map[string]int {
	out := map[string]int{}
	t := reflect.TypeFor[manifest.Config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}
