// Package sqltext holds the few pure functions on SQL text that every
// warehouse dialect shares: ANSI quoting of identifiers and string literals,
// joining a relation's parts, trimming a model's trailing semicolons and
// wrapping a SELECT in a LIMIT. It knows no engine; dialects in
// engine/adapter/* call it so that each rule is written once.
//
// Every function is pure and safe for concurrent use.
package sqltext

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/relation"
)

// QuoteIdent quotes an identifier with double quotes, doubling embedded ones:
// the quoting DuckDB, PostgreSQL and Snowflake share.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString renders s as a SQL string literal, doubling embedded quotes.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// JoinRelation renders a relation's non-empty parts quoted with quote, joined by dots.
func JoinRelation(r relation.Relation, quote func(string) string) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{r.Database, r.Schema, r.Identifier} {
		if p != "" {
			parts = append(parts, quote(p))
		}
	}
	return strings.Join(parts, ".")
}

// Trim drops trailing semicolons and white space from a model's SQL so it
// can be wrapped in parentheses or embedded in a larger statement.
func Trim(sql string) string {
	return strings.TrimRight(sql, "; \t\r\n")
}

// Limit wraps a single SELECT (or WITH … SELECT) in an outer query with a
// LIMIT so the warehouse stops early. It returns ok=false, and sql unchanged,
// when limit <= 0 or the text does not start with select/with (a statement the
// caller must then read and cut itself).
func Limit(sql string, limit int) (string, bool) {
	if limit <= 0 {
		return sql, false
	}
	body := Trim(sql)
	head := strings.ToLower(strings.TrimLeft(body, " \t\r\n("))
	if !strings.HasPrefix(head, "select") && !strings.HasPrefix(head, "with") {
		return sql, false
	}
	if strings.Contains(body, ";") {
		return sql, false // possibly several statements
	}
	return fmt.Sprintf("select * from (\n%s\n) as strata_limited limit %d", body, limit), true
}

// ANSI is the part of a dialect most engines share: double-quoted
// identifiers and single-quoted literals as QuoteIdent and QuoteString do,
// relations rendered with every non-empty part quoted, and names kept as
// written. A dialect embeds it and overrides what its engine does otherwise
// (Snowflake folds names). It has no state.
type ANSI struct{}

// QuoteIdent quotes one identifier.
func (ANSI) QuoteIdent(name string) string { return QuoteIdent(name) }

// QuoteString renders a string literal.
func (ANSI) QuoteString(s string) string { return QuoteString(s) }

// RenderRelation renders "database"."schema"."name", leaving out empty parts.
func (ANSI) RenderRelation(r relation.Relation) string { return JoinRelation(r, QuoteIdent) }

// NormalizeIdent keeps a name as written (strata always quotes it).
func (ANSI) NormalizeIdent(name string) string { return name }

// ColumnName keeps a seed's header as the column name.
func (ANSI) ColumnName(header string) string { return header }
