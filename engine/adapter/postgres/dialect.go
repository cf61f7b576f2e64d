package postgres

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/sqltext"
)

// Dialect is PostgreSQL's SQL text rules: ANSI quoting, names kept as
// written (PostgreSQL folds unquoted names to lower case, but strata always
// quotes, as dbt-postgres does with its default quoting; standard_conforming
// strings is on since 9.1). The zero value is ready to use and needs no
// connection; every method is a pure function.
type Dialect struct{ sqltext.ANSI }

var (
	_ adapter.Dialect        = Dialect{}
	_ adapter.CatalogDialect = Dialect{}
)

// Type implements adapter.Dialect.
func (Dialect) Type() string { return "postgres" }

// DefaultIncrementalStrategy implements adapter.Dialect, as dbt-postgres does:
// delete+insert with a unique key, append without.
func (Dialect) DefaultIncrementalStrategy(hasUniqueKey bool) string {
	if hasUniqueKey {
		return "delete+insert"
	}
	return "append"
}

// ValidIncrementalStrategies implements adapter.Dialect (MERGE needs
// PostgreSQL 15).
func (Dialect) ValidIncrementalStrategies() []string {
	return []string{"append", "delete+insert", "merge"}
}

// CreateSchema implements adapter.Dialect (a connection reaches one
// database, so the schema is not qualified).
func (d Dialect) CreateSchema(_, schema string) string {
	return "create schema if not exists " + d.QuoteIdent(schema)
}

// CreateView implements adapter.Dialect. PostgreSQL replaces a view in place
// only when the new columns extend the old ones; otherwise it refuses
// (adapter.ErrCannotReplace) and the view is swapped.
func (d Dialect) CreateView(r relation.Relation, sql string, o adapter.CreateOptions) string {
	verb := "create view"
	if o.Replace {
		verb = "create or replace view"
	}
	return verb + " " + d.RenderRelation(r) + " as (\n" + sqltext.Trim(sql) + "\n)"
}

func tableVerb(o adapter.CreateOptions) string {
	if o.Temporary {
		return "create temporary table"
	}
	return "create table"
}

// CreateTableAs implements adapter.Dialect. PostgreSQL has no `create or
// replace table` (Traits.AtomicReplace is false) and no transient tables.
func (d Dialect) CreateTableAs(r relation.Relation, sql string, o adapter.CreateOptions) string {
	return fmt.Sprintf("%s %s as (\n%s\n)", tableVerb(o), d.RenderRelation(r), sqltext.Trim(sql))
}

// CreateTable implements adapter.Dialect.
func (d Dialect) CreateTable(r relation.Relation, cols []adapter.Column, o adapter.CreateOptions) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.QuoteIdent(c.Name) + " " + c.DataType
	}
	return fmt.Sprintf("%s %s (%s)", tableVerb(o), d.RenderRelation(r), strings.Join(defs, ", "))
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

// Drop implements adapter.Dialect. It cascades to the views bound to r; the
// materializations recreate them (DependentViewsSQL).
func (d Dialect) Drop(r relation.Relation, kind relation.Kind) string {
	return fmt.Sprintf("drop %s if exists %s cascade", kindWord(kind), d.RenderRelation(r))
}

// Rename implements adapter.Dialect.
func (d Dialect) Rename(r relation.Relation, kind relation.Kind, identifier string) string {
	return fmt.Sprintf("alter %s %s rename to %s", kindWord(kind), d.RenderRelation(r), d.QuoteIdent(identifier))
}

// AddColumn implements adapter.Dialect.
func (d Dialect) AddColumn(r relation.Relation, c adapter.Column) string {
	return fmt.Sprintf("alter table %s add column %s %s", d.RenderRelation(r), d.QuoteIdent(c.Name), c.DataType)
}

// TempRelation implements adapter.Dialect: pg_temp names the session's own
// temporary schema.
func (Dialect) TempRelation(_ relation.Relation, identifier string) relation.Relation {
	return relation.Relation{Schema: "pg_temp", Identifier: identifier}
}

