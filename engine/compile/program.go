package compile

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/relation"
)

// globalProject is the namespace of the built-in macros (dbt's "global
// project"): `dbt.date_trunc`, `adapter.dispatch('x', 'dbt')`.
const globalProject = "dbt"

// pkg is one namespace of macros and nodes: the root project, an installed
// package or the built-in global project. Each has its own Jinja environment
// whose globals resolve the package's own macros first, then the root
// project's, then the global project's (dbt's search order), so a package's
// macros call each other unqualified.
type pkg struct {
	name     string
	proj     *project.Project // nil for the global project
	prefix   string           // path of the package's folder from the root project ("dbt_packages/dbt_utils/"), for messages
	root     bool
	internal bool
	env      *jinja.Environment
	macros   map[string]*macroDef
	docs     map[string]string
	sources  map[string]map[string]*manifest.Node // source name -> table name -> node
	// latest is the latest version of each versioned model, by name.
	latest map[string]string
}

// fileName is how messages name a file of the package: relative to the root project.
func (p *pkg) fileName(rel string) string { return p.prefix + rel }

// Program is a loaded project: its packages, parsed macros and docs, sources,
// and the nodes to render. It is built once by Load and then only read, so
// renders for parsing, compiling and execution may run from many goroutines.
type Program struct {
	o Options
	// ctx is Load's context: renders done while loading (sources, YAML
	// values, descriptions) stop with it.
	ctx      context.Context
	root     *pkg
	internal *pkg
	pkgs     map[string]*pkg
	// pkgOrder is the root project, the installed packages by name, then the global project.
	pkgOrder []*pkg

	// naming memoizes namingMacro per package and macro name.
	naming sync.Map
	// cacheRead delivers the partial-parse cache file, decoded while Load
	// reads the project (nil when partial parsing is off).
	cacheRead chan *parseCache

	units []*unit
	// byName indexes refable nodes (models, seeds, snapshots) by name across packages.
	byName map[string][]int
	// byID indexes every unit by unique_id.
	byID map[string]int
	// volatileMacro marks macros (by unique_id) whose text reads something
	// that changes between runs, for partial parsing.
	volatileMacro map[string]bool

	docNodes map[string]*manifest.Doc
	sources  map[string]*manifest.Node // by unique_id
	// sourceTables are the properties of each source table, by unique_id.
	sourceTables map[string]*project.SourceTableProps

	// Governance and tests of the properties files (governance.go, unittest.go).
	groups    map[string]*groupDef // by name (groups are project-wide)
	exposures []*exposureDef
	unitDefs  []*unitTestDef

	loadDiags diag.Diagnostics
	warned    warnSet
	oneOff    sync.Map // parsed one-off templates (YAML values, hooks), by name and text

	srcOnce  sync.Once
	srcIndex map[string]string // template name -> text, for the construct an error names
	tags     map[string]*jinja.Tag
	filters  map[string]jinja.Filter
	tests    map[string]jinja.Test
	baseVars map[string]jinja.Value // the context every environment shares

	// parsesRendered counts the parse pass's renders (the rest came from the
	// partial-parse cache).
	parsesRendered atomic.Int64
	// parsed is set by the first Parse: the units' nodes become the
	// manifest's, so a Program is parsed once.
	parsed atomic.Bool
	// canonCfg memoizes canonicalCfg by map identity (unsafe.Pointer -> string).
	canonCfg sync.Map

	// noFastTests turns the Go rendering of built-in tests off (tests compare both).
	noFastTests bool

	folderMu    sync.Mutex
	folderCache map[string]map[string]any
}

// unitKind is what a unit renders into.
type unitKind int

const (
	kindModel unitKind = iota
	kindSeed
	kindSnapshot
	kindTest
	kindGeneric
)

// unit is one node to render, as loaded: its identity, template text and the
// configuration known before rendering. Units are never changed after Load;
// every pass returns its findings as data of its own.
type unit struct {
	idx  int
	kind unitKind
	pkg  *pkg
	node *manifest.Node // identity fields only; assemble fills the rest into a copy
	file string         // template name: the file as messages name it
	text string         // template text (line-aligned with file)
	// sum is the sha256 of the file when text is that whole file: the parse
	// cache's key uses it instead of hashing the text again.
	sum string

	baseCfg map[string]any // folder configs < properties YAML
	rawCfg  map[string]any // the same, as written
	props   *project.NodeProps
	propsIn string // the properties file that described the node

	tmpl    *jinja.Template // parsed at load (singular tests, snapshots); others parse in the parse pass
	generic *genericTest
	// version is the version identifier of a versioned model's unit.
	version string
}

