package artifact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

// referenceManifest is manifest.json as encoding/json writes it from the tagged
// structs: the definition the hand-written encoder must match byte for byte.
func referenceManifest(t *testing.T, m *manifest.Manifest) []byte {
	t.Helper()
	v := struct {
		*manifest.Manifest
		Exposures      map[string]any `json:"exposures"`
		Metrics        map[string]any `json:"metrics"`
		Groups         map[string]any `json:"groups"`
		Selectors      map[string]any `json:"selectors"`
		Disabled       map[string]any `json:"disabled"`
		GroupMap       map[string]any `json:"group_map"`
		SemanticModels map[string]any `json:"semantic_models"`
		SavedQueries   map[string]any `json:"saved_queries"`
		UnitTests      map[string]any `json:"unit_tests"`
	}{m, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}
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
