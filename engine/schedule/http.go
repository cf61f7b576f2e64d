package schedule

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves the scheduler's HTTP interface. It is safe to serve while
// Run is going.
//
// Reading (no token):
//
//	GET  /healthz, /metrics (Prometheus text format)
//	GET  /api/runs               run history, newest first; ?schedule= ?status= ?trigger= ?limit= (default 50, 0 = all)
//	GET  /api/runs/{id}          one run with its nodes
//	GET  /api/runs/{id}/log      the run's log; ?offset=N from byte N; ?follow=1 streams until the run ends
//	GET  /api/runs/{id}/run_results.json
//	GET  /api/schedules          every schedule: next ticks, paused, running run, success rate, recent durations
//	GET  /api/schedules/{name}
//	GET  /, /runs/{id}, /schedules/{name}   the pages
//
// Control (JSON bodies, Content-Type: application/json; see Control for who
// may call them):
//
//	POST /api/schedules/{name}/trigger  {"select": [...], "exclude": [...], "full_refresh": true} → 202 {"run_id": ...}
//	POST /api/schedules/{name}/pause    → 200 {"schedule": ..., "paused": true}
//	POST /api/schedules/{name}/resume   → 200 {"schedule": ..., "paused": false}
//	POST /api/runs/{id}/rerun           → 202 {"run_id": ...}
func (s *Scheduler) Handler() http.Handler {
	s.handlerOnce.Do(func() {
		ui := newUI(s)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("ok\n"))
		})
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("GET /api/runs", s.serveRuns)
		mux.HandleFunc("GET /api/runs/{id}", s.serveRun)
		mux.HandleFunc("GET /api/runs/{id}/log", s.serveLog)
		mux.HandleFunc("GET /api/runs/{id}/run_results.json", s.serveRunResults)
		mux.HandleFunc("GET /api/schedules", s.serveSchedules)
		mux.HandleFunc("GET /api/schedules/{name}", s.serveSchedule)
		mux.HandleFunc("POST /api/schedules/{name}/trigger", s.guard(s.serveTrigger))
		mux.HandleFunc("POST /api/schedules/{name}/pause", s.guard(s.servePause(true)))
		mux.HandleFunc("POST /api/schedules/{name}/resume", s.guard(s.servePause(false)))
		mux.HandleFunc("POST /api/runs/{id}/rerun", s.guard(s.serveRerun))
		ui.routes(mux)
		s.handler = securityHeaders(mux)
	})
	return s.handler
}

// securityHeaders keeps the pages from being framed or running foreign
// scripts: everything they load comes from the scheduler itself.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}

// apiError is every error body of the API. Code is a stable word callers
// (the page, the CLI) branch on: token, token_unset, origin, host,
// content_type, bad_request, not_found, busy, nothing_to_rerun, stopping,
// unavailable, internal.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Error: msg, Code: code})
}

func writeJSONResponse(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// guard lets a control request through only when authorize allows it.
func (s *Scheduler) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if status, code, msg := s.authorize(r); status != 0 {
			s.log.Warn("control request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", code)
			writeError(w, status, code, msg)
			return
		}
		h(w, r)
	}
}

// authorize decides a control request: JSON only (a cross-site form cannot
// send it without a preflight we never answer), no foreign Origin, and the
// token when one is set. Without a token, control is allowed only on a
// loopback listener reached by a loopback Host (DNS rebinding).
func (s *Scheduler) authorize(r *http.Request) (int, string, string) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return http.StatusUnsupportedMediaType, "content_type", "control requests must send Content-Type: application/json"
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := neturl.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return http.StatusForbidden, "origin", "cross-origin control requests are refused"
		}
	}
	if s.control.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		a, b := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(s.control.Token))
		if !ok || subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
			return http.StatusForbidden, "token", "this scheduler needs its control token: send Authorization: Bearer <the value of STRATA_SCHEDULER_TOKEN>"
		}
		return 0, "", ""
	}
	if s.control.Public {
		return http.StatusForbidden, "token_unset", "control is refused: the scheduler listens on a non-loopback address and STRATA_SCHEDULER_TOKEN is not set; set it where the scheduler runs and send it as Authorization: Bearer <token>"
	}
	if !loopbackHost(r.Host) {
		return http.StatusForbidden, "host", "control without a token is accepted only at a loopback address (127.0.0.1, [::1], localhost); set STRATA_SCHEDULER_TOKEN to allow it through other names"
	}
	return 0, "", ""
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Scheduler) serveRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit must be a whole number, 0 for all")
			return
		}
		limit = n
	}
	runs := s.hist.withNodes(s.hist.filter(RunFilter{Schedule: q.Get("schedule"), Status: q.Get("status"), Trigger: q.Get("trigger")}, limit))
	if runs == nil {
		runs = []Run{}
	}
	writeJSONResponse(w, runs)
}

