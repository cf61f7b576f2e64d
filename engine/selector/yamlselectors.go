package selector

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/diag"
)

// Selectors are the named selections of a project's selectors.yml, as dbt
// reads them:
//
//	selectors:
//	  - name: nightly
//	    description: what runs at night
//	    default: true                       # used when a command selects nothing
//	    definition:
//	      union:
//	        - method: tag
//	          value: nightly
//	          children: true                # also parents, children_depth, parents_depth,
//	          indirect_selection: cautious  # childrens_parents
//	        - "path:models/marts"           # a string is command-line syntax
//	        - intersection: [tag:daily, config.materialized:table]
//	        - exclude: [{tag: deprecated}]  # subtracted from the union
//	        - method: selector              # another selector of the file
//	          value: staging
//
// A Selectors value is read-only after ParseSelectors and safe to share.
type Selectors struct {
	file   string
	byName map[string]*namedSelector
	names  []string
	// defaultName is the selector with `default: true`, if any.
	defaultName string
}

type namedSelector struct {
	name, description string
	def               *Definition
	line              int
}

// Definition is one node of a selector's definition: a union or
// intersection of definitions (less its excludes), or one criterion.
type Definition struct {
	op      string // "union", "intersection"; "" for a criterion
	items   []*Definition
	exclude []*Definition
	// A criterion: command-line syntax (cli), or a method and value (sp);
	// ref names another selector.
	cli      string
	sp       *spec
	indirect string
	ref      string
	target   *Definition
	line     int
}

// Names lists the selectors, in file order.
func (s *Selectors) Names() []string { return append([]string(nil), s.names...) }

// Default is the selector marked `default: true` ("" when none is).
func (s *Selectors) Default() string { return s.defaultName }

// Description is a selector's description.
func (s *Selectors) Description(name string) string {
	if n, ok := s.byName[name]; ok {
		return n.description
	}
	return ""
}

// Definition returns the named selector's definition, or an error naming
// the selectors that exist.
func (s *Selectors) Definition(name string) (*Definition, error) {
	if n, ok := s.byName[name]; ok {
		return n.def, nil
	}
	d := diag.Diagnostic{Summary: "unknown selector", File: s.file,
		Detail: fmt.Sprintf("--selector %q: %s defines %s", name, s.file, listOr(s.names, "no selectors"))}
	d.Suggestion = diag.Suggest(name, s.names)
	return nil, diag.From(d)
}

func listOr(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return strings.Join(names, ", ")
}

// ParseSelectors reads a selectors.yml. render, when not nil, renders Jinja
// in string values (`default: "{{ target.name == 'prod' }}"`). Every problem
// is a diagnostic at its file and line.
func ParseSelectors(data []byte, file string, render func(string) (string, error)) (*Selectors, diag.Diagnostics) {
	out := &Selectors{file: file, byName: map[string]*namedSelector{}}
	var ds diag.Diagnostics
	bad := func(n *yaml.Node, summary, format string, args ...any) {
		line := 0
		if n != nil {
			line = n.Line
		}
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: summary, Detail: fmt.Sprintf(format, args...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		bad(nil, "malformed YAML", "%v", err)
		return nil, ds
	}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		bad(root, "bad selectors file", "expected `selectors:` with a list of selectors")
		return nil, ds
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "selectors" {
			bad(k, "unknown key", "selectors.yml has one key, selectors; got %q", k.Value)
			continue
		}
		list = root.Content[i+1]
	}
	if list == nil {
		return out, ds
	}
	if list.Kind != yaml.SequenceNode {
		bad(list, "bad selectors file", "selectors: must be a list of {name, definition}")
		return nil, ds
	}
	p := &selParser{render: render, bad: bad}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			bad(item, "bad selector", "each selector is a mapping with name and definition")
			continue
		}
		ns := &namedSelector{line: item.Line}
		var defNode, nameNode *yaml.Node
		isDefault := false
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			switch k.Value {
			case "name":
				nameNode = v
				ns.name = p.scalar(v)
			case "description":
				ns.description = p.scalar(v)
			case "definition":
				defNode = v
			case "default":
				b, err := parseBool(p.scalar(v))
				if err != nil {
					bad(v, "bad selector", "default: must be true or false (or Jinja that renders to one), got %q", v.Value)
				}
				isDefault = b
			default:
				bad(k, "unknown key", "a selector takes name, description, definition and default; got %q", k.Value)
			}
		}
		if ns.name == "" {
			bad(item, "bad selector", "a selector needs a name")
			continue
		}
		if prev, ok := out.byName[ns.name]; ok {
			bad(nameNode, "duplicate selector", "%q is already defined at line %d", ns.name, prev.line)
			continue
		}
		if defNode == nil {
			bad(item, "bad selector", "selector %q has no definition", ns.name)
			continue
		}
		ns.def = p.definition(defNode)
		out.byName[ns.name] = ns
		out.names = append(out.names, ns.name)
		if isDefault {
			if out.defaultName != "" {
				bad(item, "two default selectors", "%q and %q both set default: true; only one selector may be the default", out.defaultName, ns.name)
			}
			out.defaultName = ns.name
		}
	}
	out.link(bad)
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds
	}
	return out, ds
}

