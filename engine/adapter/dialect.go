package adapter

import "github.com/strata-dev/strata/engine/relation"

// Dialect is the pure, connection-free part of an adapter: the SQL text rules
// of one engine. Every method returns text and touches no network, so each
// engine's SQL is checked by golden files without a server. The compiler uses
// it to render relation names; engine/materialize builds every statement of
// every materialization from it.
//
// Statements that are the same in standard SQL on every engine (INSERT …
// SELECT, MERGE, DELETE … WHERE EXISTS, TRUNCATE, UPDATE … FROM) are written
// by engine/materialize from QuoteIdent and RenderRelation; a dialect holds
// what differs.
type Dialect interface {
	// Type is the profile `type:` this dialect serves: "duckdb", "postgres", …
	Type() string
	// QuoteIdent quotes one identifier, escaping embedded quotes.
	QuoteIdent(name string) string
	// QuoteString renders s as a string literal.
	QuoteString(s string) string
	// RenderRelation renders a relation fully qualified and quoted, leaving
	// out empty parts.
	RenderRelation(r relation.Relation) string
	// NormalizeIdent folds an identifier as the engine folds unquoted names
	// (upper case on Snowflake, unchanged elsewhere).
	NormalizeIdent(name string) string
	// ColumnName is the column a seed's CSV header becomes.
	ColumnName(header string) string
	// DefaultIncrementalStrategy is the strategy used when a model sets none:
	// what dbt uses for this adapter (e.g. "append" without a unique_key).
	DefaultIncrementalStrategy(hasUniqueKey bool) string
	// ValidIncrementalStrategies lists the strategies this engine accepts,
	// among append, merge and delete+insert.
	ValidIncrementalStrategies() []string

	// CreateSchema creates database.schema unless it exists.
	CreateSchema(database, schema string) string
	// CreateView creates a view of sql; with o.Replace, `create or replace`.
	CreateView(r relation.Relation, sql string, o CreateOptions) string
	// CreateTableAs creates a table from a SELECT (o.Replace: replacing an
	// existing one, only asked of engines with Traits.AtomicReplace).
	CreateTableAs(r relation.Relation, sql string, o CreateOptions) string
	// CreateTable creates an empty table with typed columns.
	CreateTable(r relation.Relation, cols []Column, o CreateOptions) string
	// Drop drops r if it exists as kind. Where the engine binds views to the
	// relations they read (PostgreSQL), it cascades: the materializations
	// recreate the dependent views listed by DependentViewsSQL.
	Drop(r relation.Relation, kind relation.Kind) string
	// Rename renames r (of kind) to identifier in the same schema.
	Rename(r relation.Relation, kind relation.Kind, identifier string) string
	// AddColumn adds one column to a table.
	AddColumn(r relation.Relation, c Column) string
	// TempRelation is where a session's temporary table named identifier
	// lives when it stages rows for near (created with CreateOptions.Temporary).
	TempRelation(near relation.Relation, identifier string) relation.Relation
	// LockRelation returns a statement that, run inside a transaction, keeps
	// other writers of r waiting until the transaction ends; with exclusive,
	// everyone else too (so no view can be created on r between listing its
	// dependent views and replacing it). "" when the engine has none, or
	// needs none.
	LockRelation(r relation.Relation, exclusive bool) string

	// SeedType maps an inferred seed column to the engine's type (the
	// column_types override, when set, verbatim).
	SeedType(c SeedColumn) string
	// TextType is the type of text staging columns (varchar, text).
	TextType() string
	// CurrentTimestamp is an expression for the session's wall clock as a
	// timestamp without time zone (snapshots read it once per run).
	CurrentTimestamp() string

	// RelationsSQL lists the relations of database.schema (only the one named
	// identifier when it is not ""): rows of (identifier, kind), kind being
	// 'table', 'view' or 'external'. A missing schema yields no rows.
	RelationsSQL(database, schema, identifier string) string
	// SchemasSQL lists the schemas of database: rows of (schema).
	SchemasSQL(database string) string
	// ColumnsSQL lists r's columns in order: rows whose first two columns are
	// the name and the engine's type name. It also reads temporary relations
	// (TempRelation). A missing relation yields no rows or an error.
	ColumnsSQL(r relation.Relation) string
	// DependentViewsSQL lists, for an engine whose views are bound to the
	// relations they read (so that dropping r drops them), the views that
	// depend on r directly or through other views: rows of (schema,
	// identifier, statement recreating it), ordered so each can be created
	// after those before it. "" when views refer to relations by name and
	// survive a replacement of r. An engine that lists dependent views must
	// run SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT: each view is
	// recreated under one, so a view that no longer fits stays dropped
	// without undoing the build.
	DependentViewsSQL(r relation.Relation) string
}

// CreateOptions shape a CREATE statement.
type CreateOptions struct {
	// Replace asks for `create or replace`.
	Replace bool
	// Temporary asks for a session-scoped temporary table (see TempRelation).
	Temporary bool
	// Transient asks for a transient table where the engine has them
	// (Snowflake: no Fail-safe, which a rebuildable model does not need).
	Transient bool
}

// SeedKind is the type family inferred for one seed column. Each dialect maps
// it to a concrete SQL type (SeedColumn.Precision/Scale size decimals).
type SeedKind int

const (
	// SeedText is the fallback: any column whose values fit no other kind.
	SeedText SeedKind = iota
	SeedInteger
	SeedDecimal
	SeedBoolean
	SeedDate
	SeedTimestamp
	// SeedTimestampTZ is a timestamp written with a zone (Z or ±hh:mm).
	SeedTimestampTZ
)

// String names the kind for messages and tests.
func (k SeedKind) String() string {
	switch k {
	case SeedInteger:
		return "integer"
	case SeedDecimal:
		return "decimal"
	case SeedBoolean:
		return "boolean"
	case SeedDate:
		return "date"
	case SeedTimestamp:
		return "timestamp"
	case SeedTimestampTZ:
		return "timestamptz"
	default:
		return "text"
	}
}

// SeedColumn is one seed column with its inferred type.
type SeedColumn struct {
	// Name is the column's name as the dialect's ColumnName made it.
	Name string
	Kind SeedKind
	// Precision and Scale size a SeedDecimal column: the most digits seen in
	// total and after the point (Precision counts both sides).
	Precision, Scale int
	// Override is the column_types entry for this column, "" when none; when set
	// the dialect uses it verbatim and Kind is only informative.
	Override string
}
