package project

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"gopkg.in/yaml.v3"
)

// knownConfigs are the config names that may be written without a leading "+"
// in a folder-level tree. A key outside this set without "+" is a subfolder.
var knownConfigs = map[string]bool{
	// every resource
	"enabled": true, "tags": true, "meta": true, "docs": true, "persist_docs": true,
	"alias": true, "schema": true, "database": true, "quoting": true, "grants": true,
	"pre-hook": true, "post-hook": true, "pre_hook": true, "post_hook": true,
	"group": true, "access": true, "contract": true, "event_time": true,
	// models
	"materialized": true, "unique_key": true, "incremental_strategy": true,
	"on_schema_change": true, "on_configuration_change": true, "full_refresh": true,
	"incremental_predicates": true, "merge_exclude_columns": true, "merge_update_columns": true,
	"batch_size": true, "lookback": true, "begin": true, "concurrent_batches": true,
	"sql_header": true, "transient": true, "cluster_by": true, "automatic_clustering": true,
	"snowflake_warehouse": true, "query_tag": true, "copy_grants": true, "secure": true,
	"target_lag": true, "indexes": true, "unlogged": true, "sort": true, "dist": true,
	"partition_by": true, "file_format": true, "location": true, "packages": true,
	// seeds
	"column_types": true, "quote_columns": true, "delimiter": true,
	// tests
	"severity": true, "warn_if": true, "error_if": true, "fail_calc": true, "where": true,
	"limit": true, "store_failures": true, "store_failures_as": true,
	// snapshots
	"strategy": true, "updated_at": true, "check_cols": true, "hard_deletes": true,
	"invalidate_hard_deletes": true, "target_schema": true, "target_database": true,
	"snapshot_meta_column_names": true, "dbt_valid_to_current": true,
	// sources
	"freshness": true, "loaded_at_field": true, "loaded_at_query": true,
}

// mapConfigs are configs whose value is itself a mapping; any other known config
// name whose value is a mapping is read as a folder of that name.
var mapConfigs = map[string]bool{
	"meta": true, "docs": true, "persist_docs": true, "quoting": true, "grants": true,
	"contract": true, "column_types": true, "freshness": true, "partition_by": true,
	"snapshot_meta_column_names": true, "pre-hook": true, "post-hook": true,
	"pre_hook": true, "post_hook": true, "cluster_by": true, "indexes": true,
}

// KnownConfig reports whether name is a config strata (or dbt) knows, so that a
// folder-level tree may set it without a leading "+".
func KnownConfig(name string) bool { return knownConfigs[name] }

// NormalizeConfigKey maps dbt's alternative spellings to one: pre_hook and
// post_hook become pre-hook and post-hook.
func NormalizeConfigKey(k string) string {
	switch k {
	case "pre_hook":
		return "pre-hook"
	case "post_hook":
		return "post-hook"
	}
	return k
}

// folderTree decodes one folder-level config tree (the value of `models:` and
// the like) following dbt's "+" rule.
func (d *ydec) folderTree(v *yaml.Node, where string) *FolderConfig {
	v = deref(v)
	fc := &FolderConfig{Config: map[string]any{}, Children: map[string]*FolderConfig{}, Line: v.Line}
	for _, p := range d.pairs(v, where) {
		k := p.k.Value
		if strings.HasPrefix(k, "+") {
			name := strings.TrimPrefix(k, "+")
			if name == "" {
				d.errorf(p.k, "invalid config", "%s: \"+\" must be followed by a config name, e.g. +materialized", where)
				continue
			}
			fc.Config[NormalizeConfigKey(name)] = d.value(p.v)
			continue
		}
		vv := deref(p.v)
		isMap := vv.Kind == yaml.MappingNode && !looksLikeJinja(vv)
		// A known name is a config unless its value is a mapping that only a
		// folder could hold (a scalar config, or keys written with "+").
		if knownConfigs[k] && (!isMap || mapConfigs[k] && !hasPlusKey(vv)) {
			fc.Config[NormalizeConfigKey(k)] = d.value(p.v)
			continue
		}
		if isMap || isNull(vv) {
			child := d.folderTree(vv, where+"."+k)
			child.Line = p.k.Line
			fc.Children[k] = child
			continue
		}
		names := make([]string, 0, len(knownConfigs))
		for n := range knownConfigs {
			names = append(names, n)
		}
		sort.Strings(names)
		sugg := diag.Suggest(k, names)
		detail := fmt.Sprintf("%s: %q is not a config strata knows, and a folder's value must be a mapping", where, k)
		if sugg != "" {
			detail += fmt.Sprintf("; did you mean %q?", sugg)
		} else {
			detail += fmt.Sprintf("; write +%s to set a custom config", k)
		}
		d.diags = append(d.diags, diag.Diagnostic{Severity: diag.Error, File: d.file, Line: p.k.Line, Col: p.k.Column,
			Summary: "unknown config", Detail: detail, Suggestion: sugg})
	}
	return fc
}

