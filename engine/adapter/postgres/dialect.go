package postgres

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// MaxIdentLen is PostgreSQL's identifier limit (NAMEDATALEN-1); longer names
// are silently truncated by the server, so temporary names are kept within it.
const MaxIdentLen = 63

// Dialect is PostgreSQL's SQL text rules. The zero value is ready to use and
// needs no connection; every method is a pure function.
type Dialect struct{}

var _ adapter.Dialect = Dialect{}

// Type implements adapter.Dialect.
func (Dialect) Type() string { return "postgres" }

// QuoteIdent implements adapter.Dialect.
func (Dialect) QuoteIdent(name string) string {
	return adapter.QuoteANSI(name)
}

// RenderRelation implements adapter.Dialect: "db"."schema"."name", as
// dbt-postgres renders it (empty parts are left out).
func (d Dialect) RenderRelation(r relation.Relation) string {
	return adapter.JoinRelation(r, d.QuoteIdent)
}

// NormalizeIdent implements adapter.Dialect. PostgreSQL folds unquoted names
// to lower case, but strata always quotes, so names are kept as written (as
// dbt-postgres does with its default quoting).
func (Dialect) NormalizeIdent(name string) string { return name }

// DefaultIncrementalStrategy implements adapter.Dialect, as dbt-postgres does:
// delete+insert with a unique key, append without.
func (Dialect) DefaultIncrementalStrategy(hasUniqueKey bool) string {
	if hasUniqueKey {
		return "delete+insert"
	}
	return "append"
}

// ValidIncrementalStrategies implements adapter.Dialect (microbatch is not
// supported yet).
func (Dialect) ValidIncrementalStrategies() []string {
	return []string{"append", "delete+insert", "merge"}
}

// schemaOnly renders r without its database, for regclass casts and renames.
func (d Dialect) schemaOnly(r relation.Relation) string {
	r.Database = ""
	return d.RenderRelation(r)
}

// CreateSchemaSQL creates a schema unless it exists.
func (d Dialect) CreateSchemaSQL(schema string) string {
	return "create schema if not exists " + d.QuoteIdent(schema)
}

// CreateOrReplaceViewSQL replaces a view in place. PostgreSQL accepts it only
// when the new columns extend the old ones; callers fall back to a swap.
func (d Dialect) CreateOrReplaceViewSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create or replace view %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateViewSQL creates a view.
func (d Dialect) CreateViewSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create view %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTableAsSQL creates a table from a SELECT.
func (d Dialect) CreateTableAsSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create table %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTempTableAsSQL creates a session temporary table that is dropped when
// the surrounding transaction ends.
func (d Dialect) CreateTempTableAsSQL(identifier, sql string) string {
	return fmt.Sprintf("create temporary table %s on commit drop as (\n%s\n)", d.QuoteIdent(identifier), adapter.TrimSQL(sql))
}

// CreateTableSQL creates an empty table with typed columns.
func (d Dialect) CreateTableSQL(r relation.Relation, cols []adapter.Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.QuoteIdent(c.Name) + " " + c.DataType
	}
	return fmt.Sprintf("create table %s (%s)", d.RenderRelation(r), strings.Join(defs, ", "))
}

func kindWord(k relation.Kind) string {
	switch k {
	case relation.View:
		return "view"
	case relation.External:
		return "foreign table"
	}
	return "table"
}

// DropSQL drops r if it exists as kind. Cascade drops views that depend on
// it, as dbt does; they are rebuilt when they are selected.
func (d Dialect) DropSQL(r relation.Relation, kind relation.Kind) string {
	return fmt.Sprintf("drop %s if exists %s cascade", kindWord(kind), d.RenderRelation(r))
}

// RenameSQL renames r (of kind) to identifier in its schema.
func (d Dialect) RenameSQL(r relation.Relation, kind relation.Kind, identifier string) string {
	return fmt.Sprintf("alter %s %s rename to %s", kindWord(kind), d.RenderRelation(r), d.QuoteIdent(identifier))
}

