package artifact

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/strata-dev/strata/engine/graph"
	"github.com/strata-dev/strata/engine/manifest"
)

// The manifest is written by hand rather than through encoding/json: it is tens
// of MB for a large project, and reflection, map sorting through reflect.Value
// and buffer regrowth made it the largest sequential cost of a compile. The
// output is byte-for-byte what encoding/json produces for the tagged structs
// (compact, no HTML escaping, keys of maps sorted, the dbt field order);
// manifestjson_test.go checks that against encoding/json on fully populated
// values, so a field added to manifest.Node without being added here fails.
// Values of type any (meta, unrendered config, test kwargs) still go through
// encoding/json unless they are one of the common plain shapes.

// encodeManifest returns manifest.json's content in one piece (tests).
func encodeManifest(m *manifest.Manifest) ([][]byte, error) {
	var buf bytes.Buffer
	if err := encodeManifestTo(&buf, m, nil); err != nil {
		return nil, err
	}
	return [][]byte{buf.Bytes()}, nil
}

// encodeManifestTo writes manifest.json's content to out. Nodes, nearly all
// of the bytes, are encoded in chunks by a few goroutines and written in
// order as they are done, so only a few chunks are held at once however large
// the project; the rest is encoded meanwhile. It fails on a value
// encoding/json rejects too, or when out does.
func encodeManifestTo(out io.Writer, m *manifest.Manifest, ready func() bool) error {
	tail := &jsonWriter{b: make([]byte, 0, 64<<10)}
	var wg sync.WaitGroup
	wg.Go(func() {
		tail.raw(`,"sources":`)
		tail.nodeMap(m.Sources)
		tail.raw(`,"macros":`)
		writeMap(tail, m.Macros, (*jsonWriter).macro)
		tail.raw(`,"docs":`)
		writeMap(tail, m.Docs, (*jsonWriter).doc)
		if ready != nil && !ready() {
			tail.err = ErrNotWritten
			return
		}
		// The rest is mostly parent_map and child_map: sized up front, since
		// growing by doubling allocated about twice their size again.
		if m.ParentMap == nil && m.Graph != nil {
			// Straight from the graph: its ids are sorted, as the maps' keys
			// would be, and so are each vertex's parents and children.
			tail.b = slices.Grow(tail.b, 2*graphMapSize(m.Graph))
			tail.raw(`,"parent_map":`)
			tail.graphMap(m.Graph, m.Graph.ParentIndexes)
			tail.raw(`,"child_map":`)
			tail.graphMap(m.Graph, m.Graph.ChildIndexes)
		} else {
			tail.b = slices.Grow(tail.b, mapSize(m.ParentMap)+mapSize(m.ChildMap))
			tail.raw(`,"parent_map":`)
			writeMap(tail, m.ParentMap, (*jsonWriter).strings)
			tail.raw(`,"child_map":`)
			writeMap(tail, m.ChildMap, (*jsonWriter).strings)
		}
		tail.raw(`,"exposures":`)
		tail.fallback(exposureViews(m))
		tail.raw(`,"groups":`)
		tail.fallback(orEmptyGroups(m.Groups))
		tail.raw(`,"group_map":`)
		tail.fallback(groupMap(m))
		tail.raw(`,"unit_tests":`)
		tail.fallback(unitTestViews(m))
		// Keys dbt readers expect to find even when strata has no such resources,
		// so tools that index them do not fail.
		tail.raw(`,"metrics":{},"selectors":{},"disabled":{},"semantic_models":{},"saved_queries":{}}` + "\n")
	})

	head := &jsonWriter{}
	head.raw(`{"metadata":`)
	head.metadata(&m.Metadata)
	head.raw(`,"nodes":`)
	if m.Nodes == nil {
		head.raw("null")
	}
	err := head.err
	if err == nil {
		_, err = out.Write(head.b)
	}
	if err == nil && m.Nodes != nil {
		err = streamNodes(out, m.Nodes)
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if tail.err != nil {
		return tail.err
	}
	_, err = out.Write(tail.b)
	return err
}

// nodeChunk is how many nodes one goroutine encodes at a time: a few hundred
// KB of JSON, large enough to amortize the hand-off, small enough that the
// chunks in flight stay a few MB.
const nodeChunk = 64

// streamNodes writes a map of nodes as a JSON object, in key order. Workers
// take chunks in turn and encode them; this goroutine writes each chunk as
// soon as it and every chunk before it are done. A worker may run at most
// `ahead` chunks in front of the writer.
func streamNodes(out io.Writer, nodes map[string]*manifest.Node) error {
	keys := sortedKeys(nodes)
	n := (len(keys) + nodeChunk - 1) / nodeChunk
	workers := min(runtime.GOMAXPROCS(0), n)
	if len(keys) < 1000 {
		workers = 1
	}
	type chunk struct {
		b   []byte
		err error
	}
	done := make([]chan chunk, n)
	for i := range done {
		done[i] = make(chan chunk, 1)
	}
	ahead := make(chan struct{}, 2*max(workers, 1))
	free := make(chan []byte, cap(ahead)+1)
	var next atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case ahead <- struct{}{}:
				case <-stop:
					return
				}
				c := int(next.Add(1)) - 1
				if c >= n {
					<-ahead
					return
				}
				w := &jsonWriter{}
				select {
				case w.b = <-free:
				default:
					// A model is typically 2-3 KB of JSON.
					w.b = make([]byte, 0, nodeChunk*3072)
				}
				lo, hi := c*nodeChunk, min((c+1)*nodeChunk, len(keys))
				for i := lo; i < hi; i++ {
					if i > 0 {
						w.raw(",")
					}
					w.str(keys[i])
					w.raw(":")
					w.node(nodes[keys[i]])
				}
				done[c] <- chunk{w.b, w.err}
			}
		})
	}
	_, err := out.Write([]byte("{"))
	for c := 0; c < n && err == nil; c++ {
		ch := <-done[c]
		err = ch.err
		if err == nil {
			_, err = out.Write(ch.b)
		}
		select {
		case free <- ch.b[:0]:
		default:
		}
		<-ahead
	}
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	_, err = out.Write([]byte("}"))
	return err
}

