package compile

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// Governance as dbt has it (1.5+): groups own models, a model's access
// (private, protected, public) says who may ref it, contracts pin a model's
// columns and types, exposures record who reads the project, and
// deprecation_date warns the readers of a model about to go.

// groupDef is one declared group.
type groupDef struct {
	g    *manifest.Group
	file string
}

// exposureDef is one declared exposure, before its depends_on is resolved.
type exposureDef struct {
	k    *pkg
	x    *project.ExposureProps
	file string // as messages name it
	rel  string // the properties file relative to its package
}

// accessLevels are dbt's access values.
var accessLevels = []string{"private", "protected", "public"}

// collectGovernance reads a package's groups and exposures, and the root
// project's unit tests (dbt unit-tests only the current project's models).
func (p *Program) collectGovernance(k *pkg) {
	if p.groups == nil {
		p.groups = map[string]*groupDef{}
	}
	for _, pf := range k.proj.Properties {
		file := k.fileName(pf.Path)
		for _, gp := range pf.Groups {
			if prev, dup := p.groups[gp.Name]; dup {
				p.loadDiags.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: gp.Line, Summary: "duplicate group",
					Detail: fmt.Sprintf("group %q is also defined in %s; group names are unique across the project", gp.Name, prev.file)})
				continue
			}
			cfg := map[string]any{"meta": map[string]any{}}
			if m, ok := gp.Config["meta"].(map[string]any); ok {
				cfg["meta"] = m
			}
			p.groups[gp.Name] = &groupDef{file: file, g: &manifest.Group{
				UniqueID: "group." + k.name + "." + gp.Name, Name: gp.Name, ResourceType: manifest.GroupType, PackageName: k.name,
				Path: pf.Path, OriginalFilePath: pf.Path, Description: gp.Description, Config: cfg, Line: gp.Line,
				Owner: manifest.Owner{Name: gp.Owner.Name, Email: gp.Owner.Email, Extra: gp.Owner.Extra},
			}}
		}
		for _, x := range pf.Exposures {
			p.exposures = append(p.exposures, &exposureDef{k: k, x: x, file: file, rel: pf.Path})
		}
		if k.root {
			for _, u := range pf.UnitTests {
				p.unitDefs = append(p.unitDefs, &unitTestDef{u: u, file: file, rel: pf.Path})
			}
		}
	}
}

