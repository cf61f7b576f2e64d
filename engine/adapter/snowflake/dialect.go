package snowflake

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Dialect is Snowflake's SQL text: pure functions, no connection. It is a
// value without state, safe for concurrent use.
type Dialect struct{}

var _ adapter.Dialect = Dialect{}

// Type is the profile type this dialect serves.
func (Dialect) Type() string { return "snowflake" }

// QuoteIdent quotes a name verbatim: inside double quotes Snowflake keeps the
// case as written, so callers pass names already folded where they want that.
func (Dialect) QuoteIdent(name string) string {
	return adapter.QuoteANSI(name)
}

// RenderRelation renders "DATABASE"."SCHEMA"."NAME", leaving out empty parts.
// Parts that are plain identifiers fold to upper case first (Fold), as
// dbt-snowflake's unquoted names do, so `database: analytics` in a profile
// and ANALYTICS in the account are the same database.
func (d Dialect) RenderRelation(r relation.Relation) string {
	r = Fold(r)
	return adapter.JoinRelation(r, d.QuoteIdent)
}

// NormalizeIdent folds a name as Snowflake folds unquoted identifiers: to
// upper case. Relations are always rendered quoted after folding, so a model
// named stg_loans lives at "STG_LOANS", where unquoted SQL finds it.
func (Dialect) NormalizeIdent(name string) string { return strings.ToUpper(name) }

// DefaultIncrementalStrategy is dbt-snowflake's: merge. Without a unique key
// dbt-snowflake's merge only inserts (its join condition is FALSE), which is
// what append does, so append is named for that case.
func (Dialect) DefaultIncrementalStrategy(hasUniqueKey bool) string {
	if hasUniqueKey {
		return "merge"
	}
	return "append"
}

// ValidIncrementalStrategies lists what this adapter implements.
func (Dialect) ValidIncrementalStrategies() []string {
	return []string{"append", "merge", "delete+insert"}
}

// Fold upper-cases each part of r that is a plain identifier (letters,
// digits, _ and $, not starting with a digit): how Snowflake reads it unquoted.
// Other names (with spaces, dashes, …) can only exist quoted and stay verbatim.
func Fold(r relation.Relation) relation.Relation {
	fold := func(s string) string {
		if isPlainIdent(s) {
			return strings.ToUpper(s)
		}
		return s
	}
	return relation.Relation{Database: fold(r.Database), Schema: fold(r.Schema), Identifier: fold(r.Identifier)}
}

func isPlainIdent(s string) bool {
	return isPlainLower(strings.ToLower(s))
}

// ColumnName is the name a seed column gets: a plain lower-case identifier
// that is not a reserved word folds to upper case like any unquoted name
// (id → ID, so unquoted SQL finds it); any other header (Mixed Case, "Order",
// select) is kept verbatim and must be quoted to be used, as on Snowflake.
func ColumnName(header string) string {
	if isPlainLower(header) && !reserved[strings.ToUpper(header)] {
		return strings.ToUpper(header)
	}
	return header
}

