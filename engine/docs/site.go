package docs

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/manifest"
)

//go:embed site/index.html.tmpl
var siteFS embed.FS

// page is everything index.html shows, computed in one linear pass over the
// manifest so the template only loops.
type page struct {
	Project     string
	Adapter     string
	Target      string
	GeneratedAt string
	Counts      []count
	Sections    []section
	Nodes       []*nodeView
	Errors      []string
}

type count struct {
	Label string
	N     int
}

// section is one resource type in the sidebar, split into folders.
type section struct {
	Title   string
	Folders []folder
}

type folder struct {
	Name  string
	Items []link
}

type link struct {
	ID    string
	Name  string
	Kind  string
	Built bool
}

type nodeView struct {
	ID           string
	Name         string
	Kind         string
	Path         string
	Relation     string
	Materialized string
	Description  string
	Tags         []string
	// Built says the catalog found the relation; CatalogType is its kind there.
	Built       bool
	CatalogType string
	Owner       string
	Columns     []columnView
	Tests       []testView // tests on the whole node (not one column)
	DependsOn   []link
	UsedBy      []link
	RawCode     string
	Compiled    string
	// Sources only.
	SourceName        string
	SourceDescription string
	LoadedAtField     string
	Freshness         string
}

type columnView struct {
	Name        string
	Type        string
	Description string
	Tests       []testView
}

type testView struct {
	ID    string
	Label string
	Warn  bool
}

// RenderSite writes the documentation page for m (and what c found in the
// warehouse; c may be nil) to w. The page is self-contained: styles and the
// little script it has are inline, and every node is a section shown when the
// URL's fragment names it, so it works from a file:// URL too.
func RenderSite(w io.Writer, m *manifest.Manifest, c *Catalog) error {
	src, err := siteFS.ReadFile("site/index.html.tmpl")
	if err != nil {
		return fmt.Errorf("read page template: %w", err)
	}
	t, err := template.New("index").Parse(string(src))
	if err != nil {
		return fmt.Errorf("parse page template: %w", err)
	}
	if err := t.Execute(w, buildPage(m, c)); err != nil {
		return fmt.Errorf("render %s: %w", IndexFile, err)
	}
	return nil
}

// shown reports whether a node gets a page of its own.
func shown(n *manifest.Node) bool {
	switch n.ResourceType {
	case manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Source, manifest.Exposure:
		return true
	}
	return false
}

func buildPage(m *manifest.Manifest, c *Catalog) *page {
	if c == nil {
		c = &Catalog{}
	}
	p := &page{
		Project: m.Metadata.ProjectName, Adapter: m.Metadata.AdapterType, Target: m.Metadata.TargetName,
		GeneratedAt: m.Metadata.GeneratedAt, Errors: c.Errors,
	}
	if c.Metadata.GeneratedAt != "" {
		p.GeneratedAt = c.Metadata.GeneratedAt
	}
	// Tests per node they test: generic tests by attached node, singular
	// tests under every node they select from.
	tests := map[string][]*manifest.Node{}
	var docNodes []*manifest.Node
	m.All(func(n *manifest.Node) {
		switch {
		case n.ResourceType == manifest.Test && n.AttachedNode != "":
			tests[n.AttachedNode] = append(tests[n.AttachedNode], n)
		case n.ResourceType == manifest.Test:
			for _, d := range n.DependsOn.Nodes {
				tests[d] = append(tests[d], n)
			}
		case shown(n):
			docNodes = append(docNodes, n)
		}
	})
	sort.Slice(docNodes, func(i, j int) bool { return docNodes[i].UniqueID < docNodes[j].UniqueID })
	built := func(id string) (*CatalogTable, bool) {
		if t, ok := c.Nodes[id]; ok {
			return t, true
		}
		t, ok := c.Sources[id]
		return t, ok
	}
	linkTo := func(id string) (link, bool) {
		n, ok := m.Node(id)
		if !ok || !shown(n) {
			return link{}, false
		}
		_, b := built(id)
		return link{ID: id, Name: label(n), Kind: string(n.ResourceType), Built: b}, true
	}

	byKind := map[manifest.ResourceType]map[string][]link{}
	for _, n := range docNodes {
		ct, isBuilt := built(n.UniqueID)
		v := &nodeView{
			ID: n.UniqueID, Name: label(n), Kind: string(n.ResourceType), Path: n.OriginalFilePath,
			Relation: n.Relation.String(), Materialized: n.Config.Materialized, Description: n.Description,
			Tags: n.Tags, Built: isBuilt, RawCode: n.RawCode, Compiled: n.CompiledCode,
			SourceName: n.SourceName, SourceDescription: n.SourceDescription, LoadedAtField: n.LoadedAtField,
			Freshness: freshness(n.Freshness),
		}
		if n.ResourceType == manifest.Source {
			v.Materialized = ""
		}
		if x := n.Exposure; x != nil {
			// An exposure: what it is and who owns it, in place of a relation.
			v.Materialized = x.Type
			owner := strings.TrimSpace(x.Owner.Name + " " + x.Owner.Email)
			v.Description = strings.TrimSpace(fmt.Sprintf("%s\n\n%s, maturity %s, owned by %s %s", n.Description, x.Label, orDash(x.Maturity), owner, x.URL))
		}
		if isBuilt {
			v.CatalogType = ct.Metadata.Type
			if ct.Metadata.Owner != nil {
				v.Owner = *ct.Metadata.Owner
			}
		}
		v.Columns, v.Tests = columns(n, ct, tests[n.UniqueID])
		for _, d := range n.DependsOn.Nodes {
			if l, ok := linkTo(d); ok {
				v.DependsOn = append(v.DependsOn, l)
			}
		}
		for _, ch := range m.ChildMap[n.UniqueID] {
			if l, ok := linkTo(ch); ok {
				v.UsedBy = append(v.UsedBy, l)
			}
		}
		sortLinks(v.DependsOn)
		sortLinks(v.UsedBy)
		p.Nodes = append(p.Nodes, v)

		group := path.Dir(n.OriginalFilePath)
		if n.ResourceType == manifest.Source {
			group = n.SourceName
		}
		if byKind[n.ResourceType] == nil {
			byKind[n.ResourceType] = map[string][]link{}
		}
		byKind[n.ResourceType][group] = append(byKind[n.ResourceType][group],
			link{ID: n.UniqueID, Name: v.Name, Kind: v.Kind, Built: isBuilt})
	}
	for _, k := range []struct {
		t     manifest.ResourceType
		title string
	}{{manifest.Source, "Sources"}, {manifest.Seed, "Seeds"}, {manifest.Model, "Models"}, {manifest.Snapshot, "Snapshots"}, {manifest.Exposure, "Exposures"}} {
		groups := byKind[k.t]
		n := 0
		s := section{Title: k.title}
		for name, items := range groups {
			sortLinks(items)
			s.Folders = append(s.Folders, folder{Name: name, Items: items})
			n += len(items)
		}
		sort.Slice(s.Folders, func(i, j int) bool { return s.Folders[i].Name < s.Folders[j].Name })
		p.Counts = append(p.Counts, count{Label: strings.ToLower(k.title), N: n})
		if n > 0 {
			p.Sections = append(p.Sections, s)
		}
	}
	nTests := 0
	for _, n := range m.Nodes {
		if n.ResourceType == manifest.Test {
			nTests++
		}
	}
	p.Counts = append(p.Counts, count{Label: "tests", N: nTests}, count{Label: "built relations", N: len(c.Nodes) + len(c.Sources)})
	return p
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// label is a node's name as a user refers to it (source_name.table for sources).
func label(n *manifest.Node) string {
	if n.ResourceType == manifest.Source {
		return n.SourceName + "." + n.Name
	}
	return n.Name
}

func sortLinks(ls []link) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].Name != ls[j].Name {
			return ls[i].Name < ls[j].Name
		}
		return ls[i].ID < ls[j].ID
	})
}

