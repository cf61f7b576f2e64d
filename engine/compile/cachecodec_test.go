package compile

import (
	"reflect"
	"testing"

	"github.com/strata-dev/strata/engine/diag"
)

func TestParseCacheCodecRoundTrip(t *testing.T) {
	in := &parseCache{Version: parseCacheVersion, RunKey: "rk", Nodes: []cachedNode{
		{ID: "model.p.a", Key: "k1", Out: "select * from \x00model.p.b\x00", Cfg: []byte(`{"materialized":"table"}`),
			Refs: []string{"model.p.b"}, Sources: []string{"source.p.s.t"}, Macros: []string{"macro.p.m", "macro.dbt.x"},
			Rerender: true, Dynamic: true,
			Warnings: []diag.Diagnostic{{Severity: diag.Warning, Summary: "s", Detail: "d ü", File: "models/a.sql", Line: 3, Col: 7, Suggestion: "b"}}},
		{ID: "model.p.b", Key: "k2", Out: "", UsedIncr: true},
	}}
	data := encodeParseCache(in)
	out, err := decodeParseCache(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Nodes, in.Nodes) || out.RunKey != in.RunKey || out.Version != in.Version {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
}

func TestParseCacheCodecRejectsDamage(t *testing.T) {
	good := encodeParseCache(&parseCache{Version: parseCacheVersion, RunKey: "rk", Nodes: []cachedNode{{ID: "model.p.a", Key: "k", Out: "select 1"}}})
	cases := map[string][]byte{
		"empty":      nil,
		"truncated":  good[:len(good)-3],
		"no magic":   append([]byte("x"), good[1:]...),
		"flipped":    flip(good, len(cacheMagic)+5),
		"old format": []byte("\x0e\xff\x81\x03\x01\x01\x0aparseCache"),
	}
	for name, data := range cases {
		if c, err := decodeParseCache(data); err == nil {
			t.Errorf("%s: decoded %+v, want an error", name, c)
		}
	}
	other := encodeParseCache(&parseCache{Version: "strata-partial-parse-0", RunKey: "rk"})
	if _, err := decodeParseCache(other); err == nil {
		t.Error("a cache of another version must not be read")
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}
