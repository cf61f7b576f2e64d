// Package schedule is strata's built-in cron scheduler: it validates the
// `schedules:` entries of project.yaml, works out which ticks are due (pure
// functions of a clock), runs each due tick through a run function supplied by
// the caller (which loads and builds the project afresh), keeps a bounded run
// history on disk, catches up ticks missed while no scheduler ran, watches
// deadlines, serves health, metrics, a control API and run-history pages over
// HTTP, and notifies (webhook, Slack, e-mail) on failure, recovery and missed
// deadlines.
//
// The package never loads a project or talks to a warehouse itself: the caller
// passes a RunFunc, so everything here is testable without the rest of strata.
// Replicas coordinate through a Locker; the in-process MemLocker serves a single
// replica and the pglock subpackage serves several replicas on one PostgreSQL.
//
// Concurrency: Compile, Validate, Due and NextTick are pure and safe anywhere.
// A Scheduler is safe for concurrent use once built: Run must be called once,
// and Handler, Trigger, Rerun, Pause and Resume may be used while Run is going. MemLocker is safe for
// concurrent use.
package schedule