func (p *Program) now() time.Time {
	if p.o.Now.IsZero() {
		return time.Now()
	}
	return p.o.Now
}

// Load reads every package's macros, docs, sources and nodes and parses the
// macro files. Diagnostics hold every problem found; a Program is returned
// even when there are errors, with what did load.
func Load(ctx context.Context, o Options) (*Program, diag.Diagnostics) {
	if o.Project == nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Summary: "no project", Detail: "compile was called without a project"}}
	}
	p := &Program{o: o, ctx: ctx, pkgs: map[string]*pkg{}, byName: map[string][]int{}, docNodes: map[string]*manifest.Doc{}, sources: map[string]*manifest.Node{}}
	if o.CacheDir != "" {
		p.cacheRead = make(chan *parseCache, 1)
		go func() { p.cacheRead <- readParseCache(filepath.Join(o.CacheDir, parseCacheFile)) }()
	}
	p.tags = dbtTags()
	p.filters = jinja.NewEnvironment().Filters
	addDbtFilters(p.filters)
	p.tests = jinja.NewEnvironment().Tests

	p.internal = p.newPkg(globalProject, nil, "")
	p.internal.internal = true
	p.root = p.newPkg(o.Project.Config.Name, o.Project, "")
	p.root.root = true
	var deps []*pkg
	for _, dp := range o.Packages {
		name := dp.Config.Name
		if _, dup := p.pkgs[name]; dup || name == "" {
			p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: relPrefix(o.Project.Root, dp.Root) + dp.ConfigFile, Line: 1,
				Summary: "duplicate package", Detail: fmt.Sprintf("package %q is installed twice (or is named like the root project); remove one folder from %s", name, o.PackagesDir)})
			continue
		}
		deps = append(deps, p.newPkg(name, dp, relPrefix(o.Project.Root, dp.Root)))
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].name < deps[j].name })
	p.pkgOrder = append(append([]*pkg{p.root}, deps...), p.internal)

	for _, g := range globalMacroFiles() {
		p.addMacroFile(p.internal, project.File{Path: g.path, Content: g.src}, g.path)
	}
	for _, k := range p.pkgOrder {
		if k.proj == nil {
			continue
		}
		p.loadDocs(k)
		for _, f := range k.proj.Macros {
			p.addMacroFile(k, f, k.fileName(f.Path))
		}
	}
	p.buildGlobals()
	for _, k := range p.pkgOrder {
		if k.proj != nil {
			p.loadSources(k)
		}
	}
	for _, k := range p.pkgOrder {
		if k.proj != nil {
			p.collectUnits(k)
		}
	}
	for _, k := range p.pkgOrder {
		if k.proj != nil {
			p.collectGenericTests(k)
		}
	}
	for _, k := range p.pkgOrder {
		if k.proj != nil {
			p.collectGovernance(k)
		}
	}
	p.byID = make(map[string]int, len(p.units))
	for i, u := range p.units {
		p.byID[u.node.UniqueID] = i
	}
	p.volatileMacro = map[string]bool{}
	for _, k := range p.pkgOrder {
		for _, d := range k.macros {
			if volatile(d.sql) {
				p.volatileMacro[d.uniqueID] = true
			}
		}
	}
	if ctx.Err() != nil {
		p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, Summary: "cancelled", Detail: ctx.Err().Error()})
	}
	return p, p.loadDiags
}

// relPrefix is dir relative to root with a trailing slash ("dbt_packages/dbt_utils/").
func relPrefix(root, dir string) string {
	if dir == "" || dir == root {
		return ""
	}
	if rel, ok := strings.CutPrefix(dir, root+"/"); ok {
		return rel + "/"
	}
	return dir + "/"
}

