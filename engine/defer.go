package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/selector"
)

// defer1 is one parent whose refs resolve to the state manifest's relation.
type defer1 struct {
	from, to relation.Relation
}

// deferRelations decides, before the selected nodes' SQL is produced, which
// parents outside the selection their refs read from the manifest in
// stateDir (e.g. production's): a parent whose relation does not exist in the
// current target, or every such parent with favorState. Refs reached through
// ephemeral models count too, since those are inlined. This is dbt's --defer:
// a pull request builds only what changed, reading the rest from production.
// The decisions go to compile, which renders refs to them directly.
func (s *session) deferRelations(ctx context.Context, ids []string, stateDir string, favorState bool) (map[string]defer1, error) {
	state, err := selector.LoadManifest(filepath.Join(stateDir, "manifest.json"))
	if err != nil {
		return nil, diag.Invalid("cannot read --state", "%v; --defer needs --state DIR holding production's manifest.json", err)
	}
	m := s.comp.Manifest
	selected := make(map[string]bool, len(ids))
	for _, id := range ids {
		selected[id] = true
	}
	out := map[string]defer1{}
	decided := map[string]bool{}
	exists := map[relation.Relation]bool{}
	for _, id := range ids {
		n := m.Nodes[id]
		if n == nil {
			continue
		}
		for _, pid := range unselectedParents(m, n, selected) {
			if decided[pid] {
				continue
			}
			decided[pid] = true
			parent, prod := m.Nodes[pid], state.Nodes[pid]
			if parent == nil || prod == nil || parent.RelationName == "" || prod.RelationName == "" || parent.RelationName == prod.RelationName {
				continue
			}
			if !favorState {
				ok, seen := exists[parent.Relation]
				if !seen {
					kind, err := s.conn.RelationKind(ctx, parent.Relation)
					if err != nil {
						return nil, err
					}
					ok = kind != relation.None
					exists[parent.Relation] = ok
				}
				if ok {
					continue
				}
			}
			out[pid] = defer1{from: parent.Relation, to: prod.Relation}
			s.c.observer().Event(result.Event{Kind: result.Info, Time: time.Now(),
				Message: fmt.Sprintf("deferring %s to %s (from --state)", parent.RelationName, prod.RelationName)})
		}
	}
	return out, nil
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
