package schedule

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/project"
)

// smtpServer is a minimal SMTP server for tests: it accepts every message and
// keeps it.
type smtpServer struct {
	Addr string
	ln   net.Listener
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct {
	From string
	To   []string
	Data string
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{Addr: ln.Addr().String(), ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test.local ESMTP")
	var m mailMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		up := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(up, "EHLO"), strings.HasPrefix(up, "HELO"):
			say("250-test.local")
			say("250 8BITMIME")
		case strings.HasPrefix(up, "MAIL FROM:"):
			m = mailMsg{From: angle(cmd)}
			say("250 OK")
		case strings.HasPrefix(up, "RCPT TO:"):
			m.To = append(m.To, angle(cmd))
			say("250 OK")
		case up == "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.TrimRight(l, "\r\n") == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = decodeMail(b.String())
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 OK queued")
		case up == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

// angle is the address between < and > in an SMTP command.
func angle(cmd string) string {
	_, rest, _ := strings.Cut(cmd, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// decodeMail undoes the body's quoted-printable encoding (headers stay).
func decodeMail(data string) string {
	head, body, _ := strings.Cut(data, "\r\n\r\n")
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		return data
	}
	return head + "\r\n\r\n" + string(dec)
}

func (s *smtpServer) messages() []mailMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailMsg(nil), s.msgs...)
}

// notifiers is one webhook, one Slack-compatible endpoint and one SMTP
// server, all recording what they get.
type notifiers struct {
	hook, slack *hookServer
	mail        *smtpServer
}

func newNotifiers(t *testing.T) *notifiers {
	return &notifiers{hook: newHookServer(t, 200), slack: newHookServer(t, 200), mail: newSMTPServer(t)}
}

// spec is a notify block using all three; the Slack URL comes from the
// environment to exercise ${NAME}.
func (n *notifiers) spec() *project.NotifySpec {
	return &project.NotifySpec{Webhook: n.hook.URL + "/strata", Slack: "${SLACK_URL}",
		Email: &project.EmailSpec{SMTP: n.mail.Addr, From: "strata <strata@example.com>", To: project.StringList{"oncall@example.com"}}}
}

func (n *notifiers) getenv(name string) (string, bool) {
	if name == "SLACK_URL" {
		return n.slack.URL + "/services/T1/B2/secret", true
	}
	return "", false
}

// events lists what each channel received, by event word.
func (n *notifiers) events() (hook, slack, mail []string) {
	n.hook.mu.Lock()
	for _, p := range n.hook.posts {
		hook = append(hook, fmt.Sprint(p["event"]))
	}
	n.hook.mu.Unlock()
	n.slack.mu.Lock()
	for _, p := range n.slack.posts {
		text := fmt.Sprint(p["text"])
		for _, w := range []string{"missed its deadline", "failed", "recovered", "was cancelled"} {
			if strings.Contains(text, w) {
				slack = append(slack, w)
				break
			}
		}
	}
	n.slack.mu.Unlock()
	for _, m := range n.mail.messages() {
		for _, w := range []string{"missed its deadline", "failed", "recovered", "was cancelled"} {
			if strings.Contains(m.Data, "Subject: strata: schedule") && strings.Contains(strings.SplitN(m.Data, "\r\n\r\n", 2)[0], w) {
				mail = append(mail, w)
				break
			}
		}
	}
	return
}

func TestMissedDeadlineAndMaxDurationFireEveryNotifier(t *testing.T) {
	n := newNotifiers(t)
	// 01:59:59.25 in India: the nightly ticks at 02:00 IST and must be done by 02:30.
	clock := newFakeClock(time.Date(2026, 1, 1, 20, 29, 59, 250_000_000, time.UTC))
	release := make(chan struct{})
	var c calls
	h := start(t, Options{
		Clock:    clock,
		Specs:    []project.ScheduleSpec{{Name: "nightly", Cron: "0 2 * * *", Timezone: "Asia/Kolkata", Deadline: "02:30", MaxDuration: "10m"}},
		Settings: project.SchedulerSettings{Notify: n.spec(), URL: "https://strata.example.com/"},
		Getenv:   n.getenv,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			if c.add(req) == 1 {
				<-release
			}
			return ok("m"), nil
		},
	})
	h.advance(time.Second) // 02:00 IST: the run starts and hangs
	waitFor(t, "the run to start", func() bool { return len(c.list()) == 1 })
	h.advance(10 * time.Minute) // past max_duration
	waitFor(t, "the max_duration notices", func() bool { _, _, m := n.events(); return len(m) == 1 })
	h.advance(20 * time.Minute) // 02:30:00.25 IST: past the deadline
	waitFor(t, "the deadline notices", func() bool { h, s, m := n.events(); return len(h) == 2 && len(s) == 2 && len(m) == 2 })
	hook, slack, mail := n.events()
	for what, got := range map[string][]string{"webhook": hook, "slack": slack, "email": mail} {
		for _, ev := range got {
			if ev != "deadline_missed" && ev != "missed its deadline" {
				t.Errorf("%s got %v, want two deadline notices", what, got)
			}
		}
	}
	if counter(t, h.s, "nightly", EventDeadline) != 1 || counter(t, h.s, "nightly", "max_duration") != 1 {
		t.Error("strata_schedule_deadline_missed_total does not count one deadline and one max_duration")
	}
	n.hook.mu.Lock()
	p := n.hook.posts[1]
	n.hook.mu.Unlock()
	if p["deadline"] != "2026-01-01T21:00:00Z" || p["schedule"] != "nightly" || !strings.Contains(fmt.Sprint(p["message"]), "still going at the deadline") ||
		p["url"] != "https://strata.example.com/runs/20260101T203000Z-nightly-a1" || p["status"] != StatusRunning {
		t.Errorf("deadline payload = %v", p)
	}
	mails := n.mail.messages()
	if m := mails[1]; m.From != "strata@example.com" || len(m.To) != 1 || m.To[0] != "oncall@example.com" ||
		!strings.Contains(m.Data, "02:30:00 IST") || !strings.Contains(m.Data, "Run 20260101T203000Z-nightly-a1") {
		t.Errorf("deadline mail = %+v", m)
	}
	if strings.Contains(h.logs.String(), "secret") {
		t.Error("the Slack URL's secret reached the log")
	}
	close(release)
	runs := h.waitRuns(1, StatusSuccess)
	if !strings.Contains(runs[0].Late, "max_duration of 10m") {
		t.Errorf("the late run is not marked late: %+v", runs[0])
	}

	// The next night's run succeeds at once: no notice.
	h.advance(24*time.Hour - 30*time.Minute)
	h.waitRuns(2, StatusSuccess)
	h.advance(time.Hour)
	time.Sleep(50 * time.Millisecond)
	if hook, _, _ := n.events(); len(hook) != 2 {
		t.Errorf("a run that met its deadline was reported: %v", hook)
	}
}

func TestFailureAndRecoveryNotices(t *testing.T) {
	n := newNotifiers(t)
	var c calls
	spec := n.spec()
	spec.On = project.StringList{"failure", "recovery"}
	h := start(t, Options{
		Specs:  []project.ScheduleSpec{{Name: "hourly", Cron: "@every 1s", Notify: spec}},
		Getenv: n.getenv,
		Run: func(ctx context.Context, req RunRequest) (RunReport, error) {
			switch c.add(req) {
			case 1:
				return RunReport{Status: StatusError, Nodes: []NodeReport{
					{Name: "fct_loans", Status: "error", Message: "division by zero\nLINE 3"},
					{Name: "mart", Status: "skipped"},
				}}, nil
			case 2:
				return RunReport{}, errors.New("profile prod not found")
			}
			return ok("m"), nil
		},
	})
	for i := 1; i <= 4; i++ {
		h.advance(time.Second)
		// Each run must have finished before the next tick, or that tick
		// is skipped as overlapping.
		waitFor(t, "the run", func() bool { return len(c.list()) == i && h.idle() })
	}
	waitFor(t, "three notices on each channel", func() bool { h, s, m := n.events(); return len(h) == 3 && len(s) == 3 && len(m) == 3 })
	time.Sleep(50 * time.Millisecond)
	hook, slack, mail := n.events()
	if want := "run_failed run_failed run_recovered"; strings.Join(hook, " ") != want {
		t.Errorf("webhook got %v, want %s (no second recovery)", hook, want)
	}
	if strings.Join(slack, ",") != "failed,failed,recovered" || strings.Join(mail, ",") != "failed,failed,recovered" {
		t.Errorf("slack got %v, mail got %v", slack, mail)
	}
	n.slack.mu.Lock()
	text := fmt.Sprint(n.slack.posts[0]["text"])
	n.slack.mu.Unlock()
	if !strings.Contains(text, "- fct_loans: error division by zero") || strings.Contains(text, "LINE 3") || !strings.Contains(text, "1 downstream node(s) skipped") {
		t.Errorf("slack text = %q", text)
	}
	m := n.mail.messages()[0]
	if !strings.Contains(m.Data, "Subject: strata: schedule hourly failed: 1 node(s) failed: fct_loans") {
		t.Errorf("mail = %s", m.Data)
	}
}

func TestNotifyValidation(t *testing.T) {
	specs := []project.ScheduleSpec{{
		Name: "n", Cron: "@daily", Line: 10, KeyLines: map[string]int{"notify": 12},
		Notify: &project.NotifySpec{
			On: project.StringList{"failure", "sometimes"}, Webhook: "ftp://x", Slack: "${NOPE}",
			KeyLines: map[string]int{"on": 13, "webhook": 14, "slack": 15, "email": 16},
			Email: &project.EmailSpec{SMTP: "smtp.example.com", From: "not an address", Password: "x",
				KeyLines: map[string]int{"smtp": 17, "from": 18, "password": 19}},
		},
	}}
	_, err := Check(specs, project.SchedulerSettings{}, nil)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Check = %v", err)
	}
	for _, want := range []string{
		`project.yaml:13: schedule "n": notify on: unknown event "sometimes"`,
		`project.yaml:14: schedule "n": notify webhook: "ftp://x" is not an http(s) URL`,
		`project.yaml:17: schedule "n": notify email: smtp "smtp.example.com" is not host:port`,
		`project.yaml:18: schedule "n": notify email: from "not an address" is not an e-mail address`,
		`project.yaml:16: schedule "n": notify email: to is missing`,
		`project.yaml:19: schedule "n": notify email: password is set without username`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	// The environment is checked once the rest is valid.
	specs[0].Notify = &project.NotifySpec{Slack: "${NOPE}", KeyLines: map[string]int{"slack": 15}}
	_, err = Check(specs, project.SchedulerSettings{}, func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), `project.yaml:15: schedule "n": notify slack: environment variable NOPE is not set`) {
		t.Errorf("unset variable: %v", err)
	}
	// One from the scheduler: block is reported once, as the block's.
	two := []project.ScheduleSpec{{Name: "a", Cron: "@daily"}, {Name: "b", Cron: "@daily"}}
	_, err = Check(two, project.SchedulerSettings{Notify: &project.NotifySpec{Slack: "${NOPE}", KeyLines: map[string]int{"slack": 30}}}, nil)
	if err == nil || err.Error() != "project.yaml:30: scheduler: notify slack: environment variable NOPE is not set (the value refers to ${NOPE})" {
		t.Errorf("unset variable in scheduler: = %v", err)
	}
}

