// Package lineage derives column-level lineage from compiled SQL: for every
// column of every model and snapshot, the upstream columns (of models, seeds,
// snapshots and sources) it is computed from, and whether it passes a column
// through unchanged, renames it, or transforms it.
//
// The SQL is read by a real parser of the warehouse's dialect (see the
// duckdbsql and pgsql packages), reduced to the Query model, and resolved
// scope by scope: CTEs, subqueries, joins (USING and NATURAL), set operations,
// window functions, and `select *` expanded through the columns of upstream
// nodes — lineage computed for them first, in DAG order, or the warehouse's
// catalog, or a seed's CSV header. Ephemeral models inlined as CTEs resolve
// to the ephemeral model itself, so its lineage stays one hop.
//
// Value lineage only: a column that a WHERE, JOIN or GROUP BY reads without
// feeding the output value is not an upstream column. Window PARTITION and
// ORDER columns are, as they decide the value.
//
// Build is safe to call concurrently; a Lineage is read-only once built and
// safe for concurrent reads.
package lineage

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/strata-dev/strata/engine/manifest"
)

// Kind says how a column relates to the upstream column it reads.
type Kind string

const (
	// Pass: the same value under the same name.
	Pass Kind = "pass"
	// Rename: the same value under another name.
	Rename Kind = "rename"
	// Transform: computed (functions, casts, arithmetic, aggregates, CASE…).
	Transform Kind = "transform"
	// Source: a column of a seed or source that reads nothing in the project.
	Source Kind = "source"
	// Unknown: the node's SQL could not be read (see Node.Error).
	Unknown Kind = "unknown"
)

// Lineage is the column lineage of a project, by node unique_id.
type Lineage struct {
	Metadata Metadata         `json:"metadata"`
	Nodes    map[string]*Node `json:"nodes"`

	once     sync.Once
	children map[colKey][]Ref
}

// Metadata says how the lineage was derived.
type Metadata struct {
	GeneratedAt string `json:"generated_at,omitempty"`
	// Dialect is the adapter type whose SQL was read; Parser the parser used.
	Dialect string `json:"dialect"`
	Parser  string `json:"parser"`
}

// Node is one node's columns in output order.
type Node struct {
	Columns []Column `json:"columns"`
	// Error says why the lineage is missing or partial (a parse error, a
	// star over a relation whose columns are unknown).
	Error string `json:"error,omitempty"`
}

// Column is one output column and what it reads.
type Column struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	From []Edge `json:"from,omitempty"`
}

// Edge is one upstream column and how this column relates to it.
type Edge struct {
	Node   string `json:"node"`
	Column string `json:"column"`
	Kind   Kind   `json:"kind"`
}

// Ref names one column of one node.
type Ref struct {
	Node   string `json:"node"`
	Column string `json:"column"`
}

// Parser reads SQL of one dialect into the Query model.
type Parser interface {
	// Parse reads each statement; errs[i] says why sqls[i] could not be read.
	// It is called from several goroutines.
	Parse(ctx context.Context, sqls []string) (qs []*Query, errs []error)
	// Name names the parser for the metadata ("duckdb json_serialize_sql").
	Name() string
}

// Options are what Build reads.
type Options struct {
	Manifest *manifest.Manifest
	Parser   Parser
	// Known returns the columns the warehouse reported for a node (the
	// catalog), in order, or nil. It is called from several goroutines.
	Known func(id string) []string
	// ProjectDir is where seed CSV files are read for their header when Known
	// has nothing for a seed.
	ProjectDir string
	// Threads bounds the parses run at once (1 when < 1).
	Threads int
}

// ephemeralPrefix names the CTEs that inline ephemeral models.
const ephemeralPrefix = "__dbt__cte__"

