package docs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// siteManifest is a small project: a source, a staging view on it, a mart
// table with documented and tested columns, and a model never built.
func siteManifest() (*manifest.Manifest, *Catalog) {
	src := node("source.shop.raw.orders", manifest.Source, "", "db", "raw", "orders")
	src.SourceName, src.OriginalFilePath, src.Description = "raw", "models/sources.yml", "Orders as the app writes them."
	src.PackageName = "shop"
	stg := node("model.shop.stg_orders", manifest.Model, "view", "db", "main", "stg_orders")
	stg.OriginalFilePath, stg.PackageName = "models/staging/stg_orders.sql", "shop"
	stg.RawCode = "select * from {{ source('raw', 'orders') }} where note <> '<script>'"
	stg.CompiledCode = `select * from "db"."raw"."orders" where note <> '<script>'`
	stg.DependsOn.Nodes = []string{src.UniqueID}
	mart := node("model.shop.fct_orders", manifest.Model, "table", "db", "main", "fct_orders")
	mart.OriginalFilePath, mart.Tags, mart.PackageName = "models/marts/fct_orders.sql", []string{"nightly"}, "shop"
	mart.Description = "One row per **paid** order. <script>alert(1)</script> [bad](javascript:alert(1))"
	mart.RawCode = "select order_id, status from {{ ref('stg_orders') }}"
	mart.Columns = map[string]*manifest.Column{
		"order_id": {Name: "order_id", Description: "The order's id."},
		"legacy":   {Name: "legacy", Description: "Documented, not in the table."},
	}
	mart.DependsOn.Nodes = []string{stg.UniqueID}
	unbuilt := node("model.shop.later", manifest.Model, "table", "db", "main", "later")
	unbuilt.OriginalFilePath, unbuilt.PackageName = "models/marts/later.sql", "shop"
	unbuilt.DependsOn.Nodes = []string{mart.UniqueID}
	uniq := node("test.shop.unique_fct_orders_order_id.1a2b", manifest.Test, "test", "", "", "unique_fct_orders_order_id")
	uniq.AttachedNode, uniq.ColumnName, uniq.PackageName = mart.UniqueID, "order_id", "shop"
	uniq.TestMetadata = &manifest.TestMetadata{Name: "unique"}
	uniq.DependsOn.Nodes = []string{mart.UniqueID}
	vals := node("test.shop.accepted_values_fct_orders_status.3c4d", manifest.Test, "test", "", "", "accepted_values_fct_orders_status")
	vals.AttachedNode, vals.ColumnName, vals.Config.Severity, vals.PackageName = mart.UniqueID, "status", "warn", "shop"
	vals.TestMetadata = &manifest.TestMetadata{Name: "accepted_values", Kwargs: map[string]any{"values": []any{"paid", "refunded"}}}
	vals.DependsOn.Nodes = []string{mart.UniqueID}
	singular := node("test.shop.assert_positive", manifest.Test, "test", "", "", "assert_positive")
	singular.DependsOn.Nodes, singular.PackageName = []string{mart.UniqueID}, "shop"
	m := testManifest(src, stg, mart, unbuilt, uniq, vals, singular)
	m.Metadata.ProjectName, m.Metadata.AdapterType = "shop", "duckdb"
	m.Docs["doc.shop.__overview__"] = &manifest.Doc{Name: "__overview__", PackageName: "shop", BlockContents: "# The shop\n\nSee `fct_orders`."}
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

// siteLineage says fct_orders.order_id passes stg_orders.order_id through,
// which passes the source's.
func siteLineage() *lineage.Lineage {
	return &lineage.Lineage{Metadata: lineage.Metadata{Parser: "test"}, Nodes: map[string]*lineage.Node{
		"source.shop.raw.orders": {Columns: []lineage.Column{{Name: "order_id", Kind: lineage.Source}}},
		"model.shop.stg_orders": {Columns: []lineage.Column{{Name: "order_id", Kind: lineage.Pass,
			From: []lineage.Edge{{Node: "source.shop.raw.orders", Column: "order_id", Kind: lineage.Pass}}}}},
		"model.shop.fct_orders": {Columns: []lineage.Column{
			{Name: "order_id", Kind: lineage.Pass, From: []lineage.Edge{{Node: "model.shop.stg_orders", Column: "order_id", Kind: lineage.Pass}}},
			{Name: "status", Kind: lineage.Transform}}},
	}}
}

// readScript reads a data file and checks its wrapper names it.
func readScript(t *testing.T, path, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	prefix := "strataDocs.load(" + strconv.Quote(name) + ","
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, ");\n") {
		t.Fatalf("%s is not a strataDocs.load(%q, …) script: %.80s", path, name, s)
	}
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(s, prefix), ");\n")), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type indexData struct {
	Overview string   `json:"overview"`
	Chunk    int      `json:"chunk"`
	Kinds    []string `json:"kinds"`
	Packages []string `json:"packages"`
	Folders  []string `json:"folders"`
	Tags     []string `json:"tags"`
	Shards   []string `json:"shards"`
	N        struct {
		Name    []string `json:"name"`
		Kind    string   `json:"kind"`
		Built   string   `json:"built"`
		Pkg     []int    `json:"pkg"`
		Folder  []int    `json:"folder"`
		File    []any    `json:"file"`
		Tags    []any    `json:"tags"`
		Parents []any    `json:"parents"`
	} `json:"n"`
	Project struct {
		FirstTest int `json:"first_test"`
	} `json:"project"`
	Status map[string]string `json:"status"`
	IDs    map[string]string `json:"ids"`
	Tests  [][]any           `json:"tests"`
}