// groupNames lists the declared groups, sorted.
func (p *Program) groupNames() []string {
	out := make([]string, 0, len(p.groups))
	for n := range p.groups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// accessOf is a model's access (protected when unset).
func (r *Parsed) accessOf(i int) string {
	if a := r.cfgs[i].cfg.Access; a != "" {
		return a
	}
	return "protected"
}

// checkGovernance reports bad access and group settings, refs to private
// models from outside their group (naming both nodes, as dbt's error does),
// contracts that cannot be enforced, and deprecated models and refs to them.
func (r *Parsed) checkGovernance(ds *diag.Diagnostics) {
	p := r.p
	now := p.now()
	for i, u := range p.units {
		if r.off[i] || r.failed[i] || (u.kind != kindModel && u.kind != kindSnapshot && u.kind != kindSeed) {
			continue
		}
		c := r.cfgs[i].cfg
		// Where a message points: worked out only when there is one (a scan
		// of the file for every model was a visible share of a 100k parse).
		where, line := u.file, 0
		if u.propsIn != "" {
			where, line = u.propsIn, u.props.Line
		}
		pos := func() (string, int) {
			if u.propsIn == "" && line == 0 {
				line = findLine(u.text, "access")
			}
			return where, line
		}
		if c.Access != "" && !containsStr(accessLevels, c.Access) {
			where, line := pos()
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: where, Line: line, Summary: "invalid access",
				Detail:     fmt.Sprintf("%s sets access %q; access must be private, protected or public", u.node.Name, c.Access),
				Suggestion: diag.Suggest(c.Access, accessLevels)})
			r.failed[i] = true
		}
		if c.Group != "" {
			if _, ok := p.groups[c.Group]; !ok {
				names := p.groupNames()
				detail := fmt.Sprintf("%s is in group %q, which no groups: entry defines", u.node.Name, c.Group)
				if len(names) > 0 {
					detail += fmt.Sprintf(" (groups: %s)", strings.Join(names, ", "))
				}
				where, line := pos()
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: where, Line: line, Summary: "unknown group",
					Detail: detail + "; declare it under groups: with an owner, or fix the name", Suggestion: diag.Suggest(c.Group, names)})
				r.failed[i] = true
			}
		} else if c.Access == "private" {
			where, line := pos()
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: where, Line: line, Summary: "private model without a group",
				Detail: fmt.Sprintf("%s has access: private but belongs to no group; set config: {group: <name>} (only that group's models may ref it), or make it protected", u.node.Name)})
			r.failed[i] = true
		}
		if u.kind == kindModel {
			r.checkContract(u, ds)
			if d, ok := r.deprecation(i); ok && d.Before(now) {
				where, line := pos()
				p.addWarning(ds, diag.Diagnostic{Severity: diag.Warning, File: where, Line: line, Summary: "deprecated model",
					Detail: fmt.Sprintf("model %s has passed its deprecation date of %s; it should be disabled or removed", displayVersioned(u), d.Format(time.RFC3339))})
			}
		}
	}
	for i, u := range p.units {
		if r.off[i] || u.kind == kindTest || u.kind == kindGeneric || u.node.Name == inlineModelName {
			continue
		}
		for _, ref := range r.parse[i].refs {
			t := p.units[ref]
			if ref == i || t.kind != kindModel || r.off[ref] {
				continue
			}
			if msg, bad := r.refDenied(u.node.UniqueID, r.cfgs[i].cfg.Group, ref); bad {
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.file, Line: findLine(u.text, t.node.Name), Summary: "private model", Detail: msg})
				r.failed[i] = true
			}
			if d, ok := r.deprecation(ref); ok {
				verb := "is slated for deprecation on"
				if d.Before(now) {
					verb = "passed its deprecation date of"
				}
				detail := fmt.Sprintf("while compiling %s: found a reference to %s, which %s %s", u.node.Name, displayVersioned(t), verb, d.Format(time.RFC3339))
				if t.version != "" && t.pkg.latest[t.node.Name] != t.version {
					detail += fmt.Sprintf("; a newer version of %s is available: {{ ref('%s', v=%s) }}", t.node.Name, t.node.Name, t.pkg.latest[t.node.Name])
				}
				p.addWarning(ds, diag.Diagnostic{Severity: diag.Warning, File: u.file, Line: findLine(u.text, t.node.Name), Summary: "deprecated reference", Detail: detail})
			}
		}
	}
}

// inlineModelName is the name of an inline query (show/compile --inline),
// which may read private models, as dbt allows.
const inlineModelName = "__strata_inline"

// refDenied says whether a node of group callerGroup may not ref unit t,
// with dbt's message naming both nodes.
func (r *Parsed) refDenied(callerID, callerGroup string, t int) (string, bool) {
	if r.accessOf(t) != "private" {
		return "", false
	}
	g := r.cfgs[t].cfg.Group
	if callerGroup == g && g != "" {
		return "", false
	}
	return fmt.Sprintf("node %s attempted to reference node %s, which is not allowed because the referenced node is private to the '%s' group; move %s into group '%s', or give %s access: protected (or public)",
		callerID, r.p.units[t].node.UniqueID, g, callerID, g, r.p.units[t].node.Name), true
}

func displayVersioned(u *unit) string {
	if u.version == "" {
		return u.node.Name
	}
	return u.node.Name + ".v" + u.version
}

// deprecation is a model's deprecation_date, if it has one that parses.
func (r *Parsed) deprecation(i int) (time.Time, bool) {
	u := r.p.units[i]
	if u.props == nil || u.props.DeprecationDate == "" {
		return time.Time{}, false
	}
	return parseDeprecation(u.props.DeprecationDate)
}

