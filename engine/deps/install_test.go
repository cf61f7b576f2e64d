package deps_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/deps"
	"github.com/strata-dev/strata/engine/deps/depstest"
	"github.com/strata-dev/strata/engine/diag"
)

// project writes a root project with packages.yml and returns its folder.
func project(t *testing.T, packagesYML string, more map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"dbt_project.yml": depstest.Project("root")}
	if packagesYML != "" {
		files["packages.yml"] = packagesYML
	}
	for k, v := range more {
		files[k] = v
	}
	depstest.WriteFiles(t, dir, files)
	return dir
}

type run struct {
	res    *deps.Result
	err    error
	events []deps.Event
}

func (r run) messages() string {
	var b strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&b, "%s %s", e.Kind, e.Message)
		if e.Package != nil {
			fmt.Fprintf(&b, "%s %s %s", e.Package.Name, e.Package.Ref, e.Package.Version)
		}
		b.WriteString("\n")
	}
	if r.err != nil {
		b.WriteString("error: " + r.err.Error() + "\n")
	}
	return b.String()
}

func (r run) kinds() map[string]deps.EventKind {
	out := map[string]deps.EventKind{}
	for _, e := range r.events {
		if e.Package != nil {
			out[e.Package.Name] = e.Kind
		}
	}
	return out
}

func install(t *testing.T, dir string, o deps.Options) run {
	t.Helper()
	var r run
	o.ProjectDir = dir
	o.Observer = func(e deps.Event) { r.events = append(r.events, e) }
	if o.Env == nil {
		o.Env = func(string) (string, bool) { return "", false }
	}
	r.res, r.err = deps.Install(context.Background(), o)
	return r
}

func mustInstall(t *testing.T, dir string, o deps.Options) run {
	t.Helper()
	r := install(t, dir, o)
	if r.err != nil {
		t.Fatalf("deps: %v\n%s", r.err, r.messages())
	}
	return r
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestLocalPackage(t *testing.T) {
	dir := project(t, "packages:\n  - local: vendor/my_pkg\n", map[string]string{
		"vendor/my_pkg/dbt_project.yml":   depstest.Project("my_pkg"),
		"vendor/my_pkg/macros/m.sql":      "{% macro m() %}1{% endmacro %}",
		"vendor/my_pkg/packages.yml":      "packages:\n  - local: vendor/helper\n", // relative to the root project, as in dbt
		"vendor/helper/dbt_project.yml":   depstest.Project("helper"),
		"vendor/helper/macros/helper.sql": "{% macro h() %}2{% endmacro %}",
	})
	r := mustInstall(t, dir, deps.Options{})
	for _, name := range []string{"my_pkg", "helper"} {
		p := filepath.Join(dir, "dbt_packages", name)
		target, err := os.Readlink(p)
		if err != nil {
			t.Fatalf("%s is not a symlink: %v", p, err)
		}
		if !strings.HasSuffix(target, filepath.Join("vendor", name)) {
			t.Errorf("%s links to %s", p, target)
		}
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "my_pkg", "macros", "m.sql")); !strings.Contains(got, "macro m") {
		t.Errorf("installed macro = %q", got)
	}
	lock := read(t, filepath.Join(dir, "package-lock.yml"))
	want := "packages:\n  - local: vendor/my_pkg\n    name: my_pkg\n  - local: vendor/helper\n    name: helper\nsha1_hash: "
	if !strings.HasPrefix(lock, want) {
		t.Errorf("package-lock.yml =\n%s\nwant it to start\n%s", lock, want)
	}
	if !r.res.Resolved || !r.res.LockWritten {
		t.Errorf("first run: Resolved %v LockWritten %v, want both", r.res.Resolved, r.res.LockWritten)
	}
	r = mustInstall(t, dir, deps.Options{})
	if r.res.Resolved || r.res.LockWritten {
		t.Errorf("second run re-resolved (%v) or rewrote the lock (%v)", r.res.Resolved, r.res.LockWritten)
	}
	if k := r.kinds(); k["my_pkg"] != deps.EventUpToDate || k["helper"] != deps.EventUpToDate {
		t.Errorf("second run events = %v, want both up to date", k)
	}
	if after := read(t, filepath.Join(dir, "package-lock.yml")); after != lock {
		t.Errorf("the lock changed on a second run:\n%s", after)
	}
}

