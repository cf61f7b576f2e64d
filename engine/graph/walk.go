package graph

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/semaphore"
)

// Outcome is how one node's run ended.
type Outcome struct {
	// Status is the caller's word for it: success, error, fail, warn, pass,
	// skipped, cancelled. Walk does not read it.
	Status string
	// Block true means the node's descendants must not run; Walk skips them.
	Block bool
}

// WalkOptions bounds a walk.
type WalkOptions struct {
	// Workers is how many nodes run at once; less than 1 means 1.
	Workers int
	// FailFast stops dispatching after the first blocking outcome and cancels the
	// context of the nodes still running.
	FailFast bool
	// Slots, when set, is a budget shared with other walks: each running node holds
	// one unit of it.
	Slots *semaphore.Weighted
}

// Walk runs every key of parents once all of its parents (those that are keys too;
// others are taken as already done) have finished without Block, at most
// opts.Workers at a time. Among ready nodes the one earliest in a topological order
// with ties broken by id goes first, so a one-worker walk is deterministic.
//
// When a node blocks, each of its descendants that has not started is reported
// once through skip with that node's id as cause, also when the descendant is
// reached through other skipped nodes. When ctx is cancelled, or after the first
// block with FailFast, no further node starts; running nodes see a cancelled
// context and end as run reports; every node that never started and was not
// already skipped is reported through skip with cause "".
//
// run is called from several goroutines at once; skip (nil: ignored) is called
// from Walk's own goroutine only, never concurrently with itself. Walk returns after every run call
// has returned. It returns ctx.Err() when ctx was cancelled before every node
// finished, an error without running anything when parents has a cycle, and nil
// otherwise: node failures are the caller's to count from the outcomes.
func Walk(ctx context.Context, parents map[string][]string, opts WalkOptions,
	run func(ctx context.Context, id string) Outcome,
	skip func(id string, cause string)) error {
	w, err := newWalker(parents)
	if err != nil {
		return err
	}
	if skip == nil {
		skip = func(string, string) {}
	}
	return w.walk(ctx, opts, run, skip)
}

// Node states in a walk.
const (
	statePending int8 = iota // waiting for parents
	stateReady               // in the ready queue
	stateRunning
	stateDone
	stateSkipped
)

type walker struct {
	ids      []string  // sorted
	children [][]int32 // by index into ids
	indeg    []int32
	prio     []int32 // position in the deterministic topological order
}

func newWalker(parents map[string][]string) (*walker, error) {
	w := &walker{ids: make([]string, 0, len(parents))}
	for id := range parents {
		w.ids = append(w.ids, id)
	}
	slices.Sort(w.ids)
	index := make(map[string]int32, len(w.ids))
	for i, id := range w.ids {
		index[id] = int32(i)
	}
	n := len(w.ids)
	w.children = make([][]int32, n)
	w.indeg = make([]int32, n)
	for ci, id := range w.ids {
		seen := map[int32]bool{}
		for _, p := range parents[id] {
			pi, ok := index[p]
			if !ok || seen[pi] {
				continue
			}
			seen[pi] = true
			w.children[pi] = append(w.children[pi], int32(ci))
			w.indeg[ci]++
		}
	}
	// Precompute the order once: the same Kahn pass as DAG.Order.
	w.prio = make([]int32, n)
	indeg := slices.Clone(w.indeg)
	var ready []int32 // a min-heap (pushMin, popMin); ascending is one already
	for i := range n {
		if indeg[i] == 0 {
			ready = append(ready, int32(i))
		}
	}
	k := int32(0)
	for len(ready) > 0 {
		var v int32
		v, ready = popMin(ready)
		w.prio[v] = k
		k++
		for _, c := range w.children[v] {
			if indeg[c]--; indeg[c] == 0 {
				ready = pushMin(ready, c)
			}
		}
	}
	if int(k) < n {
		var stuck []string
		for i := range n {
			if indeg[i] > 0 {
				stuck = append(stuck, w.ids[i])
			}
		}
		return nil, fmt.Errorf("walk: dependency cycle among %s", strings.Join(stuck, ", "))
	}
	return w, nil
}

type walkResult struct {
	v   int32
	out Outcome
}

