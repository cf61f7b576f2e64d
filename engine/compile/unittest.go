package compile

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// Unit tests (dbt 1.8): a model's SQL rendered with every ref, source and
// (optionally) `this` replaced by a CTE name, and the test's overrides of
// macros, vars and env vars in place. The fixture rows behind those CTEs and
// the comparison with the expected rows are built at execution time
// (engine/datatest), once the column types are known.

// unitTestDef is one unit_tests: entry of the root project.
type unitTestDef struct {
	u    *project.UnitTestProps
	file string // as messages name it
	rel  string // relative to the project root
}

// unitTest is one unit test node: a definition bound to one model unit (one
// per tested version of a versioned model).
type unitTest struct {
	def   *unitTestDef
	model int
	node  *manifest.Node
	// cte maps each parent of the model (a unit index, or a source id) to
	// the CTE the test's render reads it by.
	refCTE map[int]string
	srcCTE map[string]string
	this   string
}

// unitCtx is what a unit test's render sees differently.
type unitCtx struct {
	refCTE  map[int]string
	srcCTE  map[string]string
	this    string
	vars    map[string]any
	envVars map[string]any
	macros  map[string]any
}

func cteFor(name string) string { return "__dbt__cte__" + name }

// unitTestNodes binds each unit test to the model it tests and resolves its
// inputs: every parent of the model is an input, empty unless given.
func (r *Parsed) unitTestNodes(m *manifest.Manifest, ds *diag.Diagnostics) {
	p := r.p
	r.unitTests = map[string]*unitTest{}
	for _, d := range p.unitDefs {
		u := d.u
		cfg := map[string]any{}
		mergeAll(cfg, u.Config)
		for _, key := range []string{"enabled", "tags", "meta"} {
			// tags: "{{ 'skip' if target.type == 'snowflake' else 'run' }}"
			if v, ok := cfg[key]; ok && hasJinja(v) {
				rv, err := p.renderYAMLValue(p.ctx, p.root, d.file, v)
				if err != nil {
					ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.rel, Line: u.Line, Summary: "bad unit test config", Detail: err.Error()})
					continue
				}
				cfg[key] = rv
			}
		}
		if en, ok := boolOf(cfg["enabled"]); ok && !en {
			continue
		}
		var models []int
		disabled := false
		for _, i := range p.byName[u.Model] {
			if mu := p.units[i]; mu.pkg == p.root && mu.kind == kindModel {
				if r.off[i] {
					disabled = true
					continue
				}
				models = append(models, i)
			}
		}
		if len(models) == 0 && disabled {
			continue // the unit tests of a disabled model are disabled with it
		}
		if len(models) == 0 {
			var names []string
			for _, x := range p.units {
				if x.kind == kindModel && x.pkg == p.root {
					names = append(names, x.node.Name)
				}
			}
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: u.Line, Summary: "unit test of an unknown model",
				Detail:     fmt.Sprintf("unit test %s tests model %q, which is not an enabled model of this project", u.Name, u.Model),
				Suggestion: diag.Suggest(u.Model, names)})
			continue
		}
		sort.Slice(models, func(a, b int) bool {
			return manifest.CompareVersions(p.units[models[a]].version, p.units[models[b]].version) < 0
		})
		for _, mi := range models {
			mu := p.units[mi]
			if mu.version != "" && !versionSelected(mu.version, u.VersionsInclude, u.VersionsExclude) {
				continue
			}
			if ut := r.bindUnitTest(d, mi, cfg, m, ds); ut != nil {
				r.unitTests[ut.node.UniqueID] = ut
				m.UnitTests[ut.node.UniqueID] = ut.node
			}
		}
	}
}

func versionSelected(v string, include, exclude []string) bool {
	for _, x := range exclude {
		if sameVersion(x, v) {
			return false
		}
	}
	if len(include) == 0 {
		return true
	}
	for _, x := range include {
		if sameVersion(x, v) {
			return true
		}
	}
	return false
}

