package selector

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/strata-dev/strata/engine/manifest"
)

var stateMethods = []string{
	"new", "old", "modified", "unmodified",
	"modified.body", "modified.configs", "modified.relation",
	"modified.persisted_descriptions", "modified.macros",
}

// relationKeys are the configs that place a node in the warehouse.
var relationKeys = []string{"database", "schema", "alias", "target_database", "target_schema"}

// stateCompare compares the current manifest with the one from --state. It
// compares what the user wrote (raw code, unrendered config, checksums), never
// rendered output, so an unchanged project parsed for another target or
// environment compares equal.
type stateCompare struct {
	cur, prev *manifest.Manifest
	macros    map[string]bool // macro unique_id -> changed, itself or through macros it calls
}

func newStateCompare(cur, prev *manifest.Manifest) *stateCompare {
	return &stateCompare{cur: cur, prev: prev, macros: map[string]bool{}}
}

func (c *stateCompare) match(method string, n *manifest.Node) bool {
	old, existed := c.prev.Node(n.UniqueID)
	switch method {
	case "new":
		return !existed
	case "old":
		return existed
	case "modified":
		return !existed || c.modified(n, old)
	case "unmodified":
		return existed && !c.modified(n, old)
	case "modified.macros":
		// A new node did not have macros change under it; state:new finds it.
		return existed && c.macrosChanged(n)
	}
	if !existed {
		return true // dbt: every modified.* check holds for a node with no old version
	}
	switch method {
	case "modified.body":
		return !sameBody(n, old)
	case "modified.configs":
		return !sameConfig(n, old)
	case "modified.relation":
		return !sameRelation(n, old)
	case "modified.persisted_descriptions":
		return !samePersistedDescriptions(n, old)
	}
	return false
}

func (c *stateCompare) modified(n, old *manifest.Node) bool {
	if n.ResourceType == manifest.Source {
		return !sameSource(n, old) || !samePersistedDescriptions(n, old)
	}
	return !sameBody(n, old) || !sameConfig(n, old) || !sameRelation(n, old) ||
		!samePersistedDescriptions(n, old) || !slices.Equal(n.FQN, old.FQN) ||
		c.macrosChanged(n)
}

// sameBody compares what the user wrote: a seed's CSV checksum, otherwise the raw
// template (the checksum when neither has one), and a generic test's arguments.
func sameBody(n, old *manifest.Node) bool {
	if n.ResourceType == manifest.Seed {
		return n.Checksum.Checksum == old.Checksum.Checksum
	}
	if n.RawCode == "" && old.RawCode == "" {
		if n.Checksum.Checksum != old.Checksum.Checksum {
			return false
		}
	} else if n.RawCode != old.RawCode {
		return false
	}
	if (n.TestMetadata == nil) != (old.TestMetadata == nil) {
		return false
	}
	if n.TestMetadata != nil {
		return n.TestMetadata.Name == old.TestMetadata.Name &&
			n.TestMetadata.Namespace == old.TestMetadata.Namespace &&
			sameJSON(n.TestMetadata.Kwargs, old.TestMetadata.Kwargs)
	}
	return true
}

// sameConfig compares the unrendered config. When neither manifest recorded one
// (an older compiler), the resolved config is compared without the keys that
// differ by target.
func sameConfig(n, old *manifest.Node) bool {
	if len(n.UnrenderedConfig) == 0 && len(old.UnrenderedConfig) == 0 {
		if reflect.DeepEqual(n.Config, old.Config) {
			return true
		}
		return sameJSON(withoutRelationKeys(n.Config), withoutRelationKeys(old.Config))
	}
	return sameJSON(n.UnrenderedConfig, old.UnrenderedConfig)
}

func withoutRelationKeys(cfg manifest.Config) map[string]any {
	out := map[string]any{}
	b, err := json.Marshal(cfg)
	if err != nil {
		return out
	}
	_ = json.Unmarshal(b, &out)
	for _, k := range relationKeys {
		delete(out, k)
	}
	return out
}