// gitPackage is a repository holding a package "gitpkg" with tags 1.0.0
// (lightweight) and 1.1.0 (annotated), a branch dev, and a second package
// under sub/ from 1.1.0 on.
func gitPackage(t *testing.T) (*depstest.Repo, map[string]string) {
	repo := depstest.NewRepo(t)
	shas := map[string]string{}
	shas["1.0.0"] = repo.Commit(map[string]string{"dbt_project.yml": depstest.Project("gitpkg"), "macros/v.sql": "{% macro v() %}1.0.0{% endmacro %}"})
	repo.Tag("1.0.0", false)
	shas["1.1.0"] = repo.Commit(map[string]string{"macros/v.sql": "{% macro v() %}1.1.0{% endmacro %}", "sub/dbt_project.yml": depstest.Project("subpkg")})
	repo.Tag("1.1.0", true)
	repo.Checkout("dev")
	shas["dev"] = repo.Commit(map[string]string{"macros/v.sql": "{% macro v() %}dev{% endmacro %}"})
	repo.Checkout("main")
	shas["main"] = repo.Commit(map[string]string{"macros/v.sql": "{% macro v() %}main{% endmacro %}"})
	return repo, shas
}

func TestGitPackage(t *testing.T) {
	repo, shas := gitPackage(t)
	macro := func(dir, name string) string {
		return read(t, filepath.Join(dir, "dbt_packages", name, "macros", "v.sql"))
	}
	cases := []struct {
		revision, want, sha string
		unpinned            bool
	}{
		{"1.0.0", "1.0.0", shas["1.0.0"], false},
		{"1.1.0", "1.1.0", shas["1.1.0"], false},
		{"dev", "dev", shas["dev"], true},
		{shas["1.0.0"], "1.0.0", shas["1.0.0"], false},
		{shas["dev"][:8], "dev", shas["dev"], false},
		{"", "main", shas["main"], true},
	}
	for _, c := range cases {
		t.Run("revision="+c.revision, func(t *testing.T) {
			entry := "packages:\n  - git: " + repo.URL() + "\n"
			if c.revision != "" {
				entry += "    revision: \"" + c.revision + "\"\n"
			}
			dir := project(t, entry, nil)
			r := mustInstall(t, dir, deps.Options{})
			if got := macro(dir, "gitpkg"); !strings.Contains(got, c.want) {
				t.Errorf("installed %q, want the %s version", got, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "dbt_packages", "gitpkg", ".git")); err == nil {
				t.Errorf("the installed package kept its .git folder")
			}
			lock := read(t, filepath.Join(dir, "package-lock.yml"))
			if !strings.Contains(lock, "revision: "+c.sha+"\n") || !strings.Contains(lock, "name: gitpkg\n") {
				t.Errorf("package-lock.yml does not pin %s:\n%s", c.sha, lock)
			}
			warned := strings.Contains(r.messages(), "warning") && strings.Contains(r.messages(), "pin revision")
			if warned != c.unpinned {
				t.Errorf("unpinned warning = %v, want %v\n%s", warned, c.unpinned, r.messages())
			}
		})
	}

	t.Run("subdirectory", func(t *testing.T) {
		dir := project(t, "packages:\n  - git: "+repo.URL()+"\n    revision: 1.1.0\n    subdirectory: sub\n", nil)
		mustInstall(t, dir, deps.Options{})
		if _, err := os.Stat(filepath.Join(dir, "dbt_packages", "subpkg", "dbt_project.yml")); err != nil {
			t.Errorf("subpkg not installed from sub/: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "dbt_packages", "subpkg", "macros")); err == nil {
			t.Errorf("the install holds the whole repository, not sub/")
		}
		if lock := read(t, filepath.Join(dir, "package-lock.yml")); !strings.Contains(lock, "subdirectory: sub\n") {
			t.Errorf("lock lacks the subdirectory:\n%s", lock)
		}
	})

	t.Run("warn-unpinned false", func(t *testing.T) {
		dir := project(t, "packages:\n  - git: "+repo.URL()+"\n    revision: dev\n    warn-unpinned: false\n", nil)
		if r := mustInstall(t, dir, deps.Options{}); strings.Contains(r.messages(), "warning") {
			t.Errorf("warned although warn-unpinned: false\n%s", r.messages())
		}
	})
}

func TestGitErrorsLeaveInstallAlone(t *testing.T) {
	repo, _ := gitPackage(t)
	dir := project(t, "packages:\n  - git: "+repo.URL()+"\n    revision: 1.0.0\n", nil)
	mustInstall(t, dir, deps.Options{})
	before := read(t, filepath.Join(dir, "dbt_packages", "gitpkg", "macros", "v.sql"))
	lockBefore := read(t, filepath.Join(dir, "package-lock.yml"))

	cases := []struct{ name, yml, want string }{
		{"missing revision", "packages:\n  - git: " + repo.URL() + "\n    revision: 9.9.9\n",
			`packages.yml:2: git package ` + repo.URL() + `: revision "9.9.9" not found: it is no tag, branch or commit of the repository; set revision: to a tag, branch or full commit that exists (tags: 1.0.0, 1.1.0)`},
		{"missing commit", "packages:\n  - git: " + repo.URL() + "\n    revision: " + strings.Repeat("ab", 20) + "\n",
			`revision "` + strings.Repeat("ab", 20) + `" not found`},
		{"unreachable", "packages:\n  - git: file:///nonexistent/repo.git\n    revision: 1.0.0\n",
			`packages.yml:2: git package file:///nonexistent/repo.git: cannot fetch the repository: `},
		{"no project file", "packages:\n  - git: " + repo.URL() + "\n    revision: 1.0.0\n    subdirectory: macros\n",
			`packages.yml:2: git package ` + repo.URL() + ` (subdirectory macros): it has no dbt_project.yml; a package must be a dbt project`},
		{"missing subdirectory", "packages:\n  - git: " + repo.URL() + "\n    revision: 1.0.0\n    subdirectory: nope\n",
			`subdirectory "nope" does not exist at tag 1.0.0`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			depstest.WriteFiles(t, dir, map[string]string{"packages.yml": c.yml})
			r := install(t, dir, deps.Options{})
			if r.err == nil {
				t.Fatalf("deps succeeded\n%s", r.messages())
			}
			if !strings.Contains(r.err.Error(), c.want) || strings.Contains(r.err.Error(), "\n") {
				t.Errorf("error =\n%v\nwant one line containing\n%s", r.err, c.want)
			}
			if !errors.Is(r.err, diag.ErrInvalidProject) {
				t.Errorf("error is not an invalid-project error (exit 2): %T", r.err)
			}
			if got := read(t, filepath.Join(dir, "dbt_packages", "gitpkg", "macros", "v.sql")); got != before {
				t.Errorf("a failed deps changed the installed package to %q", got)
			}
			if got := read(t, filepath.Join(dir, "package-lock.yml")); got != lockBefore {
				t.Errorf("a failed deps rewrote the lock:\n%s", got)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), ".strata-deps") {
					t.Errorf("staging folder %s left behind", e.Name())
				}
			}
		})
	}
}

