package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/deps/depstest"
)

// depsRun runs the strata binary in dir with env added to a clean
// environment (no STRATA_*, DBT_* or HOME from the caller).
func depsRun(t *testing.T, dir string, env map[string]string, args ...string) outcome {
	t.Helper()
	cmd := exec.Command(strataBinary(t), append(args, "--project-dir", dir)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "STRATA_") || strings.HasPrefix(k, "DBT_") || k == "HOME" || k == "NO_COLOR" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return outcome{code: code, stdout: o.String(), stderr: e.String()}
}

func depsProject(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	all := map[string]string{"dbt_project.yml": "name: root\nconfig-version: 2\nprofile: root\n"}
	for k, v := range files {
		all[k] = v
	}
	depstest.WriteFiles(t, dir, all)
	return dir
}

func wantExit(t *testing.T, what string, got outcome, code int, patterns ...string) {
	t.Helper()
	if got.code != code {
		t.Fatalf("%s: exit %d, want %d\n%s", what, got.code, code, got)
	}
	for _, p := range patterns {
		if !regexp.MustCompile("(?m)" + p).MatchString(got.stdout + got.stderr) {
			t.Errorf("%s: output does not match %q\n%s", what, p, got)
		}
	}
}

// TestDepsBinary drives `strata deps` as a user types it, against a Hub
// served in-process and a git repository made in the test.
func TestDepsBinary(t *testing.T) {
	hub := depstest.NewHub(t)
	for _, v := range []string{"0.9.0", "1.0.0", "1.1.0", "2.0.0"} {
		hub.Publish("acme/utils", v, depstest.HubVersion{Name: "utils", Files: map[string]string{"macros/v.sql": "utils " + v}})
	}
	hub.Publish("acme/dates", "0.9.0", depstest.HubVersion{Name: "dates", Packages: []map[string]any{{"package": "acme/utils", "version": []any{">=1.0.0", "<2.0.0"}}}})
	repo := depstest.NewRepo(t)
	sha := repo.Commit(map[string]string{"dbt_project.yml": depstest.Project("gitpkg"), "macros/g.sql": "git 1.0.0"})
	repo.Tag("1.0.0", true)
	repo.Commit(map[string]string{"macros/g.sql": "git main"})
	env := map[string]string{"STRATA_HUB_URL": hub.Base()}

	dir := depsProject(t, map[string]string{
		"packages.yml": "packages:\n  - package: acme/dates\n    version: 0.9.0\n  - package: acme/utils\n    version: [\">=0.9.0\", \"<3.0.0\"]\n  - git: " + repo.URL() + "\n    revision: 1.0.0\n",
	})
	out := depsRun(t, dir, env, "deps")
	wantExit(t, "first deps", out, 0,
		`Resolving 3 packages from packages.yml \(no package-lock.yml yet\)`,
		`Installed dates 0\.9\.0 \(hub acme/dates\)`,
		`Installed utils 1\.1\.0 \(hub acme/utils; 2\.0\.0 is out\)`,
		`Installed gitpkg at `+sha[:7]+` \(git `+regexp.QuoteMeta(repo.URL())+` @ 1\.0\.0\)`,
		`Wrote package-lock.yml`,
		`^Installed 3 packages into dbt_packages$`)
	if data, _ := os.ReadFile(filepath.Join(dir, "dbt_packages", "utils", "macros", "v.sql")); string(data) != "utils 1.1.0" {
		t.Errorf("utils holds %q, want 1.1.0 (the highest both requirers accept)", data)
	}
	lock, _ := os.ReadFile(filepath.Join(dir, "package-lock.yml"))
	wantLock := "packages:\n  - name: dates\n    package: acme/dates\n    version: 0.9.0\n  - name: utils\n    package: acme/utils\n    version: 1.1.0\n  - git: " + repo.URL() + "\n    name: gitpkg\n    revision: " + sha + "\nsha1_hash: "
	if !strings.HasPrefix(string(lock), wantLock) {
		t.Errorf("package-lock.yml =\n%s\nwant it to start\n%s", lock, wantLock)
	}

	// With the lock, nothing is fetched: no Hub request, and the git
	// repository may even be gone.
	hub.Requests()
	moved := repo.Bare + ".away"
	if err := os.Rename(repo.Bare, moved); err != nil {
		t.Fatal(err)
	}
	out = depsRun(t, dir, env, "deps")
	os.Rename(moved, repo.Bare)
	wantExit(t, "second deps", out, 0, `Up to date utils 1\.1\.0`, `Up to date gitpkg`, `^All 3 packages up to date in dbt_packages$`)
	if req := hub.Requests(); len(req) != 0 {
		t.Errorf("second deps asked the Hub for %v", req)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "package-lock.yml")); string(again) != string(lock) {
		t.Errorf("second deps rewrote the lock:\n%s", again)
	}

	// --add-package edits packages.yml; --upgrade takes the newest allowed.
	out = depsRun(t, dir, env, "deps", "--add-package", "acme/utils@>=1.0.0,<2.0.0")
	wantExit(t, "--add-package", out, 0, `Replacing acme/utils in packages.yml`, `Added acme/utils@>=1.0.0,<2.0.0 to packages.yml`, `Up to date utils 1\.1\.0`)
	if data, _ := os.ReadFile(filepath.Join(dir, "packages.yml")); !strings.Contains(string(data), "  - package: acme/utils\n    version: [\">=1.0.0\", \"<2.0.0\"]\n") {
		t.Errorf("packages.yml after --add-package:\n%s", data)
	}
	hub.Publish("acme/utils", "1.9.0", depstest.HubVersion{Name: "utils", Files: map[string]string{"macros/v.sql": "utils 1.9.0"}})
	wantExit(t, "deps after a release", depsRun(t, dir, env, "deps"), 0, `Up to date utils 1\.1\.0`)
	wantExit(t, "--upgrade", depsRun(t, dir, env, "deps", "--upgrade"), 0, `Resolving 3 packages from packages.yml \(--upgrade\)`, `Installed utils 1\.9\.0`)

	// Failures: exit 2, one line naming the package, who requires it and the fix.
	for _, c := range []struct {
		name, yml string
		want      []string
	}{
		{"conflict", "packages:\n  - package: acme/dates\n    version: 0.9.0\n  - package: acme/utils\n    version: \"<1.0.0\"\n",
			[]string{`^error: hub package acme/utils: conflicting versions: packages\.yml:4 requires <1\.0\.0 but acme/dates@0\.9\.0 requires >=1\.0\.0,<2\.0\.0, and no version satisfies both; change one of the two ranges so they overlap \(versions on the Hub: 0\.9\.0, 1\.0\.0, 1\.1\.0, 1\.9\.0, 2\.0\.0\)$`}},
		{"missing revision", "packages:\n  - git: " + repo.URL() + "\n    revision: 3.0.0\n",
			[]string{`^error: packages\.yml:2: git package ` + regexp.QuoteMeta(repo.URL()) + `: revision "3\.0\.0" not found: it is no tag, branch or commit of the repository; set revision: to a tag, branch or full commit that exists \(tags: 1\.0\.0\)$`}},
		{"unreachable git", "packages:\n  - git: file:///nonexistent/pkg.git\n    revision: 1.0.0\n",
			[]string{`^error: packages\.yml:2: git package file:///nonexistent/pkg\.git: cannot fetch the repository: .*does not appear to be a git repository; check the URL`}},
		{"unknown hub package", "packages:\n  - package: acme/utilz\n    version: 1.0.0\n",
			[]string{`^error: packages\.yml:2: hub package acme/utilz: not found on the dbt Hub \(.*\); did you mean acme/utils\?$`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := depsProject(t, map[string]string{"packages.yml": c.yml})
			out := depsRun(t, d, env, "deps")
			wantExit(t, c.name, out, 2, c.want...)
			if _, err := os.Stat(filepath.Join(d, "dbt_packages")); err == nil {
				t.Errorf("a failed deps left dbt_packages behind")
			}
		})
	}
	t.Run("unreachable hub", func(t *testing.T) {
		d := depsProject(t, map[string]string{"packages.yml": "packages:\n  - package: acme/utils\n    version: 1.0.0\n"})
		wantExit(t, "unreachable hub", depsRun(t, d, map[string]string{"STRATA_HUB_URL": "http://127.0.0.1:1"}, "deps"), 2,
			`^error: packages\.yml:2: hub package acme/utils: cannot reach the dbt Hub at http://127\.0\.0\.1:1/api/v1/acme/utils\.json: .*; check the network, or point STRATA_HUB_URL at a reachable Hub$`)
	})
}

