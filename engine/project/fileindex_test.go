package project

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// loadIndexed loads dir with the file index and returns the project and how
// many files the index answered.
func loadIndexed(t *testing.T, dir string) (*Project, int) {
	t.Helper()
	p, ds := LoadConfig(dir)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	ix := openFileIndex(filepath.Join(dir, "target", indexFileName))
	if ds := discover(p, ix); ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return p, int(ix.hits.Load())
}

func contentOf(p *Project, path string) (string, string) {
	for _, list := range [][]File{p.Models, p.Seeds, p.Macros} {
		for _, f := range list {
			if f.Path == path {
				return f.Content, f.Checksum
			}
		}
	}
	return "<missing>", ""
}

func TestFileIndexReusesUnchangedFilesAndSeesEveryChange(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the file index needs fstatat (Linux)")
	}
	old := indexSlack
	indexSlack = 0 // trust any file older than the last load's start
	t.Cleanup(func() { indexSlack = old })

	dir := writeProject(t, map[string]string{
		"project.yaml":   "name: p\nprofile: p\n",
		"models/a.sql":   "select 1 as a",
		"models/b.sql":   "select 2 as b",
		"macros/m.sql":   "{% macro m() %}1{% endmacro %}",
		"seeds/s.csv":    "id\n1\n",
		"models/p.yml":   "version: 2\nmodels:\n  - name: a\n",
		"models/c/d.sql": "select 4 as d",
	})
	first, hits := loadIndexed(t, dir)
	if hits != 0 {
		t.Fatalf("first load: %d hits, want 0", hits)
	}
	time.Sleep(20 * time.Millisecond) // change times before the next load's start
	second, hits := loadIndexed(t, dir)
	if hits != 5 { // a, b, d, m and the seed; the properties file is always read
		t.Errorf("second load: %d hits, want 5", hits)
	}
	for _, path := range []string{"models/a.sql", "models/b.sql", "models/c/d.sql", "macros/m.sql", "seeds/s.csv"} {
		c1, s1 := contentOf(first, path)
		c2, s2 := contentOf(second, path)
		if c1 != c2 || s1 != s2 || s1 == "" {
			t.Errorf("%s: indexed (%q, %s), read (%q, %s)", path, c2, s2, c1, s1)
		}
	}
	if len(second.Properties) != 1 || len(second.Properties[0].Models) != 1 {
		t.Errorf("properties not parsed on the indexed load: %+v", second.Properties)
	}

	// The same size, a new text: seen. A new file, a removed one: seen.
	if err := os.WriteFile(filepath.Join(dir, "models/a.sql"), []byte("select 9 as a"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "models/b.sql"))
	os.WriteFile(filepath.Join(dir, "models/e.sql"), []byte("select 5 as e"), 0o644)
	// A file replaced by another (a new inode), as editors save.
	tmp := filepath.Join(dir, "models/c/d.tmp")
	os.WriteFile(tmp, []byte("select 7 as d"), 0o644)
	os.Rename(tmp, filepath.Join(dir, "models/c/d.sql"))
	time.Sleep(20 * time.Millisecond)
	third, _ := loadIndexed(t, dir)
	if c, _ := contentOf(third, "models/a.sql"); c != "select 9 as a" {
		t.Errorf("edited a.sql = %q", c)
	}
	if c, _ := contentOf(third, "models/c/d.sql"); c != "select 7 as d" {
		t.Errorf("replaced d.sql = %q", c)
	}
	if c, _ := contentOf(third, "models/b.sql"); c != "<missing>" {
		t.Errorf("removed b.sql still there: %q", c)
	}
	if c, _ := contentOf(third, "models/e.sql"); c != "select 5 as e" {
		t.Errorf("new e.sql = %q", c)
	}
	fourth, hits := loadIndexed(t, dir)
	if hits != 5 { // a, d, e, m, seed
		t.Errorf("fourth load: %d hits, want 5", hits)
	}
	if c, _ := contentOf(fourth, "models/a.sql"); c != "select 9 as a" {
		t.Errorf("a.sql from the rewritten index = %q", c)
	}
}

// TestFileIndexDoesNotTrustRecentFiles: a file changed within the slack of
// the index's writing may have changed again in the same clock tick, so it
// is read again.
func TestFileIndexDoesNotTrustRecentFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the file index needs fstatat (Linux)")
	}
	dir := writeProject(t, map[string]string{
		"project.yaml": "name: p\nprofile: p\n",
		"models/a.sql": "select 1 as a",
	})
	loadIndexed(t, dir)
	if _, hits := loadIndexed(t, dir); hits != 0 {
		t.Errorf("a file changed a moment ago was trusted (%d hits)", hits)
	}
}

func TestFileIndexIgnoresADamagedIndex(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the file index needs fstatat (Linux)")
	}
	old := indexSlack
	indexSlack = 0
	t.Cleanup(func() { indexSlack = old })
	dir := writeProject(t, map[string]string{
		"project.yaml": "name: p\nprofile: p\n",
		"models/a.sql": "select 1 as a",
	})
	loadIndexed(t, dir)
	path := filepath.Join(dir, "target", indexFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(indexMagic)+12] ^= 0x20 // inside the body: the CRC no longer matches
	os.WriteFile(path, data, 0o644)
	time.Sleep(20 * time.Millisecond)
	p, hits := loadIndexed(t, dir)
	if c, _ := contentOf(p, "models/a.sql"); hits != 0 || c != "select 1 as a" {
		t.Errorf("damaged index: %d hits, a.sql = %q", hits, c)
	}
	for _, cut := range []int{0, 5, len(indexMagic) + 3} {
		if _, _, err := decodeFileIndex(data[:cut]); err == nil {
			t.Errorf("an index cut at %d bytes decoded", cut)
		}
	}
}