// bindUnitTest makes the node of unit test d on model unit mi.
func (r *Parsed) bindUnitTest(d *unitTestDef, mi int, cfg map[string]any, m *manifest.Manifest, ds *diag.Diagnostics) *unitTest {
	p := r.p
	u := d.u
	mu := p.units[mi]
	name := u.Name
	if mu.version != "" {
		name += "_v" + strings.ReplaceAll(mu.version, ".", "_")
	}
	id := "unit_test." + p.root.name + "." + mu.node.Name + "." + name
	if prev, dup := r.unitTests[id]; dup {
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: u.Line, Summary: "duplicate unit test",
			Detail: fmt.Sprintf("unit test %s of model %s is also defined in %s; rename one", u.Name, mu.node.Name, prev.def.file)})
		return nil
	}
	tags := strList(cfg["tags"])
	if tags == nil {
		tags = []string{}
	}
	meta, _ := cfg["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	rel := strings.TrimPrefix(d.rel, firstDir(d.rel)+"/")
	def := &manifest.UnitTestDef{Model: mu.node.Name, ModelID: mu.node.UniqueID, Version: manifest.VersionID(mu.version)}
	if ov := u.Overrides; len(ov.Macros)+len(ov.Vars)+len(ov.EnvVars) > 0 {
		def.Overrides = map[string]any{"macros": orMap(ov.Macros), "vars": orMap(ov.Vars), "env_vars": orMap(ov.EnvVars)}
	}
	n := &manifest.Node{
		UniqueID: id, ResourceType: manifest.UnitTest, Name: name, PackageName: p.root.name, Path: rel, OriginalFilePath: d.rel,
		FilePath: d.file, FQN: append(append(append([]string{p.root.name}, dirsOf(rel)...), mu.node.Name), name),
		Description: p.describe(p.root, d.file, u.Line, u.Description), Tags: tags, Meta: meta, Line: u.Line,
		Config:   manifest.Config{Enabled: true, Tags: tags, Meta: meta},
		Checksum: checksum(canonical(u)), AttachedNode: mu.node.UniqueID, UnitTest: def,
		DependsOn: manifest.DependsOn{Macros: []string{}, Nodes: []string{}}, Refs: []manifest.RefCall{}, Sources: [][]string{},
		Columns: map[string]*manifest.Column{},
	}
	ut := &unitTest{def: d, model: mi, node: n, refCTE: map[int]string{}, srcCTE: map[string]string{}}
	// Every parent of the model is an input; the test runs after them (its
	// rows may be typed from their relations) and before the model.
	po := &r.parse[mi]
	given := map[string]bool{}
	bad := false
	for _, g := range u.Given {
		in, key, ok := r.unitInput(d, mu, g, ds)
		if !ok {
			bad = true
			continue
		}
		if key == "this" {
			ut.this = in.CTE
		} else if !r.readsInput(po, key) {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: g.Line, Summary: "input the model does not read",
				Detail: fmt.Sprintf("unit test %s gives input %s, but model %s does not read it (it reads %s); remove the input or fix its name", u.Name, g.Input, mu.node.Name, r.inputsOf(po))})
			bad = true
			continue
		}
		if given[key] {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: g.Line, Summary: "input given twice",
				Detail: fmt.Sprintf("unit test %s gives input %s twice; merge the rows", u.Name, g.Input)})
			bad = true
			continue
		}
		given[key] = true
		def.Given = append(def.Given, in)
	}
	for _, ref := range po.refs {
		t := p.units[ref]
		cte := cteFor(t.defaultAlias())
		ut.refCTE[ref] = cte
		addDep(n, t.node.UniqueID)
		if !given[t.node.UniqueID] {
			def.Given = append(def.Given, r.inputFor(ref, "", cte))
		}
	}
	for _, sid := range po.sources {
		src := p.sources[sid]
		if src == nil {
			continue
		}
		cte := cteFor(src.SourceName + "__" + src.Name)
		ut.srcCTE[sid] = cte
		addDep(n, sid)
		if !given[sid] {
			def.Given = append(def.Given, r.inputFor(-1, sid, cte))
		}
	}
	exp, ok := r.unitRows(d, u.Expect, "expect")
	if !ok {
		bad = true
	}
	def.Expect = exp
	if bad {
		return nil
	}
	return ut
}

func orMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func addDep(n *manifest.Node, id string) {
	if !containsStr(n.DependsOn.Nodes, id) {
		n.DependsOn.Nodes = append(n.DependsOn.Nodes, id)
	}
}

func (r *Parsed) readsInput(po *parseOut, key string) bool {
	for _, ref := range po.refs {
		if r.p.units[ref].node.UniqueID == key {
			return true
		}
	}
	return containsStr(po.sources, key)
}

