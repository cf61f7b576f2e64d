package project

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/strata-dev/strata/engine/internal/bincode"
)

// The file index: what the last load read from each of the root project's
// files (its text and checksum), under the file's stat identity (size,
// modification and change times in nanoseconds, inode). A file whose
// identity is unchanged is not opened again: one fstatat instead of open,
// two reads, close and a SHA-256, which were a sixth of a warm 10,000-model
// compile's CPU.
//
// Like git's index it guards against "racy" entries: a file changed twice
// within one tick of the filesystem's clock keeps its change time. An entry
// is trusted only when the file's change time is at least indexSlack older
// than the moment the load that wrote the index began; a newer one is read
// again (and trusted once a later load rewrites the index). Properties files
// are always read and parsed.

const (
	indexFileName = ".strata-files"
	indexMagic    = "strata file index 1\n"
)

// indexSlack is how much older than the index a file's change time must be
// for its entry to be trusted (a variable for tests).
var indexSlack = int64(2 * time.Second)

type fileStamp struct{ size, mtime, ctime, ino int64 }

type indexEntry struct {
	stamp    fileStamp
	checksum string
	content  string
}

type fileIndex struct {
	path  string
	began int64 // when this load began
	ready chan struct{}
	// Set when ready is closed: the index as read.
	written int64 // when the load that wrote it began (unix ns)
	old     map[string]indexEntry

	hits, reads atomic.Int64
}

// openFileIndex starts reading the index at path (a missing or damaged one
// is empty); lookups wait for it, so it is decoded while the walk begins.
func openFileIndex(path string) *fileIndex {
	ix := &fileIndex{path: path, began: time.Now().UnixNano(), ready: make(chan struct{})}
	go func() {
		defer close(ix.ready)
		if data, err := os.ReadFile(path); err == nil {
			ix.written, ix.old, _ = decodeFileIndex(data)
		}
	}()
	return ix
}

// lookup returns the remembered text and checksum of a file when its stat
// identity is unchanged and old enough to be trusted. stamp is the file's
// identity now (ok false when it could not be read).
func (ix *fileIndex) lookup(rel string, dirfd int, name string) (e indexEntry, stamp fileStamp, hit, statted bool) {
	stamp, err := statAt(dirfd, name)
	if err != nil {
		return indexEntry{}, stamp, false, false
	}
	<-ix.ready
	old, ok := ix.old[rel]
	if ok && old.stamp == stamp && stamp.ctime < ix.written-indexSlack && stamp.mtime < ix.written-indexSlack {
		ix.hits.Add(1)
		return old, stamp, true, true
	}
	return indexEntry{}, stamp, false, true
}

// record counts a file read this load (its entry travels in the job's
// result, for save).
func (ix *fileIndex) record() { ix.reads.Add(1) }

// save writes the index when this load read any file or a file went away;
// entries are this load's files, hits and reads. A failure only costs the
// next load its reads.
func (ix *fileIndex) save(entries func() map[string]indexEntry) {
	<-ix.ready
	if ix.reads.Load() == 0 && int(ix.hits.Load()) == len(ix.old) {
		return
	}
	data := encodeFileIndex(ix.began, entries())
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(ix.path), indexFileName+".*")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	if os.Rename(f.Name(), ix.path) != nil {
		os.Remove(f.Name())
	}
}

// encodeFileIndex: magic | body | crc32c(body) (engine/internal/bincode).
// body: written (8 bytes), uvarint count, count × (string rel, 4 × varint
// stamp, string checksum, string content).
func encodeFileIndex(written int64, entries map[string]indexEntry) []byte {
	size := len(indexMagic) + 32
	for rel, e := range entries {
		size += len(rel) + len(e.checksum) + len(e.content) + 64
	}
	w := bincode.NewWriter(indexMagic, size)
	w.Uint64(uint64(written))
	w.Uvarint(uint64(len(entries)))
	for rel, e := range entries {
		w.String(rel)
		for _, v := range [4]int64{e.stamp.size, e.stamp.mtime, e.stamp.ctime, e.stamp.ino} {
			w.Varint(v)
		}
		w.String(e.checksum)
		w.String(e.content)
	}
	return w.Finish()
}

// decodeFileIndex reads what encodeFileIndex wrote; the entries' strings
// alias data.
func decodeFileIndex(data []byte) (int64, map[string]indexEntry, error) {
	r, err := bincode.Open(data, indexMagic)
	if err != nil {
		return 0, nil, err
	}
	written := int64(r.Uint64())
	count := r.Count()
	entries := make(map[string]indexEntry, count)
	for range count {
		rel := r.String()
		var e indexEntry
		e.stamp = fileStamp{r.Varint(), r.Varint(), r.Varint(), r.Varint()}
		e.checksum, e.content = r.String(), r.String()
		if r.Err != nil {
			return 0, nil, r.Err
		}
		entries[rel] = e
	}
	if err := r.Done(); err != nil {
		return 0, nil, err
	}
	return written, entries, nil
}