// columns merges the warehouse's columns (in their order, with types) with the
// documented ones (descriptions; documented-only columns follow), and splits
// the node's tests into per-column and whole-node ones. Names match ignoring
// case, since Snowflake reports unquoted names in upper case.
func columns(n *manifest.Node, ct *CatalogTable, tests []*manifest.Node) ([]columnView, []testView) {
	var out []columnView
	at := map[string]int{}
	if ct != nil {
		cols := make([]*CatalogColumn, 0, len(ct.Columns))
		for _, c := range ct.Columns {
			cols = append(cols, c)
		}
		sort.Slice(cols, func(i, j int) bool { return cols[i].Index < cols[j].Index })
		for _, c := range cols {
			at[strings.ToLower(c.Name)] = len(out)
			out = append(out, columnView{Name: c.Name, Type: c.Type})
		}
	}
	documented := make([]string, 0, len(n.Columns))
	for name := range n.Columns {
		documented = append(documented, name)
	}
	sort.Strings(documented)
	for _, name := range documented {
		dc := n.Columns[name]
		i, ok := at[strings.ToLower(name)]
		if !ok {
			i = len(out)
			at[strings.ToLower(name)] = i
			out = append(out, columnView{Name: name, Type: dc.DataType})
		}
		out[i].Description = dc.Description
	}
	var whole []testView
	sort.Slice(tests, func(i, j int) bool { return tests[i].Name < tests[j].Name })
	for _, t := range tests {
		tv := testView{ID: t.UniqueID, Label: testLabel(t), Warn: t.Config.Severity == "warn"}
		if t.ColumnName != "" && t.AttachedNode == n.UniqueID {
			i, ok := at[strings.ToLower(t.ColumnName)]
			if !ok {
				i = len(out)
				at[strings.ToLower(t.ColumnName)] = i
				out = append(out, columnView{Name: t.ColumnName})
			}
			out[i].Tests = append(out[i].Tests, tv)
			continue
		}
		whole = append(whole, tv)
	}
	return out, whole
}

// testLabel names a test as its YAML reads: the generic test and its key
// arguments, or the singular test's name.
func testLabel(t *manifest.Node) string {
	if t.TestMetadata == nil {
		return t.Name
	}
	kw := t.TestMetadata.Kwargs
	switch t.TestMetadata.Name {
	case "accepted_values":
		if vs, ok := kw["values"].([]any); ok {
			parts := make([]string, len(vs))
			for i, v := range vs {
				parts[i] = fmt.Sprint(v)
			}
			return "accepted_values: " + strings.Join(parts, ", ")
		}
	case "relationships":
		if to, ok := kw["to"].(string); ok {
			return fmt.Sprintf("relationships: %s.%v", to, kw["field"])
		}
	}
	return t.TestMetadata.Name
}

func freshness(f *manifest.Freshness) string {
	if f == nil || (f.WarnAfter == nil && f.ErrorAfter == nil) {
		return ""
	}
	var parts []string
	if f.WarnAfter != nil {
		parts = append(parts, fmt.Sprintf("warn after %d %s", f.WarnAfter.Count, f.WarnAfter.Period))
	}
	if f.ErrorAfter != nil {
		parts = append(parts, fmt.Sprintf("error after %d %s", f.ErrorAfter.Count, f.ErrorAfter.Period))
	}
	if f.Filter != "" {
		parts = append(parts, "filter: "+f.Filter)
	}
	return strings.Join(parts, "; ")
}
