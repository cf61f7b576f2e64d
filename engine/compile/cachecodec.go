package compile

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"unsafe"

	"github.com/strata-dev/strata/engine/diag"
)

// The partial-parse cache's file format. gob spent ~0.45 s of CPU decoding
// the cache of a 100,000-model project, copying every string, on a path
// every ls, parse and compile takes; this format is read with one read and
// its strings point into that buffer, so decoding is a walk over it.
//
//	magic | body | crc32c(body), 4 bytes little-endian
//	body:  string version, string runKey, uvarint count, count × node
//	node:  string id, string key, string out, string cfg,
//	       strings refs, strings sources, strings macros,
//	       byte flags (1 rerender, 2 usedIncr, 4 dynamic),
//	       uvarint warnings, each: uvarint severity, string summary,
//	       string detail, string file, uvarint line, uvarint col,
//	       string suggestion
//	string: uvarint length, bytes; strings: uvarint count, count × string
//
// The buffer is never written after it is read: strings alias it.

const cacheMagic = "strata partial parse\n"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

var errCacheCorrupt = errors.New("partial-parse cache is corrupt")

func encodeParseCache(c *parseCache) []byte {
	b := make([]byte, 0, 1<<16)
	b = append(b, cacheMagic...)
	start := len(b)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	strs := func(ss []string) {
		b = binary.AppendUvarint(b, uint64(len(ss)))
		for _, s := range ss {
			str(s)
		}
	}
	str(c.Version)
	str(c.RunKey)
	b = binary.AppendUvarint(b, uint64(len(c.Nodes)))
	for i := range c.Nodes {
		n := &c.Nodes[i]
		str(n.ID)
		str(n.Key)
		str(n.Out)
		str(string(n.Cfg))
		strs(n.Refs)
		strs(n.Sources)
		strs(n.Macros)
		var flags byte
		if n.Rerender {
			flags |= 1
		}
		if n.UsedIncr {
			flags |= 2
		}
		if n.Dynamic {
			flags |= 4
		}
		b = append(b, flags)
		b = binary.AppendUvarint(b, uint64(len(n.Warnings)))
		for _, w := range n.Warnings {
			b = binary.AppendUvarint(b, uint64(w.Severity))
			str(w.Summary)
			str(w.Detail)
			str(w.File)
			b = binary.AppendUvarint(b, uint64(w.Line))
			b = binary.AppendUvarint(b, uint64(w.Col))
			str(w.Suggestion)
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], crcTable))
}

// cacheReader walks an encoded cache; the first malformed field sets err
// and every later read returns zero values.
type cacheReader struct {
	b   []byte
	err error
}

func (r *cacheReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCacheCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cacheReader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errCacheCorrupt
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[0], int(n))
	r.b = r.b[n:]
	return s
}

func (r *cacheReader) strs() []string {
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(r.b)) { // every string takes at least a byte
		r.err = errCacheCorrupt
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

// decodeParseCache reads what encodeParseCache wrote. Strings and Cfg alias
// data, which the caller must not change afterwards.
func decodeParseCache(data []byte) (*parseCache, error) {
	if len(data) < len(cacheMagic)+4 || string(data[:len(cacheMagic)]) != cacheMagic {
		return nil, errCacheCorrupt
	}
	body := data[len(cacheMagic) : len(data)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, errCacheCorrupt
	}
	r := &cacheReader{b: body}
	c := &parseCache{Version: r.str()}
	if c.Version != parseCacheVersion {
		return nil, errCacheCorrupt
	}
	c.RunKey = r.str()
	count := r.uvarint()
	if r.err != nil || count > uint64(len(r.b)) {
		return nil, errCacheCorrupt
	}
	c.Nodes = make([]cachedNode, count)
	for i := range c.Nodes {
		n := &c.Nodes[i]
		n.ID, n.Key, n.Out = r.str(), r.str(), r.str()
		if cfg := r.str(); cfg != "" {
			n.Cfg = unsafe.Slice(unsafe.StringData(cfg), len(cfg))
		}
		n.Refs, n.Sources, n.Macros = r.strs(), r.strs(), r.strs()
		if r.err != nil || len(r.b) == 0 {
			return nil, errCacheCorrupt
		}
		flags := r.b[0]
		r.b = r.b[1:]
		n.Rerender, n.UsedIncr, n.Dynamic = flags&1 != 0, flags&2 != 0, flags&4 != 0
		if nw := r.uvarint(); nw > 0 {
			if nw > uint64(len(r.b)) {
				return nil, errCacheCorrupt
			}
			n.Warnings = make([]diag.Diagnostic, nw)
			for j := range n.Warnings {
				w := &n.Warnings[j]
				w.Severity = diag.Severity(r.uvarint())
				w.Summary, w.Detail, w.File = r.str(), r.str(), r.str()
				w.Line, w.Col = int(r.uvarint()), int(r.uvarint())
				w.Suggestion = r.str()
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	if len(r.b) != 0 {
		return nil, errCacheCorrupt
	}
	return c, nil
}