// link resolves `method: selector` references and reports cycles.
func (s *Selectors) link(bad func(*yaml.Node, string, string, ...any)) {
	var walk func(d *Definition, path []string)
	walk = func(d *Definition, path []string) {
		if d == nil {
			return
		}
		if d.ref != "" {
			for _, p := range path {
				if p == d.ref {
					bad(&yaml.Node{Line: d.line}, "selector cycle", "%s -> %s", strings.Join(path, " -> "), d.ref)
					return
				}
			}
			ns, ok := s.byName[d.ref]
			if !ok {
				bad(&yaml.Node{Line: d.line}, "unknown selector", "method: selector names %q; defined: %s%s", d.ref, listOr(s.names, "none"), suggestSuffix(d.ref, s.names))
				return
			}
			d.target = ns.def
			walk(ns.def, append(path, d.ref))
			return
		}
		for _, c := range d.items {
			walk(c, path)
		}
		for _, c := range d.exclude {
			walk(c, path)
		}
	}
	names := append([]string(nil), s.names...)
	sort.Strings(names)
	for _, n := range names {
		walk(s.byName[n].def, []string{n})
	}
}

func suggestSuffix(name string, names []string) string {
	if sg := diag.Suggest(name, names); sg != "" {
		return fmt.Sprintf(" (did you mean %q?)", sg)
	}
	return ""
}

type selParser struct {
	render func(string) (string, error)
	bad    func(*yaml.Node, string, string, ...any)
}

func (p *selParser) scalar(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		p.bad(n, "bad selector", "expected a single value")
		return ""
	}
	v := n.Value
	if p.render != nil && strings.Contains(v, "{{") {
		out, err := p.render(v)
		if err != nil {
			p.bad(n, "bad selector", "%v", err)
			return ""
		}
		v = strings.TrimSpace(out)
	}
	return v
}