// hub publishes: a/utils 0.9.0 1.0.0 1.1.0 1.2.0-b1 2.0.0; a/date 0.9.0
// (requires utils >=1.0.0,<2.0.0) and 0.10.0 (requires utils >=2.0.0).
func hub(t *testing.T) *depstest.Hub {
	h := depstest.NewHub(t)
	for _, v := range []string{"0.9.0", "1.0.0", "1.1.0", "1.2.0-b1", "2.0.0"} {
		h.Publish("a/utils", v, depstest.HubVersion{Name: "utils", Files: map[string]string{"macros/v.sql": "utils " + v}})
	}
	h.Publish("a/date", "0.9.0", depstest.HubVersion{Name: "date", Packages: []map[string]any{{"package": "a/utils", "version": []any{">=1.0.0", "<2.0.0"}}}})
	h.Publish("a/date", "0.10.0", depstest.HubVersion{Name: "date", Packages: []map[string]any{{"package": "a/utils", "version": ">=2.0.0"}}})
	return h
}

func TestHubTransitiveRanges(t *testing.T) {
	h := hub(t)
	dir := project(t, "packages:\n  - package: a/utils\n    version: [\">=0.9.0\", \"<3.0.0\"]\n  - package: a/date\n    version: 0.9.0\n", nil)
	r := mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.1.0" {
		t.Errorf("utils installed %q, want 1.1.0: the highest version both requirers accept", got)
	}
	lock := read(t, filepath.Join(dir, "package-lock.yml"))
	want := "packages:\n  - name: utils\n    package: a/utils\n    version: 1.1.0\n  - name: date\n    package: a/date\n    version: 0.9.0\nsha1_hash: "
	if !strings.HasPrefix(lock, want) {
		t.Errorf("package-lock.yml =\n%s\nwant it to start\n%s", lock, want)
	}
	for _, p := range r.res.Packages {
		if p.Name == "utils" && p.Latest != "2.0.0" {
			t.Errorf("utils Latest = %q, want 2.0.0", p.Latest)
		}
	}

	// A second run installs the lock as it stands and fetches nothing.
	h.Requests()
	r = mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if req := h.Requests(); len(req) != 0 || r.res.Fetches != 0 {
		t.Errorf("a second deps fetched %v (Fetches %d), want nothing", req, r.res.Fetches)
	}
	if k := r.kinds(); k["utils"] != deps.EventUpToDate || k["date"] != deps.EventUpToDate {
		t.Errorf("second run events = %v", k)
	}
	if after := read(t, filepath.Join(dir, "package-lock.yml")); after != lock {
		t.Errorf("the lock changed:\n%s", after)
	}

	// A newer release is ignored until --upgrade.
	h.Publish("a/utils", "1.5.0", depstest.HubVersion{Name: "utils", Files: map[string]string{"macros/v.sql": "utils 1.5.0"}})
	mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.1.0" {
		t.Errorf("without --upgrade utils became %q", got)
	}
	r = mustInstall(t, dir, deps.Options{HubURL: h.Base(), Upgrade: true})
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.5.0" || !r.res.Resolved {
		t.Errorf("--upgrade installed %q (resolved %v), want 1.5.0", got, r.res.Resolved)
	}
	if lock := read(t, filepath.Join(dir, "package-lock.yml")); !strings.Contains(lock, "version: 1.5.0\n") {
		t.Errorf("--upgrade did not relock:\n%s", lock)
	}

	// Removing a package from packages.yml removes its folder.
	depstest.WriteFiles(t, dir, map[string]string{"packages.yml": "packages:\n  - package: a/utils\n    version: 1.5.0\n"})
	r = mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if _, err := os.Stat(filepath.Join(dir, "dbt_packages", "date")); err == nil || len(r.res.Removed) != 1 {
		t.Errorf("date was not removed (Removed %v)", r.res.Removed)
	}
}

