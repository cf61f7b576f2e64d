package deps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// projectFiles are the project file names a package may have, in the order
// engine/project reads them.
var projectFiles = []string{"project.yaml", "dbt_project.yml"}

var identRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// node is one package chosen for installation.
type node struct {
	key    string
	source Source
	spec   *spec // the first requirement: where messages point
	name   string
	ident  string // what the installed folder is: equal idents install identical content

	version  string // Hub: the exact version; git, private: the commit
	revision string // git, private: the revision asked for ("1.0.0", "main", "" for the default branch)
	ref      string // git: what the revision was ("tag 1.0.0", "branch main")
	latest   string // Hub: the newest installable version
	url      string // git, private, tarball: the URL to fetch (rendered)
	shown    string // the package as messages show it
	lockRaw  string // git, tarball: the URL as written, for the lock
	subdir   string
	provider string
	localAbs string

	hub  *hubVersion
	dir  string // the package's content once fetched (a checkout, an unpacked tarball, a local folder)
	deps []*spec
}

func (n *node) label() string {
	switch n.source {
	case SourceHub:
		return n.shown + "@" + n.version
	case SourceGit, SourcePrivate:
		if n.revision != "" {
			return n.shown + "@" + n.revision
		}
	}
	return n.shown
}

// lockEntry is the node as package-lock.yml records it.
func (n *node) lockEntry() *lockEntry {
	e := &lockEntry{Source: n.source, Name: n.name}
	switch n.source {
	case SourceHub:
		e.Package, e.Version = n.shown, n.version
	case SourceGit:
		e.Git, e.Revision, e.Subdirectory = n.lockRaw, n.version, n.subdir
	case SourcePrivate:
		e.Private, e.Provider, e.Revision, e.Subdirectory = n.shown, n.provider, n.version, n.subdir
	case SourceLocal:
		e.Local = n.lockRaw
	case SourceTarball:
		e.Tarball = n.lockRaw
	}
	return e
}

// resolver picks one version of every package the project needs, directly
// or through other packages.
type resolver struct {
	o        *Options
	root     string
	rootName string
	r        *renderer
	hub      *hubClient
	git      *gitClient
	dl       *downloader
	warned   map[string]bool
	emit     func(Event)
}

// maxRounds bounds the fixed point: a package set whose choices keep changing
// each other is reported rather than looped on.
const maxRounds = 50

// resolve walks the requirements to a fixed point: every round collects what
// the root and the currently chosen packages require, then picks for each
// package the version all its requirers accept (the highest, for the Hub).
// It ends when a round changes nothing; the result is in first-seen order.
func (rs *resolver) resolve(ctx context.Context, roots []*spec) ([]*node, error) {
	selected := map[string]*node{}
	for round := 0; ; round++ {
		if round == maxRounds {
			return nil, &Error{Package: "set", Problem: fmt.Sprintf("the package versions did not settle after %d rounds", maxRounds), Fix: "pin exact versions in " + PackagesFile}
		}
		reqs := map[string][]*spec{}
		var order []string
		expanded := map[string]bool{}
		queue := append([]*spec(nil), roots...)
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			k := s.key(rs.root)
			if _, seen := reqs[k]; !seen {
				order = append(order, k)
			}
			reqs[k] = append(reqs[k], s)
			if n := selected[k]; n != nil && !expanded[k] {
				expanded[k] = true
				queue = append(queue, n.deps...)
			}
		}
		next := make(map[string]*node, len(order))
		changed := len(order) != len(selected)
		for _, k := range order {
			n, err := rs.pick(ctx, k, reqs[k])
			if err != nil {
				return nil, err
			}
			if old := selected[k]; old != nil && old.ident == n.ident {
				n = old
			} else {
				changed = true
			}
			next[k] = n
		}
		selected = next
		if !changed {
			out := make([]*node, len(order))
			for i, k := range order {
				out[i] = selected[k]
			}
			return out, rs.checkNames(out, reqs)
		}
	}
}

// checkNames refuses two packages installing into one folder, and a package
// named like the root project.
func (rs *resolver) checkNames(nodes []*node, reqs map[string][]*spec) error {
	seen := map[string]*node{}
	for _, n := range nodes {
		if n.name == rs.rootName {
			return errFor(n.spec, fmt.Sprintf("it is named %s, like this project", n.name), "a project cannot install itself; remove it from "+PackagesFile)
		}
		if o := seen[n.name]; o != nil {
			return &Error{Package: n.name, Problem: fmt.Sprintf("two packages install as %s: %s %s (required by %s) and %s %s (required by %s)",
				n.name, o.source, o.label(), requirers(reqs[o.key]), n.source, n.label(), requirers(reqs[n.key])),
				Fix: "require it from one source only (the Hub is the one that merges version ranges)"}
		}
		seen[n.name] = n
	}
	return nil
}

func requirers(specs []*spec) string {
	var out []string
	for _, s := range specs {
		w := s.where()
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " and ")
}

