package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
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
		"strata_go_goroutines ",
		"strata_process_open_fds ",
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

// post sends a control request as the CLI and the page do.
func post(t *testing.T, url, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestControlEndpointsAndTheTokenRule(t *testing.T) {
	run := func(ctx context.Context, req RunRequest) (RunReport, error) { return ok("m"), nil }
	specs := []project.ScheduleSpec{{Name: "nightly", Cron: "0 2 * * *"}}
	const token = "s3cr3t-token-value"
	for _, c := range []struct {
		name    string
		control Control
		header  map[string]string
		host    string
		status  int
		code    string
	}{
		{"loopback, no token", Control{}, nil, "", 202, ""},
		{"loopback, foreign origin", Control{}, map[string]string{"Origin": "http://evil.example"}, "", 403, "origin"},
		{"loopback, rebound host", Control{}, nil, "evil.example:8580", 403, "host"},
		{"public, no token set", Control{Public: true}, nil, "", 403, "token_unset"},
		{"public, token missing", Control{Public: true, Token: token}, nil, "", 403, "token"},
		{"public, wrong token", Control{Public: true, Token: token}, map[string]string{"Authorization": "Bearer nope"}, "", 403, "token"},
		{"public, right token", Control{Public: true, Token: token}, map[string]string{"Authorization": "Bearer " + token}, "strata.internal", 202, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, Options{Specs: specs, Run: run, Control: c.control})
			srv := httptest.NewServer(h.s.Handler())
			defer srv.Close()
			hdr := map[string]string{}
			for k, v := range c.header {
				hdr[k] = v
			}
			if c.host != "" {
				hdr["Host"] = c.host
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/schedules/nightly/trigger", strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			if c.host != "" {
				req.Host = c.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != c.status || (c.code != "" && out["code"] != c.code) {
				t.Errorf("POST trigger = %d %v, want %d %s", resp.StatusCode, out, c.status, c.code)
			}
			wantRuns := 0
			if c.status == 202 {
				wantRuns = 1
				h.waitRuns(1, StatusSuccess)
			}
			if n := len(h.s.Runs()); n != wantRuns {
				t.Errorf("%d runs recorded, want %d", n, wantRuns)
			}
			// Reading never needs the token, and the page never holds it.
			code, _, body := get(t, srv.URL+"/")
			if code != 200 || strings.Contains(body, token) {
				t.Errorf("GET / = %d (token in page: %v)", code, strings.Contains(body, token))
			}
		})
	}
}

