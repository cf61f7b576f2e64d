package compile

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

// parseOut is what a node's parse render found.
type parseOut struct {
	out  string          // output with relation markers ("" once not needed)
	tmpl *jinja.Template // kept when the node renders again
	cfg  map[string]any  // config() calls
	// refs are unit indexes in call order; sources unique_ids.
	refs    []int
	sources []string
	// macros are the macros the render called (unique_ids, sorted), as the
	// partial-parse cache keeps them.
	macros   []string
	rerender bool
	usedIncr bool
	dynamic  bool
	warnings diag.Diagnostics
	err      *diag.Diagnostic
}

// nodeCfg is a node's resolved configuration.
type nodeCfg struct {
	final map[string]any   // merged, rendered
	raw   map[string]any   // merged, as written
	cfg   *manifest.Config // the unit's node's Config
}

// deferredRel is where a deferred ref points: the state manifest's relation.
type deferredRel struct {
	rel      relation.Relation
	rendered string
	kind     string
}

// Parsed is the result of the parse pass: the manifest's nodes with their
// configs, relations and dependencies (no SQL yet), and what Finalize and
// execution-time renders need. It is safe for concurrent use once Finalize
// has returned.
type Parsed struct {
	p        *Program
	Manifest *manifest.Manifest

	parse    []parseOut
	cfgs     []nodeCfg
	rels     []relation.Relation
	relNames []string
	off      []bool // disabled, or failed to parse/resolve
	failed   []bool
	// enabled indexes enabled refable nodes by name.
	enabled map[string][]int
	// index maps an enabled node's unique_id to its unit.
	index map[string]int

	// set by Finalize
	deferred map[int]deferredRel
	body     []string // final SQL before ephemeral CTEs (ephemerals and dynamic nodes)
	dynamic  []bool   // renders again at execution time (itself or an ephemeral it reads)

	// hooksLater: the node's hooks hold Jinja and render at execution.
	hooksLater []bool

	// parseOnly: the parse outputs were dropped (ParseOnly); Finalize is refused.
	parseOnly bool

	graphOnce sync.Once
	graph     jinja.Value
	selected  []string

	// unitTests are the unit test nodes by unique_id; unitDiags the problems
	// found reading their rows.
	unitTests map[string]*unitTest
	unitDiags diag.Diagnostics
}

// Parse renders every node once as dbt parses it (execute false), then
// resolves configs and relation names. The manifest it returns has every
// enabled node with its config, relation and dependencies; Finalize adds SQL.
func (p *Program) Parse(ctx context.Context) (*Parsed, diag.Diagnostics) {
	return p.parseAll(ctx, true)
}

// ParseOnly is Parse for commands that never ask for SQL (parse, ls): the
// rendered text of each node is dropped as soon as it has been read, so the
// memory such a command needs is its manifest's.
func (p *Program) ParseOnly(ctx context.Context) (*Parsed, diag.Diagnostics) {
	return p.parseAll(ctx, false)
}

func (p *Program) parseAll(ctx context.Context, keep bool) (*Parsed, diag.Diagnostics) {
	if p.parsed.Swap(true) {
		panic("compile: a Program is parsed once; Load another")
	}
	n := len(p.units)
	r := &Parsed{p: p, parse: make([]parseOut, n), cfgs: make([]nodeCfg, n), off: make([]bool, n), failed: make([]bool, n), parseOnly: !keep}
	cache := p.openParseCache()
	var keys []string
	if cache != nil {
		keys = make([]string, n)
	}
	var hits atomic.Int64
	var fromCache []bool
	if cache != nil {
		fromCache = make([]bool, n)
	}
	if cache != nil {
		parallel(n, func(i int) {
			u := p.units[i]
			if u.kind != kindSeed {
				keys[i] = p.nodeKey(u)
				if po, ok := cache.lookup(p, u, keys[i], keep); ok {
					r.parse[i] = po
					fromCache[i] = true
					hits.Add(1)
				}
			}
		})
	}
	if p.o.BeforeRender != nil {
		p.o.BeforeRender(n-int(hits.Load()), n)
	}
	parallel(n, func(i int) {
		if fromCache != nil && fromCache[i] {
			return
		}
		u := p.units[i]
		r.parse[i] = r.parseUnit(ctx, u)
		if u.kind != kindSeed {
			p.parsesRendered.Add(1)
		}
	})
	if cache != nil && ctx.Err() == nil {
		// A node found in the cache was cacheable when it was stored, and its
		// text is unchanged since: only the others need looking at.
		cacheable := 0
		for i, u := range p.units {
			if u.kind != kindSeed && (fromCache[i] || p.cacheable(u, &r.parse[i])) {
				cacheable++
			}
		}
		if int(hits.Load()) != cacheable || len(cache.entries) != cacheable {
			// Something changed: keep this parse's findings for the next
			// run. A cache that cannot be written only costs that run time.
			_ = cache.save(p, r, keys, fromCache)
		}
	}
	if !keep {
		for i := range r.parse {
			r.parse[i].out, r.parse[i].tmpl = "", nil
		}
	}
	var ds diag.Diagnostics
	parallel(n, func(i int) { r.cfgs[i] = r.resolveConfig(ctx, p.units[i]) })
	r.checkUnits(&ds)
	r.rels, r.relNames = make([]relation.Relation, n), make([]string, n)
	var mu sync.Mutex
	parallel(n, func(i int) {
		if d := r.resolveRelation(ctx, p.units[i]); d != nil {
			mu.Lock()
			ds.Add(*d)
			r.failed[i] = true
			mu.Unlock()
		}
	})
	r.checkRelations(&ds)
	r.checkGovernance(&ds)
	r.Manifest = r.assemble(ctx, &ds)
	r.exposureNodes(r.Manifest, &ds)
	r.unitTestNodes(r.Manifest, &ds)
	ds.Add(r.unitDiags...)
	ds.Sort()
	return r, ds
}