// pick chooses the package for one key given every requirement on it.
func (rs *resolver) pick(ctx context.Context, key string, specs []*spec) (*node, error) {
	s := specs[0]
	n := &node{key: key, source: s.source, spec: s, shown: s.display(), subdir: s.subdir}
	switch s.source {
	case SourceHub:
		n.shown = s.pkg
		return n, rs.pickHub(ctx, n, specs)
	case SourceGit, SourcePrivate:
		return n, rs.pickGit(ctx, n, specs)
	case SourceLocal:
		n.localAbs, n.lockRaw = localPath(rs.root, s.local), pyStr(s.raw["local"])
		if st, err := os.Stat(n.localAbs); err != nil || !st.IsDir() {
			return nil, errFor(s, fmt.Sprintf("%s is not a folder", n.localAbs), "fix local: (a path relative to the project, or absolute)")
		}
		n.dir, n.ident = n.localAbs, "local "+n.localAbs
		return n, rs.readPackage(n)
	case SourceTarball:
		n.url, n.lockRaw = s.tarball, scrubbed(rs.r, pyStr(s.raw["tarball"]))
		rs.r.red.addURL(n.url, n.shown)
		dir, err := rs.dl.fetch(ctx, n.url, n.shown, "")
		if err != nil {
			return nil, place(err, s)
		}
		n.dir, n.ident = dir, "tarball "+n.lockRaw
		if err := rs.readPackage(n); err != nil {
			return nil, err
		}
		n.name = s.name // dbt installs a tarball under the name given with it
		return n, nil
	}
	return nil, errFor(s, "unknown source", "")
}

func (rs *resolver) pickHub(ctx context.Context, n *node, specs []*spec) error {
	s := specs[0]
	p, err := rs.hub.pkg(ctx, s.pkg)
	if err != nil {
		return place(err, s)
	}
	if (p.RedirectNamespace != "" || p.RedirectName != "") && !rs.warned["redirect "+s.pkg] {
		rs.warned["redirect "+s.pkg] = true
		ns, nm := p.RedirectNamespace, p.RedirectName
		if ns == "" {
			ns = p.Namespace
		}
		if nm == "" {
			nm = p.Name
		}
		rs.emit(Event{Kind: EventWarning, Message: fmt.Sprintf("%s: the Hub package %s has moved to %s/%s; update %s", s.where(), s.pkg, ns, nm, PackagesFile)})
	}
	ranges := make([]Range, len(specs))
	prerelease := false
	for i, sp := range specs {
		r, err := ParseRange(sp.versions)
		if err != nil {
			return errFor(sp, err.Error(), "fix version:")
		}
		ranges[i] = r
		prerelease = prerelease || sp.prerelease || r.HasPrerelease()
	}
	avail := p.versions(prerelease, rs.o.DBTVersion)
	var best *Version
	for i := len(avail) - 1; i >= 0 && best == nil; i-- {
		ok := true
		for _, r := range ranges {
			ok = ok && r.Allows(avail[i])
		}
		if ok {
			best = &avail[i]
		}
	}
	if best == nil {
		return rs.hubConflict(s.pkg, specs, ranges, avail)
	}
	hv, vs := p.version(*best)
	n.version, n.hub, n.ident = vs, hv, "hub "+s.pkg+"@"+vs
	n.name = hv.Name
	if n.name == "" {
		n.name = p.Name
	}
	if latest := avail[len(avail)-1]; latest.Compare(*best) > 0 {
		n.latest = latest.String()
	}
	for _, raw := range hv.Packages {
		dep, d := parseEntry(raw, "", 0, nil, n.label(), rs.r)
		if d != nil {
			return &Error{Source: SourceHub, Package: n.label(), Problem: "the Hub lists a dependency dbt cannot read: " + d.Detail, Fix: "report it to the package's maintainers"}
		}
		n.deps = append(n.deps, dep)
	}
	return nil
}

// hubConflict explains why no version fits: one requirement nothing matches,
// or two requirers whose ranges share no version.
func (rs *resolver) hubConflict(pkg string, specs []*spec, ranges []Range, avail []Version) error {
	listed := func() string {
		vs := avail
		if len(vs) > 8 {
			vs = vs[len(vs)-8:]
		}
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = v.String()
		}
		if len(parts) == 0 {
			return "the Hub lists no installable version"
		}
		return "versions on the Hub: " + strings.Join(parts, ", ")
	}
	fits := func(rs ...Range) bool {
		for _, v := range avail {
			ok := true
			for _, r := range rs {
				ok = ok && r.Allows(v)
			}
			if ok {
				return true
			}
		}
		return false
	}
	for i := range specs {
		if !fits(ranges[i]) {
			return errFor(specs[i], fmt.Sprintf("no version matches %s (%s)", ranges[i], listed()), "change version: to a range that includes a published version")
		}
	}
	for i := range specs {
		for j := i + 1; j < len(specs); j++ {
			if !fits(ranges[i], ranges[j]) {
				return &Error{Source: SourceHub, Package: pkg, Problem: fmt.Sprintf("conflicting versions: %s requires %s but %s requires %s, and no version satisfies both",
					specs[i].where(), ranges[i], specs[j].where(), ranges[j]), Fix: "change one of the two ranges so they overlap (" + listed() + ")"}
			}
		}
	}
	var all []string
	for i := range specs {
		all = append(all, fmt.Sprintf("%s requires %s", specs[i].where(), ranges[i]))
	}
	return &Error{Source: SourceHub, Package: pkg, Problem: "conflicting versions: " + strings.Join(all, "; ") + "; no version satisfies them all", Fix: "widen one of the ranges (" + listed() + ")"}
}

