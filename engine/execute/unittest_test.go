package execute

import (
	"encoding/json"
	"testing"

	"github.com/strata-dev/strata/engine/manifest"
)

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[any]any{
		"1000.00": "1000", json.Number("0.2500"): "0.25", "-0.0": "0", "12": "12", int64(7): "7", "abc": "abc", "1e5": "1e5",
	} {
		if got := canonicalNumber(in); got != want {
			t.Errorf("canonicalNumber(%v) = %v, want %v", in, got, want)
		}
	}
	if canonicalNumber(nil) != nil {
		t.Error("null must stay null")
	}
	for typ, want := range map[string]bool{"DECIMAL(18,2)": true, "numeric": true, "NUMBER": true, "INTEGER": false, "varchar": false} {
		if numericType(typ) != want {
			t.Errorf("numericType(%q) = %v", typ, !want)
		}
	}
}

func TestDisplayName(t *testing.T) {
	ut := &manifest.Node{ResourceType: manifest.UnitTest, Name: "t", UnitTest: &manifest.UnitTestDef{Model: "m"}}
	v := &manifest.Node{ResourceType: manifest.Model, Name: "m", Version: "2"}
	if displayName(ut) != "m::t" || displayName(v) != "m.v2" || displayName(&manifest.Node{Name: "x"}) != "x" {
		t.Errorf("names: %q %q", displayName(ut), displayName(v))
	}
}
