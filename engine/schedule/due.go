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
