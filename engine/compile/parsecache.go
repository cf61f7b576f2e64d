package compile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/strata-dev/strata/engine/diag"
)

// Partial parsing, as dbt does it: the parse pass's findings for each node
// (its output with relation markers, config() calls, refs, sources, macros,
// warnings) are kept in target/ and reused while nothing they depend on
// changed, so a warm compile renders only what changed.
//
// What a parse render sees is: the node's own text and folder/properties
// config (the node's key), and — the same for every node — the macros,
// sources, docs, vars, project files and target (the run's key). A node
// whose template, or a macro it calls, reads something that changes between
// runs (run_started_at, invocation_id, env_var, flags, modules, graph, …) is
// never cached. Refs render as markers, so other nodes' configs do not enter
// a node's output.

// parseCacheFile is the cache's name under the target folder.
const parseCacheFile = ".strata-partial-parse"

// buildIdentity names the strata build that wrote a cache: a cache from
// another build (an upgrade, a rebuild during development) is not read, since
// its renders came from other code. The executable's size and modification
// time stand for it, with the VCS revision when the build recorded one.
var buildIdentity = sync.OnceValue(func() string {
	id := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				id += s.Value + " "
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf("%d %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return id
})

// parseCacheVersion changes whenever what the cache holds changes meaning.
const parseCacheVersion = "strata-partial-parse-3"

// volatileNames are names whose value changes between runs.
var volatileNames = []string{"run_started_at", "invocation_id", "env_var", "flags", "modules", "graph",
	"selected_resources", "thread_id", "invocation_args_dict", "dbt_metadata_envs"}

// volatile reports whether a template's text names one of volatileNames as
// a whole word (a plain substring search first: this runs on every node).
func volatile(text string) bool {
	for _, name := range volatileNames {
		for off := 0; ; {
			i := strings.Index(text[off:], name)
			if i < 0 {
				break
			}
			i += off
			end := i + len(name)
			if (i == 0 || !isIdent(text[i-1])) && (end == len(text) || !isIdent(text[end])) {
				return true
			}
			off = end
		}
	}
	return false
}

// zeroByte separates the pieces of a node's key.
var zeroByte = [1]byte{0}

type cachedNode struct {
	ID, Key                     string
	Out                         string // markers name unique_ids: "\x00model.p.x\x00"
	Cfg                         []byte // config() calls, JSON
	Refs, Sources, Macros       []string
	Rerender, UsedIncr, Dynamic bool
	Warnings                    []diag.Diagnostic
}

type parseCache struct {
	Version, RunKey string
	Nodes           []cachedNode
	byID            map[string]*cachedNode // not stored: built on reading
}

// cacheState is one Parse's use of the cache.
type cacheState struct {
	path    string
	runKey  string
	entries map[string]*cachedNode
	hits    int
	// cfgMemo holds each distinct cached config() encoding decoded once.
	cfgMemo sync.Map
}

// openParseCache loads the cache of dir when it was written for the same
// run key; nil means no cache (disabled, missing or stale).
func (p *Program) openParseCache() *cacheState {
	if p.o.CacheDir == "" {
		return nil
	}
	cs := &cacheState{path: filepath.Join(p.o.CacheDir, parseCacheFile), runKey: p.runKey(), entries: map[string]*cachedNode{}}
	// Load started reading it (CacheDir is set); decodeParseCache rejected
	// another version's file.
	c := <-p.cacheRead
	if c == nil || c.RunKey != cs.runKey {
		return cs
	}
	cs.entries = c.byID
	return cs
}

// readParseCache decodes the cache file at path; nil when it is missing or
// unreadable. Load starts it at once, beside reading macros and collecting
// nodes, since it needs nothing from them.
func readParseCache(path string) *parseCache {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	c, err := decodeParseCache(data)
	if err != nil {
		return nil
	}
	c.byID = make(map[string]*cachedNode, len(c.Nodes))
	for i := range c.Nodes {
		c.byID[c.Nodes[i].ID] = &c.Nodes[i]
	}
	return c
}

// runKey hashes what every node's parse render may see besides its own text
// and config.
func (p *Program) runKey() string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, s := range parts {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	w(parseCacheVersion, buildIdentity(), DBTVersion, p.dialectType(), p.o.Target.Name, p.o.Target.Type, p.o.Target.Schema, p.o.Target.Database, p.o.Target.Profile)
	w(canonical(p.o.Target.Fields), canonical(p.o.Vars))
	for _, k := range p.pkgOrder {
		w("package", k.name, k.prefix)
		if k.proj != nil {
			w(canonical(k.proj.Config))
		}
		// ref('m') of a versioned model resolves to its latest version.
		latest := make([]string, 0, len(k.latest))
		for n, v := range k.latest {
			latest = append(latest, n+"="+v)
		}
		sort.Strings(latest)
		w(latest...)
		names := make([]string, 0, len(k.macros))
		for n := range k.macros {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			w(n, k.macros[n].sql)
		}
		docs := make([]string, 0, len(k.docs))
		for n := range k.docs {
			docs = append(docs, n)
		}
		sort.Strings(docs)
		for _, n := range docs {
			w(n, k.docs[n])
		}
	}
	ids := make([]string, 0, len(p.sources))
	for id := range p.sources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		w(id, p.sources[id].RelationName)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonical is v as JSON with sorted keys (encoding/json sorts map keys).
func canonical(v any) string {
	if b, ok := appendCanonical(nil, v); ok {
		return string(b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// appendCanonical appends a canonical form of the plain shapes YAML and
// config() give (nil, bool, string, numbers, lists, string-keyed maps, keys
// sorted) without reflection; ok is false for any other type, which
// canonical then hands to encoding/json. The form is only ever compared with
// itself, so it need not be JSON.
func appendCanonical(b []byte, v any) ([]byte, bool) {
	switch t := v.(type) {
	case nil:
		return append(b, 'N'), true
	case bool:
		if t {
			return append(b, 'T'), true
		}
		return append(b, 'F'), true
	case string:
		return strconv.AppendQuote(append(b, 's'), t), true
	case int:
		return strconv.AppendInt(append(b, 'i'), int64(t), 10), true
	case int64:
		return strconv.AppendInt(append(b, 'i'), t, 10), true
	case float64:
		return strconv.AppendFloat(append(b, 'f'), t, 'g', -1, 64), true
	case []any:
		b = append(b, '[')
		for _, x := range t {
			var ok bool
			if b, ok = appendCanonical(b, x); !ok {
				return b, false
			}
			b = append(b, ',')
		}
		return append(b, ']'), true
	case []string:
		b = append(b, '[')
		for _, x := range t {
			b = strconv.AppendQuote(append(b, 's'), x)
			b = append(b, ',')
		}
		return append(b, ']'), true
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for _, k := range keys {
			b = strconv.AppendQuote(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = appendCanonical(b, t[k]); !ok {
				return b, false
			}
			b = append(b, ',')
		}
		return append(b, '}'), true
	}
	return b, false
}

// nodeKey hashes what one node's parse render sees of its own.
func (p *Program) nodeKey(u *unit) string {
	h := sha256.New()
	// Written piece by piece and without converting to []byte (sha256 has
	// no WriteString, so io.WriteString copied every template once more).
	w := func(parts ...string) {
		for _, s := range parts {
			h.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
			h.Write(zeroByte[:])
		}
	}
	w(u.node.UniqueID, strconv.Itoa(int(u.kind)), u.file)
	if u.sum != "" && u.text == u.node.RawCode {
		// The file's checksum stands for its text: hashing 100,000 models'
		// text again cost a twentieth of a warm ls.
		w("\x00sha256:", u.sum)
	} else {
		w(u.text)
	}
	w(p.canonicalCfg(u.baseCfg))
	if g := u.generic; g != nil {
		w(g.name, g.namespace, g.column, canonical(g.args), strconv.Itoa(g.line))
		if g.source != nil {
			w(g.source.UniqueID)
		} else if g.attached >= 0 {
			w(p.units[g.attached].node.UniqueID)
		}
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// canonicalCfg is canonical of a unit's base config, worked out once per
// map: nodes without properties share their folder's map.
func (p *Program) canonicalCfg(m map[string]any) string {
	key := reflect.ValueOf(m).UnsafePointer()
	if s, ok := p.canonCfg.Load(key); ok {
		return s.(string)
	}
	s := canonical(m)
	p.canonCfg.Store(key, s)
	return s
}

// lookup returns a node's cached findings, with markers and refs mapped to
// this run's units; ok is false on a miss.
func (cs *cacheState) lookup(p *Program, u *unit, key string, keepOut bool) (parseOut, bool) {
	e, ok := cs.entries[u.node.UniqueID]
	if !ok || e.Key != key {
		return parseOut{}, false
	}
	po := parseOut{sources: e.Sources, rerender: e.Rerender, usedIncr: e.UsedIncr, dynamic: e.Dynamic, warnings: e.Warnings}
	for _, id := range e.Refs {
		i, ok := p.unitIndex(id)
		if !ok {
			return parseOut{}, false
		}
		po.refs = append(po.refs, i)
	}
	if keepOut {
		// The cached text keeps its markers as unique_ids: substitute reads
		// both forms, so the text is used as stored (ParseOnly drops it).
		po.out = e.Out
	}
	if len(e.Cfg) > 0 {
		cfg, err := cs.decodeCfg(e.Cfg)
		if err != nil {
			return parseOut{}, false
		}
		po.cfg = cfg
	}
	po.macros = e.Macros // stored sorted
	return po, true
}

// mapMarkers rewrites every relation marker of s through f.
func mapMarkers(s string, f func(string) (string, bool)) (string, bool) {
	i := strings.IndexByte(s, 0)
	if i < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for i >= 0 {
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i+1:], 0)
		if end < 0 {
			return "", false
		}
		to, ok := f(s[i+1 : i+1+end])
		if !ok {
			return "", false
		}
		b.WriteByte(0)
		b.WriteString(to)
		b.WriteByte(0)
		s = s[i+1+end+1:]
		i = strings.IndexByte(s, 0)
	}
	b.WriteString(s)
	return b.String(), true
}

// unitIndex finds a unit by unique_id.
func (p *Program) unitIndex(id string) (int, bool) {
	i, ok := p.byID[id]
	return i, ok
}

// cacheable reports whether a parse render's findings may be reused: no
// error, and nothing read that changes between runs.
func (p *Program) cacheable(u *unit, po *parseOut) bool {
	if po.err != nil || volatile(u.text) {
		return false
	}
	for _, id := range po.macros {
		if p.volatileMacro[id] {
			return false
		}
	}
	return true
}

// save writes the findings of this parse's cacheable nodes.
func (cs *cacheState) save(p *Program, r *Parsed, keys []string, fromCache []bool) error {
	c := parseCache{Version: parseCacheVersion, RunKey: cs.runKey}
	for i, u := range p.units {
		if fromCache[i] {
			// Found under the same key: its entry stands as it was (and
			// ParseOnly did not even map its text).
			if old := cs.entries[u.node.UniqueID]; old != nil {
				c.Nodes = append(c.Nodes, *old)
				continue
			}
		}
		po := &r.parse[i]
		if u.kind == kindSeed || keys[i] == "" || !p.cacheable(u, po) {
			continue
		}
		e := cachedNode{ID: u.node.UniqueID, Key: keys[i], Sources: po.sources, Rerender: po.rerender, UsedIncr: po.usedIncr, Dynamic: po.dynamic, Warnings: po.warnings}
		ok := true
		e.Out, ok = mapMarkers(po.out, func(idx string) (string, bool) {
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 || n >= len(p.units) {
				return "", false
			}
			return p.units[n].node.UniqueID, true
		})
		if !ok {
			continue
		}
		for _, ref := range po.refs {
			e.Refs = append(e.Refs, p.units[ref].node.UniqueID)
		}
		e.Macros = po.macros
		if po.cfg != nil {
			b, err := json.Marshal(typedNumbers(po.cfg))
			if err != nil {
				continue
			}
			e.Cfg = b
		}
		c.Nodes = append(c.Nodes, e)
	}
	data := encodeParseCache(&c)
	if err := os.MkdirAll(filepath.Dir(cs.path), 0o755); err != nil {
		return err
	}
	// A file of its own, renamed into place: two commands writing at once
	// leave one whole cache, never a mixed one.
	f, err := os.CreateTemp(filepath.Dir(cs.path), parseCacheFile+".*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), cs.path)
}

// typedNumbers keeps a float a float through JSON: an integral float64 is
// written as 5.0, so decodeCfg reads it back as a float, not an int.
func typedNumbers(v any) any {
	switch t := v.(type) {
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnN") {
			s += ".0"
		}
		if strings.ContainsAny(s, "nN") { // NaN, Inf: not JSON
			return s
		}
		return json.Number(s)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = typedNumbers(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = typedNumbers(x)
		}
		return out
	}
	return v
}

// decodeCfg decodes a cached config() call's arguments. Most nodes of a
// project pass the same few configs, so each distinct encoding is decoded
// once and every node gets its own deep copy (passes merge into copies, but
// a node's config must never alias another's).
func (cs *cacheState) decodeCfg(b []byte) (map[string]any, error) {
	if v, ok := cs.cfgMemo.Load(string(b)); ok {
		return deepCopyMap(v.(map[string]any)), nil
	}
	m, err := decodeCfg(b)
	if err != nil {
		return nil, err
	}
	cs.cfgMemo.Store(string(b), deepCopyMap(m))
	return m, nil
}

func deepCopyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopyValue(x)
		}
		return out
	}
	return v
}

// decodeCfg reads a config map written through typedNumbers: ints as int64,
// floats as float64, as config() recorded them.
func decodeCfg(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return untypedNumbers(m).(map[string]any), nil
}

func untypedNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = untypedNumbers(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = untypedNumbers(x)
		}
		return t
	}
	return v
}