// parseUnit renders a unit once with placeholder relations, collecting
// config(), refs, sources and macros.
func (r *Parsed) parseUnit(ctx context.Context, u *unit) parseOut {
	var po parseOut
	if u.kind == kindSeed {
		return po
	}
	p := r.p
	t := u.tmpl
	if t == nil && u.kind != kindGeneric {
		var err error
		// Parsed here rather than up front: the tree is rendered at once and,
		// most often, collected soon after, instead of all trees living together.
		t, err = p.parse(u.pkg, u.file, u.text)
		if err != nil {
			d := p.nodeErr(u, err)
			po.err = &d
			return po
		}
	}
	st := &renderState{ctx: ctx, p: p, r: r, u: u, k: u.pkg, phase: phaseParse}
	var out string
	var err error
	if u.kind == kindGeneric {
		out, err = p.renderGeneric(u, st)
	} else {
		out, err = p.render(t, st)
	}
	po.cfg, po.refs, po.sources = st.cfg, st.refs, st.sources
	po.macros = make([]string, 0, len(st.macros))
	for id := range st.macros {
		po.macros = append(po.macros, id)
	}
	sort.Strings(po.macros)
	po.rerender, po.usedIncr, po.dynamic, po.warnings = st.rerender, st.usedIncr, st.dynamic, st.warnings
	if err != nil {
		d := p.nodeErr(u, err)
		if u.kind == kindGeneric && d.File == u.generic.file {
			// Raised by the test itself or in an argument's Jinja: the YAML line.
			d.Line, d.Col = u.generic.line, 0
		}
		po.err = &d
		return po
	}
	po.out = out
	if po.rerender || po.usedIncr || po.dynamic || !markersOK(out, len(p.units)) {
		// The final SQL needs a new render: keep the tree.
		po.tmpl = t
	}
	return po
}

// resolveConfig merges a unit's config: folder < properties < config() in
// the file, with Jinja in the values rendered.
func (r *Parsed) resolveConfig(ctx context.Context, u *unit) nodeCfg {
	po := &r.parse[u.idx]
	final := copyMap(u.baseCfg)
	mergeAll(final, po.cfg)
	var ds diag.Diagnostics
	r.p.renderConfigValues(ctx, u, final, &ds)
	// A column's data_type may hold Jinja too, as dbt renders it
	// ("{{ 'UInt8' if target.type == 'clickhouse' else 'int' }}").
	for _, c := range u.node.Columns {
		if c != nil && strings.Contains(c.DataType, "{") {
			if nv, changed := r.p.renderConfigValue(ctx, u, c.DataType, &ds); changed {
				c.DataType = strings.TrimSpace(nv.(string))
			}
		}
	}
	if len(ds) > 0 && po.err == nil {
		d := ds[0]
		po.err = &d
	}
	def := defaultMaterialized(u.kind)
	cfg := fillConfig(final, def)
	if u.kind != kindModel {
		cfg.Materialized = def
	}
	raw := copyMap(u.rawCfg)
	mergeAll(raw, po.cfg)
	// The node holds the one copy of its config; nodeCfg points at it.
	u.node.Config = cfg
	return nodeCfg{final: final, raw: raw, cfg: &u.node.Config}
}

// defaultMaterialized is a kind's materialization when its config names none.
func defaultMaterialized(k unitKind) string {
	switch k {
	case kindModel:
		return "view"
	case kindSeed:
		return "seed"
	case kindSnapshot:
		return "snapshot"
	case kindTest, kindGeneric:
		return "test"
	}
	return ""
}