func TestHubPrerelease(t *testing.T) {
	h := hub(t)
	for _, c := range []struct{ entry, want string }{
		{"version: [\">=1.0.0\", \"<2.0.0\"]", "utils 1.1.0"},
		{"version: [\">=1.0.0\", \"<2.0.0\"]\n    install_prerelease: true", "utils 1.2.0-b1"},
		{"version: [\">=1.0.0\", \"<2.0.0\"]\n    install-prerelease: true", "utils 1.2.0-b1"},
		{"version: 1.2.0-b1", "utils 1.2.0-b1"},
	} {
		dir := project(t, "packages:\n  - package: a/utils\n    "+c.entry+"\n", nil)
		mustInstall(t, dir, deps.Options{HubURL: h.Base()})
		if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != c.want {
			t.Errorf("%s installed %q, want %q", c.entry, got, c.want)
		}
	}
}

func TestHubErrors(t *testing.T) {
	h := hub(t)
	h.Publish("a/bad", "1.0.0", depstest.HubVersion{BadSHA1: true})
	h.Publish("a/junk", "1.0.0", depstest.HubVersion{Corrupt: true})
	h.Publish("a/bare", "1.0.0", depstest.HubVersion{NoProject: true})
	cases := []struct{ name, yml, want string }{
		{"conflict", "packages:\n  - package: a/utils\n    version: \"<1.0.0\"\n  - package: a/date\n    version: 0.9.0\n",
			`hub package a/utils: conflicting versions: packages.yml:2 requires <1.0.0 but a/date@0.9.0 requires >=1.0.0,<2.0.0, and no version satisfies both; change one of the two ranges so they overlap (versions on the Hub: 0.9.0, 1.0.0, 1.1.0, 2.0.0)`},
		{"no version", "packages:\n  - package: a/utils\n    version: \">=3.0.0\"\n",
			`packages.yml:2: hub package a/utils: no version matches >=3.0.0 (versions on the Hub: 0.9.0, 1.0.0, 1.1.0, 2.0.0); change version:`},
		{"unknown package", "packages:\n  - package: a/utilz\n    version: 1.0.0\n",
			`packages.yml:2: hub package a/utilz: not found on the dbt Hub (` + h.URL + `/api/v1/a/utilz.json); did you mean a/utils?`},
		{"bad sha1", "packages:\n  - package: a/bad\n    version: 1.0.0\n", `bad tarball from ` + h.URL + `/tarballs/a/bad/1.0.0.tar.gz: its sha1 is`},
		{"corrupt tarball", "packages:\n  - package: a/junk\n    version: 1.0.0\n", `hub package a/junk: bad tarball from`},
		{"no project file", "packages:\n  - package: a/bare\n    version: 1.0.0\n", `bad tarball from ` + h.URL + `/tarballs/a/bare/1.0.0.tar.gz: its folder bare-1.0.0 has no dbt_project.yml`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, c.yml, nil)
			r := install(t, dir, deps.Options{HubURL: h.Base()})
			if r.err == nil || !strings.Contains(r.err.Error(), c.want) {
				t.Errorf("error =\n%v\nwant it to contain\n%s", r.err, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "dbt_packages")); err == nil {
				t.Errorf("a failed deps created dbt_packages")
			}
			if _, err := os.Stat(filepath.Join(dir, "package-lock.yml")); err == nil {
				t.Errorf("a failed deps wrote package-lock.yml")
			}
		})
	}
	t.Run("unreachable hub", func(t *testing.T) {
		dir := project(t, "packages:\n  - package: a/utils\n    version: 1.0.0\n", nil)
		r := install(t, dir, deps.Options{HubURL: "http://127.0.0.1:1/"})
		want := "packages.yml:2: hub package a/utils: cannot reach the dbt Hub at http://127.0.0.1:1/api/v1/a/utils.json: "
		if r.err == nil || !strings.HasPrefix(r.err.Error(), want) || !strings.Contains(r.err.Error(), "STRATA_HUB_URL") {
			t.Errorf("error =\n%v\nwant it to start\n%s", r.err, want)
		}
	})
}

