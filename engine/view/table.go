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

// FormatJSON renders rows as a JSON array of objects whose keys keep the
// query's column order; types (the warehouse's type names, may be empty)
// keep dates as dates ("2024-01-31") instead of midnight timestamps.
func FormatJSON(cols, types []string, rows [][]any) string {
	var b strings.Builder
	b.WriteString("[")
	for r, row := range rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(c)
			b.WriteString("\n    ")
			b.Write(k)
			b.WriteString(": ")
			var v any
			if i < len(row) {
				typ := ""
				if i < len(types) {
					typ = types[i]
				}
				v = jsonValue(row[i], typ)
			}
			val, err := json.Marshal(v)
			if err != nil {
				val, _ = json.Marshal(fmt.Sprint(v))
			}
			b.Write(val)
		}
		b.WriteString("\n  }")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.String()
}

func jsonValue(v any, typ string) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		t := strings.ToUpper(typ)
		switch {
		case t == "DATE":
			return x.Format("2006-01-02")
		case strings.Contains(t, "TZ") || strings.Contains(t, "WITH TIME ZONE"):
			return x.Format(time.RFC3339Nano)
		case strings.HasPrefix(t, "TIMESTAMP") || t == "DATETIME":
			return x.Format("2006-01-02T15:04:05.999999")
		case t == "" && x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0:
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		str := x.String()
		if isNumericType(typ) && json.Valid([]byte(str)) {
			return json.Number(str) // a DECIMAL stays a number
		}
		return str
	}
	return v
}

func isNumericType(typ string) bool {
	t := strings.ToUpper(typ)
	for _, p := range []string{"DECIMAL", "NUMERIC", "NUMBER", "HUGEINT", "UHUGEINT"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
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