func (p *Program) newPkg(name string, proj *project.Project, prefix string) *pkg {
	env := jinja.NewEnvironment()
	env.Filters, env.Tests, env.Tags = p.filters, p.tests, p.tags
	env.OnUndefinedPrint = p.undefinedPrinted
	// Templates are files of the project, found by name (macros by their
	// name, across files); dbt has no {% include %} or {% import %} of them.
	env.Loader = func(name string) (*jinja.Template, error) {
		return nil, fail("unsupported construct", fmt.Sprintf("{%% include %%}, {%% import %%} and {%% from %%} are not supported (here: %q): call macros by name, they are global across files", name))
	}
	k := &pkg{name: name, proj: proj, prefix: prefix, env: env, macros: map[string]*macroDef{}, docs: map[string]string{}, sources: map[string]map[string]*manifest.Node{}}
	p.pkgs[name] = k
	return k
}

// dbtTags are dbt's block statements, shared by every environment.
func dbtTags() map[string]*jinja.Tag {
	return map[string]*jinja.Tag{
		// {% docs name %}…{% enddocs %}: the body is markdown, kept as written.
		"docs": {Header: jinja.HeaderName, RawBody: true},
		// {% test name(args) %}…{% endtest %} defines the macro test_<name>.
		"test": {Header: jinja.HeaderSignature, MacroName: func(h *jinja.TagHeader) string { return "test_" + h.Name }},
		// {% snapshot name %}…{% endsnapshot %}: the body is a node of its own,
		// rendered by itself, so the block renders nothing in place.
		"snapshot": {Header: jinja.HeaderName, RawBody: true},
		// {% materialization name, adapter='x' %} defines the macro
		// materialization_<name>_<adapter>, run at execution time.
		"materialization": {Header: jinja.HeaderArgs, MacroName: func(h *jinja.TagHeader) string {
			return "materialization_" + h.Name + "_" + materializationAdapter(h)
		}},
	}
}

func materializationAdapter(h *jinja.TagHeader) string {
	adapter := "default"
	if len(h.Idents) > 1 {
		adapter = h.Idents[1]
	}
	if v, ok := h.Consts["adapter"]; ok {
		adapter = v.String()
	}
	return adapter
}

// parse parses one template in k's environment; name is the file as
// messages name it, so engine errors carry positions in the user's file.
func (p *Program) parse(k *pkg, name, src string) (*jinja.Template, error) {
	return k.env.Parse(name, src)
}

// parseCached parses a one-off template (a YAML value, a hook) once per text.
func (p *Program) parseCached(k *pkg, name, src string) (*jinja.Template, error) {
	key := k.name + "\x00" + name + "\x00" + src
	if t, ok := p.oneOff.Load(key); ok {
		return t.(*jinja.Template), nil
	}
	t, err := p.parse(k, name, src)
	if err != nil {
		return nil, err
	}
	p.oneOff.Store(key, t)
	return t, nil
}

// macroDef is one macro: where it is defined and its parsed form.
type macroDef struct {
	name     string
	uniqueID string
	pkg      *pkg
	file     string
	line     int
	sql      string
	checksum string
	m        *jinja.Macro
	fn       jinja.Value // the callable templates see (macroFn)
}

// macroFn is a macro as templates call it: the call is recorded in the
// render's depends_on.macros, then the engine runs the macro's body with
// the calling render's variables (dbt's semantics: a macro sees the calling
// node's this, config and model).
type macroFn struct{ def *macroDef }

func (f *macroFn) Call(s *jinja.State, a jinja.Args) (jinja.Value, error) {
	if st := stateOf(s); st != nil {
		st.useMacro(f.def)
	}
	return f.def.m.Call(s, a)
}

func (f *macroFn) Repr() string { return "<Macro '" + f.def.name + "'>" }

// loadDocs reads every {% docs name %} block of a package's docs files.
func (p *Program) loadDocs(k *pkg) {
	for _, f := range k.proj.Docs {
		name := k.fileName(f.Path)
		t, err := p.parse(k, name, f.Content)
		if err != nil {
			p.loadDiags.Add(p.errDiag(name, err))
			continue
		}
		for _, b := range t.Blocks() {
			if b.Header.Tag != "docs" {
				continue
			}
			body := strings.TrimSpace(b.Raw)
			k.docs[b.Header.Name] = body
			id := "doc." + k.name + "." + b.Header.Name
			p.docNodes[id] = &manifest.Doc{UniqueID: id, Name: b.Header.Name, PackageName: k.name, OriginalFilePath: f.Path, BlockContents: body}
		}
	}
}

