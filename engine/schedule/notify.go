package schedule

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	neturl "net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/project"
)

// Notification events, as written in `notify: {on: [...]}`.
const (
	EventFailure  = "failure"  // a run ended error or cancelled after its last attempt
	EventRecovery = "recovery" // a run succeeded after the schedule's last run failed
	EventDeadline = "deadline" // a tick's run missed its deadline or max_duration
)

func allEvents() []string { return []string{EventFailure, EventRecovery, EventDeadline} }

// Notifier kinds.
const (
	NotifyWebhook = "webhook" // strata's JSON payload
	NotifySlack   = "slack"   // a Slack-compatible incoming webhook: {"text": ...}
	NotifyEmail   = "email"   // a plain-text mail through SMTP
)

// Notifier is one destination of a schedule's notifications, resolved from
// the `notify:` blocks (values expanded from the environment).
type Notifier struct {
	Kind   string
	URL    string // webhook and slack
	Email  *EmailSettings
	Events []string
}

// EmailSettings is an SMTP destination.
type EmailSettings struct {
	Addr     string // host:port
	From     string
	To       []string
	Username string
	Password string
}

func (n Notifier) wants(event string) bool { return slices.Contains(n.Events, event) }

// describe names the notifier for logs without its secrets.
func (n Notifier) describe() string {
	if n.Kind == NotifyEmail {
		return "email via " + n.Email.Addr
	}
	return n.Kind + " " + redactURL(n.URL)
}

// WebhookPayload is the JSON body posted to a webhook (on_failure_webhook or
// notify.webhook). Event is run_failed, run_recovered or deadline_missed.
type WebhookPayload struct {
	Event       string       `json:"event"`
	RunID       string       `json:"run_id"`
	Schedule    string       `json:"schedule"`
	Status      string       `json:"status"`
	Command     string       `json:"command"`
	Trigger     string       `json:"trigger,omitempty"`
	Attempt     int          `json:"attempt"`
	Tick        time.Time    `json:"tick"`
	StartedAt   time.Time    `json:"started_at"`
	FinishedAt  *time.Time   `json:"finished_at"`
	Message     string       `json:"message,omitempty"`
	FailedNodes []NodeReport `json:"failed_nodes"`
	// Deadline is set on deadline_missed: the time the run had to be done by.
	Deadline *time.Time `json:"deadline,omitempty"`
	// URL is the run's page when the scheduler's url is configured.
	URL string `json:"url,omitempty"`
}

// notice is one notification before it is shaped for a channel.
type notice struct {
	event    string
	run      Run // the run concerned (zero ID: none, e.g. a deadline with no run)
	failed   []NodeReport
	deadline time.Time
	reason   string // deadline: what was late
	tz       *time.Location
}

func payloadEvent(event string) string {
	switch event {
	case EventFailure:
		return "run_failed"
	case EventRecovery:
		return "run_recovered"
	default:
		return "deadline_missed"
	}
}

// enqueue queues n for the schedule's notifiers that want it.
func (s *Scheduler) enqueue(e *entry, n notice) {
	for _, t := range e.plan.Notifiers {
		if t.wants(n.event) {
			if n.failed == nil {
				n.failed = []NodeReport{}
			}
			e.mu.Lock()
			e.outbox = append(e.outbox, n)
			e.mu.Unlock()
			return
		}
	}
}

// drain delivers the schedule's queued notices in order, each delivery
// bounded by the webhook timeout. It returns at once when another goroutine
// is draining (that one delivers what was queued). Callers are goroutines
// shutdown waits for, so notices of runs cut short by shutdown still go out.
func (s *Scheduler) drain(e *entry) {
	e.mu.Lock()
	if e.draining {
		e.mu.Unlock()
		return
	}
	e.draining = true
	for len(e.outbox) > 0 {
		n := e.outbox[0]
		e.outbox = e.outbox[1:]
		e.mu.Unlock()
		s.deliver(e, n)
		e.mu.Lock()
	}
	e.draining = false
	e.mu.Unlock()
}

func (s *Scheduler) deliver(e *entry, n notice) {
	for _, t := range e.plan.Notifiers {
		if !t.wants(n.event) {
			continue
		}
		if err := s.send(t, n); err != nil {
			if t.Kind == NotifyWebhook {
				s.metrics.webhookFails.Inc()
			}
			s.metrics.notifyFails.WithLabelValues(t.Kind).Inc()
			s.log.Error("notification not delivered", "event", n.event, "schedule", e.plan.Name(), "run", n.run.ID, "to", t.describe(), "error", err)
			continue
		}
		s.log.Info("notification delivered", "event", n.event, "schedule", e.plan.Name(), "run", n.run.ID, "to", t.describe())
	}
}

