package project

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/strata-dev/strata/engine/diag"
)

// Load reads the project in dir: project.yaml (or dbt_project.yml when there is
// no project.yaml), every resource file under the configured paths, and the
// properties YAML. It reports every problem it finds in one pass. The Project is
// never nil; when the diagnostics hold errors it may be incomplete.
func Load(dir string) (*Project, diag.Diagnostics) { return LoadWith(dir, LoadOptions{}) }

// LoadOptions tune Load.
type LoadOptions struct {
	// FileIndex keeps the file index (see fileindex.go) in the project's
	// target folder: TargetPath when set (--target-path), else the
	// project's target-path.
	FileIndex  bool
	TargetPath string
}

// TargetDir is the absolute folder artifacts go to: override (the command's
// --target-path) when set, else the project's target-path, else target/;
// relative paths are under the project root.
func (p *Project) TargetDir(override string) string {
	tp := override
	if tp == "" {
		tp = p.Config.TargetPath
	}
	if tp == "" {
		tp = "target"
	}
	if !filepath.IsAbs(tp) {
		tp = filepath.Join(p.Root, tp)
	}
	return tp
}

// LoadWith is Load with options.
func LoadWith(dir string, o LoadOptions) (*Project, diag.Diagnostics) {
	p, ds := LoadConfig(dir)
	if p.ConfigFile == "" {
		return p, ds
	}
	var ix *fileIndex
	if o.FileIndex {
		ix = openFileIndex(filepath.Join(p.TargetDir(o.TargetPath), indexFileName))
	}
	ds.Add(discover(p, ix)...)
	ds.Add(checkNames(p)...)
	ds.Sort()
	return p, ds
}

// LoadConfig reads only the project file, for commands that must work while
// the project's models are broken (deps, clean). Its Project has no files.
func LoadConfig(dir string) (*Project, diag.Diagnostics) {
	root, err := filepath.Abs(dir)
	if err != nil {
		root = dir
	}
	p := &Project{Root: root, FS: os.DirFS(root)}
	var ds diag.Diagnostics

	data, file, err := readConfigFile(root)
	if err != nil {
		ds.Add(diag.Diagnostic{Severity: diag.Error, Summary: "no project", Detail: err.Error()})
		return p, ds
	}
	p.ConfigFile = file
	d := &ydec{file: file}
	node, perr := parseYAML(file, data)
	switch {
	case perr != nil:
		// Carry on with dbt's default paths so the rest is checked too.
		ds.Add(*perr)
	case node == nil:
		d.errorf(nil, "empty project file", "%s is empty; it needs at least name: and profile:", file)
		d.diags[len(d.diags)-1].Line = 1
	default:
		parseConfig(d, node, file == ConfigFileDBT, &p.Config)
	}
	if node == nil {
		applyDefaults(&p.Config)
	}
	ds.Add(d.diags...)
	ds.Sort()
	return p, ds
}

func readConfigFile(root string) ([]byte, string, error) {
	for _, name := range []string{ConfigFileStrata, ConfigFileDBT} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err == nil {
			return data, name, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("read %s: %w", name, err)
		}
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, "", fmt.Errorf("project directory %s does not exist", root)
	}
	return nil, "", fmt.Errorf("%s has no %s or %s; run strata init to create a project, or pass --project-dir", root, ConfigFileStrata, ConfigFileDBT)
}

// role is what a resource path holds; one folder may serve several roles.
type role uint8

const (
	roleModel role = 1 << iota
	roleSeed
	roleMacro
	roleTest
	roleSnapshot
	roleDocs
	roleFixture
)

const propsRoles = roleModel | roleSeed | roleMacro | roleTest | roleSnapshot

// job is one file found by the walk, to be read by a worker.
type job struct {
	abs, name, rel, rootDir string
	dirfd                   int  // descriptor of the file's folder, -1 when not open
	kind                    role // 0 for properties YAML
	props                   bool
	res                     result // set by the worker that read it
}