// lookup finds a run of the history by the {id} path value, answering 404
// itself when there is none.
func (s *Scheduler) lookup(w http.ResponseWriter, r *http.Request) (Run, bool) {
	id := r.PathValue("id")
	run, ok := s.hist.get(id)
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no run "+strconv.Quote(id))
	}
	return run, ok
}

func (s *Scheduler) serveRun(w http.ResponseWriter, r *http.Request) {
	if run, ok := s.lookup(w, r); ok {
		writeJSONResponse(w, s.hist.withNodes([]Run{run})[0])
	}
}

func (s *Scheduler) serveRunResults(w http.ResponseWriter, r *http.Request) {
	run, ok := s.lookup(w, r)
	if !ok {
		return
	}
	data, err := os.ReadFile(filepath.Join(s.hist.dir, run.ID, "run_results.json"))
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "run "+run.ID+" has no run_results.json (it stopped before running nodes)")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// serveLog answers the run's log from ?offset= (bytes). With ?follow=1 it
// keeps the response open and sends what the run writes until it ends, so
// the page shows a running run's log as it grows.
func (s *Scheduler) serveLog(w http.ResponseWriter, r *http.Request) {
	run, ok := s.lookup(w, r)
	if !ok {
		return
	}
	var offset int64
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "offset must be a whole number of bytes")
			return
		}
		offset = n
	}
	path := filepath.Join(s.hist.dir, run.ID, logFile)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("follow") != "1" {
		data, _ := readFrom(path, offset, 8<<20)
		w.Header().Set("X-Log-Offset", strconv.FormatInt(offset+int64(len(data)), 10))
		w.Header().Set("X-Run-Status", run.Status)
		_, _ = w.Write(data)
		return
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		cur, _ := s.hist.get(run.ID)
		data, _ := readFrom(path, offset, 1<<20)
		if len(data) > 0 {
			if _, err := w.Write(data); err != nil {
				return
			}
			offset += int64(len(data))
			if flusher != nil {
				flusher.Flush()
			}
			continue
		}
		if cur.Status != StatusRunning {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.stopping:
			return
		case <-tick.C:
		}
	}
}

// readFrom reads up to limit bytes of path from offset.
func readFrom(path string, offset, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

func (s *Scheduler) serveSchedules(w http.ResponseWriter, r *http.Request) {
	out := make([]ScheduleInfo, 0, len(s.plans))
	for _, p := range s.plans {
		out = append(out, s.scheduleInfo(p, 5))
	}
	writeJSONResponse(w, out)
}

func (s *Scheduler) serveSchedule(w http.ResponseWriter, r *http.Request) {
	e := s.entries[r.PathValue("name")]
	if e == nil {
		writeError(w, http.StatusNotFound, "not_found", "no schedule "+strconv.Quote(r.PathValue("name")))
		return
	}
	writeJSONResponse(w, s.scheduleInfo(e.plan, 10))
}

// startedResponse answers a trigger or re-run.
type startedResponse struct {
	RunID    string `json:"run_id"`
	Schedule string `json:"schedule"`
	URL      string `json:"url"`
}

func (s *Scheduler) serveTrigger(w http.ResponseWriter, r *http.Request) {
	var o TriggerOptions
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&o)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the body must be JSON like {\"select\": [\"tag:daily\"], \"exclude\": [], \"full_refresh\": false}: "+err.Error())
		return
	}
	name := r.PathValue("name")
	id, err := s.Trigger(r.Context(), name, o)
	s.answerStart(w, name, id, err)
}

func (s *Scheduler) serveRerun(w http.ResponseWriter, r *http.Request) {
	run, ok := s.lookup(w, r)
	if !ok {
		return
	}
	id, err := s.Rerun(r.Context(), run.ID)
	s.answerStart(w, run.Schedule, id, err)
}

func (s *Scheduler) answerStart(w http.ResponseWriter, schedule, id string, err error) {
	if err != nil {
		status, code := errorStatus(err)
		writeError(w, status, code, err.Error())
		return
	}
	writeJSONStatus(w, http.StatusAccepted, startedResponse{RunID: id, Schedule: schedule, URL: "/runs/" + neturl.PathEscape(id)})
}

func errorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, ErrUnknownSchedule), errors.Is(err, ErrUnknownRun):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, ErrBusy):
		return http.StatusConflict, "busy"
	case errors.Is(err, ErrNothingToRerun):
		return http.StatusConflict, "nothing_to_rerun"
	case errors.Is(err, ErrStopping):
		return http.StatusServiceUnavailable, "stopping"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusServiceUnavailable, "unavailable"
}

func (s *Scheduler) servePause(paused bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		changed, err := s.setPaused(name, paused)
		if err != nil {
			status, code := errorStatus(err)
			if !errors.Is(err, ErrUnknownSchedule) {
				status, code = http.StatusInternalServerError, "internal"
			}
			writeError(w, status, code, err.Error())
			return
		}
		writeJSONResponse(w, map[string]any{"schedule": name, "paused": paused, "changed": changed})
	}
}

// ScheduleInfo is a schedule as /api/schedules and the pages show it.
type ScheduleInfo struct {
	Name        string      `json:"name"`
	Cron        string      `json:"cron"`
	Timezone    string      `json:"timezone"`
	Command     string      `json:"command"`
	Select      []string    `json:"select,omitempty"`
	Exclude     []string    `json:"exclude,omitempty"`
	Paused      bool        `json:"paused"`
	Running     string      `json:"running,omitempty"` // the id of the run going now
	NextTicks   []time.Time `json:"next_ticks"`
	Catchup     string      `json:"catchup"`
	Deadline    string      `json:"deadline,omitempty"`
	MaxDuration string      `json:"max_duration,omitempty"`
	Timeout     string      `json:"timeout,omitempty"`
	Retries     int         `json:"retries"`
	Notifiers   []string    `json:"notifiers"`
	LastRun     *Run        `json:"last_run,omitempty"`
	LastSuccess *time.Time  `json:"last_success,omitempty"`
	// SuccessRate is the share of the recent finished runs (not skipped)
	// that succeeded, from 0 to 1; nil before any run.
	SuccessRate *float64     `json:"success_rate"`
	Recent      []RunSummary `json:"recent"`
}

// RunSummary is one recent run of a schedule, for its duration chart.
type RunSummary struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Trigger   string    `json:"trigger"`
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"`
}

// recentWindow is how many finished runs the success rate and the duration
// chart look at.
const recentWindow = 30

func (s *Scheduler) scheduleInfo(p Plan, ticks int) ScheduleInfo {
	now := s.clock.Now()
	info := ScheduleInfo{
		Name: p.Name(), Cron: p.Spec.Cron, Timezone: p.Location.String(), Command: p.Command,
		Select: p.Spec.Select, Exclude: p.Spec.Exclude, Paused: s.state.paused(p.Name()), Catchup: p.Catchup,
		MaxDuration: p.Spec.MaxDuration, Timeout: p.Spec.Timeout, Retries: p.Spec.Retries, Notifiers: []string{}, Recent: []RunSummary{},
	}
	if p.Deadline != nil {
		info.Deadline = p.Deadline.String()
	}
	for _, n := range p.Notifiers {
		info.Notifiers = append(info.Notifiers, n.describe()+" ("+strings.Join(n.Events, ", ")+")")
	}
	if cur := s.entries[p.Name()].current(); cur != "pending" {
		info.Running = cur
	}
	t := now
	for range ticks {
		t = p.Next(t)
		if t.IsZero() {
			break
		}
		info.NextTicks = append(info.NextTicks, t.UTC())
	}
	runs := s.hist.list(p.Name(), "", 0)
	if len(runs) > 0 {
		info.LastRun = &runs[0]
	}
	ok, done := 0, 0
	for _, r := range runs {
		if r.Status == StatusSuccess && info.LastSuccess == nil {
			info.LastSuccess = r.FinishedAt
		}
		if r.Status == StatusRunning || r.Status == StatusSkipped || done == recentWindow {
			continue
		}
		done++
		if r.Status == StatusSuccess {
			ok++
		}
		info.Recent = append(info.Recent, RunSummary{ID: r.ID, Status: r.Status, Trigger: triggerName(r.Trigger), StartedAt: r.StartedAt, Seconds: r.Duration().Seconds()})
	}
	if done > 0 {
		rate := float64(ok) / float64(done)
		info.SuccessRate = &rate
	}
	return info
}
