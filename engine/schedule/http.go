package schedule

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /healthz, /metrics (Prometheus text format), /api/runs (JSON
// run history, newest first; ?schedule=, ?status=, ?limit= default 50),
// /api/runs/{id}, and an HTML overview at /. It is safe to serve while Run is
// going.
func (s *Scheduler) Handler() http.Handler {
	s.handlerOnce.Do(func() {
		page := template.Must(template.New("index").Funcs(template.FuncMap{"ts": fmtTime}).Parse(indexHTML))
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("ok\n"))
		})
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("GET /api/runs", s.serveRuns)
		mux.HandleFunc("GET /api/runs/{id}", s.serveRun)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if err := page.Execute(w, s.overview()); err != nil {
				s.log.Error("render overview page", "error", err)
			}
		})
		s.handler = mux
	})
	return s.handler
}

func (s *Scheduler) serveRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			http.Error(w, "limit must be a whole number, 0 for all", http.StatusBadRequest)
			return
		}
		limit = n
	}
	runs := s.hist.withNodes(s.hist.list(q.Get("schedule"), q.Get("status"), limit))
	if runs == nil {
		runs = []Run{}
	}
	writeJSONResponse(w, runs)
}

func (s *Scheduler) serveRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, run := range s.hist.list("", "", 0) {
		if run.ID == id {
			writeJSONResponse(w, s.hist.withNodes([]Run{run})[0])
			return
		}
	}
	http.Error(w, "no run "+strconv.Quote(id), http.StatusNotFound)
}

func writeJSONResponse(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

type scheduleView struct {
	Name, Cron, Timezone, Command string
	Next                          time.Time
	Running                       string
	Last                          *Run
}

type overviewView struct {
	Now       time.Time
	Schedules []scheduleView
	Runs      []Run
}

func (s *Scheduler) overview() overviewView {
	now := s.clock.Now()
	v := overviewView{Now: now}
	recent := s.hist.list("", "", 25)
	for _, p := range s.plans {
		sv := scheduleView{Name: p.Name(), Cron: p.Spec.Cron, Timezone: p.Location.String(), Command: p.Command, Next: p.Next(now)}
		if cur := s.entries[p.Name()].current(); cur != "pending" {
			sv.Running = cur
		}
		if last := s.hist.list(p.Name(), "", 1); len(last) == 1 {
			sv.Last = &last[0]
		}
		v.Schedules = append(v.Schedules, sv)
	}
	v.Runs = s.hist.withNodes(recent)
	return v
}

func fmtTime(t any) string {
	switch t := t.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	case *time.Time:
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return ""
}

const indexHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>strata schedule</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
.success,.pass{color:#17702e}.error,.fail{color:#b00020}.skipped,.warn{color:#a26b00}.cancelled{color:#666}.running{color:#1f5fbf}
code{font-size:12px}details table{margin:4px 0}
</style></head><body>
<h1>strata schedule</h1>
<p>As of {{ts .Now}} · <a href="/api/runs">/api/runs</a> · <a href="/metrics">/metrics</a></p>
<h2>Schedules</h2>
<table><tr><th>name</th><th>cron</th><th>timezone</th><th>command</th><th>next tick</th><th>last run</th></tr>
{{range .Schedules}}<tr><td>{{.Name}}</td><td><code>{{.Cron}}</code></td><td>{{.Timezone}}</td><td>{{.Command}}</td><td>{{ts .Next}}</td>
<td>{{if .Running}}<span class="running">running</span> {{.Running}}{{else if .Last}}<span class="{{.Last.Status}}">{{.Last.Status}}</span> {{ts .Last.StartedAt}}{{end}}</td></tr>
{{else}}<tr><td colspan="6">No schedules in project.yaml.</td></tr>{{end}}
</table>
<h2>Recent runs</h2>
<table><tr><th>run</th><th>schedule</th><th>status</th><th>attempt</th><th>started</th><th>finished</th><th>message and nodes</th></tr>
{{range .Runs}}<tr><td><a href="/api/runs/{{.ID}}">{{.ID}}</a></td><td>{{.Schedule}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.Attempt}}</td><td>{{ts .StartedAt}}</td><td>{{ts .FinishedAt}}</td>
<td>{{.Message}}{{if .Nodes}}<details><summary>{{len .Nodes}} node(s)</summary><table>
{{range .Nodes}}<tr><td>{{.Name}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{printf "%.2fs" .ExecutionTime}}</td><td>{{.Message}}</td></tr>{{end}}
</table></details>{{end}}</td></tr>
{{else}}<tr><td colspan="7">No runs yet.</td></tr>{{end}}
</table>
</body></html>
`
