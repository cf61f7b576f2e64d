package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/deps"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/result"
)

const depsHelp = `Installs the packages listed in packages.yml (or dependencies.yml) into
packages-install-path (default dbt_packages/), one folder per package named by
its dbt_project.yml, and pins them in package-lock.yml. Sources:
  - package: dbt-labs/dbt_utils      the dbt Package Hub (STRATA_HUB_URL to use another)
    version: [">=1.0.0", "<2.0.0"]   a version or a range; install_prerelease: true for betas
  - git: https://github.com/org/repo.git
    revision: 1.0.0                  a tag, branch or commit; subdirectory: for a monorepo
  - git: "https://{{ env_var('DBT_ENV_SECRET_GIT_CREDENTIAL') }}@github.com/org/private.git"
  - private: org/repo                over SSH, or DBT_ENV_PRIVATE_GIT_PROVIDER_INFO's tokens
  - local: ../shared                 a folder (linked, so edits show at once)
  - tarball: https://host/pkg.tar.gz
    name: pkg
While package-lock.yml matches the list, deps installs exactly the lock and
fetches only what is missing; --upgrade resolves again.

`

func depsFlags() []flagDef {
	return []flagDef{
		{names: []string{"project-dir"}, kind: stringFlag, help: "project folder (default: current folder)"},
		{names: []string{"vars"}, kind: stringFlag, help: "YAML or JSON dict of variables for var() in packages.yml"},
		{names: []string{"add-package"}, kind: stringFlag, help: "add NAME@VERSION to packages.yml, then install (org/name@1.0.0, URL@rev, PATH)"},
		{names: []string{"source"}, kind: stringFlag, help: "where --add-package comes from: hub (default), git or local"},
		{names: []string{"upgrade"}, kind: boolFlag, help: "resolve again (newest versions the ranges allow) and fetch everything"},
		{names: []string{"lock"}, kind: boolFlag, help: "resolve and write package-lock.yml without installing"},
		{names: []string{"dry-run"}, kind: boolFlag, help: "show what would be installed; write nothing"},
		{names: []string{"log-format"}, kind: stringFlag, help: "text or json"},
		{names: []string{"quiet", "q"}, kind: boolFlag, help: "print only errors and the summary"},
		{names: []string{"help", "h"}, kind: boolFlag, help: "show this help"},
	}
}

// runDeps installs the project's packages; it needs no profile.
func runDeps(ctx context.Context, c *invocation) error {
	po, err := c.options()
	if err != nil {
		return err
	}
	o := deps.Options{ProjectDir: po.ProjectDir, Env: c.env.Getenv, Vars: po.Vars, Upgrade: c.f.on("upgrade"), LockOnly: c.f.on("lock"), DryRun: c.f.on("dry-run")}
	for _, k := range []string{"STRATA_HUB_URL", "DBT_PACKAGE_HUB_URL"} {
		if v, ok := c.env.Getenv(k); ok && v != "" {
			o.HubURL = v
			break
		}
	}
	if c.f.set["source"] && !c.f.set["add-package"] {
		return diag.Invalid("bad flag", "--source only applies to --add-package")
	}
	if a := c.f.str("add-package"); a != "" {
		if o.Add, err = deps.ParseAddPackage(a, c.f.str("source")); err != nil {
			return err
		}
	}
	o.Observer = func(e deps.Event) {
		kind, msg := result.Info, e.Message
		switch e.Kind {
		case deps.EventWarning:
			kind = result.Warning
		case deps.EventInstalled:
			msg = "Installed " + describePackage(e.Package)
		case deps.EventUpToDate:
			msg = "Up to date " + describePackage(e.Package)
		case deps.EventPlanned:
			msg = "Would install " + describePackage(e.Package)
		}
		c.out.Event(result.Event{Kind: kind, Message: msg, Time: time.Now()})
	}
	res, err := deps.Install(ctx, o)
	if err != nil {
		var de *deps.Error
		if errors.As(err, &de) {
			return diag.From(de.Diagnostic())
		}
		return err
	}
	dest := relTo(projectDirOf(po.ProjectDir), res.InstallPath)
	fetched, upToDate := 0, 0
	for _, p := range res.Packages {
		if p.UpToDate {
			upToDate++
		} else {
			fetched++
		}
	}
	switch {
	case o.DryRun || o.LockOnly:
		c.out.Output(fmt.Sprintf("%d %s resolved; nothing installed\n", len(res.Packages), plural(len(res.Packages), "package", "packages")))
	case len(res.Packages) == 0:
		c.out.Output("No packages to install\n")
	case fetched == 0:
		c.out.Output(fmt.Sprintf("All %d %s up to date in %s\n", upToDate, plural(upToDate, "package", "packages"), dest))
	default:
		msg := fmt.Sprintf("Installed %d %s into %s", fetched, plural(fetched, "package", "packages"), dest)
		if upToDate > 0 {
			msg += fmt.Sprintf(" (%d already up to date)", upToDate)
		}
		c.out.Output(msg + "\n")
	}
	return nil
}

// describePackage is one package as deps lines show it:
// "dbt_utils 1.3.0 (hub dbt-labs/dbt_utils; 1.4.1 is out)".
func describePackage(p *deps.Package) string {
	var b strings.Builder
	b.WriteString(p.Name)
	switch p.Source {
	case deps.SourceHub:
		fmt.Fprintf(&b, " %s (hub %s", p.Version, p.Ref)
		if p.Latest != "" {
			fmt.Fprintf(&b, "; %s is out", p.Latest)
		}
	case deps.SourceGit, deps.SourcePrivate:
		short := p.Version
		if len(short) > 7 {
			short = short[:7]
		}
		fmt.Fprintf(&b, " at %s (%s %s", short, p.Source, p.Ref)
		if p.Revision != "" {
			fmt.Fprintf(&b, " @ %s", p.Revision)
		}
		if p.Subdirectory != "" {
			fmt.Fprintf(&b, ", subdirectory %s", p.Subdirectory)
		}
	default:
		fmt.Fprintf(&b, " (%s %s", p.Source, p.Ref)
	}
	b.WriteString(")")
	return b.String()
}

func projectDirOf(dir string) string {
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