// sameRelation compares database, schema and alias as configured, before
// rendering: the rendered relation differs between targets by design.
func sameRelation(n, old *manifest.Node) bool {
	for _, k := range relationKeys {
		if !sameJSON(n.UnrenderedConfig[k], old.UnrenderedConfig[k]) {
			return false
		}
	}
	return true
}

// samePersistedDescriptions compares descriptions only where persist_docs writes
// them to the warehouse.
func samePersistedDescriptions(n, old *manifest.Node) bool {
	if truthy(n.Config.PersistDocs["relation"]) && n.Description != old.Description {
		return false
	}
	if truthy(n.Config.PersistDocs["columns"]) {
		for name, col := range n.Columns {
			if columnDescription(old.Columns[name]) != columnDescription(col) {
				return false
			}
		}
		for name, col := range old.Columns {
			if columnDescription(n.Columns[name]) != columnDescription(col) {
				return false
			}
		}
	}
	return true
}

// columnDescription is a column's description; a column that is not documented
// has none.
func columnDescription(c *manifest.Column) string {
	if c == nil {
		return ""
	}
	return c.Description
}

// sameSource compares what a source's YAML says, leaving out the database and
// schema, which are commonly rendered per target.
func sameSource(n, old *manifest.Node) bool {
	return n.Identifier == old.Identifier && n.LoadedAtField == old.LoadedAtField &&
		sameJSON(n.Freshness, old.Freshness) && sameJSON(n.UnrenderedConfig, old.UnrenderedConfig)
}

// macrosChanged reports whether a macro the node calls, or one those macros
// call, is new or changed since the state manifest.
func (c *stateCompare) macrosChanged(n *manifest.Node) bool {
	for _, id := range n.DependsOn.Macros {
		if c.macroChanged(id) {
			return true
		}
	}
	return false
}

func (c *stateCompare) macroChanged(id string) bool {
	if v, ok := c.macros[id]; ok {
		return v
	}
	c.macros[id] = false // macros may call each other in a loop
	cur, ok := c.cur.Macros[id]
	if !ok {
		return false // a macro built into strata: it has no user-written text
	}
	old, ok := c.prev.Macros[id]
	changed := !ok
	if ok {
		if cur.Checksum.Checksum != "" && old.Checksum.Checksum != "" {
			changed = cur.Checksum.Checksum != old.Checksum.Checksum
		} else {
			changed = cur.MacroSQL != old.MacroSQL
		}
	}
	if !changed {
		for _, dep := range cur.DependsOn.Macros {
			if c.macroChanged(dep) {
				changed = true
				break
			}
		}
	}
	c.macros[id] = changed
	return changed
}

// sameJSON compares two values by their JSON encoding, which sorts map keys and
// writes 3 and 3.0 alike, so a manifest read from disk equals one in memory. An
// absent value equals an empty map or list.
func sameJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true // the common case, without encoding anything
	}
	return bytes.Equal(canonicalJSON(a), canonicalJSON(b))
}

func canonicalJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("!" + err.Error())
	}
	// Round-trip through any so integers and floats print alike, and drop empty
	// values at every depth: a manifest read from disk has null where one in
	// memory has [] (hooks, tags, meta), and neither is a change.
	var x any
	if json.Unmarshal(b, &x) != nil {
		return b
	}
	x = pruneEmpty(x)
	if x == nil {
		return nil
	}
	if b2, err := json.Marshal(x); err == nil {
		return b2
	}
	return b
}

// pruneEmpty removes null, empty lists and empty maps from decoded JSON,
// returning nil when nothing is left.
func pruneEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if p := pruneEmpty(e); p == nil {
				delete(x, k)
			} else {
				x[k] = p
			}
		}
		if len(x) == 0 {
			return nil
		}
		return x
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i, e := range x {
			x[i] = pruneEmpty(e)
		}
		return x
	}
	return v
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}
