package selector

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// fixtureLineage: loans.id → stg_loans.loan_id (rename) → int_loan_balances
// .loan_id → fct_loans.loan_key (rename); payments.amount → stg_payments
// .amount → int_loan_balances.balance (transform); stg_loans.loan_id also
// feeds dim_customers.customer_id (a transform).
func fixtureLineage() *lineage.Lineage {
	col := func(name string, kind lineage.Kind, from ...lineage.Edge) lineage.Column {
		return lineage.Column{Name: name, Kind: kind, From: from}
	}
	e := func(node, c string, k lineage.Kind) lineage.Edge { return lineage.Edge{Node: node, Column: c, Kind: k} }
	return &lineage.Lineage{Nodes: map[string]*lineage.Node{
		short["loans"]:        {Columns: []lineage.Column{col("id", lineage.Source)}},
		short["payments"]:     {Columns: []lineage.Column{col("amount", lineage.Source)}},
		short["stg_loans"]:    {Columns: []lineage.Column{col("loan_id", lineage.Rename, e(short["loans"], "id", lineage.Rename))}},
		short["stg_payments"]: {Columns: []lineage.Column{col("amount", lineage.Pass, e(short["payments"], "amount", lineage.Pass))}},
		short["int"]: {Columns: []lineage.Column{
			col("loan_id", lineage.Pass, e(short["stg_loans"], "loan_id", lineage.Pass)),
			col("balance", lineage.Transform, e(short["stg_payments"], "amount", lineage.Transform))}},
		short["fct"]: {Columns: []lineage.Column{col("loan_key", lineage.Rename, e(short["int"], "loan_id", lineage.Rename))}},
		short["dim"]: {Columns: []lineage.Column{col("customer_id", lineage.Transform, e(short["stg_loans"], "loan_id", lineage.Transform))}},
	}}
}

func TestColumnSelector(t *testing.T) {
	m := fixture("prod")
	models := []manifest.ResourceType{manifest.Model, manifest.Source}
	calls := 0
	lin := func() (*lineage.Lineage, error) { calls++; return fixtureLineage(), nil }
	for _, tc := range []struct {
		sel  string
		want []string
	}{
		{"column:stg_loans.loan_id", ids("stg_loans")},
		{"column:stg_loans.loan_id+", ids("stg_loans", "int", "fct", "dim")},
		{"column:stg_loans.loan_id+1", ids("stg_loans", "int", "dim")},
		{"+column:fct_loans.loan_key", ids("fct", "int", "stg_loans", "loans")},
		{"1+column:fct_loans.LOAN_KEY", ids("fct", "int")},
		{"column:raw.loans.id+", ids("loans", "stg_loans", "int", "fct", "dim")},
		{"column:source.fh.raw.payments.amount+", ids("payments", "stg_payments", "int")},
		{"column:int_loan_balances.*", ids("int")},
		{"@column:stg_payments.amount", ids("payments", "stg_payments", "int")},
		{"column:stg_loans.loan_id+,tag:nightly", ids("fct")},
		{"column:stg_loans.nothing", []string{}},
	} {
		got, _, err := Select(m, nil, Options{Select: []string{tc.sel}, ResourceTypes: models, Columns: lin})
		if err != nil {
			t.Errorf("%s: %v", tc.sel, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s selects %v, want %v", tc.sel, got, tc.want)
		}
	}
	if _, _, err := Select(m, nil, Options{Select: []string{"stg_loans+"}, Columns: lin}); err != nil || calls != 11 {
		t.Errorf("lineage derived %d times for 11 column selections and one without (err %v)", calls, err)
	}
	for sel, wantErr := range map[string]string{
		"column:stg_loans":        "write column:<node>.<column>",
		"column:stg_loans.":       "write column:<node>.<column>",
		"column:stg_loans.id+":    "column lineage: no parser",
		"colum:stg_loans.loan_id": `did you mean`,
	} {
		_, _, err := Select(m, nil, Options{Select: []string{sel}, Columns: func() (*lineage.Lineage, error) { return nil, errors.New("no parser") }})
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: error %v, want it to say %q", sel, err, wantErr)
		}
	}
	if _, _, err := Select(m, nil, Options{Select: []string{"column:a.b"}}); err == nil || !strings.Contains(err.Error(), "does not derive") {
		t.Errorf("column: without lineage: %v", err)
	}
}