// Resolve merges the configs that apply to a node from the top of the tree
// down to the deepest matching level: the tree's own level, then pkg (the
// project or package name), then each element of path in turn. path is the
// node's location below its resource path: its folders and then its own name
// (File.ConfigPath), so a level named after the node applies too. Deeper levels
// win, except that tags and hooks accumulate and meta, docs and other
// mapping-valued configs merge key by key (see MergeConfig). A nil tree yields
// an empty map.
func (t *FolderConfig) Resolve(pkg string, path []string) map[string]any {
	out := map[string]any{}
	if t == nil {
		return out
	}
	MergeConfig(out, t.Config)
	node := t.Children[pkg]
	for i := 0; node != nil; i++ {
		MergeConfig(out, node.Config)
		if i >= len(path) {
			break
		}
		node = node.Children[path[i]]
	}
	return out
}

// FolderConfigFor is tree.Resolve with pkg defaulting to the project's name.
func (c *Config) FolderConfigFor(tree *FolderConfig, pkg string, dirs []string) map[string]any {
	if pkg == "" {
		pkg = c.Name
	}
	return tree.Resolve(pkg, dirs)
}

// ConfigPath is the file's location below its resource path, as folder-level
// configs address it: its folders, then its name ("staging", "stg_loans").
func (f File) ConfigPath() []string {
	dir := path.Dir(f.RelPath)
	if dir == "." || dir == "" {
		return []string{f.Name}
	}
	return append(strings.Split(dir, "/"), f.Name)
}

// mergeBehaviour says how a config combines with the same config set higher up.
func mergeBehaviour(k string) int {
	switch k {
	case "tags":
		return mergeUnion
	case "pre-hook", "post-hook":
		return mergeAppend
	case "meta", "docs", "persist_docs", "quoting", "column_types", "grants", "contract", "snapshot_meta_column_names":
		return mergeKeys
	}
	return mergeReplace
}

const (
	mergeReplace = iota
	mergeUnion
	mergeAppend
	mergeKeys
)

// MergeConfig applies src over dst, as a deeper folder or a later layer
// (properties YAML, then config() in the file) overrides an earlier one:
// most keys are replaced; tags are a union in first-seen order (normalised to
// []string); pre-hook and post-hook (either spelling) append (normalised to
// []any); meta, docs, persist_docs, quoting, column_types, grants and contract
// merge key by key. src is not modified and dst never shares its maps or
// slices. It returns dst.
func MergeConfig(dst, src map[string]any) map[string]any {
	for k, v := range src {
		k = NormalizeConfigKey(k)
		switch mergeBehaviour(k) {
		case mergeUnion:
			cur, _ := dst[k].([]string)
			dst[k] = unionStrings(cur, asStrings(v))
		case mergeAppend:
			cur, _ := dst[k].([]any)
			dst[k] = append(append([]any(nil), cur...), asHooks(v)...)
		case mergeKeys:
			sm, ok := v.(map[string]any)
			if !ok {
				dst[k] = v
				continue
			}
			cur, _ := dst[k].(map[string]any)
			m := make(map[string]any, len(cur)+len(sm))
			for kk, vv := range cur {
				m[kk] = vv
			}
			for kk, vv := range sm {
				m[kk] = vv
			}
			dst[k] = m
		default:
			dst[k] = v
		}
	}
	return dst
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

func unionStrings(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	seen := make(map[string]bool, len(a)+len(b))
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// asHooks flattens a hook value: a SQL string, a {sql, transaction} mapping, or
// a list of either.
func asHooks(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, e)
			}
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

func hasPlusKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.HasPrefix(m.Content[i].Value, "+") {
			return true
		}
	}
	return false
}
