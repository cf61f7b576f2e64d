package compile

import (
	"regexp"
	"strings"
)

// emptyRelation is how a ref or source renders under --empty: a query of the
// relation that returns no rows, with the alias dbt's render_limited gives it
// (`(select * from x where false limit 0) _dbt_limit_subq_x`), so a model
// builds with its real columns and no data.
func emptyRelation(rendered, identifier string) string {
	alias := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, identifier)
	return "(select * from " + rendered + " where false limit 0) _dbt_limit_subq_" + alias
}

// userAlias finds the alias a template gave a relation after an --empty
// subquery: `{{ ref('x') }} o` or `{{ ref('x') }} as o`.
var userAlias = regexp.MustCompile(`(?i)\) _dbt_limit_subq_\w+(\s+)(as\s+)?([A-Za-z_][A-Za-z0-9_$]*|"[^"]+"|` + "`[^`]+`" + `)`)

// notAlias are the words that may follow a table reference without being
// its alias.
var notAlias = map[string]bool{
	"join": true, "left": true, "right": true, "inner": true, "outer": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "where": true, "group": true, "order": true, "having": true,
	"limit": true, "offset": true, "fetch": true, "union": true, "except": true, "intersect": true, "minus": true,
	"window": true, "qualify": true, "lateral": true, "tablesample": true, "sample": true, "for": true,
	"returning": true, "pivot": true, "unpivot": true, "match_recognize": true, "asof": true, "positional": true,
	"anti": true, "semi": true, "when": true, "then": true, "else": true, "end": true,
}

// keepUserAliases drops the alias --empty gives a subquery where the
// template names one itself, so `from {{ ref('x') }} o` stays valid SQL
// (dbt's fixed alias would make it `(…) _dbt_limit_subq_x o`).
func keepUserAliases(sql string) string {
	if !strings.Contains(sql, "_dbt_limit_subq_") {
		return sql
	}
	return userAlias.ReplaceAllStringFunc(sql, func(m string) string {
		sub := userAlias.FindStringSubmatch(m)
		word := strings.ToLower(strings.Trim(sub[3], "\"`"))
		if sub[2] == "" && notAlias[word] {
			return m
		}
		return ")" + sub[1] + sub[2] + sub[3]
	})
}
