package main

// PostgreSQL going away under a running strata, through the real binary: a
// server that stops answering (a throwaway server this test starts with
// initdb on a port of its own and freezes with SIGSTOP, never the shared
// one), and a strata killed with SIGKILL while its query runs.

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// cancelBound is the bound for a cancel when the server stops
// answering: from the signal to strata's exit.
const cancelBound = 2 * time.Second

// pgBinary finds a PostgreSQL server program on PATH or in Debian's
// /usr/lib/postgresql/<version>/bin.
func pgBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

// throwawayServer is a PostgreSQL server of this test's own.
type throwawayServer struct {
	port int
	cmd  *exec.Cmd
}

// startThrowawayPostgres initdbs a cluster in a temp dir and starts it on a
// free port (as the postgres user when the test runs as root, which
// PostgreSQL refuses to be). It is stopped, and thawed first, at cleanup.
func startThrowawayPostgres(t *testing.T) *throwawayServer {
	t.Helper()
	if os.Getenv("STRATA_TEST_POSTGRES_DSN") == "" {
		t.Skip("PostgreSQL tests skipped: set STRATA_TEST_POSTGRES_DSN (this one starts a server of its own)")
	}
	initdb, postgres := pgBinary("initdb"), pgBinary("postgres")
	if initdb == "" || postgres == "" {
		t.Skip("initdb and postgres are not installed")
	}
	dir, err := os.MkdirTemp("", "strata-pg-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to run a server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	as := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := as(exec.Command(initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &throwawayServer{port: port}
	s.cmd = as(exec.Command(postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=20"))
	log, _ := os.Create(filepath.Join(dir, "server.log"))
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	t.Cleanup(func() {
		s.signalAll(syscall.SIGCONT)
		_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		log.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := pgx.Connect(context.Background(), s.dsn())
		if err == nil {
			c.Close(context.Background())
			return s
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("the throwaway server did not start: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *throwawayServer) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// signalAll sends sig to the postmaster and every backend it started.
func (s *throwawayServer) signalAll(sig syscall.Signal) {
	pids := []int{s.cmd.Process.Pid}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(s.cmd.Process.Pid) {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
}

// TestCancelWhenServerStopsAnswering: the server (postmaster and backends)
// stops answering while a model's query runs; Ctrl-C makes strata exit 1
// within 2 s, with the node recorded cancelled.
func TestCancelWhenServerStopsAnswering(t *testing.T) {
	t.Parallel()
	srv := startThrowawayPostgres(t)
	p := newProj(t, "reliability", "postgres")
	p.env["PGHOST"], p.env["PGPORT"], p.env["PGUSER"], p.env["PGPASSWORD"], p.env["PGDATABASE"] = "127.0.0.1", strconv.Itoa(srv.port), "postgres", "", "postgres"
	p.env["PGSCHEMA"] = "outage"
	if o := p.run("run", "-s", "base"); o.code != 0 {
		t.Fatalf("setup build on the throwaway server:\n%s", o)
	}
	pg, err := pgx.Connect(context.Background(), srv.dsn())
	if err != nil {
		t.Fatal(err)
	}
	r := p.start(t, "run", "-s", "sleepy", "--vars", "{sleepy: true}")
	r.waitFor(t, time.Minute, `START sql table model \S*sleepy`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := pg.QueryRow(context.Background(), "select count(*) from pg_stat_activity where state = 'active' and query like '%pg_sleep(60)%' and pid <> pg_backend_pid()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the model's query never showed up on the server")
		}
		time.Sleep(50 * time.Millisecond)
	}
	pg.Close(context.Background())
	srv.signalAll(syscall.SIGSTOP)
	time.Sleep(200 * time.Millisecond)
	sent := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	o := r.finish(t, time.Minute)
	took := time.Since(sent)
	t.Logf("exit %d %v after SIGINT, the server stopped", o.code, took.Round(time.Millisecond))
	if o.code != 1 {
		t.Errorf("want exit 1\n%s", o)
	}
	if took > cancelBound {
		t.Errorf("exit %v after SIGINT, want at most %v\n%s", took, cancelBound, o)
	}
	wantStatus(t, p.runResults(), "model.p.sleepy", "cancelled", "")
}

// TestKilledStrataQueryEnds: strata killed with SIGKILL mid-query leaves no
// query running on the server: the session's dead-client check ends it
// within seconds.
func TestKilledStrataQueryEnds(t *testing.T) {
	t.Parallel()
	p := newProj(t, "reliability", "postgres")
	pg := p.pgConn()
	if o := p.run("run", "-s", "base"); o.code != 0 {
		t.Fatalf("setup build:\n%s", o)
	}
	r := p.start(t, "run", "-s", "sleepy", "--vars", "{sleepy: true}")
	r.waitFor(t, time.Minute, `START sql table model \S*sleepy`)
	p.waitQueryRunning(pg)
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	for p.activeSleeps(pg) > 0 {
		if time.Since(killed) > 10*time.Second {
			t.Fatalf("the killed strata's query still runs on the server 10 s later")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the orphaned query ended %v after SIGKILL", time.Since(killed).Round(time.Millisecond))
}