func (p *Program) addMacroFile(k *pkg, f project.File, name string) *jinja.Template {
	t, err := p.parse(k, name, f.Content)
	if err != nil {
		p.loadDiags.Add(p.errDiag(name, err))
		return nil
	}
	p.addMacros(k, f, name, t)
	return t
}

func (p *Program) addMacros(k *pkg, f project.File, name string, t *jinja.Template) {
	src := f.Content
	for _, m := range t.Macros() {
		_, pos := m.Template()
		def := &macroDef{name: m.Name, uniqueID: "macro." + k.name + "." + m.Name, pkg: k, file: name, line: pos.Line, m: m}
		def.fn = jinja.CallableValue(&macroFn{def: def})
		def.sql = macroText(src, pos)
		def.checksum = checksum(def.sql).Checksum
		if prev, ok := k.macros[m.Name]; ok && !k.internal {
			p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: name, Line: def.line, Summary: "duplicate macro",
				Detail: fmt.Sprintf("macro %s is defined twice: in %s and in %s; rename or remove one", m.Name, prev.file, name)})
			continue
		}
		k.macros[m.Name] = def
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

// lookupMacro resolves an unqualified macro name as a template of package k
// would: k's own macros, then the root project's, then the global project's.
func (p *Program) lookupMacro(k *pkg, name string) (*macroDef, bool) {
	if k != nil {
		if d, ok := k.macros[name]; ok {
			return d, true
		}
	}
	if d, ok := p.root.macros[name]; ok {
		return d, true
	}
	d, ok := p.internal.macros[name]
	return d, ok
}