// renderConfigValues renders Jinja in config values (dbt renders
// dbt_project.yml and properties configs): `+schema: "x_{{ var('s') }}"`,
// `+enabled: "{{ target.name == 'prod' }}"`. Hooks are rendered later, with
// the node's context.
func (p *Program) renderConfigValues(ctx context.Context, u *unit, m map[string]any, ds *diag.Diagnostics) {
	for k, v := range m {
		if k == "pre-hook" || k == "post-hook" {
			continue
		}
		if nv, changed := p.renderConfigValue(ctx, u, v, ds); changed {
			m[k] = nv
		}
	}
}

func (p *Program) renderConfigValue(ctx context.Context, u *unit, v any, ds *diag.Diagnostics) (any, bool) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "{{") && !strings.Contains(t, "{%") {
			return v, false
		}
		st := &renderState{ctx: ctx, p: p, k: u.pkg, phase: phaseFinal}
		file := u.file
		if u.propsIn != "" {
			file = u.propsIn
		}
		out, ok := p.renderText(u.pkg, file, 0, t, st, ds)
		if !ok {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, x := range t {
			if nx, ch := p.renderConfigValue(ctx, u, x, ds); ch {
				if out == nil {
					out = append([]any(nil), t...)
				}
				out[i] = nx
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case map[string]any:
		var out map[string]any
		for k, x := range t {
			if nx, ch := p.renderConfigValue(ctx, u, x, ds); ch {
				if out == nil {
					out = copyMap(t)
				}
				out[k] = nx
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}

// checkUnits decides which units are off (disabled or failed) and reports
// their problems: parse errors of enabled nodes, unknown materializations and
// strategies, refs to disabled nodes.
func (r *Parsed) checkUnits(ds *diag.Diagnostics) {
	p := r.p
	r.enabled = make(map[string][]int, len(p.units))
	disabledNames := map[string]bool{}
	for i, u := range p.units {
		if !r.cfgs[i].cfg.Enabled {
			r.off[i] = true
			disabledNames[u.node.Name] = true
		}
	}
	// A generic test of a disabled node is disabled with it.
	for i, u := range p.units {
		if u.kind != kindGeneric || r.off[i] {
			continue
		}
		for _, ref := range r.parse[i].refs {
			if r.off[ref] {
				r.off[i] = true
			}
		}
		if g := u.generic; g.attached >= 0 && r.off[g.attached] {
			r.off[i] = true
		}
	}
	for i, u := range p.units {
		if r.off[i] {
			continue
		}
		switch u.kind {
		case kindModel, kindSeed, kindSnapshot:
			r.enabled[u.node.Name] = append(r.enabled[u.node.Name], i)
		}
	}
	valid := []string(nil)
	if p.o.Dialect != nil {
		valid = p.o.Dialect.ValidIncrementalStrategies()
	}
	for i, u := range p.units {
		if r.off[i] {
			continue
		}
		po := &r.parse[i]
		for _, w := range po.warnings {
			p.addWarning(ds, w)
		}
		if po.err != nil {
			ds.Add(*po.err)
			r.failed[i] = true
			continue
		}
		c := r.cfgs[i].cfg
		p.checkConfigKeys(u, c.Extra, ds)
		if u.kind == kindModel {
			switch c.Materialized {
			case "view", "table", "incremental", "ephemeral":
			default:
				if _, ok := p.materialization(c.Materialized); !ok {
					ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: findLine(u.text, "materialized"), Summary: "unknown materialization",
						Detail: fmt.Sprintf("%s sets materialized %q; valid values are view, table, incremental, ephemeral and the project's {%% materialization %%} blocks", u.node.Name, c.Materialized)})
					r.failed[i] = true
				}
			}
			if c.Materialized == "incremental" && valid != nil {
				if s := c.IncrementalStrategy; s != "" && !containsStr(valid, s) {
					ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: findLine(u.text, "incremental_strategy"), Summary: "unknown incremental strategy",
						Detail: fmt.Sprintf("%s sets incremental_strategy %q; %s accepts %s", u.node.Name, s, p.o.Dialect.Type(), strings.Join(valid, ", "))})
					r.failed[i] = true
				}
			}
		}
		if u.kind == kindSnapshot && len(c.UniqueKey) == 0 {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: u.node.Line, Summary: "snapshot without unique_key",
				Detail: fmt.Sprintf("snapshot %s needs config unique_key (the column(s) identifying a row); add unique_key='id' to its config", u.node.Name)})
			r.failed[i] = true
		}
		if (u.kind == kindTest || u.kind == kindGeneric) && c.Severity != "" && c.Severity != "error" && c.Severity != "warn" {
			line := u.node.Line
			if u.generic != nil {
				line = u.generic.line
			}
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: line, Summary: "invalid severity",
				Detail: fmt.Sprintf("test %s has severity %q; severity must be error or warn", u.node.Name, c.Severity)})
			r.failed[i] = true
		}
		for _, ref := range po.refs {
			if t := p.units[ref]; r.off[ref] {
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: findLine(u.text, t.node.Name), Summary: "ref to a disabled node",
					Detail: fmt.Sprintf("%s refers to %q, which is disabled (enabled: false); enable it or remove the ref", u.node.Name, t.node.Name)})
				r.failed[i] = true
			}
		}
	}
	_ = disabledNames
}

