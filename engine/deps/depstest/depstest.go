// Package depstest builds package sources for tests of `strata deps`: bare git
// repositories made with the git binary (served over file:// or smart HTTP),
// tarballs, and an in-process dbt Package Hub answering the Hub's JSON API.
// Nothing here touches the network beyond loopback.
package depstest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Repo is a bare git repository with a work clone that commits and pushes to it.
type Repo struct {
	t    testing.TB
	Bare string // the bare repository's folder
	work string
}

// NewRepo makes an empty bare repository whose default branch is main.
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	r := &Repo{t: t, Bare: filepath.Join(dir, "repo.git"), work: filepath.Join(dir, "work")}
	r.git("", "init", "-q", "--bare", "-b", "main", r.Bare)
	r.git("", "init", "-q", "-b", "main", r.work)
	return r
}

func (r *Repo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (a "" value deletes one) on the current branch,
// commits and pushes; it returns the commit's sha.
func (r *Repo) Commit(files map[string]string) string {
	r.t.Helper()
	WriteFiles(r.t, r.work, files)
	for name, content := range files {
		if content == "" {
			os.Remove(filepath.Join(r.work, filepath.FromSlash(name)))
		}
	}
	r.git(r.work, "add", "-A")
	r.git(r.work, "commit", "-q", "--allow-empty", "-m", "change")
	branch := r.git(r.work, "rev-parse", "--abbrev-ref", "HEAD")
	r.git(r.work, "push", "-q", r.Bare, "HEAD:refs/heads/"+branch)
	return r.git(r.work, "rev-parse", "HEAD")
}

// Tag tags the last commit (annotated when annotated is true) and pushes it.
func (r *Repo) Tag(name string, annotated bool) {
	r.t.Helper()
	if annotated {
		r.git(r.work, "tag", "-a", "-m", name, name)
	} else {
		r.git(r.work, "tag", name)
	}
	r.git(r.work, "push", "-q", r.Bare, "refs/tags/"+name)
}

// Checkout switches the work clone to branch, creating it at the current
// commit when it does not exist.
func (r *Repo) Checkout(branch string) {
	r.t.Helper()
	cmd := exec.Command("git", "rev-parse", "--verify", "-q", "refs/heads/"+branch)
	cmd.Dir = r.work
	if cmd.Run() == nil {
		r.git(r.work, "checkout", "-q", branch)
		return
	}
	r.git(r.work, "checkout", "-q", "-b", branch)
}

// URL is the repository's file:// URL.
func (r *Repo) URL() string { return "file://" + filepath.ToSlash(r.Bare) }

// ServeHTTP serves the repository over git's smart HTTP protocol (git
// http-backend) at <server><prefix>/repo.git. When user and password are set, every
// request must carry them (HTTP basic auth), so a test can check that a
// credential from env_var() reached git. It returns the server's base URL.
func (r *Repo) ServeHTTP(prefix, user, password string) string {
	r.t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		r.t.Skipf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		r.t.Skip("git-http-backend is not installed")
	}
	h := &cgi.Handler{Path: backend, Root: prefix, Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(r.Bare), "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if user != "" {
			u, p, ok := req.BasicAuth()
			if !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
			if u != user || p != password {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
		}
		if !strings.HasPrefix(req.URL.Path, prefix+"/") {
			http.NotFound(w, req)
			return
		}
		h.ServeHTTP(w, req)
	}))
	r.t.Cleanup(srv.Close)
	return srv.URL
}

// WriteFiles writes files (slash paths) under dir; "" values are skipped.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if content == "" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Tarball builds a .tar.gz holding files under the folder top (as GitHub's
// tarballs wrap a repository in repo-tag/); top "" puts them at the root.
func Tarball(top string, files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if top != "" {
		tw.WriteHeader(&tar.Header{Name: top + "/", Typeflag: tar.TypeDir, Mode: 0o755})
	}
	for _, n := range names {
		name := n
		if top != "" {
			name = top + "/" + n
		}
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n]))})
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// Project is a minimal dbt_project.yml for a package named name.
func Project(name string) string {
	return "name: " + name + "\nversion: '1.0.0'\nconfig-version: 2\n"
}

// Hub is an in-process dbt Package Hub: /api/v1/index.json,
// /api/v1/<org>/<name>.json with every version's dependencies and tarball,
// and the tarballs themselves (built from each version's files).
type Hub struct {
	*httptest.Server
	mu       sync.Mutex
	pkgs     map[string]map[string]*HubVersion
	files    map[string][]byte
	requests []string
}

