package deps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// DefaultHubURL is the dbt Package Hub.
const DefaultHubURL = "https://hub.getdbt.com/"

// hubPackage is /api/v1/<org>/<name>.json: a package and all its versions.
type hubPackage struct {
	Name              string                 `json:"name"`
	Namespace         string                 `json:"namespace"`
	Latest            string                 `json:"latest"`
	RedirectNamespace string                 `json:"redirectnamespace"`
	RedirectName      string                 `json:"redirectname"`
	Versions          map[string]*hubVersion `json:"versions"`
}

// hubVersion is one version's entry: its project name, its own package
// requirements, where its tarball is, and which dbt versions it supports.
type hubVersion struct {
	Name      string           `json:"name"`
	Version   string           `json:"version"`
	Packages  []map[string]any `json:"packages"`
	Downloads struct {
		Tarball string `json:"tarball"`
		SHA1    string `json:"sha1"`
	} `json:"downloads"`
	RequireDBTVersion any `json:"require_dbt_version"`
}

// hubClient reads the Hub's JSON API, each package once per run.
type hubClient struct {
	base   string
	client *http.Client
	red    *redactor

	mu       sync.Mutex
	cache    map[string]*hubPackage
	index    []string
	requests int
}

func (h *hubClient) url(path string) string { return h.base + "api/v1/" + path + ".json" }

// get fetches one JSON document; found is false on 404.
func (h *hubClient) get(ctx context.Context, path string, out any) (found bool, err error) {
	u := h.url(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "application/json")
	h.mu.Lock()
	h.requests++
	h.mu.Unlock()
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, &Error{Package: path, Source: SourceHub, Problem: "cannot reach the dbt Hub at " + u + ": " + h.red.clean(rootCause(err)),
			Fix: "check the network, or point STRATA_HUB_URL at a reachable Hub"}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, &Error{Package: path, Source: SourceHub, Problem: fmt.Sprintf("the dbt Hub answered %s for %s", resp.Status, u), Fix: "try again later, or point STRATA_HUB_URL at a working Hub"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return false, &Error{Package: path, Source: SourceHub, Problem: "reading " + u + ": " + rootCause(err), Fix: "try again"}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return false, &Error{Package: path, Source: SourceHub, Problem: fmt.Sprintf("%s is not the Hub's JSON: %v", u, err), Fix: "check STRATA_HUB_URL"}
	}
	return true, nil
}

// pkg returns a package's listing; a name the Hub does not know is an error
// with the closest names it does know.
func (h *hubClient) pkg(ctx context.Context, name string) (*hubPackage, error) {
	h.mu.Lock()
	p, ok := h.cache[name]
	h.mu.Unlock()
	if ok {
		return p, nil
	}
	p = &hubPackage{}
	found, err := h.get(ctx, name, p)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Package = name
		}
		return nil, err
	}
	if !found || len(p.Versions) == 0 {
		fix := "check the name on https://hub.getdbt.com"
		if s := h.suggest(ctx, name); s != "" {
			fix = fmt.Sprintf("did you mean %s?", s)
		}
		return nil, &Error{Package: name, Source: SourceHub, Problem: "not found on the dbt Hub (" + h.url(name) + ")", Fix: fix}
	}
	h.mu.Lock()
	h.cache[name] = p
	h.mu.Unlock()
	return p, nil
}

// suggest finds the Hub's closest package name, reading its index only on this
// error path.
func (h *hubClient) suggest(ctx context.Context, name string) string {
	if h.index == nil {
		var idx []string
		if found, err := h.get(ctx, "index", &idx); err != nil || !found {
			return ""
		}
		h.index = idx
	}
	best, bestD := "", len(name)/2+1
	for _, c := range h.index {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// versions lists the versions that may be installed, ascending: pre-releases
// only when allowed, and (when dbtVersion is set) only versions whose
// require_dbt_version admits it, as dbt's version check does.
func (p *hubPackage) versions(prerelease bool, dbtVersion string) []Version {
	var dv *Version
	if dbtVersion != "" {
		if v, err := ParseVersion(dbtVersion); err == nil {
			dv = &v
		}
	}
	var out []Version
	for s, hv := range p.Versions {
		v, err := ParseVersion(s)
		if err != nil || (v.Pre != "" && !prerelease) {
			continue
		}
		if dv != nil && !hv.supports(*dv) {
			continue
		}
		out = append(out, v)
	}
	sortVersions(out)
	return out
}

func (hv *hubVersion) supports(dbt Version) bool {
	var items []string
	switch x := hv.RequireDBTVersion.(type) {
	case string:
		items = []string{x}
	case []any:
		for _, e := range x {
			items = append(items, fmt.Sprint(e))
		}
	}
	if len(items) == 0 {
		return true
	}
	r, err := ParseRange(items)
	return err != nil || r.Allows(dbt)
}

// version finds a listed version by its parsed value (the listing's keys are
// strings; "1.0.0" and "1.0.0+build" name the same release).
func (p *hubPackage) version(v Version) (*hubVersion, string) {
	if hv, ok := p.Versions[v.String()]; ok {
		return hv, v.String()
	}
	for s, hv := range p.Versions {
		if w, err := ParseVersion(s); err == nil && w.Compare(v) == 0 {
			return hv, s
		}
	}
	return nil, ""
}

// rootCause trims Go's wrapping of a network error to its last, most useful part.
func rootCause(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "dial") {
		return msg[i+2:]
	}
	return msg
}
