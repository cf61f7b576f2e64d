// Package compile turns a loaded project into a compiled manifest: it renders
// every model, test, snapshot, hook and templated YAML value with strata's
// Jinja engine (engine/jinja), resolves configs and relation names, discovers
// dependencies by rendering as dbt does, inlines ephemeral models as CTEs and
// reports every problem as a positioned diagnostic. Everything dbt adds to
// Jinja (its tags, functions and objects) lives here, through the engine's
// extension points.
//
// Compile may be called concurrently (each call has its own state); within one
// call renders run in parallel on runtime.GOMAXPROCS workers.
package compile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/relation"
)

// Options is what Compile needs besides the project files.
type Options struct {
	Project *project.Project
	Target  adapter.Target
	Dialect adapter.Dialect
	// Adapter is nil at parse time: then `execute` is false and run_query
	// returns an empty table.
	Adapter      Warehouse
	Vars         map[string]any // --vars; override project vars
	Env          func(string) (string, bool)
	Now          time.Time
	InvocationID string
	FullRefresh  bool
	// Log receives log() and print() output; nil drops it.
	Log func(level, msg string)
}

// Warehouse is what templates may ask of the warehouse while compiling
// (engine/materialize's Warehouse has these methods).
type Warehouse interface {
	RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error)
	Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error)
	Query(ctx context.Context, sql string, limit int) (*adapter.Table, error)
}

type nodeRef = manifest.Node

type unitKind int

const (
	kindModel unitKind = iota
	kindSeed
	kindSnapshot
	kindTest
	kindGeneric
)

// unit is one node being compiled.
type unit struct {
	idx  int
	kind unitKind
	node *manifest.Node
	file string // file whose lines diagnostics refer to
	text string // template text (line-aligned with file)

	baseCfg  map[string]any // folder < properties YAML
	rawCfg   map[string]any // the same, as written
	fileCfg  map[string]any // config() calls
	finalCfg map[string]any

	tmpl *jinja.Template

	out           string // first-pass output (with markers)
	body          string // final SQL before ephemeral CTEs are injected
	needsRerender bool
	usedIncr      bool
	refs          []int
	sources       []string
	macros        map[string]bool
	warnings      diag.Diagnostics // of the first render, reported if the node stays enabled
	disabled      bool
	failed        bool
	pendingDiag   *diag.Diagnostic
	hooksPre      []string
	hooksPost     []string
	incrOut       string

	generic *genericTest
}

type compiler struct {
	ctx  context.Context
	o    Options
	p    *project.Project
	name string
	env  *jinja.Environment

	macros      map[string]*macroDef            // visible by name (project over global)
	macrosByPkg map[string]map[string]*macroDef // package -> name -> def
	docs        map[string]string
	docNodes    map[string]*manifest.Doc
	testTmpls   map[string]*jinja.Template // singular test files, parsed by loadMacros

	units         []*unit
	markers       []string // markerFor(i) of every unit
	byName        map[string]int
	refNames      []string
	disabledNames map[string]bool
	sources       map[string]map[string]*manifest.Node

	mu     sync.Mutex
	diags  diag.Diagnostics
	warned warnSet

	oneOff sync.Map // parsed one-off templates (YAML values, hooks)

	srcMu     sync.Mutex
	srcByName map[string]string // template name -> text, for errors (sourceOf)
	srcUnits  int

	folderCache map[string]map[string]any
	noFastTests bool // tests turn the Go rendering of built-in tests off
}

const globalProject = "dbt"

func (c *compiler) addDiag(d diag.Diagnostic) {
	c.mu.Lock()
	c.diags = append(c.diags, d)
	c.mu.Unlock()
}

