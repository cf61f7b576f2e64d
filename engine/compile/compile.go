// Package compile is dbt's semantics on top of engine/jinja: it loads the root
// project and its installed packages as namespaces (macros, docs, sources,
// nodes), renders every model, test, snapshot, hook and templated YAML value,
// resolves configs and relation names, discovers dependencies by rendering as
// dbt does, inlines ephemeral models as CTEs and reports every problem as a
// positioned diagnostic.
//
// Compiling is a sequence of passes over the loaded Program, each returning
// data of its own: Parse renders every node once (dbt's parse: `execute` is
// false, refs are placeholders) and yields the manifest's nodes, configs,
// relations and dependencies; Finalize produces the SQL of the nodes a command
// needs, with deferred refs resolved to the state's relations; and
// Parsed.Render renders a node again at execution time, after its parents are
// built, for the nodes whose templates introspect the warehouse (run_query,
// statement, adapter.get_columns_in_relation, graph, or anything that reads
// `execute`).
//
// A Program and a Parsed are safe for concurrent use once built: the passes
// run renders in parallel on GOMAXPROCS workers, and the executor renders
// nodes from its workers.
package compile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/jinja"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/relation"
)

// Dialect is what compiling needs of a warehouse's SQL rules: names and
// quoting. It never touches a network.
type Dialect interface {
	// Type is the profile `type:` ("duckdb", "postgres", "snowflake").
	Type() string
	QuoteIdent(name string) string
	RenderRelation(r relation.Relation) string
	NormalizeIdent(name string) string
	ValidIncrementalStrategies() []string
}

// Warehouse is what templates may ask of a connected warehouse at execution
// time (run_query, statement blocks, adapter.get_relation, …). The executor's
// warehouse handle implements it; compile never opens a connection itself.
type Warehouse interface {
	Exec(ctx context.Context, sql string) (int64, error)
	Query(ctx context.Context, sql string, limit int) (*adapter.Table, error)
	RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error)
	Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error)
	CreateSchema(ctx context.Context, database, schema string) error
	DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error
}

// Optional Warehouse capabilities, found by type assertion.
type (
	relationLister interface {
		ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error)
	}
	schemaLister interface {
		ListSchemas(ctx context.Context, database string) ([]string, error)
	}
	schemaDropper interface {
		DropSchema(ctx context.Context, database, schema string) error
	}
)

// Flags are the invocation's settings templates read through `flags` and
// `invocation_args_dict`.
type Flags struct {
	// Which is the command: run, build, test, compile, …
	Which         string
	FullRefresh   bool
	StoreFailures bool
	WarnError     bool
	// Empty renders every ref and source as zero rows (--empty); `this` is
	// left alone.
	Empty bool
	// Args are the invocation's arguments (invocation_args_dict).
	Args map[string]any
}

// Options is what Load needs besides the project files.
type Options struct {
	// Project is the root project.
	Project *project.Project
	// Packages are the installed packages, each loaded as a project of its own.
	Packages []*project.Project
	// PackagesDir is where packages are installed (for messages).
	PackagesDir string
	Target      adapter.Target
	Dialect     Dialect
	// Traits are the warehouse's declared traits (identifier length).
	Traits adapter.Traits
	// Vars are --vars; they override every project's vars.
	Vars         map[string]any
	Env          func(string) (string, bool)
	Now          time.Time
	InvocationID string
	Flags        Flags
	// CacheDir, when set, keeps the parse pass's findings there (partial
	// parsing): a node whose text, config, macros, vars and target did not
	// change is not rendered again.
	CacheDir string
	// BeforeRender, when set, is told how many of the parse pass's nodes
	// must be rendered (not found in the partial-parse cache) out of all,
	// before any is: the caller may size its memory to the work.
	BeforeRender func(renders, total int)
	// Log receives log() and print() output; nil drops it.
	Log func(level, msg string)
}