func (r *Parsed) inputsOf(po *parseOut) string {
	var out []string
	for _, ref := range po.refs {
		t := r.p.units[ref]
		if t.version != "" {
			out = append(out, fmt.Sprintf("ref('%s', v=%s)", t.node.Name, t.version))
		} else {
			out = append(out, fmt.Sprintf("ref('%s')", t.node.Name))
		}
	}
	for _, s := range po.sources {
		if src := r.p.sources[s]; src != nil {
			out = append(out, fmt.Sprintf("source('%s', '%s')", src.SourceName, src.Name))
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(uniqStrings(out), ", ")
}

// unitInput resolves one given input: the node it names (key: its
// unique_id, or "this"), its CTE and its rows.
func (r *Parsed) unitInput(d *unitTestDef, mu *unit, g *project.UnitInputProps, ds *diag.Diagnostics) (manifest.UnitInput, string, bool) {
	p := r.p
	call := strings.TrimSpace(g.Input)
	if call == "this" {
		in, ok := r.unitRows(d, g, "input this")
		if !ok {
			return in, "", false
		}
		in.Input, in.NodeID, in.CTE = g.Input, mu.node.UniqueID, cteFor("this")
		in.Relation = r.rels[mu.idx]
		in.Known = r.knownColumns(mu.idx, "")
		return in, "this", true
	}
	if !strings.HasPrefix(call, "ref(") && !strings.HasPrefix(call, "source(") {
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: g.Line, Summary: "invalid unit test input",
			Detail: fmt.Sprintf("input %q of unit test %s must be ref('model'), source('name', 'table') or this", g.Input, d.u.Name)})
		return manifest.UnitInput{}, "", false
	}
	st := &renderState{ctx: p.ctx, p: p, r: r, k: p.root, phase: phaseFinal}
	if _, ok := p.renderText(p.root, d.file, g.Line, "{{ "+call+" }}", st, ds); !ok {
		return manifest.UnitInput{}, "", false
	}
	in, ok := r.unitRows(d, g, "input "+g.Input)
	if !ok {
		return in, "", false
	}
	in.Input = g.Input
	switch {
	case len(st.refs) > 0:
		ref := st.refs[len(st.refs)-1]
		base := r.inputFor(ref, "", cteFor(p.units[ref].defaultAlias()))
		in.NodeID, in.CTE, in.Relation, in.Known, in.SeedFile = base.NodeID, base.CTE, base.Relation, base.Known, base.SeedFile
		return in, in.NodeID, true
	case len(st.sources) > 0:
		sid := st.sources[len(st.sources)-1]
		src := p.sources[sid]
		base := r.inputFor(-1, sid, cteFor(src.SourceName+"__"+src.Name))
		in.NodeID, in.CTE, in.Relation, in.Known = base.NodeID, base.CTE, base.Relation, base.Known
		return in, sid, true
	}
	return in, "", false
}

// inputFor is an input with no rows of its own (an input the test does not
// give is empty) for the parent ref (a unit index) or source sid.
func (r *Parsed) inputFor(ref int, sid, cte string) manifest.UnitInput {
	in := manifest.UnitInput{Format: "dict", Rows: []map[string]any{}, CTE: cte}
	if ref >= 0 {
		t := r.p.units[ref]
		in.NodeID, in.Relation = t.node.UniqueID, r.rels[ref]
		in.Known = r.knownColumns(ref, "")
		if t.kind == kindSeed {
			in.SeedFile = t.node.FilePath
		}
		return in
	}
	src := r.p.sources[sid]
	in.NodeID, in.Relation = sid, src.Relation
	in.Known = r.knownColumns(-1, sid)
	return in
}

// knownColumns are the columns strata knows of a node without the warehouse:
// its properties' columns in order, typed where they say data_type (a seed's
// column_types too).
func (r *Parsed) knownColumns(ref int, sid string) []manifest.Column {
	var cols []*project.ColumnProps
	var types map[string]string
	if ref >= 0 {
		if u := r.p.units[ref]; u.props != nil {
			cols = u.props.Columns
		}
		types = r.cfgs[ref].cfg.ColumnTypes
	} else if tp := r.p.sourceTables[sid]; tp != nil {
		cols = tp.Columns
	}
	out := make([]manifest.Column, 0, len(cols))
	for _, c := range cols {
		out = append(out, manifest.Column{Name: c.Name, DataType: c.DataType})
	}
	if len(types) > 0 {
		keys := make([]string, 0, len(types))
		for k := range types {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			found := false
			for i := range out {
				if strings.EqualFold(out[i].Name, k) {
					out[i].DataType, found = types[k], true
				}
			}
			if !found {
				out = append(out, manifest.Column{Name: k, DataType: types[k]})
			}
		}
	}
	return out
}