func (s *Scheduler) send(t Notifier, n notice) error {
	switch t.Kind {
	case NotifyWebhook:
		p := WebhookPayload{
			Event: payloadEvent(n.event), RunID: n.run.ID, Schedule: n.run.Schedule, Status: n.run.Status,
			Command: n.run.Command, Trigger: n.run.Trigger, Attempt: n.run.Attempt, Tick: n.run.Tick,
			StartedAt: n.run.StartedAt, FinishedAt: n.run.FinishedAt, Message: n.run.Message,
			FailedNodes: n.failed, URL: s.runURL(n.run.ID),
		}
		if n.event == EventDeadline {
			d := n.deadline.UTC()
			p.Deadline = &d
			p.Message = n.reason
		}
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return s.post(t.URL, body)
	case NotifySlack:
		body, err := json.Marshal(map[string]string{"text": s.slackText(n)})
		if err != nil {
			return err
		}
		return s.post(t.URL, body)
	case NotifyEmail:
		subject, text := s.mailText(n)
		return sendMail(t.Email, subject, text, s.webhookTimeout)
	}
	return fmt.Errorf("unknown notifier %q", t.Kind)
}

// runURL links to a run's page when scheduler.url is set.
func (s *Scheduler) runURL(id string) string {
	if s.baseURL == "" || id == "" {
		return ""
	}
	return strings.TrimRight(s.baseURL, "/") + "/runs/" + neturl.PathEscape(id)
}

// headline is the one-line summary every channel starts with.
func (s *Scheduler) headline(n notice) string {
	name := n.run.Schedule
	switch n.event {
	case EventFailure:
		verb := "failed"
		if n.run.Status == StatusCancelled {
			verb = "was cancelled"
		}
		return fmt.Sprintf("strata: schedule %s %s", name, verb)
	case EventRecovery:
		return fmt.Sprintf("strata: schedule %s recovered", name)
	default:
		return fmt.Sprintf("strata: schedule %s missed its deadline", name)
	}
}

// details are the lines after the headline, shared by Slack and e-mail.
func (s *Scheduler) details(n notice) []string {
	var out []string
	if n.event == EventDeadline {
		loc := n.tz
		if loc == nil {
			loc = time.UTC
		}
		out = append(out, fmt.Sprintf("%s (deadline %s).", n.reason, n.deadline.In(loc).Format("2006-01-02 15:04:05 MST")))
	}
	if n.run.ID != "" {
		line := fmt.Sprintf("Run %s (%s, attempt %d, %s)", n.run.ID, triggerName(n.run.Trigger), n.run.Attempt, n.run.Status)
		if n.run.FinishedAt != nil {
			line += fmt.Sprintf(" took %s", n.run.Duration().Round(time.Second))
		}
		out = append(out, line+".")
		if n.run.Message != "" && n.event != EventRecovery {
			out = append(out, n.run.Message)
		}
	}
	shown, skipped := 0, 0
	for _, f := range n.failed {
		if f.Status == "skipped" {
			skipped++
			continue
		}
		if shown++; shown > 10 {
			out = append(out, "- … and more (see the run)")
			break
		}
		msg, _, _ := strings.Cut(f.Message, "\n")
		out = append(out, fmt.Sprintf("- %s: %s %s", f.Name, f.Status, msg))
	}
	if skipped > 0 {
		out = append(out, fmt.Sprintf("%d downstream node(s) skipped.", skipped))
	}
	if u := s.runURL(n.run.ID); u != "" {
		out = append(out, u)
	}
	return out
}

func triggerName(t string) string {
	if t == "" {
		return TriggerTick
	}
	return t
}

// slackText is the message for a Slack-compatible incoming webhook: mrkdwn
// with &, < and > escaped as Slack requires.
func (s *Scheduler) slackText(n notice) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	icon := map[string]string{EventFailure: ":x:", EventRecovery: ":white_check_mark:", EventDeadline: ":alarm_clock:"}[n.event]
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s*", icon, esc.Replace(s.headline(n)))
	for _, l := range s.details(n) {
		if u := s.runURL(n.run.ID); u != "" && l == u {
			fmt.Fprintf(&b, "\n<%s|open the run>", u)
			continue
		}
		b.WriteString("\n" + esc.Replace(l))
	}
	return b.String()
}