// SwapSQL replaces target (holding a relation of kind old, or relation.None)
// with the already-built staged relation of kind staged: rename the old one
// to backup, the new one into place, then drop the backup. Run it in one
// transaction. Dropping the backup cascades to views that depended on the old
// relation, like dbt; they are rebuilt when selected.
func (d Dialect) SwapSQL(target relation.Relation, old relation.Kind, staged relation.Relation, kind relation.Kind, backup string) []string {
	var out []string
	if old != relation.None {
		out = append(out, d.RenameSQL(target, old, backup))
	}
	out = append(out, d.RenameSQL(staged, kind, target.Identifier))
	if old != relation.None {
		out = append(out, d.DropSQL(target.WithIdentifier(backup), old))
	}
	return out
}

func (d Dialect) columnList(cols []adapter.Column, prefix string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = prefix + d.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

// AppendSQL inserts every row of source (a temporary table) into target.
func (d Dialect) AppendSQL(target relation.Relation, source string, cols []adapter.Column) string {
	list := d.columnList(cols, "")
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s", d.RenderRelation(target), list, list, d.QuoteIdent(source))
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
func (d Dialect) DeleteInsertSQL(target relation.Relation, source string, keys []string, cols []adapter.Column) []string {
	del := fmt.Sprintf("delete from %s as strata_target\nusing %s as strata_source\nwhere %s",
		d.RenderRelation(target), d.QuoteIdent(source), d.keyMatch(keys, "strata_source", "strata_target"))
	return []string{del, d.AppendSQL(target, source, cols)}
}

// MergeSQL updates target rows whose unique key appears in source and inserts
// the others (PostgreSQL 15 MERGE).
func (d Dialect) MergeSQL(target relation.Relation, source string, keys []string, cols []adapter.Column) string {
	var sets []string
	for _, c := range cols {
		if !adapter.ContainsFold(keys, c.Name) {
			sets = append(sets, fmt.Sprintf("%s = strata_source.%s", d.QuoteIdent(c.Name), d.QuoteIdent(c.Name)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "merge into %s as strata_target\nusing %s as strata_source\non %s\n", d.RenderRelation(target),
		d.QuoteIdent(source), d.keyMatch(keys, "strata_source", "strata_target"))
	if len(sets) > 0 {
		fmt.Fprintf(&b, "when matched then update set %s\n", strings.Join(sets, ", "))
	}
	fmt.Fprintf(&b, "when not matched then insert (%s) values (%s)", d.columnList(cols, ""), d.columnList(cols, "strata_source."))
	return b.String()
}

// AddColumnsSQL adds columns to a table in one statement.
func (d Dialect) AddColumnsSQL(r relation.Relation, cols []adapter.Column) string {
	adds := make([]string, len(cols))
	for i, c := range cols {
		adds[i] = fmt.Sprintf("add column %s %s", d.QuoteIdent(c.Name), c.DataType)
	}
	return fmt.Sprintf("alter table %s %s", d.RenderRelation(r), strings.Join(adds, ", "))
}

// CopySQL is the COPY statement a seed load streams its CSV through.
func (d Dialect) CopySQL(r relation.Relation, cols []string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = d.QuoteIdent(c)
	}
	return fmt.Sprintf("copy %s (%s) from stdin with (format csv)", d.schemaOnly(r), strings.Join(names, ", "))
}

// SeedType maps an inferred seed column to a PostgreSQL type.
func (Dialect) SeedType(c adapter.SeedColumn) string {
	if c.Override != "" {
		return c.Override
	}
	switch c.Kind {
	case adapter.SeedInteger:
		return "bigint"
	case adapter.SeedDecimal:
		return "numeric" // exact at any precision
	case adapter.SeedBoolean:
		return "boolean"
	case adapter.SeedDate:
		return "date"
	case adapter.SeedTimestamp:
		return "timestamp"
	case adapter.SeedTimestampTZ:
		return "timestamptz"
	default:
		return "text"
	}
}