func TestTarballPackage(t *testing.T) {
	h := depstest.NewHub(t)
	h.Serve("/archive/pkg.tgz", depstest.Tarball("pkg-main", map[string]string{"dbt_project.yml": depstest.Project("tpkg"), "macros/t.sql": "tarball"}))
	dir := project(t, "packages:\n  - tarball: "+h.URL+"/archive/pkg.tgz\n    name: tarball_pkg\n", nil)
	mustInstall(t, dir, deps.Options{})
	if got := read(t, filepath.Join(dir, "dbt_packages", "tarball_pkg", "macros", "t.sql")); got != "tarball" {
		t.Errorf("installed %q", got)
	}
	lock := read(t, filepath.Join(dir, "package-lock.yml"))
	if !strings.HasPrefix(lock, "packages:\n  - name: tarball_pkg\n    tarball: "+h.URL+"/archive/pkg.tgz\n") {
		t.Errorf("lock =\n%s", lock)
	}
	h.Requests()
	mustInstall(t, dir, deps.Options{})
	if req := h.Requests(); len(req) != 0 {
		t.Errorf("second run fetched %v", req)
	}

	dir = project(t, "packages:\n  - tarball: "+h.URL+"/archive/missing.tgz\n    name: x\n", nil)
	r := install(t, dir, deps.Options{})
	want := "packages.yml:2: tarball package " + h.URL + "/archive/missing.tgz: cannot download " + h.URL + "/archive/missing.tgz: the server answered 404 Not Found"
	if r.err == nil || !strings.HasPrefix(r.err.Error(), want) {
		t.Errorf("error =\n%v\nwant\n%s", r.err, want)
	}
}

// TestSecretNeverShown serves a repository over HTTP behind basic auth: the
// password comes from env_var() in the git URL, must reach git, and must not
// appear in any event, error, or the lock file.
func TestSecretNeverShown(t *testing.T) {
	repo, _ := gitPackage(t)
	const secret = "s3cr3t-t0ken-value"
	base := repo.ServeHTTP("", "git", secret)
	env := func(k string) (string, bool) {
		if k == "DBT_ENV_SECRET_GIT_CREDENTIAL" {
			return secret, true
		}
		return "", false
	}
	url := strings.Replace(base, "http://", "http://git:{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}@", 1) + "/repo.git"
	dir := project(t, "packages:\n  - git: \""+url+"\"\n    revision: 1.0.0\n", nil)
	r := mustInstall(t, dir, deps.Options{Env: env})
	lock := read(t, filepath.Join(dir, "package-lock.yml"))
	if strings.Contains(lock, secret) || !strings.Contains(lock, "env_var('DBT_ENV_SECRET_GIT_CREDENTIAL')") {
		t.Errorf("lock must keep the URL unrendered:\n%s", lock)
	}
	if strings.Contains(r.messages(), secret) {
		t.Errorf("events show the secret:\n%s", r.messages())
	}
	state := read(t, filepath.Join(dir, "dbt_packages", ".strata-deps.json"))
	if strings.Contains(state, secret) {
		t.Errorf("install state holds the secret:\n%s", state)
	}

	// Failures must not show it either: a missing revision, a refused credential.
	for _, c := range []struct {
		yml string
		env func(string) (string, bool)
	}{
		{"packages:\n  - git: \"" + url + "\"\n    revision: 7.7.7\n", env},
		{"packages:\n  - git: \"" + strings.Replace(url, "{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}", secret+"-wrong", 1) + "\"\n    revision: 1.0.0\n", env},
		{"packages:\n  - git: \"" + url + "\"\n    revision: 1.0.0\n", func(k string) (string, bool) {
			if k == "DBT_ENV_SECRET_GIT_CREDENTIAL" {
				return secret + "-wrong", true
			}
			return "", false
		}},
	} {
		depstest.WriteFiles(t, dir, map[string]string{"packages.yml": c.yml})
		r := install(t, dir, deps.Options{Env: c.env, Upgrade: true})
		if r.err == nil {
			t.Fatalf("deps succeeded with\n%s", c.yml)
		}
		if strings.Contains(r.messages(), secret) {
			t.Errorf("the secret leaked:\n%s", r.messages())
		}
	}
}