// resolveRelation sets where a model, seed or snapshot is built, through
// generate_database_name / generate_schema_name / generate_alias_name (the
// root project's macro of that name, then the node's package's, then the
// global project's default rule).
func (r *Parsed) resolveRelation(ctx context.Context, u *unit) *diag.Diagnostic {
	i := u.idx
	if r.off[i] || u.kind == kindTest || u.kind == kindGeneric {
		return nil
	}
	c := r.cfgs[i].cfg
	if c.Materialized == "ephemeral" {
		return nil
	}
	p := r.p
	var st *renderState // made when a project's naming macro is called
	custom := func(s string) jinja.Value {
		if s == "" {
			return jinja.None
		}
		return jinja.String(s)
	}
	var failure *diag.Diagnostic
	naming := func(macro, customValue, fallback string) string {
		def := p.namingMacro(u.pkg, macro)
		if def == nil || failure != nil {
			return fallback
		}
		if st == nil {
			st = &renderState{ctx: ctx, p: p, r: r, u: u, k: u.pkg, phase: phaseFinal}
		}
		out, err := p.callFromGo(st, def, custom(customValue), p.nodeDict(u, r.cfgs[i].final))
		if err != nil {
			d := p.nodeErr(u, err)
			failure = &d
			return fallback
		}
		return out
	}
	db := naming("generate_database_name", c.Database, firstNonEmpty(c.Database, p.o.Target.Database))
	schemaDefault := p.o.Target.Schema
	if s := strings.TrimSpace(c.Schema); s != "" {
		schemaDefault = p.o.Target.Schema + "_" + s
	}
	schema := naming("generate_schema_name", c.Schema, schemaDefault)
	alias := naming("generate_alias_name", c.Alias, firstNonEmpty(c.Alias, u.defaultAlias()))
	if u.kind == kindSnapshot {
		if c.TargetSchema != "" {
			schema = c.TargetSchema
		}
		if c.TargetDatabase != "" {
			db = c.TargetDatabase
		}
	}
	rel := relation.Relation{Database: p.normIdent(db), Schema: p.normIdent(schema), Identifier: p.normIdent(alias)}
	r.rels[i] = rel
	r.relNames[i] = p.renderRelation(rel)
	return failure
}

// namingMacro finds a project's override of one of dbt's naming macros: the
// root project's, else the node's package's. nil means dbt's default rule,
// which strata applies in Go (the global project's macro says the same).
func (p *Program) namingMacro(k *pkg, name string) *macroDef {
	// The same for every node of a package: looked up once (dispatch builds
	// names and searches packages).
	key := namingKey{k, name}
	if d, ok := p.naming.Load(key); ok {
		return d.(*macroDef)
	}
	d := p.findNamingMacro(k, name)
	p.naming.Store(key, d)
	return d
}

type namingKey struct {
	k    *pkg
	name string
}

func (p *Program) findNamingMacro(k *pkg, name string) *macroDef {
	if d, ok := p.root.macros[name]; ok {
		return d
	}
	if d, ok := k.macros[name]; ok && !k.internal {
		return d
	}
	// dbt's naming macros dispatch: a project's default__ or <adapter>__
	// variant replaces the rule, through the global project's macro.
	if d, _ := p.dispatch(k, name, globalProject); d != nil && !d.pkg.internal {
		if w, ok := p.internal.macros[name]; ok {
			return w
		}
	}
	return nil
}

func (p *Program) nodeDict(u *unit, cfg map[string]any) jinja.Value {
	n := u.node
	return jinja.FromGo(map[string]any{
		"name": n.Name, "unique_id": n.UniqueID, "resource_type": string(n.ResourceType), "package_name": n.PackageName,
		"path": n.Path, "original_file_path": n.OriginalFilePath, "fqn": n.FQN, "config": cfg,
		"tags": anyList(strList(cfg["tags"])), "version": versionValue(u.version),
	})
}

