package sfduck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
)

type kind int

const (
	kindDDL kind = iota
	kindQuery
	kindDML
	kindBegin
	kindEnd
	kindNoop
	kindDescribe
)

// stmt is one Snowflake statement translated for DuckDB.
type stmt struct {
	kind    kind
	sql     string
	dmlType int64
	// script replaces sql when one Snowflake statement needs several DuckDB ones.
	script []string
	// temp is the qualified name of a temporary table this statement creates.
	temp string
	// use is the database a USE statement switches to.
	use    string
	status string
}

// typeMap maps Snowflake type names to DuckDB's. Every Snowflake integer type
// is NUMBER(38,0); FLOAT is 64-bit.
var typeMap = map[string]string{
	"NUMBER": "DECIMAL", "NUMERIC": "DECIMAL", "DECIMAL": "DECIMAL",
	"INT": "DECIMAL(38,0)", "INTEGER": "DECIMAL(38,0)", "BIGINT": "DECIMAL(38,0)",
	"SMALLINT": "DECIMAL(38,0)", "TINYINT": "DECIMAL(38,0)", "BYTEINT": "DECIMAL(38,0)",
	"FLOAT": "DOUBLE", "FLOAT4": "DOUBLE", "FLOAT8": "DOUBLE", "REAL": "DOUBLE",
	"TIMESTAMP_NTZ": "TIMESTAMP", "DATETIME": "TIMESTAMP",
	"TIMESTAMP_LTZ": "TIMESTAMPTZ", "TIMESTAMP_TZ": "TIMESTAMPTZ",
	"VARIANT": "JSON", "OBJECT": "JSON",
	"IFF": "IF",
}

// translate rewrites one Snowflake statement for DuckDB.
func translate(sql string) (stmt, error) {
	toks := fakesnowflake.Lex(strings.TrimSpace(sql))
	for len(toks) > 0 {
		last := toks[len(toks)-1]
		if last.Kind == fakesnowflake.Space || (last.Kind == fakesnowflake.Punct && last.Text == ";") {
			toks = toks[:len(toks)-1]
			continue
		}
		break
	}
	// Fold unquoted words to upper case, as Snowflake folds identifiers.
	for i := range toks {
		if toks[i].Kind == fakesnowflake.Word {
			toks[i].Text = strings.ToUpper(toks[i].Text)
		}
	}
	words := fakesnowflake.FirstWords(join(toks), 4)
	first := func(n int) string {
		if len(words) <= n {
			return ""
		}
		return words[n]
	}
	var st stmt
	switch first(0) {
	case "SELECT", "WITH", "VALUES", "EXPLAIN", "SUMMARIZE":
		st.kind = kindQuery
	case "INSERT":
		st.kind, st.dmlType = kindDML, fakesnowflake.StmtInsert
	case "UPDATE":
		st.kind, st.dmlType = kindDML, fakesnowflake.StmtUpdate
	case "DELETE":
		st.kind, st.dmlType = kindDML, fakesnowflake.StmtDelete
	case "MERGE":
		st.kind, st.dmlType = kindDML, fakesnowflake.StmtMerge
	case "BEGIN", "START":
		return stmt{kind: kindBegin}, nil
	case "COMMIT", "ROLLBACK":
		return stmt{kind: kindEnd, sql: first(0)}, nil
	case "USE":
		return translateUse(toks, words)
	case "DESCRIBE", "DESC":
		if first(1) != "TABLE" && first(1) != "VIEW" {
			return stmt{}, unsupported(sql)
		}
		rest := afterWords(toks, 2)
		return stmt{kind: kindDescribe, sql: join(rest)}, nil
	case "ALTER":
		if (first(1) == "TABLE" || first(1) == "VIEW") && len(words) > 0 {
			return translateAlter(toks, first(1))
		}
	case "SHOW":
		return stmt{}, unsupported(sql)
	}
	if len(words) == 0 {
		return stmt{}, unsupported(sql)
	}
	if st.kind == kindDDL {
		st.status = "Statement executed successfully."
	}

	var out []fakesnowflake.Token
	isCreate := first(0) == "CREATE"
	temporary := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Kind == fakesnowflake.Word {
			prevDot := i > 0 && toks[i-1].Kind == fakesnowflake.Punct && toks[i-1].Text == "."
			switch {
			case isCreate && (t.Text == "TRANSIENT" || t.Text == "TEMPORARY" || t.Text == "TEMP" || t.Text == "VOLATILE"):
				if t.Text != "TRANSIENT" {
					temporary = true
				}
				if i+1 < len(toks) && toks[i+1].Kind == fakesnowflake.Space {
					i++
				}
				continue
			case t.Text == "INFORMATION_SCHEMA" && prevDot && len(out) >= 2:
				// "DB".INFORMATION_SCHEMA → INFORMATION_SCHEMA: DuckDB has one.
				out = out[:len(out)-2]
			case !prevDot && typeMap[t.Text] != "":
				t.Text = typeMap[t.Text]
				if t.Text == "DECIMAL" && !nextIs(toks, i+1, "(") {
					t.Text = "DECIMAL(38,0)"
				}
			}
		}
		out = append(out, t)
	}
	st.sql = join(out)
	if isCreate && temporary {
		if name, ok := createdName(out); ok {
			st.temp = name
		}
	}
	return st, nil
}

