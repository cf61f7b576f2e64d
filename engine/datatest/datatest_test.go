package datatest

import (
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/result"
)

func TestOutcome(t *testing.T) {
	cases := []struct {
		sev, warnIf, errorIf string
		failures             int64
		want                 result.Status
	}{
		{"", "", "", 0, result.Pass},
		{"", "", "", 3, result.Fail},
		{"error", "", ">10", 3, result.Warn},
		{"error", "", ">10", 11, result.Fail},
		{"error", ">5", ">10", 3, result.Pass},
		{"warn", "", "", 3, result.Warn},
		{"warn", "", "", 0, result.Pass},
		{"WARN", ">=2", "", 1, result.Pass},
		{"error", "<>0", "=7", 7, result.Fail},
	}
	for _, c := range cases {
		got, err := Outcome(c.sev, c.warnIf, c.errorIf, c.failures)
		if err != nil || got != c.want {
			t.Errorf("Outcome(%q,%q,%q,%d) = %v, %v; want %v", c.sev, c.warnIf, c.errorIf, c.failures, got, err, c.want)
		}
	}
}

func TestBadThresholds(t *testing.T) {
	for _, s := range []string{"10", ">ten", "~5"} {
		if _, err := ParseCondition(s); err == nil {
			t.Errorf("ParseCondition(%q) accepted a bad threshold", s)
		}
	}
	if _, err := Outcome("fatal", "", "", 1); err == nil || !strings.Contains(err.Error(), "severity") {
		t.Errorf("unknown severity: err = %v", err)
	}
}

func TestSQL(t *testing.T) {
	got := CountSQL("select id from t where id is null;", 0, "")
	want := "select count(*) as failures from (\nselect id from t where id is null\n) strata_test"
	if got != want {
		t.Errorf("CountSQL =\n%s\nwant\n%s", got, want)
	}
	if got := CountSQL("select 1", 5, ""); !strings.Contains(got, "limit 5") {
		t.Errorf("CountSQL with limit lacks the limit: %s", got)
	}
}

func TestCountSQLFailCalc(t *testing.T) {
	got := CountSQL("select n from t", 0, "sum(n)")
	if !strings.HasPrefix(got, "select sum(n) as failures from (") {
		t.Errorf("fail_calc not used: %s", got)
	}
}