// checkRelations reports two nodes built into one relation, and identifiers
// longer than the warehouse keeps (it would cut them short, so two models
// could land in one relation).
func (r *Parsed) checkRelations(ds *diag.Diagnostics) {
	p := r.p
	seen := make(map[relation.Relation]int, len(p.units))
	for i, u := range p.units {
		if r.off[i] || r.failed[i] || r.rels[i].Identifier == "" {
			continue
		}
		rel := r.rels[i]
		for _, part := range []string{rel.Schema, rel.Identifier} {
			if err := p.o.Traits.CheckIdentifier(p.dialectType(), part); err != nil {
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Summary: "identifier too long",
					Detail: fmt.Sprintf("%s: %v", u.node.UniqueID, err)})
				r.failed[i] = true
				break
			}
		}
		if r.failed[i] {
			continue
		}
		key := relation.Relation{Database: strings.ToLower(rel.Database), Schema: strings.ToLower(rel.Schema), Identifier: strings.ToLower(rel.Identifier)}
		if prev, dup := seen[key]; dup {
			pu := p.units[prev]
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Summary: "two nodes build one relation",
				Detail: fmt.Sprintf("%s and %s (%s) both build %s; give one of them another alias or schema", u.node.UniqueID, pu.node.UniqueID, pu.file, r.relNames[i])})
			r.failed[i] = true
			continue
		}
		seen[key] = i
	}
}

// assemble builds the manifest's nodes from the passes' findings.
// fillNode makes unit i's node the manifest's: its resolved config,
// relation, dependencies and governance fields. It touches only that node.
func (r *Parsed) fillNode(i int, sources map[string]*manifest.Node, ds *diag.Diagnostics) {
	p := r.p
	u := p.units[i]
	// The unit's node becomes the manifest's: a Program is parsed once,
	// and a copy of every node was a sixth of a large compile's heap.
	// Only identity fields of units' nodes are read before this point.
	n := u.node
	nc := r.cfgs[i]
	n.UnrenderedConfig = nc.raw
	n.Tags = nc.cfg.Tags
	if n.Meta == nil {
		n.Meta = nc.cfg.Meta
	}
	if rel := r.rels[i]; rel.Identifier != "" {
		n.Relation = rel
		n.Database, n.Schema, n.Alias = rel.Database, rel.Schema, rel.Identifier
		n.RelationName = r.relNames[i]
	}
	po := &r.parse[i]
	n.DependsOn = manifest.DependsOn{Macros: po.macroIDs(), Nodes: make([]string, 0, len(po.refs)+len(po.sources))}
	n.Refs, n.Sources = []manifest.RefCall{}, [][]string{}
	// Most nodes depend on a few others: a linear look for duplicates beats
	// a map there; a node with many dependencies gets a map.
	var seen map[string]bool
	var seenRef map[int]bool
	if len(po.refs)+len(po.sources) > 32 {
		seen, seenRef = map[string]bool{}, map[int]bool{}
	}
	addNode := func(id string) bool {
		if seen != nil {
			if seen[id] {
				return false
			}
			seen[id] = true
		} else if slices.Contains(n.DependsOn.Nodes, id) {
			return false
		}
		n.DependsOn.Nodes = append(n.DependsOn.Nodes, id)
		return true
	}
	for j, ref := range po.refs {
		if seenRef != nil {
			if seenRef[ref] {
				continue
			}
			seenRef[ref] = true
		} else if slices.Contains(po.refs[:j], ref) {
			continue
		}
		pn := p.units[ref].node
		addNode(pn.UniqueID)
		if u.kind != kindGeneric {
			rc := manifest.RefCall{Name: pn.Name}
			if pn.PackageName != u.pkg.name && pn.PackageName != p.root.name {
				rc.Package = pn.PackageName
			}
			n.Refs = append(n.Refs, rc)
		}
	}
	for _, s := range po.sources {
		if !addNode(s) {
			continue
		}
		if src, ok := sources[s]; ok && u.kind != kindGeneric {
			n.Sources = append(n.Sources, []string{src.SourceName, src.Name})
		}
	}
	n.Compiled = false
	r.governance(n, u, ds)
}

