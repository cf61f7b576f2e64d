package materialize

import (
	"strings"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
)

// InferSeedColumns infers one type per column from a seed's text rows. Empty
// strings are NULL and do not vote. A column with no values at all is text.
// Rules: integers (optional sign, no leading zeros: "007" stays text so codes
// keep their digits) → integer; integers and decimals mixed → decimal; true/false
// (any case) → boolean; YYYY-MM-DD → date; 'YYYY-MM-DD HH:MM:SS[.ffffff]' or the
// ISO 'T' form → timestamp (with a zone → timestamptz); dates and timestamps
// mixed → timestamp; anything else → text. columnTypes (matched case-insensitively
// when there is no exact match) set Override. The function is pure and safe for
// concurrent use.
func InferSeedColumns(header []string, rows [][]string, columnTypes map[string]string) []adapter.SeedColumn {
	cols := make([]adapter.SeedColumn, len(header))
	for i, name := range header {
		cols[i] = adapter.SeedColumn{Name: name, Override: lookupOverride(columnTypes, name)}
		cols[i].Kind, cols[i].Precision, cols[i].Scale = inferColumn(rows, i)
	}
	return cols
}

func lookupOverride(types map[string]string, name string) string {
	if t, ok := types[name]; ok {
		return t
	}
	for k, t := range types {
		if strings.EqualFold(k, name) {
			return t
		}
	}
	return ""
}

// kindSet is a bitmask of the kinds a column's values can still be.
type kindSet uint8

const (
	canInt kindSet = 1 << iota
	canDec
	canBool
	canDate
	canTS
	canTSTZ
)

func inferColumn(rows [][]string, col int) (adapter.SeedKind, int, int) {
	possible := canInt | canDec | canBool | canDate | canTS | canTSTZ
	seen := false
	intDigits, scale := 0, 0 // max digits before and after the point
	sawDec := false
	for _, row := range rows {
		if col >= len(row) || row[col] == "" {
			continue
		}
		v := row[col]
		seen = true
		var k kindSet
		if ip, fp, isInt, ok := parseNumber(v); ok {
			if isInt {
				k |= canInt | canDec
			} else {
				k |= canDec
			}
			intDigits = max(intDigits, ip)
			scale = max(scale, fp)
			if !isInt {
				sawDec = true
			}
		}
		if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
			k |= canBool
		}
		switch timeKind(v) {
		case canDate:
			k |= canDate | canTS
		case canTS:
			k |= canTS
		case canTSTZ:
			k |= canTSTZ
		}
		possible &= k
		if possible == 0 {
			return adapter.SeedText, 0, 0
		}
	}
	switch {
	case !seen:
		return adapter.SeedText, 0, 0
	case possible&canInt != 0 && !sawDec && intDigits <= 18:
		return adapter.SeedInteger, 0, 0
	case possible&canDec != 0:
		return adapter.SeedDecimal, intDigits + scale, scale
	case possible&canBool != 0:
		return adapter.SeedBoolean, 0, 0
	case possible&canDate != 0:
		return adapter.SeedDate, 0, 0
	case possible&canTS != 0:
		return adapter.SeedTimestamp, 0, 0
	case possible&canTSTZ != 0:
		return adapter.SeedTimestampTZ, 0, 0
	}
	return adapter.SeedText, 0, 0
}

// parseNumber reports the digits before and after the decimal point of a plain
// decimal number (no exponent, no thousands separators).
func parseNumber(v string) (intDigits, fracDigits int, isInt, ok bool) {
	s := v
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return 0, 0, false, false
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" && (!hasPoint || frac == "") {
		return 0, 0, false, false
	}
	if hasPoint && frac == "" {
		return 0, 0, false, false
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, 0, false, false
	}
	if len(whole) > 1 && whole[0] == '0' {
		return 0, 0, false, false // leading zeros: an identifier such as a zip code
	}
	if whole == "" {
		whole = "0"
	}
	return len(whole), len(frac), !hasPoint, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var (
	tsLayouts = []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04",
		"2006-01-02T15:04",
	}
	tsTZLayouts = []string{
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02 15:04:05.999999999-07",
		"2006-01-02T15:04:05.999999999-07",
	}
)

func timeKind(v string) kindSet {
	if len(v) < 10 || v[4] != '-' {
		return 0
	}
	if len(v) == 10 {
		if _, err := time.Parse("2006-01-02", v); err == nil {
			return canDate
		}
		return 0
	}
	for _, l := range tsLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return canTS
		}
	}
	for _, l := range tsTZLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return canTSTZ
		}
	}
	return 0
}
