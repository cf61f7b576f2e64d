package jinja

// The differential corpus: testdata/corpus/<topic>.txtar holds templates (and their render
// variables), testdata/golden/<topic>.json what real Jinja2 3.1 gives for each, configured as
// dbt configures it. testdata/oracle.py makes the goldens:
//
//	python3 engine/jinja/testdata/oracle.py
//
// One case: go test ./engine/jinja/ -run 'TestCorpus/<topic>/<case>'

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

const (
	corpusDir      = "testdata/corpus"
	corpusGolden   = "testdata/golden"
	corpusOracle   = "testdata/oracle.py"
	corpusMinCases = 1000
	// corpusRenderTimeout bounds one render, so a hanging case fails instead of stalling the run.
	corpusRenderTimeout = 10 * time.Second
)

// corpusCase is one template of the corpus.
type corpusCase struct {
	Topic, Name string
	Template    string
	VarsJSON    []byte // nil when the case has no .json file
}

func (c corpusCase) id() string { return c.Topic + "/" + c.Name }

// corpusTopic is one txtar file.
type corpusTopic struct {
	Name  string
	Cases []corpusCase
}

// oracleResult is one golden entry: Out is set for a rendering, Error (the Python exception
// class) and Message for a failure.
type oracleResult struct {
	Out     *string `json:"out,omitempty"`
	Error   string  `json:"error,omitempty"`
	Message string  `json:"message,omitempty"`
}

func (r oracleResult) String() string {
	if r.Out != nil {
		return fmt.Sprintf("output %q", *r.Out)
	}
	return fmt.Sprintf("%s: %s", r.Error, r.Message)
}

// loadCorpus reads every corpus file, checking its shape as oracle.py does.
func loadCorpus(t testing.TB) []corpusTopic {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no corpus files in %s", corpusDir)
	}
	sort.Strings(paths)
	var topics []corpusTopic
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		topic := corpusTopic{Name: strings.TrimSuffix(filepath.Base(p), ".txtar")}
		seen := map[string]bool{}
		for _, f := range ar.Files {
			switch {
			case strings.HasSuffix(f.Name, ".tmpl"):
				name := strings.TrimSuffix(f.Name, ".tmpl")
				if name == "" || seen[name] {
					t.Fatalf("%s: duplicate or empty case name %q", p, name)
				}
				seen[name] = true
				topic.Cases = append(topic.Cases, corpusCase{Topic: topic.Name, Name: name, Template: string(f.Data)})
			case strings.HasSuffix(f.Name, ".json"):
				name := strings.TrimSuffix(f.Name, ".json")
				n := len(topic.Cases)
				if n == 0 || topic.Cases[n-1].Name != name || topic.Cases[n-1].VarsJSON != nil {
					t.Fatalf("%s: %s must directly follow %s.tmpl", p, f.Name, name)
				}
				topic.Cases[n-1].VarsJSON = f.Data
			default:
				t.Fatalf("%s: file %q is neither <case>.tmpl nor <case>.json", p, f.Name)
			}
		}
		topics = append(topics, topic)
	}
	return topics
}

// loadGolden reads testdata/golden/<topic>.json (or the same file under dir).
func loadGolden(dir, topic string) (map[string]oracleResult, error) {
	data, err := os.ReadFile(filepath.Join(dir, topic+".json"))
	if err != nil {
		return nil, err
	}
	var g map[string]oracleResult
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("%s.json: %v", topic, err)
	}
	return g, nil
}

// decodeVars decodes render variables as Python's json.loads does: integers (no '.', 'e' or
// 'E') become int64, other numbers float64. An integer too large for int64 stays a float64.
func decodeVars(data []byte) (map[string]any, error) {
	if data == nil {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("extra data after the JSON object")
	}
	if v == nil {
		return nil, errors.New("variables must be a JSON object")
	}
	return convertNumbers(v).(map[string]any), nil
}

func convertNumbers(x any) any {
	switch t := x.(type) {
	case json.Number:
		s := t.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, v := range t {
			t[k] = convertNumbers(v)
		}
		return t
	case []any:
		for i, v := range t {
			t[i] = convertNumbers(v)
		}
		return t
	}
	return x
}

