package datatest

import (
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/adapter"
)

type quoteDialect struct{ adapter.Dialect }

func (quoteDialect) QuoteIdent(s string) string  { return `"` + s + `"` }
func (quoteDialect) QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func TestFixtureSQL(t *testing.T) {
	d := quoteDialect{}
	cols := []UnitColumn{{"id", "integer"}, {"name", ""}, {"ok", "boolean"}}
	got, err := FixtureSQL(d, cols, []map[string]any{{"ID": 1, "name": "o'neil"}, {"id": "2", "ok": true, "extra": 9}})
	if err != nil {
		t.Fatal(err)
	}
	want := `select cast(1 as integer) as "id", 'o''neil' as "name", cast(null as boolean) as "ok"
union all
select cast('2' as integer) as "id", null as "name", cast(true as boolean) as "ok"`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	empty, _ := FixtureSQL(d, cols[:1], nil)
	if empty != `select cast(null as integer) as "id" where 1 = 0` {
		t.Errorf("empty: %s", empty)
	}
	if _, err := FixtureSQL(d, nil, nil); err == nil {
		t.Error("no columns accepted")
	}
}

func TestUnitDiff(t *testing.T) {
	cols := []string{"id", "amount"}
	same := [][]any{{int64(1), "20"}, {int64(2), nil}}
	if n, rep := UnitDiff(cols, same, [][]any{{int64(2), nil}, {int64(1), "20"}}); n != 0 || rep != "" {
		t.Errorf("order must not matter: %d %q", n, rep)
	}
	n, rep := UnitDiff(cols, [][]any{{int64(1), "20"}, {int64(1), "20"}}, [][]any{{int64(1), "20"}, {int64(1), "25"}, {int64(3), nil}})
	if n != 3 {
		t.Errorf("failures %d, want 3 (one expected row missing, two unexpected)", n)
	}
	want := "@@  | id | amount\n--- | 1  | 20\n+++ | 1  | 25\n+++ | 3  | null\n"
	if rep != want {
		t.Errorf("report:\n%s\nwant:\n%s", rep, want)
	}
}
