package jsontree

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// toAny turns a tree into what encoding/json decodes (numbers as text).
func toAny(v *Value) any {
	switch v.Kind {
	case Null:
		return nil
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Str)
	case String:
		return v.Str
	case Array:
		out := []any{}
		for _, x := range v.Items {
			out = append(out, toAny(x))
		}
		return out
	}
	out := map[string]any{}
	for i, k := range v.Keys {
		out[k] = toAny(v.Vals[i])
	}
	return out
}

// TestParseMatchesEncodingJSON: every document decodes to what
// encoding/json gives, escapes and surrogate pairs included.
func TestParseMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `null`, `true`, `-12.5e3`, `"plain"`,
		`{"a": [1, 2, {"b": null}], "c": "x\"y\\z\/\n\t\u00e9\ud83d\ude00", "d": false}`,
		` { "nested" : [ [ [ ] ] , { } ] } `,
		`{"class":"COLUMN_REF","column_names":["t","Über"]}`,
	}
	for _, doc := range docs {
		v, err := Parse(doc)
		if err != nil {
			t.Errorf("Parse(%s): %v", doc, err)
			continue
		}
		d := json.NewDecoder(strings.NewReader(doc))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if got := toAny(v); !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %#v, want %#v", doc, got, want)
		}
	}
}

func TestParseRejectsBadJSON(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"a"}`, `{"a":1,}x`, `[1 2]`, `"open`, `{"a":1} x`, `"\q"`, "\"a\x01\"", `tru`} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", doc)
		}
	}
}

func TestGet(t *testing.T) {
	v, err := Parse(`{"a":{"b":["x","y",3]},"t":true}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Get("a").Get("b").Texts(); !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Errorf("texts = %v", got)
	}
	if !v.Get("t").True() || v.Get("missing").True() || v.Get("missing").Get("deeper").Text() != "" {
		t.Error("lookups on missing members must be nil-safe and false")
	}
}