func (c *compiler) errorf(file string, line int, summary, format string, args ...any) {
	c.addDiag(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

func (c *compiler) now() time.Time {
	if c.o.Now.IsZero() {
		return time.Now()
	}
	return c.o.Now
}

func newCompiler(ctx context.Context, o Options) *compiler {
	c := &compiler{
		ctx: ctx, o: o, p: o.Project, name: o.Project.Config.Name,
		macros: map[string]*macroDef{}, macrosByPkg: map[string]map[string]*macroDef{},
		docs: map[string]string{}, docNodes: map[string]*manifest.Doc{}, testTmpls: map[string]*jinja.Template{},
		byName: map[string]int{}, disabledNames: map[string]bool{},
		sources: map[string]map[string]*manifest.Node{},
	}
	c.env = c.newEnv()
	return c
}

// Compile renders the whole project into a manifest. Diagnostics hold every
// problem found (sorted); the manifest is returned even when there are errors,
// with the nodes that did compile.
func Compile(ctx context.Context, o Options) (*manifest.Manifest, diag.Diagnostics) {
	if o.Project == nil {
		return manifest.New(), diag.Diagnostics{{Summary: "no project", Detail: "compile was called without a project"}}
	}
	c := newCompiler(ctx, o)
	c.load()
	c.parallel(c.firstPass)
	c.resolveConfigs()
	c.parallel(c.resolveRelation)
	c.parallel(c.secondPass)
	c.injectEphemerals()
	m := c.assemble()
	c.diags.Sort()
	return m, c.diags
}

// load runs the steps before rendering: docs and macros are parsed (in
// order, since macros become globals), the globals are set, then sources and
// nodes are collected and their templates parsed.
func (c *compiler) load() {
	c.loadDocs()
	c.loadMacros()
	c.buildGlobals()
	c.loadSources()
	c.collectUnits()
	c.markers = make([]string, len(c.units))
	for i := range c.units {
		c.markers[i] = markerFor(i)
	}
}

// parallel runs fn for every unit on GOMAXPROCS workers.
func (c *compiler) parallel(fn func(*unit)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > len(c.units) {
		workers = len(c.units)
	}
	if workers <= 1 {
		for _, u := range c.units {
			fn(u)
		}
		return
	}
	var wg sync.WaitGroup
	var next int
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next += 16
				mu.Unlock()
				if i >= len(c.units) {
					return
				}
				for _, u := range c.units[i:min(i+16, len(c.units))] {
					fn(u)
				}
			}
		}()
	}
	wg.Wait()
}

func checksum(s string) manifest.Checksum {
	h := sha256.Sum256([]byte(s))
	return manifest.Checksum{Name: "sha256", Checksum: hex.EncodeToString(h[:])}
}

func fileChecksum(f project.File) manifest.Checksum {
	if f.Checksum != "" {
		return manifest.Checksum{Name: "sha256", Checksum: f.Checksum}
	}
	return checksum(f.Content)
}

// mergeFreshness applies a table's freshness block over its source's key by key,
// as dbt does: a table that sets only warn_after keeps the source's error_after
// and filter. An explicit `freshness: null` on the table turns the rule off.
func mergeFreshness(src, tbl *project.FreshnessProps) *project.FreshnessProps {
	if tbl == nil {
		return src
	}
	if tbl.Null || src == nil || src.Null {
		return tbl
	}
	out := *src
	if tbl.WarnAfter != nil {
		out.WarnAfter = tbl.WarnAfter
	}
	if tbl.ErrorAfter != nil {
		out.ErrorAfter = tbl.ErrorAfter
	}
	if tbl.Filter != "" {
		out.Filter = tbl.Filter
	}
	return &out
}

func dirsOf(rel string) []string {
	d := path.Dir(rel)
	if d == "." || d == "" {
		return nil
	}
	return strings.Split(d, "/")
}

// callNameRE finds the macros a macro's text calls, for its depends_on.
var callNameRE = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

// endTagRE finds where a macro's (or test block's) text ends.
var endTagRE = regexp.MustCompile(`\{%-?\s*end(?:macro|test)\s*-?%\}`)

