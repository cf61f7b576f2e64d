package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/docs"
	"github.com/strata-dev/strata/engine/manifest"
)

// docsFlags are `strata docs`'s flags: generate takes a selection (which nodes
// the catalog covers), serve an address.
func docsFlags() []flagDef {
	return defs(projectFlags, selectFlags, []flagDef{
		{names: []string{"empty-catalog"}, kind: boolFlag, help: "docs generate: write an empty catalog without querying the warehouse"},
		{names: []string{"port"}, kind: intFlag, help: "docs serve: port (default 8080)"},
		{names: []string{"addr", "host"}, kind: stringFlag, help: "docs serve: address to listen on (default 127.0.0.1)"},
	})
}

// runDocs is `strata docs generate` and `strata docs serve`.
func runDocs(ctx context.Context, c *invocation) error {
	sub := ""
	if len(c.extra) == 1 {
		sub = c.extra[0]
	}
	switch sub {
	case "generate":
		return runDocsGenerate(ctx, c)
	case "serve":
		return runDocsServe(ctx, c)
	}
	d := diag.Diagnostic{Summary: "unknown docs command", Detail: "usage: strata docs generate [-s SELECTOR…] | strata docs serve [--port 8080] [--addr 127.0.0.1]"}
	if len(c.extra) == 1 {
		d.Suggestion = diag.Suggest(sub, []string{"generate", "serve"})
	}
	return diag.From(d)
}

// runDocsGenerate compiles the project, writes manifest.json, reads the
// catalog (one query per schema) into catalog.json and renders index.html.
// A schema that cannot be read is reported and makes the command fail (exit 1)
// after everything else was written, as dbt does.
func runDocsGenerate(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	conn, err := p.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	invocation := engine.NewInvocationID()
	comp, err := p.Compile(ctx, engine.CompileOptions{Adapter: conn, InvocationID: invocation, Log: c.logFunc()})
	if err != nil {
		return err
	}
	c.out.Diagnostics(comp.Warnings)
	if err := p.WriteArtifacts(comp, true); err != nil {
		return err
	}
	var only []string
	types, err := resourceTypes(c.f.list("resource-type"))
	if err != nil {
		return err
	}
	if len(c.f.list("select")) > 0 || len(c.f.list("exclude")) > 0 || c.f.str("state") != "" || len(types) > 0 {
		if len(types) == 0 {
			types = []manifest.ResourceType{manifest.Model, manifest.Seed, manifest.Snapshot, manifest.Source}
		}
		ids, warns, err := p.Select(comp, engine.SelectOptions{
			Select: c.f.list("select"), Exclude: c.f.list("exclude"), StateDir: c.f.str("state"), ResourceTypes: types,
		})
		if err != nil {
			return err
		}
		if err := c.selectWarnings(warns); err != nil {
			return err
		}
		only = append([]string{}, ids...)
	}
	if c.f.on("empty-catalog") {
		only = []string{}
	}
	start := time.Now()
	cat, err := docs.BuildCatalog(ctx, docs.CatalogOptions{
		Warehouse: conn, Manifest: comp.Manifest, Only: only, Threads: p.Target.Threads,
		InvocationID: invocation, Version: engine.Version,
	})
	if err != nil {
		return err
	}
	catalogPath := filepath.Join(p.TargetDir, docs.CatalogFile)
	if err := docs.WriteCatalog(p.TargetDir, cat); err != nil {
		return err
	}
	c.out.Notice("Catalog: %d nodes and %d sources found in %.2fs; wrote %s",
		len(cat.Nodes), len(cat.Sources), time.Since(start).Seconds(), relTo(p.Opts.ProjectDir, catalogPath))
	if err := docs.WriteSite(p.TargetDir, comp.Manifest, cat); err != nil {
		return err
	}
	c.out.Notice("Wrote %s; run `strata docs serve` to browse it", relTo(p.Opts.ProjectDir, filepath.Join(p.TargetDir, docs.IndexFile)))
	if len(cat.Errors) > 0 {
		for _, e := range cat.Errors {
			c.out.Error(errors.New(e))
		}
		c.out.Error(fmt.Errorf("the catalog is incomplete: %d schemas could not be read", len(cat.Errors)))
		return errFailed
	}
	return nil
}

// runDocsServe serves target/index.html, manifest.json and catalog.json until
// ctx is cancelled (Ctrl-C), then exits 0. Files are read per request, so a
// `docs generate` in another terminal shows on the next reload.
func runDocsServe(ctx context.Context, c *invocation) error {
	p, err := c.open()
	if err != nil {
		return err
	}
	index := filepath.Join(p.TargetDir, docs.IndexFile)
	if _, err := os.Stat(index); err != nil {
		return diag.Invalid("no docs to serve", "%s does not exist: run `strata docs generate` first", relTo(p.Opts.ProjectDir, index))
	}
	addr, err := serveAddr(c.f.str("addr"), c.f.num("port"), c.f.set["port"])
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return diag.Invalid("cannot listen", "%s: %v; choose another --port or --addr", addr, err)
	}
	// Only the page and the artifacts it documents are served, not the rest
	// of target/ (the DuckDB file, the SQL run, the schedule history).
	mux := http.NewServeMux()
	for _, name := range []string{docs.IndexFile, "manifest.json", docs.CatalogFile} {
		path := filepath.Join(p.TargetDir, name)
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) { serveFile(w, r, path) })
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { serveFile(w, r, index) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c.out.Notice("Serving %s at http://%s/ (Ctrl-C to stop)", relTo(p.Opts.ProjectDir, p.TargetDir), ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("serve docs: %w", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stop serving docs: %w", err)
	}
	c.out.Notice("Stopped serving docs")
	return nil
}

// serveFile answers with path, or 404 when it has not been generated. It does
// not use http.ServeFile's directory handling: only the named files are served.
func serveFile(w http.ResponseWriter, r *http.Request, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, filepath.Base(path)+" not found: run `strata docs generate`", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.Error(w, filepath.Base(path)+" not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, filepath.Base(path), st.ModTime(), f)
}

// serveAddr combines --addr (a host, or host:port) and --port (default 8080)
// into a listen address; 127.0.0.1 unless told otherwise.
func serveAddr(addr string, port int, portSet bool) (string, error) {
	host := addr
	if h, pt, err := net.SplitHostPort(addr); err == nil {
		host = h
		if !portSet {
			n, err := strconv.Atoi(pt)
			if err != nil {
				return "", diag.Invalid("bad flag value", "--addr %q: the port must be a number", addr)
			}
			port, portSet = n, true
		}
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if !portSet {
		port = 8080
	}
	if port < 0 || port > 65535 {
		return "", diag.Invalid("bad flag value", "--port must be between 0 and 65535, got %d", port)
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}
