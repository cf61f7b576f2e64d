package materialize

import (
	"errors"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
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
		want adapter.SeedKind
		p, s int
	}{
		{"integers", []string{"1", "-20", "+3", ""}, adapter.SeedInteger, 0, 0},
		{"decimals", []string{"1.5", "-20", "300.125"}, adapter.SeedDecimal, 6, 3},
		{"leading dot", []string{".5"}, adapter.SeedDecimal, 2, 1},
		{"huge integer", []string{"12345678901234567890"}, adapter.SeedDecimal, 20, 0},
		{"leading zeros stay text", []string{"007", "1"}, adapter.SeedText, 0, 0},
		{"zero is a number", []string{"0", "0.0"}, adapter.SeedDecimal, 2, 1},
		{"booleans", []string{"true", "FALSE", "True"}, adapter.SeedBoolean, 0, 0},
		{"dates", []string{"2024-01-31", ""}, adapter.SeedDate, 0, 0},
		{"bad date", []string{"2024-02-31"}, adapter.SeedText, 0, 0},
		{"timestamps", []string{"2024-01-31 10:11:12", "2024-01-31T10:11:12.123456"}, adapter.SeedTimestamp, 0, 0},
		{"dates and timestamps", []string{"2024-01-31", "2024-01-31 10:11:12"}, adapter.SeedTimestamp, 0, 0},
		{"zoned", []string{"2024-01-31T10:11:12Z", "2024-01-31 10:11:12+02:00"}, adapter.SeedTimestampTZ, 0, 0},
		{"mixed", []string{"1", "x"}, adapter.SeedText, 0, 0},
		{"numbers and booleans", []string{"1", "true"}, adapter.SeedText, 0, 0},
		{"all empty", []string{"", ""}, adapter.SeedText, 0, 0},
		{"exponent is text", []string{"1e5"}, adapter.SeedText, 0, 0},
		{"lone sign", []string{"-"}, adapter.SeedText, 0, 0},
		{"trailing dot", []string{"1."}, adapter.SeedText, 0, 0},
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
	if cols[0].Kind != adapter.SeedInteger || cols[2].Kind != adapter.SeedText {
		t.Errorf("kinds %+v (a short row leaves the last column empty)", cols)
	}
}

// narrowDialect offers two strategies, merge by default with a key.
type narrowDialect struct{ adapter.Dialect }

func (narrowDialect) DefaultIncrementalStrategy(key bool) string {
	return map[bool]string{true: "merge", false: "append"}[key]
}
func (narrowDialect) ValidIncrementalStrategies() []string { return []string{"append", "merge"} }

func TestStrategy(t *testing.T) {
	w := New(nil, adapter.Driver{Type: "fake", Dialect: narrowDialect{duckdb.Dialect{}}, Traits: adapter.Traits{Merge: true}}, adapter.Target{})
	for _, tt := range []struct {
		strategy string
		key      bool
		want     string
		err      string
	}{
		{"", false, "append", ""},
		{"", true, "merge", ""},
		{"MERGE", true, "merge", ""},
		{"merge", false, "", "needs a unique_key"},
		{"bad_strategy", false, "", `"bad_strategy" for model.x on fake: use one of append, merge`},
	} {
		got, err := w.strategy(tt.strategy, tt.key, "model.x")
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
	// An engine without MERGE does not offer it, whatever its dialect lists.
	w.traits.Merge = false
	if _, err := w.strategy("merge", true, "model.x"); !errors.Is(err, ErrBadStrategy) || !strings.Contains(err.Error(), "use one of append") {
		t.Errorf("merge without the trait: %v", err)
	}
}

func TestDiffColumns(t *testing.T) {
	cols := func(names ...string) []adapter.Column {
		out := make([]adapter.Column, len(names))
		for i, n := range names {
			out[i] = adapter.Column{Name: n}
		}
		return out
	}
	sc := diffColumns(cols("id", "name", "old"), cols("ID", "new", "name"))
	names := func(c []adapter.Column) string {
		var s []string
		for _, x := range c {
			s = append(s, x.Name)
		}
		return strings.Join(s, ",")
	}
	if names(sc.Common) != "id,name" || names(sc.Added) != "new" || names(sc.Removed) != "old" || !sc.Changed() {
		t.Errorf("diff %+v", sc)
	}
	err := schemaChangeError("model.x", sc)
	if !errors.Is(err, ErrSchemaChanged) || !strings.Contains(err.Error(), "added: new; removed: old") {
		t.Errorf("error %v", err)
	}
}

func TestTempIdentifier(t *testing.T) {
	long := strings.Repeat("x", 70)
	if n := len(TempIdentifier(long, 63)); n > 63 {
		t.Errorf("temporary name of %d bytes", n)
	}
	a, b := TempIdentifier("m", 0), TempIdentifier("m", 0)
	if a == b || !strings.HasPrefix(a, "m"+TempMarker+"_") {
		t.Errorf("temporary names %q and %q", a, b)
	}
}

func TestChangesCatalog(t *testing.T) {
	for sql, want := range map[string]bool{
		"select 1":                                  false,
		"  -- note\n  /* x */ (select 1)":           false,
		"insert into t select 1; grant select on t": false,
		"create table t as select 1":                true,
		"DROP VIEW v":                               true,
		"grant select on t to r; alter table t add column x int": true,
		"call refresh()": true,
		"":               false,
	} {
		if got := changesCatalog(sql); got != want {
			t.Errorf("changesCatalog(%q) = %v, want %v", sql, got, want)
		}
	}
}
