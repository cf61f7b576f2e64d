package artifact

import (
	"slices"
	"strings"

	"github.com/strata-dev/strata/engine/manifest"
)

// Exposures, unit tests and groups have shapes of their own in dbt's
// manifest; they are few, so they are written through encoding/json from
// these views (field order as dbt writes them).

type dependsOnView struct {
	Macros []string `json:"macros"`
	Nodes  []string `json:"nodes"`
}

type ownerView struct {
	Email *string `json:"email"`
	Name  *string `json:"name"`
}

func owner(o manifest.Owner) any {
	v := map[string]any{"email": nilIfEmpty(o.Email), "name": nilIfEmpty(o.Name)}
	for k, x := range o.Extra {
		if _, taken := v[k]; !taken {
			v[k] = x
		}
	}
	return v
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type refView struct {
	Name    string  `json:"name"`
	Package *string `json:"package"`
	Version any     `json:"version"`
}

type exposureView struct {
	Name             string         `json:"name"`
	ResourceType     string         `json:"resource_type"`
	PackageName      string         `json:"package_name"`
	Path             string         `json:"path"`
	OriginalFilePath string         `json:"original_file_path"`
	UniqueID         string         `json:"unique_id"`
	FQN              []string       `json:"fqn"`
	Type             string         `json:"type"`
	Owner            any            `json:"owner"`
	Description      string         `json:"description"`
	Label            *string        `json:"label"`
	Maturity         *string        `json:"maturity"`
	Meta             map[string]any `json:"meta"`
	Tags             []string       `json:"tags"`
	Config           map[string]any `json:"config"`
	UnrenderedConfig map[string]any `json:"unrendered_config"`
	URL              *string        `json:"url"`
	DependsOn        dependsOnView  `json:"depends_on"`
	Refs             []refView      `json:"refs"`
	Sources          [][]string     `json:"sources"`
	Metrics          []any          `json:"metrics"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func exposureViews(m *manifest.Manifest) map[string]any {
	out := make(map[string]any, len(m.Exposures))
	for id, n := range m.Exposures {
		x := n.Exposure
		if x == nil {
			x = &manifest.ExposureInfo{}
		}
		refs := make([]refView, 0, len(n.Refs))
		for _, r := range n.Refs {
			refs = append(refs, refView{Name: r.Name, Package: strPtr(r.Package)})
		}
		meta := n.Meta
		if meta == nil {
			meta = map[string]any{}
		}
		tags := n.Tags
		if tags == nil {
			tags = []string{}
		}
		sources := n.Sources
		if sources == nil {
			sources = [][]string{}
		}
		unrendered := n.UnrenderedConfig
		if unrendered == nil {
			unrendered = map[string]any{}
		}
		out[id] = exposureView{
			Name: n.Name, ResourceType: string(manifest.Exposure), PackageName: n.PackageName, Path: n.Path,
			OriginalFilePath: n.OriginalFilePath, UniqueID: n.UniqueID, FQN: n.FQN, Type: x.Type, Owner: owner(x.Owner),
			Description: n.Description, Label: strPtr(x.Label), Maturity: strPtr(x.Maturity), Meta: meta, Tags: tags,
			Config:           map[string]any{"enabled": true, "tags": tags, "meta": meta},
			UnrenderedConfig: unrendered, URL: strPtr(x.URL),
			DependsOn: dependsOnView{Macros: orEmpty(n.DependsOn.Macros), Nodes: orEmpty(n.DependsOn.Nodes)},
			Refs:      refs, Sources: sources, Metrics: []any{},
		}
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type unitInputView struct {
	Input   string `json:"input,omitempty"`
	Rows    any    `json:"rows"`
	Format  string `json:"format"`
	Fixture any    `json:"fixture"`
}

type unitTestView struct {
	Model            string          `json:"model"`
	Given            []unitInputView `json:"given"`
	Expect           unitInputView   `json:"expect"`
	Name             string          `json:"name"`
	ResourceType     string          `json:"resource_type"`
	PackageName      string          `json:"package_name"`
	Path             string          `json:"path"`
	OriginalFilePath string          `json:"original_file_path"`
	UniqueID         string          `json:"unique_id"`
	FQN              []string        `json:"fqn"`
	Description      string          `json:"description"`
	Overrides        any             `json:"overrides"`
	DependsOn        dependsOnView   `json:"depends_on"`
	Config           map[string]any  `json:"config"`
	Checksum         any             `json:"checksum"`
	Version          any             `json:"version"`
}

func unitInput(in manifest.UnitInput) unitInputView {
	v := unitInputView{Input: in.Input, Rows: in.Raw, Format: in.Format}
	if in.Format == "sql" && in.Raw == nil && in.SQL != "" && in.Fixture == "" {
		v.Rows = in.SQL
	}
	if in.Fixture != "" {
		v.Fixture = in.Fixture
	}
	return v
}

func unitTestViews(m *manifest.Manifest) map[string]any {
	out := make(map[string]any, len(m.UnitTests))
	for id, n := range m.UnitTests {
		u := n.UnitTest
		if u == nil {
			u = &manifest.UnitTestDef{}
		}
		given := make([]unitInputView, 0, len(u.Given))
		for _, g := range u.Given {
			given = append(given, unitInput(g))
		}
		var version any
		if u.Version != "" {
			version = u.Version
		}
		var overrides any
		if len(u.Overrides) > 0 {
			overrides = u.Overrides
		}
		meta := n.Config.Meta
		if meta == nil {
			meta = map[string]any{}
		}
		tags := n.Config.Tags
		if tags == nil {
			tags = []string{}
		}
		out[id] = unitTestView{
			Model: u.Model, Given: given, Expect: unitInput(u.Expect), Name: n.Name, ResourceType: string(manifest.UnitTest),
			PackageName: n.PackageName, Path: n.Path, OriginalFilePath: n.OriginalFilePath, UniqueID: n.UniqueID, FQN: n.FQN,
			Description: n.Description, Overrides: overrides,
			DependsOn: dependsOnView{Macros: orEmpty(n.DependsOn.Macros), Nodes: []string{u.ModelID}},
			Config:    map[string]any{"tags": tags, "meta": meta, "enabled": true},
			Checksum:  n.Checksum, Version: version,
		}
	}
	return out
}

func orEmptyGroups(g map[string]*manifest.Group) map[string]*manifest.Group {
	if g == nil {
		return map[string]*manifest.Group{}
	}
	return g
}

// groupMap is dbt's group_map: each group's name to the unique_ids of the
// nodes in it.
func groupMap(m *manifest.Manifest) map[string][]string {
	out := map[string][]string{}
	add := func(n *manifest.Node) {
		if n == nil {
			return
		}
		g := n.Group
		if g == "" {
			g = n.Config.Group
		}
		if g != "" {
			out[g] = append(out[g], n.UniqueID)
		}
	}
	for _, n := range m.Nodes {
		add(n)
	}
	for _, ids := range out {
		slices.SortFunc(ids, strings.Compare)
	}
	return out
}