func (rs *resolver) pickGit(ctx context.Context, n *node, specs []*spec) error {
	s := specs[0]
	var rev string
	var revSpec *spec
	warn := true
	for _, sp := range specs {
		warn = warn && sp.warnUnpinned
		if sp.revision == "" {
			continue
		}
		if revSpec != nil && sp.revision != rev {
			return &Error{Source: s.source, Package: n.shown, Problem: fmt.Sprintf("conflicting revisions: %s requires %q but %s requires %q", revSpec.where(), rev, sp.where(), sp.revision),
				Fix: "git packages cannot merge revisions: make them name the same one (or install the package from the Hub, which merges version ranges)"}
		}
		rev, revSpec = sp.revision, sp
	}
	if revSpec == nil {
		revSpec = s
	}
	n.revision = rev
	if err := rs.gitURL(n, s); err != nil {
		return place(err, revSpec)
	}
	co, err := rs.git.checkout(ctx, n.url, rev, n.subdir)
	if err != nil {
		return place(err, revSpec)
	}
	n.version, n.ref, n.dir = co.sha, co.ref, co.pkgDir
	n.ident = fmt.Sprintf("%s %s@%s#%s", n.source, n.lockRaw, co.sha, n.subdir)
	if co.unpinned && warn && !rs.warned["unpinned "+n.key] {
		rs.warned["unpinned "+n.key] = true
		what := "has no revision"
		if rev != "" {
			what = fmt.Sprintf("follows %s", co.ref)
		}
		rs.emit(Event{Kind: EventWarning, Message: fmt.Sprintf("%s: the git package %s %s, which can change under you; pin revision: to a tag or commit (or set warn-unpinned: false)", revSpec.where(), n.shown, what)})
	}
	return rs.readPackage(n)
}

// gitURL sets the URL to fetch and the forms to show and lock.
func (rs *resolver) gitURL(n *node, s *spec) error {
	if s.source == SourcePrivate {
		u, err := privateURL(rs.r.env, rs.r.red, s.private, s.provider)
		if err != nil {
			return err
		}
		n.url, n.shown, n.lockRaw, n.provider = u, s.private, s.private, s.provider
		return nil
	}
	n.url, n.lockRaw = s.git, scrubbed(rs.r, pyStr(s.raw["git"]))
	rs.r.red.addURL(n.url, n.shown)
	return nil
}

// scrubbed masks secret values written literally in an entry (dbt does the
// same before writing the lock).
func scrubbed(r *renderer, raw string) string {
	if strings.Contains(raw, "{{") {
		return raw
	}
	r.red.mu.Lock()
	defer r.red.mu.Unlock()
	for _, x := range r.red.secrets {
		raw = strings.ReplaceAll(raw, x, "*****")
	}
	return raw
}

// readPackage reads the fetched package's project file (its name) and its
// own package list (its dependencies).
func (rs *resolver) readPackage(n *node) error {
	name, err := projectName(n.dir)
	if err != nil {
		return errFor(n.spec, err.Error(), "a package must be a dbt project: dbt_project.yml with name:")
	}
	if n.name == "" {
		n.name = name
	}
	if n.source == SourceHub {
		return nil // the Hub's listing gives a version's dependencies
	}
	list, err := readSpecs(n.dir, n.label(), n.label()+"/", rs.r, nil)
	if err != nil {
		return err
	}
	for _, w := range list.warnings {
		rs.emit(Event{Kind: EventWarning, Message: w})
	}
	n.deps = list.specs
	return nil
}

// projectName reads a package's name from its dbt_project.yml (or project.yaml).
func projectName(dir string) (string, error) {
	for _, f := range projectFiles {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		var cfg struct {
			Name any `yaml:"name"`
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return "", fmt.Errorf("its %s is not valid YAML: %v", f, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		name, _ := cfg.Name.(string)
		if !identRE().MatchString(name) {
			return "", fmt.Errorf("its %s has no valid name: (got %q)", f, fmt.Sprint(cfg.Name))
		}
		return name, nil
	}
	return "", fmt.Errorf("it has no dbt_project.yml")
}
