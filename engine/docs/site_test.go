package docs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

// siteManifest is a small project: a source, a staging view on it, a mart
// table with documented and tested columns, and a model never built.
func siteManifest() (*manifest.Manifest, *Catalog) {
	src := node("source.shop.raw.orders", manifest.Source, "", "db", "raw", "orders")
	src.SourceName, src.OriginalFilePath, src.Description = "raw", "models/sources.yml", "Orders as the app writes them."
	stg := node("model.shop.stg_orders", manifest.Model, "view", "db", "main", "stg_orders")
	stg.OriginalFilePath = "models/staging/stg_orders.sql"
	stg.RawCode = "select * from {{ source('raw', 'orders') }} where note <> '<script>'"
	stg.CompiledCode = `select * from "db"."raw"."orders" where note <> '<script>'`
	stg.DependsOn.Nodes = []string{src.UniqueID}
	mart := node("model.shop.fct_orders", manifest.Model, "table", "db", "main", "fct_orders")
	mart.OriginalFilePath, mart.Description, mart.Tags = "models/marts/fct_orders.sql", "One row per paid order.", []string{"nightly"}
	mart.Columns = map[string]*manifest.Column{
		"order_id": {Name: "order_id", Description: "The order's id."},
		"legacy":   {Name: "legacy", Description: "Documented, not in the table."},
	}
	mart.DependsOn.Nodes = []string{stg.UniqueID}
	unbuilt := node("model.shop.later", manifest.Model, "table", "db", "main", "later")
	unbuilt.OriginalFilePath = "models/marts/later.sql"
	unbuilt.DependsOn.Nodes = []string{mart.UniqueID}
	uniq := node("test.shop.unique_fct_orders_order_id", manifest.Test, "test", "", "", "unique_fct_orders_order_id")
	uniq.AttachedNode, uniq.ColumnName = mart.UniqueID, "order_id"
	uniq.TestMetadata = &manifest.TestMetadata{Name: "unique"}
	vals := node("test.shop.accepted_values_fct_orders_status", manifest.Test, "test", "", "", "accepted_values_fct_orders_status")
	vals.AttachedNode, vals.ColumnName, vals.Config.Severity = mart.UniqueID, "status", "warn"
	vals.TestMetadata = &manifest.TestMetadata{Name: "accepted_values", Kwargs: map[string]any{"values": []any{"paid", "refunded"}}}
	singular := node("test.shop.assert_positive", manifest.Test, "test", "", "", "assert_positive")
	singular.DependsOn.Nodes = []string{mart.UniqueID}
	m := testManifest(src, stg, mart, unbuilt, uniq, vals, singular)
	m.Metadata.ProjectName, m.Metadata.AdapterType = "shop", "duckdb"
	m.ChildMap = map[string][]string{
		src.UniqueID:  {stg.UniqueID},
		stg.UniqueID:  {mart.UniqueID},
		mart.UniqueID: {unbuilt.UniqueID, uniq.UniqueID, vals.UniqueID, singular.UniqueID},
	}
	c := Assemble(Documented(m, nil), map[Schema][]Table{
		{"db", "main"}: {
			{Name: "fct_orders", Type: "BASE TABLE", Columns: []CatalogColumn{
				{Name: "order_id", Type: "INTEGER", Index: 1}, {Name: "status", Type: "VARCHAR", Index: 2}}},
			{Name: "stg_orders", Type: "VIEW", Columns: []CatalogColumn{{Name: "order_id", Type: "INTEGER", Index: 1}}},
		},
		{"db", "raw"}: {{Name: "orders", Type: "BASE TABLE", Columns: []CatalogColumn{{Name: "order_id", Type: "INTEGER", Index: 1}}}},
	}, CatalogMetadata{GeneratedAt: "2024-01-02T03:04:05Z"})
	return m, c
}

func TestBuildPage(t *testing.T) {
	m, c := siteManifest()
	p := buildPage(m, c)
	byID := map[string]*nodeView{}
	for _, n := range p.Nodes {
		byID[n.ID] = n
	}
	if len(p.Nodes) != 4 {
		t.Fatalf("%d node pages, want 4 (tests have none)", len(p.Nodes))
	}
	mart := byID["model.shop.fct_orders"]
	var cols []string
	for _, c := range mart.Columns {
		var tests []string
		for _, t := range c.Tests {
			tests = append(tests, t.Label)
		}
		cols = append(cols, fmt.Sprintf("%s:%s:%q:%v", c.Name, c.Type, c.Description, tests))
	}
	want := []string{
		`order_id:INTEGER:"The order's id.":[unique]`,
		`status:VARCHAR:"":[accepted_values: paid, refunded]`,
		`legacy::"Documented, not in the table.":[]`,
	}
	if strings.Join(cols, "\n") != strings.Join(want, "\n") {
		t.Errorf("fct_orders columns:\n%s\nwant:\n%s", strings.Join(cols, "\n"), strings.Join(want, "\n"))
	}
	if len(mart.Tests) != 1 || mart.Tests[0].Label != "assert_positive" {
		t.Errorf("whole-model tests = %+v, want the singular test", mart.Tests)
	}
	if len(mart.DependsOn) != 1 || mart.DependsOn[0].ID != "model.shop.stg_orders" {
		t.Errorf("depends on = %+v", mart.DependsOn)
	}
	if len(mart.UsedBy) != 1 || mart.UsedBy[0].ID != "model.shop.later" || mart.UsedBy[0].Built {
		t.Errorf("referenced by = %+v, want only the unbuilt model (tests are listed apart)", mart.UsedBy)
	}
	if !mart.Built || mart.CatalogType != "BASE TABLE" || byID["model.shop.later"].Built {
		t.Errorf("built flags: fct_orders %v %q, later %v", mart.Built, mart.CatalogType, byID["model.shop.later"].Built)
	}
	var folders []string
	for _, s := range p.Sections {
		for _, f := range s.Folders {
			folders = append(folders, fmt.Sprintf("%s/%s(%d)", s.Title, f.Name, len(f.Items)))
		}
	}
	if got := strings.Join(folders, " "); got != "Sources/raw(1) Models/models/marts(2) Models/models/staging(1)" {
		t.Errorf("sidebar = %s", got)
	}
}

