package adapter

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-dev/strata/engine/relation"
)

// Helpers shared by every adapter implementation. They are pure functions,
// safe for concurrent use.

// TempMarker is the infix of every temporary relation strata creates. A relation
// whose name contains it is always safe to drop, and tests look for leftovers by it.
const TempMarker = "__strata_tmp"

// TempIdentifier returns a unique temporary name for a relation being built as
// name: "<name>__strata_tmp_<8 hex>", with name shortened so the result fits in
// maxLen bytes (0 = no limit; PostgreSQL allows 63).
func TempIdentifier(name string, maxLen int) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := TempMarker + "_" + hex.EncodeToString(b[:])
	if maxLen > 0 && len(name)+len(suffix) > maxLen {
		name = name[:max(0, maxLen-len(suffix))]
	}
	return name + suffix
}

// ResolveStrategy validates req's incremental strategy against d, filling in the
// dialect default when it is empty. An unknown strategy yields an error wrapping
// ErrBadStrategy that names it and the valid ones; merge and delete+insert
// without a unique key are errors too.
func ResolveStrategy(d Dialect, req MaterializeRequest) (string, error) {
	s := strings.ToLower(strings.TrimSpace(req.Strategy))
	if s == "" {
		return d.DefaultIncrementalStrategy(len(req.UniqueKey) > 0), nil
	}
	valid := d.ValidIncrementalStrategies()
	if !slices.Contains(valid, s) {
		return "", fmt.Errorf("%w %q for %s on %s: use one of %s", ErrBadStrategy, req.Strategy,
			labelOr(req), d.Type(), strings.Join(valid, ", "))
	}
	if (s == "merge" || s == "delete+insert") && len(req.UniqueKey) == 0 {
		return "", fmt.Errorf("%w: %q on %s needs a unique_key", ErrBadStrategy, s, labelOr(req))
	}
	return s, nil
}

func labelOr(req MaterializeRequest) string {
	if req.Label != "" {
		return req.Label
	}
	return req.Relation.String()
}

// SchemaChange compares an existing table's columns with a model's new columns
// by name (case-insensitively, as engines that fold names would).
type SchemaChange struct {
	// Added are new columns missing from the existing table, in the model's order.
	Added []Column
	// Removed are existing columns the model no longer selects, in table order.
	Removed []Column
	// Common are the existing table's columns the model still selects, in the
	// table's order: the insert list under on_schema_change: ignore.
	Common []Column
}

// Changed reports whether any column was added or removed.
func (c SchemaChange) Changed() bool { return len(c.Added) > 0 || len(c.Removed) > 0 }

// DiffColumns computes the change from existing to incoming.
func DiffColumns(existing, incoming []Column) SchemaChange {
	var sc SchemaChange
	has := func(cols []Column, name string) bool {
		return slices.ContainsFunc(cols, func(c Column) bool { return strings.EqualFold(c.Name, name) })
	}
	for _, c := range existing {
		if has(incoming, c.Name) {
			sc.Common = append(sc.Common, c)
		} else {
			sc.Removed = append(sc.Removed, c)
		}
	}
	for _, c := range incoming {
		if !has(existing, c.Name) {
			sc.Added = append(sc.Added, c)
		}
	}
	return sc
}

// SchemaChangeError returns the on_schema_change: fail error (wrapping
// ErrSchemaChanged) naming the added and removed columns.
func SchemaChangeError(req MaterializeRequest, sc SchemaChange) error {
	names := func(cols []Column) string {
		if len(cols) == 0 {
			return "none"
		}
		s := make([]string, len(cols))
		for i, c := range cols {
			s[i] = c.Name
		}
		return strings.Join(s, ", ")
	}
	return fmt.Errorf("%s: %w (added: %s; removed: %s): set on_schema_change to append_new_columns or ignore, or run with --full-refresh",
		labelOr(req), ErrSchemaChanged, names(sc.Added), names(sc.Removed))
}

// ValidSchemaChange checks req.OnSchemaChange, returning the effective value
// ("ignore" when empty).
func ValidSchemaChange(req MaterializeRequest) (string, error) {
	switch v := strings.ToLower(req.OnSchemaChange); v {
	case "", "ignore":
		return "ignore", nil
	case "fail", "append_new_columns":
		return v, nil
	default:
		return "", fmt.Errorf("%s: unknown on_schema_change %q: use ignore, fail or append_new_columns", labelOr(req), req.OnSchemaChange)
	}
}

// TrimSQL drops trailing semicolons and white space from a model's SQL so it
// can be wrapped in parentheses or embedded in a larger statement.
func TrimSQL(sql string) string {
	return strings.TrimRight(sql, "; \t\r\n")
}

// LimitSQL wraps a single SELECT (or WITH … SELECT) in an outer query with a
// LIMIT so the warehouse stops early. It returns ok=false, and sql unchanged,
// when limit <= 0 or the text does not start with select/with (a statement the
// caller must then read and cut itself).
func LimitSQL(sql string, limit int) (string, bool) {
	if limit <= 0 {
		return sql, false
	}
	body := TrimSQL(sql)
	head := strings.ToLower(strings.TrimLeft(body, " \t\r\n("))
	if !strings.HasPrefix(head, "select") && !strings.HasPrefix(head, "with") {
		return sql, false
	}
	if strings.Contains(body, ";") {
		return sql, false // possibly several statements
	}
	return fmt.Sprintf("select * from (\n%s\n) as strata_limited limit %d", body, limit), true
}

// QuoteANSI quotes an identifier with double quotes, doubling embedded ones:
// the quoting DuckDB, PostgreSQL and Snowflake share.
func QuoteANSI(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
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

// ContainsFold reports whether list holds s, ignoring case (column names may be
// folded by the engine).
func ContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