// loadSources renders a package's sources' YAML (schema, database and
// identifier may be Jinja).
func (p *Program) loadSources(k *pkg) {
	for _, pf := range k.proj.Properties {
		file := k.fileName(pf.Path)
		for _, sp := range pf.Sources {
			folder := p.folderConfig(k, manifest.Source, []string{sp.Name}, "")
			for _, tp := range sp.Tables {
				cfg := copyMap(folder)
				mergeAll(cfg, sp.Config)
				mergeAll(cfg, tp.Config)
				if en, ok := boolOf(cfg["enabled"]); ok && !en {
					continue
				}
				st := p.standaloneState(k)
				db := sp.Database
				if db == "" {
					db = p.o.Target.Database
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
				db, ok1 = p.renderText(k, file, sp.Line, db, st, &p.loadDiags)
				schema, ok2 = p.renderText(k, file, sp.Line, schema, st, &p.loadDiags)
				ident, ok3 = p.renderText(k, file, tp.Line, ident, st, &p.loadDiags)
				if !ok1 || !ok2 || !ok3 {
					continue
				}
				rel := relation.Relation{Database: p.normIdent(db), Schema: p.normIdent(schema), Identifier: p.normIdent(ident)}
				n := &manifest.Node{
					UniqueID: "source." + k.name + "." + sp.Name + "." + tp.Name, ResourceType: manifest.Source,
					Name: tp.Name, PackageName: k.name, Path: pf.Path, OriginalFilePath: pf.Path, FilePath: file,
					FQN: []string{k.name, sp.Name, tp.Name}, SourceName: sp.Name,
					SourceDescription: p.describe(k, file, sp.Line, sp.Description),
					Description:       p.describe(k, file, tp.Line, tp.Description),
					Identifier:        ident, Relation: rel, Database: rel.Database, Schema: rel.Schema,
					RelationName: p.renderRelation(rel), Columns: p.columns(k, file, tp.Columns),
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
				if k.sources[sp.Name] == nil {
					k.sources[sp.Name] = map[string]*manifest.Node{}
				}
				k.sources[sp.Name][tp.Name] = n
				p.sources[n.UniqueID] = n
				if p.sourceTables == nil {
					p.sourceTables = map[string]*project.SourceTableProps{}
				}
				p.sourceTables[n.UniqueID] = tp
			}
		}
	}
}

// describe renders a description that uses doc() or other Jinja.
func (p *Program) describe(k *pkg, file string, line int, s string) string {
	if !describedWithJinja(s) {
		return s
	}
	out, ok := p.renderText(k, file, line, s, p.standaloneState(k), &p.loadDiags)
	if !ok {
		return s
	}
	return out
}

func (p *Program) columns(k *pkg, file string, cols []*project.ColumnProps) map[string]*manifest.Column {
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
		out[cp.Name] = &manifest.Column{Name: cp.Name, Description: p.describe(k, file, cp.Line, cp.Description), DataType: cp.DataType, Meta: meta, Tags: tags}
	}
	return out
}

// describedWithJinja reports whether describe renders s.
func describedWithJinja(s string) bool { return strings.Contains(s, "{{") }

// rendersNothing reports whether making a unit from pr renders nothing:
// no description of the node or its columns is rendered.
func rendersNothing(pr propsRef) bool {
	if pr.p == nil {
		return true
	}
	if describedWithJinja(pr.p.Description) {
		return false
	}
	for _, c := range pr.p.Columns {
		if describedWithJinja(c.Description) {
			return false
		}
	}
	return true
}

type propsRef struct {
	p    *project.NodeProps
	file string
}

func propsIndex(k *pkg, get func(*project.PropertiesFile) []*project.NodeProps) map[string]propsRef {
	out := map[string]propsRef{}
	for _, pf := range k.proj.Properties {
		for _, np := range get(pf) {
			if _, dup := out[np.Name]; !dup {
				out[np.Name] = propsRef{np, k.fileName(pf.Path)}
			}
		}
	}
	return out
}

func (p *Program) newUnit(k *pkg, kind unitKind, rt manifest.ResourceType, name string, f project.File, props propsRef) *unit {
	return p.addUnit(p.makeUnit(k, kind, rt, name, f, props))
}

// addUnit gives a made unit its index and adds it to the program.
func (p *Program) addUnit(u *unit) *unit {
	u.idx = len(p.units)
	p.units = append(p.units, u)
	return u
}

// makeUnit builds a unit and its node without adding it. Unless its
// properties hold Jinja in a description (rendersNothing) it only reads the
// program (folder configs are locked), so models are made in parallel; a
// description to render may report into loadDiags, so that unit is made on
// one goroutine.
func (p *Program) makeUnit(k *pkg, kind unitKind, rt manifest.ResourceType, name string, f project.File, props propsRef) *unit {
	dirs := dirsOf(f.RelPath)
	file := k.fileName(f.Path)
	n := &manifest.Node{
		UniqueID: string(rt) + "." + k.name + "." + name, ResourceType: rt, Name: name, PackageName: k.name,
		Path: f.RelPath, OriginalFilePath: f.Path, FilePath: file, FQN: append(append([]string{k.name}, dirs...), name),
		Language: "sql", RawCode: f.Content, Checksum: fileChecksum(f), Columns: map[string]*manifest.Column{},
		DependsOn: manifest.DependsOn{Macros: []string{}, Nodes: []string{}}, Refs: []manifest.RefCall{}, Sources: [][]string{},
	}
	base := p.folderConfig(k, rt, dirs, name)
	// A unit's baseCfg and rawCfg are only read (passes copy them), so a node
	// without properties shares the folder's map.
	raw := base
	u := &unit{kind: kind, pkg: k, node: n, file: file, text: f.Content, sum: n.Checksum.Checksum}
	if props.p != nil {
		base, raw = copyMap(base), copyMap(base)
		np := props.p
		u.props, u.propsIn = np, props.file
		n.PatchPath = props.file
		n.Description = p.describe(k, props.file, np.Line, np.Description)
		n.Columns = p.columns(k, props.file, np.Columns)
		n.Meta = np.Meta
		n.TimeSpine = np.TimeSpine
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
	u.baseCfg, u.rawCfg = base, raw
	return u
}

// register makes a unit refable by name. Two nodes of one name in one
// package are an error; across packages, ref() tells them apart.
func (p *Program) register(u *unit) {
	for _, prev := range p.byName[u.node.Name] {
		if pu := p.units[prev]; pu.pkg == u.pkg && (pu.version == "" || u.version == "") {
			p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Summary: "duplicate name",
				Detail: fmt.Sprintf("%s %q is also defined in %s; names of models, seeds and snapshots must be unique", u.node.ResourceType, u.node.Name, p.units[prev].file)})
		}
	}
	p.byName[u.node.Name] = append(p.byName[u.node.Name], u.idx)
}

