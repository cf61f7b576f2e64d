// Package selector decides which nodes a command acts on, with dbt's selection
// syntax: --select and --exclude lists of criteria ([@][N+][method:]value[+N];
// space-separated criteria are a union, comma-separated ones an intersection),
// test selection through the nodes tests depend on (indirect selection), the
// state: and result: methods that compare with an earlier manifest and run
// results, and column:, whose operators walk column lineage. LoadManifest and
// LoadResults read those from dbt-format JSON.
//
// Select only reads the manifest and DAG; calls are safe to run concurrently.
package selector

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/graph"
	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// Indirect selection modes for tests, as dbt names them.
const (
	// Eager selects a test when any node it depends on is selected (the default).
	Eager = "eager"
	// Cautious selects a test only when every node it depends on is selected.
	Cautious = "cautious"
	// Buildable selects a test when every node it depends on is selected or
	// upstream of the selection.
	Buildable = "buildable"
	// Empty selects no test indirectly.
	Empty = "empty"
)

// Options are a command's selection inputs.
type Options struct {
	// Select and Exclude hold the command-line values; each element may hold several
	// space-separated criteria (a union); commas inside one criterion intersect.
	// An empty Select selects everything.
	Select, Exclude []string
	// ResourceTypes keeps only nodes of these types (run: models; test: tests;
	// build: all but sources); empty keeps every type.
	ResourceTypes []manifest.ResourceType
	// IndirectSelection is Eager (also when empty), Cautious, Buildable or Empty.
	IndirectSelection string
	// State is the manifest state: selectors compare with (from --state DIR).
	State *manifest.Manifest
	// PreviousResults maps unique_id to the status of the previous run, for result:.
	PreviousResults map[string]string
	// ProjectName is what package:this means; empty means the manifest's.
	ProjectName string
	// Columns gives the column lineage column: selectors walk; it is called
	// only when one is used (nil: column: is an error).
	Columns func() (*lineage.Lineage, error)
	// Definition, when set, is a selectors.yml selector used instead of Select.
	Definition *Definition
	// SourcesCurrent and SourcesPrevious are this run's and --state's
	// sources.json, for source_status:.
	SourcesCurrent, SourcesPrevious map[string]SourceFreshness
}

// Select returns the selected unique_ids, sorted, and a warning for each select
// criterion that matched nothing (dbt warns rather than fails). A malformed
// selector is an error that errors.Is matches with diag.ErrInvalidProject.
// d may be nil, in which case the DAG is built from m; otherwise it must be the
// DAG of m.
func Select(m *manifest.Manifest, d *graph.DAG, o Options) ([]string, []string, error) {
	if d == nil {
		var diags diag.Diagnostics
		d, diags = manifest.BuildDAG(m)
		if err := diags.Err(); err != nil {
			return nil, nil, err
		}
	}
	mode := o.IndirectSelection
	switch mode {
	case "":
		mode = Eager
	case Eager, Cautious, Buildable, Empty:
	default:
		return nil, nil, diag.Invalid("invalid indirect selection", "%q is not one of eager, cautious, buildable, empty", mode)
	}
	ids := d.IDs()
	s := &selection{m: m, d: d, o: o, nodes: make([]*manifest.Node, len(ids)), configFields: configFieldIndex()}
	for i, id := range ids {
		s.nodes[i], _ = m.Node(id)
	}
	if s.o.ProjectName == "" {
		s.o.ProjectName = m.Metadata.ProjectName
	}

	selectArgs, expect := o.Select, true
	if len(selectArgs) == 0 {
		selectArgs, expect = []string{"fqn:* source:*"}, false
	}
	var inc result
	var err error
	if o.Definition != nil {
		inc, err = s.evalDefinition(o.Definition, mode)
	} else {
		inc, err = s.union(selectArgs, mode, expect)
	}
	if err != nil {
		return nil, nil, err
	}
	// dbt expands exclusions eagerly whatever the mode: a test on an excluded
	// node goes with it.
	exc, err := s.union(o.Exclude, Eager, false)
	if err != nil {
		return nil, nil, err
	}
	res := result{direct: inc.direct.andNot(exc.direct), indirect: inc.all().andNot(exc.all())}
	final := s.incorporate(res, mode)

	var types map[manifest.ResourceType]bool
	if len(o.ResourceTypes) > 0 {
		types = map[manifest.ResourceType]bool{}
		for _, t := range o.ResourceTypes {
			types[t] = true
		}
	}
	out := []string{}
	for _, i := range final.indexes() {
		n := s.nodes[i]
		if n == nil || (types != nil && !types[n.ResourceType]) {
			continue
		}
		out = append(out, ids[i]) // ids are sorted, so out is too
	}
	return out, s.warnings, nil
}

// selection is the state of one Select call.
type selection struct {
	m        *manifest.Manifest
	d        *graph.DAG
	o        Options
	nodes    []*manifest.Node // by DAG index
	warnings []string
	// configFields maps config key names to manifest.Config field indexes.
	configFields map[string]int
	state        *stateCompare
	// unitsOf maps a model's unique_id to its unit tests' indexes (newmethods.go).
	unitsOf map[string][]int
}

// result is dbt's pair of sets: nodes selected outright and tests that were
// reached but not (yet) selected, which a cautious or buildable combination
// may still take in.
type result struct{ direct, indirect bitset }

