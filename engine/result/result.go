// Package result holds what a run produced: one NodeResult per executed node, the
// run's summary, and the events the executor emits while it works (which the view
// package prints). JSON field names follow dbt's run_results.json (v6) so existing
// tools can read it.
//
// Values are plain data. A RunResults is filled by one goroutine (the executor's
// collector) and read afterwards.
package result

import (
	"time"

	"github.com/strata-dev/strata/engine/manifest"
)

// Status is a node's outcome, spelled as dbt spells it.
type Status string

const (
	Success   Status = "success"
	Error     Status = "error"
	Fail      Status = "fail"
	Warn      Status = "warn"
	Pass      Status = "pass"
	Skipped   Status = "skipped"
	Cancelled Status = "cancelled"
	// RuntimeErr is dbt's spelling for freshness checks that could not run.
	RuntimeErr Status = "runtime error"
)

// Blocking reports whether the status stops descendants from running.
func (s Status) Blocking() bool {
	return s == Error || s == Fail || s == Skipped || s == Cancelled || s == RuntimeErr
}

// Timing is one phase of a node's work.
type Timing struct {
	Name        string    `json:"name"` // compile | execute
	StartedAt   time.Time `json:"started_at"`
	CompletedAt time.Time `json:"completed_at"`
}

// AdapterResponse is what the warehouse said.
type AdapterResponse struct {
	Message      string `json:"_message,omitempty"`
	RowsAffected *int64 `json:"rows_affected,omitempty"`
}

// NodeResult is one node's outcome.
type NodeResult struct {
	UniqueID        string          `json:"unique_id"`
	Status          Status          `json:"status"`
	Timing          []Timing        `json:"timing"`
	ThreadID        string          `json:"thread_id"`
	ExecutionTime   float64         `json:"execution_time"`
	AdapterResponse AdapterResponse `json:"adapter_response"`
	Message         string          `json:"message"`
	// Failures is the failing row count of a test (nil for other nodes).
	Failures     *int64 `json:"failures"`
	RelationName string `json:"relation_name,omitempty"`
	CompiledCode string `json:"compiled_code,omitempty"`
	// SkippedBecause is the unique_id of the upstream node whose failure skipped this one.
	SkippedBecause string `json:"skipped_because,omitempty"`
	// SampleRows are up to five failing rows of a test, for the console.
	SampleRows *SampleRows `json:"-"`
	// Node is the manifest node (not serialised).
	Node *manifest.Node `json:"-"`
	// Statements are the SQL the node executed, in order, for target/run.
	Statements []string `json:"-"`
}

// SampleRows is a small table of failing rows.
type SampleRows struct {
	Columns []string
	Rows    [][]any
}

// Metadata describes the invocation.
type Metadata struct {
	DbtSchemaVersion string `json:"dbt_schema_version"`
	StrataVersion    string `json:"strata_version"`
	GeneratedAt      string `json:"generated_at"`
	InvocationID     string `json:"invocation_id"`
}

// RunResults is run_results.json.
type RunResults struct {
	Metadata    Metadata       `json:"metadata"`
	Results     []*NodeResult  `json:"results"`
	ElapsedTime float64        `json:"elapsed_time"`
	Args        map[string]any `json:"args"`
}

// Counts tallies results for the summary line.
type Counts struct{ Pass, Warn, Error, Skip, Cancelled, Total int }

// Count tallies results as the summary line shows them: success and pass are
// PASS; fail, error and runtime error are ERROR; skipped is SKIP; cancelled
// (stopped mid-run by Ctrl-C, SIGTERM or a timeout) is CANCELLED.
func (r *RunResults) Count() Counts {
	var c Counts
	for _, n := range r.Results {
		c.Total++
		switch n.Status {
		case Success, Pass:
			c.Pass++
		case Warn:
			c.Warn++
		case Error, Fail, RuntimeErr:
			c.Error++
		case Cancelled:
			c.Cancelled++
		default:
			c.Skip++
		}
	}
	return c
}

// Failed reports whether any node errored or failed (exit code 1).
func (r *RunResults) Failed() bool {
	for _, n := range r.Results {
		switch n.Status {
		case Error, Fail, RuntimeErr, Cancelled:
			return true
		}
	}
	return false
}

// NodeName is the name of the node a result is for (its unique_id when unknown).
func (r *RunResults) NodeName(id string) string {
	for _, x := range r.Results {
		if x.UniqueID == id && x.Node != nil {
			return x.Node.Name
		}
	}
	return id
}
