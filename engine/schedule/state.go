package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const stateFileName = "state.json"

// scheduleState is what an operator changed about one schedule.
type scheduleState struct {
	Paused    bool      `json:"paused"`
	ChangedAt time.Time `json:"changed_at"`
	// ResumedAt is when the schedule was last resumed: catch-up never runs
	// ticks that fell while it was paused.
	ResumedAt *time.Time `json:"resumed_at,omitempty"`
}

type stateDoc struct {
	Version   int                      `json:"version"`
	Schedules map[string]scheduleState `json:"schedules"`
}

// stateFile keeps pause/resume in HistoryDir/state.json, so they survive a
// restart. Safe for concurrent use.
type stateFile struct {
	path string
	mu   sync.Mutex
	doc  stateDoc
}

func openState(dir string) (*stateFile, error) {
	f := &stateFile{path: filepath.Join(dir, stateFileName), doc: stateDoc{Version: 1, Schedules: map[string]scheduleState{}}}
	data, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("read scheduler state: %w", err)
	}
	if err := json.Unmarshal(data, &f.doc); err != nil {
		return nil, fmt.Errorf("scheduler state %s is unreadable (%v); fix or delete it (it holds which schedules are paused)", f.path, err)
	}
	if f.doc.Schedules == nil {
		f.doc.Schedules = map[string]scheduleState{}
	}
	return f, nil
}

func (f *stateFile) get(name string) scheduleState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.doc.Schedules[name]
}

func (f *stateFile) paused(name string) bool { return f.get(name).Paused }

// setPaused records the change and writes the file; it reports whether the
// state changed.
func (f *stateFile) setPaused(name string, paused bool, now time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.doc.Schedules[name]
	if st.Paused == paused {
		return false, nil
	}
	st.Paused, st.ChangedAt = paused, now.UTC()
	if !paused {
		t := now.UTC()
		st.ResumedAt = &t
	}
	f.doc.Schedules[name] = st
	return true, writeJSON(f.path, f.doc)
}
