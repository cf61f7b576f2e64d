package result

import (
	"time"

	"github.com/strata-dev/strata/engine/diag"
)

// EventKind says what happened.
type EventKind int

const (
	// RunStarted: Total nodes are about to run.
	RunStarted EventKind = iota
	// NodeStarted: node Index of Total began.
	NodeStarted
	// NodeFinished: node Index of Total ended with Result.
	NodeFinished
	// RunFinished: the run ended; Results is complete.
	RunFinished
	// Info is a line of information (hooks, notices, log() calls).
	Info
	// Warning is a non-fatal problem.
	Warning
	// Diagnostics are positioned problems found while loading or compiling
	// (warnings; errors end the command instead).
	Diagnostics
)

// Event is what the executor tells its observer. Only the view package turns
// events into text.
type Event struct {
	Kind  EventKind
	Time  time.Time
	Index int
	Total int
	// Node facts for NodeStarted/NodeFinished.
	UniqueID     string
	ResourceType string
	Name         string
	Materialized string
	RelationName string
	Result       *NodeResult
	// Results and Elapsed for RunFinished.
	Results *RunResults
	Elapsed time.Duration
	// Message for Info and Warning.
	Message string
	// Debug marks an Info line meant for the debug log only (a template's
	// log() without info=True), as dbt keeps it off the console.
	Debug bool
	// Diags for Diagnostics.
	Diags diag.Diagnostics
	// Stats for Parsed and Starting.
	Stats *Stats
}

// Tee sends every event to each observer in turn.
type Tee []Observer

// Event implements Observer.
func (t Tee) Event(e Event) {
	for _, o := range t {
		if o != nil {
			o.Event(e)
		}
	}
}

// Observer receives events. Implementations must be safe for concurrent use:
// workers report from several goroutines.
type Observer interface {
	Event(Event)
}

// Discard is an Observer that drops every event.
type Discard struct{}

// Event implements Observer.
func (Discard) Event(Event) {}
