package duckdb

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Dialect is DuckDB's SQL text rules. The zero value is ready to use and needs
// no connection; every method is a pure function.
type Dialect struct{}

var _ adapter.Dialect = Dialect{}

// Type implements adapter.Dialect.
func (Dialect) Type() string { return "duckdb" }

// QuoteIdent implements adapter.Dialect.
func (Dialect) QuoteIdent(name string) string {
	return adapter.QuoteANSI(name)
}

// RenderRelation implements adapter.Dialect: "catalog"."schema"."name". The
// catalog is always written so a schema named like the database file stays
// unambiguous; a relation without one is rendered as given.
func (d Dialect) RenderRelation(r relation.Relation) string {
	return adapter.JoinRelation(r, d.QuoteIdent)
}

// NormalizeIdent implements adapter.Dialect: DuckDB keeps names as written.
func (Dialect) NormalizeIdent(name string) string { return name }

// DefaultIncrementalStrategy implements adapter.Dialect, as dbt-duckdb does:
// delete+insert with a unique key, append without.
func (Dialect) DefaultIncrementalStrategy(hasUniqueKey bool) string {
	if hasUniqueKey {
		return "delete+insert"
	}
	return "append"
}

// ValidIncrementalStrategies implements adapter.Dialect.
func (Dialect) ValidIncrementalStrategies() []string {
	return []string{"append", "delete+insert", "merge"}
}

// TempRelation is where DuckDB keeps a connection's temporary tables.
func (d Dialect) TempRelation(identifier string) relation.Relation {
	return relation.Relation{Database: "temp", Schema: "main", Identifier: identifier}
}

// CreateSchemaSQL creates database.schema unless it exists.
func (d Dialect) CreateSchemaSQL(database, schema string) string {
	return "create schema if not exists " + d.RenderRelation(relation.Relation{Database: database, Schema: schema})
}

// CreateViewSQL creates or replaces a view. DuckDB applies it atomically.
func (d Dialect) CreateViewSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create or replace view %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTableAsSQL creates (or, with replace, atomically replaces) a table from a SELECT.
func (d Dialect) CreateTableAsSQL(r relation.Relation, sql string, replace bool) string {
	verb := "create table"
	if replace {
		verb = "create or replace table"
	}
	return fmt.Sprintf("%s %s as (\n%s\n)", verb, d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTempTableAsSQL creates a connection-local temporary table from a SELECT.
func (d Dialect) CreateTempTableAsSQL(identifier, sql string) string {
	return fmt.Sprintf("create temp table %s as (\n%s\n)", d.QuoteIdent(identifier), adapter.TrimSQL(sql))
}

// DropSQL drops r if it exists as kind (a table unless kind is a view).
func (d Dialect) DropSQL(r relation.Relation, kind relation.Kind) string {
	return fmt.Sprintf("drop %s if exists %s", kindWord(kind), d.RenderRelation(r))
}

func kindWord(k relation.Kind) string {
	if k == relation.View {
		return "view"
	}
	return "table"
}

// RenameSQL renames r (of kind) to identifier in the same schema.
func (d Dialect) RenameSQL(r relation.Relation, kind relation.Kind, identifier string) string {
	return fmt.Sprintf("alter %s %s rename to %s", kindWord(kind), d.RenderRelation(r), d.QuoteIdent(identifier))
}

// CreateTempTableSQL creates an empty connection-local temporary table with
// the given typed columns.
func (d Dialect) CreateTempTableSQL(identifier string, cols []adapter.Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.QuoteIdent(c.Name) + " " + c.DataType
	}
	return fmt.Sprintf("create temp table %s (%s)", d.QuoteIdent(identifier), strings.Join(defs, ", "))
}

func (d Dialect) columnList(cols []adapter.Column, prefix string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = prefix + d.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

// AppendSQL inserts every row of source into target, matching columns by name.
func (d Dialect) AppendSQL(target, source relation.Relation, cols []adapter.Column) string {
	list := d.columnList(cols, "")
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s", d.RenderRelation(target), list, list, d.RenderRelation(source))
}

func (d Dialect) keyMatch(keys []string, left, right string) string {
	conds := make([]string, len(keys))
	for i, k := range keys {
		conds[i] = fmt.Sprintf("%s.%s = %s.%s", left, d.QuoteIdent(k), right, d.QuoteIdent(k))
	}
	return strings.Join(conds, " and ")
}

// DeleteInsertSQL deletes target rows whose unique key appears in source, then
// inserts every source row (dbt's delete+insert).
func (d Dialect) DeleteInsertSQL(target, source relation.Relation, keys []string, cols []adapter.Column) []string {
	del := fmt.Sprintf("delete from %s as strata_target\nwhere exists (select 1 from %s as strata_source where %s)",
		d.RenderRelation(target), d.RenderRelation(source), d.keyMatch(keys, "strata_source", "strata_target"))
	return []string{del, d.AppendSQL(target, source, cols)}
}

// MergeSQL updates target rows whose unique key appears in source and inserts
// the others, with DuckDB's MERGE INTO (1.4+).
func (d Dialect) MergeSQL(target, source relation.Relation, keys []string, cols []adapter.Column) string {
	var sets []string
	for _, c := range cols {
		if !adapter.ContainsFold(keys, c.Name) {
			sets = append(sets, fmt.Sprintf("%s = strata_source.%s", d.QuoteIdent(c.Name), d.QuoteIdent(c.Name)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "merge into %s as strata_target\nusing %s as strata_source\non (%s)\n", d.RenderRelation(target),
		d.RenderRelation(source), d.keyMatch(keys, "strata_source", "strata_target"))
	if len(sets) > 0 {
		fmt.Fprintf(&b, "when matched then update set %s\n", strings.Join(sets, ", "))
	}
	fmt.Fprintf(&b, "when not matched then insert (%s) values (%s)", d.columnList(cols, ""), d.columnList(cols, "strata_source."))
	return b.String()
}

// AddColumnsSQL adds columns to a table, one statement each.
func (d Dialect) AddColumnsSQL(r relation.Relation, cols []adapter.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("alter table %s add column %s %s", d.RenderRelation(r), d.QuoteIdent(c.Name), c.DataType)
	}
	return out
}

// SeedType maps an inferred seed column to a DuckDB type.
func (Dialect) SeedType(c adapter.SeedColumn) string {
	if c.Override != "" {
		return c.Override
	}
	switch c.Kind {
	case adapter.SeedInteger:
		return "bigint"
	case adapter.SeedDecimal:
		if c.Precision <= 38 {
			return fmt.Sprintf("decimal(%d,%d)", max(c.Precision, 1), c.Scale)
		}
		return "double"
	case adapter.SeedBoolean:
		return "boolean"
	case adapter.SeedDate:
		return "date"
	case adapter.SeedTimestamp:
		return "timestamp"
	case adapter.SeedTimestampTZ:
		return "timestamptz"
	default:
		return "varchar"
	}
}

// SeedSelectSQL reads the all-varchar staging table of a seed load, casting each
// column to its type (empty strings became NULL when appended).
func (d Dialect) SeedSelectSQL(staging relation.Relation, cols []adapter.SeedColumn) string {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		typ := d.SeedType(c)
		q := d.QuoteIdent(c.Name)
		if strings.EqualFold(typ, "varchar") {
			exprs[i] = q
		} else {
			exprs[i] = fmt.Sprintf("cast(%s as %s) as %s", q, typ, q)
		}
	}
	return fmt.Sprintf("select %s from %s", strings.Join(exprs, ", "), d.RenderRelation(staging))
}
