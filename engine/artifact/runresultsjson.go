package artifact

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/strata-dev/strata/engine/result"
)

// encodeRunResults writes r byte for byte as encoding/json does with a
// two-space indent and HTML escaping off, which is what run_results.json has
// always held. The results, nearly all of the file, are written directly:
// encoding/json indents by scanning its whole compact output again, which
// took most of the 7 ms a 1,000-node run spent writing the file. The small
// parts (metadata, args) still go through encoding/json.
func encodeRunResults(r *result.RunResults) ([]byte, error) {
	w := &jsonWriter{b: make([]byte, 0, 4096+len(r.Results)*640)}
	w.raw("{\n  \"metadata\": ")
	if err := w.indented(r.Metadata); err != nil {
		return nil, err
	}
	w.raw(",\n  \"results\": ")
	switch {
	case r.Results == nil:
		w.raw("null")
	case len(r.Results) == 0:
		w.raw("[]")
	default:
		w.raw("[")
		for i, nr := range r.Results {
			if i > 0 {
				w.raw(",")
			}
			w.raw("\n    ")
			if nr == nil {
				w.raw("null")
				continue
			}
			w.nodeResult(nr)
		}
		w.raw("\n  ]")
	}
	w.raw(",\n  \"elapsed_time\": ")
	w.float(r.ElapsedTime)
	w.raw(",\n  \"args\": ")
	if err := w.indented(r.Args); err != nil {
		return nil, err
	}
	w.raw("\n}\n")
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// indented appends v as encoding/json indents a value two levels deep.
func (w *jsonWriter) indented(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.b = append(w.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	return nil
}

// nodeResult writes one result at the indentation of run_results' list.
func (w *jsonWriter) nodeResult(r *result.NodeResult) {
	const in = "\n      "
	w.raw("{" + in + `"unique_id": `)
	w.str(r.UniqueID)
	w.raw("," + in + `"status": `)
	w.str(string(r.Status))
	w.raw("," + in + `"timing": `)
	switch {
	case r.Timing == nil:
		w.raw("null")
	case len(r.Timing) == 0:
		w.raw("[]")
	default:
		w.raw("[")
		for i, t := range r.Timing {
			if i > 0 {
				w.raw(",")
			}
			w.raw(in + "  {" + in + `    "name": `)
			w.str(t.Name)
			w.raw("," + in + `    "started_at": `)
			w.time(t.StartedAt)
			w.raw("," + in + `    "completed_at": `)
			w.time(t.CompletedAt)
			w.raw(in + "  }")
		}
		w.raw(in + "]")
	}
	w.raw("," + in + `"thread_id": `)
	w.str(r.ThreadID)
	w.raw("," + in + `"execution_time": `)
	w.float(r.ExecutionTime)
	w.raw("," + in + `"adapter_response": `)
	ar := r.AdapterResponse
	if ar.Message == "" && ar.RowsAffected == nil {
		w.raw("{}")
	} else {
		w.raw("{")
		sep := in + "  "
		if ar.Message != "" {
			w.raw(sep + `"_message": `)
			w.str(ar.Message)
			sep = "," + in + "  "
		}
		if ar.RowsAffected != nil {
			w.raw(sep + `"rows_affected": `)
			w.b = strconv.AppendInt(w.b, *ar.RowsAffected, 10)
		}
		w.raw(in + "}")
	}
	w.raw("," + in + `"message": `)
	w.str(r.Message)
	w.raw("," + in + `"failures": `)
	if r.Failures == nil {
		w.raw("null")
	} else {
		w.b = strconv.AppendInt(w.b, *r.Failures, 10)
	}
	for _, f := range [...]struct{ name, v string }{
		{"relation_name", r.RelationName}, {"compiled_code", r.CompiledCode}, {"skipped_because", r.SkippedBecause},
	} {
		if f.v != "" {
			w.raw("," + in + `"` + f.name + `": `)
			w.str(f.v)
		}
	}
	w.raw("\n    }")
}

// time writes t as time.Time's MarshalJSON does (RFC 3339 with nanoseconds).
func (w *jsonWriter) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		// MarshalJSON refuses such a time; keep encoding/json's behaviour.
		w.fallback(t)
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// float writes f as encoding/json writes a float64.
func (w *jsonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.fallback(f)
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	w.b = b
}