// LockRelation implements adapter.Dialect. SHARE ROW EXCLUSIVE conflicts
// with itself and with writers, not with readers: a second incremental run
// of the same table waits for the first to commit, then sees its rows.
// ACCESS EXCLUSIVE, which replacing a relation takes anyway, also keeps out
// a concurrent CREATE VIEW on it.
func (d Dialect) LockRelation(r relation.Relation, exclusive bool) string {
	mode := "share row exclusive"
	if exclusive {
		mode = "access exclusive"
	}
	return fmt.Sprintf("lock table %s in %s mode", d.RenderRelation(r), mode)
}

// SeedType implements adapter.Dialect.
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

// TextType implements adapter.Dialect.
func (Dialect) TextType() string { return "text" }

// CurrentTimestamp implements adapter.Dialect.
func (Dialect) CurrentTimestamp() string { return "localtimestamp" }

// relkinds lists the relation kinds strata sees: tables (plain and
// partitioned), views, materialized views and foreign tables.
const relkinds = "('r', 'p', 'v', 'm', 'f')"

// RelationsSQL implements adapter.Dialect (the database is the connection's).
func (d Dialect) RelationsSQL(_, schema, identifier string) string {
	q := fmt.Sprintf(`select c.relname::text, case c.relkind when 'v' then 'view' when 'm' then 'view' when 'f' then 'external' else 'table' end
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relkind in %s`, d.QuoteString(schema), relkinds)
	if identifier != "" {
		q += " and c.relname = " + d.QuoteString(identifier)
	}
	return q
}

// SchemasSQL implements adapter.Dialect.
func (Dialect) SchemasSQL(string) string {
	return "select nspname::text from pg_catalog.pg_namespace"
}

// regclass is r as a regclass expression: NULL when r does not exist.
func (d Dialect) regclass(r relation.Relation) string {
	return "to_regclass(" + d.QuoteString(d.RenderRelation(r)) + ")"
}

// ColumnsSQL implements adapter.Dialect; it reads temporary tables too.
func (d Dialect) ColumnsSQL(r relation.Relation) string {
	return fmt.Sprintf(`select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a
where a.attrelid = %s and a.attnum > 0 and not a.attisdropped
order by a.attnum`, d.regclass(r))
}

// DependentViewsSQL implements adapter.Dialect: PostgreSQL binds a view to
// the relations it reads, so dropping r drops the views on it (and the views
// on those). This lists them, deepest last, each with the statement that
// recreates it from its definition.
func (d Dialect) DependentViewsSQL(r relation.Relation) string {
	return fmt.Sprintf(`with recursive deps(oid, depth) as (
  select r.ev_class, 1
  from pg_catalog.pg_depend d
  join pg_catalog.pg_rewrite r on r.oid = d.objid
  where d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
    and d.refobjid = %s and r.ev_class <> d.refobjid
  union
  select r.ev_class, deps.depth + 1
  from deps
  join pg_catalog.pg_depend d on d.refobjid = deps.oid and d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
  join pg_catalog.pg_rewrite r on r.oid = d.objid
  where r.ev_class <> deps.oid
)
select n.nspname::text, c.relname::text,
  format('create %%s %%I.%%I as %%s', case c.relkind when 'm' then 'materialized view' else 'view' end, n.nspname, c.relname,
    rtrim(pg_catalog.pg_get_viewdef(c.oid), ';'))
from (select oid, max(depth) as depth from deps group by oid) x
join pg_catalog.pg_class c on c.oid = x.oid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
order by x.depth, n.nspname, c.relname`, d.regclass(r))
}

// CatalogSQL implements adapter.CatalogDialect. pg_catalog rather than
// information_schema: format_type gives the full type (varchar(20),
// numeric(12,2)) as dbt-postgres reports it, and a view's columns need no
// privilege check per row.
func (d Dialect) CatalogSQL(_, schema string) string {
	return fmt.Sprintf(`select n.nspname::text, c.relname::text,
  case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' when 'f' then 'FOREIGN TABLE' else 'BASE TABLE' end,
  pg_catalog.pg_get_userbyid(c.relowner)::text, pg_catalog.obj_description(c.oid, 'pg_class'),
  a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnum::int,
  pg_catalog.col_description(c.oid, a.attnum)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = %s and c.relkind in %s
order by c.relname, a.attnum`, d.QuoteString(schema), relkinds)
}
