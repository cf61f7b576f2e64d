package cli

import (
	"context"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
)

// runOperation is `strata run-operation MACRO [--args '{k: v}']`.
func runOperation(ctx context.Context, c *invocation) error {
	if len(c.extra) != 1 {
		return diag.Invalid("run-operation needs a macro", "usage: strata run-operation MACRO [--args '{key: value}']")
	}
	var args map[string]any
	if a := c.f.str("args"); a != "" {
		if err := yaml.Unmarshal([]byte(a), &args); err != nil || (args == nil && a != "{}") {
			return diag.Invalid("bad --args", "--args must be a YAML or JSON mapping such as '{table: orders}', got %q", a)
		}
	}
	p, err := c.open()
	if err != nil {
		return err
	}
	res, err := p.RunOperation(ctx, engine.RunOperationOptions{Common: c.common(), Macro: c.extra[0], Args: args})
	if err != nil {
		return err
	}
	if res.Output != "" {
		c.out.Output(res.Output + "\n")
	}
	c.out.Notice("Ran %s: %d statements", c.extra[0], len(res.Statements))
	return nil
}
