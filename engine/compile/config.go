package compile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// normKey spells a config key the way dbt stores it.
func normKey(k string) string {
	k = strings.TrimPrefix(k, "+")
	switch k {
	case "pre_hook":
		return "pre-hook"
	case "post_hook":
		return "post-hook"
	}
	return k
}

// mergeKey sets one config key with dbt's merge rules: tags and hooks add up,
// meta (and other dicts of that kind) merge key by key, everything else overrides.
func mergeKey(dst map[string]any, k string, v any) {
	k = normKey(k)
	switch k {
	case "tags", "pre-hook", "post-hook":
		prev := asList(dst[k])
		for _, x := range asList(v) {
			if k == "tags" && containsAny(prev, x) {
				continue
			}
			prev = append(prev, x)
		}
		dst[k] = prev
	case "meta", "persist_docs", "column_types", "grants":
		m, _ := dst[k].(map[string]any)
		nm := map[string]any{}
		for kk, vv := range m {
			nm[kk] = vv
		}
		if add, ok := v.(map[string]any); ok {
			for kk, vv := range add {
				nm[kk] = vv
			}
		}
		dst[k] = nm
	default:
		dst[k] = v
	}
}

func mergeAll(dst map[string]any, src map[string]any) {
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		mergeKey(dst, k, src[k])
	}
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return append([]any(nil), t...)
	case []string:
		return anyList(t)
	default:
		return []any{t}
	}
}

func containsAny(l []any, x any) bool {
	for _, e := range l {
		if fmt.Sprint(e) == fmt.Sprint(x) {
			return true
		}
	}
	return false
}

// folderConfig collects the folder-level config for a file under dirs
// (its directories below the resource root), outermost first.
func folderConfig(fc *project.FolderConfig, projectName string, dirs []string) map[string]any {
	out := map[string]any{}
	if fc == nil {
		return out
	}
	mergeAll(out, fc.Config)
	cur := fc.Children[projectName]
	if cur == nil {
		return out
	}
	mergeAll(out, cur.Config)
	for _, d := range dirs {
		cur = cur.Children[d]
		if cur == nil {
			break
		}
		mergeAll(out, cur.Config)
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func strList(v any) []string {
	var out []string
	for _, x := range asList(v) {
		switch t := x.(type) {
		case map[string]any: // hooks written as {sql: ..., transaction: ...}
			if s, ok := t["sql"]; ok {
				out = append(out, fmt.Sprint(s))
			}
		default:
			out = append(out, pyStr(x))
		}
	}
	return out
}

func boolOf(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.ToLower(t))
		return b, err == nil
	}
	return false, false
}

// fillConfig turns a merged config map into manifest.Config. Keys it does not
// know are kept in Extra.
func fillConfig(m map[string]any, materializedDefault string) manifest.Config {
	c := manifest.Config{Enabled: true, Materialized: materializedDefault, Tags: []string{}, Meta: map[string]any{},
		PreHook: []string{}, PostHook: []string{}}
	for k, v := range m {
		s := ""
		if v != nil {
			s = pyStr(v)
		}
		switch k {
		case "enabled":
			if b, ok := boolOf(v); ok {
				c.Enabled = b
			}
		case "materialized":
			c.Materialized = s
		case "database":
			c.Database = s
		case "schema":
			c.Schema = s
		case "alias":
			c.Alias = s
		case "tags":
			c.Tags = strList(v)
		case "meta":
			if mm, ok := v.(map[string]any); ok {
				c.Meta = mm
			}
		case "persist_docs":
			c.PersistDocs, _ = v.(map[string]any)
		case "full_refresh":
			if b, ok := boolOf(v); ok {
				c.FullRefresh = &b
			}
		case "pre-hook":
			c.PreHook = strList(v)
		case "post-hook":
			c.PostHook = strList(v)
		case "unique_key":
			c.UniqueKey = strList(v)
		case "incremental_strategy":
			c.IncrementalStrategy = s
		case "on_schema_change":
			c.OnSchemaChange = s
		case "transient":
			if b, ok := boolOf(v); ok {
				c.Transient = &b
			}
		case "column_types":
			if mm, ok := v.(map[string]any); ok {
				c.ColumnTypes = map[string]string{}
				for kk, vv := range mm {
					c.ColumnTypes[kk] = pyStr(vv)
				}
			}
		case "quote_columns":
			if b, ok := boolOf(v); ok {
				c.QuoteColumns = &b
			}
		case "delimiter":
			c.Delimiter = s
		case "severity":
			c.Severity = strings.ToLower(s)
		case "warn_if":
			c.WarnIf = s
		case "error_if":
			c.ErrorIf = s
		case "fail_calc":
			c.FailCalc = s
		case "where":
			c.Where = s
		case "limit":
			if n, err := strconv.Atoi(s); err == nil {
				c.Limit = &n
			}
		case "store_failures":
			c.StoreFailures, _ = boolOf(v)
		case "strategy":
			c.Strategy = s
		case "updated_at":
			c.UpdatedAt = s
		case "check_cols":
			c.CheckCols = strList(v)
		case "hard_deletes":
			c.HardDeletes = s
		case "invalidate_hard_deletes":
			if b, _ := boolOf(v); b && c.HardDeletes == "" {
				c.HardDeletes = "invalidate"
			}
		case "target_schema":
			c.TargetSchema = s
		case "target_database":
			c.TargetDatabase = s
		case "group":
			c.Group = s
		case "access":
			c.Access = strings.ToLower(s)
		case "contract":
			if mm, ok := v.(map[string]any); ok {
				ct := &manifest.Contract{AliasTypes: true}
				ct.Enforced, _ = boolOf(mm["enforced"])
				if b, ok := boolOf(mm["alias_types"]); ok {
					ct.AliasTypes = b
				}
				c.Contract = ct
			}
		default:
			if c.Extra == nil {
				c.Extra = map[string]any{}
			}
			c.Extra[k] = v
		}
	}
	if c.Materialized == "incremental" && c.OnSchemaChange == "" {
		c.OnSchemaChange = "ignore"
	}
	if materializedDefault == "test" {
		if c.Severity == "" {
			c.Severity = "error"
		}
		if c.WarnIf == "" {
			c.WarnIf = "!=0"
		}
		if c.ErrorIf == "" {
			c.ErrorIf = "!=0"
		}
		if c.FailCalc == "" {
			c.FailCalc = "count(*)"
		}
	}
	if materializedDefault == "snapshot" && c.HardDeletes == "" {
		c.HardDeletes = "ignore"
	}
	return c
}

// pyStr is Python's str() of a config or YAML value, as a template prints it.
func pyStr(x any) string { return jinja.FromGo(x).String() }

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
