// Command strata-soak runs `strata schedule` for a bounded time with several
// one-second schedules against a PostgreSQL server of its own, restarts that
// server while the scheduler runs, and prints how the scheduler held up:
// resident memory, open file descriptors and goroutines over the run, the
// runs it recorded and the ticks it lost (there must be none: a tick the
// database was down at is recorded as an error run, not dropped).
//
//	go run ./cmd/strata-soak -strata bin/strata -duration 90s
//
// `make soak` runs it. It exits 1 when a tick was lost, when the scheduler
// died, or when file descriptors or goroutines grew past the warm-up level
// by more than the slack (-fd-slack, -goroutine-slack); it prints the
// figures either way. The server is initdb'd into a temp dir and started on
// a free port (as the postgres user when run as root), never the shared one.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("strata", "bin/strata", "the strata binary")
	duration := flag.Duration("duration", 90*time.Second, "how long the scheduler runs")
	schedules := flag.Int("schedules", 4, "number of @every 1s schedules")
	restarts := flag.Int("restarts", 2, "PostgreSQL restarts during the run (evenly spaced)")
	down := flag.Duration("down", 3*time.Second, "how long PostgreSQL stays down at each restart")
	fdSlack := flag.Int("fd-slack", 8, "file descriptors allowed above the warm-up level at the end")
	grSlack := flag.Int("goroutine-slack", 20, "goroutines allowed above the warm-up level at the end")
	flag.Parse()
	if err := run(*bin, *duration, *schedules, *restarts, *down, *fdSlack, *grSlack); err != nil {
		fmt.Fprintln(os.Stderr, "strata-soak:", err)
		os.Exit(1)
	}
}

type sample struct {
	at         time.Duration
	rssKB      int
	fds        int
	goroutines int
}

func run(bin string, duration time.Duration, n, restarts int, down time.Duration, fdSlack, grSlack int) error {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("no strata binary at %s (make build): %w", bin, err)
	}
	pg, err := startPostgres()
	if err != nil {
		return err
	}
	defer pg.close()

	dir, err := os.MkdirTemp("", "strata-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeProject(dir, pg.port, n); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(dir, "scheduler.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(abs, "schedule", "--addr", addr, "--project-dir", dir)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	}()
	if err := waitHealthy(addr, exited, 60*time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, tail(logf.Name()))
	}
	fmt.Printf("strata schedule: %d schedules @every 1s on a PostgreSQL of its own (port %d) for %s, %d restart(s) of %s\n",
		n, pg.port, duration, restarts, down)

	start := time.Now()
	var samples []sample
	nextRestart := 1
	var restartErrs []string
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for time.Since(start) < duration {
		select {
		case err := <-exited:
			return fmt.Errorf("the scheduler exited during the soak (%v)\n%s", err, tail(logf.Name()))
		case <-tick.C:
		}
		s := sample{at: time.Since(start).Round(time.Second)}
		s.rssKB, s.fds = procStats(cmd.Process.Pid)
		s.goroutines = scrapeGoroutines(addr)
		samples = append(samples, s)
		if nextRestart <= restarts && time.Since(start) >= duration*time.Duration(nextRestart)/time.Duration(restarts+1) {
			fmt.Printf("  %5s  restarting PostgreSQL (down for %s)\n", time.Since(start).Round(time.Second), down)
			if err := pg.ctl("stop", "-m", "fast", "-w"); err != nil {
				restartErrs = append(restartErrs, "stop: "+err.Error())
			}
			time.Sleep(down)
			if err := pg.start(); err != nil {
				restartErrs = append(restartErrs, "start: "+err.Error())
			}
			nextRestart++
		}
	}
	runs, err := fetchRuns(addr)
	if err != nil {
		return err
	}
	stopSent := time.Now()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		exitErr = errors.New("did not exit within 60 s of SIGTERM")
		<-exited
	}
	stopTook := time.Since(stopSent)

	// Every tick between a schedule's first recorded tick and the last whole
	// second before the end must have a record (success, error, skipped or
	// cancelled); retries of a tick share its time.
	end := start.Add(duration).Add(-2 * time.Second) // a tick in the last instants may still be going
	byStatus := map[string]int{}
	ticks := map[string]map[int64]bool{}
	for _, r := range runs {
		byStatus[r.Status]++
		if ticks[r.Schedule] == nil {
			ticks[r.Schedule] = map[int64]bool{}
		}
		ticks[r.Schedule][r.Tick.Unix()] = true
	}
	lost := 0
	var lostAt []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("s%d", i)
		seen := ticks[name]
		if len(seen) == 0 {
			lost++
			lostAt = append(lostAt, name+": no runs at all")
			continue
		}
		first := slices.Min(mapKeys(seen))
		for t := first; t <= end.Unix(); t++ {
			if !seen[t] {
				lost++
				if len(lostAt) < 10 {
					lostAt = append(lostAt, fmt.Sprintf("%s at %s", name, time.Unix(t, 0).UTC().Format(time.TimeOnly)))
				}
			}
		}
	}

	fmt.Println()
	fmt.Println("   time     RSS    fds  goroutines")
	for i, s := range samples {
		if i%10 == 0 || i == len(samples)-1 {
			fmt.Printf("  %5s  %4d MB  %4d  %10d\n", s.at, s.rssKB/1024, s.fds, s.goroutines)
		}
	}
	warm := samples[min(len(samples)-1, 10)]
	last := samples[len(samples)-1]
	maxRSS := 0
	for _, s := range samples {
		maxRSS = max(maxRSS, s.rssKB)
	}
	statuses := make([]string, 0, len(byStatus))
	for k, v := range byStatus {
		statuses = append(statuses, fmt.Sprintf("%s=%d", k, v))
	}
	slices.Sort(statuses)
	fmt.Println()
	fmt.Printf("RSS:         %d MB after warm-up, %d MB at the end, %d MB peak\n", warm.rssKB/1024, last.rssKB/1024, maxRSS/1024)
	fmt.Printf("fds:         %d after warm-up, %d at the end (slack %d)\n", warm.fds, last.fds, fdSlack)
	fmt.Printf("goroutines:  %d after warm-up, %d at the end (slack %d)\n", warm.goroutines, last.goroutines, grSlack)
	fmt.Printf("runs:        %d recorded (%s)\n", len(runs), strings.Join(statuses, " "))
	fmt.Printf("runs lost:   %d (must be 0)\n", lost)
	fmt.Printf("shutdown:    exit after SIGTERM in %s (%v)\n", stopTook.Round(time.Millisecond), exitStatus(exitErr))

	var problems []string
	if lost > 0 {
		problems = append(problems, fmt.Sprintf("%d tick(s) lost: %s", lost, strings.Join(lostAt, ", ")))
	}
	if last.fds > warm.fds+fdSlack {
		problems = append(problems, fmt.Sprintf("file descriptors grew from %d to %d", warm.fds, last.fds))
	}
	if last.goroutines > warm.goroutines+grSlack {
		problems = append(problems, fmt.Sprintf("goroutines grew from %d to %d", warm.goroutines, last.goroutines))
	}
	if byStatus["error"] == 0 && restarts > 0 {
		problems = append(problems, "no error run recorded while PostgreSQL was down: the outage went unnoticed")
	}
	if exitErr != nil {
		problems = append(problems, "the scheduler did not exit cleanly: "+exitErr.Error())
	}
	problems = append(problems, restartErrs...)
	if len(problems) > 0 {
		return fmt.Errorf("soak failed:\n  %s\n%s", strings.Join(problems, "\n  "), tail(logf.Name()))
	}
	fmt.Println("soak passed")
	return nil
}

func mapKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func exitStatus(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func writeProject(dir string, port, n int) error {
	var b strings.Builder
	b.WriteString("name: soak\nprofile: soak\nschedules:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - name: s%d\n    cron: \"@every 1s\"\n    select: [\"m%d+\"]\n", i, i)
	}
	files := map[string]string{
		"project.yaml": b.String(),
		"profiles.yaml": fmt.Sprintf(`soak:
  target: pg
  outputs:
    pg:
      type: postgres
      host: 127.0.0.1
      port: %d
      user: postgres
      dbname: postgres
      schema: soak
      threads: 2
`, port),
	}
	for i := 1; i <= n; i++ {
		files[fmt.Sprintf("models/m%d.sql", i)] = fmt.Sprintf("{{ config(materialized='table') }}\nselect g as id, g * %d as amount from generate_series(1, 100) g\n", i)
		files[fmt.Sprintf("models/v%d.sql", i)] = fmt.Sprintf("select id, amount from {{ ref('m%d') }} where amount > 10\n", i)
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// procStats reads the process's resident set (kB) and open descriptors.
func procStats(pid int) (rssKB, fds int) {
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				rssKB, _ = strconv.Atoi(strings.Fields(v)[0])
			}
		}
		f.Close()
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		fds = len(ents)
	}
	return rssKB, fds
}

// scrapeGoroutines reads strata_go_goroutines from the scheduler's /metrics.
func scrapeGoroutines(addr string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "strata_go_goroutines "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int(f)
		}
	}
	return -1
}

type runRecord struct {
	Schedule string    `json:"schedule"`
	Status   string    `json:"status"`
	Tick     time.Time `json:"tick"`
	Attempt  int       `json:"attempt"`
}

func fetchRuns(addr string) ([]runRecord, error) {
	resp, err := http.Get("http://" + addr + "/api/runs?limit=0")
	if err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	defer resp.Body.Close()
	var runs []runRecord
	if err := json.NewDecoder(resp.Body).Decode(&runs); err != nil {
		return nil, fmt.Errorf("reading the run history: %w", err)
	}
	return runs, nil
}

func waitHealthy(addr string, exited <-chan error, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("strata schedule exited at start (%v)", err)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("strata schedule did not answer on %s within %s", addr, within)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "scheduler log (last lines):\n" + strings.Join(lines, "\n")
}

// postgres is a throwaway server in a temp dir.
type postgres struct {
	bin, dir string
	port     int
	as       []string // runuser prefix when running as root
}

func startPostgres() (*postgres, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return nil, errors.New("no initdb under /usr/lib/postgresql/*/bin: install PostgreSQL's server package")
	}
	slices.Sort(matches)
	pg := &postgres{bin: filepath.Dir(matches[len(matches)-1])}
	dir, err := os.MkdirTemp("", "strata-soak-pg-")
	if err != nil {
		return nil, err
	}
	pg.dir = dir
	if os.Geteuid() == 0 {
		pg.as = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("handing %s to the postgres user: %v %s", dir, err, out)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	pg.port, _ = strconv.Atoi(port)
	if err := pg.exec(filepath.Join(pg.bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := pg.start(); err != nil {
		pg.close()
		return nil, err
	}
	return pg, nil
}

func (pg *postgres) exec(args ...string) error {
	full := append(slices.Clone(pg.as), args...)
	out, err := exec.Command(full[0], full[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", filepath.Base(args[0]), err, out)
	}
	return nil
}

func (pg *postgres) ctl(args ...string) error {
	return pg.exec(append([]string{filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(pg.dir, "data")}, args...)...)
}

func (pg *postgres) start() error {
	return pg.ctl("-l", filepath.Join(pg.dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir), "start")
}

func (pg *postgres) close() {
	_ = pg.ctl("stop", "-m", "immediate", "-w")
	os.RemoveAll(pg.dir)
}
