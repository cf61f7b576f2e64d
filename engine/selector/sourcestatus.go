package selector

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/strata-dev/strata/engine/manifest"
)

// SourceFreshness is one source's entry in a sources.json: when its newest
// row was loaded, or that the check could not run.
type SourceFreshness struct {
	MaxLoadedAt time.Time
	Status      string
	// Failed marks a check that could not run (dbt's "runtime error").
	Failed bool
}

// LoadSources reads a sources.json (dbt's v3, as `strata source freshness`
// writes it) for source_status:.
func LoadSources(path string) (map[string]SourceFreshness, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sources.json: %w", err)
	}
	var raw struct {
		Results []struct {
			UniqueID    string `json:"unique_id"`
			Status      string `json:"status"`
			MaxLoadedAt string `json:"max_loaded_at"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	out := make(map[string]SourceFreshness, len(raw.Results))
	for _, r := range raw.Results {
		f := SourceFreshness{Status: r.Status, Failed: r.Status == "runtime error" || r.MaxLoadedAt == ""}
		if !f.Failed {
			t, err := parseLoadedAt(r.MaxLoadedAt)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %s max_loaded_at %q: %w", path, r.UniqueID, r.MaxLoadedAt, err)
			}
			f.MaxLoadedAt = t
		}
		out[r.UniqueID] = f
	}
	return out, nil
}

func parseLoadedAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05.999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp")
}

var sourceStatusValues = []string{"fresher", "stale"}

// sourceStatus is dbt's source_status: method: compare the freshness just
// checked (target/sources.json) with the one in --state. fresher selects
// sources with rows newer than last time (or not checked last time); stale
// (strata's) selects sources checked both times with nothing newer. A source
// whose check failed either time is neither.
func (s *selection) sourceStatus(sp spec) (func(*manifest.Node) bool, error) {
	if s.o.SourcesPrevious == nil {
		return nil, invalidSelector(sp.raw, "source_status: compares with an earlier freshness check; pass --state DIR holding its sources.json")
	}
	if s.o.SourcesCurrent == nil {
		return nil, invalidSelector(sp.raw, "source_status: needs this run's freshness: run `strata source freshness` first (it writes target/sources.json)")
	}
	var fresher bool
	switch sp.value {
	case "fresher":
		fresher = true
	case "stale":
	default:
		return nil, invalidValue(sp, "source status", sourceStatusValues)
	}
	return func(n *manifest.Node) bool {
		if n.ResourceType != manifest.Source {
			return false
		}
		cur, ok := s.o.SourcesCurrent[n.UniqueID]
		if !ok || cur.Failed {
			return false
		}
		prev, had := s.o.SourcesPrevious[n.UniqueID]
		if had && prev.Failed {
			return false
		}
		if fresher {
			return !had || cur.MaxLoadedAt.After(prev.MaxLoadedAt)
		}
		return had && !cur.MaxLoadedAt.After(prev.MaxLoadedAt)
	}, nil
}