func parseDeprecation(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// checkContract reports a contract strata cannot enforce: an ephemeral
// model, no columns, a column without data_type.
func (r *Parsed) checkContract(u *unit, ds *diag.Diagnostics) {
	c := r.cfgs[u.idx].cfg
	if u.props != nil && u.props.DeprecationDate != "" {
		if _, ok := parseDeprecation(u.props.DeprecationDate); !ok {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: u.propsIn, Line: u.props.Line, Summary: "invalid deprecation_date",
				Detail: fmt.Sprintf("deprecation_date %q of %s is not a date; write it as 2025-12-31 or 2025-12-31T00:00:00Z", u.props.DeprecationDate, u.node.Name)})
			r.failed[u.idx] = true
		}
	}
	if c.Contract == nil || !c.Contract.Enforced {
		return
	}
	file, line := u.file, findLine(u.text, "contract")
	if u.propsIn != "" {
		file, line = u.propsIn, u.props.Line
	}
	if c.Materialized == "ephemeral" {
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: "contract on an ephemeral model",
			Detail: fmt.Sprintf("%s enforces a contract but is ephemeral, so nothing is built to check; materialize it as a view or table, or drop the contract", u.node.Name)})
		r.failed[u.idx] = true
		return
	}
	if u.props == nil || len(u.props.Columns) == 0 {
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: "contract without columns",
			Detail: fmt.Sprintf("%s enforces a contract (contract: {enforced: true}) but its properties list no columns; list every column with its data_type", u.node.Name)})
		r.failed[u.idx] = true
		return
	}
	var missing []string
	for _, col := range u.props.Columns {
		if strings.TrimSpace(col.DataType) == "" {
			missing = append(missing, col.Name)
		}
	}
	if len(missing) > 0 {
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: "contract without data types",
			Detail: fmt.Sprintf("contracted models need a data_type for every column; %s has none for %s", u.node.Name, strings.Join(missing, ", "))})
		r.failed[u.idx] = true
	}
}

// governance fills the governance fields of a model's manifest node:
// access, group, version, contract, constraints (foreign keys resolved to
// relation names) and the latest-version pointer.
func (r *Parsed) governance(n *manifest.Node, u *unit, ds *diag.Diagnostics) {
	if u.kind != kindModel {
		return
	}
	c := r.cfgs[u.idx].cfg
	n.Access = r.accessOf(u.idx)
	n.Group = c.Group
	n.Contract = c.Contract
	if n.Contract == nil {
		n.Contract = &manifest.Contract{AliasTypes: true}
	}
	if u.props == nil {
		return
	}
	n.DeprecationDate = u.props.DeprecationDate
	n.ColumnOrder = make([]string, 0, len(u.props.Columns))
	for _, cp := range u.props.Columns {
		n.ColumnOrder = append(n.ColumnOrder, cp.Name)
	}
	n.Constraints = r.constraints(n, u, u.props.Constraints, ds)
	copied := false
	for _, cp := range u.props.Columns {
		if col := n.Columns[cp.Name]; col != nil && len(cp.Constraints) > 0 {
			if !copied {
				// The columns map is the unit's; the manifest node gets its own.
				cols := make(map[string]*manifest.Column, len(n.Columns))
				for k, v := range n.Columns {
					cols[k] = v
				}
				n.Columns, copied = cols, true
			}
			cc := *col
			cc.Constraints = r.constraints(n, u, cp.Constraints, ds)
			n.Columns[cp.Name] = &cc
		}
	}
	if u.version != "" && u.pkg.latest[u.node.Name] == u.version && n.Relation.Identifier != "" {
		if lp, ok := c.Extra["latest_version_pointer"].(map[string]any); ok {
			if on, _ := boolOf(lp["enabled"]); on {
				rel := n.Relation.WithIdentifier(r.p.normIdent(u.node.Name))
				n.LatestPointer = &rel
			}
		}
	}
}

