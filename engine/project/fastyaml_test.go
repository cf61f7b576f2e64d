package project

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameNode compares what the loader reads of a node: kind, tag, value, style,
// position and children (comments are not kept by the fast path).
func sameNode(a, b *yaml.Node, path string) error {
	if a == nil || b == nil {
		if a != b {
			return fmt.Errorf("%s: fast %v, yaml.v3 %v", path, a, b)
		}
		return nil
	}
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: fast {kind %v tag %s value %q style %v at %d:%d, %d children} yaml.v3 {kind %v tag %s value %q style %v at %d:%d, %d children}",
			path, a.Kind, a.Tag, a.Value, a.Style, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Style, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if err := sameNode(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

func referenceParse(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// checkFast asserts that whenever the fast path accepts input, it builds the
// very tree yaml.v3 builds. It returns whether the fast path accepted it.
func checkFast(t *testing.T, name, input string) bool {
	t.Helper()
	got, ok := fastParse([]byte(input))
	if !ok {
		return false
	}
	want, err := referenceParse([]byte(input))
	if err != nil {
		t.Errorf("%s: fast path accepted input yaml.v3 rejects (%v):\n%s", name, err, input)
		return true
	}
	if err := sameNode(got, want, name); err != nil {
		t.Errorf("%v\ninput:\n%s", err, input)
	}
	return true
}

var fastCases = []string{
	"a: 1\n",
	"a:\nb: 1\n",
	"a:\n- x\n-\n- y: 1\n  z:\nc: [a, 'b', {d: e}]\n",
	"- a: 1\n  b: 2\n",
	"k: ''\nj: \"\"\nz: # c\n  - 1\n",
	"a: b # c\n",
	"# head\n\nversion: 2\n\nmodels:\n  # a comment\n  - name: m   # trailing\n    description: \"It's: quoted\"\n    tests: [unique, not_null]\n",
	"a: 'it''s'\nb: \"x # not a comment\"\nc: x#y\nd: http://example.com/x\ne: -5\nf: 1.5e3\ng: true\nh: ~\ni: null\nj: 2024-01-01\nk: 0x1F\nl: yes\n",
	"root:\n    deep:\n        deeper: [1, [2, 3], {a: [b]}]\n    back: here\n",
	"a: {}\nb: []\nc: { x: 1 , y: 'z' }\nd: [ 1 ,2 ]\n",
	"desc: P&L > 100% of the * time | ok\n",
	"- - \n",
	"names: [a b, c d]\n",
	"émoji: café — ünïcode\nnext: [ä, 'ö']\n",
	"list:\n  -   spaced: 1\n      more: 2\n  - x\n",
	"  indented_root: 1\n  second: 2\n",
	"a:\n  - b\n  -\n    c: 1\n",
	"key with spaces: value with spaces\n1: one\ntrue: yes\n",
	"a: 1\n...\n",
	"a: [x, y,]\n",
	"a: {x}\n",
	"a: \"unterminated\n",
	"a: b: c\n",
	"a:\n  b: 1\n c: 2\n",
	"a: x\n  continued\n",
	"- a\nb: 1\n",
	"a: \"tab\tinside\"\n",
	"\"quoted key\": 1\n'single': [x]\n\"+post-hook\":\n  - a\n\"x\":y\n",
	"\"a\" : 1\n",
}

var fastRejected = []string{
	"a: &x 1\nb: *x\n",
	"a: !tag 1\n",
	"a: |\n  block\n",
	"a: >\n  folded\n",
	"a: x\n  continued\n",
	"a: \"multi\n  line\"\n",
	"a: \"esc\\n\"\n",
	"? complex\n: key\n",
	"a: {{ jinja }}\n",
	"a:\n\tb: 1\n",
	"---\na: 1\n",
	"a: b: c\n",
	"<<: {a: 1}\n",
	"a:\n  b: 1\n c: 2\n",
}

func TestFastParseMatchesYAMLv3(t *testing.T) {
	for i, in := range fastCases {
		checkFast(t, fmt.Sprintf("case %d", i), in)
	}
	for i, in := range fastRejected {
		if checkFast(t, fmt.Sprintf("rejected case %d", i), in) {
			t.Errorf("fast path accepted input it should leave to yaml.v3:\n%s", in)
		}
	}
	// The shapes properties files are written in must take the fast path.
	for name, in := range map[string]string{"propsFile": propsFile, "folderProject": folderProject} {
		if !checkFast(t, name, in) {
			t.Errorf("%s did not take the fast path", name)
		}
	}
}

// TestFastParseCorpus runs every YAML file of this repository through both
// parsers.
func TestFastParseCorpus(t *testing.T) {
	root, _ := filepath.Abs("../..")
	fast, total := 0, 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "target") {
			return fs.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			total++
			if checkFast(t, p, string(data)) {
				fast++
			}
		}
		return nil
	})
	t.Logf("fast path took %d of %d YAML files", fast, total)
}

// TestFastParseLineMutations cuts and dents every line of a realistic file to
// compare both parsers on many near-miss inputs.
func TestFastParseLineMutations(t *testing.T) {
	lines := strings.Split(propsFile, "\n")
	n, accepted := 0, 0
	for i := range lines {
		for _, mut := range []func(string) string{
			func(s string) string { return " " + s },
			func(s string) string { return strings.TrimPrefix(s, " ") },
			func(s string) string { return s + " # c" },
			func(s string) string { return s + ":" },
			func(s string) string { return strings.Replace(s, ": ", ":", 1) },
			func(s string) string { return strings.Replace(s, "- ", "-", 1) },
			func(s string) string { return "" },
		} {
			m := append([]string(nil), lines...)
			m[i] = mut(m[i])
			if checkFast(t, fmt.Sprintf("line %d", i+1), strings.Join(m, "\n")) {
				accepted++
			}
			n++
		}
	}
	t.Logf("%d mutated inputs, %d taken by the fast path and compared", n, accepted)
	if accepted < n/2 {
		t.Errorf("only %d of %d mutations took the fast path: the comparison says little", accepted, n)
	}
}

// FuzzFastParse compares the two parsers on arbitrary input:
// go test -fuzz FuzzFastParse -fuzztime 60s ./engine/project/
func FuzzFastParse(f *testing.F) {
	for _, s := range append(append([]string{propsFile, folderProject}, fastCases...), fastRejected...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkFast(t, "fuzz", in)
	})
}