func lineAt(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

// loadDocs reads every {% docs name %} block of the docs files.
func (c *compiler) loadDocs() {
	for _, f := range c.p.Docs {
		t, err := c.parse(f.Path, f.Content)
		if err != nil {
			c.syntaxError(f.Path, err)
			continue
		}
		for _, b := range t.Blocks() {
			if b.Header.Tag != "docs" {
				continue
			}
			name := b.Header.Name
			body := strings.TrimSpace(b.Raw)
			c.docs[name] = body
			id := "doc." + c.name + "." + name
			c.docNodes[id] = &manifest.Doc{UniqueID: id, Name: name, PackageName: c.name, OriginalFilePath: f.Path, BlockContents: body}
		}
	}
}

// loadMacros parses every macro file (and test files holding {% test %}
// blocks) once, plus the built-in global project.
func (c *compiler) loadMacros() {
	for _, g := range globalMacroFiles() {
		c.addMacroFile(globalProject, project.File{Path: g.path, Content: g.src})
	}
	for _, f := range c.p.Macros {
		c.addMacroFile(c.name, f)
	}
	for _, f := range c.p.Tests {
		t, err := c.parse(f.Path, f.Content)
		if err != nil {
			c.syntaxError(f.Path, err)
			c.testTmpls[f.Path] = nil
			continue
		}
		if hasBlock(t, "test") {
			c.addMacros(c.name, f, t)
			continue
		}
		c.testTmpls[f.Path] = t
	}
	// Project macros shadow the global project's by name.
	for _, pkg := range []string{globalProject, c.name} {
		for n, d := range c.macrosByPkg[pkg] {
			c.macros[n] = d
		}
	}
}

func hasBlock(t *jinja.Template, tag string) bool {
	for _, b := range t.Blocks() {
		if b.Header.Tag == tag {
			return true
		}
	}
	return false
}

func (c *compiler) addMacroFile(pkg string, f project.File) {
	t, err := c.parse(f.Path, f.Content)
	if err != nil {
		c.syntaxError(f.Path, err)
		return
	}
	c.addMacros(pkg, f, t)
}

func (c *compiler) addMacros(pkg string, f project.File, t *jinja.Template) {
	for _, b := range t.Blocks() {
		if b.Header.Tag == "materialization" {
			c.addDiag(diag.Diagnostic{Severity: diag.Error, File: f.Path, Line: b.Pos.Line, Col: b.Pos.Col, Summary: "unsupported construct",
				Detail: "{% materialization %} blocks (custom materializations) are not supported by strata; use the built-in view, table, incremental or ephemeral"})
			return
		}
	}
	if c.macrosByPkg[pkg] == nil {
		c.macrosByPkg[pkg] = map[string]*macroDef{}
	}
	src := f.Content
	for _, m := range t.Macros() {
		_, pos := m.Template()
		def := &macroDef{name: m.Name, uniqueID: "macro." + pkg + "." + m.Name, pkg: pkg, file: f.Path, line: pos.Line, m: m}
		def.fn = jinja.CallableValue(&macroFn{def: def})
		def.sql = macroText(src, pos)
		def.checksum = checksum(def.sql).Checksum
		if prev, ok := c.macrosByPkg[pkg][m.Name]; ok && pkg != globalProject {
			c.errorf(f.Path, def.line, "duplicate macro", "macro %s is defined twice: in %s and in %s; rename or remove one", m.Name, prev.file, f.Path)
			continue
		}
		c.macrosByPkg[pkg][m.Name] = def
	}
}

// macroText is a macro's source, from its {% macro %} (or {% test %}) tag at
// pos to its end tag, for the manifest's macro_sql.
func macroText(src string, pos jinja.Pos) string {
	off := offsetOf(src, pos)
	if i := strings.LastIndex(src[:off], "{%"); i >= 0 {
		off = i
	}
	end := len(src)
	if e := endTagRE.FindStringIndex(src[off:]); e != nil {
		end = off + e[1]
	}
	return src[off:end]
}

// offsetOf is the byte offset of pos in src (lines from 1, columns in
// characters from 1, as the engine counts them).
func offsetOf(src string, pos jinja.Pos) int {
	off := 0
	for line := 1; line < pos.Line; line++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	for col := 1; col < pos.Col && off < len(src) && src[off] != '\n'; col++ {
		_, n := utf8.DecodeRuneInString(src[off:])
		off += n
	}
	return off
}

// renderText renders a one-off template: a YAML value or a hook. Positions
// inside it are reported at line, the line of the YAML key (0: unknown).
func (c *compiler) renderText(file string, line int, src string, st *renderState) (string, bool) {
	if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") {
		return src, true
	}
	if st == nil {
		st = &renderState{c: c, final: true}
	}
	saveFile, saveLine := st.valueFile, st.valueLine
	st.valueFile, st.valueLine = file, line
	defer func() { st.valueFile, st.valueLine = saveFile, saveLine }()
	t, err := c.parseCached(file, src)
	if err == nil {
		var out string
		out, err = c.render(t, st)
		if err == nil {
			return out, true
		}
	}
	d := c.errDiagIn(file, err, src)
	if d.File == file {
		d.Line, d.Col = line, 0
	}
	c.addDiag(d)
	return "", false
}