func (r *Parsed) assemble(ctx context.Context, ds *diag.Diagnostics) *manifest.Manifest {
	p := r.p
	m := manifest.New()
	m.Metadata = manifest.Metadata{
		DbtSchemaVersion: "https://schemas.getdbt.com/dbt/manifest/v12.json", GeneratedAt: p.now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		InvocationID: p.o.InvocationID, ProjectName: p.root.name, AdapterType: p.dialectType(), TargetName: p.o.Target.Name,
	}
	for id, n := range p.sources {
		m.Sources[id] = n
	}
	m.Nodes = make(map[string]*manifest.Node, len(p.units))
	r.index = make(map[string]int, len(p.units))
	// Each node is filled from its own unit's findings, in parallel; the
	// maps and diagnostics are gathered afterwards, in unit order.
	var nds []diag.Diagnostics
	var ndsMu sync.Mutex
	parallel(len(p.units), func(i int) {
		if r.off[i] {
			return
		}
		var local diag.Diagnostics
		r.fillNode(i, m.Sources, &local)
		if len(local) > 0 {
			ndsMu.Lock()
			if nds == nil {
				nds = make([]diag.Diagnostics, len(p.units))
			}
			nds[i] = local
			ndsMu.Unlock()
		}
	})
	for i, u := range p.units {
		if r.off[i] {
			continue
		}
		if nds != nil {
			ds.Add(nds[i]...)
		}
		m.Nodes[u.node.UniqueID] = u.node
		r.index[u.node.UniqueID] = i
	}
	for _, k := range p.pkgOrder {
		for _, d := range k.macros {
			mc := &manifest.Macro{UniqueID: d.uniqueID, Name: d.name, PackageName: k.name, OriginalFilePath: d.file,
				Path: d.file, MacroSQL: d.sql, Checksum: manifest.Checksum{Name: "sha256", Checksum: d.checksum}, Line: d.line}
			mc.DependsOn.Macros = []string{}
			seen := map[string]bool{}
			callNames(jinjaCode(d.sql), func(name string) {
				if name == d.name {
					return
				}
				if dep, ok := p.lookupMacro(k, name); ok && !seen[dep.uniqueID] {
					seen[dep.uniqueID] = true
					mc.DependsOn.Macros = append(mc.DependsOn.Macros, dep.uniqueID)
				}
			})
			sort.Strings(mc.DependsOn.Macros)
			m.Macros[d.uniqueID] = mc
		}
	}
	for id, d := range p.docNodes {
		m.Docs[id] = d
	}
	return m
}

// FinalizeOptions say which nodes need SQL and how refs resolve.
type FinalizeOptions struct {
	// IDs are the nodes to finalize (nil: every enabled node). Ephemeral
	// models they read are finalized with them.
	IDs []string
	// Defer maps a node's unique_id to the relation its refs resolve to
	// instead (--defer: production's relation from the state manifest).
	Defer map[string]relation.Relation
	// Warehouse, when set, lets nodes that introspect render with execute
	// true now (`strata compile`); without it they keep their parse render
	// until they render again at execution time.
	Warehouse Warehouse
}

// Finalize produces the SQL of the requested nodes: parse output with the
// relation markers replaced, or a new render where the template looked inside
// a relation; the is_incremental() variant; hooks; and ephemeral CTEs. It
// sets CompiledCode, IncrementalCode and hooks on the manifest's nodes and
// must be called once, before execution-time renders.
func (r *Parsed) Finalize(ctx context.Context, o FinalizeOptions) diag.Diagnostics {
	if r.parseOnly {
		return diag.Diagnostics{{Severity: diag.Error, Summary: "internal error", Detail: "Finalize after ParseOnly: the parse outputs were dropped"}}
	}
	p := r.p
	n := len(p.units)
	r.deferred = map[int]deferredRel{}
	for id, rel := range o.Defer {
		if i, ok := r.indexOf(id); ok {
			kind := "table"
			if r.cfgs[i].cfg.Materialized == "view" {
				kind = "view"
			}
			r.deferred[i] = deferredRel{rel: rel, rendered: p.renderRelation(rel), kind: kind}
		}
	}
	want := make([]bool, n)
	if o.IDs == nil {
		for i := range want {
			want[i] = !r.off[i]
		}
	} else {
		for _, id := range o.IDs {
			if i, ok := r.indexOf(id); ok {
				r.wantWithEphemerals(i, want)
			}
		}
	}
	r.body = make([]string, n)
	r.dynamic = make([]bool, n)
	r.hooksLater = make([]bool, n)
	type finalOut struct {
		body, incr     string
		pre, post      []string
		dynamic, valid bool
	}
	outs := make([]finalOut, n)
	var mu sync.Mutex
	var ds diag.Diagnostics
	report := func(d diag.Diagnostic, i int) {
		mu.Lock()
		ds.Add(d)
		r.failed[i] = true
		mu.Unlock()
	}
	parallel(n, func(i int) {
		u := p.units[i]
		if !want[i] || r.off[i] || r.failed[i] || u.kind == kindSeed {
			return
		}
		po := &r.parse[i]
		fo := finalOut{dynamic: po.dynamic}
		var err error
		if po.dynamic && o.Warehouse != nil {
			fo.body, err = r.renderFinal(u, r.finalState(ctx, u, phaseFinal, o.Warehouse, false))
		} else {
			// The parse output is the SQL once its markers name real
			// relations, unless the template looked inside one (or damaged a
			// marker): then it renders again with real relations. A node
			// that introspects keeps this until it renders at execution.
			ok := false
			if !po.rerender {
				fo.body, ok = r.substitute(po.out, i)
			}
			if !ok {
				fo.body, err = r.renderFinal(u, r.finalState(ctx, u, phaseFinal, nil, false))
			}
		}
		if err != nil {
			report(p.nodeErr(u, err), i)
			return
		}
		if u.kind == kindSnapshot {
			fo.body = strings.TrimSpace(fo.body)
		}
		c := r.cfgs[i].cfg
		if po.usedIncr && c.Materialized == "incremental" {
			st := r.finalState(ctx, u, phaseFinal, o.Warehouse, true)
			fo.incr, err = r.renderFinal(u, st)
			if err != nil {
				report(p.nodeErr(u, err), i)
				return
			}
		}
		if c.Materialized != "ephemeral" {
			var hds diag.Diagnostics
			fo.pre, fo.post = r.renderHooks(ctx, u, o.Warehouse, &hds)
			if len(hds) > 0 {
				for _, d := range hds {
					report(d, i)
				}
				return
			}
		}
		fo.valid = true
		outs[i] = fo
	})
	// Ephemeral CTEs need every ephemeral parent's body: assemble after the
	// parallel renders, parents before children.
	for i := range outs {
		if outs[i].valid {
			r.body[i] = outs[i].body
		}
	}
	for i, u := range p.units {
		fo := outs[i]
		if !fo.valid {
			continue
		}
		order := r.ephemeralParents(i)
		dyn := fo.dynamic
		for _, e := range order {
			dyn = dyn || r.parse[e].dynamic
		}
		r.dynamic[i] = dyn && o.Warehouse == nil
		if o.Warehouse == nil && hooksHaveJinja(r.cfgs[i].cfg.PreHook, r.cfgs[i].cfg.PostHook) {
			// Hooks with Jinja render when they run, with execute true and the
			// node's relation built (post-hooks), as dbt renders them.
			r.hooksLater[i] = true
		}
		node := r.Manifest.Nodes[u.node.UniqueID]
		if node == nil {
			continue
		}
		ctes := r.ctes(order)
		node.CompiledCode = injectCTEs(fo.body, ctes)
		if fo.incr != "" {
			node.IncrementalCode = injectCTEs(fo.incr, ctes)
		}
		node.PreHooks, node.PostHooks = fo.pre, fo.post
		node.Compiled = true
		node.Dynamic = r.dynamic[i]
	}
	r.renderUnitTests(ctx, o.IDs, &ds)
	ds.Sort()
	return ds
}