// result is what a worker made of a job.
type result struct {
	file  File
	props *PropertiesFile
	diags diag.Diagnostics
	ok    bool
	// indexed: the file's stamp is known, for the file index.
	indexed bool
	stamp   fileStamp
}

// discover walks the resource paths and reads every file concurrently.
func discover(p *Project, ix *fileIndex) diag.Diagnostics {
	c := &p.Config
	var ds diag.Diagnostics
	roots := map[string]role{}
	var order []string
	add := func(paths []string, r role, def string) {
		for _, rp := range paths {
			if _, err := os.Stat(filepath.Join(p.Root, filepath.FromSlash(rp))); err != nil {
				if rp != def && (r != roleDocs || !contains(c.ModelPaths, rp)) {
					ds.Add(diag.Diagnostic{Severity: diag.Warning, File: p.ConfigFile,
						Summary: "missing folder", Detail: fmt.Sprintf("%s lists %q but there is no such folder", pathKey(r), rp)})
				}
				continue
			}
			if _, seen := roots[rp]; !seen {
				order = append(order, rp)
			}
			roots[rp] |= r
		}
	}
	add(c.ModelPaths, roleModel, "models")
	add(c.SeedPaths, roleSeed, "seeds")
	add(c.MacroPaths, roleMacro, "macros")
	add(c.TestPaths, roleTest, "tests")
	add(c.SnapshotPaths, roleSnapshot, "snapshots")
	add(c.ModelPaths, roleDocs, "models")
	add(c.DocsPaths, roleDocs, "models")

	skip := map[string]bool{c.TargetPath: true, c.PackagesInstallPath: true, "dbt_packages": true, "dbt_modules": true, "logs": true}

	// Workers read files while the walk is still listing folders.
	var jobs []*job
	next := make(chan *job, 1024)
	var wg sync.WaitGroup
	for range max(4, 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for j := range next {
				j.res = readJob(j, &buf, ix)
			}
		}()
	}
	var dirfds []int
	defer func() {
		for _, fd := range dirfds {
			closeDirFD(fd)
		}
	}()
	dirfdOf := map[string]int{}
	type seenKey struct {
		kind  role
		props bool
		path  string
	}
	// So nested roots (model-paths [models, models/sub]) do not list a file
	// twice; without nesting no file can be met twice, and the map (a
	// write per file) is not kept.
	var seen map[seenKey]bool
	if nestedRoots(order) {
		seen = map[seenKey]bool{}
	}
	for _, rp := range order {
		r := roots[rp]
		base := filepath.Join(p.Root, filepath.FromSlash(rp))
		err := filepath.WalkDir(base, func(abs string, de fs.DirEntry, err error) error {
			relProject := relTo(p.Root, abs)
			if err != nil {
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: relProject, Summary: "unreadable", Detail: err.Error()})
				if de != nil && de.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := de.Name()
			if de.IsDir() {
				if abs != base && (strings.HasPrefix(name, ".") || skip[relProject]) {
					return fs.SkipDir
				}
				if fd := openDirFD(abs); fd >= 0 {
					dirfds = append(dirfds, fd)
					dirfdOf[abs] = fd
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || !de.Type().IsRegular() && de.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			dirfd, ok := dirfdOf[abs[:len(abs)-len(name)-1]]
			if !ok {
				dirfd = -1
			}
			addJob := func(kind role, props bool) {
				if seen != nil {
					key := seenKey{kind, props, relProject}
					if seen[key] {
						return
					}
					seen[key] = true
				}
				j := &job{abs: abs, name: name, rel: relProject, rootDir: rp, kind: kind, props: props, dirfd: dirfd}
				jobs = append(jobs, j)
				next <- j
			}
			// Unit test fixtures live in a fixtures/ folder of a test path;
			// they are neither singular tests nor seeds.
			fixture := r&roleTest != 0 && strings.HasPrefix(relTo(base, abs), "fixtures/")
			switch strings.ToLower(path.Ext(name)) {
			case ".sql":
				if fixture {
					addJob(roleFixture, false)
				}
				for _, k := range []role{roleModel, roleMacro, roleTest, roleSnapshot} {
					if r&k != 0 && !(fixture && k == roleTest) {
						addJob(k, false)
					}
				}
			case ".csv":
				if fixture {
					addJob(roleFixture, false)
				} else if r&roleSeed != 0 {
					addJob(roleSeed, false)
				}
			case ".md":
				if r&roleDocs != 0 {
					addJob(roleDocs, false)
				}
			case ".yml", ".yaml":
				if r&propsRoles != 0 {
					addJob(0, true)
				}
			}
			return nil
		})
		if err != nil {
			ds.Add(diag.Diagnostic{Severity: diag.Error, File: rp, Summary: "unreadable", Detail: err.Error()})
		}
	}
	close(next)
	wg.Wait()
	if ix != nil {
		ix.save(func() map[string]indexEntry {
			entries := make(map[string]indexEntry, len(jobs))
			for _, j := range jobs {
				if r := j.res; r.indexed {
					entries[j.rel] = indexEntry{stamp: r.stamp, checksum: r.file.Checksum, content: r.file.Content}
				}
			}
			return entries
		})
	}

	for _, j := range jobs {
		res := j.res
		ds.Add(res.diags...)
		if !res.ok {
			continue
		}
		switch {
		case j.props:
			p.Properties = append(p.Properties, res.props)
		case j.kind == roleModel:
			p.Models = append(p.Models, res.file)
		case j.kind == roleSeed:
			p.Seeds = append(p.Seeds, res.file)
		case j.kind == roleMacro:
			p.Macros = append(p.Macros, res.file)
		case j.kind == roleTest:
			p.Tests = append(p.Tests, res.file)
		case j.kind == roleSnapshot:
			p.Snapshots = append(p.Snapshots, res.file)
		case j.kind == roleDocs:
			p.Docs = append(p.Docs, res.file)
		case j.kind == roleFixture:
			p.Fixtures = append(p.Fixtures, res.file)
		}
	}
	for _, list := range []*[]File{&p.Models, &p.Seeds, &p.Macros, &p.Tests, &p.Snapshots, &p.Docs, &p.Fixtures} {
		sort.Slice(*list, func(i, j int) bool { return (*list)[i].Path < (*list)[j].Path })
	}
	sort.Slice(p.Properties, func(i, j int) bool { return p.Properties[i].Path < p.Properties[j].Path })
	return ds
}

