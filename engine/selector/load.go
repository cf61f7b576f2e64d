package selector

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// LoadManifest reads a manifest.json in dbt's format (as strata or dbt wrote it),
// for state: comparison and --defer. Config values dbt writes in other shapes
// (a unique_key string, hooks as objects) are normalised; config keys strata does
// not model land in Config.Extra. Each node's Relation is filled from its
// database, schema and alias (identifier for sources).
func LoadManifest(path string) (*manifest.Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read state manifest: %w", err)
	}
	var raw struct {
		Metadata  manifest.Metadata          `json:"metadata"`
		Nodes     map[string]json.RawMessage `json:"nodes"`
		Sources   map[string]json.RawMessage `json:"sources"`
		Macros    map[string]*manifest.Macro `json:"macros"`
		Docs      map[string]*manifest.Doc   `json:"docs"`
		ParentMap map[string][]string        `json:"parent_map"`
		ChildMap  map[string][]string        `json:"child_map"`
		Exposures map[string]json.RawMessage `json:"exposures"`
		UnitTests map[string]json.RawMessage `json:"unit_tests"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse state manifest %s: %w", path, err)
	}
	m := manifest.New()
	m.Metadata = raw.Metadata
	m.ParentMap, m.ChildMap = raw.ParentMap, raw.ChildMap
	if raw.Macros != nil {
		m.Macros = raw.Macros
	}
	if raw.Docs != nil {
		m.Docs = raw.Docs
	}
	known := configFieldIndex()
	for _, group := range []struct {
		in  map[string]json.RawMessage
		out map[string]*manifest.Node
	}{{raw.Nodes, m.Nodes}, {raw.Sources, m.Sources}, {raw.Exposures, m.Exposures}, {raw.UnitTests, m.UnitTests}} {
		for id, msg := range group.in {
			n, err := decodeNode(msg, known)
			if err != nil {
				return nil, fmt.Errorf("parse state manifest %s: node %s: %w", path, id, err)
			}
			if n.UniqueID == "" {
				n.UniqueID = id
			}
			group.out[id] = n
		}
	}
	return m, nil
}

func decodeNode(msg json.RawMessage, known map[string]int) (*manifest.Node, error) {
	// The outer Config field hides the embedded node's, so config arrives as a
	// plain map and can be normalised before it is typed.
	aux := struct {
		*manifest.Node
		Config map[string]any `json:"config"`
	}{Node: &manifest.Node{}}
	if err := json.Unmarshal(msg, &aux); err != nil {
		return nil, err
	}
	n := aux.Node
	cfg, err := decodeConfig(aux.Config, known)
	if err != nil {
		return nil, err
	}
	n.Config = cfg
	ident := n.Alias
	if n.ResourceType == manifest.Source || ident == "" {
		ident = n.Identifier
	}
	if ident == "" {
		ident = n.Name
	}
	if n.Schema != "" {
		n.Relation = relation.Relation{Database: n.Database, Schema: n.Schema, Identifier: ident}
	}
	return n, nil
}

func decodeConfig(c map[string]any, known map[string]int) (manifest.Config, error) {
	var cfg manifest.Config
	if c == nil {
		return cfg, nil
	}
	norm := make(map[string]any, len(c))
	for k, v := range c {
		switch k {
		case "unique_key", "check_cols", "tags":
			if s, ok := v.(string); ok {
				v = []any{s}
			}
		case "pre-hook", "post-hook":
			v = hookSQL(v)
		}
		norm[k] = v
	}
	b, err := json.Marshal(norm)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	for k, v := range c {
		if _, ok := known[k]; !ok {
			if cfg.Extra == nil {
				cfg.Extra = map[string]any{}
			}
			cfg.Extra[k] = v
		}
	}
	return cfg, nil
}

// hookSQL turns dbt's hook objects ({"sql": ..., "transaction": ...}) into SQL text.
func hookSQL(v any) []any {
	var out []any
	add := func(h any) {
		switch x := h.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			if s, ok := x["sql"].(string); ok {
				out = append(out, s)
			}
		}
	}
	if list, ok := v.([]any); ok {
		for _, h := range list {
			add(h)
		}
	} else {
		add(v)
	}
	return out
}

// LoadResults reads a run_results.json and maps each result's unique_id to its
// status (success, error, fail, warn, pass, skipped), for result: selectors and
// retry.
func LoadResults(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run results: %w", err)
	}
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rr); err != nil {
		return nil, fmt.Errorf("parse run results %s: %w", path, err)
	}
	out := make(map[string]string, len(rr.Results))
	for _, r := range rr.Results {
		out[r.UniqueID] = r.Status
	}
	return out, nil
}
