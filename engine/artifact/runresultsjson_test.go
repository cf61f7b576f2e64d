package artifact

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/result"
)

// The hand-written run_results encoder must write what encoding/json wrote
// before it, byte for byte: tools and tests read the file's layout.
func TestEncodeRunResultsMatchesEncodingJSON(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	at := time.Date(2026, 12, 7, 6, 55, 43, 123456789, time.UTC)
	cases := map[string]*result.RunResults{
		"empty":                {Results: []*result.NodeResult{}, Args: map[string]any{}},
		"nil args and results": {},
		"mixed": {
			Metadata:    result.Metadata{DbtSchemaVersion: RunResultsSchema, StrataVersion: "0.1.0", GeneratedAt: "2026-12-07T06:55:43Z", InvocationID: "abc"},
			ElapsedTime: 12.5,
			Args:        map[string]any{"which": "build", "select": []string{"a", "b+"}, "threads": 4, "vars": map[string]any{"x": 1.5, "<tag>": "a&b"}},
			Results: []*result.NodeResult{
				{UniqueID: "model.p.a", Status: result.Success, ThreadID: "Thread-1", ExecutionTime: 0.000345,
					Timing:          []result.Timing{{Name: "execute", StartedAt: at, CompletedAt: at.Add(345 * time.Microsecond)}},
					AdapterResponse: result.AdapterResponse{Message: "CREATE VIEW", RowsAffected: i64(-1)},
					RelationName:    `"db"."s"."a"`, CompiledCode: "select '<a>' as \"x\"\n\tfrom t -- é \u2028 \x01 \xff"},
				{UniqueID: "test.p.t", Status: result.Fail, Failures: i64(3), Message: "Got 3 results, configured to fail if != 0",
					Timing: []result.Timing{}, AdapterResponse: result.AdapterResponse{RowsAffected: i64(3)}, ExecutionTime: 1e-9},
				{UniqueID: "model.p.b", Status: result.Skipped, SkippedBecause: "model.p.a", Message: "skipped", ExecutionTime: 0},
				{UniqueID: "model.p.c", Status: result.Success, ExecutionTime: 3e21, AdapterResponse: result.AdapterResponse{Message: "OK"},
					Timing: []result.Timing{{Name: "compile", StartedAt: at}, {Name: "execute", StartedAt: at.In(time.FixedZone("x", 3600)), CompletedAt: at}}},
			},
		},
	}
	rng := rand.New(rand.NewPCG(7, 11))
	big := &result.RunResults{Results: []*result.NodeResult{}, ElapsedTime: rng.Float64() * 100}
	words := []string{"", "a", "x\"y", "tab\there", "✓", "\\", "line\nbreak", "<>&"}
	for i := 0; i < 300; i++ {
		r := &result.NodeResult{UniqueID: words[rng.IntN(len(words))] + "model", Status: result.Status(words[rng.IntN(len(words))]),
			ThreadID: words[rng.IntN(len(words))], ExecutionTime: math.Ldexp(rng.Float64(), rng.IntN(80)-40), Message: words[rng.IntN(len(words))],
			RelationName: words[rng.IntN(len(words))], CompiledCode: words[rng.IntN(len(words))], SkippedBecause: words[rng.IntN(len(words))]}
		if rng.IntN(2) == 0 {
			r.Failures = i64(rng.Int64N(100))
		}
		if rng.IntN(2) == 0 {
			r.AdapterResponse.RowsAffected = i64(rng.Int64N(100) - 1)
		}
		if rng.IntN(2) == 0 {
			r.AdapterResponse.Message = words[rng.IntN(len(words))]
		}
		for k := rng.IntN(3); k > 0; k-- {
			r.Timing = append(r.Timing, result.Timing{Name: "execute", StartedAt: at.Add(time.Duration(rng.Int64N(1e12)))})
		}
		big.Results = append(big.Results, r)
	}
	cases["random"] = big
	for name, rr := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rr); err != nil {
			t.Fatal(err)
		}
		got, err := encodeRunResults(rr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < len(got) && i < want.Len() && got[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%s: differs at byte %d:\ngot  %q\nwant %q", name, i, got[max(0, i-80):min(len(got), i+80)], want.Bytes()[max(0, i-80):min(want.Len(), i+80)])
		}
	}
}

func TestEncodeRunResultsRejectsNaN(t *testing.T) {
	if _, err := encodeRunResults(&result.RunResults{ElapsedTime: math.NaN()}); err == nil {
		t.Fatal("NaN elapsed_time encoded without an error; encoding/json refuses it")
	}
}
