package materialize

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// seedBatchRows bounds the rows of one INSERT when the adapter has no bulk
// loader.
const seedBatchRows = 500

// LoadSeed replaces a seed's table with the CSV's rows. The rows go as text
// into a session temporary table, through the adapter's BulkLoader where it
// has one (COPY, an appender, bound batches), else through batched INSERTs;
// then the table is built from them, each column cast to its inferred type
// (or its column_types override), exactly as a table model is replaced: at
// once, keeping the views that depend on it.
func (w *Warehouse) LoadSeed(ctx context.Context, req SeedRequest) (Result, error) {
	label := labelOr(req.Label, req.Relation)
	rel, err := w.target(req.Relation)
	if err != nil {
		return Result{RowsAffected: -1}, wrap(label, err)
	}
	cols := InferSeedColumns(req.Header, req.Rows, req.ColumnTypes)
	names := make([]string, len(cols))
	unquoted := req.QuoteColumns != nil && !*req.QuoteColumns
	for i := range cols {
		cols[i].Name = w.d.ColumnName(cols[i].Name)
		if unquoted {
			switch w.traits.UnquotedFold {
			case "lower":
				cols[i].Name = strings.ToLower(cols[i].Name)
			case "upper":
				cols[i].Name = strings.ToUpper(cols[i].Name)
			}
		}
		names[i] = cols[i].Name
	}
	b := w.newBuild(label)
	defer b.close(ctx)
	msg, err := w.withKind(ctx, b, rel, func(existing relation.Kind) (string, error) {
		if err := b.session(ctx); err != nil {
			return "", err
		}
		staging := b.sessionTemp(rel)
		load := func() error {
			text := make([]adapter.Column, len(cols))
			for i, c := range cols {
				text[i] = adapter.Column{Name: c.Name, DataType: w.d.TextType()}
			}
			if _, err := b.exec(ctx, w.d.CreateTable(staging, text, adapter.CreateOptions{Temporary: true})); err != nil {
				return err
			}
			if !b.inTx {
				defer b.cleanup(ctx, w.d.Drop(staging, relation.Table))
			}
			if err := b.loadRows(ctx, staging, names, req.Rows); err != nil {
				return fmt.Errorf("load %d rows: %w", len(req.Rows), err)
			}
			if err := b.table(ctx, rel, seedSelect(w.d, staging, cols), existing, false); err != nil {
				return err
			}
			if b.inTx {
				_, err := b.exec(ctx, w.d.Drop(staging, relation.Table))
				return err
			}
			return nil
		}
		var err error
		if w.traits.TransactionalDDL {
			err = b.tx(ctx, load)
		} else {
			err = load()
		}
		b.res.RowsAffected = int64(len(req.Rows))
		return fmt.Sprintf("INSERT %d", len(req.Rows)), err
	})
	return b.result(msg, wrap(label, err))
}

// loadRows appends text rows to the staging table.
func (b *build) loadRows(ctx context.Context, staging relation.Relation, names []string, rows [][]string) error {
	if bl, ok := b.s.(adapter.BulkLoader); ok {
		n, err := bl.BulkLoad(ctx, staging, names, rows)
		b.note(fmt.Sprintf("-- %d rows bulk-loaded into %s", n, b.w.d.RenderRelation(staging)))
		return err
	}
	d := b.w.d
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = d.QuoteIdent(n)
	}
	head := fmt.Sprintf("insert into %s (%s) values\n", d.RenderRelation(staging), strings.Join(quoted, ", "))
	batches := 0
	for start := 0; start < len(rows); start += seedBatchRows {
		var sb strings.Builder
		sb.WriteString(head)
		for i, row := range rows[start:min(start+seedBatchRows, len(rows))] {
			if i > 0 {
				sb.WriteString(",\n")
			}
			sb.WriteByte('(')
			for j := range names {
				if j > 0 {
					sb.WriteString(", ")
				}
				if j < len(row) && row[j] != "" {
					sb.WriteString(d.QuoteString(row[j]))
				} else {
					sb.WriteString("null")
				}
			}
			sb.WriteByte(')')
		}
		if _, err := b.s.Exec(ctx, sb.String()); err != nil {
			return err
		}
		batches++
	}
	b.note(fmt.Sprintf("-- %d rows inserted into %s in %d statement(s) of up to %d rows", len(rows), d.RenderRelation(staging), batches, seedBatchRows))
	return nil
}

// seedSelect reads the text staging table, casting each column to its type.
func seedSelect(d adapter.Dialect, staging relation.Relation, cols []adapter.SeedColumn) string {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		typ := d.SeedType(c)
		q := d.QuoteIdent(c.Name)
		if strings.EqualFold(typ, d.TextType()) {
			exprs[i] = q
		} else {
			exprs[i] = fmt.Sprintf("cast(%s as %s) as %s", q, typ, q)
		}
	}
	return fmt.Sprintf("select %s from %s", strings.Join(exprs, ", "), d.RenderRelation(staging))
}

// withKind runs f with what the cache says stands at rel; when f fails and
// the catalog says otherwise (something outside the run changed rel), it runs
// f once more with that. The cache is read before f pins a session: a build
// never holds a connection while it waits for another (the pool has one per
// worker).
func (w *Warehouse) withKind(ctx context.Context, b *build, rel relation.Relation, f func(existing relation.Kind) (string, error)) (string, error) {
	existing, err := w.cache.kind(ctx, rel)
	if err != nil {
		return "", err
	}
	msg, err := f(existing)
	if err != nil && ctx.Err() == nil {
		if fresh, ferr := w.lookup(ctx, b.q(), rel); ferr == nil && fresh != existing {
			msg, err = f(fresh)
		}
	}
	return msg, err
}

// withViewKind is withKind for a view, which "create or replace view"
// builds alike whether a view or nothing stands at rel. While rel's schema
// has not been listed it does not list it: f runs as if nothing stood
// there, and only when that fails does one lookup say whether a table (or
// an external one) is in the way, for f to replace. Listing a schema is one
// catalog query, but on DuckDB it costs ~20 ms per 1,000 views, a run of
// views rarely needs it, and a table turning into a view is rare.
func (w *Warehouse) withViewKind(ctx context.Context, b *build, rel relation.Relation, f func(existing relation.Kind) (string, error)) (string, error) {
	if w.cache.read(rel) {
		return w.withKind(ctx, b, rel, f)
	}
	msg, err := f(relation.None)
	if err != nil && ctx.Err() == nil {
		if fresh, ferr := w.lookup(ctx, b.q(), rel); ferr == nil && fresh != relation.None && fresh != relation.View {
			msg, err = f(fresh)
		}
	}
	return msg, err
}