func TestPrivatePackage(t *testing.T) {
	repo, _ := gitPackage(t)
	const token = "pr1vate-t0ken"
	base := repo.ServeHTTP("/acme", "x-access-token", token)
	providers := fmt.Sprintf(`[{"org": "acme", "url": "%s", "token": %q, "provider": "github"}]`,
		strings.Replace(base, "http://", "http://x-access-token:{token}@", 1)+"/acme/{repo}.git", token)
	env := func(k string) (string, bool) {
		if k == "DBT_ENV_PRIVATE_GIT_PROVIDER_INFO" {
			return providers, true
		}
		return "", false
	}
	dir := project(t, "packages:\n  - private: acme/repo\n    revision: 1.1.0\n", nil)
	r := mustInstall(t, dir, deps.Options{Env: env})
	lock := read(t, filepath.Join(dir, "package-lock.yml"))
	if !strings.Contains(lock, "  - name: gitpkg\n    private: acme/repo\n    revision: ") || strings.Contains(lock, token) {
		t.Errorf("lock =\n%s", lock)
	}
	if strings.Contains(r.messages(), token) {
		t.Errorf("the token leaked:\n%s", r.messages())
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "gitpkg", "macros", "v.sql")); !strings.Contains(got, "1.1.0") {
		t.Errorf("installed %q", got)
	}
}

func TestAddPackage(t *testing.T) {
	h := hub(t)
	dir := project(t, "# our packages\npackages:\n  - git: https://example.com/a/utils.git # old\n    revision: 0.1.0\n  - package: a/date\n    version: 0.9.0\n", nil)
	add, err := deps.ParseAddPackage("a/utils@>=1.0.0,<1.1.0", "hub")
	if err != nil {
		t.Fatal(err)
	}
	r := mustInstall(t, dir, deps.Options{HubURL: h.Base(), Add: add})
	got := read(t, filepath.Join(dir, "packages.yml"))
	want := "# our packages\npackages:\n  - package: a/date\n    version: 0.9.0\n  - package: a/utils\n    version: [\">=1.0.0\", \"<1.1.0\"]\n"
	if got != want {
		t.Errorf("packages.yml =\n%s\nwant\n%s", got, want)
	}
	if r.res.Added != "packages.yml" || !strings.Contains(r.messages(), "Replacing https://example.com/a/utils.git") {
		t.Errorf("Added %q, events:\n%s", r.res.Added, r.messages())
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.0.0" {
		t.Errorf("installed %q, want 1.0.0", got)
	}

	// A failed --add-package leaves packages.yml alone.
	add, _ = deps.ParseAddPackage("a/nothere@1.0.0", "")
	if r := install(t, dir, deps.Options{HubURL: h.Base(), Add: add}); r.err == nil {
		t.Fatal("adding a missing package succeeded")
	}
	if after := read(t, filepath.Join(dir, "packages.yml")); after != want {
		t.Errorf("a failed --add-package changed packages.yml:\n%s", after)
	}

	// No packages.yml yet: it is created.
	dir = project(t, "", nil)
	add, _ = deps.ParseAddPackage("a/utils@2.0.0", "hub")
	mustInstall(t, dir, deps.Options{HubURL: h.Base(), Add: add})
	if got := read(t, filepath.Join(dir, "packages.yml")); got != "packages:\n  - package: a/utils\n    version: 2.0.0\n" {
		t.Errorf("new packages.yml =\n%s", got)
	}

	for _, bad := range [][2]string{{"dbt_utils@1.0.0", "hub"}, {"a/utils", "hub"}, {"https://x/y.git", "git"}, {"a/b@1", "svn"}} {
		if _, err := deps.ParseAddPackage(bad[0], bad[1]); err == nil {
			t.Errorf("ParseAddPackage(%q, %q) accepted it", bad[0], bad[1])
		}
	}
	if a, err := deps.ParseAddPackage("git@github.com:org/repo.git@v1.2", "git"); err != nil || a.Name != "git@github.com:org/repo.git" || a.Version != "v1.2" {
		t.Errorf("ParseAddPackage(ssh URL) = %+v, %v", a, err)
	}
}

