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
	// Line is the line of the entry in project.yaml (set by the loader), for diagnostics.
	Line int `yaml:"-" json:"-"`
}

// SchedulerSettings is the optional top-level `scheduler:` block of project.yaml:
// settings shared by every schedule.
type SchedulerSettings struct {
	OnFailureWebhook string `yaml:"on_failure_webhook" json:"on_failure_webhook,omitempty"`
	// HistoryRetention is how many runs to keep in target/runs (default 200).
	HistoryRetention int `yaml:"history_retention" json:"history_retention,omitempty"`
	// Threads is the thread budget shared by concurrent runs (default: the target's threads).
	Threads int `yaml:"threads" json:"threads,omitempty"`
}