func unsupported(sql string) error {
	return &fakesnowflake.Error{Code: "001003", SQLState: "42000",
		Message: "SQL compilation error:\nthe DuckDB-backed fake does not support: " + strings.Join(strings.Fields(sql), " ")}
}

func join(toks []fakesnowflake.Token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.Text)
	}
	return b.String()
}

func nextIs(toks []fakesnowflake.Token, i int, text string) bool {
	for ; i < len(toks); i++ {
		if toks[i].Kind == fakesnowflake.Space || toks[i].Kind == fakesnowflake.Comment {
			continue
		}
		return toks[i].Text == text
	}
	return false
}

// afterWords returns the tokens after the first n words.
func afterWords(toks []fakesnowflake.Token, n int) []fakesnowflake.Token {
	for i, t := range toks {
		if t.Kind == fakesnowflake.Word {
			n--
			if n == 0 {
				return toks[i+1:]
			}
		}
	}
	return nil
}

// name reads a possibly qualified name starting at toks[i] (spaces skipped):
// its parts unquoted, its text as written, and the index after it.
func name(toks []fakesnowflake.Token, i int) (parts []string, text string, next int) {
	for i < len(toks) && (toks[i].Kind == fakesnowflake.Space || toks[i].Kind == fakesnowflake.Comment) {
		i++
	}
	start := i
	for i < len(toks) {
		switch toks[i].Kind {
		case fakesnowflake.Word:
			parts = append(parts, toks[i].Text)
		case fakesnowflake.Quoted:
			q := toks[i].Text
			parts = append(parts, strings.ReplaceAll(q[1:len(q)-1], `""`, `"`))
		default:
			return parts, join(toks[start:i]), i
		}
		i++
		if i < len(toks) && toks[i].Kind == fakesnowflake.Punct && toks[i].Text == "." {
			i++
			continue
		}
		break
	}
	return parts, join(toks[start:i]), i
}

// createdName finds the relation a CREATE statement names.
func createdName(toks []fakesnowflake.Token) (string, bool) {
	for i, t := range toks {
		if t.Kind == fakesnowflake.Word && (t.Text == "TABLE" || t.Text == "VIEW") {
			j := i + 1
			// skip IF NOT EXISTS
			for _, w := range []string{"IF", "NOT", "EXISTS"} {
				k := j
				for k < len(toks) && toks[k].Kind == fakesnowflake.Space {
					k++
				}
				if k < len(toks) && toks[k].Text == w {
					j = k + 1
				}
			}
			_, text, _ := name(toks, j)
			return text, text != ""
		}
	}
	return "", false
}

func translateUse(toks []fakesnowflake.Token, words []string) (stmt, error) {
	objKind := ""
	n := 1
	if len(words) > 1 {
		switch words[1] {
		case "WAREHOUSE", "ROLE", "SECONDARY":
			return stmt{kind: kindNoop}, nil
		case "DATABASE", "SCHEMA":
			objKind, n = words[1], 2
		}
	}
	parts, text, _ := name(afterWords(toks, n), 0)
	if len(parts) == 0 {
		return stmt{}, unsupported(join(toks))
	}
	st := stmt{kind: kindDDL, sql: "USE " + text, status: "Statement executed successfully."}
	if objKind == "DATABASE" || (objKind == "" && len(parts) == 1) {
		st.use = parts[0]
	}
	return st, nil
}

func quoteParts(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = quote(p)
	}
	return strings.Join(q, ".")
}

var ifExists = regexp.MustCompile(`^\s*IF\s+EXISTS\b`)

// translateAlter handles Snowflake's ALTER TABLE … SWAP WITH and RENAME TO a
// qualified name; other ALTERs pass through.
func translateAlter(toks []fakesnowflake.Token, objKind string) (stmt, error) {
	rest := afterWords(toks, 2)
	restText := join(rest)
	if loc := ifExists.FindStringIndex(restText); loc != nil {
		rest = fakesnowflake.Lex(restText[loc[1]:])
	}
	parts, _, i := name(rest, 0)
	tail := fakesnowflake.FirstWords(join(rest[i:]), 2)
	if len(parts) == 0 || len(tail) < 2 {
		return stmt{kind: kindDDL, sql: join(toks), status: "Statement executed successfully."}, nil
	}
	other, _, _ := name(afterWords(rest[i:], 2), 0)
	switch {
	case tail[0] == "SWAP" && tail[1] == "WITH":
		if len(other) == 0 {
			return stmt{}, unsupported(join(toks))
		}
		a, b := quoteParts(parts), quoteParts(other)
		tmp := parts[len(parts)-1] + "__sfduck_swap"
		return stmt{kind: kindDDL, status: "Statement executed successfully.", script: []string{
			"ALTER TABLE " + a + " RENAME TO " + quote(tmp),
			"ALTER TABLE " + b + " RENAME TO " + quote(parts[len(parts)-1]),
			"ALTER TABLE " + quoteParts(append(parts[:len(parts)-1:len(parts)-1], tmp)) + " RENAME TO " + quote(other[len(other)-1]),
		}}, nil
	case tail[0] == "RENAME" && tail[1] == "TO":
		if len(other) == 0 {
			return stmt{}, unsupported(join(toks))
		}
		if len(other) > 1 && len(parts) > 1 && !strings.EqualFold(other[len(other)-2], parts[len(parts)-2]) {
			return stmt{}, unsupported(join(toks) + " (moving to another schema)")
		}
		return stmt{kind: kindDDL, status: "Statement executed successfully.",
			sql: "ALTER " + objKind + " " + quoteParts(parts) + " RENAME TO " + quote(other[len(other)-1])}, nil
	}
	return stmt{kind: kindDDL, sql: join(toks), status: "Statement executed successfully."}, nil
}