// id derives a node's unique_id as the page does.
func (x *indexData) id(i int) string {
	if id, ok := x.IDs[strconv.Itoa(i)]; ok {
		return id
	}
	return x.Kinds[x.N.Kind[i]-'0'] + "." + x.Packages[x.N.Pkg[i]] + "." + x.N.Name[i]
}

func (x *indexData) find(t *testing.T, id string) int {
	t.Helper()
	for i := 0; i < x.Project.FirstTest; i++ {
		if x.id(i) == id {
			return i
		}
	}
	t.Fatalf("no node %s in the index", id)
	return -1
}

func writeTestSite(t *testing.T) (string, *indexData) {
	t.Helper()
	m, c := siteManifest()
	dir := t.TempDir()
	rr := `{"metadata":{"generated_at":"2024-01-02T00:00:00Z"},"results":[
		{"unique_id":"model.shop.fct_orders","status":"success","execution_time":1.5,"message":"OK","timing":[{"name":"execute","completed_at":"2024-01-02T00:00:01Z"}]},
		{"unique_id":"test.shop.accepted_values_fct_orders_status.3c4d","status":"warn","failures":3}]}`
	if err := os.WriteFile(filepath.Join(dir, "run_results.json"), []byte(rr), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := `{"results":[{"unique_id":"source.shop.raw.orders","status":"warn","max_loaded_at":"2024-01-01T00:00:00Z","max_loaded_at_time_ago_in_s":7200}]}`
	if err := os.WriteFile(filepath.Join(dir, "sources.json"), []byte(fresh), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSite(dir, SiteOptions{Manifest: m, Catalog: c, Lineage: siteLineage()}); err != nil {
		t.Fatal(err)
	}
	var idx indexData
	readScript(t, filepath.Join(dir, DataDir, "index.js"), "index", &idx)
	return dir, &idx
}

func TestWriteSiteIndex(t *testing.T) {
	_, idx := writeTestSite(t)
	if idx.Project.FirstTest != 4 || len(idx.N.Name) != 7 || len(idx.Tests) != 3 {
		t.Fatalf("%d nodes, tests from %d, %d test entries: want 4 pages then 3 tests", len(idx.N.Name), idx.Project.FirstTest, len(idx.Tests))
	}
	// Pages sorted by kind, folder and name; ids derived or listed.
	var ids []string
	for i := 0; i < idx.Project.FirstTest; i++ {
		ids = append(ids, idx.id(i))
	}
	want := []string{"source.shop.raw.orders", "model.shop.fct_orders", "model.shop.later", "model.shop.stg_orders"}
	if !slices.Equal(ids, want) {
		t.Errorf("pages %v, want %v", ids, want)
	}
	if got := idx.N.Kind[:4]; got != "0222" {
		t.Errorf("kinds %q", got)
	}
	// Built: the catalog has the source, fct_orders and stg_orders.
	if got := idx.N.Built[:4]; got != "1101" {
		t.Errorf("built flags %q, want 1101", got)
	}
	mart, stg := idx.find(t, "model.shop.fct_orders"), idx.find(t, "model.shop.stg_orders")
	if ps, _ := idx.N.Parents[mart].([]any); len(ps) != 1 || int(ps[0].(float64)) != stg {
		t.Errorf("fct_orders parents %v, want [%d]", idx.N.Parents[mart], stg)
	}
	if tags, _ := idx.N.Tags[mart].([]any); len(tags) != 1 || idx.Tags[int(tags[0].(float64))] != "nightly" {
		t.Errorf("fct_orders tags %v", idx.N.Tags[mart])
	}
	if idx.Folders[idx.N.Folder[mart]] != "models/marts" || idx.N.File[mart] != float64(0) {
		t.Errorf("fct_orders path: folder %q file %v", idx.Folders[idx.N.Folder[mart]], idx.N.File[mart])
	}
	src := idx.find(t, "source.shop.raw.orders")
	if idx.Folders[idx.N.Folder[src]] != "raw" || idx.N.File[src] != "models/sources.yml" {
		t.Errorf("a source is listed under its source with its YAML as file: %q %v", idx.Folders[idx.N.Folder[src]], idx.N.File[src])
	}
	if idx.Status[strconv.Itoa(mart)] != "success" || idx.Status[strconv.Itoa(src)] != "freshness warn" {
		t.Errorf("status %v", idx.Status)
	}
	// Test entries: attached node, column, severity, generic.
	var attached []string
	for _, tt := range idx.Tests {
		attached = append(attached, fmt.Sprint(tt...))
	}
	wantTests := []string{fmt.Sprint(float64(mart), "status", "warn", float64(1)), fmt.Sprint(float64(-1), "", "", float64(0)), fmt.Sprint(float64(mart), "order_id", "", float64(1))}
	if !slices.Equal(attached, wantTests) {
		t.Errorf("tests %v, want %v", attached, wantTests)
	}
	if !strings.Contains(idx.Overview, "<h1>The shop</h1>") || !strings.Contains(idx.Overview, "<code>fct_orders</code>") {
		t.Errorf("overview not rendered from Markdown: %s", idx.Overview)
	}
}

func TestWriteSiteDetails(t *testing.T) {
	dir, idx := writeTestSite(t)
	var chunk map[string]*detail
	readScript(t, filepath.Join(dir, DataDir, "n", "0.js"), "n/0", &chunk)
	if len(chunk) != 4 {
		t.Fatalf("chunk 0 holds %d nodes, want the 4 pages", len(chunk))
	}
	mart := chunk[strconv.Itoa(idx.find(t, "model.shop.fct_orders"))]
	stg := idx.find(t, "model.shop.stg_orders")
	var cols []string
	for _, c := range mart.Cols {
		var tests []string
		for _, t := range c.Tests {
			tests = append(tests, t.Label+"/"+t.Status)
		}
		cols = append(cols, fmt.Sprintf("%s:%s:%s:%v:%s:%v", c.Name, c.Type, c.Desc, tests, c.Kind, c.From))
	}
	want := []string{
		fmt.Sprintf(`order_id:INTEGER:<p>The order&#39;s id.</p>:[unique/]:pass:[[%d order_id pass]]`, stg),
		`status:VARCHAR::[accepted_values: paid, refunded/warn]:transform:[]`,
		`legacy::<p>Documented, not in the table.</p>:[]::[]`,
	}
	if strings.Join(cols, "\n") != strings.Join(want, "\n") {
		t.Errorf("fct_orders columns:\n%s\nwant:\n%s", strings.Join(cols, "\n"), strings.Join(want, "\n"))
	}
	if len(mart.Tests) != 1 || mart.Tests[0].Label != "assert_positive" {
		t.Errorf("whole-model tests = %+v, want the singular test", mart.Tests)
	}
	if mart.Run == nil || mart.Run.Status != "success" || mart.Run.CompletedAt != "2024-01-02T00:00:01Z" || mart.CType != "BASE TABLE" {
		t.Errorf("run %+v, catalog type %q", mart.Run, mart.CType)
	}
	// Descriptions are Markdown made safe: raw HTML and script links dropped.
	if !strings.Contains(mart.Desc, "<strong>paid</strong>") || strings.Contains(mart.Desc, "<script") || strings.Contains(mart.Desc, "javascript:") {
		t.Errorf("description HTML is not safe Markdown: %s", mart.Desc)
	}
	// Column lineage runs both ways: stg_orders.order_id is read by fct_orders.
	stgD := chunk[strconv.Itoa(stg)]
	if len(stgD.Cols) != 1 || fmt.Sprint(stgD.Cols[0].To) != fmt.Sprintf("[[%d order_id pass]]", idx.find(t, "model.shop.fct_orders")) {
		t.Errorf("stg_orders.order_id read by %v", stgD.Cols)
	}
	// SQL travels as data (the page escapes it when it draws it).
	if stgD.SQL != `select * from "db"."raw"."orders" where note <> '<script>'` {
		t.Errorf("compiled SQL %q", stgD.SQL)
	}
	src := chunk[strconv.Itoa(idx.find(t, "source.shop.raw.orders"))]
	if src.Fresh == nil || src.Fresh.Status != "warn" || src.Source == nil || src.Source.Name != "raw" {
		t.Errorf("source freshness %+v, source %+v", src.Fresh, src.Source)
	}
}

// TestWriteSiteSearch: tokens of names, columns, descriptions and SQL land in
// the shard of their first two characters, each node once with its best field.
func TestWriteSiteSearch(t *testing.T) {
	dir, idx := writeTestSite(t)
	mart, stg := idx.find(t, "model.shop.fct_orders"), idx.find(t, "model.shop.stg_orders")
	postings := func(tok string) map[int]int {
		t.Helper()
		key := fmt.Sprintf("%x", tok[:2])
		if !slices.Contains(idx.Shards, key) {
			t.Fatalf("no shard %s for %q (shards %v)", key, tok, idx.Shards)
		}
		var shard map[string][]int
		readScript(t, filepath.Join(dir, DataDir, "s", key+".js"), "s/"+key, &shard)
		out := map[int]int{}
		v := 0
		for _, d := range shard[tok] {
			v += d
			out[v/4] = v % 4
		}
		return out
	}
	if got := postings("orders"); got[mart] != fieldName || got[stg] != fieldName {
		t.Errorf("orders: %v, want fct_orders and stg_orders by name", got)
	}
	if got := postings("order_id"); got[mart] != fieldColumn {
		t.Errorf("order_id: %v, want fct_orders by column", got)
	}
	if got := postings("paid"); got[mart] != fieldDescription {
		t.Errorf("paid: %v, want fct_orders by description", got)
	}
	if got := postings("note"); got[stg] != fieldSQL {
		t.Errorf("note: %v, want stg_orders by SQL", got)
	}
	if got := postings("nightly"); got[mart] != fieldColumn {
		t.Errorf("nightly (a tag): %v", got)
	}
	// SQL keywords are not indexed.
	if slices.Contains(idx.Shards, fmt.Sprintf("%x", "se")) {
		var shard map[string][]int
		readScript(t, filepath.Join(dir, DataDir, "s", "7365.js"), "s/7365", &shard)
		if _, ok := shard["select"]; ok {
			t.Error("the keyword select was indexed")
		}
	}
}

// TestWriteSiteReplacesData: a second generate leaves no file of the first.
func TestWriteSiteReplacesData(t *testing.T) {
	dir, _ := writeTestSite(t)
	stale := filepath.Join(dir, DataDir, "n", "99.js")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, c := siteManifest()
	if err := WriteSite(dir, SiteOptions{Manifest: m, Catalog: c}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s survived a new generate", stale)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".docs") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestIndexHTML(t *testing.T) {
	page, err := renderIndex(`<b>shop</b>`)
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, want := range []string{"<title>&lt;b&gt;shop&lt;/b&gt; · strata docs</title>", `<script src="docs/index.js"`, "strataDocs", ".vrow{"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	for _, external := range []string{"<link rel=\"stylesheet", "src=\"http", "@import", "fetch("} {
		if strings.Contains(html, external) {
			t.Errorf("index.html loads an external asset or fetches (%q)", external)
		}
	}
	// The script is inlined into a <script> element: it must not close it.
	if n := strings.Count(strings.ToLower(html), "</script"); n != 2 {
		t.Errorf("index.html has %d </script> tags, want 2 (the inline app and the data loader)", n)
	}
}

func TestMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "",
		"Plain text, one line.":        "<p>Plain text, one line.</p>",
		"It's \"quoted\"":              "<p>It&#39;s &#34;quoted&#34;</p>",
		"A *word* and `code`.":         "<p>A <em>word</em> and <code>code</code>.</p>",
		"- one\n- two":                 "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
		"<img src=x onerror=alert(1)>": "<!-- raw HTML omitted -->",
		"[x](javascript:alert(1))":     `<p><a href="">x</a></p>`,
		"see https://example.com":      `<p>see <a href="https://example.com">https://example.com</a></p>`,
	} {
		if got := Markdown(in); got != want {
			t.Errorf("Markdown(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkSite10k writes the site of a 10,000-model project (each with a
// parent, two documented and tested columns and some SQL) and reports the
// size of its data.
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
	c := Assemble(Documented(m, nil), tables, CatalogMetadata{})
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteSite(dir, SiteOptions{Manifest: m, Catalog: c}); err != nil {
			b.Fatal(err)
		}
	}
	var size, index int64
	filepath.Walk(filepath.Join(dir, DataDir), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			size += info.Size()
			if info.Name() == "index.js" {
				index = info.Size()
			}
		}
		return nil
	})
	b.ReportMetric(float64(size)/1e6, "MB/site")
	b.ReportMetric(float64(index)/1e6, "MB/index")
}

// TestExposurePage: an exposure gets a page listed under its own kind, with
// what it is, who owns it and the models it reads as its parents.
func TestExposurePage(t *testing.T) {
	m, c := siteManifest()
	x := &manifest.Node{UniqueID: "exposure.shop.weekly", ResourceType: manifest.Exposure, Name: "weekly", PackageName: "shop",
		OriginalFilePath: "models/exposures.yml", Description: "The CEO's Monday numbers.",
		DependsOn: manifest.DependsOn{Nodes: []string{"model.shop.fct_orders"}},
		Exposure:  &manifest.ExposureInfo{Type: "dashboard", Label: "Weekly", Maturity: "high", URL: "https://bi/7", Owner: manifest.Owner{Name: "Ana"}}}
	if m.Exposures == nil {
		m.Exposures = map[string]*manifest.Node{}
	}
	if m.ChildMap == nil {
		m.ChildMap, m.ParentMap = map[string][]string{}, map[string][]string{}
	}
	m.Exposures[x.UniqueID] = x
	m.ChildMap["model.shop.fct_orders"] = append(m.ChildMap["model.shop.fct_orders"], x.UniqueID)
	m.ParentMap[x.UniqueID] = []string{"model.shop.fct_orders"}
	dir := t.TempDir()
	if err := WriteSite(dir, SiteOptions{Manifest: m, Catalog: c}); err != nil {
		t.Fatal(err)
	}
	var idx indexData
	readScript(t, filepath.Join(dir, DataDir, "index.js"), "index", &idx)
	i := idx.find(t, x.UniqueID)
	if k := idx.Kinds[idx.N.Kind[i]-'0']; k != "exposure" {
		t.Errorf("exposure listed as %q", k)
	}
	mart := idx.find(t, "model.shop.fct_orders")
	if ps, _ := idx.N.Parents[i].([]any); len(ps) != 1 || int(ps[0].(float64)) != mart {
		t.Errorf("exposure parents %v, want [%d] (fct_orders)", idx.N.Parents[i], mart)
	}
	var chunk map[string]*detail
	readScript(t, filepath.Join(dir, DataDir, "n", "0.js"), "n/0", &chunk)
	d := chunk[strconv.Itoa(i)]
	if d == nil || d.Mat != "dashboard" || !strings.Contains(d.Desc, "owned by Ana") || !strings.Contains(d.Desc, "Monday numbers") {
		t.Errorf("exposure details: %+v", d)
	}
}
