// Package deps installs a project's dbt packages, as `dbt deps` does: it
// reads packages.yml (or dependencies.yml), resolves every package and its own
// packages (local folders, git repositories, the dbt Package Hub, tarball
// URLs, private repositories) to one version each, pins them in
// package-lock.yml, and installs each into packages-install-path under its
// project name (dbt_packages/<name>).
//
// Installing is all or nothing: packages are fetched into a staging folder
// first and moved into place only when every one of them arrived, so a failed
// run leaves the previous dbt_packages/ as it was. A package already installed
// at its locked version is not fetched again.
//
// deps prints nothing: it reports progress through Options.Observer and
// returns a Result. Secrets (credentials in git URLs, env_var() values) never
// appear in its events, errors or lock file. One Install runs at a time per
// project; calls for different projects are independent.
package deps

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/project"
)

// Options configure Install.
type Options struct {
	// ProjectDir is the project folder (default: the current folder).
	ProjectDir string
	// Env looks up environment variables for env_var() in package entries and
	// DBT_ENV_PRIVATE_GIT_PROVIDER_INFO (os.LookupEnv when nil).
	Env func(string) (string, bool)
	// Vars are the --vars values var() sees in package entries.
	Vars map[string]any
	// HubURL is the dbt Package Hub's base URL (DefaultHubURL when empty).
	HubURL string
	// HTTPClient fetches from the Hub and tarball URLs (a client with a
	// five-minute timeout when nil).
	HTTPClient *http.Client
	// Git is the git binary (default "git", found on PATH).
	Git string
	// Upgrade re-resolves even when package-lock.yml matches packages.yml, and
	// fetches every package again.
	Upgrade bool
	// LockOnly resolves and writes package-lock.yml without installing (--lock).
	LockOnly bool
	// DryRun resolves and reports what would be installed, writing nothing.
	DryRun bool
	// Add adds a package to packages.yml (replacing an entry for the same
	// package) before installing (--add-package).
	Add *AddPackage
	// DBTVersion, when set, keeps Hub versions whose require_dbt_version
	// excludes it out of the choice, as dbt's version check does.
	DBTVersion string
	// Observer receives progress events (nil: none). It is called from the
	// goroutine running Install.
	Observer func(Event)
}

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	EventInfo      EventKind = "info"       // a step: "Resolving 3 packages", "Wrote package-lock.yml"
	EventWarning   EventKind = "warning"    // an unpinned git package, a moved Hub package, an ignored key
	EventInstalled EventKind = "installed"  // Package was fetched and installed
	EventUpToDate  EventKind = "up_to_date" // Package was installed already, at this version
	EventPlanned   EventKind = "planned"    // DryRun or LockOnly: Package would be installed
	EventRemoved   EventKind = "removed"    // a folder no longer listed was removed (Message names it)
)

// Event is one progress report.
type Event struct {
	Kind    EventKind
	Package *Package // for installed, up_to_date and planned
	Message string
}

// Package is one resolved package.
type Package struct {
	// Name is its project name (dbt_project.yml name:), which is also its
	// folder under the install path and its macro namespace.
	Name   string
	Source Source
	// Ref is the package as packages.yml names it: a Hub name, a git URL as
	// written (credentials never filled in), a local path, a tarball URL.
	Ref string
	// Version is the Hub version or the git commit; "" for local and tarball.
	Version string
	// Revision is the git revision asked for ("1.0.0", "main"; "" for the
	// default branch).
	Revision     string
	Subdirectory string
	// Latest is the Hub's newest installable version when newer than Version.
	Latest string
	// Dir is the installed folder (absolute).
	Dir string
	// UpToDate is true when the folder was already installed at this version.
	UpToDate bool
}

// Result is what Install did.
type Result struct {
	// InstallPath is the absolute packages-install-path.
	InstallPath string
	// Packages are the resolved packages in lock order.
	Packages []Package
	// Resolved is true when packages.yml was resolved (a new or changed
	// package list, --upgrade, --add-package), false when package-lock.yml
	// was installed as it stands.
	Resolved bool
	// LockWritten is true when package-lock.yml was (re)written.
	LockWritten bool
	// Added is the file --add-package edited ("" when none).
	Added string
	// Removed are folders deleted from the install path because no package
	// needs them any more.
	Removed []string
	// Fetches counts network fetches: Hub and tarball requests and git
	// commands that talk to a remote.
	Fetches int
}

