package main

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFiles writes files (a slash-separated path relative to dir: its
// content) under dir. The engine's tests use engine/internal/testfiles,
// which this package cannot import.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