func TestOnlyTheReplicaThatRanATickWatchesItsDeadline(t *testing.T) {
	hook := newHookServer(t, 200)
	clock := newFakeClock(time.Date(2026, 1, 1, 1, 59, 59, 0, time.UTC))
	locker := &MemLocker{}
	specs := []project.ScheduleSpec{{Name: "nightly", Cron: "0 2 * * *", Deadline: "02:10", Notify: &project.NotifySpec{Webhook: hook.URL}}}
	var c calls
	run := func(ctx context.Context, req RunRequest) (RunReport, error) { c.add(req); return ok("m"), nil }
	a := start(t, Options{Specs: specs, Clock: clock, Locker: locker, Run: run})
	b := start(t, Options{Specs: specs, Clock: clock, Locker: locker, Run: run})
	waitFor(t, "both replicas to wait", func() bool { return clock.pending() == 2 })
	clock.Advance(time.Second)
	waitFor(t, "the tick's run", func() bool {
		return runsCounter(a.s, "nightly", StatusSuccess)+runsCounter(b.s, "nightly", StatusSuccess) == 1 && a.idle() && b.idle()
	})
	waitFor(t, "both replicas to wait again", func() bool { return clock.pending() >= 2 })
	clock.Advance(15 * time.Minute)
	time.Sleep(100 * time.Millisecond)
	if n := hook.count(); n != 0 {
		t.Errorf("%d deadline notices for a tick that succeeded on the other replica", n)
	}
	if counter(t, a.s, "nightly", EventDeadline)+counter(t, b.s, "nightly", EventDeadline) != 0 {
		t.Error("a deadline was counted as missed")
	}
}
