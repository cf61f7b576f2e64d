package deps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// stateFile records, in the install path, what each installed folder holds
// (its lock identity), so an unchanged package is not fetched again.
const stateFile = ".strata-deps.json"

// installer fetches packages into a staging folder and swaps them into the
// install path only when all of them arrived.
type installer struct {
	rs      *resolver
	path    string // the install path
	staging string
	force   bool // --upgrade: fetch everything again
	removed []string
}

// newStaging makes the staging folder next to the install path, on the same
// file system, so finished packages move into place by rename.
func newStaging(installPath string) (string, error) {
	parent := filepath.Dir(installPath)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", parent, err)
	}
	dir, err := os.MkdirTemp(parent, ".strata-deps-")
	if err != nil {
		return "", fmt.Errorf("create a staging folder: %w", err)
	}
	return dir, nil
}

func readState(path string) map[string]string {
	state := map[string]string{}
	data, err := os.ReadFile(filepath.Join(path, stateFile))
	if err == nil {
		json.Unmarshal(data, &state)
	}
	return state
}

// install brings the install path to exactly nodes; it returns the names it
// fetched (the rest were up to date).
func (in *installer) install(ctx context.Context, nodes []*node) (map[string]bool, error) {
	state := readState(in.path)
	newDir := filepath.Join(in.staging, "new")
	if err := os.MkdirAll(newDir, 0o755); err != nil {
		return nil, err
	}
	fetched := map[string]bool{}
	var todo []*node
	for _, n := range nodes {
		if n.name == "" {
			// A lock entry without name (dbt 1.7): the folder holding the same
			// package, if one was installed.
			for name, ident := range state {
				if ident == n.ident {
					n.name = name
				}
			}
		}
		if !in.force && n.name != "" && in.upToDate(n, state) {
			continue
		}
		if err := in.prepare(ctx, n, newDir); err != nil {
			return nil, err
		}
		todo = append(todo, n)
		fetched[n.name] = true
	}
	keep := map[string]bool{}
	for _, n := range nodes {
		keep[n.name] = true
	}
	var stale []string
	if ents, err := os.ReadDir(in.path); err == nil {
		for _, e := range ents {
			if !keep[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
				stale = append(stale, e.Name())
			}
		}
	}
	if err := in.commit(todo, stale); err != nil {
		return nil, err
	}
	in.removed = stale
	next := map[string]string{}
	for _, n := range nodes {
		next[n.name] = n.ident
	}
	if len(nodes) > 0 || len(state) > 0 {
		data, _ := json.MarshalIndent(next, "", "  ")
		if err := os.MkdirAll(in.path, 0o755); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(filepath.Join(in.path, stateFile), append(data, '\n')); err != nil {
			return nil, fmt.Errorf("record installed packages: %w", err)
		}
	}
	return fetched, nil
}

// upToDate reports whether n's folder already holds what n would install.
func (in *installer) upToDate(n *node, state map[string]string) bool {
	if state[n.name] != n.ident {
		return false
	}
	dst := filepath.Join(in.path, n.name)
	if n.source == SourceLocal {
		if target, err := os.Readlink(dst); err == nil {
			return target == n.localAbs
		}
	}
	return hasProjectFile(dst)
}

// prepare puts n's content in the staging folder dir, under n's name.
func (in *installer) prepare(ctx context.Context, n *node, dir string) error {
	rs := in.rs
	switch n.source {
	case SourceLocal:
		name, err := projectName(n.localAbs)
		if err != nil {
			return errFor(n.spec, err.Error(), "fix local: to point at a dbt project")
		}
		n.name = name // dbt installs a package under its project's name, whatever the lock says
		dst := filepath.Join(dir, n.name)
		// A symlink, as dbt makes: edits to the local package show at once,
		// which is what local packages are for. A copy where links fail.
		if err := os.Symlink(n.localAbs, dst); err != nil {
			if err := copyTree(n.localAbs, dst); err != nil {
				return fmt.Errorf("copy %s: %w", n.localAbs, err)
			}
		}
		return nil
	case SourceHub:
		if n.hub == nil {
			if err := rs.hubVersion(ctx, n); err != nil {
				return err
			}
		}
		if n.hub.Downloads.Tarball == "" {
			return errFor(n.spec, "the Hub lists no tarball for version "+n.version, "pick another version")
		}
		dir, err := rs.dl.fetch(ctx, n.hub.Downloads.Tarball, n.hub.Downloads.Tarball, n.hub.Downloads.SHA1)
		if err != nil {
			return place(err, n.spec)
		}
		n.dir = dir
	case SourceGit, SourcePrivate:
		if n.dir == "" {
			co, err := rs.git.checkout(ctx, n.url, n.version, n.subdir)
			if err != nil {
				return place(err, n.spec)
			}
			n.dir = co.pkgDir
		}
	case SourceTarball:
		if n.dir == "" {
			dir, err := rs.dl.fetch(ctx, n.url, n.shown, "")
			if err != nil {
				return place(err, n.spec)
			}
			n.dir = dir
		}
	}
	name, err := projectName(n.dir)
	if err != nil {
		return errFor(n.spec, err.Error(), "a package must be a dbt project: dbt_project.yml with name:")
	}
	if n.name == "" || n.source == SourceGit || n.source == SourcePrivate {
		n.name = name // as dbt: the project's name, not the lock's
	}
	dst := filepath.Join(dir, n.name)
	if err := os.Rename(n.dir, dst); err != nil {
		if err := copyTree(n.dir, dst); err != nil {
			return fmt.Errorf("stage %s: %w", n.name, err)
		}
	}
	os.RemoveAll(filepath.Join(dst, ".git"))
	return nil
}

// commit moves the staged packages into the install path and the stale
// folders out, undoing every move if one fails.
func (in *installer) commit(todo []*node, stale []string) error {
	if len(todo) == 0 && len(stale) == 0 {
		return nil
	}
	if err := os.MkdirAll(in.path, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", in.path, err)
	}
	old := filepath.Join(in.staging, "old")
	if err := os.MkdirAll(old, 0o755); err != nil {
		return err
	}
	type move struct{ from, to string }
	var done []move
	mv := func(from, to string) error {
		if err := os.Rename(from, to); err != nil {
			for i := len(done) - 1; i >= 0; i-- {
				os.Rename(done[i].to, done[i].from)
			}
			return fmt.Errorf("install into %s: %w (nothing was changed)", in.path, err)
		}
		done = append(done, move{from, to})
		return nil
	}
	for _, n := range todo {
		dst := filepath.Join(in.path, n.name)
		if _, err := os.Lstat(dst); err == nil {
			if err := mv(dst, filepath.Join(old, n.name)); err != nil {
				return err
			}
		}
		if err := mv(filepath.Join(in.staging, "new", n.name), dst); err != nil {
			return err
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		if err := mv(filepath.Join(in.path, s), filepath.Join(old, "stale-"+s)); err != nil {
			return err
		}
	}
	return nil
}

// copyTree copies a folder, keeping symlinks as links (a local package may
// link back into itself, as dbt-utils' integration tests do).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			if d.Name() == ".git" && p != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			_, err = io.Copy(out, in)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			return err
		}
		return nil
	})
}
