package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/selector"
)

// noNodesWarning is dbt's name for a selection criterion that matches
// nothing (for --warn-error-options).
const noNodesWarning = "NoNodesForSelectionCriteria"

// Selectors reads the project's selectors.yml (nil when it has none).
// Jinja in its values renders with target, var() and env_var().
func (p *Project) Selectors() (*selector.Selectors, error) {
	for _, name := range []string{"selectors.yml", "selectors.yaml"} {
		path := filepath.Join(p.Opts.ProjectDir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		vars := mergeVars(p.Files.Config.Vars, p.Opts.Vars)
		render := func(v string) (string, error) { return compile.RenderWithTarget(v, p.Target, p.Opts.Env, vars) }
		sels, ds := selector.ParseSelectors(data, name, render)
		if ds.HasErrors() {
			return nil, ds.Err()
		}
		return sels, nil
	}
	return nil, nil
}

// useSelector puts --selector's definition (or the default selector's, when
// nothing else selects) into so.
func (s *session) useSelector(so *selector.Options, sel Selection) error {
	given := len(sel.Select) > 0 || len(sel.Exclude) > 0
	if sel.Selector == "" && given {
		return nil
	}
	if sel.Selector != "" && given {
		return diag.Invalid("conflicting selection", "--selector %s already says what to select: drop --select and --exclude, or add them to the selector's definition in selectors.yml", sel.Selector)
	}
	sels, err := s.p.Selectors()
	if err != nil {
		return err
	}
	name := sel.Selector
	if name == "" {
		if sels == nil || sels.Default() == "" {
			return nil
		}
		name = sels.Default()
		s.c.observer().Event(result.Event{Kind: result.Info, Time: time.Now(), Message: "Using default selector " + name})
	} else if sels == nil {
		return diag.Invalid("no selectors.yml", "--selector %s: the project has no selectors.yml; define it there (selectors: [{name: %s, definition: …}])", name, name)
	}
	def, err := sels.Definition(name)
	if err != nil {
		return err
	}
	so.Definition = def
	return nil
}

// loadSourceStatus gives source_status: this run's sources.json
// (target/sources.json) and --state's.
func (s *session) loadSourceStatus(so *selector.Options, sel Selection) {
	if !strings.Contains(strings.Join(append(append([]string{}, sel.Select...), sel.Exclude...), " "), "source_status") && sel.Selector == "" && so.Definition == nil {
		return
	}
	if cur, err := selector.LoadSources(filepath.Join(s.p.TargetDir, "sources.json")); err == nil {
		so.SourcesCurrent = cur
	}
	if sel.StateDir != "" {
		if prev, err := selector.LoadSources(filepath.Join(sel.StateDir, "sources.json")); err == nil {
			so.SourcesPrevious = prev
		}
	}
}

// dropTypes leaves out the nodes of the excluded resource types.
func (s *session) dropTypes(ids []string, excluded []manifest.ResourceType) []string {
	if len(excluded) == 0 {
		return ids
	}
	out := ids[:0:0]
	for _, id := range ids {
		if n, ok := s.comp.Manifest.Node(id); ok && slices.Contains(excluded, n.ResourceType) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// countNodes counts a manifest's nodes by resource type, and its macros.
func countNodes(m *manifest.Manifest) map[string]int {
	counts := map[string]int{}
	m.All(func(n *manifest.Node) {
		if n.Name != inlineName {
			counts[string(n.ResourceType)]++
		}
	})
	counts["macro"] = len(m.Macros)
	return counts
}