func (c *compiler) renderRelation(r relation.Relation) string {
	if c.o.Dialect == nil {
		parts := []string{}
		for _, p := range []string{r.Database, r.Schema, r.Identifier} {
			if p != "" {
				parts = append(parts, `"`+p+`"`)
			}
		}
		return strings.Join(parts, ".")
	}
	return c.o.Dialect.RenderRelation(r)
}

func (c *compiler) normIdent(s string) string {
	if c.o.Dialect == nil || s == "" {
		return s
	}
	return c.o.Dialect.NormalizeIdent(s)
}

func (c *compiler) getRelation(db, schema, id string) (*relObj, error) {
	if c.o.Adapter == nil {
		return nil, nil
	}
	r := relation.Relation{Database: c.normIdent(db), Schema: c.normIdent(schema), Identifier: c.normIdent(id)}
	kind, err := c.o.Adapter.RelationKind(c.ctx, r)
	if err != nil {
		return nil, err
	}
	if kind == relation.None {
		return nil, nil
	}
	return &relObj{rel: r, rendered: c.renderRelation(r), kind: string(kind)}, nil
}

// loadSources renders the sources' YAML (schema, database, identifier may be Jinja).
func (c *compiler) loadSources() {
	for _, pf := range c.p.Properties {
		for _, sp := range pf.Sources {
			folder := folderConfig(c.p.Config.Sources, c.name, []string{sp.Name})
			for _, tp := range sp.Tables {
				cfg := copyMap(folder)
				mergeAll(cfg, sp.Config)
				mergeAll(cfg, tp.Config)
				if en, ok := boolOf(cfg["enabled"]); ok && !en {
					continue
				}
				db := sp.Database
				if db == "" {
					db = c.o.Target.Database
				}
				schema := sp.Schema
				if schema == "" {
					schema = sp.Name
				}
				ident := tp.Identifier
				if ident == "" {
					ident = tp.Name
				}
				var ok1, ok2, ok3 bool
				db, ok1 = c.renderText(pf.Path, sp.Line, db, nil)
				schema, ok2 = c.renderText(pf.Path, sp.Line, schema, nil)
				ident, ok3 = c.renderText(pf.Path, tp.Line, ident, nil)
				if !ok1 || !ok2 || !ok3 {
					continue
				}
				rel := relation.Relation{Database: c.normIdent(db), Schema: c.normIdent(schema), Identifier: c.normIdent(ident)}
				n := &manifest.Node{
					UniqueID: "source." + c.name + "." + sp.Name + "." + tp.Name, ResourceType: manifest.Source,
					Name: tp.Name, PackageName: c.name, Path: pf.Path, OriginalFilePath: pf.Path,
					FQN: []string{c.name, sp.Name, tp.Name}, SourceName: sp.Name,
					SourceDescription: c.describe(pf.Path, sp.Line, sp.Description),
					Description:       c.describe(pf.Path, tp.Line, tp.Description),
					Identifier:        ident, Relation: rel, Database: rel.Database, Schema: rel.Schema,
					RelationName: c.renderRelation(rel), Columns: c.columns(pf.Path, tp.Columns),
					Tags: uniqStrings(append(append([]string{}, sp.Tags...), tp.Tags...)), Meta: mergedMeta(sp.Meta, tp.Meta),
					Config: manifest.Config{Enabled: true, Tags: []string{}, Meta: map[string]any{}},
					Line:   tp.Line, DependsOn: manifest.DependsOn{Macros: []string{}, Nodes: []string{}},
				}
				n.LoadedAtField = sp.LoadedAtField
				if tp.LoadedAtField != "" {
					n.LoadedAtField = tp.LoadedAtField
				}
				fr := mergeFreshness(sp.Freshness, tp.Freshness)
				if fr != nil && !fr.Null {
					n.Freshness = &manifest.Freshness{Filter: fr.Filter}
					if fr.WarnAfter != nil {
						n.Freshness.WarnAfter = &manifest.Period{Count: fr.WarnAfter.Count, Period: fr.WarnAfter.Period}
					}
					if fr.ErrorAfter != nil {
						n.Freshness.ErrorAfter = &manifest.Period{Count: fr.ErrorAfter.Count, Period: fr.ErrorAfter.Period}
					}
				}
				if c.sources[sp.Name] == nil {
					c.sources[sp.Name] = map[string]*manifest.Node{}
				}
				c.sources[sp.Name][tp.Name] = n
			}
		}
	}
}