// nestedRoots reports whether one resource folder lies inside another.
func nestedRoots(roots []string) bool {
	for i, a := range roots {
		for j, b := range roots {
			if i != j && (a == "." || strings.HasPrefix(path.Clean(b)+"/", path.Clean(a)+"/")) {
				return true
			}
		}
	}
	return false
}

func pathKey(r role) string {
	switch r {
	case roleModel:
		return "model-paths"
	case roleSeed:
		return "seed-paths"
	case roleMacro:
		return "macro-paths"
	case roleTest:
		return "test-paths"
	case roleSnapshot:
		return "snapshot-paths"
	}
	return "docs-paths"
}

// readJob reads one file: a resource file's text and checksum, or a parsed
// properties file. Seeds are hashed as a stream and their text is not kept.
func readJob(j *job, buf *[]byte, ix *fileIndex) result {
	unreadable := func(err error) result {
		return result{diags: diag.Diagnostics{{Severity: diag.Error, File: j.rel, Summary: "unreadable file", Detail: err.Error()}}}
	}
	f := File{Path: j.rel, RootDir: j.rootDir, RelPath: j.rel, Name: strings.TrimSuffix(j.name, path.Ext(j.name))}
	if j.rootDir != "." {
		f.RelPath = strings.TrimPrefix(j.rel, j.rootDir+"/")
	}
	var stamp fileStamp
	statted := false
	if ix != nil && !j.props && j.dirfd >= 0 {
		var e indexEntry
		var hit bool
		if e, stamp, hit, statted = ix.lookup(j.rel, j.dirfd, j.name); hit {
			f.Checksum, f.Content = e.checksum, e.content
			return result{file: f, ok: true, indexed: true, stamp: stamp}
		}
	}
	if j.kind == roleSeed {
		fh, err := os.Open(j.abs)
		if err != nil {
			return unreadable(err)
		}
		defer fh.Close()
		h := sha256.New()
		if _, err := io.Copy(h, fh); err != nil {
			return unreadable(err)
		}
		f.Checksum = hex.EncodeToString(h.Sum(nil))
		if statted {
			ix.record()
		}
		return result{file: f, ok: true, indexed: statted, stamp: stamp}
	}
	var data []byte
	var err error
	if j.dirfd >= 0 {
		// data aliases the worker's buffer: it is copied into Content below
		// and yaml.v3 copies what it keeps.
		data, err = readFileAt(j.dirfd, j.name, *buf)
		if cap(data) > cap(*buf) {
			*buf = data[:0]
		}
	} else {
		data, err = os.ReadFile(j.abs)
	}
	if err != nil {
		return unreadable(err)
	}
	if j.props {
		pf, ds := parseProperties(j.rel, data)
		return result{props: pf, diags: ds, ok: true}
	}
	sum := sha256.Sum256(data)
	f.Checksum = hex.EncodeToString(sum[:])
	f.Content = string(data)
	if statted {
		ix.record()
	}
	return result{file: f, ok: true, indexed: statted, stamp: stamp}
}

