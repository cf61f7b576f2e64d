package docs

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// The site reads its data from target/docs/ as script files (each calls
// strataDocs.load(name, data)), so index.html works opened from disk
// (file://, where fetch is refused) as well as from `strata docs serve`:
//
//	docs/index.js    every node's summary in columns (name, kind, folder,
//	                 tags, parents…), the project, the overview page, and the
//	                 list of search shards: enough for the sidebar, the
//	                 selector and the lineage graph; the first paint waits
//	                 only for this file.
//	docs/n/<k>.js    the details of nodes k*chunk … (k+1)*chunk-1: rendered
//	                 descriptions, columns with types, tests and column
//	                 lineage, SQL, run and freshness status; loaded when a
//	                 node is opened.
//	docs/s/<hex>.js  the search index for tokens starting with the two
//	                 characters hex-encoded in the name: token → node postings
//	                 (delta-encoded node*4+field, field 3 name, 2 column or
//	                 tag, 1 description, 0 SQL); loaded on the first search
//	                 for that prefix.
const (
	// DataDir is the site's data folder under target/.
	DataDir = "docs"
	// chunkSize is how many nodes one details file holds.
	chunkSize = 200
	// dataVersion changes when the files' shape does; the page checks it.
	dataVersion = 1
)

// Kind codes, in the order the site's sidebar lists them.
var kindCodes = []manifest.ResourceType{manifest.Source, manifest.Seed, manifest.Model, manifest.Snapshot, manifest.Test, manifest.Analysis, manifest.Exposure}

func kindCode(t manifest.ResourceType) int {
	for i, k := range kindCodes {
		if k == t {
			return i
		}
	}
	return 5 // analysis: a page with SQL and no relation
}

// interner numbers distinct strings in first-seen order (0 is "").
type interner struct {
	list []string
	at   map[string]int
}

func newInterner() *interner { return &interner{list: []string{""}, at: map[string]int{"": 0}} }

func (in *interner) id(s string) int {
	if i, ok := in.at[s]; ok {
		return i
	}
	in.at[s] = len(in.list)
	in.list = append(in.list, s)
	return len(in.list) - 1
}

// siteData is one docs generate's data set being assembled.
type siteData struct {
	o     SiteOptions
	nodes []*manifest.Node
	index map[string]int
	// tests per node they test (generic by attached node, singular by parent)
	tests map[string][]*manifest.Node
	runs  map[string]runResult
	fresh map[string]freshResult
	// search postings: token → node*4+field, one per node (the best field)
	postings map[string][]uint32
}

// runResult is one node of target/run_results.json.
type runResult struct {
	Status        string   `json:"status"`
	ExecutionTime float64  `json:"execution_time"`
	Message       string   `json:"message"`
	Failures      *int64   `json:"failures"`
	CompletedAt   string   `json:"completed_at,omitempty"`
	Timing        []timing `json:"timing,omitempty"`
}

type timing struct {
	Name        string `json:"name"`
	CompletedAt string `json:"completed_at"`
}

// freshResult is one source of target/sources.json.
type freshResult struct {
	Status      string  `json:"status"`
	MaxLoadedAt string  `json:"max_loaded_at"`
	Snapshotted string  `json:"snapshotted_at"`
	AgeSeconds  float64 `json:"max_loaded_at_time_ago_in_s"`
	Error       string  `json:"error,omitempty"`
}

