package graph

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/semaphore"
)

// recorder collects what a walk did; safe for the concurrent run calls.
type recorder struct {
	mu      sync.Mutex
	started []string
	ended   map[string]bool
	skipped map[string][]string // id -> causes, one entry per skip call
	// order violations: a node started before one of its parents ended
	violations []string
	running    int
	maxRunning int
}

func newRecorder() *recorder {
	return &recorder{ended: map[string]bool{}, skipped: map[string][]string{}}
}

func (r *recorder) start(parents map[string][]string, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, id)
	for _, p := range parents[id] {
		if _, isNode := parents[p]; isNode && !r.ended[p] {
			r.violations = append(r.violations, id+" before "+p)
		}
	}
	r.running++
	r.maxRunning = max(r.maxRunning, r.running)
}

func (r *recorder) end(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended[id] = true
	r.running--
}

func (r *recorder) skip(id, cause string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped[id] = append(r.skipped[id], cause)
}

func TestWalkOrderOneWorker(t *testing.T) {
	parents := map[string][]string{
		"c": {"a", "b"},
		"b": {"z"},
		"a": {},
		"z": {},
		"d": {"c", "outside"}, // "outside" is not part of the walk: taken as done
	}
	rec := newRecorder()
	err := Walk(context.Background(), parents, WalkOptions{Workers: 1},
		func(_ context.Context, id string) Outcome {
			rec.start(parents, id)
			rec.end(id)
			return Outcome{Status: "success"}
		}, rec.skip)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "z", "b", "c", "d"}
	if !reflect.DeepEqual(rec.started, want) {
		t.Errorf("order = %v, want %v", rec.started, want)
	}
	if len(rec.skipped) != 0 {
		t.Errorf("skipped = %v, want none", rec.skipped)
	}
}

func TestWalkParallelRespectsDependenciesAndWorkers(t *testing.T) {
	// A wide graph: 4 roots, 20 middles each depending on two roots, 1 sink.
	parents := map[string][]string{"sink": nil}
	roots := []string{"r0", "r1", "r2", "r3"}
	for _, r := range roots {
		parents[r] = nil
	}
	for i := range 20 {
		id := "m" + string(rune('a'+i))
		parents[id] = []string{roots[i%4], roots[(i+1)%4]}
		parents["sink"] = append(parents["sink"], id)
	}
	rec := newRecorder()
	err := Walk(context.Background(), parents, WalkOptions{Workers: 3},
		func(_ context.Context, id string) Outcome {
			rec.start(parents, id)
			time.Sleep(time.Millisecond)
			rec.end(id)
			return Outcome{Status: "success"}
		}, rec.skip)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.started) != len(parents) {
		t.Errorf("ran %d nodes, want %d", len(rec.started), len(parents))
	}
	if len(rec.violations) > 0 {
		t.Errorf("dependency violations: %v", rec.violations)
	}
	if rec.maxRunning > 3 {
		t.Errorf("%d nodes ran at once, want at most 3", rec.maxRunning)
	}
	if rec.maxRunning < 2 {
		t.Errorf("at most %d node ran at once; the walk did not run in parallel", rec.maxRunning)
	}
}

func TestWalkSkipsDescendantsOnceWithRootCause(t *testing.T) {
	// a fails; b and c are below it, c also below the healthy d; e is below c.
	parents := map[string][]string{
		"a": nil,
		"b": {"a"},
		"c": {"b", "a", "d"},
		"d": nil,
		"e": {"c"},
		"f": {"d"},
	}
	rec := newRecorder()
	err := Walk(context.Background(), parents, WalkOptions{Workers: 2},
		func(_ context.Context, id string) Outcome {
			rec.start(parents, id)
			defer rec.end(id)
			if id == "a" {
				return Outcome{Status: "error", Block: true}
			}
			return Outcome{Status: "success"}
		}, rec.skip)
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped := map[string][]string{"b": {"a"}, "c": {"a"}, "e": {"a"}}
	if !reflect.DeepEqual(rec.skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", rec.skipped, wantSkipped)
	}
	for _, id := range []string{"a", "d", "f"} {
		if !rec.ended[id] {
			t.Errorf("%s did not run", id)
		}
	}
	if len(rec.started) != 3 {
		t.Errorf("started %v, want a, d, f", rec.started)
	}
}