func isPlainLower(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case (c >= '0' && c <= '9') || c == '$':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// reserved holds Snowflake's reserved keywords (docs: "Reserved & limited
// keywords"), which cannot be used unquoted as column names.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT
		CONNECTION CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
		DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING
		ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP
		MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE
		SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING
		VALUES VIEW WHEN WHENEVER WHERE WITH`) {
		m[w] = true
	}
	return m
}()

// CreateSchemaSQL creates a schema unless it exists.
func (d Dialect) CreateSchemaSQL(database, schema string) string {
	return "create schema if not exists " + d.RenderRelation(relation.Relation{Database: database, Schema: schema})
}

// CreateViewSQL replaces a view atomically (create or replace is one statement).
func (d Dialect) CreateViewSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create or replace view %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTableAsSQL replaces a table atomically: readers see the old table
// until the new one is complete. Transient tables (dbt-snowflake's default)
// skip Fail-safe, which a rebuildable model does not need.
func (d Dialect) CreateTableAsSQL(r relation.Relation, sql string, transient bool) string {
	kind := "table"
	if transient {
		kind = "transient table"
	}
	return fmt.Sprintf("create or replace %s %s as (\n%s\n)", kind, d.RenderRelation(r), adapter.TrimSQL(sql))
}

// CreateTempTableAsSQL stages an incremental run's new rows in a temporary
// table: session-scoped, so Snowflake drops it even if strata dies.
func (d Dialect) CreateTempTableAsSQL(r relation.Relation, sql string) string {
	return fmt.Sprintf("create or replace temporary table %s as (\n%s\n)", d.RenderRelation(r), adapter.TrimSQL(sql))
}

// DropSQL drops r if it exists as kind.
func (d Dialect) DropSQL(r relation.Relation, kind relation.Kind) string {
	word := "table"
	if kind == relation.View {
		word = "view"
	}
	return fmt.Sprintf("drop %s if exists %s", word, d.RenderRelation(r))
}

// SwapSQL exchanges two tables in one atomic metadata operation.
func (d Dialect) SwapSQL(a, b relation.Relation) string {
	return fmt.Sprintf("alter table %s swap with %s", d.RenderRelation(a), d.RenderRelation(b))
}

// RenameSQL renames a table or view to another name in the same schema.
func (d Dialect) RenameSQL(from, to relation.Relation, kind relation.Kind) string {
	word := "table"
	if kind == relation.View {
		word = "view"
	}
	return fmt.Sprintf("alter %s %s rename to %s", word, d.RenderRelation(from), d.RenderRelation(to))
}

func (d Dialect) columnList(cols []adapter.Column, prefix string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = prefix + d.QuoteIdent(c.Name)
	}
	return strings.Join(parts, ", ")
}

// AppendSQL inserts every staged row.
func (d Dialect) AppendSQL(target, source relation.Relation, cols []adapter.Column) string {
	list := d.columnList(cols, "")
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s", d.RenderRelation(target), list, list, d.RenderRelation(source))
}

func (d Dialect) keyMatch(keys []string, left, right string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		q := d.QuoteIdent(k)
		parts[i] = fmt.Sprintf("%s.%s = %s.%s", left, q, right, q)
	}
	return strings.Join(parts, " and ")
}

// DeleteInsertSQL deletes the target rows whose key matches a staged row, then
// inserts the staged rows. The caller runs both in one transaction.
func (d Dialect) DeleteInsertSQL(target, source relation.Relation, keys []string, cols []adapter.Column) []string {
	t, s := d.RenderRelation(target), d.RenderRelation(source)
	return []string{
		fmt.Sprintf("delete from %s as DBT_INTERNAL_DEST\nusing %s as DBT_INTERNAL_SOURCE\nwhere %s", t, s,
			d.keyMatch(keys, "DBT_INTERNAL_SOURCE", "DBT_INTERNAL_DEST")),
		d.AppendSQL(target, source, cols),
	}
}

// MergeSQL updates target rows whose key matches a staged row and inserts the
// others, in one atomic statement (dbt-snowflake's default strategy).
func (d Dialect) MergeSQL(target, source relation.Relation, keys []string, cols []adapter.Column) string {
	var sets []string
	for _, c := range cols {
		if adapter.ContainsFold(keys, c.Name) {
			continue
		}
		q := d.QuoteIdent(c.Name)
		sets = append(sets, fmt.Sprintf("%s = DBT_INTERNAL_SOURCE.%s", q, q))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "merge into %s as DBT_INTERNAL_DEST\nusing %s as DBT_INTERNAL_SOURCE\non %s\n",
		d.RenderRelation(target), d.RenderRelation(source), d.keyMatch(keys, "DBT_INTERNAL_SOURCE", "DBT_INTERNAL_DEST"))
	if len(sets) > 0 {
		fmt.Fprintf(&b, "when matched then update set\n    %s\n", strings.Join(sets, ",\n    "))
	}
	fmt.Fprintf(&b, "when not matched then insert (%s)\nvalues (%s)", d.columnList(cols, ""), d.columnList(cols, "DBT_INTERNAL_SOURCE."))
	return b.String()
}

// AddColumnsSQL adds columns for on_schema_change: append_new_columns, one
// statement per column.
func (d Dialect) AddColumnsSQL(r relation.Relation, cols []adapter.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("alter table %s add column %s %s", d.RenderRelation(r), d.QuoteIdent(c.Name), c.DataType)
	}
	return out
}

// SeedType maps an inferred seed column to a Snowflake type (column_types wins).
func (Dialect) SeedType(c adapter.SeedColumn) string {
	if c.Override != "" {
		return c.Override
	}
	switch c.Kind {
	case adapter.SeedInteger:
		return "number(38,0)"
	case adapter.SeedDecimal:
		p, s := c.Precision, c.Scale
		if p > 38 {
			return "float"
		}
		return fmt.Sprintf("number(%d,%d)", max(p, s, 1), s)
	case adapter.SeedBoolean:
		return "boolean"
	case adapter.SeedDate:
		return "date"
	case adapter.SeedTimestamp:
		return "timestamp_ntz"
	case adapter.SeedTimestampTZ:
		return "timestamp_tz"
	}
	return "varchar"
}

// SeedCreateSQL creates the staging table a seed is loaded into. It is
// transient, not temporary: it is swapped with the seed's table afterwards.
func (d Dialect) SeedCreateSQL(r relation.Relation, cols []adapter.SeedColumn) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.QuoteIdent(ColumnName(c.Name)) + " " + d.SeedType(c)
	}
	return fmt.Sprintf("create or replace transient table %s (\n    %s\n)", d.RenderRelation(r), strings.Join(defs, ",\n    "))
}

// SeedInsertSQL is one batch insert with a ? placeholder per cell.
func (d Dialect) SeedInsertSQL(r relation.Relation, cols []adapter.SeedColumn, rows int) string {
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		names[i] = d.QuoteIdent(ColumnName(c.Name))
		marks[i] = "?"
	}
	row := "(" + strings.Join(marks, ", ") + ")"
	values := make([]string, rows)
	for i := range values {
		values[i] = row
	}
	return fmt.Sprintf("insert into %s (%s) values\n%s", d.RenderRelation(r), strings.Join(names, ", "), strings.Join(values, ",\n"))
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// RelationKindSQL reads what exists at r from information_schema, which
// stores names exactly as created (folded names are upper case). The
// table_catalog filter is redundant on Snowflake (each database has its own
// information_schema) and keeps one-catalog emulations honest.
func (d Dialect) RelationKindSQL(r relation.Relation) string {
	r = Fold(r)
	return fmt.Sprintf("select table_type from %s.information_schema.tables\nwhere table_catalog = %s and table_schema = %s and table_name = %s",
		d.QuoteIdent(r.Database), quoteString(r.Database), quoteString(r.Schema), quoteString(r.Identifier))
}

// ListRelationsSQL lists a schema's tables and views.
func (d Dialect) ListRelationsSQL(database, schema string) string {
	f := Fold(relation.Relation{Database: database, Schema: schema})
	database, schema = f.Database, f.Schema
	return fmt.Sprintf("select table_name, table_type from %s.information_schema.tables\nwhere table_catalog = %s and table_schema = %s\norder by table_name",
		d.QuoteIdent(database), quoteString(database), quoteString(schema))
}

// DescribeSQL lists a relation's columns with Snowflake's type names (as
// dbt-snowflake's get_columns_in_relation does).
func (d Dialect) DescribeSQL(r relation.Relation) string {
	return "describe table " + d.RenderRelation(r)
}

// kindOf maps information_schema.tables.table_type to a relation kind.
func kindOf(tableType string) relation.Kind {
	switch strings.ToUpper(tableType) {
	case "VIEW", "MATERIALIZED VIEW":
		return relation.View
	case "EXTERNAL TABLE":
		return relation.External
	case "":
		return relation.None
	}
	return relation.Table
}