func TestLockOnlyAndDryRun(t *testing.T) {
	h := hub(t)
	dir := project(t, "packages:\n  - package: a/date\n    version: 0.9.0\n", nil)
	r := mustInstall(t, dir, deps.Options{HubURL: h.Base(), DryRun: true})
	if len(r.res.Packages) != 2 {
		t.Errorf("dry run planned %v", r.res.Packages)
	}
	for _, f := range []string{"package-lock.yml", "dbt_packages"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("--dry-run wrote %s", f)
		}
	}
	mustInstall(t, dir, deps.Options{HubURL: h.Base(), LockOnly: true})
	if _, err := os.Stat(filepath.Join(dir, "dbt_packages")); err == nil {
		t.Errorf("--lock installed packages")
	}
	if lock := read(t, filepath.Join(dir, "package-lock.yml")); !strings.Contains(lock, "version: 1.1.0") {
		t.Errorf("--lock wrote\n%s", lock)
	}
	// The lock is then installed as written.
	h.Requests()
	mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	req := h.Requests()
	for _, p := range req {
		if !strings.HasPrefix(p, "/api/v1/a/") && !strings.HasPrefix(p, "/tarballs/") {
			t.Errorf("unexpected request %s", p)
		}
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.1.0" {
		t.Errorf("installed %q", got)
	}
}

func TestPackageFiles(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"both list packages", map[string]string{"packages.yml": "packages: []\n", "dependencies.yml": "packages:\n  - local: x\n"},
			"dependencies.yml:1: packages listed twice"},
		{"unknown key", map[string]string{"packages.yml": "packages:\n  - package: a/b\n    versoin: 1.0.0\n"},
			`packages.yml:3: unknown key: a hub package takes package, version, install_prerelease, install-prerelease, name, not "versoin" (did you mean "version"?)`},
		{"projects in packages.yml", map[string]string{"packages.yml": "projects:\n  - name: other\n"},
			"packages.yml:1: unknown key: projects: (dbt Mesh cross-project references) belongs in dependencies.yml"},
		{"no version", map[string]string{"packages.yml": "packages:\n  - package: a/b\n"},
			"packages.yml:2: missing version: a/b needs version:"},
		{"no namespace", map[string]string{"packages.yml": "packages:\n  - package: dbt_utils\n    version: 1.0.0\n"},
			`packages.yml:2: invalid Hub package: "dbt_utils" has no namespace`},
		{"two sources", map[string]string{"packages.yml": "packages:\n  - git: https://x/y.git\n    local: ../y\n"},
			"packages.yml:2: invalid package entry: an entry has both local: and git:"},
		{"missing env var", map[string]string{"packages.yml": "packages:\n  - git: \"https://{{ env_var('NOPE_TOKEN') }}@x/y.git\"\n"},
			"packages.yml:2: cannot render git:"},
		{"bad yaml", map[string]string{"packages.yml": "packages:\n  - local: [\n"}, "packages.yml:2: invalid YAML: did not find expected node content"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, "", c.files)
			r := install(t, dir, deps.Options{})
			if r.err == nil || !strings.HasPrefix(r.err.Error(), c.want) {
				t.Errorf("error =\n%v\nwant it to start\n%s", r.err, c.want)
			}
		})
	}
	t.Run("dependencies.yml with projects", func(t *testing.T) {
		dir := project(t, "", map[string]string{
			"dependencies.yml":    "projects:\n  - name: upstream\npackages:\n  - local: sub\n",
			"sub/dbt_project.yml": depstest.Project("sub"),
		})
		r := mustInstall(t, dir, deps.Options{})
		if !strings.Contains(r.messages(), "dependencies.yml:1: projects: (dbt Mesh cross-project references) is ignored") {
			t.Errorf("no note about projects:\n%s", r.messages())
		}
		if _, err := os.Stat(filepath.Join(dir, "dbt_packages", "sub")); err != nil {
			t.Errorf("sub not installed: %v", err)
		}
	})
	t.Run("duplicate names", func(t *testing.T) {
		dir := project(t, "packages:\n  - local: one\n  - local: two\n", map[string]string{
			"one/dbt_project.yml": depstest.Project("same"), "two/dbt_project.yml": depstest.Project("same")})
		r := install(t, dir, deps.Options{})
		if r.err == nil || !strings.Contains(r.err.Error(), "two packages install as same: local one (required by packages.yml:2) and local two (required by packages.yml:3)") {
			t.Errorf("error = %v", r.err)
		}
	})
	t.Run("install path is the project", func(t *testing.T) {
		dir := project(t, "packages:\n  - local: one\n", map[string]string{
			"dbt_project.yml": depstest.Project("root") + "packages-install-path: .\n", "one/dbt_project.yml": depstest.Project("one"), "models/keep.sql": "select 1"})
		r := install(t, dir, deps.Options{})
		if r.err == nil || !strings.Contains(r.err.Error(), `invalid packages-install-path: "." must name a folder inside the project`) {
			t.Errorf("error = %v", r.err)
		}
		if _, err := os.Stat(filepath.Join(dir, "models", "keep.sql")); err != nil {
			t.Errorf("deps touched the project: %v", err)
		}
	})
	t.Run("packages-install-path", func(t *testing.T) {
		dir := project(t, "packages:\n  - local: one\n", map[string]string{
			"dbt_project.yml": depstest.Project("root") + "packages-install-path: vendor/pkgs\n", "one/dbt_project.yml": depstest.Project("one")})
		r := mustInstall(t, dir, deps.Options{})
		if _, err := os.Stat(filepath.Join(dir, "vendor", "pkgs", "one", "dbt_project.yml")); err != nil || r.res.InstallPath != filepath.Join(dir, "vendor", "pkgs") {
			t.Errorf("not installed under vendor/pkgs (%v, InstallPath %s)", err, r.res.InstallPath)
		}
	})
}

