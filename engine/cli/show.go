package cli

import (
	"context"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/view"
)

// runShow prints rows of an inline query or of a model's compiled SELECT (as dbt
// show does: the query runs; the model's table is not read).
func runShow(ctx context.Context, c *invocation) error {
	inline := c.f.str("inline")
	sel := c.f.list("select")
	if (inline == "") == (len(sel) == 0) {
		return diag.Invalid("show needs one query", "pass either --inline \"select …\" or -s <model>")
	}
	limit := 5
	if c.f.set["limit"] {
		limit = c.f.num("limit")
	}
	output := c.f.str("output")
	switch output {
	case "", "table", "text", "json", "csv":
	default:
		return diag.Invalid("bad flag value", "--output must be table, json or csv, got %q", output)
	}
	p, err := c.open()
	if err != nil {
		return err
	}
	res, err := p.Show(ctx, engine.ShowOptions{Common: c.common(), Selection: engine.Selection{Select: sel}, Inline: inline, Limit: limit})
	if err != nil {
		return err
	}
	t, n := res.Table, res.Node
	switch output {
	case "json":
		c.out.Output(view.FormatJSON(t.Columns, t.Types, t.Rows))
	case "csv":
		c.out.Output(view.FormatCSV(t.Columns, t.Rows))
	default:
		if inline == "" {
			c.out.Notice("Previewing %s:", n.Name)
		}
		c.out.Output(view.FormatTable(t.Columns, t.Rows))
	}
	return nil
}
