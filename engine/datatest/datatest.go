// Package datatest decides a data test's outcome from its failing-row count and
// its config (severity, warn_if, error_if), as dbt does, and builds the SQL that
// counts and samples failing rows. Pure functions, safe for concurrent use.
package datatest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/strata-dev/strata/engine/result"
)

// Condition is a parsed threshold such as "!=0" or ">10".
type Condition struct {
	Op    string
	Value int64
}

// ParseCondition parses dbt's warn_if/error_if syntax: an operator (=, ==, !=, <>,
// >, >=, <, <=) followed by an integer. Empty means "!=0".
func ParseCondition(s string) (Condition, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Condition{Op: "!=", Value: 0}, nil
	}
	for _, op := range []string{"!=", "<>", ">=", "<=", "==", "=", ">", "<"} {
		if strings.HasPrefix(s, op) {
			v, err := strconv.ParseInt(strings.TrimSpace(s[len(op):]), 10, 64)
			if err != nil {
				return Condition{}, fmt.Errorf("threshold %q: expected an operator and a whole number, e.g. \">10\" or \"!=0\"", s)
			}
			if op == "==" {
				op = "="
			}
			if op == "<>" {
				op = "!="
			}
			return Condition{Op: op, Value: v}, nil
		}
	}
	return Condition{}, fmt.Errorf("threshold %q: expected an operator (=, !=, >, >=, <, <=) and a whole number, e.g. \">10\"", s)
}

// Holds reports whether n satisfies the condition.
func (c Condition) Holds(n int64) bool {
	switch c.Op {
	case "=":
		return n == c.Value
	case "!=":
		return n != c.Value
	case ">":
		return n > c.Value
	case ">=":
		return n >= c.Value
	case "<":
		return n < c.Value
	case "<=":
		return n <= c.Value
	}
	return false
}

// Outcome returns pass, warn or fail for a test with the given failing-row count:
// severity error fails when error_if holds, else warns when warn_if holds;
// severity warn only ever warns.
func Outcome(severity, warnIf, errorIf string, failures int64) (result.Status, error) {
	w, err := ParseCondition(warnIf)
	if err != nil {
		return result.Error, fmt.Errorf("warn_if: %w", err)
	}
	e, err := ParseCondition(errorIf)
	if err != nil {
		return result.Error, fmt.Errorf("error_if: %w", err)
	}
	switch strings.ToLower(severity) {
	case "", "error":
		if e.Holds(failures) {
			return result.Fail, nil
		}
		if w.Holds(failures) {
			return result.Warn, nil
		}
		return result.Pass, nil
	case "warn":
		if w.Holds(failures) {
			return result.Warn, nil
		}
		return result.Pass, nil
	}
	return result.Error, fmt.Errorf("severity %q: expected error or warn", severity)
}

// CountSQL wraps a test's failing-rows query so it returns one row: the
// failure count, computed by failCalc (dbt's fail_calc; count(*) when empty,
// e.g. sum(n_records) for a test returning counts). limit > 0 caps the rows
// considered, as dbt's `limit` config does.
func CountSQL(testSQL string, limit int, failCalc string) string {
	if strings.TrimSpace(failCalc) == "" {
		failCalc = "count(*)"
	}
	return "select " + failCalc + " as failures from (\n" + limited(testSQL, limit) + "\n) strata_test"
}

// SampleSQL returns up to n failing rows.
func SampleSQL(testSQL string, n int) string {
	return fmt.Sprintf("select * from (\n%s\n) strata_test limit %d", stripSemicolon(testSQL), n)
}

func limited(sql string, limit int) string {
	sql = stripSemicolon(sql)
	if limit > 0 {
		return fmt.Sprintf("select * from (\n%s\n) strata_limited limit %d", sql, limit)
	}
	return sql
}

func stripSemicolon(sql string) string {
	return strings.TrimRight(strings.TrimSpace(sql), ";")
}