// TestDBT17Lock installs a lock as dbt 1.7 wrote it (no name: keys) without
// re-resolving or rewriting it, and fetches nothing on the next run.
func TestDBT17Lock(t *testing.T) {
	h := hub(t)
	repo, shas := gitPackage(t)
	yml := "packages:\n  - package: a/date\n    version: 0.9.0\n  - git: " + repo.URL() + "\n    revision: main\n"
	dir := project(t, yml, nil)
	mustInstall(t, dir, deps.Options{HubURL: h.Base(), LockOnly: true})
	written := read(t, filepath.Join(dir, "package-lock.yml"))
	hash := written[strings.Index(written, "sha1_hash:"):]
	// utils at 1.0.0, which is not what a fresh resolve picks: proof the lock is followed.
	lock := "packages:\n  - package: a/date\n    version: 0.9.0\n  - package: a/utils\n    version: 1.0.0\n  - git: " + repo.URL() + "\n    revision: " + shas["1.0.0"] + "\n" + hash
	depstest.WriteFiles(t, dir, map[string]string{"package-lock.yml": lock})
	r := mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if r.res.Resolved || r.res.LockWritten {
		t.Errorf("a matching dbt 1.7 lock was re-resolved (%v) or rewritten (%v)", r.res.Resolved, r.res.LockWritten)
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); got != "utils 1.0.0" {
		t.Errorf("utils = %q, want the locked 1.0.0", got)
	}
	if got := read(t, filepath.Join(dir, "dbt_packages", "gitpkg", "macros", "v.sql")); !strings.Contains(got, "1.0.0") {
		t.Errorf("gitpkg = %q, want the locked commit", got)
	}
	if got := read(t, filepath.Join(dir, "package-lock.yml")); got != lock {
		t.Errorf("the lock changed:\n%s", got)
	}
	h.Requests()
	r = mustInstall(t, dir, deps.Options{HubURL: h.Base()})
	if req := h.Requests(); len(req) != 0 || r.res.Fetches != 0 {
		t.Errorf("second run fetched %v (%d)", req, r.res.Fetches)
	}
	for _, p := range r.res.Packages {
		if !p.UpToDate || p.Name == "" {
			t.Errorf("second run: %+v", p)
		}
	}
}
