package engine

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/compile"
	"github.com/strata-dev/strata/engine/diag"
	"github.com/strata-dev/strata/engine/execute"
	"github.com/strata-dev/strata/engine/graph"
	"github.com/strata-dev/strata/engine/manifest"
	"github.com/strata-dev/strata/engine/materialize"
	"github.com/strata-dev/strata/engine/project"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/result"
	"github.com/strata-dev/strata/engine/selector"
)

// Common are the options every verb shares.
type Common struct {
	// Observer receives every event: warnings, template log() lines, node
	// progress and the summary. nil drops them.
	Observer     result.Observer
	InvocationID string
	FullRefresh  bool
	// Empty renders every ref and source as zero rows (--empty), for builds
	// that check schemas without reading data.
	Empty bool
	// StoreFailures stores every test's failing rows (--store-failures).
	StoreFailures bool
	// Args are the invocation's arguments, for run_results.json and
	// invocation_args_dict.
	Args map[string]any
}

func (c Common) observer() result.Observer {
	if c.Observer == nil {
		return result.Discard{}
	}
	return c.Observer
}

// Selection chooses nodes.
type Selection struct {
	Select, Exclude []string
	// ResourceTypes limits the selection (nil: the command's default).
	ResourceTypes []manifest.ResourceType
	// ExcludeResourceTypes leaves these types out (--exclude-resource-type).
	ExcludeResourceTypes []manifest.ResourceType
	// Selector names a selector of the project's selectors.yml, used instead
	// of Select and Exclude. With none of the three, the selector marked
	// `default: true` (if any) selects.
	Selector string
	// IndirectSelection says which tests of selected nodes are selected:
	// eager (the default), cautious, buildable or empty.
	IndirectSelection string
	// StateDir holds an earlier manifest.json (and run_results.json) for
	// state: and result: selectors, and for --defer.
	StateDir string
}

// Compiled is a parsed project: its manifest and graph, and the compile
// results execution-time renders use.
type Compiled struct {
	Manifest *manifest.Manifest
	DAG      *graph.DAG
	parsed   *compile.Parsed
}

// session is one verb's work on the project: the warehouse connection (when
// the verb needs one) and the compiled project.
type session struct {
	p      *Project
	c      Common
	which  string
	conn   *materialize.Warehouse
	unit   *materialize.Warehouse // the embedded DuckDB unit tests run on (unittests.go)
	lazy   *lazyWarehouse
	comp   *Compiled
	ticket string
	// asyncDAG lets load build the DAG beside what follows (compile's final
	// renders need none of it); dagWait then joins it and reports its
	// errors, before anything is written.
	asyncDAG bool
	dagWait  func() error
	// connecting, when set, delivers the connection connectAsync opened.
	connecting chan connectResult
}

type connectResult struct {
	conn *materialize.Warehouse
	err  error
}

func (p *Project) newSession(c Common, which string) *session {
	if c.InvocationID == "" {
		c.InvocationID = NewInvocationID()
	}
	return &session{p: p, c: c, which: which, ticket: c.InvocationID}
}

