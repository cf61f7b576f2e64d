package lineage

// The query model below is what a dialect's parser hands the resolver: a
// SELECT reduced to its scopes (CTEs, FROM items, subqueries) and, for every
// output expression, the column references it reads. Parsers (the duckdbsql
// and pgsql packages) build it from their engine's syntax tree; the resolver
// never sees dialect syntax.

// Query is one SELECT, set operation or VALUES list.
type Query struct {
	CTEs []*CTE
	// Op names a set operation ("union", "union all", "except", "intersect",
	// "union by name"); Branches are its operands in order. Empty for a plain
	// SELECT.
	Op       string
	Branches []*Query
	// ByName says a set operation matches its branches' columns by name
	// (DuckDB's UNION BY NAME), not by position.
	ByName bool

	// From holds the FROM items (comma-separated items in order; joins nest).
	From []*From
	// Items are the select list in order.
	Items []*Item
	// Values is a VALUES list used as a query (no From, no Items).
	Values [][]*Expr
}

// CTE is one WITH entry.
type CTE struct {
	Name    string
	Columns []string // with x(a, b) as (...)
	Query   *Query
	// Recursive CTEs read themselves: Query is a union whose first branch
	// defines the columns.
	Recursive bool
}

// FromKind tells FROM items apart.
type FromKind int

const (
	// FromTable is a relation or CTE named by Name.
	FromTable FromKind = iota
	// FromSubquery is a derived table: Query (lateral ones see the items left of them).
	FromSubquery
	// FromJoin joins Left and Right, on a condition or USING columns.
	FromJoin
	// FromFunction is a table function (unnest, generate_series, read_csv…):
	// its columns are computed from Args.
	FromFunction
	// FromValues is a VALUES list in FROM.
	FromValues
)

// From is one FROM item.
type From struct {
	Kind FromKind
	// Name is a table's name as written, one to three parts.
	Name  []string
	Alias string
	// Columns renames the item's columns by position: t(a, b).
	Columns []string
	Query   *Query
	Left    *From
	Right   *From
	Using   []string
	Natural bool
	Args    []*Expr
	Values  [][]*Expr
}

// Item is one entry of a select list: an expression or a star.
type Item struct {
	// Alias is the name written with AS; empty when none.
	Alias string
	Expr  *Expr
	Star  *Star
}

// Star is `*` or `t.*` with DuckDB's modifiers, or COLUMNS('regex').
type Star struct {
	Table   string
	Exclude []string
	Replace []Replacement
	Rename  []StarRename
	// Pattern keeps only columns whose names match this regular expression.
	Pattern string
}

// Replacement is `* replace (expr as name)`.
type Replacement struct {
	Name string
	Expr *Expr
}

// StarRename is `* rename (from as to)`.
type StarRename struct{ From, To string }

// Expr is an expression reduced to the columns it reads.
type Expr struct {
	// Ref is set when the expression is exactly one column reference.
	Ref []string
	// Refs lists every column reference read (outside subqueries), Ref included.
	Refs [][]string
	// Subqueries are the scalar, EXISTS and IN subqueries inside; their output
	// and the outer columns they correlate on feed the expression.
	Subqueries []*Query
	// Name is what the engine calls the column when no alias is given, as
	// best the parser can tell (a function's name, a cast column's name).
	Name string
}