func (p *Program) collectUnits(k *pkg) {
	modelProps := propsIndex(k, func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Models })
	seedProps := propsIndex(k, func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Seeds })
	snapProps := propsIndex(k, func(pf *project.PropertiesFile) []*project.NodeProps { return pf.Snapshots })

	for _, f := range k.proj.Seeds {
		u := p.newUnit(k, kindSeed, manifest.Seed, f.Name, f, seedProps[f.Name])
		u.node.RawCode = ""
		p.register(u)
	}
	versioned := p.collectVersions(k)
	models := k.proj.Models
	made := make([]*unit, len(models))
	parallel(len(models), func(i int) {
		f := models[i]
		if pr := modelProps[f.Name]; rendersNothing(pr) && !versioned[f.Name] {
			made[i] = p.makeUnit(k, kindModel, manifest.Model, f.Name, f, pr)
		}
	})
	for i, f := range models {
		if versioned[f.Name] {
			continue
		}
		u := made[i]
		if u == nil {
			u = p.makeUnit(k, kindModel, manifest.Model, f.Name, f, modelProps[f.Name])
		}
		p.register(p.addUnit(u))
	}
	for _, f := range k.proj.Snapshots {
		p.collectSnapshots(k, f, snapProps)
	}
	for _, f := range k.proj.Tests {
		name := k.fileName(f.Path)
		t, err := p.parse(k, name, f.Content)
		if err != nil {
			p.loadDiags.Add(p.errDiag(name, err))
			continue
		}
		if hasBlock(t, "test") {
			p.addMacros(k, f, name, t) // a file of {% test %} blocks: macros
			continue
		}
		u := p.newUnit(k, kindTest, manifest.Test, f.Name, f, propsRef{})
		u.tmpl = t
	}
}

