package schedule

import (
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The pages are server-rendered templates plus one small script for the
// buttons and the live log; everything is embedded in the binary.
//
//go:embed ui/*.html ui/ui.css ui/ui.js
var uiFiles embed.FS

type ui struct {
	s *Scheduler
	// pages are parsed on the first request, so an idle scheduler nobody
	// looks at does not hold them.
	once  sync.Once
	pages map[string]*template.Template
}

func newUI(s *Scheduler) *ui { return &ui{s: s} }

func (u *ui) parse() {
	funcs := template.FuncMap{
		"ts":          fmtTime,
		"statusClass": statusClass,
		"trigger":     triggerName,
		// local shows a time on the schedule's own clock.
		"local": func(t time.Time, tz string) string {
			loc, err := time.LoadLocation(tz)
			if err != nil {
				return ""
			}
			return t.In(loc).Format("Mon 2 Jan 15:04 MST")
		},
		"pct": func(p *float64) string {
			if p == nil {
				return "–"
			}
			return fmt.Sprintf("%.0f%%", *p*100)
		},
	}
	u.pages = map[string]*template.Template{}
	for _, name := range []string{"runs", "run", "schedule"} {
		u.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(uiFiles, "ui/layout.html", "ui/"+name+".html"))
	}
}

func (u *ui) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", u.runsPage)
	mux.HandleFunc("GET /runs/{id}", u.runPage)
	mux.HandleFunc("GET /schedules/{name}", u.schedulePage)
	mux.HandleFunc("GET /static/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if name != "ui.css" && name != "ui.js" {
			http.NotFound(w, r)
			return
		}
		data, _ := uiFiles.ReadFile("ui/" + name)
		ctype := "text/css; charset=utf-8"
		if strings.HasSuffix(name, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(data)
	})
}

func (u *ui) render(w http.ResponseWriter, page string, data any) {
	u.once.Do(u.parse)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := u.pages[page].ExecuteTemplate(w, page+".html", data); err != nil {
		u.s.log.Error("render page", "page", page, "error", err)
	}
}

// base is what every page's header needs. The control token is never part
// of it: Control only says whether control is open, needs the token, or is
// off.
type base struct {
	Title         string
	Now           time.Time
	Control       string // open | token | off
	ScheduleNames []string
}

func (u *ui) base(title string) base {
	b := base{Title: title, Now: u.s.clock.Now(), Control: "open"}
	switch {
	case u.s.control.Token != "":
		b.Control = "token"
	case u.s.control.Public:
		b.Control = "off"
	}
	for _, p := range u.s.plans {
		b.ScheduleNames = append(b.ScheduleNames, p.Name())
	}
	return b
}

type countView struct {
	Status string
	N      int
}

type runRow struct {
	Run
	Dur    string
	Counts []countView
}

func rowOf(r Run) runRow {
	row := runRow{Run: r, Counts: counts(r.NodeCounts)}
	if r.FinishedAt != nil && r.Status != StatusSkipped {
		row.Dur = fmtDuration(r.Duration())
	}
	return row
}

// counts orders node counts as a reader scans them: good, then bad.
func counts(m map[string]int) []countView {
	order := []string{"success", "pass", "warn", "error", "fail", "runtime error", "cancelled", "skipped"}
	var out []countView
	for _, st := range order {
		if m[st] > 0 {
			out = append(out, countView{st, m[st]})
		}
	}
	for st, n := range m {
		if !slices.Contains(order, st) && n > 0 {
			out = append(out, countView{st, n})
		}
	}
	return out
}

type runsView struct {
	base
	Filter       RunFilter
	Limit        int
	Limits       []int
	Statuses     []string
	Triggers     []string
	ScheduleRows []ScheduleInfo
	Runs         []runRow
}

func (u *ui) runsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := runsView{base: u.base("Runs"), Filter: RunFilter{Schedule: q.Get("schedule"), Status: q.Get("status"), Trigger: q.Get("trigger")},
		Limit: 50, Limits: []int{25, 50, 100, 200},
		Statuses: []string{StatusRunning, StatusSuccess, StatusError, StatusCancelled, StatusSkipped},
		Triggers: []string{TriggerTick, TriggerCatchup, TriggerManual, TriggerRetry}}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		v.Limit = min(n, 1000)
	}
	for _, p := range u.s.plans {
		v.ScheduleRows = append(v.ScheduleRows, u.s.scheduleInfo(p, 1))
	}
	for _, run := range u.s.hist.filter(v.Filter, v.Limit) {
		v.Runs = append(v.Runs, rowOf(run))
	}
	u.render(w, "runs", v)
}