// engineRun parses and renders one template with dbt's environment. A panic in the engine is
// turned into an error (not an *Error, so it never matches a golden error).
func engineRun(name, src string, vars map[string]any, timeout time.Duration) (out string, err error) {
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("engine panic: %v", p)}
			}
			done <- r
		}()
		env := NewEnvironment()
		tmpl, err := env.Parse(name, src)
		if err != nil {
			r.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		r.out, r.err = tmpl.Render(ctx, vars)
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-time.After(timeout + 5*time.Second):
		return "", fmt.Errorf("engine did not return within %v", timeout+5*time.Second)
	}
}

// matchResult says whether the engine's outcome agrees with the oracle's, and describes what
// the engine gave.
func matchResult(want oracleResult, out string, err error) (bool, string) {
	var got string
	var kind string
	if err != nil {
		var je *Error
		if errors.As(err, &je) {
			kind = je.Kind
			got = fmt.Sprintf("%s: %v", je.Kind, err)
		} else {
			got = fmt.Sprintf("error that is not a *jinja.Error: %v", err)
		}
	} else {
		got = fmt.Sprintf("output %q", out)
	}
	switch {
	case want.Out != nil:
		return err == nil && out == *want.Out, got
	case want.Error != "":
		return err != nil && kind == want.Error, got
	}
	return false, got
}

// TestCorpus renders every corpus case with the engine and compares with Jinja2's result:
// output byte for byte, or the exception class for an error.
func TestCorpus(t *testing.T) {
	topics := loadCorpus(t)
	total, failed := 0, 0
	perTopic := map[string]int{}
	for _, topic := range topics {
		golden, err := loadGolden(corpusGolden, topic.Name)
		if err != nil {
			t.Errorf("golden for %s: %v (regenerate with: python3 engine/jinja/testdata/oracle.py)", topic.Name, err)
			continue
		}
		t.Run(topic.Name, func(t *testing.T) {
			for _, c := range topic.Cases {
				t.Run(c.Name, func(t *testing.T) {
					want, ok := golden[c.Name]
					if !ok {
						t.Fatalf("%s has no golden (regenerate with: python3 engine/jinja/testdata/oracle.py)", c.id())
					}
					total++
					vars, err := decodeVars(c.VarsJSON)
					if err != nil {
						t.Fatalf("%s.json: %v", c.id(), err)
					}
					out, rerr := engineRun(c.id(), c.Template, vars, corpusRenderTimeout)
					if ok, got := matchResult(want, out, rerr); !ok {
						failed++
						perTopic[topic.Name]++
						t.Errorf("%s differs from Jinja2\ntemplate:\n%s\nvars: %s\nwant: %s\ngot:  %s",
							c.id(), indentBlock(c.Template), strings.TrimSpace(string(c.VarsJSON)), want, got)
					}
				})
			}
		})
	}
	if failed > 0 {
		var parts []string
		for _, topic := range topics {
			if n := perTopic[topic.Name]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", topic.Name, n))
			}
		}
		t.Errorf("corpus: %d of %d cases differ from Jinja2 (%s)", failed, total, strings.Join(parts, ", "))
	} else {
		t.Logf("corpus: all %d cases agree with Jinja2", total)
	}
}

func indentBlock(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return "    | " + strings.ReplaceAll(s, "\n", "\n    | ")
}

