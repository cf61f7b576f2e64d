package schedule

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/project"
)

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func TestEndpointsAnswer(t *testing.T) {
	h := start(t, Options{
		Specs: []project.ScheduleSpec{
			{Name: "nightly", Cron: "@every 1s"},
			{Name: "later", Cron: "0 2 * * *", Timezone: "Europe/Paris"},
		},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			return RunReport{Status: StatusError, Nodes: []NodeReport{
				{UniqueID: "model.p.stg_loans", Name: "stg_loans", Status: "success", ExecutionTime: 0.12},
				{UniqueID: "model.p.fct_<arrears>", Name: "fct_<arrears>", Status: "error", Message: "syntax error at or near \"form\"", ExecutionTime: 0.03},
			}}, nil
		},
	})
	srv := httptest.NewServer(h.s.Handler())
	defer srv.Close()

	code, _, body := get(t, srv.URL+"/healthz")
	if code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}

	h.advance(time.Second)
	h.waitRuns(1, StatusError)

	code, ctype, body := get(t, srv.URL+"/metrics")
	if code != 200 || !strings.HasPrefix(ctype, "text/plain") {
		t.Errorf("/metrics = %d %s", code, ctype)
	}
	for _, want := range []string{
		`strata_schedule_runs_total{schedule="nightly",status="error"} 1`,
		`strata_schedule_runs_total{schedule="later",status="success"} 0`,
		`strata_node_duration_seconds_count{schedule="nightly",status="success"} 1`,
		`strata_schedule_running_runs{schedule="nightly"} 0`,
		`strata_schedule_next_tick_timestamp_seconds{schedule="nightly"} 1.767225602e+09`,
		`strata_schedule_next_tick_timestamp_seconds{schedule="later"} 1.7672292e+09`,
		`strata_schedule_run_duration_seconds_count{schedule="nightly",status="error"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "strata_") {
			t.Errorf("series not named strata_*: %s", line)
		}
	}

	code, ctype, body = get(t, srv.URL+"/api/runs")
	if code != 200 || ctype != "application/json" {
		t.Errorf("/api/runs = %d %s", code, ctype)
	}
	var runs []map[string]any
	if err := json.Unmarshal([]byte(body), &runs); err != nil {
		t.Fatalf("/api/runs is not a JSON list: %v\n%s", err, body)
	}
	if len(runs) != 1 {
		t.Fatalf("/api/runs = %s", body)
	}
	r := runs[0]
	if r["id"] != "20260101T000001Z-nightly-a1" || r["schedule"] != "nightly" || r["status"] != "error" || r["attempt"] != 1.0 {
		t.Errorf("run = %v", r)
	}
	for _, k := range []string{"started_at", "finished_at"} {
		s, _ := r[k].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %v, not RFC 3339: %v", k, r[k], err)
		}
	}
	if msg, _ := r["message"].(string); !strings.Contains(msg, "fct_<arrears>") {
		t.Errorf("message = %v", r["message"])
	}
	nodes, _ := r["nodes"].([]any)
	if len(nodes) != 2 || nodes[1].(map[string]any)["message"] != `syntax error at or near "form"` {
		t.Errorf("nodes = %v", r["nodes"])
	}

	_, _, body = get(t, srv.URL+"/api/runs?schedule=later")
	if strings.TrimSpace(body) != "[]" {
		t.Errorf("filtered list = %s, want []", body)
	}
	if code, _, _ := get(t, srv.URL+"/api/runs?limit=x"); code != http.StatusBadRequest {
		t.Errorf("bad limit answered %d", code)
	}
	if code, _, body := get(t, srv.URL+"/api/runs/20260101T000001Z-nightly-a1"); code != 200 || !strings.Contains(body, `"stg_loans"`) {
		t.Errorf("/api/runs/{id} = %d %s", code, body)
	}
	if code, _, _ := get(t, srv.URL+"/api/runs/nope"); code != http.StatusNotFound {
		t.Errorf("unknown run answered %d", code)
	}

	code, ctype, body = get(t, srv.URL+"/")
	if code != 200 || !strings.HasPrefix(ctype, "text/html") {
		t.Errorf("/ = %d %s", code, ctype)
	}
	for _, want := range []string{"nightly", "later", "Europe/Paris", "2026-01-01T01:00:00Z", "20260101T000001Z-nightly-a1", "fct_&lt;arrears&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("/ lacks %q", want)
		}
	}
	if strings.Contains(body, "fct_<arrears>") {
		t.Error("/ does not escape node names")
	}
	code, _, body = get(t, srv.URL+"/runs/20260101T000001Z-nightly-a1")
	if code != 200 {
		t.Errorf("run page = %d", code)
	}
	for _, want := range []string{"fct_&lt;arrears&gt;", "syntax error at or near &#34;form&#34;"} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if strings.Contains(body, "fct_<arrears>") {
		t.Error("the run page does not escape node names")
	}
	if code, _, _ := get(t, srv.URL+"/nothing"); code != http.StatusNotFound {
		t.Errorf("/nothing answered %d", code)
	}
}
