package deps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/diag"
)

// lockEntry is one package of package-lock.yml, as dbt 1.7+ writes it:
// the resolved package with its installed folder name.
type lockEntry struct {
	Source       Source
	Name         string
	Package      string // hub
	Version      string // hub: the exact version
	Git          string // git: the URL as written (templates unrendered)
	Private      string
	Provider     string
	Revision     string // git, private: the commit
	Subdirectory string
	Local        string
	Tarball      string // as written
	Line         int
}

// fields is the entry as dbt writes it, keys in dbt's (sorted) order.
func (e *lockEntry) fields() [][2]string {
	var f [][2]string
	add := func(k, v string) {
		if v != "" {
			f = append(f, [2]string{k, v})
		}
	}
	switch e.Source {
	case SourceHub:
		add("package", e.Package)
		add("version", e.Version)
	case SourceGit:
		add("git", e.Git)
		add("revision", e.Revision)
		add("subdirectory", e.Subdirectory)
	case SourcePrivate:
		add("private", e.Private)
		add("provider", e.Provider)
		add("revision", e.Revision)
		add("subdirectory", e.Subdirectory)
	case SourceLocal:
		add("local", e.Local)
	case SourceTarball:
		add("tarball", e.Tarball)
	}
	add("name", e.Name)
	sort.Slice(f, func(i, j int) bool { return f[i][0] < f[j][0] })
	return f
}

// lockFile is a parsed package-lock.yml.
type lockFile struct {
	Entries []*lockEntry
	Hash    string
}

// readLock reads dir's package-lock.yml; a missing file is (nil, nil).
func readLock(dir string) (*lockFile, error) {
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", LockFile, err)
	}
	return parseLock(data)
}

func parseLock(data []byte) (*lockFile, error) {
	bad := func(line int, format string, args ...any) error {
		return diag.From(diag.Diagnostic{File: LockFile, Line: line, Summary: "invalid lock file",
			Detail: fmt.Sprintf(format, args...) + "; delete " + LockFile + " and run strata deps to write it again"})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, bad(yamlErrLine(err), "%s", yamlErrDetail(err))
	}
	lf := &lockFile{}
	if len(doc.Content) == 0 {
		return lf, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, bad(root.Line, "it must be a mapping with packages: and sha1_hash:")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "sha1_hash":
			lf.Hash = v.Value
		case "packages":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				return nil, bad(v.Line, "packages: must be a list")
			}
			for _, item := range v.Content {
				var m map[string]any
				if item.Kind != yaml.MappingNode || item.Decode(&m) != nil {
					return nil, bad(item.Line, "each package must be a mapping")
				}
				e := &lockEntry{Line: item.Line}
				str := func(k string) string {
					if x, ok := m[k]; ok && x != nil {
						return pyStr(x)
					}
					return ""
				}
				e.Name, e.Revision, e.Subdirectory = str("name"), str("revision"), str("subdirectory")
				switch {
				case m["package"] != nil:
					e.Source, e.Package, e.Version = SourceHub, str("package"), str("version")
				case m["git"] != nil:
					e.Source, e.Git = SourceGit, str("git")
				case m["private"] != nil:
					e.Source, e.Private, e.Provider = SourcePrivate, str("private"), str("provider")
				case m["local"] != nil:
					e.Source, e.Local = SourceLocal, str("local")
				case m["tarball"] != nil:
					e.Source, e.Tarball = SourceTarball, str("tarball")
				default:
					return nil, bad(item.Line, "an entry has none of package:, git:, private:, local: or tarball:")
				}
				if e.Source == SourceHub && e.Version == "" {
					return nil, bad(item.Line, "%s has no version", e.Package)
				}
				lf.Entries = append(lf.Entries, e)
			}
		}
	}
	return lf, nil
}

// encode writes the lock as dbt does: packages (keys sorted, the list indented
// under its key), then sha1_hash.
func (lf *lockFile) encode() []byte {
	scalar := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range lf.Entries {
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range e.fields() {
			m.Content = append(m.Content, scalar(f[0]), scalar(f[1]))
		}
		seq.Content = append(seq.Content, m)
	}
	if len(seq.Content) == 0 {
		seq.Style = yaml.FlowStyle
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("packages"), seq, scalar("sha1_hash"), scalar(lf.Hash)}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.Encode(root)
	enc.Close()
	return b.Bytes()
}

// writeFileAtomic replaces path with data through a temporary file and a
// rename, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		mode := os.FileMode(0o644)
		if st, serr := os.Stat(path); serr == nil {
			mode = st.Mode().Perm()
		}
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
