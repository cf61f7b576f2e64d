package schedule

import (
	"sort"
	"time"
)

// Tick is one firing of one schedule.
type Tick struct {
	Schedule string
	At       time.Time
	// Missed counts earlier ticks of the same schedule in the window that were
	// dropped because a later one was due too (the process was suspended or the
	// clock jumped); only the latest tick runs.
	Missed int
}

// Due returns the ticks that fall in (prev, now], at most one per schedule (the
// latest), ordered by time and then by schedule order. It is a pure function
// of its arguments.
func Due(plans []Plan, prev, now time.Time) []Tick {
	if !now.After(prev) {
		return nil
	}
	var out []Tick
	for _, p := range plans {
		var last time.Time
		count := 0
		if a, ok := p.Schedule.(AlignedEvery); ok {
			// Computed directly so a long suspension does not loop per interval.
			last = a.Prev(now)
			if first := a.Next(prev); !first.After(last) {
				count = int(last.Sub(first)/a.Interval) + 1
			}
		} else {
			for t := p.Next(prev); !t.IsZero() && !t.After(now); t = p.Next(t) {
				last = t
				count++
			}
		}
		if count > 0 {
			out = append(out, Tick{Schedule: p.Name(), At: last, Missed: count - 1})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// NextTick returns the earliest tick of any schedule strictly after t, and
// false when there is none (no schedules).
func NextTick(plans []Plan, t time.Time) (time.Time, bool) {
	var best time.Time
	for _, p := range plans {
		n := p.Next(t)
		if n.IsZero() {
			continue
		}
		if best.IsZero() || n.Before(best) {
			best = n
		}
	}
	return best, !best.IsZero()
}

// maxCatchupScan bounds how many cron ticks MissedTicks walks, so a long
// outage of a per-minute schedule cannot stall start-up.
const maxCatchupScan = 1 << 20

// MissedTicks returns the ticks of p in (since, now], at most limit of them
// (the newest), oldest first, and how many ticks fell in the window in all.
// It is a pure function of its arguments.
func MissedTicks(p Plan, since, now time.Time, limit int) ([]time.Time, int) {
	if !now.After(since) || limit <= 0 {
		return nil, 0
	}
	var out []time.Time
	total := 0
	if a, ok := p.Schedule.(AlignedEvery); ok {
		last := a.Prev(now)
		first := a.Next(since)
		if first.After(last) {
			return nil, 0
		}
		total = int(last.Sub(first)/a.Interval) + 1
		for i := min(total, limit) - 1; i >= 0; i-- {
			out = append(out, last.Add(-time.Duration(i)*a.Interval))
		}
		return out, total
	}
	ring := make([]time.Time, 0, limit)
	for t, n := p.Next(since), 0; !t.IsZero() && !t.After(now) && n < maxCatchupScan; t, n = p.Next(t), n+1 {
		total++
		if len(ring) == limit {
			ring = append(ring[:0], ring[1:]...)
		}
		ring = append(ring, t)
	}
	return ring, total
}