func (r result) all() bitset { return r.direct.or(r.indirect) }

func (s *selection) empty() bitset { return newBitset(len(s.nodes)) }

func (s *selection) union(args []string, mode string, expect bool) (result, error) {
	direct, all := s.empty(), s.empty()
	for _, arg := range args {
		for _, part := range strings.Fields(arg) {
			r, err := s.intersection(part, mode)
			if err != nil {
				return result{}, err
			}
			if expect && r.direct.empty() {
				s.warnings = append(s.warnings, fmt.Sprintf("the selection criterion %q does not match any enabled nodes", part))
			}
			direct = direct.or(r.direct)
			all = all.or(r.all())
		}
	}
	return result{direct: s.incorporate(result{direct: direct, indirect: all}, mode), indirect: all}, nil
}

func (s *selection) intersection(part, mode string) (result, error) {
	var rs []result
	for _, raw := range strings.Split(part, ",") {
		if raw == "" {
			return result{}, invalidSelector(part, "empty criterion between commas")
		}
		sp, err := parseSpec(raw)
		if err != nil {
			return result{}, err
		}
		r, err := s.criterion(sp, mode)
		if err != nil {
			return result{}, err
		}
		rs = append(rs, r)
	}
	if len(rs) == 1 {
		return rs[0], nil
	}
	direct, all := rs[0].direct, rs[0].all()
	for _, r := range rs[1:] {
		direct = direct.and(r.direct)
		all = all.and(r.all())
	}
	return result{direct: s.incorporate(result{direct: direct, indirect: all}, mode), indirect: all}, nil
}

// criterion selects the nodes one spec matches, adds its graph neighbours, then
// the tests reached from them.
func (s *selection) criterion(sp spec, mode string) (result, error) {
	if sp.method == "column" {
		// Its operators follow column lineage (see columnNodes).
		sel, err := s.columnNodes(sp)
		if err != nil {
			return result{}, err
		}
		if mode == Empty {
			return result{direct: sel, indirect: s.empty()}, nil
		}
		return s.expand(sel, mode), nil
	}
	sel, err := s.match(sp)
	if err != nil {
		return result{}, err
	}
	matched := sel.indexes()
	add := func(idx []int32) {
		for _, i := range idx {
			sel.add(int(i))
		}
	}
	switch {
	case sp.childrensParents:
		add(s.d.DescendantIndexes(matched, -1))
		add(s.d.AncestorIndexes(sel.indexes(), -1))
	default:
		if sp.parents {
			add(s.d.AncestorIndexes(matched, sp.parentsDepth))
		}
		if sp.children {
			add(s.d.DescendantIndexes(matched, sp.childrenDepth))
		}
	}
	if mode == Empty {
		return result{direct: sel, indirect: s.empty()}, nil
	}
	return s.expand(sel, mode), nil
}

// expand is dbt's indirect selection: a test directly below the selection is
// selected outright in eager mode, or when every node it depends on is covered;
// otherwise it is remembered as indirect.
func (s *selection) expand(sel bitset, mode string) result {
	direct, indirect := sel.clone(), s.empty()
	s.addUnitTests(sel, direct)
	var buildable bitset
	for _, i := range sel.indexes() {
		for _, c := range s.d.ChildIndexes(int(i)) {
			ci := int(c)
			if direct.has(ci) || indirect.has(ci) {
				continue
			}
			n := s.nodes[ci]
			if n == nil || n.ResourceType != manifest.Test {
				continue
			}
			switch {
			case mode == Eager || s.coveredBy(ci, sel):
				direct.add(ci)
			case mode == Buildable:
				if buildable == nil {
					buildable = s.buildableSet(sel)
				}
				if s.coveredBy(ci, buildable) {
					direct.add(ci)
				} else {
					indirect.add(ci)
				}
			default:
				indirect.add(ci)
			}
		}
	}
	return result{direct: direct, indirect: indirect}
}

// buildableSet is the selection, everything upstream of it, and every source.
func (s *selection) buildableSet(sel bitset) bitset {
	out := sel.clone()
	for _, i := range s.d.AncestorIndexes(sel.indexes(), -1) {
		out.add(int(i))
	}
	for i, n := range s.nodes {
		if n != nil && n.ResourceType == manifest.Source {
			out.add(i)
		}
	}
	return out
}

// incorporate takes in the indirect tests that a combination now covers
// (cautious and buildable); eager has already selected them.
func (s *selection) incorporate(r result, mode string) bitset {
	out := r.direct.clone()
	if mode != Cautious && mode != Buildable {
		return out
	}
	var buildable bitset
	for _, i := range r.indirect.andNot(r.direct).indexes() {
		ti := int(i)
		n := s.nodes[ti]
		if n == nil || n.ResourceType != manifest.Test {
			continue
		}
		if s.coveredBy(ti, r.direct) {
			out.add(ti)
			continue
		}
		if mode == Buildable {
			if buildable == nil {
				buildable = s.buildableSet(r.direct)
			}
			if s.coveredBy(ti, buildable) {
				out.add(ti)
			}
		}
	}
	return out
}

// coveredBy reports whether every parent of vertex i is in sel.
func (s *selection) coveredBy(i int, sel bitset) bool {
	for _, p := range s.d.ParentIndexes(i) {
		if !sel.has(int(p)) {
			return false
		}
	}
	return true
}
