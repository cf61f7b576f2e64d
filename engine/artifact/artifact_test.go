package artifact

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/manifest"
)

func model(name, sql string) *manifest.Node {
	return &manifest.Node{UniqueID: "model.p." + name, ResourceType: manifest.Model, Name: name, PackageName: "p",
		OriginalFilePath: "models/" + name + ".sql", CompiledCode: sql, Compiled: true}
}

func TestWriteCompiledRewritesOnlyChangedFiles(t *testing.T) {
	dir := t.TempDir()
	m := manifest.New()
	a, b := model("a", "select 1"), model("b", "select 2")
	m.Nodes[a.UniqueID], m.Nodes[b.UniqueID] = a, b
	if err := WriteCompiled(dir, m); err != nil {
		t.Fatal(err)
	}
	pa, pb := CompiledPath(dir, a), CompiledPath(dir, b)
	for p, want := range map[string]string{pa: "select 1", pb: "select 2"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Fatalf("%s = %q, want %q", p, got, want)
		}
	}
	// Mark both files so a rewrite is visible, then change only b's SQL.
	os.WriteFile(pa, []byte("sentinel a"), 0o644)
	os.WriteFile(pb, []byte("sentinel b"), 0o644)
	b.CompiledCode = "select 3"
	if err := WriteCompiled(dir, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(pa); string(got) != "sentinel a" {
		t.Errorf("unchanged a was rewritten: %q", got)
	}
	if got, _ := os.ReadFile(pb); string(got) != "select 3" {
		t.Errorf("changed b = %q, want select 3", got)
	}
	// A command that compiles none of them (seed) keeps their entries: the
	// next compile rewrites nothing unchanged.
	a.Compiled, b.Compiled = false, false
	if err := WriteCompiled(dir, m); err != nil {
		t.Fatal(err)
	}
	a.Compiled, b.Compiled = true, true
	if err := WriteCompiled(dir, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(pa); string(got) != "sentinel a" {
		t.Errorf("after a write that compiled nothing, unchanged a was rewritten: %q", got)
	}
	// Deleting compiled/ resets the index: everything is written again.
	os.RemoveAll(filepath.Join(dir, "compiled"))
	if err := WriteCompiled(dir, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(pa); string(got) != "select 1" {
		t.Errorf("after reset a = %q, want select 1", got)
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "x.json")
	if err := WriteJSON(p, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "{\n  \"a\": 1\n}\n" {
		t.Errorf("got %q", got)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "sub", ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestContentHash(t *testing.T) {
	// The index on disk holds these values: CRC-32C in the high half,
	// CRC-32 (IEEE) in the low half.
	seen := map[uint64]string{}
	for _, s := range []string{"", "select 1", "select 2", "ünïcode\n\x00", strings.Repeat("select * from x\n", 1000)} {
		want := uint64(crc32.Checksum([]byte(s), crc32.MakeTable(crc32.Castagnoli)))<<32 | uint64(crc32.ChecksumIEEE([]byte(s)))
		got := contentHash(s)
		if got != want {
			t.Errorf("contentHash(%q) = %x, want %x", s, got, want)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("%q and %q hash alike", prev, s)
		}
		seen[got] = s
	}
}

// RunWriter hands files to its writer in batches: whatever the batch
// boundaries, every file is on disk after Close, with the last content
// queued for it, and a file queued alone is written without Close.
func TestRunWriterWritesEveryBatch(t *testing.T) {
	dir := t.TempDir()
	w := NewRunWriter(dir)
	node := func(i int) *manifest.Node {
		return &manifest.Node{PackageName: "p", ResourceType: manifest.Model, OriginalFilePath: fmt.Sprintf("models/m%03d.sql", i)}
	}
	w.Write(node(0), []string{"select 0"})
	path0 := filepath.Join(dir, "run", "p", "models", "m000.sql")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, err := os.ReadFile(path0); err == nil && string(b) == "select 0;\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a lone queued file was not written within the flush delay")
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := 3*runBatch + 7
	for i := 0; i < n; i++ {
		w.Write(node(i), []string{fmt.Sprintf("create view m%03d as select %d", i, i), "grant select on m to r"})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		b, err := os.ReadFile(filepath.Join(dir, "run", "p", "models", fmt.Sprintf("m%03d.sql", i)))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("create view m%03d as select %d;\n\n\ngrant select on m to r;\n", i, i); string(b) != want {
			t.Fatalf("m%03d.sql holds %q, want %q", i, b, want)
		}
	}
}

// A re-run whose SQL is unchanged writes neither the run files nor the
// index; a change rewrites the changed file and the index, which keeps the
// entries of the files not run.
func TestRunWriterLeavesAnUnchangedIndex(t *testing.T) {
	dir := t.TempDir()
	node := func(i int) *manifest.Node {
		return &manifest.Node{PackageName: "p", ResourceType: manifest.Model, OriginalFilePath: fmt.Sprintf("models/m%d.sql", i)}
	}
	run := func(sqls ...string) {
		t.Helper()
		w := NewRunWriter(dir)
		for i, s := range sqls {
			if s != "" {
				w.Write(node(i), []string{s})
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	index := filepath.Join(dir, "run", compiledIndex)
	inode := func() uint64 {
		t.Helper()
		st, err := os.Stat(index)
		if err != nil {
			t.Fatal(err)
		}
		return st.Sys().(*syscall.Stat_t).Ino
	}
	run("select 0", "select 1")
	first := inode()
	run("select 0", "select 1")
	if inode() != first {
		t.Error("an unchanged re-run rewrote the run index")
	}
	run("", "select 2") // m0 not run this time
	if inode() == first {
		t.Error("a changed file did not rewrite the run index")
	}
	idx := readIndex(index)
	m0, m1 := filepath.Join(dir, "run", "p", "models", "m0.sql"), filepath.Join(dir, "run", "p", "models", "m1.sql")
	if idx[m0] != contentHash("select 0;\n") || idx[m1] != contentHash("select 2;\n") {
		t.Errorf("index after a partial run = %v", idx)
	}
	if b, _ := os.ReadFile(m1); string(b) != "select 2;\n" {
		t.Errorf("m1.sql holds %q", b)
	}
}