var snapshotBlockRE = regexp.MustCompile(`\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}`)

// SnapshotNames lists the names of the {% snapshot name %} blocks in a file,
// with their 1-based lines.
func SnapshotNames(content string) (names []string, lines []int) {
	if !strings.Contains(content, "snapshot") {
		return nil, nil
	}
	for _, m := range snapshotBlockRE.FindAllStringSubmatchIndex(content, -1) {
		names = append(names, content[m[2]:m[3]])
		lines = append(lines, 1+strings.Count(content[:m[0]], "\n"))
	}
	return names, lines
}

// location is where a named resource is defined.
type location struct {
	kind, file string
	line       int
}

func (l location) String() string {
	if l.line > 0 {
		return fmt.Sprintf("%s %s:%d", l.kind, l.file, l.line)
	}
	return l.kind + " " + l.file
}

// checkNames reports two resources sharing one name in the ref namespace
// (models, seeds, snapshots), properties that describe one resource twice, and
// properties that describe nothing.
func checkNames(p *Project) diag.Diagnostics {
	var ds diag.Diagnostics
	byName := make(map[string][]location, len(p.Models)+len(p.Seeds))
	names := make([]string, 0, len(p.Models)+len(p.Seeds))
	addName := func(name string, l location) {
		if _, ok := byName[name]; !ok {
			names = append(names, name)
		}
		byName[name] = append(byName[name], l)
	}
	kindNames := map[string][]string{}
	for _, f := range p.Models {
		addName(f.Name, location{kind: "model", file: f.Path})
		kindNames["model"] = append(kindNames["model"], f.Name)
	}
	for _, f := range p.Seeds {
		addName(f.Name, location{kind: "seed", file: f.Path})
		kindNames["seed"] = append(kindNames["seed"], f.Name)
	}
	for _, f := range p.Snapshots {
		ns, ls := SnapshotNames(f.Content)
		for i, n := range ns {
			addName(n, location{kind: "snapshot", file: f.Path, line: ls[i]})
			kindNames["snapshot"] = append(kindNames["snapshot"], n)
		}
	}
	for _, n := range names {
		locs := byName[n]
		if len(locs) < 2 {
			continue
		}
		strs := make([]string, len(locs))
		for i, l := range locs {
			strs[i] = l.String()
		}
		last := locs[len(locs)-1]
		ds.Add(diag.Diagnostic{Severity: diag.Error, File: last.file, Line: last.line, Summary: "duplicate name",
			Detail: fmt.Sprintf("%d resources are named %q: %s; models, seeds and snapshots share one namespace for ref(), so rename all but one",
				len(locs), n, joinAnd(strs))})
	}

	// Properties: one entry per resource across all files.
	type propLoc struct {
		file string
		line int
	}
	described := map[string]propLoc{}
	check := func(kind, name, file string, line int) bool {
		key := kind + "\x00" + name
		if prev, dup := described[key]; dup {
			if prev.file != file {
				ds.Add(diag.Diagnostic{Severity: diag.Error, File: file, Line: line, Summary: "duplicate properties",
					Detail: fmt.Sprintf("%s %q is described in both %s:%d and %s:%d; describe it in one file", kind, name, prev.file, prev.line, file, line)})
			}
			return false
		}
		described[key] = propLoc{file, line}
		return true
	}
	kindSets := map[string]map[string]bool{}
	for kind, ns := range kindNames {
		set := make(map[string]bool, len(ns))
		for _, n := range ns {
			set[n] = true
		}
		kindSets[kind] = set
	}
	unmatched := func(kind, name, file string, line int) {
		if kindSets[kind][name] {
			return
		}
		sugg := diag.Suggest(name, kindNames[kind])
		detail := fmt.Sprintf("properties describe %s %q but no %s has that name", kind, name, kind)
		if sugg != "" {
			detail += fmt.Sprintf("; did you mean %q?", sugg)
		}
		ds.Add(diag.Diagnostic{Severity: diag.Warning, File: file, Line: line, Summary: "properties for a missing " + kind, Detail: detail, Suggestion: sugg})
	}
	for _, pf := range p.Properties {
		for _, kindList := range []struct {
			kind  string
			nodes []*NodeProps
		}{{"model", pf.Models}, {"seed", pf.Seeds}, {"snapshot", pf.Snapshots}} {
			for _, np := range kindList.nodes {
				if !check(kindList.kind, np.Name, pf.Path, np.Line) {
					continue
				}
				if kindList.kind == "model" && len(np.Versions) > 0 {
					// A versioned model's files are named by its versions.
					for _, v := range np.Versions {
						file := VersionFile(np.Name, v)
						if !kindSets["model"][file] {
							ds.Add(diag.Diagnostic{Severity: diag.Error, File: pf.Path, Line: v.Line, Summary: "missing model version",
								Detail:     fmt.Sprintf("version %s of model %q is defined in %s.sql, but no model file has that name; create it, or point defined_in: at the file", v.V, np.Name, file),
								Suggestion: diag.Suggest(file, kindNames["model"])})
						}
					}
					continue
				}
				unmatched(kindList.kind, np.Name, pf.Path, np.Line)
			}
		}
		for _, s := range pf.Sources {
			for _, t := range s.Tables {
				check("source table", s.Name+"."+t.Name, pf.Path, t.Line)
			}
		}
	}
	return ds
}

// VersionFile is the name (without extension) of the file holding version v
// of model name: defined_in, else <name>_v<v>.
func VersionFile(name string, v *VersionProps) string {
	if v.DefinedIn != "" {
		return strings.TrimSuffix(v.DefinedIn, ".sql")
	}
	return name + "_v" + v.V
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// relTo is abs relative to root, slash-separated ("." for root itself).
func relTo(root, abs string) string {
	if abs == root {
		return "."
	}
	if len(abs) > len(root) && abs[:len(root)] == root && os.IsPathSeparator(abs[len(root)]) {
		return filepath.ToSlash(abs[len(root)+1:])
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}