type runView struct {
	base
	Run       Run
	Dur       string
	Counts    []countView
	Gantt     *ganttView
	Failed    []NodeReport
	Log       string
	LogOffset int64
	Running   bool
	CanRerun  bool
	// HasResults reports a run_results.json in the run's folder.
	HasResults bool
}

// maxPageLog is how much of a finished run's log the page shows (its end).
const maxPageLog = 512 << 10

func (u *ui) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	slim, ok := u.s.hist.get(id)
	if !ok {
		http.Error(w, "no run "+strconv.Quote(id), http.StatusNotFound)
		return
	}
	run := u.s.hist.withNodes([]Run{slim})[0]
	v := runView{base: u.base("Run " + id), Run: run, Counts: counts(run.NodeCounts), Running: run.Status == StatusRunning}
	if run.FinishedAt != nil {
		v.Dur = fmtDuration(run.Duration())
	}
	_, known := u.s.entries[run.Schedule]
	v.CanRerun = known && (run.Status == StatusError || run.Status == StatusCancelled || run.Status == StatusSkipped)
	for _, n := range run.Nodes {
		if n.Status == "error" || n.Status == "fail" || n.Status == "runtime error" {
			v.Failed = append(v.Failed, n)
		}
	}
	v.Gantt = gantt(run, u.s.clock.Now())
	dir := filepath.Join(u.s.hist.dir, run.ID)
	if _, err := os.Stat(filepath.Join(dir, "run_results.json")); err == nil {
		v.HasResults = true
	}
	path := filepath.Join(dir, logFile)
	if fi, err := os.Stat(path); err == nil {
		from := max(fi.Size()-maxPageLog, 0)
		data, _ := readFrom(path, from, maxPageLog)
		v.LogOffset = from + int64(len(data))
		v.Log = string(data)
		if from > 0 {
			v.Log = fmt.Sprintf("… (the first %d bytes are in the full log)\n", from) + v.Log
		}
	}
	u.render(w, "run", v)
}

type scheduleView struct {
	base
	Info     ScheduleInfo
	Chart    []chartBar
	ChartW   int
	ChartH   int
	ChartMax string
	Runs     []runRow
}

type chartBar struct {
	ID, Status, Title string
	X, Y, W, H        float64
}

func (u *ui) schedulePage(w http.ResponseWriter, r *http.Request) {
	e := u.s.entries[r.PathValue("name")]
	if e == nil {
		http.Error(w, "no schedule "+strconv.Quote(r.PathValue("name")), http.StatusNotFound)
		return
	}
	v := scheduleView{base: u.base("Schedule " + e.plan.Name()), Info: u.s.scheduleInfo(e.plan, 5), ChartW: 720, ChartH: 140}
	for _, run := range u.s.hist.list(e.plan.Name(), "", 25) {
		v.Runs = append(v.Runs, rowOf(run))
	}
	// Oldest on the left, like any time series.
	recent := slices.Clone(v.Info.Recent)
	slices.Reverse(recent)
	longest := 0.0
	for _, r := range recent {
		longest = max(longest, r.Seconds)
	}
	if len(recent) > 0 {
		v.ChartMax = fmtDuration(time.Duration(longest * float64(time.Second)))
		slot := float64(v.ChartW) / float64(recentWindow)
		for i, r := range recent {
			h := 2.0
			if longest > 0 {
				h = math.Max(2, r.Seconds/longest*float64(v.ChartH-16))
			}
			v.Chart = append(v.Chart, chartBar{ID: r.ID, Status: r.Status, X: round1(float64(i)*slot + 2), Y: round1(float64(v.ChartH) - h), W: round1(slot - 4), H: round1(h),
				Title: fmt.Sprintf("%s: %s in %s (%s)", r.ID, r.Status, fmtDuration(time.Duration(r.Seconds*float64(time.Second))), r.Trigger)})
		}
	}
	u.render(w, "schedule", v)
}

