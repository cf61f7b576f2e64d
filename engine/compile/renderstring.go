package compile

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	c := newCompiler(context.Background(), Options{Project: &project.Project{}, Env: env, Vars: vars})
	c.buildGlobals()
	t, err := c.parse("template", tmpl)
	if err == nil {
		var out string
		out, err = c.render(t, &renderState{c: c, final: true})
		if err == nil {
			return out, nil
		}
	}
	var ue *userError
	if errors.As(err, &ue) {
		return "", ue
	}
	d := c.errDiag("", err)
	return "", fmt.Errorf("%s: %s", d.Summary, d.Detail)
}