// Install resolves and installs the project's packages. Errors about a
// package are *Error (one line, naming the package, its source, who requires
// it and the fix); errors in packages.yml are *diag.ErrorList with file:line.
// Both match errors.Is(err, diag.ErrInvalidProject).
func Install(ctx context.Context, o Options) (*Result, error) {
	if o.ProjectDir == "" {
		o.ProjectDir = "."
	}
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	if o.HubURL == "" {
		o.HubURL = DefaultHubURL
	}
	if !strings.HasSuffix(o.HubURL, "/") {
		o.HubURL += "/"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if o.Git == "" {
		o.Git = "git"
	}
	emit := func(e Event) {
		if o.Observer != nil {
			o.Observer(e)
		}
	}

	proj, ds := project.LoadConfig(o.ProjectDir)
	if err := ds.Err(); err != nil {
		return nil, err
	}
	root := proj.Root
	res := &Result{InstallPath: filepath.Join(root, filepath.FromSlash(proj.Config.PackagesInstallPath))}
	if rel, err := filepath.Rel(root, res.InstallPath); err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		// deps removes what it did not install there: never the project itself.
		return nil, diag.From(diag.Diagnostic{File: proj.ConfigFile, Summary: "invalid packages-install-path",
			Detail: fmt.Sprintf("%q must name a folder inside the project, such as dbt_packages", proj.Config.PackagesInstallPath)})
	}
	red := &redactor{}
	r := &renderer{env: o.Env, vars: o.Vars, red: red}

	list, err := readSpecs(root, "", "", r, nil)
	if err != nil {
		return nil, err
	}
	for _, w := range list.warnings {
		emit(Event{Kind: EventWarning, Message: w})
	}
	var edited []byte
	if o.Add != nil {
		var file string
		edited, file, err = o.Add.apply(root, list, emit)
		if err != nil {
			return nil, err
		}
		list, err = readSpecs(root, "", "", r, func(name string) ([]byte, error) {
			if name == file {
				return edited, nil
			}
			if file == PackagesFile && name == DependenciesFile {
				// dependencies.yml may only hold projects: then; its packages are in packages.yml.
				return nil, fs.ErrNotExist
			}
			return os.ReadFile(filepath.Join(root, name))
		})
		if err != nil {
			return nil, fmt.Errorf("--add-package made %s unreadable: %w", file, err)
		}
		res.Added = file
	}
	hash := specHash(list.specs)

	lock, err := readLock(root)
	if err != nil {
		return nil, err
	}

	staging, err := newStaging(res.InstallPath)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	work := filepath.Join(staging, "fetch")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	rs := &resolver{
		o: &o, root: root, rootName: proj.Config.Name, r: r, emit: emit, warned: map[string]bool{},
		hub: &hubClient{base: o.HubURL, client: o.HTTPClient, red: red, cache: map[string]*hubPackage{}},
		git: &gitClient{bin: o.Git, red: red, work: work, cache: map[string]*gitCheckout{}},
		dl:  &downloader{client: o.HTTPClient, red: red, work: work, cache: map[string]string{}},
	}
	defer func() { res.Fetches = rs.fetches() }()

	var nodes []*node
	useLock := lock != nil && lock.Hash == hash && !o.Upgrade
	switch {
	case len(list.specs) == 0:
		msg := "No packages listed"
		if list.file != "" {
			msg = "No packages listed in " + list.file
		}
		emit(Event{Kind: EventInfo, Message: msg})
	case useLock:
		nodes, err = rs.fromLock(lock)
	default:
		res.Resolved = true
		what := "packages.yml changed"
		switch {
		case lock == nil:
			what = "no " + LockFile + " yet"
		case o.Upgrade:
			what = "--upgrade"
		case o.Add != nil:
			what = "--add-package"
		}
		emit(Event{Kind: EventInfo, Message: fmt.Sprintf("Resolving %d %s from %s (%s)", len(list.specs), plural(len(list.specs), "package", "packages"), list.file, what)})
		nodes, err = rs.resolve(ctx, list.specs)
	}
	if err != nil {
		return nil, err
	}

	in := &installer{rs: rs, path: res.InstallPath, staging: staging, force: o.Upgrade}
	if o.DryRun || o.LockOnly {
		for _, n := range nodes {
			res.Packages = append(res.Packages, n.pkg(res.InstallPath))
		}
		for i := range res.Packages {
			emit(Event{Kind: EventPlanned, Package: &res.Packages[i]})
		}
		if o.LockOnly && res.Resolved && !o.DryRun {
			if err := writeLockFile(root, nodes, hash); err != nil {
				return nil, err
			}
			res.LockWritten = true
			emit(Event{Kind: EventInfo, Message: "Wrote " + LockFile})
		}
		if o.LockOnly && !o.DryRun && edited != nil {
			if err := writeFileAtomic(filepath.Join(root, res.Added), edited); err != nil {
				return nil, fmt.Errorf("write %s: %w", res.Added, err)
			}
		}
		return res, nil
	}

	installed, err := in.install(ctx, nodes)
	if err != nil {
		return nil, err
	}
	res.Removed = in.removed
	for _, name := range in.removed {
		emit(Event{Kind: EventRemoved, Message: fmt.Sprintf("Removed %s from %s: no package needs it", name, proj.Config.PackagesInstallPath)})
	}
	for i, n := range nodes {
		res.Packages = append(res.Packages, n.pkg(res.InstallPath))
		res.Packages[i].UpToDate = !installed[n.name]
		kind := EventInstalled
		if res.Packages[i].UpToDate {
			kind = EventUpToDate
		}
		emit(Event{Kind: kind, Package: &res.Packages[i]})
	}
	if edited != nil {
		if err := writeFileAtomic(filepath.Join(root, res.Added), edited); err != nil {
			return nil, fmt.Errorf("write %s: %w", res.Added, err)
		}
		emit(Event{Kind: EventInfo, Message: "Added " + o.Add.String() + " to " + res.Added})
	}
	if res.Resolved && len(nodes) > 0 {
		if err := writeLockFile(root, nodes, hash); err != nil {
			return nil, err
		}
		res.LockWritten = true
		emit(Event{Kind: EventInfo, Message: "Wrote " + LockFile})
	}
	return res, nil
}

