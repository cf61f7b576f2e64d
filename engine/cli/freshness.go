package cli

import (
	"context"

	"github.com/strata-dev/strata/engine"
)

// runFreshness is `strata source freshness`: it writes target/sources.json and
// exits 1 when any source is past its error_after.
func runFreshness(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	res, err := p.Freshness(ctx, engine.FreshnessOptions{Common: c.common(), Selection: sel, OutputPath: c.f.str("output")})
	if err != nil {
		return err
	}
	if res.Failed {
		return errFailed
	}
	return nil
}
