// Package bincode is the small binary format of strata's caches in target/
// (the partial-parse cache, the file index): a magic line, a body of
// uvarint-length strings and varints, and a CRC-32C of the body. A reader's
// strings point into the buffer it reads, so decoding copies nothing; the
// caller must not change that buffer afterwards.
package bincode

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"unsafe"
)

// ErrCorrupt is any malformed, truncated, damaged or foreign input.
var ErrCorrupt = errors.New("corrupt cache file")

var table = crc32.MakeTable(crc32.Castagnoli)

// Writer builds a file: magic first, then the body.
type Writer struct {
	b     []byte
	start int
}

// NewWriter starts a file with magic, with room for about size bytes.
func NewWriter(magic string, size int) *Writer {
	b := make([]byte, 0, max(size, len(magic)+16))
	b = append(b, magic...)
	return &Writer{b: b, start: len(b)}
}

func (w *Writer) Uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *Writer) Varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *Writer) Byte(c byte)      { w.b = append(w.b, c) }
func (w *Writer) Uint64(v uint64)  { w.b = binary.LittleEndian.AppendUint64(w.b, v) }

// String writes a uvarint length and the bytes.
func (w *Writer) String(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

// Strings writes a count and each string.
func (w *Writer) Strings(ss []string) {
	w.Uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.String(s)
	}
}

// Finish appends the body's CRC and returns the file.
func (w *Writer) Finish() []byte {
	return binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b[w.start:], table))
}

// Reader walks a body; the first malformed field sets Err and every later
// read returns zero values.
type Reader struct {
	b   []byte
	Err error
}

// Open checks data's magic and CRC and returns a reader of its body.
func Open(data []byte, magic string) (*Reader, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, ErrCorrupt
	}
	body := data[len(magic) : len(data)-4]
	if crc32.Checksum(body, table) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, ErrCorrupt
	}
	return &Reader{b: body}, nil
}

func (r *Reader) fail() { r.Err = ErrCorrupt }

// Done reports an error unless the whole body was read without one.
func (r *Reader) Done() error {
	if r.Err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.Err
}

// Left is how many bytes are unread: a bound for counts (every element
// takes at least one byte).
func (r *Reader) Left() int { return len(r.b) }

func (r *Reader) Uvarint() uint64 {
	if r.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *Reader) Varint() int64 {
	if r.Err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *Reader) Byte() byte {
	if r.Err != nil || len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *Reader) Uint64() uint64 {
	if r.Err != nil || len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// Count reads an element count, failing when more elements are claimed than
// bytes are left.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

// String reads a string that points into the buffer.
func (r *Reader) String() string {
	n := r.Uvarint()
	if r.Err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[0], int(n))
	r.b = r.b[n:]
	return s
}

// Strings reads what Strings wrote; nil for none.
func (r *Reader) Strings() []string {
	n := r.Count()
	if r.Err != nil || n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.String()
	}
	return out
}