func mergedMeta(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func uniqStrings(s []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// describe renders a description that uses doc() or other Jinja.
func (c *compiler) describe(file string, line int, s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	out, ok := c.renderText(file, line, s, nil)
	if !ok {
		return s
	}
	return out
}

func (c *compiler) columns(file string, cols []*project.ColumnProps) map[string]*manifest.Column {
	out := map[string]*manifest.Column{}
	for _, cp := range cols {
		meta := cp.Meta
		if meta == nil {
			meta = map[string]any{}
		}
		tags := cp.Tags
		if tags == nil {
			tags = []string{}
		}
		out[cp.Name] = &manifest.Column{Name: cp.Name, Description: c.describe(file, cp.Line, cp.Description), DataType: cp.DataType, Meta: meta, Tags: tags}
	}
	return out
}

type propsRef struct {
	p    *project.NodeProps
	file string
}

func (c *compiler) propsIndex(get func(*project.PropertiesFile) []*project.NodeProps) map[string]propsRef {
	out := map[string]propsRef{}
	for _, pf := range c.p.Properties {
		for _, np := range get(pf) {
			if _, dup := out[np.Name]; !dup {
				out[np.Name] = propsRef{np, pf.Path}
			}
		}
	}
	return out
}

func (c *compiler) newUnit(kind unitKind, rt manifest.ResourceType, name string, f project.File, folder *project.FolderConfig, props propsRef) *unit {
	dirs := dirsOf(f.RelPath)
	n := &manifest.Node{
		UniqueID: string(rt) + "." + c.name + "." + name, ResourceType: rt, Name: name, PackageName: c.name,
		Path: f.RelPath, OriginalFilePath: f.Path, FQN: append(append([]string{c.name}, dirs...), name),
		Language: "sql", RawCode: f.Content, Checksum: fileChecksum(f), Columns: map[string]*manifest.Column{},
		DependsOn: manifest.DependsOn{Macros: []string{}, Nodes: []string{}}, Refs: []manifest.RefCall{}, Sources: [][]string{},
	}
	base := c.folderConfigCached(rt, folder, dirs)
	if hasNodeLevel(folder, c.name, dirs, name) {
		// A level named after the node itself (`seeds: {p: {users: {+column_types: …}}}`)
		// applies to that node only, so it is resolved outside the folder cache.
		base = folderConfig(folder, c.name, append(append([]string(nil), dirs...), name))
	}
	// A unit's baseCfg and rawCfg are only read once collected (resolveConfig
	// copies them), so a node without properties shares the folder's map.
	raw := base
	if props.p != nil {
		base, raw = copyMap(base), copyMap(base)
		np := props.p
		n.PatchPath = props.file
		n.Description = c.describe(props.file, np.Line, np.Description)
		n.Columns = c.columns(props.file, np.Columns)
		n.Meta = np.Meta
		mergeAll(base, np.Config)
		mergeAll(raw, np.Config)
		if len(np.Tags) > 0 {
			mergeKey(base, "tags", anyList(np.Tags))
			mergeKey(raw, "tags", anyList(np.Tags))
		}
		if len(np.Meta) > 0 {
			mergeKey(base, "meta", np.Meta)
			mergeKey(raw, "meta", np.Meta)
		}
	}
	u := &unit{idx: len(c.units), kind: kind, node: n, file: f.Path, text: f.Content, baseCfg: base, rawCfg: raw}
	c.units = append(c.units, u)
	return u
}

// register makes a unit refable by name.
func (c *compiler) register(u *unit) bool {
	if prev, dup := c.byName[u.node.Name]; dup {
		c.errorf(u.file, 0, "duplicate name", "%s %q is also defined in %s; names of models, seeds and snapshots must be unique",
			u.node.ResourceType, u.node.Name, c.units[prev].file)
		u.disabled = true
		return false
	}
	c.byName[u.node.Name] = u.idx
	c.refNames = append(c.refNames, u.node.Name)
	return true
}

func (c *compiler) collectUnits() {
	cfg := &c.p.Config
	modelProps := c.propsIndex(func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Models })
	seedProps := c.propsIndex(func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Seeds })
	snapProps := c.propsIndex(func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Snapshots })

	for _, f := range c.p.Seeds {
		u := c.newUnit(kindSeed, manifest.Seed, f.Name, f, cfg.Seeds, seedProps[f.Name])
		u.node.RawCode = ""
		c.register(u)
	}
	for _, f := range c.p.Models {
		u := c.newUnit(kindModel, manifest.Model, f.Name, f, cfg.Models, modelProps[f.Name])
		c.register(u)
	}
	for _, f := range c.p.Snapshots {
		c.collectSnapshots(f, cfg.Snapshots, snapProps)
	}
	for _, f := range c.p.Tests {
		t, singular := c.testTmpls[f.Path]
		if !singular {
			continue // a file of {% test %} blocks: macros
		}
		u := c.newUnit(kindTest, manifest.Test, f.Name, f, cfg.Tests, propsRef{})
		u.tmpl = t
		u.failed = t == nil
	}
	sort.Strings(c.refNames)
	// Generic tests from properties YAML.
	for _, pf := range c.p.Properties {
		for _, set := range [][]*project.NodeProps{pf.Models, pf.Seeds, pf.Snapshots} {
			for _, np := range set {
				idx, ok := c.byName[np.Name]
				if !ok {
					for _, t := range np.Tests {
						c.errorf(pf.Path, t.Line, "test on an unknown node", "%s is declared for %q, which is no model, seed or snapshot in the project", t.Name, np.Name)
					}
					continue
				}
				for _, t := range np.Tests {
					c.addGeneric(pf.Path, t, idx, nil, "")
				}
				for _, col := range np.Columns {
					for _, t := range col.Tests {
						c.addGeneric(pf.Path, t, idx, nil, col.Name)
					}
				}
			}
		}
		for _, sp := range pf.Sources {
			for _, tp := range sp.Tables {
				src := c.sources[sp.Name][tp.Name]
				if src == nil {
					continue
				}
				for _, t := range tp.Tests {
					c.addGeneric(pf.Path, t, -1, src, "")
				}
				for _, col := range tp.Columns {
					for _, t := range col.Tests {
						c.addGeneric(pf.Path, t, -1, src, col.Name)
					}
				}
			}
		}
	}
}

