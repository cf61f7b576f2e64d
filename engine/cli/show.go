package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
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
	conn, err := p.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var extra []project.File
	if inline != "" {
		extra = append(extra, inlineFile(inline))
	}
	comp, err := p.Compile(ctx, engine.CompileOptions{Adapter: conn, Extra: extra, Log: c.logFunc()})
	if err != nil {
		return err
	}
	var n *manifest.Node
	if inline != "" {
		n = comp.Manifest.Nodes["model."+p.Files.Config.Name+"."+inlineName]
	} else {
		ids, _, err := p.Select(comp, engine.SelectOptions{Select: sel, ResourceTypes: []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot}})
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return diag.Invalid("show needs one node", "-s %s selects %d nodes; name exactly one model", strings.Join(sel, " "), len(ids))
		}
		n = comp.Manifest.Nodes[ids[0]]
	}
	if n == nil {
		return fmt.Errorf("nothing to show")
	}
	sql := strings.TrimRight(strings.TrimSpace(n.CompiledCode), ";")
	if n.ResourceType == manifest.Seed {
		sql = "select * from " + n.RelationName
	}
	q := sql
	if limit >= 0 {
		q = fmt.Sprintf("select * from (\n%s\n) strata_show limit %d", sql, limit)
	}
	t, err := conn.Query(ctx, q, 0)
	if err != nil {
		where := "the inline query"
		if inline == "" {
			where = fmt.Sprintf("model %s (%s)", n.Name, n.OriginalFilePath)
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	switch output {
	case "json":
		c.out.Output(view.FormatJSON(t.Columns, t.Rows))
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