func (s *session) close() {
	if s.connecting != nil {
		s.joinConnect()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	if s.unit != nil {
		s.unit.Close()
	}
	if s.lazy != nil {
		s.lazy.close()
	}
}

// connect opens the warehouse for verbs that execute.
func (s *session) connect(ctx context.Context) error {
	conn, err := s.p.Connect(ctx)
	if err != nil {
		return err
	}
	s.conn = conn
	return nil
}

// connectAsync opens the warehouse beside what follows (parsing the
// project); joinConnect waits for it. A connection error then comes after a
// parse error, not before.
func (s *session) connectAsync(ctx context.Context) {
	ch := make(chan connectResult, 1)
	s.connecting = ch
	go func() {
		conn, err := s.p.Connect(ctx)
		ch <- connectResult{conn, err}
	}()
}

func (s *session) joinConnect() error {
	if s.connecting == nil {
		return nil
	}
	r := <-s.connecting
	s.connecting = nil
	s.conn = r.conn
	return r.err
}

// warnings reports diagnostics: under --warn-error every warning is an error
// and the verb stops (--warn-error-options: the warnings it names).
func (s *session) warnings(ds diag.Diagnostics) error {
	ds = s.p.Opts.promote(ds)
	if ds.HasErrors() {
		return ds.Err()
	}
	if len(ds) > 0 {
		s.c.observer().Event(result.Event{Kind: result.Diagnostics, Time: time.Now(), Diags: ds})
	}
	return nil
}

// log is compile's Log: template log() and print() lines become events.
func (s *session) log(level, msg string) {
	e := result.Event{Kind: result.Info, Time: time.Now(), Message: msg}
	switch level {
	case "warn":
		e.Kind = result.Warning
	case "debug":
		e.Debug = true
	}
	s.c.observer().Event(e)
}

// parse loads the program and runs the parse pass; extra files are compiled
// with the root project's models (an inline query).
func (s *session) parse(ctx context.Context, extra ...project.File) error {
	return s.load(ctx, true, extra...)
}

// parseOnly is parse for verbs that never need SQL (parse, ls).
func (s *session) parseOnly(ctx context.Context) error { return s.load(ctx, false) }

func (s *session) load(ctx context.Context, keepSQL bool, extra ...project.File) error {
	p := s.p
	files := p.Files
	if len(extra) > 0 {
		cp := *files
		cp.Models = append(append([]project.File(nil), files.Models...), extra...)
		files = &cp
	}
	prog, ds := compile.Load(ctx, compile.Options{
		Project: files, Packages: p.Packages, PackagesDir: files.Config.PackagesInstallPath,
		Target: p.Target, Dialect: p.Driver.Dialect, Traits: p.Driver.Traits, Vars: p.Opts.Vars, Env: p.Opts.Env, Now: time.Now(),
		InvocationID: s.ticket, Log: s.log, CacheDir: s.cacheDir(), BeforeRender: p.Opts.BeforeRender,
		Flags: compile.Flags{Which: s.which, FullRefresh: s.c.FullRefresh, WarnError: p.Opts.warnErrors().All,
			StoreFailures: s.c.StoreFailures, Empty: s.c.Empty, Args: s.c.Args},
	})
	if ds.HasErrors() || prog == nil {
		return ds.Err()
	}
	parse := prog.Parse
	if !keepSQL {
		parse = prog.ParseOnly
	}
	parsed, pds := parse(ctx)
	ds = append(ds, pds...)
	if ctx.Err() != nil && !ds.HasErrors() {
		return ctx.Err()
	}
	if err := s.warnings(ds); err != nil {
		return err
	}
	m := parsed.Manifest
	// The counts of the "Found …" line are read beside the graph's build
	// (a pass over every node; ~25 ms at 100,000 models).
	counts := make(chan map[string]int, 1)
	go func() { counts <- countNodes(m) }()
	var d *graph.DAG // nil until dagWait when the graph is built beside
	if s.asyncDAG {
		done := make(chan struct{})
		var (
			built *graph.DAG
			gds   diag.Diagnostics
		)
		go func() {
			defer close(done)
			built, gds = manifest.BuildDAG(m)
		}()
		s.dagWait = func() error {
			<-done
			s.dagWait = nil
			s.comp.DAG = built
			return s.warnings(gds)
		}
	} else {
		var gds diag.Diagnostics
		d, gds = manifest.BuildDAG(m)
		if err := s.warnings(gds); err != nil {
			return err
		}
	}
	m.Metadata.ProjectName = files.Config.Name
	m.Metadata.AdapterType = p.Target.Type
	m.Metadata.StrataVersion = Version
	m.Metadata.InvocationID = s.ticket
	m.Metadata.GeneratedAt = time.Now().UTC().Format(time.RFC3339Nano)
	m.Metadata.TargetName = p.Target.Name
	s.comp = &Compiled{Manifest: m, DAG: d, parsed: parsed}
	s.c.observer().Event(result.Event{Kind: result.Parsed, Time: time.Now(), Stats: &result.Stats{Counts: <-counts}})
	return nil
}

// cacheDir is where partial parsing keeps its cache: target/, unless
// STRATA_NO_PARTIAL_PARSE (or dbt's DBT_PARTIAL_PARSE=false) turns it off.
func (s *session) cacheDir() string {
	if s.c.Empty {
		return "" // --empty renders sources differently: keep it out of the cache
	}
	if !partialParsing(s.p.Opts.Env) {
		return ""
	}
	return s.p.TargetDir
}

// partialParsing reports whether what a run read and rendered may be kept
// in target/ for the next (the file index and the partial-parse cache):
// STRATA_NO_PARTIAL_PARSE, or dbt's DBT_PARTIAL_PARSE=false, turn it off.
func partialParsing(env func(string) (string, bool)) bool {
	if v, ok := env("STRATA_NO_PARTIAL_PARSE"); ok && v != "" && v != "0" && v != "false" {
		return false
	}
	if v, ok := env("DBT_PARTIAL_PARSE"); ok && (v == "0" || strings.EqualFold(v, "false")) {
		return false
	}
	return true
}

// selectNodes applies a selection (the command's resource types by default).
func (s *session) selectNodes(ctx context.Context, sel Selection, defaults []manifest.ResourceType) ([]string, error) {
	types := sel.ResourceTypes
	if len(types) == 0 {
		types = defaults
	}
	so := selector.Options{Select: sel.Select, Exclude: sel.Exclude, ResourceTypes: types, ProjectName: s.p.Files.Config.Name,
		Columns: s.selectionLineage(ctx), IndirectSelection: sel.IndirectSelection}
	if err := s.useSelector(&so, sel); err != nil {
		return nil, err
	}
	if sel.StateDir != "" {
		st, err := selector.LoadManifest(filepath.Join(sel.StateDir, "manifest.json"))
		if err != nil {
			return nil, diag.Invalid("cannot read --state", "%v; --state must name a folder holding an earlier manifest.json", err)
		}
		so.State = st
		if res, err := selector.LoadResults(filepath.Join(sel.StateDir, "run_results.json")); err == nil {
			so.PreviousResults = res
		}
	}
	s.loadSourceStatus(&so, sel)
	ids, warns, err := selector.Select(s.comp.Manifest, s.comp.DAG, so)
	if err != nil {
		return nil, diag.Invalid("bad selector", "%v", err)
	}
	ids = s.dropTypes(ids, sel.ExcludeResourceTypes)
	w := s.p.Opts.warnErrors()
	if len(warns) > 0 && w.Promotes(noNodesWarning) {
		return nil, diag.Invalid("nothing selected", "%s; --warn-error makes this warning an error", strings.Join(warns, "; "))
	}
	if !w.Silenced(noNodesWarning) {
		for _, msg := range warns {
			s.c.observer().Event(result.Event{Kind: result.Warning, Time: time.Now(), Message: msg})
		}
	}
	return ids, nil
}

// finalize produces the SQL of ids (nil: every node). wh lets nodes that
// introspect render now (compile); without it they render at execution.
func (s *session) finalize(ctx context.Context, ids []string, deferred map[string]defer1, wh compile.Warehouse) error {
	dm := make(map[string]relation.Relation, len(deferred))
	for id, d := range deferred {
		dm[id] = d.to
	}
	ds := s.comp.parsed.Finalize(ctx, compile.FinalizeOptions{IDs: ids, Defer: dm, Warehouse: wh})
	if s.dagWait != nil {
		// A graph error (an unknown dependency, a cycle) is reported first,
		// as when the graph is built before the final renders.
		if err := s.dagWait(); err != nil {
			return err
		}
	}
	if ctx.Err() != nil && !ds.HasErrors() {
		return ctx.Err()
	}
	return s.warnings(ds)
}

// writeArtifacts writes manifest.json and, when compiled, target/compiled.
func (s *session) writeArtifacts(compiled bool) error {
	m, dir := s.comp.Manifest, s.p.TargetDir
	if !compiled {
		return artifact.WriteManifest(dir, m)
	}
	compiledErr := make(chan error, 1)
	go func() { compiledErr <- artifact.WriteCompiled(dir, m) }()
	manifestErr := artifact.WriteManifest(dir, m)
	return errors.Join(<-compiledErr, manifestErr)
}

// ParseResult is what Parse found.
type ParseResult struct {
	Manifest     *manifest.Manifest
	ManifestPath string
}

// Parse reads the project, renders every node as dbt parses it and writes
// target/manifest.json (without compiled SQL).
func (p *Project) Parse(ctx context.Context, c Common) (*ParseResult, error) {
	s := p.newSession(c, "parse")
	defer s.close()
	// The graph is built while the nodes are encoded; the file is written
	// only when it has no error (an unknown dependency, a cycle).
	s.asyncDAG = true
	if err := s.parseOnly(ctx); err != nil {
		return nil, err
	}
	var dagErr error
	err := artifact.WriteManifestWhen(s.p.TargetDir, s.comp.Manifest, func() bool {
		dagErr = s.dagWait()
		return dagErr == nil
	})
	if s.dagWait != nil { // the write failed before it needed the graph
		dagErr = s.dagWait()
	}
	if dagErr != nil {
		return nil, dagErr
	}
	if err != nil {
		return nil, err
	}
	return &ParseResult{Manifest: s.comp.Manifest, ManifestPath: filepath.Join(p.TargetDir, "manifest.json")}, nil
}

// List parses the project and returns the selected nodes, in unique_id order.
func (p *Project) List(ctx context.Context, c Common, sel Selection) ([]*manifest.Node, error) {
	s := p.newSession(c, "list")
	defer s.close()
	if err := s.parseOnly(ctx); err != nil {
		return nil, err
	}
	ids, err := s.selectNodes(ctx, sel, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*manifest.Node, 0, len(ids))
	for _, id := range ids {
		if n, ok := s.comp.Manifest.Node(id); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// CompileOptions tune Compile.
type CompileOptions struct {
	Common
	Selection
	// Inline is SQL compiled with the project instead of writing artifacts.
	Inline string
}

// CompileResult is what Compile produced.
type CompileResult struct {
	Manifest *manifest.Manifest
	// Compiled counts the nodes with SQL; InlineSQL is --inline's SQL.
	Compiled int
	// Selected are the nodes the selection named (nil: every node).
	Selected  []string
	InlineSQL string
	Dir       string
}

// Compile renders the selected nodes (every node when nothing is selected)
// into target/compiled and writes manifest.json. Nodes that introspect the
// warehouse render against it, connecting only if one does.
func (p *Project) Compile(ctx context.Context, o CompileOptions) (*CompileResult, error) {
	s := p.newSession(o.Common, "compile")
	defer s.close()
	var extra []project.File
	if o.Inline != "" {
		extra = append(extra, InlineFile(o.Inline))
	}
	// Without a selection nothing reads the graph before the final renders:
	// it is built beside them.
	s.asyncDAG = len(o.Select) == 0 && len(o.Exclude) == 0 && len(o.ResourceTypes) == 0 && o.StateDir == "" && o.Selector == ""
	if err := s.parse(ctx, extra...); err != nil {
		return nil, err
	}
	var ids []string
	if len(o.Select) > 0 || len(o.Exclude) > 0 || len(o.ResourceTypes) > 0 || o.StateDir != "" {
		var err error
		if ids, err = s.selectNodes(ctx, o.Selection, nil); err != nil {
			return nil, err
		}
	}
	if o.Inline != "" {
		ids = []string{inlineID(p)}
	}
	s.lazy = &lazyWarehouse{ctx: ctx, p: p}
	if err := s.finalize(ctx, ids, nil, s.lazy); err != nil {
		return nil, err
	}
	if err := s.lazy.err; err != nil {
		return nil, err
	}
	res := &CompileResult{Manifest: s.comp.Manifest, Dir: filepath.Join(p.TargetDir, "compiled"), Selected: ids}
	if o.Inline != "" {
		n := s.comp.Manifest.Nodes[inlineID(p)]
		if n == nil || !n.Compiled {
			return nil, errors.New("the inline query did not compile")
		}
		res.InlineSQL = strings.TrimSpace(n.CompiledCode)
		return res, nil
	}
	if err := s.writeArtifacts(true); err != nil {
		return nil, err
	}
	for _, n := range s.comp.Manifest.Nodes {
		if n.Compiled {
			res.Compiled++
		}
	}
	return res, nil
}

const inlineName = "__strata_inline"

// InlineFile is an inline query as a model file of the root project.
func InlineFile(sql string) project.File {
	return project.File{Path: "<inline>", RootDir: "", RelPath: inlineName + ".sql", Name: inlineName, Content: sql}
}

func inlineID(p *Project) string { return "model." + p.Files.Config.Name + "." + inlineName }

// RunOptions tune an executing verb: run, test, build, seed or snapshot.
type RunOptions struct {
	Common
	Selection
	// Command is run, test, build, seed or snapshot.
	Command string
	// IDs, when non-nil, replace the selection (retry).
	IDs []string
	// Defer resolves refs to unselected nodes missing from the target to the
	// relations of the manifest in StateDir; FavorState always does.
	Defer, FavorState bool
	FailFast          bool
	// Slots is an optional thread budget shared with other runs (the scheduler's).
	Slots *semaphore.Weighted
	// ResultsPath is where run_results.json goes (default target/run_results.json).
	ResultsPath string
	// UnitTestsOn is where unit tests run: "target" or "duckdb" ("": from
	// STRATA_UNIT_TESTS_ON or the project's unit-tests-on, else target).
	UnitTestsOn string
}

// Build is the one pipeline behind run, test, build, seed and snapshot:
// connect, parse, select, defer, finalize, execute while the artifacts are
// written, write run_results.json (also when the run is cancelled or fails).
func (p *Project) Build(ctx context.Context, o RunOptions) (*result.RunResults, error) {
	if o.Defer && o.StateDir == "" {
		return nil, diag.Invalid("--defer needs --state", "--defer resolves refs from an earlier manifest: pass --state DIR holding production's manifest.json")
	}
	s := p.newSession(o.Common, o.Command)
	defer s.close()
	unitOn, err := p.unitTestsOn(o.UnitTestsOn)
	if err != nil {
		return nil, err
	}
	if unitOn == UnitTestsOnTarget {
		// Connecting (a few ms of round trips) overlaps parsing.
		s.connectAsync(ctx)
	}
	if err := s.parse(ctx); err != nil {
		return nil, err
	}
	if err := s.joinConnect(); err != nil {
		return nil, err
	}
	ids := o.IDs
	if ids == nil {
		if ids, err = s.selectNodes(ctx, o.Selection, ResourceTypesFor(o.Command)); err != nil {
			return nil, err
		}
	}
	if unitOn == UnitTestsOnDuckDB {
		// Unit tests need no warehouse: connect only when something else does.
		if err := s.openUnitEngine(ctx); err != nil {
			return nil, err
		}
		if o.Defer || s.needsTarget(ids) {
			if err := s.connect(ctx); err != nil {
				return nil, err
			}
		}
	}
	var deferred map[string]defer1
	if o.Defer {
		var err error
		if deferred, err = s.deferRelations(ctx, ids, o.StateDir, o.FavorState); err != nil {
			return nil, err
		}
	}
	if err := s.finalize(ctx, ids, deferred, nil); err != nil {
		return nil, err
	}
	// manifest.json and target/compiled are written while the first nodes
	// run: execution reads the manifest in memory, never these files, and a
	// dynamic node's compiled file (written when it runs) is not among them.
	// A failure to write them is reported once the run is over.
	artifacts := make(chan error, 1)
	go func() { artifacts <- s.writeArtifacts(true) }()
	rr, err := s.execute(ctx, o, ids)
	if aerr := <-artifacts; aerr != nil && err == nil {
		return nil, aerr
	}
	return rr, err
}

func (s *session) execute(ctx context.Context, o RunOptions, ids []string) (*result.RunResults, error) {
	p := s.p
	if p.Driver.Traits.InProcess && p.Target.Threads <= 1 {
		// A one-thread walk runs every node on this goroutine: pinned to one
		// OS thread, an in-process engine's calls find their thread-local
		// caches warm (adapter.Traits.InProcess).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	s.comp.parsed.SetSelected(ids)
	files := artifact.NewRunWriter(p.TargetDir)
	args := map[string]any{"which": o.Command, "select": o.Select, "exclude": o.Exclude, "full_refresh": o.FullRefresh,
		"threads": p.Target.Threads, "target": p.Target.Name}
	for k, v := range o.Args {
		args[k] = v
	}
	var wh compile.Warehouse
	if s.conn != nil {
		wh = s.conn
	}
	s.c.observer().Event(result.Event{Kind: result.Starting, Time: time.Now(), Stats: &result.Stats{Threads: p.Target.Threads, Target: p.Target.Name}})
	rr, err := execute.Execute(ctx, execute.Options{
		Command:       o.Command,
		Manifest:      s.comp.Manifest,
		DAG:           s.comp.DAG,
		Selected:      ids,
		Warehouse:     s.conn,
		ProjectDir:    p.Opts.ProjectDir,
		TargetSchema:  p.Target.Schema,
		Threads:       p.Target.Threads,
		FullRefresh:   o.FullRefresh,
		FailFast:      o.FailFast,
		StoreFailures: o.StoreFailures,
		WarnError:     p.Opts.warnErrors().Promotes("LogTestResult"),
		Slots:         o.Slots,
		Observer:      result.Tee{files, s.c.observer()},
		InvocationID:  s.ticket,
		Args:          args,
		Renderer:      &renderer{parsed: s.comp.parsed, wh: wh},
		UnitWarehouse: s.unit,
	})
	if ferr := files.Close(); ferr != nil {
		s.c.observer().Event(result.Event{Kind: result.Warning, Time: time.Now(), Message: "target/run files: " + ferr.Error()})
	}
	if err != nil {
		return nil, err
	}
	rr.Metadata.StrataVersion = Version
	path := o.ResultsPath
	if path == "" {
		path = filepath.Join(p.TargetDir, "run_results.json")
	}
	if werr := artifact.WriteRunResults(path, rr); werr != nil {
		return rr, werr
	}
	return rr, nil
}

// lazyWarehouse connects on first use: `compile` needs the warehouse only
// when a node introspects it.
type lazyWarehouse struct {
	ctx  context.Context
	p    *Project
	once sync.Once
	a    *materialize.Warehouse
	err  error
}

func (l *lazyWarehouse) get() (*materialize.Warehouse, error) {
	l.once.Do(func() { l.a, l.err = l.p.Connect(l.ctx) })
	return l.a, l.err
}

func (l *lazyWarehouse) close() {
	if l.a != nil {
		l.a.Close()
	}
}

func (l *lazyWarehouse) Exec(ctx context.Context, sql string) (int64, error) {
	a, err := l.get()
	if err != nil {
		return 0, err
	}
	return a.Exec(ctx, sql)
}

func (l *lazyWarehouse) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.Query(ctx, sql, limit)
}

func (l *lazyWarehouse) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	a, err := l.get()
	if err != nil {
		return "", err
	}
	return a.RelationKind(ctx, r)
}

func (l *lazyWarehouse) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.Columns(ctx, r)
}

func (l *lazyWarehouse) CreateSchema(ctx context.Context, database, schema string) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.CreateSchema(ctx, database, schema)
}

func (l *lazyWarehouse) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	a, err := l.get()
	if err != nil {
		return err
	}
	return a.DropRelation(ctx, r, kind)
}

func (l *lazyWarehouse) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.ListRelations(ctx, database, schema)
}

func (l *lazyWarehouse) ListSchemas(ctx context.Context, database string) ([]string, error) {
	a, err := l.get()
	if err != nil {
		return nil, err
	}
	return a.ListSchemas(ctx, database)
}