// Compile loads, parses and finalizes every node: the whole compile in one
// call, for callers that need neither selection nor execution-time renders.
// Diagnostics hold every problem found (sorted); the manifest is returned even
// when there are errors, with the nodes that did compile.
func Compile(ctx context.Context, o Options) (*manifest.Manifest, diag.Diagnostics) {
	prog, ds := Load(ctx, o)
	if prog == nil {
		return manifest.New(), ds
	}
	r, pds := prog.Parse(ctx)
	ds = append(ds, pds...)
	ds = append(ds, r.Finalize(ctx, FinalizeOptions{})...)
	ds.Sort()
	return r.Manifest, ds
}

// parallel runs fn(i) for i in [0, n) on GOMAXPROCS workers.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next int
	var mu sync.Mutex
	const chunk = 16
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next += chunk
				mu.Unlock()
				if i >= n {
					return
				}
				for j := i; j < min(i+chunk, n); j++ {
					fn(j)
				}
			}
		}()
	}
	wg.Wait()
}

func checksum(s string) manifest.Checksum {
	h := sha256.Sum256([]byte(s))
	return manifest.Checksum{Name: "sha256", Checksum: hex.EncodeToString(h[:])}
}

func fileChecksum(f project.File) manifest.Checksum {
	if f.Checksum != "" {
		return manifest.Checksum{Name: "sha256", Checksum: f.Checksum}
	}
	return checksum(f.Content)
}

// mergeFreshness applies a table's freshness block over its source's key by key,
// as dbt does: a table that sets only warn_after keeps the source's error_after
// and filter. An explicit `freshness: null` on the table turns the rule off.
func mergeFreshness(src, tbl *project.FreshnessProps) *project.FreshnessProps {
	if tbl == nil {
		return src
	}
	if tbl.Null || src == nil || src.Null {
		return tbl
	}
	out := *src
	if tbl.WarnAfter != nil {
		out.WarnAfter = tbl.WarnAfter
	}
	if tbl.ErrorAfter != nil {
		out.ErrorAfter = tbl.ErrorAfter
	}
	if tbl.Filter != "" {
		out.Filter = tbl.Filter
	}
	return &out
}

func mergedMeta(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func uniqStrings(s []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// callNames calls fn with each name a macro's text calls, in order, for its
// depends_on: an identifier starting a word, then optional white space and
// "(" (what the regexp \b([A-Za-z_][A-Za-z0-9_]*)\s*\( finds, without a
// regexp's cost: every command assembles the global project's macros).
func callNames(s string, fn func(string)) {
	word := func(c byte) bool {
		return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	for i := 0; i < len(s); {
		if !word(s[i]) {
			i++
			continue
		}
		start := i
		for i < len(s) && word(s[i]) {
			i++
		}
		if c := s[start]; '0' <= c && c <= '9' {
			continue
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f') {
			j++
		}
		if j < len(s) && s[j] == '(' {
			fn(s[start:i])
			i = j + 1
		}
	}
}

// jinjaCode keeps only the code inside {{ … }} and {% … %} of a template:
// the SQL around it names functions (cast, replace, date) that are not
// macro calls.
func jinjaCode(src string) string {
	var b strings.Builder
	for {
		i := strings.Index(src, "{")
		if i < 0 || i+1 >= len(src) {
			return b.String()
		}
		closer := ""
		switch src[i+1] {
		case '{':
			closer = "}}"
		case '%':
			closer = "%}"
		case '#':
			closer = "#}"
		default:
			src = src[i+1:]
			continue
		}
		end := strings.Index(src[i+2:], closer)
		if end < 0 {
			return b.String()
		}
		if closer != "#}" {
			b.WriteString(src[i+2 : i+2+end])
			b.WriteByte(' ')
		}
		src = src[i+2+end+2:]
	}
}

// endTagRE finds where a macro's (or test block's) text ends.
var endTagRE = regexp.MustCompile(`\{%-?\s*end(?:macro|test|materialization)\s*-?%\}`)

func lineAt(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

// offsetOf is the byte offset of pos in src (lines from 1, columns in
// characters from 1, as the engine counts them).
func offsetOf(src string, pos jinja.Pos) int {
	line, col := pos.Line, pos.Col
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(src) && src[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(src[off:])
		off += n
	}
	return off
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// findLine returns the first line of text containing needle (0 if none).
func findLine(text, needle string) int {
	if i := strings.Index(text, needle); i >= 0 {
		return lineAt(text, i)
	}
	return 0
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
