package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
)

func (c *compiler) nodeDict(u *unit) jinja.Value {
	n := u.node
	return jinja.FromGo(map[string]any{
		"name": n.Name, "unique_id": n.UniqueID, "resource_type": string(n.ResourceType), "package_name": n.PackageName,
		"path": n.Path, "original_file_path": n.OriginalFilePath, "fqn": n.FQN, "config": u.finalCfg,
		"tags": n.Tags,
	})
}

// resolveRelation sets where a model, seed or snapshot is built, through
// generate_database_name / generate_schema_name / generate_alias_name (a
// project macro of that name overrides dbt's default rule).
func (c *compiler) resolveRelation(u *unit) {
	if u.disabled || u.kind == kindTest || u.kind == kindGeneric {
		return
	}
	n := u.node
	if n.Config.Materialized == "ephemeral" {
		return
	}
	st := &renderState{c: c, u: u, final: true}
	custom := func(s string) jinja.Value {
		if s == "" {
			return jinja.None
		}
		return jinja.String(s)
	}
	naming := func(macro, customValue, fallback string) string {
		def, ok := c.macrosByPkg[c.name][macro]
		if !ok {
			return fallback
		}
		out, err := c.callFromGo(st, def, custom(customValue), c.nodeDict(u))
		if err != nil {
			c.addDiag(c.errDiag(u.file, err))
			u.failed = true
			return fallback
		}
		return out
	}
	db := naming("generate_database_name", n.Config.Database, firstNonEmpty(n.Config.Database, c.o.Target.Database))
	schemaDefault := c.o.Target.Schema
	if s := strings.TrimSpace(n.Config.Schema); s != "" {
		schemaDefault = c.o.Target.Schema + "_" + s
	}
	schema := naming("generate_schema_name", n.Config.Schema, schemaDefault)
	alias := naming("generate_alias_name", n.Config.Alias, firstNonEmpty(n.Config.Alias, n.Name))
	if u.kind == kindSnapshot {
		if n.Config.TargetSchema != "" {
			schema = n.Config.TargetSchema
		}
		if n.Config.TargetDatabase != "" {
			db = n.Config.TargetDatabase
		}
	}
	rel := relation.Relation{Database: c.normIdent(db), Schema: c.normIdent(schema), Identifier: c.normIdent(alias)}
	n.Relation = rel
	n.Database, n.Schema, n.Alias = rel.Database, rel.Schema, rel.Identifier
	n.RelationName = c.renderRelation(rel)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// secondPass produces final SQL: markers replaced by relation names, or a
// fresh render when the template looked inside a relation; then the
// is_incremental() variant and the hooks.
func (c *compiler) secondPass(u *unit) {
	if u.disabled || u.failed || u.kind == kindSeed {
		return
	}
	out, ok := "", false
	if !u.needsRerender {
		out, ok = c.substitute(u.out)
		u.out = ""
	}
	if !ok {
		var err error
		st := &renderState{c: c, u: u, final: true}
		out, err = c.renderFinal(u, st)
		if err != nil {
			c.addDiag(c.errDiag(u.file, err))
			u.failed = true
			return
		}
	}
	if u.kind == kindSnapshot {
		out = strings.TrimSpace(out)
	}
	u.body = out
	n := u.node
	if u.usedIncr && n.Config.Materialized == "incremental" {
		st := &renderState{c: c, u: u, final: true, incr: true}
		io, err := c.renderFinal(u, st)
		if err != nil {
			c.addDiag(c.errDiag(u.file, err))
			u.failed = true
			return
		}
		u.incrOut = io
	}
	if n.Config.Materialized == "ephemeral" {
		return
	}
	for _, h := range []struct {
		src []string
		dst *[]string
	}{{n.Config.PreHook, &u.hooksPre}, {n.Config.PostHook, &u.hooksPost}} {
		for _, sql := range h.src {
			st := &renderState{c: c, u: u, final: true}
			r, ok := c.renderText(u.file, findLine(u.text, "hook"), sql, st)
			if !ok {
				u.failed = true
				continue
			}
			*h.dst = append(*h.dst, r)
		}
	}
}

func (c *compiler) renderFinal(u *unit, st *renderState) (string, error) {
	if u.kind == kindGeneric {
		return c.renderGeneric(u, st)
	}
	if u.tmpl == nil {
		return "", fmt.Errorf("internal error: %s was not kept for a second render", u.file)
	}
	return c.render(u.tmpl, st)
}

// injectEphemerals prepends every ephemeral ancestor (reached through
// ephemeral models only) as a CTE named __dbt__cte__<name>, parents first.
func (c *compiler) injectEphemerals() {
	for _, u := range c.units {
		if u.disabled || u.failed || u.kind == kindSeed {
			continue
		}
		var order []int
		seen := map[int]bool{}
		var visit func(i int)
		visit = func(i int) {
			for _, r := range c.units[i].refs {
				p := c.units[r]
				if seen[r] || p.disabled || p.node.Config.Materialized != "ephemeral" {
					continue
				}
				seen[r] = true
				visit(r)
				order = append(order, r)
			}
		}
		visit(u.idx)
		u.node.CompiledCode = injectCTEs(u.body, c.ctes(order))
		if u.incrOut != "" {
			u.node.IncrementalCode = injectCTEs(u.incrOut, c.ctes(order))
		}
	}
}

func (c *compiler) ctes(order []int) []string {
	out := make([]string, 0, len(order))
	for _, i := range order {
		p := c.units[i]
		out = append(out, " "+cteName(p.node.Name)+" as (\n"+p.body+"\n)")
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

func (c *compiler) assemble() *manifest.Manifest {
	m := manifest.New()
	adapterType := c.o.Target.Type
	if c.o.Dialect != nil {
		adapterType = c.o.Dialect.Type()
	}
	m.Metadata = manifest.Metadata{
		DbtSchemaVersion: "https://schemas.getdbt.com/dbt/manifest/v12.json", GeneratedAt: c.now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		InvocationID: c.o.InvocationID, ProjectName: c.name, AdapterType: adapterType, TargetName: c.o.Target.Name,
	}
	for _, srcs := range c.sources {
		for _, n := range srcs {
			m.Sources[n.UniqueID] = n
		}
	}
	m.Nodes = make(map[string]*manifest.Node, len(c.units))
	// Reused for every unit: allocating two maps per node was a visible share
	// of this sequential step on large projects.
	seenN, seenR := map[string]bool{}, map[int]bool{}
	for _, u := range c.units {
		if u.disabled {
			continue
		}
		n := u.node
		clear(seenN)
		clear(seenR)
		addNode := func(id string) {
			if !seenN[id] {
				seenN[id] = true
				n.DependsOn.Nodes = append(n.DependsOn.Nodes, id)
			}
		}
		for _, r := range u.refs {
			if seenR[r] {
				continue
			}
			seenR[r] = true
			addNode(c.units[r].node.UniqueID)
			if u.kind != kindGeneric {
				n.Refs = append(n.Refs, manifest.RefCall{Name: c.units[r].node.Name})
			}
		}
		for _, s := range u.sources {
			if seenN[s] {
				continue
			}
			addNode(s)
			if src, ok := m.Sources[s]; ok && u.kind != kindGeneric {
				n.Sources = append(n.Sources, []string{src.SourceName, src.Name})
			}
		}
		for id := range u.macros {
			n.DependsOn.Macros = append(n.DependsOn.Macros, id)
		}
		sort.Strings(n.DependsOn.Macros)
		n.Compiled = !u.failed && u.kind != kindSeed
		n.PreHooks, n.PostHooks = u.hooksPre, u.hooksPost
		m.Nodes[n.UniqueID] = n
	}
	known := map[string]string{}
	for name, d := range c.macros {
		known[name] = d.uniqueID
	}
	for _, byName := range c.macrosByPkg {
		for _, d := range byName {
			mc := &manifest.Macro{UniqueID: d.uniqueID, Name: d.name, PackageName: d.pkg, OriginalFilePath: d.file,
				Path: d.file, MacroSQL: d.sql, Checksum: manifest.Checksum{Name: "sha256", Checksum: d.checksum}, Line: d.line}
			mc.DependsOn.Macros = []string{}
			seen := map[string]bool{}
			for _, cm := range callNameRE.FindAllStringSubmatch(d.sql, -1) {
				if id, ok := known[cm[1]]; ok && cm[1] != d.name && !seen[id] {
					seen[id] = true
					mc.DependsOn.Macros = append(mc.DependsOn.Macros, id)
				}
			}
			sort.Strings(mc.DependsOn.Macros)
			m.Macros[d.uniqueID] = mc
		}
	}
	for id, d := range c.docNodes {
		m.Docs[id] = d
	}
	for _, h := range c.p.Config.OnRunStart {
		if out, ok := c.renderText(c.p.ConfigFile, 0, h, nil); ok {
			m.OnRunStart = append(m.OnRunStart, out)
		}
	}
	for _, h := range c.p.Config.OnRunEnd {
		if out, ok := c.renderText(c.p.ConfigFile, 0, h, nil); ok {
			m.OnRunEnd = append(m.OnRunEnd, out)
		}
	}
	return m
}