func (rs *resolver) fetches() int {
	rs.git.mu.Lock()
	n := rs.git.calls
	rs.git.mu.Unlock()
	rs.dl.mu.Lock()
	n += rs.dl.requests
	rs.dl.mu.Unlock()
	rs.hub.mu.Lock()
	n += rs.hub.requests
	rs.hub.mu.Unlock()
	return n
}

func writeLockFile(root string, nodes []*node, hash string) error {
	lf := &lockFile{Hash: hash}
	for _, n := range nodes {
		lf.Entries = append(lf.Entries, n.lockEntry())
	}
	if err := writeFileAtomic(filepath.Join(root, LockFile), lf.encode()); err != nil {
		return fmt.Errorf("write %s: %w", LockFile, err)
	}
	return nil
}

func (n *node) pkg(installPath string) Package {
	ref := strings.TrimSuffix(n.shown, " (subdirectory "+n.subdir+")")
	p := Package{Name: n.name, Source: n.source, Ref: ref, Version: n.version, Revision: n.revision,
		Subdirectory: n.subdir, Latest: n.latest, Dir: filepath.Join(installPath, n.name)}
	return p
}

// fromLock turns package-lock.yml into nodes, resolving nothing: Hub
// versions are exact, git revisions are commits. It fetches nothing.
func (rs *resolver) fromLock(lf *lockFile) ([]*node, error) {
	var nodes []*node
	for _, e := range lf.Entries {
		s := &spec{source: e.Source, file: LockFile, line: e.Line, by: LockFile, raw: map[string]any{}}
		n := &node{source: e.Source, spec: s, name: e.Name, subdir: e.Subdirectory}
		var err error
		switch e.Source {
		case SourceHub:
			s.pkg, s.raw["package"] = e.Package, e.Package
			// A lock from dbt 1.7 has no names: the installer learns them from
			// what it installed before, or from the Hub when it must fetch.
			n.shown, n.version, n.ident = e.Package, e.Version, "hub "+e.Package+"@"+e.Version
		case SourceGit:
			s.raw["git"], s.subdir = e.Git, e.Subdirectory
			n.shown = s.display()
			n.lockRaw, n.version = e.Git, e.Revision
			if n.url, err = rs.r.render(e.Git, true); err != nil {
				return nil, errFor(s, "cannot render git: "+err.Error(), "set the environment variables it names")
			}
			rs.r.red.addURL(n.url, n.shown)
			n.ident = fmt.Sprintf("%s %s@%s#%s", n.source, n.lockRaw, e.Revision, n.subdir)
		case SourcePrivate:
			s.private, s.provider, s.subdir = e.Private, e.Provider, e.Subdirectory
			n.shown, n.lockRaw, n.provider, n.version = e.Private, e.Private, e.Provider, e.Revision
			if n.url, err = privateURL(rs.r.env, rs.r.red, e.Private, e.Provider); err != nil {
				return nil, place(err, s)
			}
			n.ident = fmt.Sprintf("%s %s@%s#%s", n.source, n.lockRaw, e.Revision, n.subdir)
		case SourceLocal:
			s.raw["local"] = e.Local
			n.shown, n.lockRaw, n.localAbs = e.Local, e.Local, localPath(rs.root, e.Local)
			n.dir, n.ident = n.localAbs, "local "+n.localAbs
		case SourceTarball:
			s.raw["tarball"] = e.Tarball
			n.shown, n.lockRaw = s.display(), e.Tarball
			if n.url, err = rs.r.render(e.Tarball, true); err != nil {
				return nil, errFor(s, "cannot render tarball: "+err.Error(), "set the environment variables it names")
			}
			rs.r.red.addURL(n.url, n.shown)
			n.ident = "tarball " + e.Tarball
		}
		if err != nil {
			return nil, err
		}
		n.key = string(n.source) + ":" + n.ident
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// hubVersion fetches a locked Hub version's listing (its tarball URL and name).
func (rs *resolver) hubVersion(ctx context.Context, n *node) error {
	p, err := rs.hub.pkg(ctx, n.shown)
	if err != nil {
		return place(err, n.spec)
	}
	v, err := ParseVersion(n.version)
	if err != nil {
		return errFor(n.spec, fmt.Sprintf("locked version %q is not a version", n.version), "run strata deps --upgrade")
	}
	hv, _ := p.version(v)
	if hv == nil {
		return errFor(n.spec, fmt.Sprintf("version %s is no longer on the Hub", n.version), "run strata deps --upgrade to pick another")
	}
	n.hub = hv
	if n.name == "" {
		n.name = hv.Name
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
