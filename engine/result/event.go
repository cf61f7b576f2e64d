package result

import "time"

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
