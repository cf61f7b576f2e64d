package deps

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// redactor keeps credentials out of every message deps produces. It learns
// the secrets while rendering (environment values read by a URL, tokens of
// private packages) and each rendered URL with the form it may be shown in.
// It is safe for concurrent use.
type redactor struct {
	mu      sync.Mutex
	secrets []string
	urls    [][2]string // rendered URL, what to show instead
}

// minSecret is the shortest value treated as a secret: masking "1" or "on"
// everywhere would garble messages without protecting anything.
const minSecret = 4

func (r *redactor) addSecret(s string) {
	if len(s) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.secrets {
		if x == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) addURL(rendered, shown string) {
	if rendered == shown {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, [2]string{rendered, shown})
	sort.Slice(r.urls, func(i, j int) bool { return len(r.urls[i][0]) > len(r.urls[j][0]) })
}

// userinfoRE finds a URL's user part (https://user:pass@), which is masked
// whatever it holds; templates ({{ ... }}) are not matched.
var userinfoRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s{}'"]+@`) })

// clean masks every known secret in s.
func (r *redactor) clean(s string) string {
	r.mu.Lock()
	for _, u := range r.urls {
		s = strings.ReplaceAll(s, u[0], u[1])
		// git sometimes quotes the URL without a trailing .git or slash.
		if t := strings.TrimSuffix(u[0], ".git"); t != u[0] {
			s = strings.ReplaceAll(s, t, strings.TrimSuffix(u[1], ".git"))
		}
	}
	for _, x := range r.secrets {
		s = strings.ReplaceAll(s, x, "****")
	}
	r.mu.Unlock()
	return userinfoRE().ReplaceAllString(s, "${1}****@")
}