// collectSnapshots makes a node of each {% snapshot name %} block of f. The
// node's template is the block's body alone, placed at the line and column
// where it stands in the file, so positions in it are positions in f.
func (c *compiler) collectSnapshots(f project.File, folder *project.FolderConfig, props map[string]propsRef) {
	t, err := c.parse(f.Path, f.Content)
	if err != nil {
		c.syntaxError(f.Path, err)
		return
	}
	src := strings.ReplaceAll(f.Content, "\r\n", "\n")
	found := false
	for _, b := range t.Blocks() {
		if b.Header.Tag != "snapshot" {
			continue
		}
		found = true
		name := b.Header.Name
		u := c.newUnit(kindSnapshot, manifest.Snapshot, name, f, folder, props[name])
		start := bodyStart(src, b)
		line := strings.LastIndexByte(src[:start], '\n') + 1
		u.text = strings.Repeat("\n", strings.Count(src[:start], "\n")) + strings.Repeat(" ", start-line) + b.Raw
		u.node.RawCode = b.Raw
		u.node.Line = b.Pos.Line
		c.register(u)
	}
	if !found && strings.TrimSpace(f.Content) != "" {
		c.errorf(f.Path, 1, "no snapshot block", "a file under snapshot-paths must hold {%% snapshot name %%} … {%% endsnapshot %%}")
	}
}

