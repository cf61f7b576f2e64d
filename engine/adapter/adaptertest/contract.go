package adaptertest

import (
	"errors"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/materialize"
)

// contract is the contract of the contract cases: id and name, in that order.
func (s *Suite) contract(idConstraints ...materialize.Constraint) *materialize.Contract {
	return &materialize.Contract{Columns: []materialize.ContractColumn{
		{Name: s.D.NormalizeIdent("id"), DataType: "integer", Constraints: idConstraints},
		{Name: s.D.NormalizeIdent("name"), DataType: "varchar(20)"},
	}}
}

// testContractMismatch: a model whose SQL does not match its contract is
// refused before anything is replaced, naming the columns; a matching one
// is built with the contract's column order whatever its SELECT's order.
func testContractMismatch(t *testing.T, s *Suite) {
	ctx := testContext(t)
	req := materialize.Request{Relation: s.Rel("ct"), Materialized: "table", Label: "model.p.ct", Contract: s.contract(),
		SQL: "select cast('b' as varchar(20)) as name, 1 as id"}
	s.Materialize(t, req)
	cols, err := s.W.Columns(ctx, s.Rel("ct"))
	if err != nil || len(cols) != 2 || !strings.EqualFold(cols[0].Name, "id") {
		t.Fatalf("columns %v (%v), want id then name (the contract's order)", cols, err)
	}
	req.SQL = "select cast('x' as varchar(20)) as id, cast('b' as varchar(20)) as name, 2 as extra"
	_, err = s.W.Materialize(ctx, req)
	if !errors.Is(err, materialize.ErrContract) {
		t.Fatalf("a mismatched model built: %v", err)
	}
	msg := strings.ToLower(err.Error())
	for _, want := range []string{"model.p.ct", "| id ", "data type mismatch", "| extra ", "missing in contract", "was not replaced"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, err)
		}
	}
	sameRows(t, "the old table is left in place", s.Rows(t, "select "+s.Q(s.D.NormalizeIdent("id"))+" from "+s.R("ct")), [][]string{{"1"}})
	// A view gets the contract's order too.
	req.Materialized, req.Relation, req.SQL = "view", s.Rel("cv"), "select cast('b' as varchar(20)) as name, 1 as id"
	s.Materialize(t, req)
	cols, _ = s.W.Columns(ctx, s.Rel("cv"))
	if len(cols) != 2 || !strings.EqualFold(cols[0].Name, "id") {
		t.Errorf("view columns %v, want id then name", cols)
	}
	s.assertNoLeftovers(t)
}

// testContractConstraints: constraints the engine enforces are created and
// checked; a build that breaks one fails and leaves the old table.
func testContractConstraints(t *testing.T, s *Suite) {
	ctx := testContext(t)
	traits := s.H.Driver.Traits
	req := materialize.Request{Relation: s.Rel("cc"), Materialized: "table", Label: "model.p.cc",
		Contract: s.contract(materialize.Constraint{Type: "not_null"}, materialize.Constraint{Type: "primary_key", WarnUnenforced: true, WarnUnsupported: true},
			materialize.Constraint{Type: "check", Expression: s.Q(s.D.NormalizeIdent("id")) + " > 0", WarnUnenforced: true, WarnUnsupported: true}),
		SQL: "select 1 as id, cast('a' as varchar(20)) as name union all select 2, cast('b' as varchar(20))"}
	res := s.Materialize(t, req)
	if n := s.Count(t, "cc"); n != 2 {
		t.Fatalf("cc has %d rows, want 2", n)
	}
	for _, c := range []string{"primary_key", "check"} {
		switch traits.Constraints[c] {
		case adapter.ConstraintEnforced:
			if strings.Contains(strings.Join(res.Warnings, "\n"), c) {
				t.Errorf("an enforced %s constraint warned: %v", c, res.Warnings)
			}
		default:
			if !strings.Contains(strings.Join(res.Warnings, "\n"), "the "+c+" constraint") {
				t.Errorf("an unenforced or unsupported %s constraint did not warn: %v", c, res.Warnings)
			}
		}
	}
	broken := map[string]string{
		"not_null":    "select cast(null as integer) as id, cast('a' as varchar(20)) as name",
		"primary_key": "select 7 as id, cast('a' as varchar(20)) as name union all select 7, cast('b' as varchar(20))",
		"check":       "select -1 as id, cast('a' as varchar(20)) as name",
	}
	for _, c := range []string{"not_null", "primary_key", "check"} {
		if traits.Constraints[c] != adapter.ConstraintEnforced {
			continue
		}
		req.SQL = broken[c]
		if _, err := s.W.Materialize(ctx, req); err == nil {
			t.Errorf("rows breaking the %s constraint were accepted", c)
		}
		if n := s.Count(t, "cc"); n != 2 {
			t.Errorf("after the %s violation cc has %d rows, want the old 2", c, n)
		}
	}
	s.assertNoLeftovers(t)
}
