package deps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// gitClient fetches git packages with the git binary: one shallow fetch of
// exactly the revision asked for, into a fresh repository per package.
type gitClient struct {
	bin  string
	red  *redactor
	work string // where checkouts are made (inside the staging folder)

	mu    sync.Mutex
	n     int
	cache map[string]*gitCheckout
	calls int // git invocations, for tests and the "fetched nothing" promise
}

// gitCheckout is a repository checked out at one commit.
type gitCheckout struct {
	dir      string // the work tree
	pkgDir   string // dir, or its subdirectory holding the package
	sha      string
	ref      string // what the revision was: "tag 1.0.0", "branch main", "commit 1a2b3c4", "HEAD"
	unpinned bool   // a branch or the default branch: it moves
}

var (
	fullSHARE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })
	hexRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]{4,39}$`) })
)

// gitError is a failed git command, its output cleaned of secrets.
type gitError struct {
	args   []string
	output string
}

func (e *gitError) Error() string { return e.output }

func (g *gitClient) run(ctx context.Context, dir string, args ...string) (string, error) {
	g.mu.Lock()
	g.calls++
	g.mu.Unlock()
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Dir = dir
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_ASKPASS=", "SSH_ASKPASS=")
	if os.Getenv("GIT_SSH_COMMAND") == "" {
		// Never wait on a passphrase or host-key prompt nobody will answer.
		env = append(env, "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	}
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var ee *exec.Error
		if errors.As(err, &ee) {
			return "", &Error{Problem: fmt.Sprintf("cannot run git (%v)", ee.Err), Fix: "install git and put it on PATH"}
		}
		return "", &gitError{args: args, output: g.red.clean(gitMessage(errb.String()))}
	}
	return out.String(), nil
}

// gitMessage keeps the line of git's stderr that says what failed: the first
// "fatal:" or "error:" line, else the last line.
func gitMessage(s string) string {
	var last string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "warning: ") || strings.HasPrefix(l, "hint:") {
			continue
		}
		for _, p := range []string{"fatal: ", "error: "} {
			if strings.HasPrefix(l, p) {
				return strings.TrimPrefix(l, p)
			}
		}
		last = l
	}
	if last == "" {
		return "git failed"
	}
	return last
}

// checkout gets url at rev (a tag, a branch, a full or short commit, or ""
// for the default branch). Tags win over branches of the same name, as in dbt.
func (g *gitClient) checkout(ctx context.Context, url, rev, subdir string) (*gitCheckout, error) {
	key := url + "\x00" + rev + "\x00" + subdir
	g.mu.Lock()
	if co, ok := g.cache[key]; ok {
		g.mu.Unlock()
		return co, nil
	}
	g.n++
	dir := filepath.Join(g.work, fmt.Sprintf("git-%d", g.n))
	g.mu.Unlock()

	if _, err := g.run(ctx, "", "init", "-q", dir); err != nil {
		return nil, err
	}
	co := &gitCheckout{dir: dir}
	var fetchRef string
	short := false
	switch {
	case fullSHARE().MatchString(rev):
		fetchRef, co.ref = rev, "commit "+rev[:7]
	default:
		patterns := []string{"HEAD"}
		if rev != "" && rev != "HEAD" {
			patterns = []string{"refs/tags/" + rev, "refs/heads/" + rev}
		}
		out, err := g.run(ctx, dir, append([]string{"ls-remote", "--", url}, patterns...)...)
		if err != nil {
			return nil, unreachable(err)
		}
		refs := map[string]string{}
		for _, l := range strings.Split(out, "\n") {
			if sha, ref, ok := strings.Cut(strings.TrimSpace(l), "\t"); ok {
				refs[ref] = sha
			}
		}
		switch {
		case rev == "" || rev == "HEAD":
			if refs["HEAD"] == "" {
				return nil, &Error{Problem: "the repository has no default branch (HEAD)", Fix: "set revision: to a tag, branch or commit"}
			}
			fetchRef, co.ref, co.unpinned = "HEAD", "HEAD", true
		case refs["refs/tags/"+rev] != "":
			fetchRef, co.ref = "refs/tags/"+rev, "tag "+rev
		case refs["refs/heads/"+rev] != "":
			fetchRef, co.ref, co.unpinned = "refs/heads/"+rev, "branch "+rev, true
		case hexRE().MatchString(rev):
			short, co.ref = true, "commit "+rev
		default:
			return nil, g.missing(ctx, dir, url, rev)
		}
	}

	if short {
		// A short commit cannot be fetched by name: fetch the branches and
		// tags, then find the commit among them.
		if _, err := g.run(ctx, dir, "fetch", "-q", "--", url, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"); err != nil {
			return nil, unreachable(err)
		}
		sha, err := g.run(ctx, dir, "rev-parse", "--verify", "-q", rev+"^{commit}")
		if err != nil {
			return nil, g.missing(ctx, dir, url, rev)
		}
		co.sha = strings.TrimSpace(sha)
	} else {
		_, err := g.run(ctx, dir, "fetch", "-q", "--no-tags", "--depth", "1", "--", url, fetchRef)
		if err != nil && ctx.Err() == nil {
			// Some servers cannot serve a shallow fetch: try a full one.
			_, err = g.run(ctx, dir, "fetch", "-q", "--no-tags", "--", url, fetchRef)
		}
		if err != nil {
			var ge *gitError
			if fullSHARE().MatchString(rev) && errors.As(err, &ge) && !looksUnreachable(ge.output) {
				return nil, g.missing(ctx, dir, url, rev)
			}
			return nil, unreachable(err)
		}
		sha, err := g.run(ctx, dir, "rev-parse", "--verify", "FETCH_HEAD^{commit}")
		if err != nil {
			return nil, err
		}
		co.sha = strings.TrimSpace(sha)
	}
	if _, err := g.run(ctx, dir, "-c", "advice.detachedHead=false", "checkout", "-q", co.sha); err != nil {
		return nil, err
	}
	co.pkgDir = dir
	if subdir != "" {
		co.pkgDir = filepath.Join(dir, filepath.FromSlash(subdir))
		if st, err := os.Stat(co.pkgDir); err != nil || !st.IsDir() {
			return nil, &Error{Problem: fmt.Sprintf("subdirectory %q does not exist at %s", subdir, co.ref), Fix: "fix subdirectory: to the folder holding dbt_project.yml"}
		}
	}
	g.mu.Lock()
	g.cache[key] = co
	g.mu.Unlock()
	return co, nil
}

// missing is the error for a revision the repository does not have, naming
// some tags that it does have.
func (g *gitClient) missing(ctx context.Context, dir, url, rev string) error {
	fix := "set revision: to a tag, branch or full commit that exists"
	if out, err := g.run(ctx, dir, "ls-remote", "--tags", "--", url); err == nil {
		var tags []string
		for _, l := range strings.Split(out, "\n") {
			if _, ref, ok := strings.Cut(strings.TrimSpace(l), "\t"); ok && !strings.HasSuffix(ref, "^{}") {
				tags = append(tags, strings.TrimPrefix(ref, "refs/tags/"))
			}
		}
		sortTags(tags)
		if len(tags) > 8 {
			tags = tags[len(tags)-8:]
		}
		if len(tags) > 0 {
			fix += " (tags: " + strings.Join(tags, ", ") + ")"
		}
	}
	return &Error{Problem: fmt.Sprintf("revision %q not found: it is no tag, branch or commit of the repository", rev), Fix: fix}
}

// sortTags orders tags by version where they are versions, else by name.
func sortTags(tags []string) {
	sort.SliceStable(tags, func(i, j int) bool {
		a, ea := ParseVersion(strings.TrimPrefix(tags[i], "v"))
		b, eb := ParseVersion(strings.TrimPrefix(tags[j], "v"))
		switch {
		case ea == nil && eb == nil:
			return a.Compare(b) < 0
		case ea == nil:
			return false
		case eb == nil:
			return true
		}
		return tags[i] < tags[j]
	})
}

func looksUnreachable(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"could not resolve", "unable to access", "does not appear to be a git repository", "repository not found", "not found", "connection", "timed out", "authentication", "permission denied", "could not read"} {
		if strings.Contains(m, s) && !strings.Contains(m, "remote ref") && !strings.Contains(m, "not our ref") {
			return true
		}
	}
	return false
}

// unreachable turns a failed ls-remote or fetch into the package error.
func unreachable(err error) error {
	var ge *gitError
	if errors.As(err, &ge) {
		return &Error{Problem: "cannot fetch the repository: " + ge.output, Fix: "check the URL, the network and your access (a private repository needs an SSH URL or a token: https://{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}@host/org/repo.git)"}
	}
	return err
}
