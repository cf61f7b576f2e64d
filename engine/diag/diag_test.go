package diag

import (
	"errors"
	"testing"
)

func TestSuggest(t *testing.T) {
	cands := []string{"stg_loans", "stg_users", "fct_statement", "int_balances"}
	cases := []struct{ in, want string }{
		{"stg_loan", "stg_loans"},
		{"stg_usres", "stg_users"},
		{"fct_statment", "fct_statement"},
		{"completely_else", ""},
	}
	for _, c := range cases {
		if got := Suggest(c.in, cands); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestErrorRendering(t *testing.T) {
	var ds Diagnostics
	ds.Add(Diagnostic{File: "models/b.sql", Line: 3, Col: 7, Summary: "unknown model in ref", Detail: "ref('stg_loan') names no model", Suggestion: "stg_loans"})
	ds.Errorf("models/a.sql", 1, "jinja syntax error", "unexpected %s", "endif")
	ds.Add(Diagnostic{Severity: Warning, Summary: "unused config"})
	err := ds.Err()
	if err == nil || !errors.Is(err, ErrInvalidProject) {
		t.Fatalf("Err() = %v, want an invalid-project error", err)
	}
	want := "models/a.sql:1: jinja syntax error: unexpected endif\n" +
		"models/b.sql:3:7: unknown model in ref: ref('stg_loan') names no model (did you mean \"stg_loans\"?)"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err.Error(), want)
	}
	if (Diagnostics{{Severity: Warning}}).Err() != nil {
		t.Error("warnings alone must not make an error")
	}
}
