package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/manifest"
)

// File names written under the target folder.
const (
	CatalogFile = "catalog.json"
	IndexFile   = "index.html"
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

// WriteSite renders the documentation page into targetDir/index.html atomically.
func WriteSite(targetDir string, m *manifest.Manifest, c *Catalog) error {
	var buf bytes.Buffer
	if err := RenderSite(&buf, m, c); err != nil {
		return err
	}
	return artifact.WriteFile(filepath.Join(targetDir, IndexFile), buf.Bytes())
}