func TestWalkWarnDoesNotBlock(t *testing.T) {
	parents := map[string][]string{"a": nil, "b": {"a"}}
	var ran atomic.Int32
	err := Walk(context.Background(), parents, WalkOptions{Workers: 1},
		func(_ context.Context, id string) Outcome {
			ran.Add(1)
			return Outcome{Status: "warn"}
		}, func(id, cause string) { t.Errorf("skip(%s, %s) called", id, cause) })
	if err != nil || ran.Load() != 2 {
		t.Errorf("err = %v, ran %d, want nil and 2", err, ran.Load())
	}
}

func TestWalkFailFast(t *testing.T) {
	// "bad" fails while "slow" is running; "later" and "child" never start.
	parents := map[string][]string{
		"bad":   nil,
		"slow":  nil,
		"child": {"bad"},
		"later": {"slow"},
	}
	rec := newRecorder()
	slowStarted := make(chan struct{})
	var slowErr error
	err := Walk(context.Background(), parents, WalkOptions{Workers: 2, FailFast: true},
		func(ctx context.Context, id string) Outcome {
			rec.start(parents, id)
			defer rec.end(id)
			switch id {
			case "slow":
				close(slowStarted)
				select {
				case <-ctx.Done():
					slowErr = ctx.Err()
					return Outcome{Status: "cancelled", Block: true}
				case <-time.After(10 * time.Second):
					return Outcome{Status: "success"}
				}
			case "bad":
				<-slowStarted
				return Outcome{Status: "error", Block: true}
			}
			return Outcome{Status: "success"}
		}, rec.skip)
	if err != nil {
		t.Fatalf("Walk = %v, want nil (fail-fast is reported through outcomes)", err)
	}
	if !errors.Is(slowErr, context.Canceled) {
		t.Errorf("running node saw ctx error %v, want context.Canceled", slowErr)
	}
	want := map[string][]string{"child": {"bad"}, "later": {"slow"}}
	if !reflect.DeepEqual(rec.skipped, want) {
		t.Errorf("skipped = %v, want %v", rec.skipped, want)
	}
}

func TestWalkFailFastNeverStarted(t *testing.T) {
	// One worker: after "a" fails, the independent "b" never starts and is
	// reported with an empty cause.
	parents := map[string][]string{"a": nil, "b": nil, "c": {"a"}}
	rec := newRecorder()
	err := Walk(context.Background(), parents, WalkOptions{Workers: 1, FailFast: true},
		func(_ context.Context, id string) Outcome {
			rec.start(parents, id)
			rec.end(id)
			return Outcome{Status: "error", Block: true}
		}, rec.skip)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"b": {""}, "c": {"a"}}
	if !reflect.DeepEqual(rec.skipped, want) || !reflect.DeepEqual(rec.started, []string{"a"}) {
		t.Errorf("started %v skipped %v, want [a] and %v", rec.started, rec.skipped, want)
	}
}

