package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/profile"
	"github.com/strata-dev/strata/engine/project"
)

// runDebug shows what strata found and checks the connection.
func runDebug(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "strata %s\n", engine.Version)
	fmt.Fprintf(&b, "project:   %s (%s)\n", p.Files.Config.Name, filepath.Join(p.Opts.ProjectDir, p.Files.ConfigFile))
	if p.ProfileInfo.Fallback {
		fmt.Fprintf(&b, "profile:   none found; using the embedded DuckDB default\n")
	} else {
		fmt.Fprintf(&b, "profile:   %s in %s\n", p.Target.Profile, p.ProfileInfo.Path)
	}
	fmt.Fprintf(&b, "target:    %s (type %s, schema %s, threads %d)\n", p.Target.Name, p.Target.Type, p.Target.Schema, p.Target.Threads)
	red := profile.Redacted(p.Target)
	keys := make([]string, 0, len(red))
	for k := range red {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "type" {
			continue
		}
		fmt.Fprintf(&b, "  %-22s %v\n", k+":", red[k])
	}
	fmt.Fprintf(&b, "models: %d, seeds: %d, macros files: %d, tests: %d, snapshots: %d\n",
		len(p.Files.Models), len(p.Files.Seeds), len(p.Files.Macros), len(p.Files.Tests), len(p.Files.Snapshots))
	c.out.Output(b.String())
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	conn, err := p.Connect(ctx)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close()
	}
	if err != nil {
		c.out.Output("connection: FAILED\n")
		return err
	}
	c.out.Output(fmt.Sprintf("connection: OK (%s, %.2fs)\n", engine.Describe(p.Target), time.Since(start).Seconds()))
	return nil
}

// runClean deletes exactly the project's clean-targets (default: the target
// path), refusing paths outside the project. It never deletes a DuckDB
// database (*.duckdb, the embedded default lives in target/): that is data,
// not build output. It needs no profile and no valid models.
func runClean(ctx context.Context, c *invocation) error {
	o, err := c.options()
	if err != nil {
		return err
	}
	dir := o.ProjectDir
	if dir == "" {
		dir = "."
	}
	p, ds := project.LoadConfig(dir)
	if w := ds.Warnings(); len(w) > 0 {
		c.out.Diagnostics(w)
	}
	if err := ds.Err(); err != nil {
		return err
	}
	for _, t := range p.Config.CleanTargets {
		abs := filepath.Join(p.Root, filepath.FromSlash(t))
		rel, err := filepath.Rel(p.Root, abs)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			return diag.Invalid("unsafe clean target", "clean-targets entry %q is not inside the project; strata only deletes folders within it", t)
		}
		if _, err := os.Lstat(abs); err != nil {
			continue
		}
		kept, err := removeExcept(abs, isDuckDBFile)
		if err != nil {
			return fmt.Errorf("clean %s: %w", rel, err)
		}
		if len(kept) > 0 {
			for i, k := range kept {
				kept[i], _ = filepath.Rel(p.Root, k)
			}
			c.out.Notice("Deleted %s (kept %s: clean never deletes a DuckDB database)", rel, strings.Join(kept, ", "))
			continue
		}
		c.out.Notice("Deleted %s", rel)
	}
	return nil
}

func isDuckDBFile(name string) bool {
	return strings.HasSuffix(name, ".duckdb") || strings.HasSuffix(name, ".duckdb.wal")
}

// removeExcept deletes path (a file, a link or a folder) except the files
// keep names, returning those it kept. Links are removed, never followed: a
// local package in dbt_packages links to the user's own folder.
func removeExcept(path string, keep func(name string) bool) ([]string, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if st.Mode().IsRegular() && keep(st.Name()) {
			return []string{path}, nil
		}
		return nil, os.Remove(path)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var kept []string
	for _, e := range ents {
		k, err := removeExcept(filepath.Join(path, e.Name()), keep)
		if err != nil {
			return kept, err
		}
		kept = append(kept, k...)
	}
	if len(kept) == 0 {
		return nil, os.Remove(path)
	}
	return kept, nil
}

func runSource(ctx context.Context, c *invocation) error {
	if len(c.extra) != 1 || c.extra[0] != "freshness" {
		return diag.Invalid("unknown source command", "usage: strata source freshness [-s source:name]")
	}
	return runFreshness(ctx, c)
}
