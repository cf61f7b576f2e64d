package schedule

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrBusy is returned by Locker.Claim when this replica won the tick but the
// schedule's previous run still holds it (here or on another replica). The
// scheduler records the tick as skipped.
var ErrBusy = errors.New("previous run of the schedule is still going")

// Locker decides which replica runs a tick, and keeps two runs of one
// schedule from overlapping across replicas.
//
// Implementations must guarantee that for a given (schedule, tick) at most one
// Claim, across every replica sharing the locker's backing store, ever returns
// ok, however late another replica's clock brings it to the same tick. A
// winning claim also holds the schedule until release is called (the run has
// ended); a Claim that wins the tick while the schedule is held returns
// (false, nil, ErrBusy) and must not let a later claim of that tick win.
// release must be safe to call once from any goroutine. Claim must honour ctx.
type Locker interface {
	Claim(ctx context.Context, schedule string, tick time.Time) (ok bool, release func(), err error)
}

// MemLocker is the in-process Locker for a single replica (DuckDB, or one
// process). Schedulers in one process that share a MemLocker behave like
// replicas sharing a database. It is safe for concurrent use; the zero value
// is ready.
type MemLocker struct {
	mu      sync.Mutex
	claimed map[string]map[int64]bool // ticks claimed per schedule (UnixNano)
	busy    map[string]bool
}

// memKeep bounds the ticks a MemLocker remembers per schedule; the oldest
// half is forgotten beyond it.
const memKeep = 4096

// Claim implements Locker. Each tick is won once, in any order (catch-up
// claims ticks older than ones already claimed).
func (m *MemLocker) Claim(ctx context.Context, schedule string, tick time.Time) (bool, func(), error) {
	if err := ctx.Err(); err != nil {
		return false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claimed == nil {
		m.claimed, m.busy = map[string]map[int64]bool{}, map[string]bool{}
	}
	set := m.claimed[schedule]
	if set == nil {
		set = map[int64]bool{}
		m.claimed[schedule] = set
	}
	key := tick.UnixNano()
	if set[key] {
		return false, nil, nil
	}
	if len(set) >= memKeep {
		forgetOldest(set, memKeep/2)
	}
	set[key] = true
	if m.busy[schedule] {
		return false, nil, ErrBusy
	}
	m.busy[schedule] = true
	var once sync.Once
	return true, func() {
		once.Do(func() {
			m.mu.Lock()
			delete(m.busy, schedule)
			m.mu.Unlock()
		})
	}, nil
}

func forgetOldest(set map[int64]bool, n int) {
	keys := make([]int64, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys[:n] {
		delete(set, k)
	}
}