// ganttView is a run's nodes as bars on thread lanes, in SVG units.
type ganttView struct {
	Width, Height int
	Lanes         []laneView
	Bars          []barView
	Axis          []axisTick
	Unplaced      int
}

type laneView struct {
	Name     string
	Y, TextY float64
}

type barView struct {
	Name, Status, Title, Label string
	X, Y, W, H, LabelX, LabelY float64
}

type axisTick struct {
	X      float64
	Label  string
	Anchor string // SVG text-anchor: the last label ends at its tick
}

const (
	ganttWidth  = 1000
	ganttLabels = 80 // the lane names' column
	ganttLane   = 24
	ganttTop    = 18
)

// gantt lays out the nodes that ran (those with start and end times) on one
// lane per thread; nil when none did.
func gantt(run Run, now time.Time) *ganttView {
	var start, end time.Time
	lanes := map[string]bool{}
	g := &ganttView{Width: ganttWidth}
	for _, n := range run.Nodes {
		if n.StartedAt == nil {
			g.Unplaced++
			continue
		}
		fin := now
		if n.FinishedAt != nil {
			fin = *n.FinishedAt
		}
		if start.IsZero() || n.StartedAt.Before(start) {
			start = *n.StartedAt
		}
		if fin.After(end) {
			end = fin
		}
		lanes[laneName(n.Thread)] = true
	}
	if start.IsZero() {
		return nil
	}
	names := make([]string, 0, len(lanes))
	for l := range lanes {
		names = append(names, l)
	}
	sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	index := map[string]int{}
	for i, l := range names {
		index[l] = i
		y := float64(ganttTop + i*ganttLane)
		g.Lanes = append(g.Lanes, laneView{Name: l, Y: y, TextY: y + 16})
	}
	g.Height = ganttTop + len(names)*ganttLane + 2
	total := end.Sub(start)
	if total <= 0 {
		total = time.Millisecond
	}
	span := float64(ganttWidth - ganttLabels - 10)
	xOf := func(t time.Time) float64 { return ganttLabels + float64(t.Sub(start))/float64(total)*span }
	for i := 0; i <= 4; i++ {
		at := start.Add(total * time.Duration(i) / 4)
		anchor := "start"
		if i == 4 {
			anchor = "end"
		}
		g.Axis = append(g.Axis, axisTick{X: round1(xOf(at)), Label: fmtDuration(at.Sub(start)), Anchor: anchor})
	}
	for _, n := range run.Nodes {
		if n.StartedAt == nil {
			continue
		}
		fin, status := now, n.Status
		if n.FinishedAt != nil {
			fin = *n.FinishedAt
		} else if status == "" {
			status = StatusRunning
		}
		x, w := xOf(*n.StartedAt), math.Max(xOf(fin)-xOf(*n.StartedAt), 4)
		y := float64(ganttTop+index[laneName(n.Thread)]*ganttLane) + 3
		b := barView{Name: n.Name, Status: status, X: round1(x), Y: y, W: round1(w), H: ganttLane - 6,
			Title: fmt.Sprintf("%s · %s · %s · %s", n.Name, status, fmtDuration(fin.Sub(*n.StartedAt)), laneName(n.Thread))}
		// Label the bar when the name fits (about 6 units a character).
		if w >= float64(len(n.Name))*6+8 {
			b.Label, b.LabelX, b.LabelY = n.Name, round1(x+4), y+13
		}
		g.Bars = append(g.Bars, b)
	}
	return g
}

func laneName(thread string) string {
	if thread == "" {
		return "main"
	}
	return thread
}

// naturalLess orders Thread-2 before Thread-10.
func naturalLess(a, b string) bool {
	pa, na := splitNum(a)
	pb, nb := splitNum(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitNum(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(s[i:])
	return s[:i], n
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// statusClass makes a status usable in a class name ("runtime error").
func statusClass(s string) string { return strings.ReplaceAll(s, " ", "-") }

// fmtDuration is short and readable: 0.42s, 12.3s, 4m05s, 2h03m.
func fmtDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
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
