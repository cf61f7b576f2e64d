package compile

import (
	"unsafe"

	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/internal/bincode"
)

// The partial-parse cache's file format. gob spent ~0.45 s of CPU decoding
// the cache of a 100,000-model project, copying every string, on a path
// every ls, parse and compile takes; this format is read with one read and
// its strings point into that buffer, so decoding is a walk over it.
//
//	magic | body | crc32c(body) (engine/internal/bincode)
//	body:  string version, string runKey, uvarint count, count × node
//	node:  string id, string key, string out, string cfg,
//	       strings refs, strings sources, strings macros,
//	       byte flags (1 rerender, 2 usedIncr, 4 dynamic),
//	       uvarint warnings, each: uvarint severity, string summary,
//	       string detail, string file, uvarint line, uvarint col,
//	       string suggestion
//	string: uvarint length, bytes; strings: uvarint count, count × string

const cacheMagic = "strata partial parse\n"

func encodeParseCache(c *parseCache) []byte {
	// Sized up front: grown by doubling, the buffer of a 10,000-model cache
	// (~14 MB) cost 32 MB of allocations, a tenth of a cold compile's.
	size := 64 + len(c.Version) + len(c.RunKey)
	for i := range c.Nodes {
		n := &c.Nodes[i]
		size += 40 + len(n.ID) + len(n.Key) + len(n.Out) + len(n.Cfg)
		for _, ss := range [...][]string{n.Refs, n.Sources, n.Macros} {
			for _, s := range ss {
				size += 2 + len(s)
			}
		}
		for _, d := range n.Warnings {
			size += 24 + len(d.Summary) + len(d.Detail) + len(d.File) + len(d.Suggestion)
		}
	}
	w := bincode.NewWriter(cacheMagic, size)
	w.String(c.Version)
	w.String(c.RunKey)
	w.Uvarint(uint64(len(c.Nodes)))
	for i := range c.Nodes {
		n := &c.Nodes[i]
		w.String(n.ID)
		w.String(n.Key)
		w.String(n.Out)
		w.String(string(n.Cfg))
		w.Strings(n.Refs)
		w.Strings(n.Sources)
		w.Strings(n.Macros)
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
		w.Byte(flags)
		w.Uvarint(uint64(len(n.Warnings)))
		for _, d := range n.Warnings {
			w.Uvarint(uint64(d.Severity))
			w.String(d.Summary)
			w.String(d.Detail)
			w.String(d.File)
			w.Uvarint(uint64(d.Line))
			w.Uvarint(uint64(d.Col))
			w.String(d.Suggestion)
		}
	}
	return w.Finish()
}

// decodeParseCache reads what encodeParseCache wrote. Strings and Cfg alias
// data, which the caller must not change afterwards.
func decodeParseCache(data []byte) (*parseCache, error) {
	r, err := bincode.Open(data, cacheMagic)
	if err != nil {
		return nil, err
	}
	c := &parseCache{Version: r.String()}
	if c.Version != parseCacheVersion {
		return nil, bincode.ErrCorrupt
	}
	c.RunKey = r.String()
	c.Nodes = make([]cachedNode, r.Count())
	for i := range c.Nodes {
		n := &c.Nodes[i]
		n.ID, n.Key, n.Out = r.String(), r.String(), r.String()
		if cfg := r.String(); cfg != "" {
			n.Cfg = unsafe.Slice(unsafe.StringData(cfg), len(cfg))
		}
		n.Refs, n.Sources, n.Macros = r.Strings(), r.Strings(), r.Strings()
		flags := r.Byte()
		n.Rerender, n.UsedIncr, n.Dynamic = flags&1 != 0, flags&2 != 0, flags&4 != 0
		if nw := r.Count(); nw > 0 {
			n.Warnings = make([]diag.Diagnostic, nw)
			for j := range n.Warnings {
				d := &n.Warnings[j]
				d.Severity = diag.Severity(r.Uvarint())
				d.Summary, d.Detail, d.File = r.String(), r.String(), r.String()
				d.Line, d.Col = int(r.Uvarint()), int(r.Uvarint())
				d.Suggestion = r.String()
			}
		}
		if r.Err != nil {
			return nil, r.Err
		}
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return c, nil
}
