package main

// The scheduler's run-history pages in headless Chromium, against the real
// binary: the run list and its filters, a run's Gantt chart (one bar per
// node that ran), a failed node's error and SQL, the buttons (re-run, pause),
// the schedule page and a running run's log streaming in. With
// STRATA_UPDATE_SCREENSHOTS=1 it also writes the README's screenshots.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// schedBrowser starts headless Chromium with a fresh profile.
func schedBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first action starts the browser; its context must not time out.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// warehouse is a small project whose build spreads over four threads and
// fails in one model (and skips what depends on it).
var warehouse = map[string]string{
	"project.yaml": `name: finhouse
profile: finhouse
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Asia/Kolkata
    deadline: "06:00"
  - name: hourly
    cron: "0 * * * *"
    select: [tag:hourly]
  - name: slow
    cron: "0 3 * * 0"
    timeout: 4s
    select: [slow]
`,
	"models/stg_customers.sql":      "{{ config(materialized='table', tags=['hourly']) }}\nselect i as customer_id, 'c' || i as name from range(200000) t(i)\n",
	"models/stg_accounts.sql":       "{{ config(materialized='table', tags=['hourly']) }}\nselect i as account_id, i % 50000 as customer_id from range(300000) t(i)\n",
	"models/stg_transactions.sql":   "{{ config(materialized='table', tags=['hourly']) }}\nselect i as txn_id, i % 300000 as account_id, (i * 37) % 1000 as amount from range(1500000) t(i)\n",
	"models/stg_loans.sql":          "{{ config(materialized='table') }}\nselect i as loan_id, i % 50000 as customer_id, (i * 13) % 90 as dpd from range(400000) t(i)\n",
	"models/int_balances.sql":       "{{ config(materialized='table', tags=['hourly']) }}\nselect account_id, sum(amount) as balance from {{ ref('stg_transactions') }} group by 1\n",
	"models/dim_customers.sql":      "{{ config(materialized='table') }}\nselect c.customer_id, c.name, count(a.account_id) as accounts from {{ ref('stg_customers') }} c left join {{ ref('stg_accounts') }} a using (customer_id) group by 1, 2\n",
	"models/fct_loan_portfolio.sql": "{{ config(materialized='table') }}\nselect l.customer_id, cast(case when l.dpd > 80 then 'n/a' else '0' end as integer) as par30\nfrom {{ ref('stg_loans') }} l join {{ ref('dim_customers') }} c using (customer_id)\n",
	"models/rpt_customer_value.sql": "{{ config(materialized='table') }}\nselect d.customer_id, sum(b.balance) as value from {{ ref('dim_customers') }} d join {{ ref('stg_accounts') }} a using (customer_id) join {{ ref('int_balances') }} b using (account_id) group by 1\n",
	"models/rpt_par30.sql":          "select * from {{ ref('fct_loan_portfolio') }}\n",
	"models/slow.sql":               slowModel,
}

