package project

// ScheduleSpec is one entry of `schedules:` in project.yaml, as the user wrote it.
// The project package only decodes it; engine/schedule validates it (cron syntax,
// timezone, durations, command) so that every bad entry is reported with its name.
type ScheduleSpec struct {
	Name             string         `yaml:"name" json:"name"`
	Cron             string         `yaml:"cron" json:"cron"`
	Timezone         string         `yaml:"timezone" json:"timezone,omitempty"`
	Command          string         `yaml:"command" json:"command"` // build|run|test|seed|snapshot|freshness
	Select           StringList     `yaml:"select" json:"select,omitempty"`
	Exclude          StringList     `yaml:"exclude" json:"exclude,omitempty"`
	FullRefresh      bool           `yaml:"full_refresh" json:"full_refresh,omitempty"`
	Vars             map[string]any `yaml:"vars" json:"vars,omitempty"`
	Retries          int            `yaml:"retries" json:"retries,omitempty"`
	RetryDelay       string         `yaml:"retry_delay" json:"retry_delay,omitempty"` // Go duration, e.g. "30s"
	Timeout          string         `yaml:"timeout" json:"timeout,omitempty"`         // Go duration, e.g. "45m"
	OnFailureWebhook string         `yaml:"on_failure_webhook" json:"on_failure_webhook,omitempty"`
	// Catchup is what to do with ticks missed while no scheduler was running:
	// latest (default), all or none.
	Catchup string `yaml:"catchup" json:"catchup,omitempty"`
	// CatchupMax caps how many missed ticks `catchup: all` runs (default 10).
	CatchupMax int `yaml:"catchup_max" json:"catchup_max,omitempty"`
	// Deadline is a time of day ("06:00" or "06:00:30") in the schedule's time
	// zone by which a tick's run must have succeeded.
	Deadline string `yaml:"deadline" json:"deadline,omitempty"`
	// MaxDuration is how long a run may go on before it counts as late (Go
	// duration); unlike timeout it does not stop the run.
	MaxDuration string `yaml:"max_duration" json:"max_duration,omitempty"`
	// Notify overrides the `scheduler:` block's notifiers, channel by channel.
	Notify *NotifySpec `yaml:"notify" json:"notify,omitempty"`
	// Line is the line of the entry in project.yaml (set by the loader), for diagnostics.
	Line int `yaml:"-" json:"-"`
	// KeyLines maps each key of the entry to its line (set by the loader), so
	// a bad value is reported where it was written.
	KeyLines map[string]int `yaml:"-" json:"-"`
}

// SchedulerSettings is the optional top-level `scheduler:` block of project.yaml:
// settings shared by every schedule.
type SchedulerSettings struct {
	OnFailureWebhook string `yaml:"on_failure_webhook" json:"on_failure_webhook,omitempty"`
	// HistoryRetention is how many runs to keep in target/runs (default 200).
	HistoryRetention int `yaml:"history_retention" json:"history_retention,omitempty"`
	// Threads is the thread budget shared by concurrent runs (default: the target's threads).
	Threads int `yaml:"threads" json:"threads,omitempty"`
	// Notify configures the notifiers every schedule uses unless it sets its own.
	Notify *NotifySpec `yaml:"notify" json:"notify,omitempty"`
	// ShutdownGrace is how long running runs may go on after SIGTERM before
	// they are cancelled (Go duration, default 30s).
	ShutdownGrace string `yaml:"shutdown_grace" json:"shutdown_grace,omitempty"`
	// URL is the address people open the scheduler's pages at (e.g. behind a
	// proxy); notifications link to runs under it.
	URL string `yaml:"url" json:"url,omitempty"`
	// Line and KeyLines locate the block and its keys (set by the loader).
	Line     int            `yaml:"-" json:"-"`
	KeyLines map[string]int `yaml:"-" json:"-"`
}

// NotifySpec says who hears about failures, recoveries and missed deadlines.
// String values may hold ${NAME} references to environment variables, so
// secrets (a Slack URL, an SMTP password) stay out of project.yaml.
type NotifySpec struct {
	// On lists the events to send: failure, recovery, deadline (default all).
	On StringList `yaml:"on" json:"on,omitempty"`
	// Webhook receives strata's JSON payload.
	Webhook string `yaml:"webhook" json:"webhook,omitempty"`
	// Slack is a Slack-compatible incoming-webhook URL ({"text": ...}).
	Slack string     `yaml:"slack" json:"slack,omitempty"`
	Email *EmailSpec `yaml:"email" json:"email,omitempty"`
	// KeyLines maps each key to its line (set by the loader).
	KeyLines map[string]int `yaml:"-" json:"-"`
}

// EmailSpec sends notifications through an SMTP server.
type EmailSpec struct {
	// SMTP is host:port; port 465 means TLS from the start, others use
	// STARTTLS when the server offers it.
	SMTP     string     `yaml:"smtp" json:"smtp"`
	From     string     `yaml:"from" json:"from"`
	To       StringList `yaml:"to" json:"to"`
	Username string     `yaml:"username" json:"username,omitempty"`
	Password string     `yaml:"password" json:"-"`
	// KeyLines maps each key to its line (set by the loader).
	KeyLines map[string]int `yaml:"-" json:"-"`
}