// TestDepsSecretNeverPrinted clones over HTTP behind basic auth with the
// password from env_var(): it must reach git and appear nowhere else.
func TestDepsSecretNeverPrinted(t *testing.T) {
	repo := depstest.NewRepo(t)
	repo.Commit(map[string]string{"dbt_project.yml": depstest.Project("private_pkg")})
	repo.Tag("1.0.0", false)
	const secret = "ghp_s3cretT0kenValue"
	base := repo.ServeHTTP("/org", "x-access-token", secret)
	url := strings.Replace(base, "http://", "http://x-access-token:{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}@", 1) + "/org/repo.git"
	env := map[string]string{"DBT_ENV_SECRET_GIT_CREDENTIAL": secret}
	dir := depsProject(t, map[string]string{"packages.yml": "packages:\n  - git: \"" + url + "\"\n    revision: 1.0.0\n"})
	out := depsRun(t, dir, env, "deps")
	wantExit(t, "deps with a credential", out, 0, `Installed private_pkg at [0-9a-f]{7} \(git http://x-access-token:\{\{ env_var\('DBT_ENV_SECRET_GIT_CREDENTIAL'\) \}\}@`)
	check := func(what, text string) {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows the secret:\n%s", what, text)
		}
	}
	check("output", out.String())
	lock, _ := os.ReadFile(filepath.Join(dir, "package-lock.yml"))
	check("package-lock.yml", string(lock))
	if !strings.Contains(string(lock), "{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}") {
		t.Errorf("the lock must keep the URL as written:\n%s", lock)
	}
	// A wrong credential and a missing revision fail without showing it.
	out = depsRun(t, dir, map[string]string{"DBT_ENV_SECRET_GIT_CREDENTIAL": secret + "x"}, "deps", "--upgrade")
	wantExit(t, "wrong credential", out, 2, `cannot fetch the repository`)
	check("wrong-credential output", out.String())
	depstest.WriteFiles(t, dir, map[string]string{"packages.yml": "packages:\n  - git: \"" + url + "\"\n    revision: 9.9.9\n"})
	out = depsRun(t, dir, env, "deps", "--log-format", "json")
	wantExit(t, "missing revision", out, 2, `"level":"error"`, `revision \\"9\.9\.9\\" not found`)
	check("missing-revision output", out.String())
}
