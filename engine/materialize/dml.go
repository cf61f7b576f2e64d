package materialize

import (
	"fmt"
	"strings"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// The DML of the materializations is standard SQL that DuckDB, PostgreSQL
// (15+) and Snowflake run alike; only names are the dialect's. Each builder
// is a pure function of the dialect, covered by golden files per engine.

func columnList(d adapter.Dialect, cols []adapter.Column, prefix string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = prefix + d.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

func keyMatch(d adapter.Dialect, keys []string, left, right string) string {
	conds := make([]string, len(keys))
	for i, k := range keys {
		q := d.QuoteIdent(k)
		conds[i] = fmt.Sprintf("%s.%s = %s.%s", left, q, right, q)
	}
	return strings.Join(conds, " and ")
}

// insertSQL inserts every row of source into target, matching columns by name.
func insertSQL(d adapter.Dialect, target, source relation.Relation, cols []adapter.Column) string {
	list := columnList(d, cols, "")
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s", d.RenderRelation(target), list, list, d.RenderRelation(source))
}

// deleteMatchingSQL deletes the target rows whose key appears in source: the
// first half of dbt's delete+insert.
func deleteMatchingSQL(d adapter.Dialect, target, source relation.Relation, keys []string) string {
	return fmt.Sprintf("delete from %s as strata_target\nwhere exists (select 1 from %s as strata_source where %s)",
		d.RenderRelation(target), d.RenderRelation(source), keyMatch(d, keys, "strata_source", "strata_target"))
}

// mergeSQL updates target rows whose key matches a source row and inserts the
// others, in one atomic statement.
func mergeSQL(d adapter.Dialect, target, source relation.Relation, keys []string, cols []adapter.Column) string {
	var sets []string
	for _, c := range cols {
		if containsFold(keys, c.Name) {
			continue
		}
		q := d.QuoteIdent(c.Name)
		sets = append(sets, fmt.Sprintf("%s = strata_source.%s", q, q))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "merge into %s as strata_target\nusing %s as strata_source\non (%s)\n", d.RenderRelation(target),
		d.RenderRelation(source), keyMatch(d, keys, "strata_source", "strata_target"))
	if len(sets) > 0 {
		fmt.Fprintf(&b, "when matched then update set %s\n", strings.Join(sets, ", "))
	}
	fmt.Fprintf(&b, "when not matched then insert (%s) values (%s)", columnList(d, cols, ""), columnList(d, cols, "strata_source."))
	return b.String()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