// bodyStart is the offset in src of a raw block's body: just after the %}
// that closes its header.
func bodyStart(src string, b *jinja.TagBlock) int {
	off := offsetOf(src, b.Pos)
	if i := strings.Index(src[off:], "%}"); i >= 0 && strings.HasPrefix(src[off+i+2:], b.Raw) {
		return off + i + 2
	}
	if i := strings.Index(src[off:], b.Raw); i >= 0 {
		return off + i
	}
	return off
}

// firstPass parses a unit's template and renders it with placeholder
// relations, collecting config(), refs and sources.
func (c *compiler) firstPass(u *unit) {
	if u.disabled || u.failed || u.kind == kindSeed {
		return
	}
	if u.tmpl == nil && u.kind != kindGeneric {
		// Parsed here rather than up front: the tree is rendered at once and,
		// most often, collected soon after, instead of all trees living together.
		t, err := c.parse(u.file, u.text)
		if err != nil {
			c.syntaxError(u.file, err)
			u.failed = true
			return
		}
		u.tmpl = t
	}
	st := &renderState{c: c, u: u}
	var out string
	var err error
	if u.kind == kindGeneric {
		out, err = c.renderGeneric(u, st)
	} else {
		out, err = c.render(u.tmpl, st)
	}
	u.fileCfg = st.cfg
	u.refs, u.sources, u.macros = st.refs, st.sources, st.macros
	u.needsRerender, u.usedIncr = st.needsRerender, st.usedIncr
	u.warnings = st.warnings
	if err != nil {
		u.failed = true
		u.out = ""
		d := c.errDiag(u.file, err)
		if u.kind == kindGeneric && d.File == u.generic.file {
			// Raised by the test itself or in an argument's Jinja: the YAML line.
			d.Line, d.Col = u.generic.line, 0
		}
		u.pendingDiag = &d
		return
	}
	u.out = out
	if !u.needsRerender && !u.usedIncr && markersOK(out, len(c.units)) {
		// The final SQL is this output with relation names substituted: the
		// template is not rendered again and its tree can be collected.
		u.tmpl = nil
	}
}

// resolveConfigs merges each unit's config, drops disabled ones and checks
// the values.
func (c *compiler) resolveConfigs() {
	c.parallel(c.resolveConfig)
	for _, u := range c.units {
		if !u.disabled && !u.node.Config.Enabled {
			u.disabled = true
			if i, ok := c.byName[u.node.Name]; ok && i == u.idx {
				delete(c.byName, u.node.Name)
				c.disabledNames[u.node.Name] = true
			}
		}
	}
	c.checkUnits()
}