// prioHeap orders ready vertices by their precomputed priority.
type prioHeap struct {
	v    []int32
	prio []int32
}

func (h *prioHeap) Len() int           { return len(h.v) }
func (h *prioHeap) Less(i, j int) bool { return h.prio[h.v[i]] < h.prio[h.v[j]] }
func (h *prioHeap) Swap(i, j int)      { h.v[i], h.v[j] = h.v[j], h.v[i] }
func (h *prioHeap) Push(x any)         { h.v = append(h.v, x.(int32)) }
func (h *prioHeap) Pop() any {
	v := h.v[len(h.v)-1]
	h.v = h.v[:len(h.v)-1]
	return v
}

func (w *walker) walk(ctx context.Context, opts WalkOptions,
	run func(ctx context.Context, id string) Outcome,
	skip func(id string, cause string)) error {
	n := len(w.ids)
	workers := max(opts.Workers, 1)
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()

	state := make([]int8, n)
	indeg := slices.Clone(w.indeg)
	ready := &prioHeap{prio: w.prio}
	for i := range n {
		if indeg[i] == 0 {
			state[i] = stateReady
			heap.Push(ready, int32(i))
		}
	}
	// Buffered for every node, so a finished worker never waits on the walk.
	results := make(chan walkResult, n)
	running := 0
	stopping := false
	done := ctx.Done()

	stop := func() {
		stopping = true
		cancelRun()
	}
	finish := func(r walkResult) {
		running--
		state[r.v] = stateDone
		if !r.out.Block {
			for _, c := range w.children[r.v] {
				if state[c] != statePending {
					continue
				}
				if indeg[c]--; indeg[c] == 0 {
					state[c] = stateReady
					heap.Push(ready, c)
				}
			}
			return
		}
		// Skip every pending descendant once, naming r.v as the cause. A
		// descendant cannot be ready or running: it waits for r.v.
		var skipped []int32
		queue := []int32{r.v}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, c := range w.children[v] {
				if state[c] == statePending {
					state[c] = stateSkipped
					skipped = append(skipped, c)
					queue = append(queue, c)
				}
			}
		}
		slices.SortFunc(skipped, func(a, b int32) int { return int(w.prio[a] - w.prio[b]) })
		for _, v := range skipped {
			skip(w.ids[v], w.ids[r.v])
		}
		if opts.FailFast {
			stop()
		}
	}
	// drain handles every result already delivered, without waiting.
	drain := func() {
		for {
			select {
			case r := <-results:
				finish(r)
			default:
				return
			}
		}
	}

	for {
		for !stopping && running < workers && ready.Len() > 0 {
			if ctx.Err() != nil {
				stop()
				break
			}
			v := heap.Pop(ready).(int32)
			if opts.Slots != nil {
				if err := opts.Slots.Acquire(runCtx, 1); err != nil {
					heap.Push(ready, v)
					stop()
					break
				}
				// Waiting for a slot may have taken a while: take in what
				// finished meanwhile, which may stop the walk.
				drain()
				if stopping {
					opts.Slots.Release(1)
					heap.Push(ready, v)
					break
				}
			}
			state[v] = stateRunning
			running++
			if workers == 1 {
				// One worker: run the node on this goroutine. Handing it to
				// another goroutine and waiting for its result costs two
				// wake-ups per node, which is a tenth of a fast statement's
				// round trip (a view on a local PostgreSQL).
				out := run(runCtx, w.ids[v])
				if opts.Slots != nil {
					opts.Slots.Release(1)
				}
				finish(walkResult{v: v, out: out})
				continue
			}
			go func(v int32) {
				out := run(runCtx, w.ids[v])
				if opts.Slots != nil {
					opts.Slots.Release(1)
				}
				results <- walkResult{v: v, out: out}
			}(v)
		}
		if running == 0 {
			break
		}
		select {
		case r := <-results:
			finish(r)
		case <-done:
			done = nil // seen once; from now on only wait for results
			stop()
		}
	}

	if stopping {
		var never []int32
		for i := range n {
			if state[i] == statePending || state[i] == stateReady {
				never = append(never, int32(i))
			}
		}
		slices.SortFunc(never, func(a, b int32) int { return int(w.prio[a] - w.prio[b]) })
		for _, v := range never {
			skip(w.ids[v], "")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
