package execute

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/result"
)

// SourceFreshness is one source table's freshness result (sources.json v3).
type SourceFreshness struct {
	UniqueID            string             `json:"unique_id"`
	MaxLoadedAt         string             `json:"max_loaded_at"`
	SnapshottedAt       string             `json:"snapshotted_at"`
	MaxLoadedAtTimeAgoS float64            `json:"max_loaded_at_time_ago_in_s"`
	Status              string             `json:"status"` // pass|warn|error|runtime error
	Criteria            manifest.Freshness `json:"criteria"`
	AdapterResponse     map[string]any     `json:"adapter_response"`
	Timing              []result.Timing    `json:"timing"`
	ThreadID            string             `json:"thread_id"`
	ExecutionTime       float64            `json:"execution_time"`
	Error               string             `json:"error,omitempty"`
}

// FreshnessOptions configure a freshness check.
type FreshnessOptions struct {
	Warehouse *materialize.Warehouse
	Manifest  *manifest.Manifest
	// Selected are source unique_ids; sources without a freshness rule or
	// loaded_at_field are left out, as dbt does.
	Selected []string
	Threads  int
	Observer result.Observer
	// Now is the reference clock (time.Now when nil).
	Now func() time.Time
}

// Freshness checks each selected source's newest loaded_at_field value against
// its warn_after / error_after rule.
func Freshness(ctx context.Context, o FreshnessOptions) []*SourceFreshness {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Observer == nil {
		o.Observer = result.Discard{}
	}
	var srcs []*manifest.Node
	for _, id := range o.Selected {
		n, ok := o.Manifest.Sources[id]
		if !ok || n.Freshness == nil || n.LoadedAtField == "" || (n.Freshness.WarnAfter == nil && n.Freshness.ErrorAfter == nil) {
			continue
		}
		srcs = append(srcs, n)
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].UniqueID < srcs[j].UniqueID })
	out := make([]*SourceFreshness, len(srcs))
	threads := max(1, o.Threads)
	sem := make(chan struct{}, threads)
	var wg sync.WaitGroup
	o.Observer.Event(result.Event{Kind: result.RunStarted, Total: len(srcs), Time: o.Now()})
	for i, n := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o.Observer.Event(result.Event{Kind: result.NodeStarted, Index: i + 1, Total: len(srcs), UniqueID: n.UniqueID, ResourceType: "source", Name: n.SourceName + "." + n.Name, RelationName: n.Relation.Schema + "." + n.Relation.Identifier, Time: o.Now()})
			out[i] = checkSource(ctx, o, n)
			r := &result.NodeResult{UniqueID: n.UniqueID, Status: result.Status(out[i].Status), ExecutionTime: out[i].ExecutionTime, Message: FreshnessMessage(out[i]), Node: n}
			o.Observer.Event(result.Event{Kind: result.NodeFinished, Index: i + 1, Total: len(srcs), UniqueID: n.UniqueID, ResourceType: "source", Name: n.SourceName + "." + n.Name, RelationName: n.Relation.Schema + "." + n.Relation.Identifier, Result: r, Time: o.Now()})
		}()
	}
	wg.Wait()
	return out
}

// FreshnessMessage says how old a source's newest row is, or why it could not be checked.
func FreshnessMessage(s *SourceFreshness) string {
	if s.Error != "" {
		return s.Error
	}
	return fmt.Sprintf("newest row loaded %s ago (at %s)", time.Duration(s.MaxLoadedAtTimeAgoS*float64(time.Second)).Round(time.Second), s.MaxLoadedAt)
}

func checkSource(ctx context.Context, o FreshnessOptions, n *manifest.Node) *SourceFreshness {
	began := o.Now()
	s := &SourceFreshness{UniqueID: n.UniqueID, Criteria: *n.Freshness, AdapterResponse: map[string]any{}, ThreadID: "Thread-1"}
	sql := fmt.Sprintf("select max(%s) as max_loaded_at from %s", n.LoadedAtField, n.RelationName)
	if f := strings.TrimSpace(n.Freshness.Filter); f != "" {
		sql += " where " + f
	}
	t, err := o.Warehouse.Query(ctx, sql, 1)
	now := o.Now().UTC()
	s.SnapshottedAt = now.Format(time.RFC3339Nano)
	defer func() {
		done := o.Now()
		s.ExecutionTime = done.Sub(began).Seconds()
		s.Timing = []result.Timing{{Name: "execute", StartedAt: began.UTC(), CompletedAt: done.UTC()}}
	}()
	if err != nil {
		s.Status, s.Error = string(result.RuntimeErr), fmt.Sprintf("source %s.%s: %v", n.SourceName, n.Name, err)
		return s
	}
	var v any
	if len(t.Rows) > 0 && len(t.Rows[0]) > 0 {
		v = t.Rows[0][0]
	}
	loaded, ok := asTime(v)
	if !ok {
		if v == nil {
			s.Status, s.Error = string(result.Error), fmt.Sprintf("source %s.%s has no rows (max(%s) is null)", n.SourceName, n.Name, n.LoadedAtField)
		} else {
			s.Status, s.Error = string(result.RuntimeErr), fmt.Sprintf("source %s.%s: loaded_at_field %s is not a timestamp (got %T %v)", n.SourceName, n.Name, n.LoadedAtField, v, v)
		}
		return s
	}
	s.MaxLoadedAt = loaded.Format(time.RFC3339Nano)
	age := now.Sub(loaded)
	s.MaxLoadedAtTimeAgoS = age.Seconds()
	s.Status = FreshnessStatus(n.Freshness, age)
	return s
}

// FreshnessStatus is pass, warn or error for data of the given age.
func FreshnessStatus(f *manifest.Freshness, age time.Duration) string {
	if f.ErrorAfter != nil && age > periodDuration(f.ErrorAfter) {
		return string(result.Error)
	}
	if f.WarnAfter != nil && age > periodDuration(f.WarnAfter) {
		return string(result.Warn)
	}
	return string(result.Pass)
}

func periodDuration(p *manifest.Period) time.Duration {
	unit := time.Hour
	switch strings.TrimSuffix(strings.ToLower(p.Period), "s") {
	case "minute":
		unit = time.Minute
	case "day":
		unit = 24 * time.Hour
	}
	return time.Duration(p.Count) * unit
}

// asTime reads a timestamp the driver returned. Naive timestamps are UTC, as in dbt.
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), true
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), true
			}
		}
	case []byte:
		return asTime(string(x))
	}
	return time.Time{}, false
}
