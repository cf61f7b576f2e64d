package view

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/strata-dev/strata/engine/artifact"
	"github.com/strata-dev/strata/engine/manifest"
)

// FormatTable renders rows as an aligned text table with a header rule.
func FormatTable(cols []string, rows [][]any) string {
	cells := make([][]string, len(rows))
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for r, row := range rows {
		cells[r] = make([]string, len(cols))
		for i := range cols {
			var v any
			if i < len(row) {
				v = row[i]
			}
			s := Cell(v)
			cells[r][i] = s
			if w := utf8.RuneCountInString(s); w > widths[i] {
				widths[i] = w
			}
		}
	}
	var b strings.Builder
	writeRow := func(vals []string) {
		b.WriteString("|")
		for i, v := range vals {
			b.WriteString(" ")
			b.WriteString(v)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	writeRow(cols)
	b.WriteString("|")
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+2))
		b.WriteString("|")
	}
	b.WriteString("\n")
	for _, r := range cells {
		writeRow(r)
	}
	return b.String()
}

// FormatCSV renders rows as CSV with a header.
func FormatCSV(cols []string, rows [][]any) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(cols)
	for _, row := range rows {
		rec := make([]string, len(cols))
		for i := range cols {
			if i < len(row) && row[i] != nil {
				rec[i] = Cell(row[i])
			}
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.String()
}

// FormatJSON renders rows as a JSON array of objects keyed by column.
func FormatJSON(cols []string, rows [][]any) string {
	out := make([]map[string]any, len(rows))
	for r, row := range rows {
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			if i < len(row) {
				m[c] = jsonValue(row[i])
			}
		}
		out[r] = m
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b) + "\n"
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	return v
}

// Cell renders one value for a text table.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case string:
		return x
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case float64:
		return fmt.Sprintf("%g", x)
	}
	return fmt.Sprint(v)
}

func compiledPath(targetDir, projectDir string, n *manifest.Node) string {
	p := artifact.CompiledPath(targetDir, n)
	if projectDir != "" {
		if rel, err := filepath.Rel(projectDir, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}
