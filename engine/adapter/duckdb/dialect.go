package duckdb

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/sqltext"
)

// Dialect is DuckDB's SQL text rules: ANSI quoting, names kept as written,
// relations rendered with their catalog (engine/materialize fills it in from
// the target) so a schema named like the database file stays unambiguous.
// The zero value is ready to use and needs no connection; every method is a
// pure function.
type Dialect struct{ sqltext.ANSI }

var (
	_ adapter.Dialect        = Dialect{}
	_ adapter.CatalogDialect = Dialect{}
)

// Type implements adapter.Dialect.
func (Dialect) Type() string { return "duckdb" }

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

// CreateSchema implements adapter.Dialect.
func (d Dialect) CreateSchema(database, schema string) string {
	return "create schema if not exists " + d.RenderRelation(relation.Relation{Database: database, Schema: schema})
}

func create(o adapter.CreateOptions, kind string) string {
	verb := "create "
	if o.Replace {
		verb += "or replace "
	}
	if o.Temporary {
		verb += "temp "
	}
	return verb + kind
}

// CreateView implements adapter.Dialect. DuckDB replaces a view atomically.
func (d Dialect) CreateView(r relation.Relation, sql string, o adapter.CreateOptions) string {
	return fmt.Sprintf("%s %s as (\n%s\n)", create(o, "view"), d.RenderRelation(r), sqltext.Trim(sql))
}

// CreateTableAs implements adapter.Dialect; `create or replace table` is atomic.
func (d Dialect) CreateTableAs(r relation.Relation, sql string, o adapter.CreateOptions) string {
	return fmt.Sprintf("%s %s as (\n%s\n)", create(o, "table"), d.RenderRelation(r), sqltext.Trim(sql))
}

// CreateTable implements adapter.Dialect.
func (d Dialect) CreateTable(r relation.Relation, cols []adapter.Column, o adapter.CreateOptions) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.QuoteIdent(c.Name) + " " + c.DataType
	}
	return fmt.Sprintf("%s %s (%s)", create(o, "table"), d.RenderRelation(r), strings.Join(defs, ", "))
}

func kindWord(k relation.Kind) string {
	if k == relation.View {
		return "view"
	}
	return "table"
}

// Drop implements adapter.Dialect.
func (d Dialect) Drop(r relation.Relation, kind relation.Kind) string {
	return fmt.Sprintf("drop %s if exists %s", kindWord(kind), d.RenderRelation(r))
}

// Rename implements adapter.Dialect.
func (d Dialect) Rename(r relation.Relation, kind relation.Kind, identifier string) string {
	return fmt.Sprintf("alter %s %s rename to %s", kindWord(kind), d.RenderRelation(r), d.QuoteIdent(identifier))
}

// AddColumn implements adapter.Dialect.
func (d Dialect) AddColumn(r relation.Relation, c adapter.Column) string {
	return fmt.Sprintf("alter table %s add column %s %s", d.RenderRelation(r), d.QuoteIdent(c.Name), c.DataType)
}

// TempRelation implements adapter.Dialect: a connection's temporary tables
// live in the "temp" catalog.
func (Dialect) TempRelation(_ relation.Relation, identifier string) relation.Relation {
	return relation.Relation{Database: "temp", Schema: "main", Identifier: identifier}
}

// LockRelation implements adapter.Dialect: none. Only one process writes a
// DuckDB file at a time (it holds the file's lock), and DuckDB orders the
// transactions of that process itself.
func (Dialect) LockRelation(relation.Relation, bool) string { return "" }

// SeedType implements adapter.Dialect.
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

// TextType implements adapter.Dialect.
func (Dialect) TextType() string { return "varchar" }

// CurrentTimestamp implements adapter.Dialect.
func (Dialect) CurrentTimestamp() string { return "localtimestamp" }

// nameIs matches a catalog column against a name as DuckDB matches
// identifiers: ignoring case.
func (d Dialect) nameIs(column, name string) string {
	return fmt.Sprintf("lower(%s) = lower(%s)", column, d.QuoteString(name))
}

// RelationsSQL implements adapter.Dialect. duckdb_tables() and duckdb_views()
// read the catalog directly; information_schema.tables costs more the more
// views the file holds.
func (d Dialect) RelationsSQL(database, schema, identifier string) string {
	where := func(nameCol string) string {
		w := d.nameIs("database_name", database) + " and " + d.nameIs("schema_name", schema)
		if identifier != "" {
			w += " and " + d.nameIs(nameCol, identifier)
		}
		return w
	}
	return fmt.Sprintf("select table_name, 'table' from duckdb_tables() where %s\nunion all\nselect view_name, 'view' from duckdb_views() where not internal and %s",
		where("table_name"), where("view_name"))
}

// SchemasSQL implements adapter.Dialect.
func (d Dialect) SchemasSQL(database string) string {
	return "select schema_name from duckdb_schemas() where " + d.nameIs("database_name", database)
}

// ColumnsSQL implements adapter.Dialect.
func (d Dialect) ColumnsSQL(r relation.Relation) string {
	return fmt.Sprintf("select column_name, data_type from duckdb_columns()\nwhere %s and %s and %s\norder by column_index",
		d.nameIs("database_name", r.Database), d.nameIs("schema_name", r.Schema), d.nameIs("table_name", r.Identifier))
}

// DependentViewsSQL implements adapter.Dialect: none. DuckDB views read the
// relations they name when they are queried, so replacing a table keeps them.
func (Dialect) DependentViewsSQL(relation.Relation) string { return "" }

// CatalogSQL implements adapter.CatalogDialect.
func (d Dialect) CatalogSQL(database, schema string) string {
	db := "current_database()"
	if database != "" {
		db = d.QuoteString(database)
	}
	return fmt.Sprintf(`select t.table_schema, t.table_name, t.table_type, null as owner, t.table_comment,
  c.column_name, c.data_type, c.ordinal_position, c.column_comment
from information_schema.tables t
join information_schema.columns c
  on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema and c.table_name = t.table_name
where t.table_catalog = %s and t.table_schema = %s
order by t.table_name, c.ordinal_position`, db, d.QuoteString(schema))
}
