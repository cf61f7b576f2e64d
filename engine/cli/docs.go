package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/docs"
)

// docsFlags are `strata docs`'s flags: generate takes a selection (which nodes
// the catalog covers), serve an address.
func docsFlags() []flagDef {
	return defs(projectFlags, selectFlags, []flagDef{
		{names: []string{"empty-catalog"}, kind: boolFlag, help: "docs generate: write an empty catalog without querying the warehouse"},
		{names: []string{"no-lineage"}, kind: boolFlag, help: "docs generate: skip column lineage (target/lineage.json)"},
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
	sel, err := c.selection()
	if err != nil {
		return err
	}
	res, err := p.Catalog(ctx, engine.CatalogOptions{Common: c.common(), Selection: sel, Empty: c.f.on("empty-catalog"), NoLineage: c.f.on("no-lineage")})
	if err != nil {
		return err
	}
	cat := res.Catalog
	c.out.Notice("Catalog: %d nodes and %d sources found in %.2fs; wrote %s",
		len(cat.Nodes), len(cat.Sources), res.Elapsed.Seconds(), relTo(p.Opts.ProjectDir, res.CatalogPath))
	if res.LineagePath != "" {
		msg := fmt.Sprintf("Column lineage: %d columns traced; wrote %s", res.LineageColumns, relTo(p.Opts.ProjectDir, res.LineagePath))
		if res.LineageIncomplete > 0 {
			msg += fmt.Sprintf(" (%d nodes incomplete: see their \"error\" there)", res.LineageIncomplete)
		}
		c.out.Notice("%s", msg)
	}
	c.out.Notice("Wrote %s and %s/; run `strata docs serve` to browse it (or open %s)", relTo(p.Opts.ProjectDir, res.IndexPath),
		relTo(p.Opts.ProjectDir, filepath.Join(p.TargetDir, docs.DataDir)), relTo(p.Opts.ProjectDir, res.IndexPath))
	if len(cat.Errors) > 0 {
		for _, e := range cat.Errors {
			c.out.Error(errors.New(e))
		}
		c.out.Error(fmt.Errorf("the catalog is incomplete: %d schemas could not be read", len(cat.Errors)))
		return errFailed
	}
	return nil
}

// runDocsServe serves target/index.html, its data under target/docs/,
// manifest.json, catalog.json and lineage.json until ctx is cancelled
// (Ctrl-C), then exits 0. Files are read per request, so a `docs generate`
// in another terminal shows on the next reload.
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
	for _, name := range []string{docs.IndexFile, "manifest.json", docs.CatalogFile, docs.LineageFile} {
		path := filepath.Join(p.TargetDir, name)
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) { serveFile(w, r, path) })
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { serveFile(w, r, index) })
	dataDir := filepath.Join(p.TargetDir, docs.DataDir)
	mux.HandleFunc("GET /"+docs.DataDir+"/{file...}", func(w http.ResponseWriter, r *http.Request) { serveData(w, r, dataDir, r.PathValue("file")) })
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

// serveData answers with one of the site's data files: a .js file inside
// target/docs/ (os.Root refuses names that leave the folder, through ".." or
// a symbolic link); anything else is 404. The folder is opened per request
// because docs generate replaces it.
func serveData(w http.ResponseWriter, r *http.Request, dir, name string) {
	notFound := func() { http.Error(w, "not found", http.StatusNotFound) }
	if !strings.HasSuffix(name, ".js") || strings.HasPrefix(path.Base(name), ".") || !fs.ValidPath(name) {
		notFound()
		return
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		notFound()
		return
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		notFound()
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		notFound()
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	http.ServeContent(w, r, path.Base(name), st.ModTime(), f)
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
