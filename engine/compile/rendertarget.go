package compile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/project"
)

// RenderWithTarget is RenderString with `target` in the context too, as dbt
// renders selectors.yml (`default: "{{ target.name == 'dev' }}"`). It is safe
// for concurrent use.
func RenderWithTarget(tmpl string, t adapter.Target, env func(string) (string, bool), vars map[string]any) (string, error) {
	if !strings.Contains(tmpl, "{{") && !strings.Contains(tmpl, "{%") {
		return tmpl, nil
	}
	p := bareProgram(Options{Project: &project.Project{}, Env: env, Vars: vars, Target: t})
	tp, err := p.parse(p.root, "template", tmpl)
	if err == nil {
		var out string
		if out, err = p.render(tp, p.standaloneState(p.root)); err == nil {
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