func (r *Parsed) indexOf(id string) (int, bool) {
	i, ok := r.index[id]
	return i, ok
}

// wantWithEphemerals marks unit i and the ephemeral models it reads.
func (r *Parsed) wantWithEphemerals(i int, want []bool) {
	if want[i] {
		return
	}
	want[i] = true
	for _, ref := range r.parse[i].refs {
		if r.cfgs[ref].cfg.Materialized == "ephemeral" {
			r.wantWithEphemerals(ref, want)
		}
	}
}

// finalState is the render state of a final or execution-time render.
func (r *Parsed) finalState(ctx context.Context, u *unit, ph phase, wh Warehouse, incr bool) *renderState {
	return &renderState{ctx: ctx, p: r.p, r: r, u: u, k: u.pkg, phase: ph, exec: wh != nil, wh: wh, incr: incr}
}

func (r *Parsed) renderFinal(u *unit, st *renderState) (string, error) {
	out, err := r.renderFinalRaw(u, st)
	if err == nil && r.p.o.Flags.Empty {
		out = keepUserAliases(out)
	}
	return out, err
}

func (r *Parsed) renderFinalRaw(u *unit, st *renderState) (string, error) {
	p := r.p
	if u.kind == kindGeneric {
		return p.renderGeneric(u, st)
	}
	t := r.parse[u.idx].tmpl
	if t == nil {
		t = u.tmpl
	}
	if t == nil {
		var err error
		if t, err = p.parse(u.pkg, u.file, u.text); err != nil {
			return "", err
		}
	}
	return p.render(t, st)
}

// renderHooks renders a node's pre- and post-hooks; empty renders are
// dropped, as dbt skips empty hooks.
func (r *Parsed) renderHooks(ctx context.Context, u *unit, wh Warehouse, ds *diag.Diagnostics) (pre, post []string) {
	c := r.cfgs[u.idx].cfg
	pre, _ = r.renderHookList(ctx, u, wh, c.PreHook, ds)
	post, _ = r.renderHookList(ctx, u, wh, c.PostHook, ds)
	return pre, post
}

// renderHookList renders hooks one by one, each when its turn comes; it
// returns the non-empty ones and the statements their rendering ran.
func (r *Parsed) renderHookList(ctx context.Context, u *unit, wh Warehouse, src []string, ds *diag.Diagnostics) (hooks, stmts []string) {
	line := findLine(u.text, "hook")
	for _, sql := range src {
		st := r.finalState(ctx, u, phaseFinal, wh, false)
		out, ok := r.p.renderText(u.pkg, u.file, line, sql, st, ds)
		stmts = append(stmts, st.statements...)
		if !ok {
			continue
		}
		if strings.TrimSpace(out) != "" {
			hooks = append(hooks, out)
		}
	}
	return hooks, stmts
}

