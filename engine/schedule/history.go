package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Run statuses, as written to the history and served by /api/runs.
const (
	StatusRunning   = "running"
	StatusSuccess   = "success"
	StatusError     = "error"
	StatusSkipped   = "skipped"
	StatusCancelled = "cancelled"
)

// DefaultRetention is how many runs the history keeps when the project does
// not say (scheduler.history_retention).
const DefaultRetention = 200

const (
	indexFile  = "index.json"
	recordFile = "run.json" // our record of one run, with its nodes
	logFile    = "log"
)

// Run is one entry of the run history: one attempt of one tick of one
// schedule, or a tick that was skipped.
type Run struct {
	ID       string    `json:"id"`
	Schedule string    `json:"schedule"`
	Status   string    `json:"status"`
	Tick     time.Time `json:"tick"`
	// StartedAt and FinishedAt are UTC and marshal as RFC 3339; FinishedAt is
	// null while the run is going.
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// Attempt counts from 1; a skipped tick has attempt 0.
	Attempt int `json:"attempt"`
	// Trigger is tick, catchup, manual or retry; empty in records written
	// before triggers existed (read as tick).
	Trigger     string   `json:"trigger"`
	Command     string   `json:"command,omitempty"`
	Select      []string `json:"select,omitempty"`
	Exclude     []string `json:"exclude,omitempty"`
	FullRefresh bool     `json:"full_refresh,omitempty"`
	// Custom marks a manual run with a selection other than the schedule's.
	Custom bool `json:"custom,omitempty"`
	// RerunOf is the run whose failures a retry re-runs.
	RerunOf    string         `json:"rerun_of,omitempty"`
	Message    string         `json:"message,omitempty"`
	NodeCounts map[string]int `json:"node_counts,omitempty"`
	// Late says why the run counted as late (a missed deadline or max_duration).
	Late string `json:"late,omitempty"`
	// Nodes is kept in the run's own folder, not in the index, so the index
	// stays small however large the project; the HTTP API fills it in.
	Nodes []NodeReport `json:"nodes"`
}

// full reports whether the run covered the schedule's whole selection (not a
// manual run of a few nodes): only such runs meet deadlines and recover.
func (r Run) full() bool { return !r.Custom }

// scheduled reports whether the run was started by a tick (on time or
// caught up), which is what catch-up counts from.
func (r Run) scheduled() bool {
	return r.Trigger == "" || r.Trigger == TriggerTick || r.Trigger == TriggerCatchup
}