// collectGenericTests makes a node of every test declared in a package's
// properties YAML (after every package's nodes exist, so a test may name a
// node of another package).
func (p *Program) collectGenericTests(k *pkg) {
	var jobs []genericJob
	add := func(file string, t *project.TestSpec, attached int, src *manifest.Node, column string) {
		jobs = append(jobs, genericJob{file: file, t: t, attached: attached, src: src, column: column})
	}
	addNodeTests := func(file string, np *project.NodeProps, idx int) {
		for _, t := range np.Tests {
			add(file, t, idx, nil, "")
		}
		for _, col := range np.Columns {
			for _, t := range col.Tests {
				add(file, t, idx, nil, col.Name)
			}
		}
	}
	for _, pf := range k.proj.Properties {
		file := k.fileName(pf.Path)
		for _, set := range [][]*project.NodeProps{pf.Models, pf.Seeds, pf.Snapshots} {
			for _, np := range set {
				if len(np.Versions) > 0 {
					// Each version is tested with its own columns.
					for _, i := range p.byName[np.Name] {
						if u := p.units[i]; u.pkg == k && u.version != "" && u.props != nil {
							addNodeTests(file, u.props, i)
						}
					}
					continue
				}
				idx := -1
				for _, i := range p.byName[np.Name] {
					if p.units[i].pkg == k {
						idx = i
					}
				}
				if idx < 0 {
					// dbt warns (the properties of a missing node are reported by
					// the project loader) and leaves such tests out.
					continue
				}
				addNodeTests(file, np, idx)
			}
		}
		for _, sp := range pf.Sources {
			for _, tp := range sp.Tables {
				src := k.sources[sp.Name][tp.Name]
				if src == nil {
					continue
				}
				for _, t := range tp.Tests {
					add(file, t, -1, src, "")
				}
				for _, col := range tp.Columns {
					for _, t := range col.Tests {
						add(file, t, -1, src, col.Name)
					}
				}
			}
		}
	}
	made := make([]*unit, len(jobs))
	parallel(len(jobs), func(i int) { made[i] = p.makeGeneric(k, jobs[i]) })
	for _, u := range made {
		p.addUnit(u)
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

// collectSnapshots makes a node of each {% snapshot name %} block of f. The
// node's template is the block's body alone, placed at the line and column
// where it stands in the file, so positions in it are positions in f.
func (p *Program) collectSnapshots(k *pkg, f project.File, props map[string]propsRef) {
	name := k.fileName(f.Path)
	t, err := p.parse(k, name, f.Content)
	if err != nil {
		p.loadDiags.Add(p.errDiag(name, err))
		return
	}
	src := strings.ReplaceAll(f.Content, "\r\n", "\n")
	found := false
	for _, b := range t.Blocks() {
		if b.Header.Tag != "snapshot" {
			continue
		}
		found = true
		u := p.newUnit(k, kindSnapshot, manifest.Snapshot, b.Header.Name, f, props[b.Header.Name])
		start := bodyStart(src, b)
		line := strings.LastIndexByte(src[:start], '\n') + 1
		u.text = strings.Repeat("\n", strings.Count(src[:start], "\n")) + strings.Repeat(" ", start-line) + b.Raw
		u.sum = ""
		u.node.RawCode = b.Raw
		u.node.Line = b.Pos.Line
		p.register(u)
	}
	if !found && strings.TrimSpace(f.Content) != "" {
		p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: name, Line: 1, Summary: "no snapshot block",
			Detail: "a file under snapshot-paths must hold {% snapshot name %} … {% endsnapshot %}"})
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

// folderConfig is the folder-level config of a node of package k: k's own
// project file first, then the root project's (which overrides a package's
// configs under `models: {<package>: …}`). A level named after the node
// itself (`seeds: {p: {users: {+column_types: …}}}`) applies to that node only.
// The map returned may be shared; callers copy it before changing it.
func (p *Program) folderConfig(k *pkg, rt manifest.ResourceType, dirs []string, name string) map[string]any {
	key := k.name + "/" + string(rt) + "/" + strings.Join(dirs, "/")
	trees := []*project.FolderConfig{treeFor(&k.proj.Config, rt)}
	if !k.root {
		trees = append(trees, treeFor(&p.root.proj.Config, rt))
	}
	nodeLevel := false
	if name != "" {
		for _, t := range trees {
			nodeLevel = nodeLevel || hasNodeLevel(t, k.name, dirs, name)
		}
	}
	if nodeLevel {
		out := map[string]any{}
		for _, t := range trees {
			mergeAll(out, folderConfig(t, k.name, append(append([]string(nil), dirs...), name)))
		}
		return out
	}
	p.folderMu.Lock()
	defer p.folderMu.Unlock()
	if p.folderCache == nil {
		p.folderCache = map[string]map[string]any{}
	}
	if m, ok := p.folderCache[key]; ok {
		return m
	}
	out := map[string]any{}
	for _, t := range trees {
		mergeAll(out, folderConfig(t, k.name, dirs))
	}
	p.folderCache[key] = out
	return out
}

func treeFor(c *project.Config, rt manifest.ResourceType) *project.FolderConfig {
	switch rt {
	case manifest.Model:
		return c.Models
	case manifest.Seed:
		return c.Seeds
	case manifest.Snapshot:
		return c.Snapshots
	case manifest.Test:
		return c.Tests
	case manifest.Source:
		return c.Sources
	}
	return nil
}

// hasNodeLevel reports whether the folder-config tree has a level for the node
// named name in dirs, below the project's own level.
func hasNodeLevel(fc *project.FolderConfig, pkgName string, dirs []string, name string) bool {
	if fc == nil {
		return false
	}
	cur := fc.Children[pkgName]
	for _, d := range dirs {
		if cur == nil {
			return false
		}
		cur = cur.Children[d]
	}
	return cur != nil && cur.Children[name] != nil
}

func dirsOf(rel string) []string {
	d := path.Dir(rel)
	if d == "." || d == "" {
		return nil
	}
	return strings.Split(d, "/")
}

func (p *Program) renderRelation(r relation.Relation) string {
	if p.o.Dialect == nil {
		parts := []string{}
		for _, x := range []string{r.Database, r.Schema, r.Identifier} {
			if x != "" {
				parts = append(parts, `"`+x+`"`)
			}
		}
		return strings.Join(parts, ".")
	}
	return p.o.Dialect.RenderRelation(r)
}

func (p *Program) normIdent(s string) string {
	if p.o.Dialect == nil || s == "" {
		return s
	}
	return p.o.Dialect.NormalizeIdent(s)
}

func (p *Program) dialectType() string {
	if p.o.Dialect == nil {
		return p.o.Target.Type
	}
	return p.o.Dialect.Type()
}
