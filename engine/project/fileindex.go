package project

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
	"unsafe"
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

var indexCRC = crc32.MakeTable(crc32.Castagnoli)

var errIndexCorrupt = errors.New("file index is corrupt")

// encodeFileIndex: magic | body | crc32c(body). body: written (8 bytes),
// uvarint count, count × (string rel, 4 × varint stamp, string checksum,
// string content); string: uvarint length, bytes.
func encodeFileIndex(written int64, entries map[string]indexEntry) []byte {
	size := len(indexMagic) + 32
	for rel, e := range entries {
		size += len(rel) + len(e.checksum) + len(e.content) + 64
	}
	b := make([]byte, 0, size)
	b = append(b, indexMagic...)
	start := len(b)
	b = binary.LittleEndian.AppendUint64(b, uint64(written))
	b = binary.AppendUvarint(b, uint64(len(entries)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for rel, e := range entries {
		str(rel)
		for _, v := range [4]int64{e.stamp.size, e.stamp.mtime, e.stamp.ctime, e.stamp.ino} {
			b = binary.AppendVarint(b, v)
		}
		str(e.checksum)
		str(e.content)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], indexCRC))
}

// decodeFileIndex reads what encodeFileIndex wrote; the entries' strings
// alias data.
func decodeFileIndex(data []byte) (int64, map[string]indexEntry, error) {
	if len(data) < len(indexMagic)+12 || string(data[:len(indexMagic)]) != indexMagic {
		return 0, nil, errIndexCorrupt
	}
	body := data[len(indexMagic) : len(data)-4]
	if crc32.Checksum(body, indexCRC) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return 0, nil, errIndexCorrupt
	}
	written := int64(binary.LittleEndian.Uint64(body))
	b := body[8:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := uv()
		if bad || n > uint64(len(b)) {
			bad = true
			return ""
		}
		if n == 0 {
			return ""
		}
		s := unsafe.String(&b[0], int(n))
		b = b[n:]
		return s
	}
	count := uv()
	if bad || count > uint64(len(b)) {
		return 0, nil, errIndexCorrupt
	}
	entries := make(map[string]indexEntry, count)
	for range count {
		rel := str()
		var e indexEntry
		e.stamp = fileStamp{sv(), sv(), sv(), sv()}
		e.checksum, e.content = str(), str()
		if bad {
			return 0, nil, errIndexCorrupt
		}
		entries[rel] = e
	}
	if len(b) != 0 {
		return 0, nil, errIndexCorrupt
	}
	return written, entries, nil
}
