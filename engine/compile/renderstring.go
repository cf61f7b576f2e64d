package compile

import (
	"errors"
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
	c := &compiler{
		o: Options{Env: env, Vars: vars}, p: &project.Project{}, j: newJinja(),
		macros: map[string]*macroDef{}, macrosByPkg: map[string]map[string]*macroDef{}, docs: map[string]string{},
	}
	c.buildBase()
	t, err := c.j.parse("template", tmpl)
	if err != nil {
		return "", errors.New(strings.ToLower(cleanGonjaError(err.Error())[:1]) + cleanGonjaError(err.Error())[1:])
	}
	st := &renderState{c: c, final: true}
	out, err := c.render(t, st)
	if err != nil {
		if st.err != nil {
			return "", st.err
		}
		return "", errors.New(cleanGonjaError(err.Error()))
	}
	return out, nil
}