// TestCorpusComplete fails when the corpus is too small, or when cases and goldens do not
// correspond one to one, so goldens cannot silently go stale.
func TestCorpusComplete(t *testing.T) {
	topics := loadCorpus(t)
	total := 0
	names := map[string]bool{}
	for _, topic := range topics {
		names[topic.Name+".json"] = true
		total += len(topic.Cases)
		golden, err := loadGolden(corpusGolden, topic.Name)
		if err != nil {
			t.Errorf("topic %s: %v", topic.Name, err)
			continue
		}
		inCorpus := map[string]bool{}
		for _, c := range topic.Cases {
			inCorpus[c.Name] = true
			g, ok := golden[c.Name]
			switch {
			case !ok:
				t.Errorf("%s has no golden", c.id())
			case (g.Out != nil) == (g.Error != ""):
				t.Errorf("%s: golden must have exactly one of out and error: %+v", c.id(), g)
			}
			if _, err := decodeVars(c.VarsJSON); err != nil {
				t.Errorf("%s.json: %v", c.id(), err)
			}
		}
		for name := range golden {
			if !inCorpus[name] {
				t.Errorf("golden %s/%s has no corpus case", topic.Name, name)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(corpusGolden, "*.json"))
	for _, f := range files {
		if !names[filepath.Base(f)] {
			t.Errorf("golden file %s has no corpus file", f)
		}
	}
	if total < corpusMinCases {
		t.Errorf("corpus has %d cases; it must have at least %d", total, corpusMinCases)
	}
	if t.Failed() {
		t.Log("regenerate the goldens with: python3 engine/jinja/testdata/oracle.py")
	} else {
		t.Logf("corpus: %d topics, %d cases", len(topics), total)
	}
}

// findJinja2 returns the python3 to run oracle.py with, or skips the test when python3 or
// Jinja2 3.1 is missing.
func findJinja2(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipping: python3 is not installed (needed with Jinja2 3.1 to run testdata/oracle.py)")
	}
	out, err := exec.Command(py, "-c", "import jinja2, sys; sys.stdout.write(jinja2.__version__)").Output()
	if err != nil {
		t.Skipf("skipping: python3 cannot import Jinja2 (pip install 'Jinja2==3.1.*'): %v", err)
	}
	if v := string(out); !strings.HasPrefix(v, "3.1.") {
		t.Skipf("skipping: python3 has Jinja2 %s; the goldens are made with Jinja2 3.1", v)
	}
	return py
}

// TestCorpusGoldensFresh re-runs the oracle into a temporary directory and checks that the
// committed goldens are exactly what Jinja2 gives today.
func TestCorpusGoldensFresh(t *testing.T) {
	py := findJinja2(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, corpusOracle, "--golden", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oracle.py failed: %v\n%s", err, out)
	}
	fresh, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	committed, _ := filepath.Glob(filepath.Join(corpusGolden, "*.json"))
	base := func(paths []string) map[string]bool {
		m := map[string]bool{}
		for _, p := range paths {
			m[filepath.Base(p)] = true
		}
		return m
	}
	freshSet, committedSet := base(fresh), base(committed)
	for name := range committedSet {
		if !freshSet[name] {
			t.Errorf("committed golden %s is not produced by the oracle (stale)", name)
		}
	}
	for _, p := range fresh {
		name := filepath.Base(p)
		if !committedSet[name] {
			t.Errorf("golden %s is missing from %s", name, corpusGolden)
			continue
		}
		want, _ := os.ReadFile(p)
		got, _ := os.ReadFile(filepath.Join(corpusGolden, name))
		if bytes.Equal(want, got) {
			continue
		}
		topic := strings.TrimSuffix(name, ".json")
		fg, err1 := loadGolden(dir, topic)
		cg, err2 := loadGolden(corpusGolden, topic)
		if err1 != nil || err2 != nil {
			t.Errorf("golden %s differs from a fresh oracle run", name)
			continue
		}
		var keys []string
		for k := range fg {
			keys = append(keys, k)
		}
		for k := range cg {
			if _, ok := fg[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		shown := 0
		for _, k := range keys {
			f, fok := fg[k]
			c, cok := cg[k]
			if fok && cok && f.String() == c.String() {
				continue
			}
			if shown++; shown > 20 {
				t.Errorf("%s: more differences not shown", topic)
				break
			}
			switch {
			case !cok:
				t.Errorf("%s/%s: missing from the committed golden; oracle gives %s", topic, k, f)
			case !fok:
				t.Errorf("%s/%s: committed golden has a case the corpus no longer has", topic, k)
			default:
				t.Errorf("%s/%s: committed golden says %s; oracle gives %s", topic, k, c, f)
			}
		}
		if shown == 0 {
			t.Errorf("golden %s differs from a fresh oracle run in layout only", name)
		}
	}
	if t.Failed() {
		t.Log("regenerate the goldens with: python3 engine/jinja/testdata/oracle.py")
	}
}
