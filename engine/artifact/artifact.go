// Package artifact writes strata's files under target/: compiled SQL, the
// statements run per node, manifest.json, run_results.json and sources.json.
// Every file is written atomically (a temp file in the same folder, then rename),
// so a reader never sees half a file and a crash leaves the previous one.
//
// Functions are safe for concurrent use on different paths.
package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/result"
)

// Schema versions written, as dbt names them.
const (
	ManifestSchema   = "https://schemas.getdbt.com/dbt/manifest/v12.json"
	RunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v6.json"
	SourcesSchema    = "https://schemas.getdbt.com/dbt/sources/v3.json"
)

// WriteFile writes data to path atomically, creating parent folders.
func WriteFile(path string, data []byte) error { return writeFileParts(path, [][]byte{data}) }

// writeFileParts writes the concatenation of parts to path atomically, so a
// large file encoded in pieces needs no copy into one buffer.
func writeFileParts(path string, parts [][]byte) error {
	return writeFileStream(path, func(w io.Writer) error {
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeFileStream writes what encode writes to path atomically: into a
// temporary file beside it, renamed over path only when all went well.
func writeFileStream(path string, encode func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600; artifacts are read by other tools and
	// users (CI uploads, docs servers), as dbt's are: 0644.
	werr := f.Chmod(0o644)
	if werr == nil {
		werr = encode(f)
	}
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, errorsJoin(werr, cerr))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// WriteJSON encodes v with two-space indentation and writes it atomically.
func WriteJSON(path string, v any) error { return writeJSON(path, v, true) }

func writeJSON(path string, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent {
		enc.SetIndent("", "  ")
	}
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFile(path, buf.Bytes())
}

// CompiledPath is where a node's compiled SQL goes: target/compiled/<project>/<original path>.
func CompiledPath(targetDir string, n *manifest.Node) string {
	return filepath.Join(targetDir, "compiled", n.PackageName, filepath.FromSlash(nodeFile(n)))
}

// RunPath is where the statements executed for a node go: target/run/<project>/<original path>.
func RunPath(targetDir string, n *manifest.Node) string {
	return filepath.Join(targetDir, "run", n.PackageName, filepath.FromSlash(nodeFile(n)))
}

// nodeFile names a node's artifact file. Generic tests share their YAML file, so
// they get a file of their own named after the test, as dbt does.
func nodeFile(n *manifest.Node) string {
	p := n.OriginalFilePath
	if n.ResourceType == manifest.Test && n.TestMetadata != nil {
		return strings.TrimSuffix(p, filepath.Ext(p)) + "/" + n.Name + ".sql"
	}
	if n.ResourceType == manifest.UnitTest && n.UnitTest != nil {
		return strings.TrimSuffix(p, filepath.Ext(p)) + "/" + n.UnitTest.Model + "/" + n.Name + ".sql"
	}
	if n.ResourceType == manifest.Snapshot || strings.HasSuffix(p, ".sql") {
		return p
	}
	return strings.TrimSuffix(p, filepath.Ext(p)) + ".sql"
}

// allCompiled yields the nodes and unit tests that may have compiled SQL.
func allCompiled(m *manifest.Manifest) func(func(*manifest.Node) bool) {
	return func(yield func(*manifest.Node) bool) {
		for _, n := range m.Nodes {
			if !yield(n) {
				return
			}
		}
		for _, n := range m.UnitTests {
			if !yield(n) {
				return
			}
		}
	}
}

// compiledIndex records a hash of every compiled file written, so a recompile
// rewrites only files whose SQL changed: creating ten thousand small files is
// most of a compile's wall time on a slow disk. It lives inside compiled/, so
// deleting that folder resets it.
const compiledIndex = ".strata-index"

// WriteCompiled writes every compiled node's SQL whose content changed since
// the last write, from a few goroutines.
func WriteCompiled(targetDir string, m *manifest.Manifest) error {
	root := filepath.Join(targetDir, "compiled")
	old := readIndex(filepath.Join(root, compiledIndex))
	next := make(map[string]uint64, len(m.Nodes))
	type job struct {
		n    *manifest.Node
		path string
	}
	var todo []job
	for n := range allCompiled(m) {
		if n.ResourceType == manifest.Seed || n.Dynamic {
			// A dynamic node's SQL is known when it runs: RunWriter writes it
			// then, outside the index.
			continue
		}
		if !n.Compiled {
			// Not compiled this time (seed, or a selection): its file is as
			// the last compile left it, and so is its entry. Dropping the
			// entry made the next run rewrite every model's file after a
			// `strata seed`.
			if len(old) > 0 {
				p := CompiledPath(targetDir, n)
				if h, ok := old[p]; ok {
					next[p] = h
				}
			}
			continue
		}
		p := CompiledPath(targetDir, n)
		h := contentHash(n.CompiledCode)
		next[p] = h
		if prev, ok := old[p]; !ok || prev != h {
			todo = append(todo, job{n, p})
		}
	}
	// One goroutine per folder: creating files in one directory serializes
	// on its lock in the kernel, and writers sharing a folder spent their
	// time spinning on it (several times the system time of one writer).
	byDir := map[string][]job{}
	for _, j := range todo {
		d := filepath.Dir(j.path)
		byDir[d] = append(byDir[d], j)
	}
	groups := make([][]job, 0, len(byDir))
	for d, js := range byDir {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
		groups = append(groups, js)
	}
	// Largest folders first, so the last to finish is a small one.
	sort.Slice(groups, func(a, b int) bool { return len(groups[a]) > len(groups[b]) })
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		sem   = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, js := range groups {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, j := range js {
				// Compiled files are rewritten whole on every change, so a direct
				// write is enough here; manifests and results use WriteFile.
				if err := writeWhole(j.path, j.n.CompiledCode); err != nil {
					once.Do(func() { first = fmt.Errorf("write compiled sql: %w", err) })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if len(todo) == 0 && len(old) == len(next) {
		return nil
	}
	return writeIndex(filepath.Join(root, compiledIndex), next)
}

// contentHash identifies a file's content in the index. Changing it only
// makes the next write rewrite every file once.
func contentHash(s string) uint64 {
	// Two CRCs the CPU computes in hardware (SSE 4.2 and carry-less
	// multiplication on amd64, the CRC instructions on arm64): 64 bits at
	// several GB/s, where a byte-at-a-time FNV loop was a visible share of a
	// warm compile.
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	return uint64(crc32.Checksum(b, castagnoli))<<32 | uint64(crc32.ChecksumIEEE(b))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// readIndex reads "path\thash" lines; a missing or damaged index reads as empty,
// which only means every file is written again.
func readIndex(path string) map[string]uint64 {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	text := string(raw)
	out := make(map[string]uint64, strings.Count(text, "\n")+1)
	for len(text) > 0 {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		p, h, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return nil
		}
		out[p] = v
	}
	return out
}

func writeIndex(path string, idx map[string]uint64) error {
	keys := make([]string, 0, len(idx))
	for k := range idx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatUint(idx[k], 16))
		b.WriteByte('\n')
	}
	return WriteFile(path, []byte(b.String()))
}

// RunWriter writes target/run/<path>.sql for each node in the background, so a
// worker never waits on the disk: with a thousand small views, file creation
// costs more than the statements. Files whose content is unchanged since the
// last run are not rewritten (an index in run/ records content hashes).
//
// Nodes hand their files over in batches: the writer wakes when runBatch files
// wait or runFlushDelay after the first of them, not per node. Waking it per
// node (a channel send to an idle goroutine) cost a thread wake-up on every
// node, 60 ms of scheduling delay over 1,000 views on a local PostgreSQL.
// Write is safe for concurrent use; Close waits for every write.
type RunWriter struct {
	targetDir string

	mu      sync.Mutex
	pending []runFile
	timer   *time.Timer
	closed  bool
	wake    chan struct{} // capacity 1: a batch (or Close) is waiting
	done    chan struct{}

	err       error // the writer goroutine's only
	old, next map[string]uint64
}

const (
	runBatch      = 128
	runFlushDelay = 250 * time.Millisecond
)

type runFile struct {
	path    string
	body    string
	noIndex bool // outside target/run: written every time, not indexed
	// node and stmts, when node is set, make path and body on the writer's
	// goroutine, off the executing thread.
	node  *manifest.Node
	stmts []string
}

// NewRunWriter starts a writer for targetDir. The last run's index is read
// on the writer's goroutine, off the path to the first statement.
func NewRunWriter(targetDir string) *RunWriter {
	w := &RunWriter{targetDir: targetDir, wake: make(chan struct{}, 1), done: make(chan struct{}),
		next: map[string]uint64{}}
	go w.loop()
	return w
}

// Write queues the statements executed for a node, separated by blank lines.
func (w *RunWriter) Write(n *manifest.Node, statements []string) {
	if len(statements) == 0 {
		return
	}
	w.queue(runFile{node: n, stmts: statements})
}

// runBody is a node's target/run file: its statements, each ended by a
// semicolon, a blank line between them.
func runBody(statements []string) string {
	var b strings.Builder
	for i, s := range statements {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(strings.TrimRight(strings.TrimSpace(s), ";"))
		b.WriteString(";\n")
	}
	return b.String()
}

func (w *RunWriter) queue(f runFile) {
	w.mu.Lock()
	w.pending = append(w.pending, f)
	n := len(w.pending)
	if n == 1 {
		if w.timer == nil {
			w.timer = time.AfterFunc(runFlushDelay, w.signal)
		} else {
			w.timer.Reset(runFlushDelay)
		}
	}
	w.mu.Unlock()
	if n >= runBatch {
		w.signal()
	}
}

func (w *RunWriter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Event implements result.Observer: when a node finishes, the statements it
// executed go to target/run, and a node rendered at execution time gets its
// target/compiled file too.
func (w *RunWriter) Event(e result.Event) {
	if e.Kind != result.NodeFinished || e.Result == nil || e.Result.Node == nil {
		return
	}
	n := e.Result.Node
	if n.Dynamic && e.Result.CompiledCode != "" {
		w.queue(runFile{path: CompiledPath(w.targetDir, n), body: e.Result.CompiledCode, noIndex: true})
	}
	w.Write(n, e.Result.Statements)
}

func (w *RunWriter) loop() {
	defer close(w.done)
	w.old = readIndex(filepath.Join(w.targetDir, "run", compiledIndex))
	made := map[string]bool{}
	var batch []runFile
	for {
		<-w.wake
		w.mu.Lock()
		batch, w.pending = w.pending, batch[:0]
		closed := w.closed
		w.mu.Unlock()
		for _, f := range batch {
			w.writeOne(f, made)
		}
		clear(batch)
		if closed {
			return
		}
	}
}

func (w *RunWriter) writeOne(f runFile, made map[string]bool) {
	if f.node != nil {
		f.path, f.body = RunPath(w.targetDir, f.node), runBody(f.stmts)
	}
	if !f.noIndex {
		h := contentHash(f.body)
		w.next[f.path] = h
		if prev, ok := w.old[f.path]; ok && prev == h {
			return
		}
	}
	dir := filepath.Dir(f.path)
	if !made[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil && w.err == nil {
			w.err = fmt.Errorf("create %s: %w", dir, err)
		}
		made[dir] = true
	}
	if err := writeWhole(f.path, f.body); err != nil && w.err == nil {
		w.err = fmt.Errorf("write %s: %w", f.path, err)
	}
}

// Close waits for queued files and saves the index. Files of nodes not run this
// time keep their earlier index entries.
func (w *RunWriter) Close() error {
	w.mu.Lock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	w.signal()
	<-w.done
	if w.err != nil {
		return w.err
	}
	if !w.changed() {
		return nil
	}
	merged := make(map[string]uint64, len(w.old)+len(w.next))
	for k, v := range w.old {
		merged[k] = v
	}
	for k, v := range w.next {
		merged[k] = v
	}
	return writeIndex(filepath.Join(w.targetDir, "run", compiledIndex), merged)
}

// changed reports whether this run wrote a file the index does not already
// hold with that content: a re-run of unchanged SQL leaves the index as it is.
func (w *RunWriter) changed() bool {
	for k, v := range w.next {
		if old, ok := w.old[k]; !ok || old != v {
			return true
		}
	}
	return false
}

// WriteManifest writes target/manifest.json, compact as dbt writes it (see
// manifestjson.go for why it is not encoded through encoding/json).
func WriteManifest(targetDir string, m *manifest.Manifest) error {
	return WriteManifestWhen(targetDir, m, nil)
}

// ErrNotWritten is WriteManifestWhen's answer when ready said no: nothing
// was written.
var ErrNotWritten = errors.New("manifest.json not written")

// WriteManifestWhen is WriteManifest for a manifest whose parent_map and
// child_map are still being built: the nodes are encoded meanwhile, and
// ready (when not nil) is called before the maps are read. When it returns
// false the file is not written and the error is ErrNotWritten.
func WriteManifestWhen(targetDir string, m *manifest.Manifest, ready func() bool) error {
	m.Metadata.DbtSchemaVersion = ManifestSchema
	path := filepath.Join(targetDir, "manifest.json")
	err := writeFileStream(path, func(w io.Writer) error { return encodeManifestTo(w, m, ready) })
	if errors.Is(err, ErrNotWritten) {
		return ErrNotWritten
	}
	return err
}

// WriteRunResults writes target/run_results.json (or another path for history).
func WriteRunResults(path string, r *result.RunResults) error {
	r.Metadata.DbtSchemaVersion = RunResultsSchema
	if r.Results == nil {
		r.Results = []*result.NodeResult{}
	}
	b, err := encodeRunResults(r)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFile(path, b)
}

// WriteSources writes sources.json (dbt's v3 shape); results is a slice of
// per-source freshness records.
func WriteSources(path string, results any, elapsed float64) error {
	return WriteJSON(path, map[string]any{
		"metadata":     map[string]any{"dbt_schema_version": SourcesSchema, "generated_at": nowRFC3339()},
		"results":      results,
		"elapsed_time": elapsed,
	})
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339Nano) }