// ephemeralParents lists every ephemeral model node i reads through
// ephemeral models only, parents first.
func (r *Parsed) ephemeralParents(i int) []int {
	var order []int
	seen := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		for _, ref := range r.parse[i].refs {
			if seen[ref] || r.off[ref] || r.cfgs[ref].cfg.Materialized != "ephemeral" {
				continue
			}
			seen[ref] = true
			visit(ref)
			order = append(order, ref)
		}
	}
	visit(i)
	return order
}

func (r *Parsed) ctes(order []int) []string {
	out := make([]string, 0, len(order))
	for _, i := range order {
		out = append(out, " "+cteName(r.p.units[i].node.Name)+" as (\n"+r.body[i]+"\n)")
	}
	return out
}

// injectCTEs merges CTEs into sql as dbt does: after an existing leading WITH,
// else in a new WITH before the first token.
func injectCTEs(sql string, ctes []string) string {
	if len(ctes) == 0 {
		return sql
	}
	joined := strings.Join(ctes, ", ")
	start := len(sql) - len(strings.TrimLeft(sql, " \t\r\n"))
	kw := firstKeyword(sql)
	if kw >= 0 {
		return sql[:kw+4] + joined + "," + sql[kw+4:]
	}
	return sql[:start] + "with" + joined + sql[start:]
}

// firstKeyword returns the offset of a leading WITH keyword (after whitespace
// and comments), or -1.
func firstKeyword(sql string) int {
	i := 0
	for i < len(sql) {
		switch {
		case strings.ContainsRune(" \t\r\n", rune(sql[i])):
			i++
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return -1
			}
			i += j + 1
		case strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i:], "*/")
			if j < 0 {
				return -1
			}
			i += j + 2
		default:
			if len(sql)-i >= 4 && strings.EqualFold(sql[i:i+4], "with") && (len(sql) == i+4 || !isIdent(sql[i+4])) {
				return i
			}
			return -1
		}
	}
	return -1
}

func isIdent(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// knownConfigKeys are dbt's config names (and common adapter-specific ones),
// for the did-you-mean of a misspelt key. Other keys are allowed, as dbt
// allows them, and kept in the config.
var knownConfigKeys = []string{
	"enabled", "materialized", "database", "schema", "alias", "tags", "meta", "persist_docs", "full_refresh",
	"pre-hook", "post-hook", "unique_key", "incremental_strategy", "on_schema_change", "transient", "column_types",
	"quote_columns", "delimiter", "severity", "warn_if", "error_if", "fail_calc", "where", "limit", "store_failures",
	"store_failures_as", "strategy", "updated_at", "check_cols", "hard_deletes", "invalidate_hard_deletes",
	"target_schema", "target_database", "docs", "contract", "grants", "sql_header", "on_configuration_change",
	"packages", "access", "group", "batch_size", "lookback", "begin", "event_time", "concurrent_batches",
	"merge_exclude_columns", "merge_update_columns", "incremental_predicates", "indexes", "unlogged",
	"cluster_by", "partition_by", "snowflake_warehouse", "query_tag", "copy_grants", "secure", "sort", "dist",
	"snapshot_meta_column_names", "dbt_valid_to_current", "quoting", "column_name",
}

// checkConfigKeys warns about a config key that is a near miss of one of
// dbt's (`materialised`), which would otherwise be silently ignored.
func (p *Program) checkConfigKeys(u *unit, extra map[string]any, ds *diag.Diagnostics) {
	for k := range extra {
		if containsStr(knownConfigKeys, k) {
			continue
		}
		sugg := diag.Suggest(k, knownConfigKeys)
		if sugg == "" {
			continue
		}
		file, line := u.file, findLine(u.text, k)
		if line == 0 && u.propsIn != "" {
			file = u.propsIn
		}
		p.addWarning(ds, diag.Diagnostic{Severity: diag.Warning, File: file, Line: line, Summary: "unknown config key",
			Detail: fmt.Sprintf("%s sets config %q, which dbt does not know, so it has no effect; did you mean %q?", u.node.Name, k, sugg), Suggestion: sugg})
	}
}

// nodeErr is errDiag for a node's render: an error raised in a macro names
// the macro's file and line, and says which node was being rendered.
func (p *Program) nodeErr(u *unit, err error) diag.Diagnostic {
	d := p.errDiag(u.file, err)
	if d.File != u.file && d.File != "" && (u.generic == nil || d.File != u.generic.file) {
		d.Detail += " (while rendering " + u.file + ")"
	}
	return d
}

// macroIDs is a copy of po.macros, never nil (manifest depends_on lists it).
func (po *parseOut) macroIDs() []string {
	if po.macros == nil {
		return []string{}
	}
	return slices.Clone(po.macros)
}
