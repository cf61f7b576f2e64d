package result

// Event kinds added after the first set; their values stand apart so that
// adding them changed none of the others.
const (
	// Parsed: the project was read and compiled into a manifest; Stats.Counts
	// says how many nodes of each kind it has ("Found 3 models, …").
	Parsed EventKind = 100 + iota
	// Starting: the selected nodes are about to run, on Stats.Threads
	// workers against Stats.Target ("Concurrency: 4 threads (target='dev')").
	Starting
)

// Stats are the facts of a Parsed or Starting event.
type Stats struct {
	// Counts maps a resource type (model, seed, snapshot, test, source,
	// analysis, macro, …) to how many the project has.
	Counts  map[string]int
	Threads int
	// Target is the profile target's name.
	Target string
}