// HubVersion is one published version.
type HubVersion struct {
	Name     string            // project name (dbt_project.yml name:)
	Files    map[string]string // the package's files; Project(Name) is added when there is no dbt_project.yml
	Packages []map[string]any  // its own requirements, as the Hub lists them
	// RequireDBT is require_dbt_version (nil: none).
	RequireDBT any
	// BadSHA1 lists a wrong sha1 for the tarball; Corrupt serves garbage.
	BadSHA1, Corrupt bool
	// NoProject leaves dbt_project.yml out of the tarball.
	NoProject bool
}

// NewHub starts a Hub on loopback, closed when the test ends.
func NewHub(t testing.TB) *Hub {
	h := &Hub{pkgs: map[string]map[string]*HubVersion{}, files: map[string][]byte{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

// Base is the Hub's base URL, as STRATA_HUB_URL takes it.
func (h *Hub) Base() string { return h.URL + "/" }

// Publish adds a version of org/name.
func (h *Hub) Publish(pkg, version string, v HubVersion) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pkgs[pkg] == nil {
		h.pkgs[pkg] = map[string]*HubVersion{}
	}
	if v.Name == "" {
		v.Name = pkg[strings.Index(pkg, "/")+1:]
	}
	h.pkgs[pkg][version] = &v
}

// Serve makes the server answer path with data (a tarball: source).
func (h *Hub) Serve(path string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[path] = data
}

// Requests returns and forgets the paths requested so far.
func (h *Hub) Requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.requests
	h.requests = nil
	return r
}

func (h *Hub) tarball(pkg, version string, v *HubVersion) []byte {
	if v.Corrupt {
		return []byte("this is not a tarball")
	}
	files := map[string]string{}
	for k, c := range v.Files {
		files[k] = c
	}
	if _, ok := files["dbt_project.yml"]; !ok && !v.NoProject {
		files["dbt_project.yml"] = Project(v.Name)
	}
	repo := strings.ReplaceAll(pkg[strings.Index(pkg, "/")+1:], "_", "-")
	return Tarball(repo+"-"+version, files)
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, r.URL.Path)
	path := r.URL.Path
	if data, ok := h.files[path]; ok {
		w.Write(data)
		return
	}
	switch {
	case path == "/api/v1/index.json":
		var names []string
		for n := range h.pkgs {
			names = append(names, n)
		}
		sort.Strings(names)
		json.NewEncoder(w).Encode(names)
	case strings.HasPrefix(path, "/api/v1/") && strings.HasSuffix(path, ".json"):
		pkg := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/"), ".json")
		versions := h.pkgs[pkg]
		if versions == nil {
			http.NotFound(w, r)
			return
		}
		org, name, _ := strings.Cut(pkg, "/")
		out := map[string]any{"name": name, "namespace": org, "description": "test package"}
		vs := map[string]any{}
		latest := ""
		for ver, v := range versions {
			data := h.tarball(pkg, ver, v)
			sum := sha1.Sum(data)
			sha := hex.EncodeToString(sum[:])
			if v.BadSHA1 {
				sha = strings.Repeat("0", 40)
			}
			deps := v.Packages
			if deps == nil {
				deps = []map[string]any{}
			}
			entry := map[string]any{
				"id": pkg + "/" + ver, "name": v.Name, "version": ver, "published_at": "1970-01-01T00:00:00.000000+00:00",
				"packages": deps, "works_with": []any{},
				"downloads": map[string]any{"tarball": h.URL + "/tarballs/" + pkg + "/" + ver + ".tar.gz", "format": "tgz", "sha1": sha},
			}
			if v.RequireDBT != nil {
				entry["require_dbt_version"] = v.RequireDBT
			}
			vs[ver] = entry
			if ver > latest {
				latest = ver
			}
		}
		out["versions"], out["latest"] = vs, latest
		json.NewEncoder(w).Encode(out)
	case strings.HasPrefix(path, "/tarballs/") && strings.HasSuffix(path, ".tar.gz"):
		rest := strings.TrimSuffix(strings.TrimPrefix(path, "/tarballs/"), ".tar.gz")
		i := strings.LastIndex(rest, "/")
		pkg, ver := rest[:i], rest[i+1:]
		v := h.pkgs[pkg][ver]
		if v == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(h.tarball(pkg, ver, v))
	default:
		http.NotFound(w, r)
	}
}