// readRunArtifacts reads run_results.json and sources.json from targetDir,
// when they are there; a file that does not parse is skipped (the site shows
// no status rather than failing docs generate).
func readRunArtifacts(targetDir string) (map[string]runResult, map[string]freshResult) {
	runs := map[string]runResult{}
	fresh := map[string]freshResult{}
	if b, err := os.ReadFile(filepath.Join(targetDir, "run_results.json")); err == nil {
		var rr struct {
			Metadata struct {
				GeneratedAt string `json:"generated_at"`
			} `json:"metadata"`
			Results []struct {
				UniqueID string `json:"unique_id"`
				runResult
			} `json:"results"`
		}
		if json.Unmarshal(b, &rr) == nil {
			for _, r := range rr.Results {
				res := r.runResult
				for _, t := range res.Timing {
					if t.CompletedAt != "" && t.Name == "execute" {
						res.CompletedAt = t.CompletedAt
					}
				}
				if res.CompletedAt == "" {
					res.CompletedAt = rr.Metadata.GeneratedAt
				}
				res.Timing = nil
				runs[r.UniqueID] = res
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(targetDir, "sources.json")); err == nil {
		var sr struct {
			Results []struct {
				UniqueID string `json:"unique_id"`
				freshResult
			} `json:"results"`
		}
		if json.Unmarshal(b, &sr) == nil {
			for _, r := range sr.Results {
				fresh[r.UniqueID] = r.freshResult
			}
		}
	}
	return runs, fresh
}

// pageNode reports whether a node gets a page of its own.
func pageNode(n *manifest.Node) bool {
	switch n.ResourceType {
	case manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Source, manifest.Analysis, manifest.Exposure:
		return true
	}
	return false
}

// label is a node's name as a user refers to it (source_name.table for sources).
func label(n *manifest.Node) string {
	if n.ResourceType == manifest.Source {
		return n.SourceName + "." + n.Name
	}
	return n.Name
}

// order numbers the nodes: pages sorted by kind, folder and name (so one
// folder's nodes share details files), then tests.
func (d *siteData) order() {
	m := d.o.Manifest
	d.tests = map[string][]*manifest.Node{}
	var tests []*manifest.Node
	m.All(func(n *manifest.Node) {
		switch {
		case n.ResourceType == manifest.Test:
			tests = append(tests, n)
			if n.AttachedNode != "" {
				d.tests[n.AttachedNode] = append(d.tests[n.AttachedNode], n)
			} else {
				for _, p := range n.DependsOn.Nodes {
					d.tests[p] = append(d.tests[p], n)
				}
			}
		case pageNode(n):
			d.nodes = append(d.nodes, n)
		}
	})
	sort.Slice(d.nodes, func(i, j int) bool {
		a, b := d.nodes[i], d.nodes[j]
		if ka, kb := kindCode(a.ResourceType), kindCode(b.ResourceType); ka != kb {
			return ka < kb
		}
		if fa, fb := group(a), group(b); fa != fb {
			return fa < fb
		}
		if la, lb := label(a), label(b); la != lb {
			return la < lb
		}
		return a.UniqueID < b.UniqueID
	})
	sort.Slice(tests, func(i, j int) bool { return tests[i].UniqueID < tests[j].UniqueID })
	d.nodes = append(d.nodes, tests...)
	d.index = make(map[string]int, len(d.nodes))
	for i, n := range d.nodes {
		d.index[n.UniqueID] = i
	}
	for _, ts := range d.tests {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	}
}

// group is the folder a node is listed under: its file's folder, or for
// sources the source they belong to.
func group(n *manifest.Node) string {
	if n.ResourceType == manifest.Source {
		return n.SourceName
	}
	return path.Dir(n.OriginalFilePath)
}

// indexFile is docs/index.js's data.
type indexFile struct {
	Version  int            `json:"v"`
	Project  projectInfo    `json:"project"`
	Overview string         `json:"overview"`
	Chunk    int            `json:"chunk"`
	Kinds    []string       `json:"kinds"`
	Packages []string       `json:"packages"`
	Folders  []string       `json:"folders"`
	Tags     []string       `json:"tags"`
	Mats     []string       `json:"mats"`
	Shards   []string       `json:"shards"`
	Nodes    nodeColumns    `json:"n"`
	Errors   []string       `json:"errors,omitempty"`
	Counts   map[string]int `json:"counts"`
	Status   map[int]string `json:"status,omitempty"`
	IDs      map[int]string `json:"ids,omitempty"`
	Tests    [][]any        `json:"tests"`
}

type projectInfo struct {
	Name        string `json:"name"`
	Adapter     string `json:"adapter"`
	Target      string `json:"target"`
	GeneratedAt string `json:"generated_at"`
	Version     string `json:"strata_version"`
	Lineage     string `json:"lineage,omitempty"`
	FirstTest   int    `json:"first_test"`
}

// nodeColumns holds one array per field, aligned by node number; kinds and
// built flags are strings of digits (one byte a node).
type nodeColumns struct {
	Name    []string `json:"name"`
	Kind    string   `json:"kind"`
	Built   string   `json:"built"`
	Pkg     []int    `json:"pkg"`
	Folder  []int    `json:"folder"`
	File    []any    `json:"file"` // 0: name + .sql/.csv
	Mat     []int    `json:"mat"`
	Tags    []any    `json:"tags"`    // 0 or tag numbers
	Parents []any    `json:"parents"` // 0 or node numbers
	Desc    string   `json:"desc"`    // 1 when the node has a description
}

func (d *siteData) buildIndex() *indexFile {
	m := d.o.Manifest
	c := d.o.Catalog
	pk, fo, tg, mt := newInterner(), newInterner(), newInterner(), newInterner()
	idx := &indexFile{
		Version: dataVersion, Chunk: chunkSize, Counts: map[string]int{}, Status: map[int]string{}, IDs: map[int]string{},
		Project: projectInfo{Name: m.Metadata.ProjectName, Adapter: m.Metadata.AdapterType, Target: m.Metadata.TargetName,
			GeneratedAt: m.Metadata.GeneratedAt, Version: m.Metadata.StrataVersion},
	}
	if c != nil {
		idx.Errors = c.Errors
		if c.Metadata.GeneratedAt != "" {
			idx.Project.GeneratedAt = c.Metadata.GeneratedAt
		}
	}
	if d.o.Lineage != nil {
		idx.Project.Lineage = d.o.Lineage.Metadata.Parser
	}
	for _, k := range kindCodes {
		idx.Kinds = append(idx.Kinds, string(k))
	}
	idx.Overview = Markdown(overview(m))
	n := len(d.nodes)
	nc := &idx.Nodes
	nc.Name = make([]string, n)
	nc.Pkg, nc.Folder, nc.Mat = make([]int, n), make([]int, n), make([]int, n)
	nc.File, nc.Tags, nc.Parents = make([]any, n), make([]any, n), make([]any, n)
	kinds, built, desc := make([]byte, n), make([]byte, n), make([]byte, n)
	idx.Project.FirstTest = n
	for i, node := range d.nodes {
		nc.Name[i] = label(node)
		kinds[i] = byte('0' + kindCode(node.ResourceType))
		idx.Counts[string(node.ResourceType)]++
		built[i], desc[i] = '0', '0'
		if c != nil && (c.Nodes[node.UniqueID] != nil || c.Sources[node.UniqueID] != nil) {
			built[i] = '1'
			idx.Counts["built"]++
		}
		if node.Description != "" {
			desc[i] = '1'
		}
		nc.Pkg[i] = pk.id(node.PackageName)
		dir, file := path.Split(node.OriginalFilePath)
		nc.Folder[i] = fo.id(strings.TrimSuffix(dir, "/"))
		nc.File[i] = 0
		switch {
		case node.ResourceType == manifest.Source:
			// Listed under their source; the file (with a slash) is the YAML.
			nc.Folder[i] = fo.id(node.SourceName)
			nc.File[i] = node.OriginalFilePath
			if !strings.Contains(node.OriginalFilePath, "/") {
				nc.File[i] = "./" + node.OriginalFilePath
			}
		case file != node.Name+".sql" && file != node.Name+".csv":
			nc.File[i] = file
		}
		if node.ResourceType == manifest.Model || node.ResourceType == manifest.Snapshot {
			nc.Mat[i] = mt.id(node.Config.Materialized)
		}
		nc.Tags[i] = 0
		if tags := nodeTags(node); len(tags) > 0 {
			ts := make([]int, len(tags))
			for k, t := range tags {
				ts[k] = tg.id(t)
			}
			nc.Tags[i] = ts
		}
		nc.Parents[i] = 0
		var ps []int
		for _, p := range node.DependsOn.Nodes {
			if j, ok := d.index[p]; ok {
				ps = append(ps, j)
			}
		}
		if len(ps) > 0 {
			nc.Parents[i] = ps
		}
		if node.ResourceType == manifest.Test {
			if idx.Project.FirstTest == n {
				idx.Project.FirstTest = i
			}
			att := -1
			if j, ok := d.index[node.AttachedNode]; ok {
				att = j
			}
			generic := 0
			if node.TestMetadata != nil {
				generic = 1
			}
			idx.Tests = append(idx.Tests, []any{att, node.ColumnName, node.Config.Severity, generic})
		} else if derived := string(node.ResourceType) + "." + node.PackageName + "." + label(node); derived != node.UniqueID {
			idx.IDs[i] = node.UniqueID
		}
		if r, ok := d.runs[node.UniqueID]; ok {
			idx.Status[i] = r.Status
		} else if f, ok := d.fresh[node.UniqueID]; ok {
			idx.Status[i] = "freshness " + f.Status
		}
	}
	nc.Kind, nc.Built, nc.Desc = string(kinds), string(built), string(desc)
	idx.Packages, idx.Folders, idx.Tags, idx.Mats = pk.list, fo.list, tg.list, mt.list
	return idx
}

// nodeTags are a node's tags and config tags, deduplicated.
func nodeTags(n *manifest.Node) []string {
	if len(n.Config.Tags) == 0 {
		return n.Tags
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range append(append([]string{}, n.Tags...), n.Config.Tags...) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// overview is the __overview__ docs block: the root project's, else any.
func overview(m *manifest.Manifest) string {
	var any string
	for _, d := range m.Docs {
		if d.Name != "__overview__" {
			continue
		}
		if d.PackageName == m.Metadata.ProjectName {
			return d.BlockContents
		}
		any = d.BlockContents
	}
	return any
}

// detail is one node's page data in a docs/n file.
type detail struct {
	ID       string         `json:"id"`
	Path     string         `json:"path"`
	Rel      string         `json:"rel,omitempty"`
	Mat      string         `json:"mat,omitempty"`
	Desc     string         `json:"desc,omitempty"`
	Raw      string         `json:"raw,omitempty"`
	SQL      string         `json:"sql,omitempty"`
	Cols     []columnDetail `json:"cols,omitempty"`
	Tests    []testDetail   `json:"tests,omitempty"`
	Run      *runResult     `json:"run,omitempty"`
	Fresh    *freshResult   `json:"fresh,omitempty"`
	Source   *sourceDetail  `json:"source,omitempty"`
	CType    string         `json:"ctype,omitempty"`
	Owner    string         `json:"owner,omitempty"`
	Lineage  string         `json:"lerr,omitempty"`
	Config   map[string]any `json:"config,omitempty"`
	Meta     map[string]any `json:"meta,omitempty"`
	Language string         `json:"lang,omitempty"`
	Patch    string         `json:"patch,omitempty"`
}

type columnDetail struct {
	Name  string       `json:"name"`
	Type  string       `json:"type,omitempty"`
	Desc  string       `json:"desc,omitempty"`
	Tests []testDetail `json:"tests,omitempty"`
	// Kind and From are the column's lineage; To the columns reading it.
	Kind string  `json:"k,omitempty"`
	From [][]any `json:"from,omitempty"` // [node number, column, kind]
	To   [][]any `json:"to,omitempty"`
}

type testDetail struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Warn     bool   `json:"warn,omitempty"`
	Status   string `json:"status,omitempty"`
	Failures *int64 `json:"failures,omitempty"`
	Node     int    `json:"node"`
}

type sourceDetail struct {
	Name          string `json:"name"`
	Desc          string `json:"desc,omitempty"`
	LoadedAtField string `json:"loaded_at_field,omitempty"`
	Freshness     string `json:"freshness,omitempty"`
	Identifier    string `json:"identifier,omitempty"`
}

func (d *siteData) detail(i int) *detail {
	n := d.nodes[i]
	out := &detail{ID: n.UniqueID, Path: n.OriginalFilePath, Rel: n.Relation.String(), Desc: Markdown(n.Description),
		Raw: n.RawCode, SQL: n.CompiledCode, Meta: n.Meta, Language: n.Language, Patch: n.PatchPath}
	if n.ResourceType == manifest.Model || n.ResourceType == manifest.Snapshot {
		out.Mat = n.Config.Materialized
		out.Config = configSummary(n)
	}
	if n.ResourceType == manifest.Seed {
		out.Raw, out.SQL = "", ""
	}
	if x := n.Exposure; x != nil {
		// An exposure: what it is and who owns it, in place of a relation.
		out.Mat = x.Type
		owner := strings.TrimSpace(x.Owner.Name + " " + x.Owner.Email)
		facts := []string{}
		if x.Label != "" {
			facts = append(facts, "**"+x.Label+"**")
		}
		if x.Maturity != "" {
			facts = append(facts, "maturity "+x.Maturity)
		}
		if owner != "" {
			facts = append(facts, "owned by "+owner)
		}
		if x.URL != "" {
			facts = append(facts, "<"+x.URL+">")
		}
		out.Desc = Markdown(strings.TrimSpace(n.Description + "\n\n" + strings.Join(facts, ", ")))
	}
	var ct *CatalogTable
	if c := d.o.Catalog; c != nil {
		if t, ok := c.Nodes[n.UniqueID]; ok {
			ct = t
		} else if t, ok := c.Sources[n.UniqueID]; ok {
			ct = t
		}
	}
	if ct != nil {
		out.CType = ct.Metadata.Type
		if ct.Metadata.Owner != nil {
			out.Owner = *ct.Metadata.Owner
		}
	}
	var ln *lineage.Node
	if d.o.Lineage != nil {
		ln = d.o.Lineage.Nodes[n.UniqueID]
		if ln != nil {
			out.Lineage = ln.Error
		}
	}
	out.Cols, out.Tests = d.columns(n, ct, ln)
	if r, ok := d.runs[n.UniqueID]; ok {
		out.Run = &r
	}
	if n.ResourceType == manifest.Source {
		out.Source = &sourceDetail{Name: n.SourceName, Desc: Markdown(n.SourceDescription), LoadedAtField: n.LoadedAtField,
			Freshness: freshness(n.Freshness), Identifier: n.Identifier}
		if f, ok := d.fresh[n.UniqueID]; ok {
			out.Fresh = &f
		}
	}
	return out
}

// configSummary is the config a reader cares about (not every default).
func configSummary(n *manifest.Node) map[string]any {
	c := n.Config
	out := map[string]any{}
	set := func(k string, v any) {
		switch v := v.(type) {
		case string:
			if v == "" {
				return
			}
		case []string:
			if len(v) == 0 {
				return
			}
		}
		out[k] = v
	}
	set("materialized", c.Materialized)
	set("schema", c.Schema)
	set("database", c.Database)
	set("alias", c.Alias)
	set("unique_key", c.UniqueKey)
	set("incremental_strategy", c.IncrementalStrategy)
	set("on_schema_change", c.OnSchemaChange)
	set("strategy", c.Strategy)
	set("updated_at", c.UpdatedAt)
	set("check_cols", c.CheckCols)
	if len(out) == 0 {
		return nil
	}
	return out
}

// columns merges the warehouse's columns (in their order, with types), the
// lineage's and the documented ones (descriptions; extras follow), and
// splits the node's tests into per-column and whole-node ones. Names match
// ignoring case, since Snowflake reports unquoted names in upper case.
func (d *siteData) columns(n *manifest.Node, ct *CatalogTable, ln *lineage.Node) ([]columnDetail, []testDetail) {
	var out []columnDetail
	at := map[string]int{}
	add := func(name string) int {
		k := strings.ToLower(name)
		if i, ok := at[k]; ok {
			return i
		}
		at[k] = len(out)
		out = append(out, columnDetail{Name: name})
		return len(out) - 1
	}
	if ct != nil {
		cols := make([]*CatalogColumn, 0, len(ct.Columns))
		for _, c := range ct.Columns {
			cols = append(cols, c)
		}
		sort.Slice(cols, func(i, j int) bool { return cols[i].Index < cols[j].Index })
		for _, c := range cols {
			out[add(c.Name)].Type = c.Type
		}
	}
	if ln != nil {
		for _, c := range ln.Columns {
			i := add(c.Name)
			out[i].Kind = string(c.Kind)
			for _, e := range c.From {
				if j, ok := d.index[e.Node]; ok {
					out[i].From = append(out[i].From, []any{j, e.Column, string(e.Kind)})
				}
			}
			for _, ch := range d.o.Lineage.Children(lineage.Ref{Node: n.UniqueID, Column: c.Name}) {
				j, ok := d.index[ch.Node]
				if !ok {
					continue
				}
				kind := ""
				for _, e := range d.o.Lineage.Parents(ch) {
					if e.Node == n.UniqueID && strings.EqualFold(e.Column, c.Name) {
						kind = string(e.Kind)
					}
				}
				out[i].To = append(out[i].To, []any{j, ch.Column, kind})
			}
		}
	}
	documented := make([]string, 0, len(n.Columns))
	for name := range n.Columns {
		documented = append(documented, name)
	}
	sort.Strings(documented)
	for _, name := range documented {
		dc := n.Columns[name]
		i := add(name)
		out[i].Desc = Markdown(dc.Description)
		if out[i].Type == "" {
			out[i].Type = dc.DataType
		}
	}
	var whole []testDetail
	for _, t := range d.tests[n.UniqueID] {
		td := testDetail{Name: t.Name, Label: testLabel(t), Warn: t.Config.Severity == "warn", Node: d.index[t.UniqueID]}
		if r, ok := d.runs[t.UniqueID]; ok {
			td.Status, td.Failures = r.Status, r.Failures
		}
		if t.ColumnName != "" && t.AttachedNode == n.UniqueID {
			i := add(t.ColumnName)
			out[i].Tests = append(out[i].Tests, td)
			continue
		}
		whole = append(whole, td)
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

// Search fields, best first.
const (
	fieldSQL = iota
	fieldDescription
	fieldColumn
	fieldName
)

// sqlWords are left out of the SQL field's tokens: every model has them.
var sqlWords = wordSet(`select from where and or not as on in is null join left right inner outer full cross
	group by order having limit with union all distinct case when then else end cast over partition
	asc desc true false between like ilike exists into values insert update delete create table view
	ref source config materialized if endif for endfor set do macro endmacro is_incremental this`)

func wordSet(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[w] = true
	}
	return out
}

// tokens calls fn for each search token of text: runs of letters, digits
// and underscores, lower-cased, 2 to 40 characters, plus the parts of
// snake_case words (so "masked" finds email_masked).
func tokens(text string, fn func(string)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(text[start:end])
		start = -1
		if len(w) < 2 || len(w) > 40 {
			return
		}
		fn(w)
		if strings.Contains(w, "_") {
			for _, p := range strings.Split(w, "_") {
				if len(p) >= 2 && strings.IndexFunc(p, unicode.IsLetter) >= 0 {
					fn(p)
				}
			}
		}
	}
	for i, r := range text {
		if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
}

// indexSearch adds node i's tokens to the postings.
func (d *siteData) indexSearch(i int, n *manifest.Node, cols []columnDetail) {
	best := map[string]int{}
	add := func(field int) func(string) {
		return func(t string) {
			if f, ok := best[t]; !ok || field > f {
				best[t] = field
			}
		}
	}
	sql := add(fieldSQL)
	tokens(n.RawCode, func(t string) {
		if !sqlWords[t] {
			sql(t)
		}
	})
	desc := add(fieldDescription)
	tokens(n.Description, desc)
	tokens(n.SourceDescription, desc)
	col := add(fieldColumn)
	for _, c := range cols {
		tokens(c.Name, col)
	}
	for _, c := range n.Columns {
		tokens(c.Description, desc)
	}
	for _, t := range nodeTags(n) {
		tokens(t, col)
	}
	tokens(label(n), add(fieldName))
	for t, f := range best {
		d.postings[t] = append(d.postings[t], uint32(i*4+f))
	}
}

// shardKey names the search file of a token: its first two characters,
// hex-encoded as UTF-8 (the page computes the same with TextEncoder).
func shardKey(tok string) string {
	_, n1 := utf8.DecodeRuneInString(tok)
	_, n2 := utf8.DecodeRuneInString(tok[n1:])
	return fmt.Sprintf("%x", tok[:n1+n2])
}

// shards groups the postings by shard, each list delta-encoded.
func (d *siteData) shards() map[string]map[string][]uint32 {
	out := map[string]map[string][]uint32{}
	for tok, ps := range d.postings {
		k := shardKey(tok)
		if out[k] == nil {
			out[k] = map[string][]uint32{}
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		enc := make([]uint32, len(ps))
		prev := uint32(0)
		for i, p := range ps {
			enc[i] = p - prev
			prev = p
		}
		out[k][tok] = enc
	}
	return out
}

// chunkName is the data name of details file k.
func chunkName(k int) string { return "n/" + strconv.Itoa(k) }