// constraints converts constraints as written, rendering a foreign key's
// to: ref(...) into the parent's relation name.
func (r *Parsed) constraints(n *manifest.Node, u *unit, cps []*project.ConstraintProps, ds *diag.Diagnostics) []manifest.Constraint {
	if len(cps) == 0 {
		return nil
	}
	out := make([]manifest.Constraint, 0, len(cps))
	for _, cp := range cps {
		c := manifest.Constraint{Type: cp.Type, Name: cp.Name, Expression: cp.Expression, Columns: cp.Columns, To: cp.To, ToColumns: cp.ToColumns,
			WarnUnenforced: cp.WarnUnenforced == nil || *cp.WarnUnenforced, WarnUnsupported: cp.WarnUnsupported == nil || *cp.WarnUnsupported}
		if cp.To != "" {
			st := &renderState{ctx: r.p.ctx, p: r.p, r: r, k: u.pkg, phase: phaseFinal}
			expr := cp.To
			if !strings.Contains(expr, "{{") {
				expr = "{{ " + expr + " }}"
			}
			rel, ok := r.p.renderText(u.pkg, u.propsIn, cp.Line, expr, st, ds)
			if !ok {
				r.failed[u.idx] = true
				continue
			}
			c.ToRelation = strings.TrimSpace(rel)
			// The parent must exist before the key can reference it (dbt too
			// makes a foreign key's to: a dependency).
			for _, ref := range st.refs {
				if id := r.p.units[ref].node.UniqueID; !containsStr(n.DependsOn.Nodes, id) {
					n.DependsOn.Nodes = append(n.DependsOn.Nodes, id)
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// exposureNodes resolves every exposure's depends_on into graph edges. A
// private model may not be exposed (dbt: it is by definition not private).
func (r *Parsed) exposureNodes(m *manifest.Manifest, ds *diag.Diagnostics) {
	p := r.p
	seen := map[string]string{}
	for _, e := range p.exposures {
		x := e.x
		cfg := map[string]any{}
		mergeAll(cfg, x.Config)
		if en, ok := boolOf(cfg["enabled"]); ok && !en {
			continue
		}
		id := "exposure." + e.k.name + "." + x.Name
		if prev, dup := seen[id]; dup {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: e.file, Line: x.Line, Summary: "duplicate exposure",
				Detail: fmt.Sprintf("exposure %q is also defined in %s; rename one", x.Name, prev)})
			continue
		}
		seen[id] = e.file
		tags := uniqStrings(append(append([]string{}, x.Tags...), strList(cfg["tags"])...))
		meta := mergedMeta(x.Meta)
		if cm, ok := cfg["meta"].(map[string]any); ok {
			meta = mergedMeta(meta, cm)
		}
		n := &manifest.Node{
			UniqueID: id, ResourceType: manifest.Exposure, Name: x.Name, PackageName: e.k.name, Path: e.rel, OriginalFilePath: e.rel,
			FilePath: e.file, FQN: append(append([]string{e.k.name}, dirsOf(strings.TrimPrefix(e.rel, firstDir(e.rel)+"/"))...), x.Name),
			Description: p.describe(e.k, e.file, x.Line, x.Description), Tags: tags, Meta: meta, Line: x.Line, UnrenderedConfig: x.Config,
			Config:    manifest.Config{Enabled: true, Tags: tags, Meta: meta},
			DependsOn: manifest.DependsOn{Macros: []string{}, Nodes: []string{}}, Refs: []manifest.RefCall{}, Sources: [][]string{},
			Columns: map[string]*manifest.Column{},
			Exposure: &manifest.ExposureInfo{Type: x.Type, Label: x.Label, Maturity: x.Maturity, URL: x.URL,
				Owner: manifest.Owner{Name: x.Owner.Name, Email: x.Owner.Email, Extra: x.Owner.Extra}},
		}
		ok := true
		for _, dep := range x.DependsOn {
			call := strings.TrimSpace(dep)
			if strings.HasPrefix(call, "metric(") {
				p.addWarning(ds, diag.Diagnostic{Severity: diag.Warning, File: e.file, Line: x.Line, Summary: "metrics are not supported",
					Detail: fmt.Sprintf("exposure %s depends on %s; strata has no metrics, so that dependency is left out", x.Name, call)})
				continue
			}
			st := &renderState{ctx: p.ctx, p: p, r: r, k: e.k, phase: phaseFinal}
			if _, good := p.renderText(e.k, e.file, x.Line, "{{ "+call+" }}", st, ds); !good {
				ok = false
				continue
			}
			for _, ref := range st.refs {
				t := p.units[ref]
				if msg, bad := r.refDenied(id, "", ref); bad {
					ds.Add(diag.Diagnostic{Severity: diag.Error, File: e.file, Line: x.Line, Summary: "private model", Detail: msg})
					ok = false
				}
				if !containsStr(n.DependsOn.Nodes, t.node.UniqueID) {
					n.DependsOn.Nodes = append(n.DependsOn.Nodes, t.node.UniqueID)
					rc := manifest.RefCall{Name: t.node.Name}
					if t.pkg != p.root {
						rc.Package = t.pkg.name
					}
					n.Refs = append(n.Refs, rc)
				}
			}
			for _, sid := range st.sources {
				if !containsStr(n.DependsOn.Nodes, sid) {
					n.DependsOn.Nodes = append(n.DependsOn.Nodes, sid)
					if src := m.Sources[sid]; src != nil {
						n.Sources = append(n.Sources, []string{src.SourceName, src.Name})
					}
				}
			}
		}
		if ok {
			m.Exposures[id] = n
		}
	}
	for _, g := range p.groups {
		m.Groups[g.g.UniqueID] = g.g
	}
}