// unitRows reads an input's or the expectation's rows: inline or from a
// fixture file, as a list of rows (dict, csv) or a query (sql).
func (r *Parsed) unitRows(d *unitTestDef, g *project.UnitInputProps, what string) (manifest.UnitInput, bool) {
	in := manifest.UnitInput{Format: g.Format, Raw: g.Rows, Fixture: g.Fixture}
	if in.Raw == nil && in.Fixture == "" {
		in.Raw = []any{}
	}
	text, hasText := g.Rows.(string)
	if g.Fixture != "" {
		ext := ".csv"
		if g.Format == "sql" {
			ext = ".sql"
		}
		found := false
		var names []string
		for _, f := range r.p.o.Project.Fixtures {
			if f.Name == g.Fixture && strings.HasSuffix(f.Path, ext) {
				text, hasText, found = f.Content, true, true
				break
			}
			names = append(names, f.Name)
		}
		if !found {
			r.addUnitError(d, g.Line, "unknown fixture", fmt.Sprintf("%s of unit test %s names fixture %q, but there is no %s%s in a fixtures/ folder of the test paths", what, d.u.Name, g.Fixture, g.Fixture, ext), diag.Suggest(g.Fixture, names))
			return in, false
		}
	}
	switch g.Format {
	case "sql":
		if hasJinja(text) {
			// SQL rows are a template, as dbt renders them.
			out, err := r.p.renderYAMLValue(r.p.ctx, r.p.root, d.file, text)
			if err != nil {
				r.addUnitError(d, g.Line, "bad sql rows", fmt.Sprintf("the sql rows of %s of unit test %s: %v", what, d.u.Name, err), "")
				return in, false
			}
			text = out.(string)
		}
		in.SQL = strings.TrimRight(strings.TrimSpace(text), ";")
		return in, true
	case "csv":
		if !hasText {
			text = ""
		}
		rows, cols, err := parseCSVRows(text)
		if err != nil {
			r.addUnitError(d, g.Line, "malformed CSV", fmt.Sprintf("the CSV rows of %s of unit test %s: %v", what, d.u.Name, err), "")
			return in, false
		}
		in.Rows, in.Columns = rows, cols
		return in, true
	}
	list, _ := g.Rows.([]any)
	seen := map[string]bool{}
	for _, k := range g.Columns {
		// The order the rows were written in.
		seen[strings.ToLower(k)] = true
		in.Columns = append(in.Columns, k)
	}
	for _, x := range list {
		row, _ := x.(map[string]any)
		if row == nil {
			row = map[string]any{}
		}
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !seen[strings.ToLower(k)] {
				seen[strings.ToLower(k)] = true
				in.Columns = append(in.Columns, k)
			}
		}
		in.Rows = append(in.Rows, row)
	}
	if in.Rows == nil {
		in.Rows = []map[string]any{}
	}
	return in, true
}

func (r *Parsed) addUnitError(d *unitTestDef, line int, summary, detail, sugg string) {
	r.unitDiags.Add(diag.Diagnostic{Severity: diag.Error, File: d.file, Line: line, Summary: summary, Detail: detail, Suggestion: sugg})
}

// parseCSVRows reads CSV text with a header; fields are trimmed and an
// empty field is null.
func parseCSVRows(text string) ([]map[string]any, []string, error) {
	rows := []map[string]any{}
	if strings.TrimSpace(text) == "" {
		return rows, nil, nil
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimSpace(text)))
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, err
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		row := make(map[string]any, len(header))
		for i, h := range header {
			v := strings.TrimSpace(rec[i])
			if v == "" {
				row[h] = nil
			} else {
				row[h] = v
			}
		}
		rows = append(rows, row)
	}
	return rows, header, nil
}

// renderUnitTests renders the model of each unit test in ids (nil: every
// one) with its inputs as CTEs and its overrides, into CompiledCode.
func (r *Parsed) renderUnitTests(ctx context.Context, ids []string, ds *diag.Diagnostics) {
	for id, ut := range r.unitTests {
		if ids != nil && !containsStr(ids, id) {
			continue
		}
		mu := r.p.units[ut.model]
		if r.failed[ut.model] {
			continue
		}
		ov := ut.def.u.Overrides
		st := r.finalState(ctx, mu, phaseFinal, nil, false)
		st.unit = &unitCtx{refCTE: ut.refCTE, srcCTE: ut.srcCTE, this: ut.this, vars: ov.Vars, envVars: ov.EnvVars, macros: ov.Macros}
		if v, ok := ov.Macros["is_incremental"]; ok {
			st.incr = jinja.FromGo(v).Truthy()
		}
		out, err := r.renderFinal(mu, st)
		if err != nil {
			d := r.p.nodeErr(mu, err)
			d.Detail += fmt.Sprintf(" (while rendering unit test %s)", ut.node.Name)
			ds.Add(d)
			continue
		}
		ut.node.CompiledCode = strings.TrimSpace(out)
		ut.node.Compiled = true
	}
}

// overrideValue is how a unit test's override of name appears to the
// model: a function returning value where name is a macro or function
// (is_incremental: true makes is_incremental() true), else the value.
func (p *Program) overrideValue(k *pkg, name string, value any) jinja.Value {
	v := jinja.FromGo(value)
	if g, ok := k.env.Globals[name]; ok && g.Callable() != nil {
		return fn(name, func(*jinja.State, jinja.Args) (jinja.Value, error) { return v, nil })
	}
	return v
}