// Duration is how long the run took (zero while running).
func (r Run) Duration() time.Duration {
	if r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

type indexDoc struct {
	Version int   `json:"version"`
	Runs    []Run `json:"runs"` // oldest first
}

// history is the on-disk run history: dir/<run-id>/{run.json,log,run_results.json}
// plus dir/index.json listing the retained runs. Safe for concurrent use.
type history struct {
	dir  string
	keep int

	saveMu sync.Mutex // serialises index writes

	mu    sync.Mutex
	runs  []Run // oldest first, without Nodes
	dirty bool  // runs changed since the index was written
}

// openHistory loads the index (rebuilding it from the run folders if it is
// missing or unreadable), marks runs left "running" by a previous process as
// cancelled, and prunes beyond keep.
func openHistory(dir string, keep int, now time.Time) (*history, []string, error) {
	if keep <= 0 {
		keep = DefaultRetention
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create run history folder: %w", err)
	}
	h := &history{dir: dir, keep: keep}
	var notes []string
	data, err := os.ReadFile(filepath.Join(dir, indexFile))
	var doc indexDoc
	switch {
	case err == nil:
		if jerr := json.Unmarshal(data, &doc); jerr != nil {
			notes = append(notes, fmt.Sprintf("run history index %s is unreadable (%v); rebuilt it from the run folders", filepath.Join(dir, indexFile), jerr))
			doc.Runs = nil
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, nil, fmt.Errorf("read run history index: %w", err)
	}
	// Runs still going when the index was last written are only in their folders.
	doc.Runs = append(doc.Runs, h.scan(doc.Runs)...)
	for _, r := range doc.Runs {
		if !validID(r.ID) {
			continue
		}
		r.Nodes = nil
		if r.Trigger == "" {
			r.Trigger = TriggerTick // recorded before runs had triggers
		}
		if r.Status == StatusRunning {
			end := now.UTC()
			r.Status, r.FinishedAt = StatusCancelled, &end
			r.Message = "the scheduler stopped before the run finished"
			notes = append(notes, fmt.Sprintf("run %s was left running by a previous scheduler; recorded it as cancelled", r.ID))
			h.updateRecord(r)
		}
		h.runs = append(h.runs, r)
	}
	sort.SliceStable(h.runs, func(i, j int) bool { return h.runs[i].StartedAt.Before(h.runs[j].StartedAt) })
	h.mu.Lock()
	removeRuns(dir, h.pruneLocked())
	h.dirty = true
	h.mu.Unlock()
	if err := h.flush(); err != nil {
		return nil, nil, err
	}
	return h, notes, nil
}

// scan reads dir/*/run.json for the runs not in known.
func (h *history) scan(known []Run) []Run {
	entries, err := os.ReadDir(h.dir)
	if err != nil {
		return nil
	}
	have := make(map[string]bool, len(known))
	for _, r := range known {
		have[r.ID] = true
	}
	var runs []Run
	for _, e := range entries {
		if !e.IsDir() || !validID(e.Name()) || have[e.Name()] {
			continue
		}
		data, err := os.ReadFile(filepath.Join(h.dir, e.Name(), recordFile))
		if err != nil {
			continue
		}
		var r Run
		if json.Unmarshal(data, &r) == nil && r.ID == e.Name() {
			runs = append(runs, r)
		}
	}
	return runs
}

// validID keeps ids read from disk from naming anything outside the history
// folder before we delete it.
func validID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`) && namePattern.MatchString(id)
}

// runID names a run's folder: the tick (or request) time, the schedule, the
// trigger unless it is a plain tick, and the attempt ("skipped" for a tick
// that was skipped). The time comes first so ids sort by time.
func runID(schedule string, tick time.Time, trigger string, attempt int) string {
	suffix := fmt.Sprintf("a%d", attempt)
	if attempt == 0 {
		suffix = "skipped"
	}
	if trigger != "" && trigger != TriggerTick {
		suffix = trigger + "-" + suffix
	}
	return fmt.Sprintf("%s-%s-%s", tick.UTC().Format("20060102T150405Z"), schedule, suffix)
}

// lastScheduledTick is the newest tick of the schedule the history records
// (run, skipped or failed to claim): catch-up starts after it.
func (h *history) lastScheduledTick(schedule string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	var last time.Time
	for _, r := range h.runs {
		if r.Schedule == schedule && r.scheduled() && r.Tick.After(last) {
			last = r.Tick
		}
	}
	return last
}

// get returns the run with id (without nodes).
func (h *history) get(id string) (Run, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.runs) - 1; i >= 0; i-- {
		if h.runs[i].ID == id {
			return h.runs[i], true
		}
	}
	return Run{}, false
}

// start adds r (its ID made unique), creates its folder and writes its record.
// File writes happen outside the lock so concurrent runs do not queue on them.
func (h *history) start(r Run) (Run, string, error) {
	h.mu.Lock()
	base := r.ID
	for n := 2; ; n++ {
		if !h.hasLocked(r.ID) {
			err := os.Mkdir(filepath.Join(h.dir, r.ID), 0o755)
			if err == nil {
				break
			}
			if !errors.Is(err, fs.ErrExist) {
				h.mu.Unlock()
				return r, "", fmt.Errorf("create run folder: %w", err)
			}
		}
		r.ID = fmt.Sprintf("%s-%d", base, n)
	}
	slim := r
	slim.Nodes = nil
	h.runs = append(h.runs, slim)
	pruned := h.pruneLocked()
	h.mu.Unlock()

	removeRuns(h.dir, pruned)
	dir := filepath.Join(h.dir, r.ID)
	// The index is written when the run ends; until then the run's own record
	// is enough for openHistory to find it after a crash.
	return r, dir, writeJSON(filepath.Join(dir, recordFile), r)
}

// finish replaces the run with the same ID, writes its record with nodes and
// the index.
func (h *history) finish(r Run) error {
	err := h.updateRecord(r)
	slim := r
	slim.Nodes = nil
	h.mu.Lock()
	for i := range h.runs {
		if h.runs[i].ID == r.ID {
			h.runs[i] = slim
		}
	}
	h.dirty = true
	h.mu.Unlock()
	return errors.Join(err, h.flush())
}

// flush writes the index if it changed. Concurrent callers coalesce: one
// waiting on another's write usually finds its change already written.
func (h *history) flush() error {
	h.saveMu.Lock()
	defer h.saveMu.Unlock()
	h.mu.Lock()
	if !h.dirty {
		h.mu.Unlock()
		return nil
	}
	doc := indexDoc{Version: 1, Runs: slices.Clone(h.runs)}
	h.dirty = false
	h.mu.Unlock()
	if err := writeJSON(filepath.Join(h.dir, indexFile), doc); err != nil {
		h.mu.Lock()
		h.dirty = true
		h.mu.Unlock()
		return err
	}
	return nil
}

func (h *history) updateRecord(r Run) error {
	return writeJSON(filepath.Join(h.dir, r.ID, recordFile), r)
}

func (h *history) readRecord(id string) (Run, error) {
	var r Run
	if !validID(id) {
		return r, fmt.Errorf("invalid run id %q", id)
	}
	data, err := os.ReadFile(filepath.Join(h.dir, id, recordFile))
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(data, &r)
}

func (h *history) hasLocked(id string) bool {
	for _, r := range h.runs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// pruneLocked drops the oldest finished runs beyond keep and returns their
// ids, whose folders the caller removes (outside the lock).
func (h *history) pruneLocked() []string {
	excess := len(h.runs) - h.keep
	if excess <= 0 {
		return nil
	}
	var pruned []string
	kept := h.runs[:0]
	for _, r := range h.runs {
		if excess > 0 && r.Status != StatusRunning {
			excess--
			pruned = append(pruned, r.ID)
			continue
		}
		kept = append(kept, r)
	}
	h.runs = kept
	h.dirty = true
	return pruned
}

func removeRuns(dir string, ids []string) {
	for _, id := range ids {
		if validID(id) {
			_ = os.RemoveAll(filepath.Join(dir, id))
		}
	}
}

// list returns runs newest first, without nodes, filtered by schedule and
// status when they are not empty; limit <= 0 means all.
func (h *history) list(schedule, status string, limit int) []Run {
	return h.filter(RunFilter{Schedule: schedule, Status: status}, limit)
}

// RunFilter selects runs of the history; empty fields match every run.
type RunFilter struct {
	Schedule, Status, Trigger string
}

func (f RunFilter) match(r Run) bool {
	return (f.Schedule == "" || r.Schedule == f.Schedule) && (f.Status == "" || r.Status == f.Status) &&
		(f.Trigger == "" || triggerName(r.Trigger) == f.Trigger)
}

// filter returns the runs f matches, newest first, without nodes; limit <= 0
// means all.
func (h *history) filter(f RunFilter, limit int) []Run {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Run
	for i := len(h.runs) - 1; i >= 0; i-- {
		r := h.runs[i]
		if !f.match(r) {
			continue
		}
		out = append(out, r)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// withNodes fills in each run's nodes from its record.
func (h *history) withNodes(runs []Run) []Run {
	for i := range runs {
		if rec, err := h.readRecord(runs[i].ID); err == nil {
			runs[i].Nodes = rec.Nodes
		}
		if runs[i].Nodes == nil {
			runs[i].Nodes = []NodeReport{}
		}
	}
	return runs
}

// writeJSON replaces path atomically, so a crash never leaves half a file.
func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