func TestSchedulePagesInChromium(t *testing.T) {
	ctx := schedBrowser(t)
	p := schedProj(t, "duckdb", warehouse)
	addr := freeAddr(t)
	d := p.startScheduler(t, addr, nil)
	base := "http://" + addr
	cli := func(args ...string) outcome { return p.run(append(args, "--addr", addr)...) }
	if o := cli("schedule", "trigger", "hourly", "--wait"); o.code != 0 {
		t.Fatalf("hourly:\n%s", o)
	}
	o := cli("schedule", "trigger", "nightly", "--exclude", "slow", "--wait")
	if o.code != 1 {
		t.Fatalf("nightly should fail in fct_loan_portfolio:\n%s", o)
	}
	failed := startedID(t, o)
	var run schedRun
	d.get("/api/runs/"+failed, &run)
	bars, failMsg := 0, ""
	for _, n := range run.Nodes {
		if n.StartedAt != nil {
			bars++
		}
		if n.Status == "error" {
			failMsg = n.Message
		}
	}
	if bars < 5 || failMsg == "" {
		t.Fatalf("the failed run has %d timed nodes and error %q: %+v", bars, failMsg, run)
	}

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).innerText`))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}

	// The run list: every run, with its trigger; the filter narrows it.
	do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("table.runs")))
	listText := text("table.runs")
	triggers, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.runs td.trigger")).map(e => e.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if rows := count("table.runs tr.run"); rows != 2 || !strings.Contains(listText, failed) || strings.Join(triggers, ",") != "manual,manual" {
		t.Errorf("run list: %d rows with triggers %v, want 2 manual runs including %s:\n%s", rows, triggers, failed, listText)
	}
	do(chromedp.SetValue(css(`select[name="status"]`), "error"),
		chromedp.Click(css(`form.filters button[type="submit"]`)),
		waitURL("status=error"),
		chromedp.WaitVisible(css("table.runs")))
	if rows := count("table.runs tr.run"); rows != 1 {
		t.Errorf("status=error filter shows %d rows, want 1", rows)
	}

	// The failed run's page: one bar per node that ran, the error and the SQL.
	do(chromedp.Navigate(base+"/runs/"+failed), chromedp.WaitVisible(css("svg.gantt")))
	gotBars, errBars := count("svg.gantt rect.bar"), count("svg.gantt rect.bar.st-error")
	if labels := count("svg.gantt text.barlabel"); labels < 5 {
		t.Errorf("only %d bars are labelled", labels)
	}
	if gotBars != bars || errBars != 1 {
		t.Errorf("Gantt: %d bars (%d red), want %d (one per node that ran) with 1 red", gotBars, errBars, bars)
	}
	errText := text(`section.failed[data-node="fct_loan_portfolio"] pre.error`)
	sqlText := text(`section.failed[data-node="fct_loan_portfolio"] pre.sql`)
	firstLine, _, _ := strings.Cut(failMsg, "\n")
	if !strings.Contains(errText, firstLine) || !strings.Contains(sqlText, "when l.dpd > 80 then 'n/a'") {
		t.Errorf("failed node shows %q and SQL %q; want the error %q and its compiled SQL", errText, sqlText, firstLine)
	}
	screenshot(t, ctx, base+"/runs/"+failed, "scheduler-run.png")

	// Fix the model and press "Re-run what failed": the page moves to the
	// re-run, which builds only the failed model and what it skipped.
	p.write("models/fct_loan_portfolio.sql", "{{ config(materialized='table') }}\nselect customer_id, avg(case when dpd > 30 then 1 else 0 end) as par30 from {{ ref('stg_loans') }} group by 1\n")
	do(chromedp.Navigate(base+"/runs/"+failed), chromedp.WaitVisible(css(`button[data-action="rerun"]`)),
		chromedp.Click(css(`button[data-action="rerun"]`)), waitURL("-nightly-retry-a1"))
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	retry := url[strings.LastIndex(url, "/")+1:]
	r := d.waitRun("re-run to end", 30*time.Second, func(r schedRun) bool { return r.ID == retry && r.Status != "running" })
	if r.Status != "success" || r.RerunOf != failed || r.NodeCounts["success"] != 2 {
		t.Errorf("re-run from the page = %+v", r)
	}

	// A running run's log streams into its page (no reload: the marker set
	// after loading survives until the text arrives).
	slow := startedID(t, cli("schedule", "trigger", "slow"))
	do(chromedp.Navigate(base+"/runs/"+slow), chromedp.WaitVisible(css("#log")), chromedp.Evaluate[chromedp.Void](`window.__loaded = true`))
	streamed, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("log").textContent.includes("finished: cancelled") && window.__loaded === true`,
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil || !streamed {
		t.Errorf("the running run's log did not stream in without a reload: %v", err)
	}

	// The schedule page, and Pause from the list.
	do(chromedp.Navigate(base+"/schedules/nightly"), chromedp.WaitVisible(css("#success-rate")))
	if rate, durBars := text("#success-rate"), count("svg.durations rect.bar"); !strings.HasPrefix(rate, "50% of the last 2") || durBars != 2 {
		t.Errorf("schedule page: success rate %q, %d duration bars; want 50%% of 2 runs", rate, durBars)
	}
	do(chromedp.Navigate(base+"/"), chromedp.Click(css(`tr[data-schedule="hourly"] button[data-action="pause"]`)),
		chromedp.WaitVisible(css(`tr[data-schedule="hourly"] .st-paused`)))
	var info struct {
		Paused bool `json:"paused"`
	}
	d.get("/api/schedules/hourly", &info)
	if !info.Paused {
		t.Error("Pause from the page did not pause the schedule")
	}
	do(chromedp.Click(css(`tr[data-schedule="hourly"] button[data-action="resume"]`)), chromedp.WaitVisible(css(`tr[data-schedule="hourly"] .st-idle`)))
	screenshot(t, ctx, base+"/", "scheduler-runs.png")
	d.stop()
}

// waitURL waits until the page's address contains part.
func waitURL(part string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			if u, err := chromedp.Location()(ctx, t); err == nil && strings.Contains(u, part) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the page did not move to a URL with %q: %w", part, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// screenshot writes docs/<name> from the page at url when
// STRATA_UPDATE_SCREENSHOTS is set, so normal runs leave them alone.
func screenshot(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	if os.Getenv("STRATA_UPDATE_SCREENSHOTS") == "" {
		return
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 860),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
}