// snapshotColumns are added by the snapshot materialization.
var snapshotColumns = []string{"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}

// batchSize is how many statements one parser call reads.
const batchSize = 32

// builder is the state of one Build.
type builder struct {
	o       Options
	nodes   []*manifest.Node
	index   map[string]int
	parents [][]int
	// relations maps a lower-case relation name (one, two or three parts) to
	// the nodes built there.
	relations map[string][]int
	ephemeral map[string]int
	out       []*Node
	cols      [][]string // output column names, nil when unknown
	done      []atomic.Bool
}

// Build derives the lineage of every model, snapshot, seed and source of
// o.Manifest (models need CompiledCode).
func Build(ctx context.Context, o Options) (*Lineage, error) {
	if o.Threads < 1 {
		o.Threads = 1
	}
	b := &builder{o: o, index: map[string]int{}, relations: map[string][]int{}, ephemeral: map[string]int{}}
	o.Manifest.All(func(n *manifest.Node) {
		switch n.ResourceType {
		case manifest.Model, manifest.Snapshot, manifest.Seed, manifest.Source:
			b.nodes = append(b.nodes, n)
		}
	})
	sort.Slice(b.nodes, func(i, j int) bool { return b.nodes[i].UniqueID < b.nodes[j].UniqueID })
	for i, n := range b.nodes {
		b.index[n.UniqueID] = i
	}
	b.out = make([]*Node, len(b.nodes))
	b.cols = make([][]string, len(b.nodes))
	b.done = make([]atomic.Bool, len(b.nodes))
	b.parents = make([][]int, len(b.nodes))
	seedAt := map[string]int{}
	for i, n := range b.nodes {
		if n.ResourceType == manifest.Model && n.Config.Materialized == "ephemeral" {
			b.ephemeral[strings.ToLower(ephemeralPrefix+n.Name)] = i
		}
		if key := relKey(n); key != "" {
			parts := strings.Split(key, ".")
			for k := range parts {
				name := strings.Join(parts[k:], ".")
				b.relations[name] = append(b.relations[name], i)
			}
			if n.ResourceType == manifest.Seed {
				seedAt[key] = i
			}
		}
		for _, d := range n.DependsOn.Nodes {
			if j, ok := b.index[d]; ok {
				b.parents[i] = append(b.parents[i], j)
			}
		}
	}
	// A source reading the table a seed loads (a project whose seeds stand in
	// for the extract-load job) continues the seed's lineage.
	for i, n := range b.nodes {
		if n.ResourceType == manifest.Source {
			if j, ok := seedAt[relKey(n)]; ok {
				b.parents[i] = append(b.parents[i], j)
			}
		}
	}
	if err := b.run(ctx); err != nil {
		return nil, err
	}
	l := &Lineage{Metadata: Metadata{Dialect: o.Manifest.Metadata.AdapterType, Parser: o.Parser.Name()}, Nodes: make(map[string]*Node, len(b.nodes))}
	for i, n := range b.nodes {
		l.Nodes[n.UniqueID] = b.out[i]
	}
	return l, nil
}

// relKey is a node's relation as a lower-case dotted name ("" for none).
func relKey(n *manifest.Node) string {
	r := n.Relation
	if r.Identifier == "" {
		return ""
	}
	return strings.ToLower(r.String())
}

// run resolves the nodes in DAG order: a node's parents are done before it,
// so a star over a parent sees the parent's columns. Independent nodes are
// parsed in batches on o.Threads goroutines.
func (b *builder) run(ctx context.Context) error {
	n := len(b.nodes)
	children := make([][]int, n)
	indeg := make([]int, n)
	for i, ps := range b.parents {
		for _, p := range ps {
			children[p] = append(children[p], i)
			indeg[i]++
		}
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var queue []int
	for i := range indeg {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	remaining := n
	var firstErr error
	worker := func() {
		for {
			mu.Lock()
			for len(queue) == 0 && remaining > 0 && firstErr == nil {
				cond.Wait()
			}
			if remaining == 0 || firstErr != nil {
				mu.Unlock()
				return
			}
			take := min(len(queue), batchSize)
			batch := append([]int{}, queue[len(queue)-take:]...)
			queue = queue[:len(queue)-take]
			mu.Unlock()

			err := b.process(ctx, batch)

			mu.Lock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			for _, i := range batch {
				for _, c := range children[i] {
					indeg[c]--
					if indeg[c] == 0 {
						queue = append(queue, c)
					}
				}
			}
			remaining -= len(batch)
			if remaining > 0 && len(queue) == 0 && firstErr == nil && b.stalled(indeg) {
				// A cycle the DAG check let through: resolve the rest anyway.
				for i := range indeg {
					if indeg[i] > 0 {
						indeg[i] = 0
						queue = append(queue, i)
					}
				}
			}
			cond.Broadcast()
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for range b.o.Threads {
		wg.Add(1)
		go func() { defer wg.Done(); worker() }()
	}
	wg.Wait()
	return firstErr
}

// stalled reports whether nothing runs and nothing is ready (a cycle).
// Called with the queue lock held; a worker still processing a batch will
// release its children, so only an all-idle state counts.
func (b *builder) stalled(indeg []int) bool {
	for i := range b.done {
		if !b.done[i].Load() && indeg[i] == 0 {
			return false
		}
	}
	return true
}

// process resolves one batch of ready nodes.
func (b *builder) process(ctx context.Context, batch []int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var sqlIdx []int
	var sqls []string
	for _, i := range batch {
		n := b.nodes[i]
		if (n.ResourceType == manifest.Model || n.ResourceType == manifest.Snapshot) && strings.TrimSpace(n.CompiledCode) != "" {
			sqlIdx = append(sqlIdx, i)
			sqls = append(sqls, n.CompiledCode)
		}
	}
	var qs []*Query
	var errs []error
	if len(sqls) > 0 {
		qs, errs = b.o.Parser.Parse(ctx, sqls)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	parsed := map[int]int{}
	for k, i := range sqlIdx {
		parsed[i] = k
	}
	for _, i := range batch {
		n := b.nodes[i]
		var node *Node
		switch n.ResourceType {
		case manifest.Seed, manifest.Source:
			node = b.root(i)
		default:
			k, ok := parsed[i]
			switch {
			case !ok:
				node = b.unknown(i, "no compiled SQL: compile the project first")
			case errs[k] != nil:
				node = b.unknown(i, errs[k].Error())
			default:
				node = b.resolve(i, qs[k])
			}
		}
		b.out[i] = node
		names := make([]string, len(node.Columns))
		for k, c := range node.Columns {
			names[k] = c.Name
		}
		if len(node.Columns) > 0 || node.Error == "" {
			b.cols[i] = names
		}
		b.done[i].Store(true)
	}
	return nil
}

// root is a seed's or source's columns: what the catalog found, else a
// seed's CSV header, else the seed a source reads, else the documented ones.
func (b *builder) root(i int) *Node {
	n := b.nodes[i]
	cols := b.known(n.UniqueID)
	var from int = -1
	if n.ResourceType == manifest.Source {
		for _, p := range b.parents[i] {
			if b.nodes[p].ResourceType == manifest.Seed && b.done[p].Load() {
				from = p
				if cols == nil {
					cols = b.cols[p]
				}
			}
		}
	}
	if cols == nil && n.ResourceType == manifest.Seed {
		cols = b.seedHeader(n)
	}
	if cols == nil && len(n.Columns) > 0 {
		for _, c := range n.Columns {
			cols = append(cols, c.Name)
		}
		sort.Strings(cols)
	}
	out := &Node{Columns: make([]Column, 0, len(cols))}
	for _, c := range cols {
		col := Column{Name: c, Kind: Source}
		if from >= 0 {
			for _, pc := range b.cols[from] {
				if strings.EqualFold(pc, c) {
					col.Kind = Pass
					col.From = []Edge{{Node: b.nodes[from].UniqueID, Column: pc, Kind: Pass}}
				}
			}
		}
		out.Columns = append(out.Columns, col)
	}
	if cols == nil {
		out.Error = "columns unknown: build it or document its columns"
	}
	return out
}

func (b *builder) known(id string) []string {
	if b.o.Known == nil {
		return nil
	}
	return b.o.Known(id)
}

// seedHeader reads the first line of a seed's CSV file.
func (b *builder) seedHeader(n *manifest.Node) []string {
	if b.o.ProjectDir == "" {
		return nil
	}
	p := n.FilePath
	if p == "" {
		p = n.OriginalFilePath
	}
	f, err := os.Open(filepath.Join(b.o.ProjectDir, filepath.FromSlash(p)))
	if err != nil {
		return nil
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	if n.Config.Delimiter != "" {
		r.Comma = []rune(n.Config.Delimiter)[0]
	}
	head, err := r.Read()
	if err != nil {
		return nil
	}
	for k := range head {
		head[k] = strings.TrimSpace(strings.TrimPrefix(head[k], "\ufeff"))
	}
	return head
}

func (b *builder) unknown(i int, why string) *Node {
	out := &Node{Error: why}
	for _, c := range b.known(b.nodes[i].UniqueID) {
		out.Columns = append(out.Columns, Column{Name: c, Kind: Unknown})
	}
	return out
}

// nodeTables resolves the table names of one node's SQL.
type nodeTables struct {
	b *builder
	i int
}

func (t nodeTables) table(parts []string) (string, []string, bool) {
	b := t.b
	key := strings.ToLower(strings.Join(parts, "."))
	var cands []int
	if len(parts) == 1 {
		if j, ok := b.ephemeral[key]; ok {
			cands = []int{j}
		}
	}
	if cands == nil {
		cands = b.relations[key]
	}
	if len(cands) == 0 {
		return "", nil, false
	}
	j := t.pick(cands)
	if j == t.i || !b.done[j].Load() {
		// Read before it was resolved (SQL naming a relation it does not
		// depend on) or itself (a snapshot reading its own table).
		return b.nodes[j].UniqueID, b.known(b.nodes[j].UniqueID), true
	}
	return b.nodes[j].UniqueID, b.cols[j], true
}

// pick chooses among nodes built in one relation (a seed and the source
// over its table): a declared parent first, and a source over a seed.
func (t nodeTables) pick(cands []int) int {
	if len(cands) == 1 {
		return cands[0]
	}
	best, bestScore := cands[0], -1
	for _, c := range cands {
		score := 0
		for _, p := range t.b.parents[t.i] {
			if p == c {
				score += 10
			}
		}
		switch t.b.nodes[c].ResourceType {
		case manifest.Source:
			score += 2
		case manifest.Model, manifest.Snapshot:
			score++
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// resolve turns a model's or snapshot's parsed SQL into its columns.
func (b *builder) resolve(i int, q *Query) *Node {
	n := b.nodes[i]
	r := &resolver{t: nodeTables{b: b, i: i}}
	rel := r.query(q, nil, nil)
	cols := rel.cols
	known := b.known(n.UniqueID)
	switch {
	case known != nil && (rel.open != nil || len(known) != len(cols)):
		// The warehouse knows the real column list: ask the relation for
		// each (a star over unknown columns still answers by name).
		byName := make([]rcol, 0, len(known))
		for _, k := range known {
			c, ok := rel.find(k)
			if !ok {
				c = rcol{}
			}
			c.name = k
			byName = append(byName, c)
		}
		cols = byName
	case known != nil:
		// Same count: the warehouse's names (an unaliased expression's name
		// is the engine's to choose).
		cols = append([]rcol{}, cols...)
		for k := range cols {
			cols[k].name = known[k]
		}
	case rel.open != nil:
		r.problem("select * over a relation whose columns are unknown: some columns may be missing")
	}
	out := &Node{Columns: make([]Column, 0, len(cols))}
	seen := map[string]bool{}
	for _, c := range cols {
		out.Columns = append(out.Columns, column(c))
		seen[strings.ToLower(c.name)] = true
	}
	if n.ResourceType == manifest.Snapshot {
		for _, s := range snapshotColumns {
			if !seen[s] {
				out.Columns = append(out.Columns, Column{Name: s, Kind: Transform})
			}
		}
	}
	if len(r.problems) > 0 {
		out.Error = strings.Join(r.problems, "; ")
	}
	return out
}

// column gives an output column its kind: pass or rename when every input
// is the same value (a reference), transform when computed. Names are
// copied: the parser's come as slices of its whole parse tree's text, which
// a result kept for the life of the Lineage would otherwise hold on to.
func column(c rcol) Column {
	out := Column{Name: strings.Clone(c.name), From: make([]Edge, 0, len(c.edges))}
	allDirect, sameName := true, true
	for _, e := range c.edges {
		k := Transform
		if e.direct {
			k = Pass
			if !strings.EqualFold(e.col, c.name) {
				k = Rename
				sameName = false
			}
		} else {
			allDirect = false
		}
		out.From = append(out.From, Edge{Node: e.node, Column: strings.Clone(e.col), Kind: k})
	}
	switch {
	case !c.direct || !allDirect:
		// Computed, or one branch of a union computes it.
		out.Kind = Transform
	case len(c.edges) == 0:
		// A reference to something outside the project.
		out.Kind = Pass
	case sameName:
		out.Kind = Pass
	default:
		out.Kind = Rename
	}
	if len(out.From) == 0 {
		out.From = nil
	}
	sort.Slice(out.From, func(i, j int) bool {
		a, b := out.From[i], out.From[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		return a.Column < b.Column
	})
	return out
}

// WriteJSON writes the lineage as JSON, nodes sorted by unique_id, one node
// at a time so memory stays flat.
func (l *Lineage) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	meta, err := json.Marshal(l.Metadata)
	if err != nil {
		return fmt.Errorf("encode lineage metadata: %w", err)
	}
	bw.WriteString(`{"metadata":`)
	bw.Write(meta)
	bw.WriteString(`,"nodes":{`)
	ids := make([]string, 0, len(l.Nodes))
	for id := range l.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for k, id := range ids {
		if k > 0 {
			bw.WriteByte(',')
		}
		key, _ := json.Marshal(id)
		body, err := json.Marshal(l.Nodes[id])
		if err != nil {
			return fmt.Errorf("encode lineage of %s: %w", id, err)
		}
		bw.WriteString("\n")
		bw.Write(key)
		bw.WriteByte(':')
		bw.Write(body)
	}
	bw.WriteString("\n}}\n")
	return bw.Flush()
}

// Read loads a lineage.json written by WriteJSON.
func Read(r io.Reader) (*Lineage, error) {
	l := &Lineage{}
	if err := json.NewDecoder(r).Decode(l); err != nil {
		return nil, fmt.Errorf("read lineage: %w", err)
	}
	if l.Nodes == nil {
		l.Nodes = map[string]*Node{}
	}
	return l, nil
}
