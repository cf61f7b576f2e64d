package artifact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

// referenceManifest is manifest.json as encoding/json writes it from the tagged
// structs: the definition the hand-written encoder must match byte for byte.
func referenceManifest(t *testing.T, m *manifest.Manifest) []byte {
	t.Helper()
	v := struct {
		*manifest.Manifest
		Exposures      map[string]any             `json:"exposures"`
		Groups         map[string]*manifest.Group `json:"groups"`
		GroupMap       map[string][]string        `json:"group_map"`
		UnitTests      map[string]any             `json:"unit_tests"`
		Metrics        map[string]any             `json:"metrics"`
		Selectors      map[string]any             `json:"selectors"`
		Disabled       map[string]any             `json:"disabled"`
		SemanticModels map[string]any             `json:"semantic_models"`
		SavedQueries   map[string]any             `json:"saved_queries"`
	}{m, exposureViews(m), orEmptyGroups(m.Groups), groupMap(m), unitTestViews(m),
		map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tricky strings exercise every escaping rule of encoding/json.
var tricky = []string{"", "plain", "q\"b\\s", "ctl\b\f\n\r\t\x00\x1f", "<html>&", "ünï©ødé", "sep\u2028\u2029", "bad\xffutf8\xc3"}

// fill sets every exported field reachable from v to a non-zero value, so a
// field the hand-written encoder forgets shows up as a difference.
func fill(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", tricky[seed%len(tricky)], seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(int64(seed + 1))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), seed+1)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed+i)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), seed+i)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 3 {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, seed+i*7)
			e := reflect.New(v.Type().Elem()).Elem()
			if v.Type().Elem().Kind() == reflect.Interface {
				if a := anyValue(seed + i); a != nil {
					e.Set(reflect.ValueOf(a))
				}
			} else {
				fill(e, seed+i)
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// anyValue returns the shapes YAML and templates put into map[string]any.
func anyValue(i int) any {
	switch i % 9 {
	case 0:
		return tricky[i%len(tricky)]
	case 1:
		return i%2 == 0
	case 2:
		return i
	case 3:
		return 1.5e21
	case 4:
		return []any{"a", 2, nil, map[string]any{"k<": "v>"}}
	case 5:
		return map[string]any{"z": []string{"x", "y"}, "a": nil}
	case 6:
		return nil
	case 7:
		return []any(nil)
	default:
		return map[string]int{"b": 2, "a": 1}
	}
}

func TestManifestJSONMatchesEncodingJSON(t *testing.T) {
	full := manifest.New()
	fill(reflect.ValueOf(full).Elem(), 0)
	// Enough nodes to take the concurrent path.
	for i := range 1500 {
		n := &manifest.Node{}
		fill(reflect.ValueOf(n).Elem(), i)
		full.Nodes[fmt.Sprintf("model.p.n%04d", i)] = n
	}

	empty := manifest.New()
	empty.Nodes["model.p.zero"] = &manifest.Node{}
	empty.Nodes["model.p.nil"] = nil
	empty.Sources["source.p.s"] = &manifest.Node{TestMetadata: &manifest.TestMetadata{},
		Freshness: &manifest.Freshness{ErrorAfter: &manifest.Period{}}, Columns: map[string]*manifest.Column{"c": nil, "d": {}}}
	empty.Macros["macro.p.m"] = &manifest.Macro{}
	empty.Docs["doc.p.d"] = &manifest.Doc{}

	for name, m := range map[string]*manifest.Manifest{"full": full, "empty": empty, "nil maps": {}} {
		want := referenceManifest(t, m)
		parts, err := encodeManifest(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := bytes.Join(parts, nil)
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			lo := max(i-200, 0)
			t.Errorf("%s: differs at byte %d:\n got  ...%s\n want ...%s", name, i,
				got[lo:min(i+200, len(got))], want[lo:min(i+200, len(want))])
		}
	}
}

func TestManifestJSONRejectsWhatEncodingJSONRejects(t *testing.T) {
	m := manifest.New()
	m.Nodes["model.p.a"] = &manifest.Node{Meta: map[string]any{"x": math.NaN()}}
	if _, err := encodeManifest(m); err == nil {
		t.Error("a NaN in meta encoded without error")
	}
}

// TestManifestResourcesShape checks the dbt field names of the maps strata
// writes through views: exposures, unit_tests, groups and group_map.
func TestManifestResourcesShape(t *testing.T) {
	m := manifest.New()
	m.Nodes["model.p.m"] = &manifest.Node{UniqueID: "model.p.m", Version: "2", LatestVersion: "2", Access: "private", Group: "fin",
		Contract: &manifest.Contract{Enforced: true, AliasTypes: true}, Config: manifest.Config{Group: "fin"},
		Constraints: []manifest.Constraint{{Type: "primary_key", Columns: []string{"id"}, WarnUnenforced: true, WarnUnsupported: true}}}
	m.Exposures["exposure.p.kpis"] = &manifest.Node{UniqueID: "exposure.p.kpis", Name: "kpis", ResourceType: manifest.Exposure,
		DependsOn: manifest.DependsOn{Nodes: []string{"model.p.m"}}, Refs: []manifest.RefCall{{Name: "m"}},
		Exposure: &manifest.ExposureInfo{Type: "dashboard", Label: "KPIs", Maturity: "high", URL: "https://bi/1", Owner: manifest.Owner{Name: "Ana"}}}
	m.UnitTests["unit_test.p.m.t"] = &manifest.Node{UniqueID: "unit_test.p.m.t", Name: "t", ResourceType: manifest.UnitTest,
		UnitTest: &manifest.UnitTestDef{Model: "m", ModelID: "model.p.m", Version: "2",
			Given:  []manifest.UnitInput{{Input: "ref('a')", Format: "csv", Raw: "id\n1\n"}},
			Expect: manifest.UnitInput{Format: "dict", Raw: []any{map[string]any{"id": 1}}}}}
	m.Groups["group.p.fin"] = &manifest.Group{UniqueID: "group.p.fin", Name: "fin", ResourceType: manifest.GroupType, Owner: manifest.Owner{Email: "f@x"}}
	parts, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(bytes.Join(parts, nil), &got); err != nil {
		t.Fatal(err)
	}
	node := got["nodes"].(map[string]any)["model.p.m"].(map[string]any)
	if node["version"] != 2.0 || node["access"] != "private" || node["group"] != "fin" ||
		node["contract"].(map[string]any)["enforced"] != true || node["constraints"].([]any)[0].(map[string]any)["type"] != "primary_key" {
		t.Errorf("model governance fields: %v", node)
	}
	x := got["exposures"].(map[string]any)["exposure.p.kpis"].(map[string]any)
	if x["type"] != "dashboard" || x["label"] != "KPIs" || x["maturity"] != "high" || x["url"] != "https://bi/1" ||
		x["owner"].(map[string]any)["name"] != "Ana" || x["resource_type"] != "exposure" ||
		x["depends_on"].(map[string]any)["nodes"].([]any)[0] != "model.p.m" {
		t.Errorf("exposure: %v", x)
	}
	u := got["unit_tests"].(map[string]any)["unit_test.p.m.t"].(map[string]any)
	given := u["given"].([]any)[0].(map[string]any)
	if u["model"] != "m" || u["resource_type"] != "unit_test" || given["input"] != "ref('a')" || given["format"] != "csv" ||
		given["rows"] != "id\n1\n" || u["depends_on"].(map[string]any)["nodes"].([]any)[0] != "model.p.m" || u["version"] != 2.0 {
		t.Errorf("unit test: %v", u)
	}
	if g := got["groups"].(map[string]any)["group.p.fin"].(map[string]any); g["resource_type"] != "group" || g["owner"].(map[string]any)["email"] != "f@x" {
		t.Errorf("group: %v", g)
	}
	if gm := got["group_map"].(map[string]any)["fin"].([]any); len(gm) != 1 || gm[0] != "model.p.m" {
		t.Errorf("group_map: %v", got["group_map"])
	}
}

// TestStrMatchesEncodingJSON: the string writer (with its eight-bytes-at-a-
// time fast path) quotes every byte value, in every position of a word, and
// random mixes of ASCII, controls, quotes, backslashes, UTF-8 and invalid
// bytes exactly as encoding/json does with HTML escaping off.
func TestStrMatchesEncodingJSON(t *testing.T) {
	want := func(s string) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
	check := func(s string) {
		t.Helper()
		w := &jsonWriter{}
		w.str(s)
		if got := string(w.b); got != want(s) {
			t.Fatalf("str(%q) = %s, want %s", s, got, want(s))
		}
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte(strings.Repeat("abcdefgh", 3))
			b[pos] = byte(c)
			check(string(b))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", "\"", "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "€", "\u2028", "\u2029", "\xff", "\xe2\x82", "<", "&"}
	for range 3000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		check(sb.String())
	}
}

// parent_map and child_map are written from the graph BuildDAG made, as
// encoding/json writes the maps Maps builds of it.
func TestManifestJSONMapsFromTheGraph(t *testing.T) {
	m := manifest.New()
	m.Sources["source.p.s.t"] = &manifest.Node{UniqueID: "source.p.s.t", ResourceType: manifest.Source}
	for i := range 1500 {
		n := &manifest.Node{UniqueID: fmt.Sprintf("model.p.n%04d", i), ResourceType: manifest.Model}
		if i == 0 {
			n.DependsOn.Nodes = []string{"source.p.s.t"}
		} else {
			n.DependsOn.Nodes = []string{fmt.Sprintf("model.p.n%04d", i/2), fmt.Sprintf("model.p.n%04d", i/3)}
		}
		m.Nodes[n.UniqueID] = n
	}
	if _, ds := manifest.BuildDAG(m); ds.HasErrors() {
		t.Fatal(ds)
	}
	if m.ParentMap != nil || m.Graph == nil {
		t.Fatal("BuildDAG should leave the maps to the graph")
	}
	parts, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	got := bytes.Join(parts, nil)
	m.ParentMap, m.ChildMap = m.Maps()
	if len(m.ParentMap) != 1501 || len(m.ChildMap["model.p.n0001"]) != 4 {
		t.Fatalf("Maps: %d parents, n0001's children %v", len(m.ParentMap), m.ChildMap["model.p.n0001"])
	}
	if want := referenceManifest(t, m); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("differs at byte %d:\n got  ...%s\n want ...%s", i, got[max(i-100, 0):min(i+100, len(got))], want[max(i-100, 0):min(i+100, len(want))])
	}
}
