// Command schedbench measures the scheduler's idle memory and how late it
// wakes for its ticks, for `make bench`:
//
//	go run ./engine/schedule/schedbench -schedules 10 -duration 15s
//
// It runs a Scheduler with `@every 1s` schedules whose run function does no
// work, serves and scrapes its HTTP handler once, then reports tick lateness
// (time from a tick to its run function being called) and the process's
// resident memory. It prints figures; it does not fail on them unless -check
// is given. Not for concurrent use: it is a program.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/schedule"
)

type result struct {
	Schedules     int     `json:"schedules"`
	Seconds       float64 `json:"seconds"`
	Runs          int     `json:"runs"`
	Skipped       int     `json:"skipped"`
	LatenessP50Ms float64 `json:"tick_lateness_p50_ms"`
	LatenessP95Ms float64 `json:"tick_lateness_p95_ms"`
	LatenessMaxMs float64 `json:"tick_lateness_max_ms"`
	IdleRSSMB     float64 `json:"idle_rss_mb"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
}

func main() {
	n := flag.Int("schedules", 10, "number of `@every 1s` schedules")
	dur := flag.Duration("duration", 10*time.Second, "how long to run the scheduler")
	asJSON := flag.Bool("json", false, "print one JSON object instead of text")
	check := flag.Bool("check", false, "exit 1 when idle RSS is 40 MB or more or a tick is 1 s late or more")
	flag.Parse()
	res, err := bench(*n, *dur)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schedbench:", err)
		os.Exit(1)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Printf("scheduler: %d schedules @every 1s for %.0fs: %d runs, %d skipped\n", res.Schedules, res.Seconds, res.Runs, res.Skipped)
		fmt.Printf("tick lateness: p50 %.1f ms, p95 %.1f ms, max %.1f ms (target: under 1000 ms)\n", res.LatenessP50Ms, res.LatenessP95Ms, res.LatenessMaxMs)
		fmt.Printf("idle RSS: %.1f MB (peak %.1f MB; target: under 40 MB)\n", res.IdleRSSMB, res.PeakRSSMB)
	}
	if *check && (res.IdleRSSMB >= 40 || res.LatenessMaxMs >= 1000 || res.Runs == 0) {
		os.Exit(1)
	}
}

func bench(n int, dur time.Duration) (result, error) {
	dir, err := os.MkdirTemp("", "schedbench")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)

	var mu sync.Mutex
	var late []time.Duration
	specs := make([]project.ScheduleSpec, n)
	for i := range specs {
		specs[i] = project.ScheduleSpec{Name: fmt.Sprintf("s%02d", i), Cron: "@every 1s"}
	}
	s, err := schedule.New(schedule.Options{
		Specs:      specs,
		HistoryDir: filepath.Join(dir, "runs"),
		Run: func(ctx context.Context, req schedule.RunRequest) (schedule.RunReport, error) {
			d := time.Since(req.Tick)
			mu.Lock()
			late = append(late, d)
			mu.Unlock()
			return schedule.RunReport{Status: schedule.StatusSuccess, Nodes: []schedule.NodeReport{{Name: "m", Status: "success"}}}, nil
		},
	})
	if err != nil {
		return result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(dur / 2)
	for _, path := range []string{"/metrics", "/api/runs", "/"} {
		if err := scrape("http://" + ln.Addr().String() + path); err != nil {
			cancel()
			return result{}, err
		}
	}
	time.Sleep(dur - dur/2)
	// Between ticks the scheduler is idle: sample memory half-way to the next one.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1500 * time.Millisecond)))
	rss, peak := memory()
	cancel()
	if err := <-done; err != nil {
		return result{}, err
	}

	res := result{Schedules: n, Seconds: dur.Seconds(), IdleRSSMB: rss, PeakRSSMB: peak}
	for _, r := range s.Runs() { // the retained history (default 200 runs)
		if r.Status == schedule.StatusSkipped {
			res.Skipped++
		}
	}
	mu.Lock()
	res.Runs = len(late)
	slices.Sort(late)
	if len(late) > 0 {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		res.LatenessP50Ms = ms(late[len(late)/2])
		res.LatenessP95Ms = ms(late[len(late)*95/100])
		res.LatenessMaxMs = ms(late[len(late)-1])
	}
	mu.Unlock()
	return res, nil
}

func scrape(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return err
}

// memory returns VmRSS and VmHWM in MB from /proc/self/status (Linux).
func memory() (rss, peak float64) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}