// mapSize is about the JSON size of a map of string lists (no escapes).
func mapSize(m map[string][]string) int {
	n := 2
	for k, vs := range m {
		n += len(k) + 6
		for _, v := range vs {
			n += len(v) + 3
		}
	}
	return n
}

// graphMapSize is about the size of one of a graph's maps in JSON.
func graphMapSize(d *graph.DAG) int {
	ids := d.IDs()
	n := 2
	for i, id := range ids {
		n += len(id) + 6
		for _, j := range d.ParentIndexes(i) {
			n += len(ids[j]) + 3
		}
	}
	return n
}

// graphMap writes {"id": [neighbour ids], ...} for every vertex of d, with
// neighbours(i) the positions of vertex i's parents or children.
func (w *jsonWriter) graphMap(d *graph.DAG, neighbours func(int) []int32) {
	ids := d.IDs()
	w.b = append(w.b, '{')
	for i, id := range ids {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(id)
		w.b = append(w.b, ':', '[')
		for k, j := range neighbours(i) {
			if k > 0 {
				w.b = append(w.b, ',')
			}
			w.str(ids[j])
		}
		w.b = append(w.b, ']')
	}
	w.b = append(w.b, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeMap writes m as an object with sorted keys, null when m is nil.
func writeMap[V any](w *jsonWriter, m map[string]V, value func(*jsonWriter, V)) {
	if m == nil {
		w.raw("null")
		return
	}
	if len(m) <= 1 {
		// Most config and meta maps are empty or hold one key: no sort needed.
		w.raw("{")
		for k, v := range m {
			w.str(k)
			w.raw(":")
			value(w, v)
		}
		w.raw("}")
		return
	}
	w.raw("{")
	for i, k := range sortedKeys(m) {
		if i > 0 {
			w.raw(",")
		}
		w.str(k)
		w.raw(":")
		value(w, m[k])
	}
	w.raw("}")
}

// jsonWriter appends compact JSON to b.
type jsonWriter struct {
	b []byte
	// err is the first value the fallback encoder rejected.
	err error
	// scratch is the fallback encoder's buffer for values of unusual types.
	scratch *bytes.Buffer
	enc     *json.Encoder
}

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

// key writes ,"name": (or "name": first, when first is set).
func (w *jsonWriter) key(name string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *jsonWriter) int(v int) { w.b = strconv.AppendInt(w.b, int64(v), 10) }

func (w *jsonWriter) strings(v []string) {
	if v == nil {
		w.raw("null")
		return
	}
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(s)
	}
	w.b = append(w.b, ']')
}

const hexDigits = "0123456789abcdef"

// special8 flags (0x80 in its byte) each byte of x that may need escaping
// or decoding: a control byte, '"', '\\' or a byte >= 0x80. Bytes above a
// flagged one may be flagged wrongly (borrows); the lowest flag is exact.
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	hasLess := (x - lo*0x20) & ^x & hi
	hasQuote := (x ^ lo*'"' - lo) & ^(x ^ lo*'"') & hi
	hasBackslash := (x ^ lo*'\\' - lo) & ^(x ^ lo*'\\') & hi
	return (x & hi) | hasLess | hasQuote | hasBackslash
}

