package schedule

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the scheduler's Prometheus series, on a registry of its own so
// that two schedulers in one process (tests, replicas) never collide.
type metrics struct {
	reg          *prometheus.Registry
	runs         *prometheus.CounterVec
	runDuration  *prometheus.HistogramVec
	nodeDuration *prometheus.HistogramVec
	lastSuccess  *prometheus.GaugeVec
	running      *prometheus.GaugeVec
	webhookFails prometheus.Counter
	// notifyFails counts undelivered notifications by channel kind.
	notifyFails    *prometheus.CounterVec
	deadlineMissed *prometheus.CounterVec
	paused         *prometheus.GaugeVec
}

func newMetrics(s *Scheduler) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strata_schedule_runs_total",
			Help: "Scheduled runs recorded since the scheduler started, by schedule and status (success, error, skipped, cancelled).",
		}, []string{"schedule", "status"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "strata_schedule_run_duration_seconds",
			Help:    "Wall time of scheduled runs, by schedule and status.",
			Buckets: []float64{0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400},
		}, []string{"schedule", "status"}),
		nodeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "strata_node_duration_seconds",
			Help:    "Execution time of nodes in scheduled runs, by schedule and node status.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"schedule", "status"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strata_schedule_last_success_timestamp_seconds",
			Help: "Unix time at which the schedule's last successful run finished (from the run history).",
		}, []string{"schedule"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strata_schedule_running_runs",
			Help: "Runs in progress on this replica, by schedule.",
		}, []string{"schedule"}),
		webhookFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "strata_schedule_webhook_failures_total",
			Help: "Webhook notifications that could not be delivered.",
		}),
		notifyFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strata_schedule_notification_failures_total",
			Help: "Notifications that could not be delivered, by channel (webhook, slack, email).",
		}, []string{"kind"}),
		deadlineMissed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "strata_schedule_deadline_missed_total",
			Help: "Runs that missed their schedule's deadline or max_duration, by schedule and kind (deadline, max_duration).",
		}, []string{"schedule", "kind"}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "strata_schedule_paused",
			Help: "1 while the schedule is paused (kept across restarts), else 0.",
		}, []string{"schedule"}),
	}
	// The process's own health, as every Prometheus exporter serves it but
	// under strata_ like every series here (strata_go_goroutines,
	// strata_process_resident_memory_bytes, strata_process_open_fds, ...):
	// what an operator watches for leaks, and what `make soak` reads.
	prometheus.WrapRegistererWithPrefix("strata_", m.reg).MustRegister(
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(m.runs, m.runDuration, m.nodeDuration, m.lastSuccess, m.running, m.webhookFails, m.notifyFails, m.deadlineMissed, m.paused,
		&nextTickCollector{s: s, desc: prometheus.NewDesc("strata_schedule_next_tick_timestamp_seconds",
			"Unix time of the schedule's next tick.", []string{"schedule"}, nil)})
	for _, p := range s.plans {
		for _, st := range []string{StatusSuccess, StatusError, StatusSkipped, StatusCancelled} {
			m.runs.WithLabelValues(p.Name(), st)
		}
		m.running.WithLabelValues(p.Name())
		m.setPaused(p.Name(), s.state.paused(p.Name()))
		m.deadlineMissed.WithLabelValues(p.Name(), EventDeadline)
		m.deadlineMissed.WithLabelValues(p.Name(), "max_duration")
	}
	// Restore last success times from the history so a restart does not reset them.
	last := map[string]float64{}
	for _, r := range s.hist.list("", StatusSuccess, 0) {
		if _, ok := s.entries[r.Schedule]; ok && r.FinishedAt != nil {
			last[r.Schedule] = max(last[r.Schedule], float64(r.FinishedAt.UnixMilli())/1000)
		}
	}
	for name, v := range last {
		m.lastSuccess.WithLabelValues(name).Set(v)
	}
	return m
}

// observe records a finished (or skipped) run.
func (m *metrics) observe(r Run) {
	m.runs.WithLabelValues(r.Schedule, r.Status).Inc()
	if r.FinishedAt == nil {
		return
	}
	if r.Status != StatusSkipped {
		m.runDuration.WithLabelValues(r.Schedule, r.Status).Observe(r.Duration().Seconds())
	}
	for _, n := range r.Nodes {
		m.nodeDuration.WithLabelValues(r.Schedule, n.Status).Observe(n.ExecutionTime)
	}
	if r.Status == StatusSuccess {
		m.lastSuccess.WithLabelValues(r.Schedule).Set(float64(r.FinishedAt.UnixMilli()) / 1000)
	}
}

// nextTickCollector computes each schedule's next tick when scraped, so the
// series is never stale.
type nextTickCollector struct {
	s    *Scheduler
	desc *prometheus.Desc
}

func (c *nextTickCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *nextTickCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.s.clock.Now()
	for _, p := range c.s.plans {
		if next := p.Next(now); !next.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(next.Unix()), p.Name())
		}
	}
}

func (m *metrics) setPaused(name string, paused bool) {
	v := 0.0
	if paused {
		v = 1
	}
	m.paused.WithLabelValues(name).Set(v)
}