// definition reads one definition node.
func (p *selParser) definition(n *yaml.Node) *Definition {
	switch n.Kind {
	case yaml.ScalarNode:
		return &Definition{cli: p.scalar(n), line: n.Line}
	case yaml.MappingNode:
	default:
		p.bad(n, "bad selector definition", "a definition is a string (selector syntax), a {method, value} mapping, or union:/intersection: of definitions")
		return &Definition{line: n.Line}
	}
	keys := map[string]*yaml.Node{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys[n.Content[i].Value] = n.Content[i+1]
		order = append(order, n.Content[i].Value)
	}
	for _, op := range []string{"union", "intersection"} {
		if v, ok := keys[op]; ok {
			if len(keys) != 1 {
				p.bad(n, "bad selector definition", "%s: stands alone in its mapping; move %s into its list", op, strings.Join(without(order, op), ", "))
			}
			return p.combination(op, v)
		}
	}
	if _, ok := keys["method"]; ok {
		return p.criterion(n, keys, order)
	}
	if len(keys) == 1 {
		// The short form {tag: nightly}.
		k := order[0]
		return p.criterion(n, map[string]*yaml.Node{"method": {Kind: yaml.ScalarNode, Value: k, Line: n.Line}, "value": keys[k]}, []string{"method", "value"})
	}
	p.bad(n, "bad selector definition", "expected method: and value:, union: or intersection:; got %s", strings.Join(order, ", "))
	return &Definition{line: n.Line}
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

func (p *selParser) combination(op string, n *yaml.Node) *Definition {
	d := &Definition{op: op, line: n.Line}
	if n.Kind != yaml.SequenceNode {
		p.bad(n, "bad selector definition", "%s: takes a list of definitions", op)
		return d
	}
	for _, item := range n.Content {
		if item.Kind == yaml.MappingNode && len(item.Content) == 2 && item.Content[0].Value == "exclude" {
			ex := item.Content[1]
			if ex.Kind != yaml.SequenceNode {
				p.bad(ex, "bad selector definition", "exclude: takes a list of definitions")
				continue
			}
			for _, e := range ex.Content {
				d.exclude = append(d.exclude, p.definition(e))
			}
			continue
		}
		d.items = append(d.items, p.definition(item))
	}
	if len(d.items) == 0 {
		p.bad(n, "bad selector definition", "%s: needs at least one definition besides exclude:", op)
	}
	return d
}

// criterion reads {method, value, children, parents, …}.
func (p *selParser) criterion(n *yaml.Node, keys map[string]*yaml.Node, order []string) *Definition {
	d := &Definition{line: n.Line}
	method := p.scalar(keys["method"])
	value := ""
	if v, ok := keys["value"]; ok {
		value = p.scalar(v)
	} else {
		p.bad(n, "bad selector definition", "method %s needs a value:", method)
	}
	if method == "selector" {
		d.ref = value
		return d
	}
	sp := spec{raw: method + ":" + value, parentsDepth: -1, childrenDepth: -1, value: value}
	parts := strings.Split(method, ".")
	sp.method = parts[0]
	if len(parts) > 1 {
		sp.args = parts[1:]
	}
	if err := checkMethod(sp); err != nil {
		p.bad(keys["method"], "bad selector definition", "%v", err)
	}
	flag := func(k string) bool {
		v, ok := keys[k]
		if !ok {
			return false
		}
		b, err := parseBool(p.scalar(v))
		if err != nil {
			p.bad(v, "bad selector definition", "%s: must be true or false", k)
		}
		return b
	}
	depth := func(k string) int {
		v, ok := keys[k]
		if !ok {
			return -1
		}
		x, err := strconv.Atoi(p.scalar(v))
		if err != nil || x < 0 {
			p.bad(v, "bad selector definition", "%s: must be a whole number", k)
			return -1
		}
		return x
	}
	for _, k := range order {
		switch k {
		case "method", "value", "children", "parents", "childrens_parents", "children_depth", "parents_depth":
		case "indirect_selection":
			d.indirect = p.scalar(keys[k])
			switch d.indirect {
			case Eager, Cautious, Buildable, Empty:
			default:
				p.bad(keys[k], "bad selector definition", "indirect_selection: must be eager, cautious, buildable or empty, got %q", d.indirect)
			}
		default:
			p.bad(n, "unknown key", "a selector criterion takes method, value, children, parents, children_depth, parents_depth, childrens_parents and indirect_selection; got %q", k)
		}
	}
	sp.children, sp.parents, sp.childrensParents = flag("children"), flag("parents"), flag("childrens_parents")
	if cd := depth("children_depth"); cd >= 0 {
		sp.children, sp.childrenDepth = true, cd
	}
	if pd := depth("parents_depth"); pd >= 0 {
		sp.parents, sp.parentsDepth = true, pd
	}
	if sp.childrensParents && (sp.children || sp.parents) {
		p.bad(n, "bad selector definition", "childrens_parents already selects children and their parents; drop children/parents")
	}
	d.sp = &sp
	return d
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0", "":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// evalDefinition selects what a selectors.yml definition names: as
// command-line criteria do, each criterion takes its graph neighbours and
// then its tests (per its own indirect_selection, else mode); excludes are
// taken eagerly and subtracted, as --exclude is.
func (s *selection) evalDefinition(d *Definition, mode string) (result, error) {
	switch {
	case d.target != nil:
		return s.evalDefinition(d.target, mode)
	case d.ref != "":
		return result{}, invalidSelector("selector:"+d.ref, "unknown selector")
	case d.cli != "":
		return s.union([]string{d.cli}, mode, false)
	case d.sp != nil:
		m := mode
		if d.indirect != "" {
			m = d.indirect
		}
		r, err := s.criterion(*d.sp, m)
		if err != nil {
			return result{}, err
		}
		return result{direct: s.incorporate(r, m), indirect: r.all()}, nil
	}
	if len(d.items) == 0 {
		return result{direct: s.empty(), indirect: s.empty()}, nil
	}
	var direct, all bitset
	for i, c := range d.items {
		r, err := s.evalDefinition(c, mode)
		if err != nil {
			return result{}, err
		}
		switch {
		case i == 0:
			direct, all = r.direct, r.all()
		case d.op == "intersection":
			direct, all = direct.and(r.direct), all.and(r.all())
		default:
			direct, all = direct.or(r.direct), all.or(r.all())
		}
	}
	direct = s.incorporate(result{direct: direct, indirect: all}, mode)
	for _, e := range d.exclude {
		r, err := s.evalDefinition(e, Eager)
		if err != nil {
			return result{}, err
		}
		direct, all = direct.andNot(r.all()), all.andNot(r.all())
	}
	return result{direct: direct, indirect: all}, nil
}
