package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"time"
)

// WebhookPayload is the JSON body posted to on_failure_webhook when a run ends
// error or cancelled (after its last retry).
type WebhookPayload struct {
	Event       string       `json:"event"` // always "run_failed"
	RunID       string       `json:"run_id"`
	Schedule    string       `json:"schedule"`
	Status      string       `json:"status"`
	Command     string       `json:"command"`
	Attempt     int          `json:"attempt"`
	Tick        time.Time    `json:"tick"`
	StartedAt   time.Time    `json:"started_at"`
	FinishedAt  *time.Time   `json:"finished_at"`
	Message     string       `json:"message,omitempty"`
	FailedNodes []NodeReport `json:"failed_nodes"`
}

func (s *Scheduler) postWebhook(e *entry, run Run, rep RunReport) {
	url := e.plan.Spec.OnFailureWebhook
	if url == "" {
		url = s.defaultHook
	}
	if url == "" {
		return
	}
	failed := []NodeReport{}
	for _, n := range rep.Nodes {
		if n.failed() {
			failed = append(failed, n)
		}
	}
	body, err := json.Marshal(WebhookPayload{
		Event: "run_failed", RunID: run.ID, Schedule: run.Schedule, Status: run.Status,
		Command: run.Command, Attempt: run.Attempt, Tick: run.Tick, StartedAt: run.StartedAt,
		FinishedAt: run.FinishedAt, Message: run.Message, FailedNodes: failed,
	})
	if err == nil {
		err = s.deliver(url, body)
	}
	if err != nil {
		s.metrics.webhookFails.Inc()
		s.log.Error("failure webhook not delivered", "run", run.ID, "url", redactURL(url), "error", err)
		return
	}
	s.log.Info("failure webhook delivered", "run", run.ID, "url", redactURL(url))
}

func (s *Scheduler) deliver(url string, body []byte) error {
	// Not tied to the run's context: a run cancelled at shutdown is still reported.
	ctx, cancel := context.WithTimeout(context.Background(), s.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build webhook request: %w", err)
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
		return fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post webhook: server answered %s", resp.Status)
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
