package deps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/strata-dev/strata/engine/diag"
)

// AddPackage is --add-package: a package to write into packages.yml.
type AddPackage struct {
	Name    string // Hub name (org/name), git URL or local path
	Version string // Hub version or range (">=0.7.0,<0.8.0"), git revision; "" for local
	Source  Source // SourceHub (default), SourceGit or SourceLocal
}

// ParseAddPackage reads --add-package NAME@VERSION with --source, as dbt
// does; the version follows the last "@" so git URLs with a user part work.
func ParseAddPackage(arg, source string) (*AddPackage, error) {
	a := &AddPackage{Name: strings.TrimSpace(arg), Source: Source(source)}
	if a.Source == "" {
		a.Source = SourceHub
	}
	if i := strings.LastIndex(a.Name, "@"); i > 0 {
		// In git@host:org/repo.git the "@" belongs to the URL.
		if rest := a.Name[i+1:]; a.Source != SourceGit || !strings.Contains(rest, ":") {
			a.Name, a.Version = a.Name[:i], rest
		}
	}
	switch a.Source {
	case SourceHub:
		if !strings.Contains(a.Name, "/") {
			return nil, diag.Invalid("bad --add-package", "%q is not a Hub name: write org/name@version, e.g. dbt-labs/dbt_utils@1.3.0", arg)
		}
		if a.Version == "" {
			return nil, diag.Invalid("bad --add-package", "a Hub package needs a version: %s@1.0.0 (or a range: %s@\">=1.0.0,<2.0.0\")", a.Name, a.Name)
		}
		if _, err := ParseRange([]string{a.Version}); err != nil {
			return nil, diag.Invalid("bad --add-package", "%v", err)
		}
	case SourceGit:
		if a.Version == "" {
			return nil, diag.Invalid("bad --add-package", "a git package needs a revision: URL@TAG, e.g. https://github.com/dbt-labs/dbt-utils.git@1.3.0")
		}
	case SourceLocal:
		if a.Version != "" {
			a.Name += "@" + a.Version // a path may hold "@"
			a.Version = ""
		}
	default:
		return nil, diag.Invalid("bad --source", "--source must be hub, git or local, got %q", source)
	}
	if a.Name == "" {
		return nil, diag.Invalid("bad --add-package", "--add-package needs a package")
	}
	return a, nil
}

func (a *AddPackage) String() string {
	if a.Version == "" {
		return a.Name
	}
	return a.Name + "@" + a.Version
}

// entry is the packages.yml entry for a.
func (a *AddPackage) entry() *yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	m := &yaml.Node{Kind: yaml.MappingNode}
	switch a.Source {
	case SourceHub:
		var version *yaml.Node
		if parts := strings.Split(a.Version, ","); len(parts) > 1 {
			version = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, p := range parts {
				n := str(strings.TrimSpace(p))
				n.Style = yaml.DoubleQuotedStyle
				version.Content = append(version.Content, n)
			}
		} else {
			version = str(a.Version)
		}
		m.Content = []*yaml.Node{str("package"), str(a.Name), str("version"), version}
	case SourceGit:
		m.Content = []*yaml.Node{str("git"), str(a.Name), str("revision"), str(a.Version)}
	case SourceLocal:
		m.Content = []*yaml.Node{str("local"), str(a.Name)}
	}
	return m
}

// apply writes a into the project's package list (the file deps reads, else
// a new packages.yml), replacing entries for the same package, and returns
// the new text; the caller writes it once the install succeeds.
func (a *AddPackage) apply(root string, list *specList, emit func(Event)) ([]byte, string, error) {
	file := list.file
	if file == "" {
		file = PackagesFile
	}
	var doc yaml.Node
	data, err := os.ReadFile(filepath.Join(root, file))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, "", fmt.Errorf("read %s: %w", file, err)
	default:
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, "", diag.From(diag.Diagnostic{File: file, Line: yamlErrLine(err), Summary: "invalid YAML", Detail: yamlErrDetail(err)})
		}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	m := doc.Content[0]
	var seq *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "packages" {
			seq = m.Content[i+1]
			if seq.Kind != yaml.SequenceNode {
				*seq = yaml.Node{Kind: yaml.SequenceNode}
			}
		}
	}
	if seq == nil {
		seq = &yaml.Node{Kind: yaml.SequenceNode}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "packages"}, seq)
	}
	kept := seq.Content[:0]
	for _, item := range seq.Content {
		if id := entryIdentifier(item); id != "" && samePackage(a.Name, id) {
			emit(Event{Kind: EventInfo, Message: fmt.Sprintf("Replacing %s in %s", displayURL(id), file)})
			continue
		}
		kept = append(kept, item)
	}
	seq.Content = append(kept, a.entry())
	seq.Style = 0
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, "", err
	}
	enc.Close()
	return b.Bytes(), file, nil
}

// entryIdentifier is the value of an entry's source key.
func entryIdentifier(item *yaml.Node) string {
	if item.Kind != yaml.MappingNode {
		return ""
	}
	for _, k := range []string{"package", "git", "local", "tarball", "private"} {
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == k {
				return item.Content[i+1].Value
			}
		}
	}
	return ""
}

// samePackage is dbt's duplicate test for --add-package: the new name, or its
// last part, in either spelling (dbt_utils, dbt-utils), appears in the
// existing entry between "/" or "." boundaries. So adding the Hub's
// dbt-labs/dbt_utils replaces a git entry for .../dbt-utils.git.
func samePackage(name, id string) bool {
	variants := []string{name, strings.ReplaceAll(name, "_", "-"), strings.ReplaceAll(name, "-", "_")}
	if i := strings.LastIndex(name, "/"); i >= 0 {
		short := name[i+1:]
		variants = append(variants, short, strings.ReplaceAll(short, "_", "-"), strings.ReplaceAll(short, "-", "_"))
	}
	for _, v := range variants {
		if v == "" {
			continue
		}
		for from := 0; ; {
			idx := strings.Index(id[from:], v)
			if idx < 0 {
				break
			}
			idx += from
			end := idx + len(v)
			if (idx == 0 || strings.ContainsRune("/.", rune(id[idx-1]))) && (end == len(id) || strings.ContainsRune("/.", rune(id[end]))) {
				return true
			}
			from = idx + 1
		}
	}
	return false
}