func TestRenderSite(t *testing.T) {
	m, c := siteManifest()
	var b bytes.Buffer
	if err := RenderSite(&b, m, c); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`<section id="model.shop.fct_orders" class="node">`,
		`href="#model.shop.stg_orders"`,
		"One row per paid order.",
		"The order&#39;s id.",
		`<td class="type">VARCHAR</td>`,
		"accepted_values: paid, refunded",
		`class="test warn"`,
		"raw.orders",
		"&lt;script&gt;", // code is escaped, never markup
		`<span class="tag">nightly</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>'") {
		t.Error("model SQL was written unescaped")
	}
	for _, external := range []string{"<link ", "src=\"http", "@import"} {
		if strings.Contains(html, external) {
			t.Errorf("index.html loads an external asset (%q)", external)
		}
	}
}

// BenchmarkSite10k renders the page of a 10,000-model project (each with a
// parent, two documented and tested columns and some SQL) and reports its size.
func BenchmarkSite10k(b *testing.B) {
	m, tables := manyNodes(10_000)
	for i := range 10_000 {
		n := m.Nodes[fmt.Sprintf("model.p.m%05d", i)]
		n.OriginalFilePath = fmt.Sprintf("models/f%02d/m%05d.sql", i%40, i)
		n.Description = "A model of the benchmark project."
		n.RawCode = strings.Repeat("select id, v from somewhere -- padding\n", 10)
		n.CompiledCode = n.RawCode
		n.Columns = map[string]*manifest.Column{"id": {Name: "id", Description: "key"}, "v": {Name: "v", Description: "value"}}
		if i > 0 {
			n.DependsOn.Nodes = []string{fmt.Sprintf("model.p.m%05d", i-1)}
		}
		tst := node(fmt.Sprintf("test.p.not_null_%d", i), manifest.Test, "test", "", "", "nn")
		tst.AttachedNode, tst.ColumnName, tst.TestMetadata = n.UniqueID, "id", &manifest.TestMetadata{Name: "not_null"}
		m.Nodes[tst.UniqueID] = tst
	}
	m.ChildMap = map[string][]string{}
	for i := 1; i < 10_000; i++ {
		m.ChildMap[fmt.Sprintf("model.p.m%05d", i-1)] = []string{fmt.Sprintf("model.p.m%05d", i)}
	}
	c := Assemble(Documented(m, nil), tables, CatalogMetadata{})
	b.ResetTimer()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := RenderSite(&buf, m, c); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB/page")
}

// TestExposurePage: an exposure gets a page with what it reads, and the
// models it reads list it among their readers.
func TestExposurePage(t *testing.T) {
	m, c := siteManifest()
	x := &manifest.Node{UniqueID: "exposure.shop.weekly", ResourceType: manifest.Exposure, Name: "weekly", PackageName: "shop",
		OriginalFilePath: "models/exposures.yml", Description: "The CEO's Monday numbers.",
		DependsOn: manifest.DependsOn{Nodes: []string{"model.shop.fct_orders"}},
		Exposure:  &manifest.ExposureInfo{Type: "dashboard", Label: "Weekly", Maturity: "high", URL: "https://bi/7", Owner: manifest.Owner{Name: "Ana"}}}
	m.Exposures[x.UniqueID] = x
	m.ChildMap["model.shop.fct_orders"] = append(m.ChildMap["model.shop.fct_orders"], x.UniqueID)
	p := buildPage(m, c)
	var page, mart *nodeView
	for _, n := range p.Nodes {
		switch n.ID {
		case x.UniqueID:
			page = n
		case "model.shop.fct_orders":
			mart = n
		}
	}
	if page == nil || page.Materialized != "dashboard" || !strings.Contains(page.Description, "owned by Ana") ||
		len(page.DependsOn) != 1 || page.DependsOn[0].ID != "model.shop.fct_orders" {
		t.Fatalf("exposure page: %+v", page)
	}
	found := false
	for _, l := range mart.UsedBy {
		found = found || l.ID == x.UniqueID
	}
	if !found {
		t.Errorf("fct_orders does not list the exposure among its readers: %+v", mart.UsedBy)
	}
	var sections []string
	for _, s := range p.Sections {
		sections = append(sections, s.Title)
	}
	if !strings.Contains(strings.Join(sections, ","), "Exposures") {
		t.Errorf("no Exposures section: %v", sections)
	}
}