func (s *Scheduler) mailText(n notice) (string, string) {
	subject := s.headline(n)
	if n.event == EventFailure && n.run.Message != "" {
		msg, _, _ := strings.Cut(n.run.Message, "\n")
		subject += ": " + msg
	}
	if len(subject) > 200 {
		subject = subject[:200] + "…"
	}
	return subject, strings.Join(append([]string{s.headline(n), ""}, s.details(n)...), "\n") + "\n"
}

// post delivers a JSON body. It is not tied to any run's context: a run
// cancelled at shutdown is still reported.
func (s *Scheduler) post(url string, body []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "strata-scheduler")
	resp, err := s.webhook.Do(req)
	if err != nil {
		// The URL's path often holds a secret token (Slack, Teams); keep it out of logs.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			ue.URL = redactURL(ue.URL)
		}
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post: server answered %s", resp.Status)
	}
	return nil
}

// redactURL keeps only the scheme and host of a webhook URL.
func redactURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil || u.Host == "" {
		return "(webhook url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// sendMail delivers one plain-text message: implicit TLS on port 465,
// otherwise STARTTLS when the server offers it; PLAIN auth when a username is
// set (net/smtp refuses it without TLS except to localhost).
func sendMail(cfg *EmailSettings, subject, body string, timeout time.Duration) error {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp %q: %w", cfg.Addr, err)
	}
	d := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	tlsConf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if port == "465" {
		conn, err = tls.DialWithDialer(d, "tcp", cfg.Addr, tlsConf)
	} else {
		conn, err = d.Dial("tcp", cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	defer c.Close()
	if err := c.Hello("strata"); err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	if port != "465" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return fmt.Errorf("smtp %s: starttls: %w", cfg.Addr, err)
			}
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			return fmt.Errorf("smtp %s: auth: %w", cfg.Addr, err)
		}
	}
	if err := c.Mail(addrOnly(cfg.From)); err != nil {
		return fmt.Errorf("smtp %s: from %s: %w", cfg.Addr, cfg.From, err)
	}
	for _, to := range cfg.To {
		if err := c.Rcpt(addrOnly(to)); err != nil {
			return fmt.Errorf("smtp %s: to %s: %w", cfg.Addr, to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	if _, err := w.Write(mailMessage(cfg, subject, body)); err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: %w", cfg.Addr, err)
	}
	return c.Quit()
}

func addrOnly(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

func mailMessage(cfg *EmailSettings, subject, body string) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@strata>\r\n",
		cfg.From, strings.Join(cfg.To, ", "), mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), hex.EncodeToString(id))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// checkNotify checks a `notify:` block's values that need no environment.
// line is the block's line (entryLine when unknown).
func checkNotify(n *project.NotifySpec, line, entryLine int) []Problem {
	if n == nil {
		return nil
	}
	var out []Problem
	at := func(lines map[string]int, key string) int {
		if l := lines[key]; l > 0 {
			return l
		}
		if line > 0 {
			return line
		}
		return entryLine
	}
	for _, ev := range n.On {
		if !slices.Contains(allEvents(), ev) {
			out = append(out, Problem{Line: at(n.KeyLines, "on"), Reason: fmt.Sprintf("notify on: unknown event %q (want %s)", ev, strings.Join(allEvents(), ", "))})
		}
	}
	for key, v := range map[string]string{"webhook": n.Webhook, "slack": n.Slack} {
		if v != "" && !envRef.MatchString(v) {
			if err := checkWebhook(v); err != nil {
				out = append(out, Problem{Line: at(n.KeyLines, key), Reason: fmt.Sprintf("notify %s: %v", key, err)})
			}
		}
	}
	if e := n.Email; e != nil {
		el := func(key string) int {
			if l := e.KeyLines[key]; l > 0 {
				return l
			}
			return at(n.KeyLines, "email")
		}
		if e.SMTP == "" {
			out = append(out, Problem{Line: el("smtp"), Reason: "notify email: smtp is missing (write host:port, e.g. smtp.example.com:587)"})
		} else if h, p, err := net.SplitHostPort(e.SMTP); err != nil || h == "" || !isPort(p) {
			out = append(out, Problem{Line: el("smtp"), Reason: fmt.Sprintf("notify email: smtp %q is not host:port (e.g. smtp.example.com:587)", e.SMTP)})
		}
		if e.From == "" {
			out = append(out, Problem{Line: el("from"), Reason: "notify email: from is missing (the sender's address)"})
		} else if _, err := mail.ParseAddress(e.From); err != nil && !envRef.MatchString(e.From) {
			out = append(out, Problem{Line: el("from"), Reason: fmt.Sprintf("notify email: from %q is not an e-mail address", e.From)})
		}
		if len(e.To) == 0 {
			out = append(out, Problem{Line: el("to"), Reason: "notify email: to is missing (one address or a list)"})
		}
		for _, to := range e.To {
			if _, err := mail.ParseAddress(to); err != nil && !envRef.MatchString(to) {
				out = append(out, Problem{Line: el("to"), Reason: fmt.Sprintf("notify email: to %q is not an e-mail address", to)})
			}
		}
		if e.Password != "" && e.Username == "" {
			out = append(out, Problem{Line: el("password"), Reason: "notify email: password is set without username"})
		}
	}
	return out
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536
}

