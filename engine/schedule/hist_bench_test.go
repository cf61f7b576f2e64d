package schedule

import (
	"testing"
	"time"
)

func BenchmarkHistoryStartFinish(b *testing.B) {
	h, _, err := openHistory(b.TempDir(), 200, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		r, _, err := h.start(Run{ID: runID("s", tick.Add(time.Duration(i)*time.Second), "", 1), Schedule: "s", Status: StatusRunning, Tick: tick, StartedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		r.Status, r.FinishedAt, r.Nodes = StatusSuccess, &now, []NodeReport{{Name: "m", Status: "success"}}
		if err := h.finish(r); err != nil {
			b.Fatal(err)
		}
	}
}
