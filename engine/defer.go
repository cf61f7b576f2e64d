package engine

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/selector"
)

// Deferred is one parent relation a run reads from the state manifest instead
// of the current target.
type Deferred struct {
	UniqueID string
	From, To string // relation names: the target's, and the state's used instead
}

// Defer rewrites, in the compiled code of the selected nodes, references to
// parents outside the selection so that they read the relations recorded in
// stateDir's manifest (e.g. production's) — when the parent's relation does not
// exist in the current target, or always with favorState. Refs reached through
// ephemeral models count too, since those are inlined. This is dbt's --defer: a
// pull request builds only what changed, reading the rest from production.
func (p *Project) Defer(ctx context.Context, a *materialize.Warehouse, c *Compiled, ids []string, stateDir string, favorState bool) ([]Deferred, error) {
	state, err := selector.LoadManifest(filepath.Join(stateDir, "manifest.json"))
	if err != nil {
		return nil, diag.Invalid("cannot read --state", "%v; --defer needs --state DIR holding production's manifest.json", err)
	}
	m := c.Manifest
	selected := make(map[string]bool, len(ids))
	for _, id := range ids {
		selected[id] = true
	}
	// Which unselected relations each selected node reads, through ephemerals.
	decided := map[string]*Deferred{} // parent id -> replacement (nil: keep)
	exists := map[relation.Relation]bool{}
	var out []Deferred
	for _, id := range ids {
		n := m.Nodes[id]
		if n == nil {
			continue
		}
		var reps []*Deferred
		for _, pid := range unselectedParents(m, n, selected) {
			d, seen := decided[pid]
			if !seen {
				d, err = p.deferOne(ctx, a, m, state, pid, favorState, exists)
				if err != nil {
					return nil, err
				}
				decided[pid] = d
				if d != nil {
					out = append(out, *d)
				}
			}
			if d != nil {
				reps = append(reps, d)
			}
		}
		for _, d := range reps {
			n.CompiledCode = strings.ReplaceAll(n.CompiledCode, d.From, d.To)
			n.IncrementalCode = strings.ReplaceAll(n.IncrementalCode, d.From, d.To)
		}
	}
	return out, nil
}

func (p *Project) deferOne(ctx context.Context, a *materialize.Warehouse, m, state *manifest.Manifest, pid string, favor bool, exists map[relation.Relation]bool) (*Deferred, error) {
	parent := m.Nodes[pid]
	prod := state.Nodes[pid]
	if parent == nil || prod == nil || parent.RelationName == "" || prod.RelationName == "" || parent.RelationName == prod.RelationName {
		return nil, nil
	}
	if !favor {
		ok, seen := exists[parent.Relation]
		if !seen {
			kind, err := a.RelationKind(ctx, parent.Relation)
			if err != nil {
				return nil, err
			}
			ok = kind != relation.None
			exists[parent.Relation] = ok
		}
		if ok {
			return nil, nil
		}
	}
	return &Deferred{UniqueID: pid, From: parent.RelationName, To: prod.RelationName}, nil
}

// unselectedParents lists the buildable parents (models, seeds, snapshots) of n
// outside the selection, looking through ephemeral models, which are inlined.
func unselectedParents(m *manifest.Manifest, n *manifest.Node, selected map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(*manifest.Node)
	visit = func(x *manifest.Node) {
		for _, pid := range x.DependsOn.Nodes {
			if seen[pid] {
				continue
			}
			seen[pid] = true
			parent := m.Nodes[pid]
			if parent == nil {
				continue // sources are never deferred
			}
			if parent.ResourceType == manifest.Model && parent.Config.Materialized == "ephemeral" {
				visit(parent)
				continue
			}
			if !selected[pid] && parent.ResourceType != manifest.Test {
				out = append(out, pid)
			}
		}
	}
	visit(n)
	return out
}
