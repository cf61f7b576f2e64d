package datatest

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
)

// Unit tests: the rows of a fixture as SQL, and the comparison of the rows a
// model returned with the rows a test expects.

// UnitColumn is one column of a fixture: its name and SQL type ("" when
// unknown: values are written as plain literals).
type UnitColumn struct {
	Name, Type string
}

// FixtureSQL is a SELECT returning rows with exactly cols (in that order):
// a value a row does not give is null, and every value is cast to its
// column's type. No rows is an empty SELECT with the same columns. Row keys
// match column names case-insensitively.
func FixtureSQL(d adapter.Dialect, cols []UnitColumn, rows []map[string]any) (string, error) {
	if len(cols) == 0 {
		return "", fmt.Errorf("no columns to build the rows from")
	}
	lower := make([]map[string]any, len(rows))
	for i, r := range rows {
		lower[i] = make(map[string]any, len(r))
		for k, v := range r {
			lower[i][strings.ToLower(k)] = v
		}
	}
	selectRow := func(row map[string]any) string {
		parts := make([]string, len(cols))
		for j, c := range cols {
			var v any
			if row != nil {
				v = row[strings.ToLower(c.Name)]
			}
			lit := Literal(d, v)
			if c.Type != "" {
				lit = "cast(" + lit + " as " + c.Type + ")"
			}
			parts[j] = lit + " as " + d.QuoteIdent(c.Name)
		}
		return "select " + strings.Join(parts, ", ")
	}
	if len(rows) == 0 {
		return selectRow(nil) + " where 1 = 0", nil
	}
	out := make([]string, len(lower))
	for i, row := range lower {
		out[i] = selectRow(row)
	}
	return strings.Join(out, "\nunion all\n"), nil
}

// Literal writes a YAML or CSV value as a SQL literal.
func Literal(d adapter.Dialect, v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return d.QuoteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return d.QuoteString(x)
	case time.Time:
		return d.QuoteString(x.Format("2006-01-02 15:04:05.999999"))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return d.QuoteString(fmt.Sprint(v))
	}
	return d.QuoteString(string(b))
}

// ValueText is a value as it prints in a unit test's diff.
func ValueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case []byte:
		return string(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}

// UnitDiff compares the rows a model returned with the rows a test expects
// (both already reduced to columns, in the same order), as multisets: order
// does not matter, duplicates do. It returns how many rows differ and, when
// any do, a table of them: "---" rows were expected and not returned, "+++"
// rows were returned and not expected.
func UnitDiff(columns []string, expected, actual [][]any) (int64, string) {
	key := func(row []any) string {
		parts := make([]string, len(row))
		for i, v := range row {
			parts[i] = ValueText(v)
			if v == nil {
				parts[i] = "\x00null"
			}
		}
		return strings.Join(parts, "\x1f")
	}
	left := map[string]int{}
	for _, r := range actual {
		left[key(r)]++
	}
	var missing [][]any
	for _, r := range expected {
		k := key(r)
		if left[k] > 0 {
			left[k]--
			continue
		}
		missing = append(missing, r)
	}
	var extra [][]any
	for _, r := range actual {
		k := key(r)
		if left[k] > 0 {
			left[k]--
			extra = append(extra, r)
		}
	}
	n := int64(len(missing) + len(extra))
	if n == 0 {
		return 0, ""
	}
	sortRows := func(rows [][]any) {
		sort.SliceStable(rows, func(i, j int) bool { return key(rows[i]) < key(rows[j]) })
	}
	sortRows(missing)
	sortRows(extra)
	table := [][]string{append([]string{"@@"}, columns...)}
	for _, r := range missing {
		table = append(table, textRow("---", r))
	}
	for _, r := range extra {
		table = append(table, textRow("+++", r))
	}
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, row := range table {
		for i, c := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		b.WriteString("\n")
	}
	return n, b.String()
}

func textRow(mark string, r []any) []string {
	out := []string{mark}
	for _, v := range r {
		out = append(out, ValueText(v))
	}
	return out
}