// loadUnaligned8 reads s[i:i+8] as a little-endian word (one load once
// compiled); the caller guarantees i+8 <= len(s).
func loadUnaligned8(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// str writes s quoted exactly as encoding/json does with HTML escaping off:
// invalid UTF-8 becomes U+FFFD and U+2028/U+2029 are escaped for JavaScript.
func (w *jsonWriter) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time: most of a manifest is SQL and names with
		// nothing to escape. The lowest flagged byte of a block is exactly
		// the first that needs a look, so the scan jumps straight to it.
		for i+8 <= len(s) {
			if m := special8(loadUnaligned8(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

// any writes a value of a map[string]any field. Plain shapes are written
// directly; anything else goes through encoding/json.
func (w *jsonWriter) any(v any) {
	switch v := v.(type) {
	case nil:
		w.raw("null")
	case string:
		w.str(v)
	case bool:
		w.bool(v)
	case int:
		w.int(v)
	case []string:
		w.strings(v)
	case []any:
		if v == nil {
			w.raw("null")
			return
		}
		w.b = append(w.b, '[')
		for i, e := range v {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.any(e)
		}
		w.b = append(w.b, ']')
	case map[string]any:
		w.anyMap(v)
	default:
		w.fallback(v)
	}
}

func (w *jsonWriter) anyMap(m map[string]any) {
	writeMap(w, m, (*jsonWriter).any)
}

func (w *jsonWriter) fallback(v any) {
	if w.enc == nil {
		w.scratch = &bytes.Buffer{}
		w.enc = json.NewEncoder(w.scratch)
		w.enc.SetEscapeHTML(false)
	}
	w.scratch.Reset()
	if err := w.enc.Encode(v); err != nil {
		if w.err == nil {
			w.err = err
		}
		w.raw("null")
		return
	}
	w.b = append(w.b, bytes.TrimSuffix(w.scratch.Bytes(), []byte("\n"))...)
}

func (w *jsonWriter) metadata(md *manifest.Metadata) {
	w.raw("{")
	w.key("dbt_schema_version", true)
	w.str(md.DbtSchemaVersion)
	w.key("strata_version", false)
	w.str(md.StrataVersion)
	w.key("generated_at", false)
	w.str(md.GeneratedAt)
	w.key("invocation_id", false)
	w.str(md.InvocationID)
	w.key("project_name", false)
	w.str(md.ProjectName)
	w.key("adapter_type", false)
	w.str(md.AdapterType)
	w.raw("}")
}

func (w *jsonWriter) nodeMap(m map[string]*manifest.Node) {
	writeMap(w, m, (*jsonWriter).node)
}

// optStr writes ,"name":"v" unless v is empty (omitempty).
func (w *jsonWriter) optStr(name, v string) {
	if v != "" {
		w.key(name, false)
		w.str(v)
	}
}

func (w *jsonWriter) optBoolPtr(name string, v *bool) {
	if v != nil {
		w.key(name, false)
		w.bool(*v)
	}
}

func (w *jsonWriter) node(n *manifest.Node) {
	if n == nil {
		w.raw("null")
		return
	}
	w.raw("{")
	w.key("unique_id", true)
	w.str(n.UniqueID)
	w.key("resource_type", false)
	w.str(string(n.ResourceType))
	w.key("name", false)
	w.str(n.Name)
	w.key("package_name", false)
	w.str(n.PackageName)
	w.key("path", false)
	w.str(n.Path)
	w.key("original_file_path", false)
	w.str(n.OriginalFilePath)
	w.key("fqn", false)
	w.strings(n.FQN)
	w.optStr("language", n.Language)
	w.key("raw_code", false)
	w.str(n.RawCode)
	w.optStr("compiled_code", n.CompiledCode)
	w.key("compiled", false)
	w.bool(n.Compiled)
	w.key("checksum", false)
	w.checksum(&n.Checksum)
	w.key("config", false)
	w.config(&n.Config)
	if len(n.UnrenderedConfig) > 0 {
		w.key("unrendered_config", false)
		w.anyMap(n.UnrenderedConfig)
	}
	w.key("tags", false)
	w.strings(n.Tags)
	w.key("description", false)
	w.str(n.Description)
	w.key("columns", false)
	writeMap(w, n.Columns, (*jsonWriter).column)
	if len(n.Meta) > 0 {
		w.key("meta", false)
		w.anyMap(n.Meta)
	}
	w.optStr("patch_path", n.PatchPath)
	w.raw(`,"depends_on":{"macros":`)
	w.strings(n.DependsOn.Macros)
	w.key("nodes", false)
	w.strings(n.DependsOn.Nodes)
	w.raw("}")
	w.key("refs", false)
	w.refs(n.Refs)
	w.key("sources", false)
	if n.Sources == nil {
		w.raw("null")
	} else {
		w.raw("[")
		for i, s := range n.Sources {
			if i > 0 {
				w.raw(",")
			}
			w.strings(s)
		}
		w.raw("]")
	}
	w.optStr("database", n.Database)
	w.optStr("schema", n.Schema)
	w.optStr("alias", n.Alias)
	w.optStr("relation_name", n.RelationName)
	if tm := n.TestMetadata; tm != nil {
		w.key("test_metadata", false)
		w.raw("{")
		w.key("name", true)
		w.str(tm.Name)
		w.key("kwargs", false)
		w.anyMap(tm.Kwargs)
		w.optStr("namespace", tm.Namespace)
		w.raw("}")
	}
	w.optStr("column_name", n.ColumnName)
	w.optStr("attached_node", n.AttachedNode)
	w.optStr("source_name", n.SourceName)
	w.optStr("source_description", n.SourceDescription)
	w.optStr("identifier", n.Identifier)
	w.optStr("loaded_at_field", n.LoadedAtField)
	if f := n.Freshness; f != nil {
		w.key("freshness", false)
		w.raw("{")
		first := true
		for _, p := range []struct {
			name string
			v    *manifest.Period
		}{{"warn_after", f.WarnAfter}, {"error_after", f.ErrorAfter}} {
			if p.v == nil {
				continue
			}
			w.key(p.name, first)
			first = false
			w.raw("{")
			w.key("count", true)
			w.int(p.v.Count)
			w.key("period", false)
			w.str(p.v.Period)
			w.raw("}")
		}
		if f.Filter != "" {
			w.key("filter", first)
			w.str(f.Filter)
		}
		w.raw("}")
	}
	w.optVersion("version", n.Version)
	w.optVersion("latest_version", n.LatestVersion)
	w.optStr("deprecation_date", n.DeprecationDate)
	w.optStr("access", n.Access)
	w.optStr("group", n.Group)
	if c := n.Contract; c != nil {
		w.raw(`,"contract":{"enforced":`)
		w.bool(c.Enforced)
		w.raw(`,"alias_types":`)
		w.bool(c.AliasTypes)
		w.raw("}")
	}
	if len(n.Constraints) > 0 {
		w.key("constraints", false)
		w.constraints(n.Constraints)
	}
	w.raw("}")
}

// optVersion writes ,"name":v unless v is empty: a number when it is one.
func (w *jsonWriter) optVersion(name string, v manifest.VersionID) {
	if v == "" {
		return
	}
	w.key(name, false)
	if v.Numeric() {
		w.raw(string(v))
		return
	}
	w.str(string(v))
}

func (w *jsonWriter) constraints(cs []manifest.Constraint) {
	w.raw("[")
	for i, c := range cs {
		if i > 0 {
			w.raw(",")
		}
		w.raw("{")
		w.key("type", true)
		w.str(c.Type)
		w.optStr("name", c.Name)
		w.optStr("expression", c.Expression)
		if len(c.Columns) > 0 {
			w.key("columns", false)
			w.strings(c.Columns)
		}
		w.optStr("to", c.To)
		if len(c.ToColumns) > 0 {
			w.key("to_columns", false)
			w.strings(c.ToColumns)
		}
		w.key("warn_unenforced", false)
		w.bool(c.WarnUnenforced)
		w.key("warn_unsupported", false)
		w.bool(c.WarnUnsupported)
		w.raw("}")
	}
	w.raw("]")
}

func (w *jsonWriter) checksum(c *manifest.Checksum) {
	w.raw("{")
	w.key("name", true)
	w.str(c.Name)
	w.key("checksum", false)
	w.str(c.Checksum)
	w.raw("}")
}

func (w *jsonWriter) refs(refs []manifest.RefCall) {
	if refs == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i, r := range refs {
		if i > 0 {
			w.raw(",")
		}
		w.raw("{")
		if r.Package != "" {
			w.key("package", true)
			w.str(r.Package)
			w.key("name", false)
		} else {
			w.key("name", true)
		}
		w.str(r.Name)
		w.raw("}")
	}
	w.raw("]")
}

func (w *jsonWriter) column(c *manifest.Column) {
	if c == nil {
		w.raw("null")
		return
	}
	w.raw("{")
	w.key("name", true)
	w.str(c.Name)
	w.key("description", false)
	w.str(c.Description)
	w.optStr("data_type", c.DataType)
	w.key("meta", false)
	w.anyMap(c.Meta)
	w.key("tags", false)
	w.strings(c.Tags)
	if len(c.Constraints) > 0 {
		w.key("constraints", false)
		w.constraints(c.Constraints)
	}
	w.raw("}")
}

func (w *jsonWriter) config(c *manifest.Config) {
	w.raw("{")
	w.key("enabled", true)
	w.bool(c.Enabled)
	w.key("materialized", false)
	w.str(c.Materialized)
	w.optStr("database", c.Database)
	w.optStr("schema", c.Schema)
	w.optStr("alias", c.Alias)
	w.key("tags", false)
	w.strings(c.Tags)
	w.key("meta", false)
	w.anyMap(c.Meta)
	if len(c.PersistDocs) > 0 {
		w.key("persist_docs", false)
		w.anyMap(c.PersistDocs)
	}
	w.optBoolPtr("full_refresh", c.FullRefresh)
	w.key("pre-hook", false)
	w.strings(c.PreHook)
	w.key("post-hook", false)
	w.strings(c.PostHook)
	if len(c.UniqueKey) > 0 {
		w.key("unique_key", false)
		w.strings(c.UniqueKey)
	}
	w.optStr("incremental_strategy", c.IncrementalStrategy)
	w.optStr("on_schema_change", c.OnSchemaChange)
	w.optBoolPtr("transient", c.Transient)
	if len(c.ColumnTypes) > 0 {
		w.key("column_types", false)
		writeMap(w, c.ColumnTypes, (*jsonWriter).str)
	}
	w.optBoolPtr("quote_columns", c.QuoteColumns)
	w.optStr("delimiter", c.Delimiter)
	w.optStr("severity", c.Severity)
	w.optStr("warn_if", c.WarnIf)
	w.optStr("error_if", c.ErrorIf)
	w.optStr("fail_calc", c.FailCalc)
	w.optStr("where", c.Where)
	if c.Limit != nil {
		w.key("limit", false)
		w.int(*c.Limit)
	}
	if c.StoreFailures {
		w.key("store_failures", false)
		w.bool(true)
	}
	w.optStr("strategy", c.Strategy)
	w.optStr("updated_at", c.UpdatedAt)
	if len(c.CheckCols) > 0 {
		w.key("check_cols", false)
		w.strings(c.CheckCols)
	}
	w.optStr("hard_deletes", c.HardDeletes)
	w.optStr("target_schema", c.TargetSchema)
	w.optStr("target_database", c.TargetDatabase)
	w.optStr("group", c.Group)
	w.optStr("access", c.Access)
	if ct := c.Contract; ct != nil {
		w.raw(`,"contract":{"enforced":`)
		w.bool(ct.Enforced)
		w.raw(`,"alias_types":`)
		w.bool(ct.AliasTypes)
		w.raw("}")
	}
	w.raw("}")
}

func (w *jsonWriter) macro(m *manifest.Macro) {
	if m == nil {
		w.raw("null")
		return
	}
	w.raw("{")
	w.key("unique_id", true)
	w.str(m.UniqueID)
	w.key("name", false)
	w.str(m.Name)
	w.key("package_name", false)
	w.str(m.PackageName)
	w.key("original_file_path", false)
	w.str(m.OriginalFilePath)
	w.key("path", false)
	w.str(m.Path)
	w.key("macro_sql", false)
	w.str(m.MacroSQL)
	w.raw(`,"depends_on":{"macros":`)
	w.strings(m.DependsOn.Macros)
	w.raw("}}")
}

func (w *jsonWriter) doc(d *manifest.Doc) {
	if d == nil {
		w.raw("null")
		return
	}
	w.raw("{")
	w.key("unique_id", true)
	w.str(d.UniqueID)
	w.key("name", false)
	w.str(d.Name)
	w.key("package_name", false)
	w.str(d.PackageName)
	w.key("original_file_path", false)
	w.str(d.OriginalFilePath)
	w.key("block_contents", false)
	w.str(d.BlockContents)
	w.raw("}")
}
