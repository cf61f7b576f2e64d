package compile

import "strings"

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
