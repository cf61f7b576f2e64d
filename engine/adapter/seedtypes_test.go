package adapter

import (
	"errors"
	"github.com/strata-dev/strata/engine/relation"
	"strings"
	"testing"
)

func TestInferSeedColumns(t *testing.T) {
	col := func(vals ...string) [][]string {
		rows := make([][]string, len(vals))
		for i, v := range vals {
			rows[i] = []string{v}
		}
		return rows
	}
	tests := []struct {
		name string
		vals []string
		want SeedKind
		p, s int
	}{
		{"integers", []string{"1", "-20", "+3", ""}, SeedInteger, 0, 0},
		{"decimals", []string{"1.5", "-20", "300.125"}, SeedDecimal, 6, 3},
		{"leading dot", []string{".5"}, SeedDecimal, 2, 1},
		{"huge integer", []string{"12345678901234567890"}, SeedDecimal, 20, 0},
		{"leading zeros stay text", []string{"007", "1"}, SeedText, 0, 0},
		{"zero is a number", []string{"0", "0.0"}, SeedDecimal, 2, 1},
		{"booleans", []string{"true", "FALSE", "True"}, SeedBoolean, 0, 0},
		{"dates", []string{"2024-01-31", ""}, SeedDate, 0, 0},
		{"bad date", []string{"2024-02-31"}, SeedText, 0, 0},
		{"timestamps", []string{"2024-01-31 10:11:12", "2024-01-31T10:11:12.123456"}, SeedTimestamp, 0, 0},
		{"dates and timestamps", []string{"2024-01-31", "2024-01-31 10:11:12"}, SeedTimestamp, 0, 0},
		{"zoned", []string{"2024-01-31T10:11:12Z", "2024-01-31 10:11:12+02:00"}, SeedTimestampTZ, 0, 0},
		{"mixed", []string{"1", "x"}, SeedText, 0, 0},
		{"numbers and booleans", []string{"1", "true"}, SeedText, 0, 0},
		{"all empty", []string{"", ""}, SeedText, 0, 0},
		{"exponent is text", []string{"1e5"}, SeedText, 0, 0},
		{"lone sign", []string{"-"}, SeedText, 0, 0},
		{"trailing dot", []string{"1."}, SeedText, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InferSeedColumns([]string{"c"}, col(tt.vals...), nil)[0]
			if got.Kind != tt.want || got.Precision != tt.p || got.Scale != tt.s {
				t.Errorf("%q: got %s(%d,%d), want %s(%d,%d)", tt.vals, got.Kind, got.Precision, got.Scale, tt.want, tt.p, tt.s)
			}
		})
	}
}

func TestInferSeedOverrides(t *testing.T) {
	cols := InferSeedColumns([]string{"ID", "zip", "short"}, [][]string{{"1", "01234"}}, map[string]string{"id": "varchar(10)", "zip": "text"})
	if cols[0].Override != "varchar(10)" || cols[1].Override != "text" || cols[2].Override != "" {
		t.Errorf("overrides %+v", cols)
	}
	if cols[0].Kind != SeedInteger || cols[2].Kind != SeedText {
		t.Errorf("kinds %+v (a short row leaves the last column empty)", cols)
	}
}

type fakeDialect struct{}

func (fakeDialect) Type() string                              { return "fake" }
func (fakeDialect) QuoteIdent(s string) string                { return s }
func (fakeDialect) RenderRelation(r relation.Relation) string { return r.String() }
func (fakeDialect) NormalizeIdent(s string) string            { return s }
func (fakeDialect) DefaultIncrementalStrategy(key bool) string {
	return map[bool]string{true: "merge", false: "append"}[key]
}
func (fakeDialect) ValidIncrementalStrategies() []string { return []string{"append", "merge"} }

func TestResolveStrategy(t *testing.T) {
	d := fakeDialect{}
	for _, tt := range []struct {
		strategy string
		keys     []string
		want     string
		err      string
	}{
		{"", nil, "append", ""},
		{"", []string{"id"}, "merge", ""},
		{"MERGE", []string{"id"}, "merge", ""},
		{"merge", nil, "", "needs a unique_key"},
		{"bad_strategy", nil, "", `"bad_strategy" for model.x on fake: use one of append, merge`},
	} {
		got, err := ResolveStrategy(d, MaterializeRequest{Strategy: tt.strategy, UniqueKey: tt.keys, Label: "model.x"})
		if tt.err != "" {
			if !errors.Is(err, ErrBadStrategy) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want ErrBadStrategy with %q", tt.strategy, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.strategy, got, err, tt.want)
		}
	}
}

func TestDiffColumns(t *testing.T) {
	cols := func(names ...string) []Column {
		out := make([]Column, len(names))
		for i, n := range names {
			out[i] = Column{Name: n}
		}
		return out
	}
	sc := DiffColumns(cols("id", "name", "old"), cols("ID", "new", "name"))
	names := func(c []Column) string {
		var s []string
		for _, x := range c {
			s = append(s, x.Name)
		}
		return strings.Join(s, ",")
	}
	if names(sc.Common) != "id,name" || names(sc.Added) != "new" || names(sc.Removed) != "old" || !sc.Changed() {
		t.Errorf("diff %+v", sc)
	}
	err := SchemaChangeError(MaterializeRequest{Label: "model.x"}, sc)
	if !errors.Is(err, ErrSchemaChanged) || !strings.Contains(err.Error(), "added: new; removed: old") {
		t.Errorf("error %v", err)
	}
}

func TestLimitSQL(t *testing.T) {
	if got, ok := LimitSQL("select 1 -- c\n;", 5); !ok || got != "select * from (\nselect 1 -- c\n) as strata_limited limit 5" {
		t.Errorf("got %q", got)
	}
	for _, sql := range []string{"show tables", "select 1; select 2"} {
		if _, ok := LimitSQL(sql, 5); ok {
			t.Errorf("%q was wrapped", sql)
		}
	}
	if _, ok := LimitSQL("select 1", 0); ok {
		t.Error("limit 0 wrapped")
	}
}