func (c *compiler) resolveConfig(u *unit) {
	{
		if u.disabled {
			return
		}
		final := copyMap(u.baseCfg)
		mergeAll(final, u.fileCfg)
		u.finalCfg = final
		def := map[unitKind]string{kindModel: "view", kindSeed: "seed", kindSnapshot: "snapshot", kindTest: "test", kindGeneric: "test"}[u.kind]
		cfg := fillConfig(final, def)
		if u.kind != kindModel {
			cfg.Materialized = def
		}
		u.node.Config = cfg
		raw := copyMap(u.rawCfg)
		mergeAll(raw, u.fileCfg)
		u.node.UnrenderedConfig = raw
	}
}

func (c *compiler) checkUnits() {
	for _, u := range c.units {
		if u.kind == kindGeneric && !u.disabled {
			for _, p := range u.refs {
				if c.units[p].disabled {
					u.disabled = true
				}
			}
		}
	}
	for _, u := range c.units {
		if u.disabled {
			continue
		}
		for _, w := range u.warnings {
			c.addWarning(w)
		}
		if u.pendingDiag != nil {
			c.addDiag(*u.pendingDiag)
			continue
		}
		n := u.node
		n.Tags = n.Config.Tags
		if n.Meta == nil {
			n.Meta = n.Config.Meta
		}
		if u.kind == kindModel {
			switch n.Config.Materialized {
			case "view", "table", "incremental", "ephemeral":
			default:
				c.errorf(u.file, findLine(u.text, "materialized"), "unknown materialization",
					"%s sets materialized %q; valid values are view, table, incremental and ephemeral", n.Name, n.Config.Materialized)
				u.failed = true
			}
			if n.Config.Materialized == "incremental" && c.o.Dialect != nil {
				valid := c.o.Dialect.ValidIncrementalStrategies()
				if s := n.Config.IncrementalStrategy; s != "" && !containsStr(valid, s) {
					c.errorf(u.file, findLine(u.text, "incremental_strategy"), "unknown incremental strategy",
						"%s sets incremental_strategy %q; %s accepts %s", n.Name, s, c.o.Dialect.Type(), strings.Join(valid, ", "))
					u.failed = true
				}
			}
		}
		for _, r := range u.refs {
			if t := c.units[r]; t.disabled {
				c.errorf(u.file, findLine(u.text, t.node.Name), "ref to a disabled node",
					"%s refers to %q, which is disabled (enabled: false); enable it or remove the ref", n.Name, t.node.Name)
				u.failed = true
			}
		}
	}
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// findLine returns the first line of text containing needle (0 if none).
func findLine(text, needle string) int {
	if i := strings.Index(text, needle); i >= 0 {
		return lineAt(text, i)
	}
	return 0
}

// hasNodeLevel reports whether the folder-config tree has a level for the node
// named name in dirs, below the project's own level.
func hasNodeLevel(fc *project.FolderConfig, pkg string, dirs []string, name string) bool {
	if fc == nil {
		return false
	}
	cur := fc.Children[pkg]
	for _, d := range dirs {
		if cur == nil {
			return false
		}
		cur = cur.Children[d]
	}
	return cur != nil && cur.Children[name] != nil
}

// folderConfigCached memoises folderConfig per resource type and directory:
// thousands of files share a few folders. The map returned is shared; callers
// copy it before changing it.
func (c *compiler) folderConfigCached(rt manifest.ResourceType, fc *project.FolderConfig, dirs []string) map[string]any {
	if c.folderCache == nil {
		c.folderCache = map[string]map[string]any{}
	}
	key := string(rt) + "/" + strings.Join(dirs, "/")
	m, ok := c.folderCache[key]
	if !ok {
		m = folderConfig(fc, c.name, dirs)
		c.folderCache[key] = m
	}
	return m
}
