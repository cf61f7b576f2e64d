package compile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
)

// RenderString renders one standalone template with env_var() and var() (and
// the other context-free globals), as the profile loader needs for values like
// `{{ env_var('DB_PASSWORD') }}`. A string without Jinja is returned unchanged.
// It is safe for concurrent use.
func RenderString(tmpl string, env func(string) (string, bool), vars map[string]any) (string, error) {
	if !strings.Contains(tmpl, "{{") && !strings.Contains(tmpl, "{%") {
		return tmpl, nil
	}
	p := bareProgram(Options{Project: &project.Project{}, Env: env, Vars: vars})
	t, err := p.parse(p.root, "template", tmpl)
	if err == nil {
		var out string
		out, err = p.render(t, p.standaloneState(p.root))
		if err == nil {
			return out, nil
		}
	}
	var ue *userError
	if errors.As(err, &ue) {
		return "", ue
	}
	d := p.errDiag("", err)
	return "", fmt.Errorf("%s: %s", d.Summary, d.Detail)
}

// bareProgram is a Program with dbt's context and no macros: enough to render
// a profile value or a packages.yml entry.
func bareProgram(o Options) *Program {
	p := &Program{o: o, ctx: context.Background(), pkgs: map[string]*pkg{}, byName: map[string][]int{}, docNodes: map[string]*manifest.Doc{}, sources: map[string]*manifest.Node{}}
	p.tags = dbtTags()
	env := jinja.NewEnvironment()
	p.filters, p.tests = env.Filters, env.Tests
	addDbtFilters(p.filters)
	p.internal = p.newPkg(globalProject, nil, "")
	p.internal.internal = true
	p.root = p.newPkg(o.Project.Config.Name, o.Project, "")
	p.root.root = true
	p.pkgOrder = []*pkg{p.root, p.internal}
	p.buildGlobals()
	return p
}
