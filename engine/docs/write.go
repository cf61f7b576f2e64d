package docs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/lineage"
	"github.com/strata-dev/strata/engine/manifest"
)

// File names written under the target folder.
const (
	CatalogFile = "catalog.json"
	IndexFile   = "index.html"
	LineageFile = "lineage.json"
)

// WriteCatalog writes targetDir/catalog.json atomically, compact as dbt writes it.
func WriteCatalog(targetDir string, c *Catalog) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("encode %s: %w", CatalogFile, err)
	}
	return artifact.WriteFile(filepath.Join(targetDir, CatalogFile), buf.Bytes())
}

// WriteLineage writes targetDir/lineage.json atomically.
func WriteLineage(targetDir string, l *lineage.Lineage) error {
	return writeAtomic(filepath.Join(targetDir, LineageFile), func(w *bufio.Writer) error { return l.WriteJSON(w) })
}

// SiteOptions are what the site documents.
type SiteOptions struct {
	Manifest *manifest.Manifest
	// Catalog is what the warehouse holds (nil: nothing was read).
	Catalog *Catalog
	// Lineage is the column lineage (nil: none).
	Lineage *lineage.Lineage
}

// WriteSite writes the documentation site: targetDir/index.html (the page,
// with its script and styles inline) and its data under targetDir/docs/,
// written into a fresh folder that then replaces the old one, so a reader
// never mixes two generations. run_results.json and sources.json in
// targetDir, when present, give the last run and freshness status.
func WriteSite(targetDir string, o SiteOptions) error {
	d := &siteData{o: o, postings: map[string][]uint32{}}
	d.runs, d.fresh = readRunArtifacts(targetDir)
	d.order()
	if err := os.MkdirAll(targetDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", targetDir, err)
	}
	tmp, err := os.MkdirTemp(targetDir, ".docs.tmp")
	if err != nil {
		return fmt.Errorf("write docs: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := d.writeData(tmp); err != nil {
		return err
	}
	if err := swapDir(tmp, filepath.Join(targetDir, DataDir)); err != nil {
		return err
	}
	page, err := renderIndex(o.Manifest.Metadata.ProjectName)
	if err != nil {
		return err
	}
	return artifact.WriteFile(filepath.Join(targetDir, IndexFile), page)
}

// writeData writes the details files one at a time (memory stays with the
// index and the search postings), then the search shards and the index.
func (d *siteData) writeData(dir string) error {
	for _, sub := range []string{"n", "s"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("write docs: %w", err)
		}
	}
	pages := 0
	for pages < len(d.nodes) && pageNode(d.nodes[pages]) {
		pages++
	}
	for start := 0; start < pages; start += chunkSize {
		k := start / chunkSize
		chunk := map[string]*detail{}
		for i := start; i < min(start+chunkSize, pages); i++ {
			det := d.detail(i)
			d.indexSearch(i, d.nodes[i], det.Cols)
			chunk[strconv.Itoa(i)] = det
		}
		if err := writeScript(filepath.Join(dir, "n", strconv.Itoa(k)+".js"), chunkName(k), chunk); err != nil {
			return err
		}
	}
	// Tests are found by name.
	for i := pages; i < len(d.nodes); i++ {
		tokens(d.nodes[i].Name, func(t string) { d.postings[t] = append(d.postings[t], uint32(i*4+fieldName)) })
	}
	idx := d.buildIndex()
	shards := d.shards()
	d.postings = nil
	for key, toks := range shards {
		idx.Shards = append(idx.Shards, key)
		if err := writeScript(filepath.Join(dir, "s", key+".js"), "s/"+key, toks); err != nil {
			return err
		}
	}
	sort.Strings(idx.Shards)
	return writeScript(filepath.Join(dir, "index.js"), "index", idx)
}

// writeScript writes data as a script that hands it to the page:
// strataDocs.load("name", {...}). JSON is a JavaScript expression; HTML is not
// escaped since the file is never inlined into a page.
func writeScript(path, name string, v any) error {
	return writeAtomic(path, func(w *bufio.Writer) error {
		fmt.Fprintf(w, "strataDocs.load(%q,", name)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		_, err := w.WriteString(");\n")
		return err
	})
}

// writeAtomic streams a file into a temp file beside path, then renames it.
func writeAtomic(path string, fill func(*bufio.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// swapDir replaces dst with the folder src.
func swapDir(src, dst string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		o, err := os.MkdirTemp(filepath.Dir(dst), ".docs.old")
		if err != nil {
			return fmt.Errorf("replace %s: %w", dst, err)
		}
		old = filepath.Join(o, "docs")
		if err := os.Rename(dst, old); err != nil {
			os.RemoveAll(o)
			return fmt.Errorf("replace %s: %w", dst, err)
		}
		defer os.RemoveAll(o)
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	return os.Chmod(dst, 0o755)
}