// bindArgs turns the driver's bindings into DuckDB parameters.
func bindArgs(binds []fakesnowflake.Binding) ([]any, error) {
	args := make([]any, len(binds))
	for i, b := range binds {
		if b.Value == nil {
			continue
		}
		s, ok := b.Value.(string)
		if !ok {
			return nil, &fakesnowflake.Error{Code: "001003", SQLState: "42000", Message: "the DuckDB-backed fake does not support array binds"}
		}
		switch b.Type {
		case "FIXED":
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				args[i] = n
				continue
			}
			args[i] = s
		case "REAL":
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", b.Key, err)
			}
			args[i] = f
		case "BOOLEAN":
			args[i] = s == "true" || s == "1"
		case "DATE":
			ms, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", b.Key, err)
			}
			args[i] = time.UnixMilli(ms).UTC()
		case "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
			ns, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("binding %s: %w", b.Key, err)
			}
			args[i] = time.Unix(0, ns).UTC()
		default:
			args[i] = s
		}
	}
	return args, nil
}

var decimalType = regexp.MustCompile(`^DECIMAL\((\d+),\s*(\d+)\)$`)

// columnOf maps a DuckDB result column to Snowflake's rowtype.
func columnOf(name, duckType string) fakesnowflake.Column {
	c := fakesnowflake.Column{Name: name, Nullable: true}
	switch {
	case duckType == "BOOLEAN":
		c.Type = "boolean"
	case strings.HasSuffix(duckType, "INT") || duckType == "TINYINT" || duckType == "SMALLINT" || duckType == "INTEGER" ||
		duckType == "BIGINT" || duckType == "HUGEINT" || duckType == "UINTEGER" || duckType == "UBIGINT" ||
		duckType == "UTINYINT" || duckType == "USMALLINT" || duckType == "UHUGEINT":
		c.Type, c.Precision = "fixed", 38
	case decimalType.MatchString(duckType):
		m := decimalType.FindStringSubmatch(duckType)
		p, _ := strconv.ParseInt(m[1], 10, 64)
		s, _ := strconv.ParseInt(m[2], 10, 64)
		c.Type, c.Precision, c.Scale = "fixed", p, s
	case duckType == "FLOAT" || duckType == "DOUBLE":
		c.Type = "real"
	case duckType == "DATE":
		c.Type = "date"
	case duckType == "TIME":
		c.Type = "time"
	case duckType == "TIMESTAMPTZ" || duckType == "TIMESTAMP WITH TIME ZONE":
		c.Type = "timestamp_ltz"
	case strings.HasPrefix(duckType, "TIMESTAMP"):
		c.Type = "timestamp_ntz"
	case duckType == "BLOB":
		c.Type = "binary"
	case strings.HasSuffix(duckType, "[]") || strings.HasSuffix(duckType, "]"):
		c.Type = "array"
	case strings.HasPrefix(duckType, "STRUCT") || strings.HasPrefix(duckType, "MAP"):
		c.Type = "object"
	case duckType == "JSON":
		c.Type = "variant"
	default:
		c.Type = "text"
	}
	return c
}

// snowflakeTypeName maps a DuckDB column type to the name Snowflake's
// DESCRIBE TABLE shows.
func snowflakeTypeName(duckType string) string {
	c := columnOf("", duckType)
	switch c.Type {
	case "fixed":
		return fmt.Sprintf("NUMBER(%d,%d)", c.Precision, c.Scale)
	case "real":
		return "FLOAT"
	case "text":
		return "VARCHAR(16777216)"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "time":
		return "TIME(9)"
	case "timestamp_ntz":
		return "TIMESTAMP_NTZ(9)"
	case "timestamp_ltz":
		return "TIMESTAMP_LTZ(9)"
	case "binary":
		return "BINARY(8388608)"
	}
	return strings.ToUpper(c.Type)
}

// cellOf converts DuckDB-specific values into ones the fake can encode.
func cellOf(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.String()
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d micros", x.Months, x.Days, x.Micros)
	}
	return v
}