func TestWalkCancellation(t *testing.T) {
	parents := map[string][]string{"a": nil, "b": nil, "c": {"a"}, "d": {"c"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := newRecorder()
	var inFlight error
	err := Walk(ctx, parents, WalkOptions{Workers: 1},
		func(ctx context.Context, id string) Outcome {
			rec.start(parents, id)
			defer rec.end(id)
			if id == "a" {
				cancel() // Ctrl-C while a runs
				<-ctx.Done()
				inFlight = ctx.Err()
				return Outcome{Status: "cancelled", Block: true}
			}
			return Outcome{Status: "success"}
		}, rec.skip)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk = %v, want context.Canceled", err)
	}
	if !errors.Is(inFlight, context.Canceled) {
		t.Errorf("in-flight node saw %v", inFlight)
	}
	// c and d are below the cancelled a; b never started.
	want := map[string][]string{"b": {""}, "c": {"a"}, "d": {"a"}}
	if !reflect.DeepEqual(rec.skipped, want) || len(rec.started) != 1 {
		t.Errorf("started %v skipped %v, want [a] and %v", rec.started, rec.skipped, want)
	}
}

func TestWalkCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parents := map[string][]string{"a": nil, "b": {"a"}}
	rec := newRecorder()
	err := Walk(ctx, parents, WalkOptions{Workers: 4},
		func(_ context.Context, id string) Outcome {
			rec.start(parents, id)
			return Outcome{}
		}, rec.skip)
	if !errors.Is(err, context.Canceled) || len(rec.started) != 0 {
		t.Errorf("err %v, started %v", err, rec.started)
	}
	want := map[string][]string{"a": {""}, "b": {""}}
	if !reflect.DeepEqual(rec.skipped, want) {
		t.Errorf("skipped %v, want %v", rec.skipped, want)
	}
}

func TestWalkSharedSlots(t *testing.T) {
	slots := semaphore.NewWeighted(2)
	var running, peak atomic.Int32
	run := func(_ context.Context, id string) Outcome {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		return Outcome{Status: "success"}
	}
	mk := func(prefix string) map[string][]string {
		p := map[string][]string{}
		for i := range 8 {
			p[prefix+string(rune('a'+i))] = nil
		}
		return p
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, prefix := range []string{"x", "y"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Walk(context.Background(), mk(prefix), WalkOptions{Workers: 4, Slots: slots}, run,
				func(id, cause string) { t.Errorf("skip(%s, %q)", id, cause) })
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak concurrency across both walks = %d, want 1..2", p)
	}
	// Every slot is back.
	if !slots.TryAcquire(2) {
		t.Error("walks did not release all slots")
	}
}

func TestWalkSlotsCancelledWhileWaiting(t *testing.T) {
	slots := semaphore.NewWeighted(1)
	if !slots.TryAcquire(1) { // someone else holds the only slot
		t.Fatal("TryAcquire")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := newRecorder()
	parents := map[string][]string{"a": nil}
	err := Walk(ctx, parents, WalkOptions{Workers: 1, Slots: slots},
		func(_ context.Context, id string) Outcome { rec.start(parents, id); return Outcome{} }, rec.skip)
	if !errors.Is(err, context.DeadlineExceeded) || len(rec.started) != 0 {
		t.Errorf("err %v started %v", err, rec.started)
	}
	if !reflect.DeepEqual(rec.skipped, map[string][]string{"a": {""}}) {
		t.Errorf("skipped %v", rec.skipped)
	}
}

func TestWalkCycle(t *testing.T) {
	err := Walk(context.Background(), map[string][]string{"a": {"b"}, "b": {"a"}, "c": nil}, WalkOptions{},
		func(context.Context, string) Outcome { t.Error("ran a node"); return Outcome{} },
		func(string, string) {})
	if err == nil || err.Error() != "walk: dependency cycle among a, b" {
		t.Errorf("err = %v", err)
	}
}

func TestWalkLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	parents := map[string][]string{}
	for i := range 50 {
		id := fmt.Sprintf("n%02d", i)
		if i >= 5 {
			parents[id] = []string{fmt.Sprintf("n%02d", i-5)}
		} else {
			parents[id] = nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	err := Walk(ctx, parents, WalkOptions{Workers: 0}, func(ctx context.Context, id string) Outcome {
		if n.Add(1) == 10 {
			cancel()
		}
		return Outcome{Status: "success"}
	}, nil)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk = %v", err)
	}
	if got := n.Load(); got != 10 {
		t.Errorf("ran %d nodes with one worker after cancelling at the 10th", got)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before the walk, %d after", before, after)
	}
}