func TestControlAPI(t *testing.T) {
	release := make(chan struct{})
	var c calls
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "nightly", Cron: "0 2 * * *"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			switch c.add(req) {
			case 1:
				fmt.Fprintln(req.Log, "first line")
				<-release
				fmt.Fprintln(req.Log, "second line")
				return RunReport{Status: StatusError, Nodes: []NodeReport{{Name: "a", Status: "error", Message: "boom"}}}, nil
			}
			return ok(req.Select...), nil
		},
	})
	srv := httptest.NewServer(h.s.Handler())
	defer srv.Close()
	code, out := post(t, srv.URL+"/api/schedules/nightly/trigger", `{"select": ["a+"], "full_refresh": true}`, nil)
	id, _ := out["run_id"].(string)
	if code != 202 || id == "" || out["url"] != "/runs/"+id {
		t.Fatalf("trigger = %d %v", code, out)
	}
	if code, out := post(t, srv.URL+"/api/schedules/nightly/trigger", `{}`, nil); code != 409 || out["code"] != "busy" {
		t.Errorf("trigger while running = %d %v", code, out)
	}
	if code, out := post(t, srv.URL+"/api/schedules/nightly/trigger", `{"selekt": ["a"]}`, nil); code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "selekt") {
		t.Errorf("a misspelt field = %d %v", code, out)
	}
	if code, out := post(t, srv.URL+"/api/schedules/weekly/pause", `{}`, nil); code != 404 {
		t.Errorf("pause of an unknown schedule = %d %v", code, out)
	}
	// The log streams while the run goes on.
	resp, err := http.Get(srv.URL + "/api/runs/" + id + "/log?follow=1")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var got strings.Builder
	for !strings.Contains(got.String(), "first line") {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("log stream ended early: %v (%q)", err, got.String())
		}
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body) // ends when the run ends
	resp.Body.Close()
	if !strings.Contains(got.String()+string(rest), "second line") || !strings.Contains(string(rest), "finished: error") {
		t.Errorf("streamed log = %q + %q", got.String(), rest)
	}
	h.waitRuns(1, StatusError)
	_, _, full := get(t, srv.URL+"/api/runs/"+id+"/log")
	if _, _, body := get(t, srv.URL+"/api/runs/"+id+"/log?offset=5"); len(full) < 10 || body != full[5:] {
		t.Errorf("log from offset 5 = %q, full log %q", body, full)
	}
	code, out = post(t, srv.URL+"/api/runs/"+id+"/rerun", ``, nil)
	if code != 202 {
		t.Fatalf("rerun = %d %v", code, out)
	}
	h.waitRuns(1, StatusSuccess)
	if r := c.list()[1]; r.Trigger != TriggerRetry || len(r.Select) != 1 || r.Select[0] != "a" || !r.FullRefresh {
		t.Errorf("re-run asked for %+v", r)
	}
	if code, out := post(t, srv.URL+"/api/runs/"+out["run_id"].(string)+"/rerun", `{}`, nil); code != 409 || out["code"] != "nothing_to_rerun" {
		t.Errorf("re-run of a success = %d %v", code, out)
	}
	if code, out := post(t, srv.URL+"/api/schedules/nightly/pause", `{}`, nil); code != 200 || out["paused"] != true || out["changed"] != true {
		t.Errorf("pause = %d %v", code, out)
	}
	code, _, body := get(t, srv.URL+"/api/schedules/nightly")
	var info ScheduleInfo
	if err := json.Unmarshal([]byte(body), &info); code != 200 || err != nil || !info.Paused || len(info.NextTicks) != 10 || info.SuccessRate == nil || *info.SuccessRate != 0.5 {
		t.Errorf("/api/schedules/nightly = %d %s", code, body)
	}
	if _, _, body := get(t, srv.URL+"/api/runs?trigger=retry"); !strings.Contains(body, `"trigger": "retry"`) || strings.Contains(body, `"trigger": "manual"`) {
		t.Errorf("?trigger=retry = %s", body)
	}
	// A form post (what a foreign page could send) is refused.
	resp, err = http.Post(srv.URL+"/api/schedules/nightly/resume", "text/plain", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || !h.s.Paused("nightly") {
		t.Errorf("text/plain resume = %d, paused %v", resp.StatusCode, h.s.Paused("nightly"))
	}
}

func TestRunPageDrawsAGanttOfItsNodes(t *testing.T) {
	at := func(ms int) *time.Time { x := t0.Add(time.Duration(ms) * time.Millisecond); return &x }
	h := start(t, Options{
		Specs: []project.ScheduleSpec{{Name: "nightly", Cron: "@every 1s"}},
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			return RunReport{Nodes: []NodeReport{
				{Name: "stg", Status: "success", Thread: "Thread-1", StartedAt: at(0), FinishedAt: at(100)},
				{Name: "fct", Status: "error", Thread: "Thread-10", StartedAt: at(100), FinishedAt: at(400), Message: "division by zero", CompiledCode: "select 1/0 as x"},
				{Name: "dim", Status: "success", Thread: "Thread-2", StartedAt: at(0), FinishedAt: at(50)},
				{Name: "mart", Status: "skipped"},
			}}, nil
		},
	})
	srv := httptest.NewServer(h.s.Handler())
	defer srv.Close()
	h.advance(time.Second)
	run := h.waitRuns(1, StatusError)[0]
	code, _, body := get(t, srv.URL+"/runs/"+run.ID)
	if code != 200 {
		t.Fatalf("run page = %d", code)
	}
	if n := strings.Count(body, `<rect class="bar `); n != 3 {
		t.Errorf("%d bars, want 3 (the nodes that ran)", n)
	}
	lanes := regexp.MustCompile(`class="lane"[^>]*>([^<]+)<`).FindAllStringSubmatch(body, -1)
	var names []string
	for _, l := range lanes {
		names = append(names, l[1])
	}
	if strings.Join(names, ",") != "Thread-1,Thread-2,Thread-10" {
		t.Errorf("lanes %v", names)
	}
	for _, want := range []string{`data-node="fct" data-status="error"`, "division by zero", "select 1/0 as x", "1 node(s) did not run"} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	for _, page := range []string{"/schedules/nightly", "/?status=error&trigger=tick", "/static/ui.js", "/static/ui.css"} {
		if code, _, body := get(t, srv.URL+page); code != 200 || len(body) < 100 {
			t.Errorf("GET %s = %d", page, code)
		}
	}
	if code, _, _ := get(t, srv.URL+"/schedules/weekly"); code != 404 {
		t.Errorf("unknown schedule page = %d", code)
	}
	if code, _, _ := get(t, srv.URL+"/static/../ui.go"); code == 200 {
		t.Error("the static route serves other files")
	}
}