// resolveNotifiers merges the schedule's `notify:` over the `scheduler:`
// one (channel by channel), adds the legacy on_failure_webhook (failures and
// missed deadlines) and expands ${NAME} from the environment.
func resolveNotifiers(spec project.ScheduleSpec, set project.SchedulerSettings, getenv func(string) (string, bool)) ([]Notifier, []Problem) {
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	var problems []Problem
	pick := func(key string, get func(*project.NotifySpec) bool) (*project.NotifySpec, int) {
		for _, c := range []struct {
			n     *project.NotifySpec
			lines map[string]int
			line  int
		}{{spec.Notify, spec.KeyLines, spec.Line}, {set.Notify, set.KeyLines, set.Line}} {
			if c.n != nil && get(c.n) {
				line := c.n.KeyLines[key]
				if line == 0 {
					line = c.lines["notify"]
				}
				if line == 0 {
					line = c.line
				}
				return c.n, line
			}
		}
		return nil, 0
	}
	// A value from the scheduler: block is reported once, as the block's
	// (Index -1), not once per schedule that inherits it.
	owner := func(n *project.NotifySpec) int {
		if n != nil && n == set.Notify && n != spec.Notify {
			return -1
		}
		return 0
	}
	var from *project.NotifySpec
	expand := func(v, what string, line int) string {
		return envRef.ReplaceAllStringFunc(v, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			val, ok := getenv(name)
			if !ok || val == "" {
				problems = append(problems, Problem{Index: owner(from), Line: line, Reason: fmt.Sprintf("%s: environment variable %s is not set (the value refers to ${%s})", what, name, name)})
			}
			return val
		})
	}
	events := allEvents()
	if n, _ := pick("on", func(n *project.NotifySpec) bool { return len(n.On) > 0 }); n != nil {
		events = slices.Clone([]string(n.On))
	}
	var out []Notifier
	webhook := ""
	if n, line := pick("webhook", func(n *project.NotifySpec) bool { return n.Webhook != "" }); n != nil {
		from = n
		webhook = expand(n.Webhook, "notify webhook", line)
		if err := checkWebhook(webhook); err != nil && webhook != "" {
			problems = append(problems, Problem{Index: owner(n), Line: line, Reason: fmt.Sprintf("notify webhook: %v", err)})
		}
		out = append(out, Notifier{Kind: NotifyWebhook, URL: webhook, Events: events})
	}
	if n, line := pick("slack", func(n *project.NotifySpec) bool { return n.Slack != "" }); n != nil {
		from = n
		u := expand(n.Slack, "notify slack", line)
		if err := checkWebhook(u); err != nil && u != "" {
			problems = append(problems, Problem{Index: owner(n), Line: line, Reason: fmt.Sprintf("notify slack: %v", err)})
		}
		out = append(out, Notifier{Kind: NotifySlack, URL: u, Events: events})
	}
	if n, line := pick("email", func(n *project.NotifySpec) bool { return n.Email != nil }); n != nil {
		from = n
		e := n.Email
		el := func(key string) int {
			if l := e.KeyLines[key]; l > 0 {
				return l
			}
			return line
		}
		es := &EmailSettings{
			Addr: expand(e.SMTP, "notify email smtp", el("smtp")), From: expand(e.From, "notify email from", el("from")),
			Username: expand(e.Username, "notify email username", el("username")), Password: expand(e.Password, "notify email password", el("password")),
		}
		for _, to := range e.To {
			es.To = append(es.To, expand(to, "notify email to", el("to")))
		}
		out = append(out, Notifier{Kind: NotifyEmail, Email: es, Events: events})
	}
	legacy := spec.OnFailureWebhook
	if legacy == "" {
		legacy = set.OnFailureWebhook
	}
	if legacy != "" && legacy != webhook {
		out = append(out, Notifier{Kind: NotifyWebhook, URL: legacy, Events: []string{EventFailure, EventDeadline}})
	}
	return out, problems
}
