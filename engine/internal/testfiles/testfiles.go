// Package testfiles writes the small projects the engine's tests build on
// disk: one loop instead of a copy in every package's tests.
package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files (a slash-separated path relative to dir: its content)
// under dir, creating folders as needed; any failure ends the test.
func Write(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
