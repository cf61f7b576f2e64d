package fakesnowflake

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"time"
)

// Column describes one result column as Snowflake's rowtype does. Type is the
// lower-case JSON type name the driver expects: fixed, real, text, boolean, date,
// time, timestamp_ntz, timestamp_ltz, timestamp_tz, binary, variant, object, array.
type Column struct {
	Name      string
	Type      string
	Precision int64
	Scale     int64
	Nullable  bool
}

// Statement type ids as the driver reads them (statementTypeId): they decide
// whether Exec reports rows affected.
const (
	StmtSelect int64 = 0x1000
	StmtDML    int64 = 0x3000
	StmtInsert int64 = 0x3100
	StmtUpdate int64 = 0x3200
	StmtDelete int64 = 0x3300
	StmtMerge  int64 = 0x3400
	StmtSCL    int64 = 0x4000
	StmtTCL    int64 = 0x5000
	StmtDDL    int64 = 0x6000
	stmtMulti  int64 = 0xA000
)

// Result is one statement's answer, in Go values. A builder turns it into the
// JSON rowtype/rowset pair using Snowflake's cell encodings.
type Result struct {
	// StatementType is one of the Stmt* constants (0 means StmtSelect when
	// Columns are set, else StmtDDL).
	StatementType int64
	Columns       []Column
	// Rows hold nil (SQL NULL), string (sent verbatim), integers, floats, bool,
	// time.Time, []byte, *big.Int, or anything JSON-encodable for variant columns.
	Rows [][]any
	// Parameters are session parameter updates sent back with the answer.
	Parameters map[string]any
}

// Select builds a SELECT-type result.
func Select(cols []Column, rows ...[]any) *Result {
	return &Result{StatementType: StmtSelect, Columns: cols, Rows: rows}
}

// DML builds the answer of an INSERT/UPDATE/DELETE/MERGE: the driver sums row 0's
// columns into RowsAffected, so one column carrying the total is enough.
func DML(stmtType int64, affected int64) *Result {
	name := "number of rows inserted"
	switch stmtType {
	case StmtUpdate:
		name = "number of rows updated"
	case StmtDelete:
		name = "number of rows deleted"
	case StmtMerge:
		name = "number of rows merged"
	}
	return &Result{
		StatementType: stmtType,
		Columns:       []Column{{Name: name, Type: "fixed", Precision: 19}},
		Rows:          [][]any{{affected}},
	}
}

// Status builds the one-cell answer Snowflake gives DDL and session statements.
func Status(stmtType int64, msg string) *Result {
	return &Result{
		StatementType: stmtType,
		Columns:       []Column{{Name: "status", Type: "text", Nullable: true}},
		Rows:          [][]any{{msg}},
	}
}

// Error is a Snowflake error as the server reports it: a six-digit code such as
// "002003", an SQLSTATE and the message. Engines return it to control the code.
type Error struct {
	Code     string
	SQLState string
	Message  string
}

func (e *Error) Error() string { return e.Code + " (" + e.SQLState + "): " + e.Message }

// Errors the fake itself produces.
var (
	errCanceled = &Error{Code: "000604", SQLState: "57014", Message: "SQL execution canceled"}
)

type rowType struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Nullable   bool   `json:"nullable"`
	Precision  *int64 `json:"precision"`
	Scale      *int64 `json:"scale"`
	Length     *int64 `json:"length"`
	ByteLength *int64 `json:"byteLength"`
}

func (r *Result) stmtType() int64 {
	if r.StatementType != 0 {
		return r.StatementType
	}
	if len(r.Columns) > 0 {
		return StmtSelect
	}
	return StmtDDL
}

// encode turns the result into rowtype and rowset. A SELECT-type answer always
// has at least one column: an empty rowtype crashes the driver.
func (r *Result) encode() ([]rowType, [][]*string, error) {
	cols := r.Columns
	rows := r.Rows
	if len(cols) == 0 {
		cols = []Column{{Name: "status", Type: "text"}}
		rows = [][]any{{"Statement executed successfully."}}
	}
	rt := make([]rowType, len(cols))
	for i, c := range cols {
		rt[i] = rowType{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
		switch c.Type {
		case "fixed":
			p, s := c.Precision, c.Scale
			if p == 0 {
				p = 38
			}
			rt[i].Precision, rt[i].Scale = &p, &s
		case "text", "binary":
			l := int64(16777216)
			rt[i].Length, rt[i].ByteLength = &l, &l
		case "timestamp_ntz", "timestamp_ltz", "timestamp_tz", "time":
			s := int64(9)
			rt[i].Scale = &s
		}
	}
	set := make([][]*string, len(rows))
	for i, row := range rows {
		if len(row) != len(cols) {
			return nil, nil, fmt.Errorf("row %d has %d cells, want %d", i, len(row), len(cols))
		}
		set[i] = make([]*string, len(row))
		for j, v := range row {
			s, err := encodeCell(cols[j].Type, v)
			if err != nil {
				return nil, nil, fmt.Errorf("row %d column %s: %w", i, cols[j].Name, err)
			}
			set[i][j] = s
		}
	}
	return rt, set, nil
}

// encodeCell renders one value as Snowflake's JSON result format does.
func encodeCell(typ string, v any) (*string, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = x
	case bool:
		s = "0"
		if x {
			s = "1"
		}
		if typ == "text" {
			s = strconv.FormatBool(x)
		}
	case int:
		s = strconv.FormatInt(int64(x), 10)
	case int8:
		s = strconv.FormatInt(int64(x), 10)
	case int16:
		s = strconv.FormatInt(int64(x), 10)
	case int32:
		s = strconv.FormatInt(int64(x), 10)
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint8:
		s = strconv.FormatUint(uint64(x), 10)
	case uint16:
		s = strconv.FormatUint(uint64(x), 10)
	case uint32:
		s = strconv.FormatUint(uint64(x), 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	case float32:
		s = strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case *big.Int:
		s = x.String()
	case []byte:
		s = hex.EncodeToString(x)
	case time.Time:
		s = encodeTime(typ, x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		s = string(b)
	}
	return &s, nil
}

func encodeTime(typ string, t time.Time) string {
	switch typ {
	case "date":
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return strconv.FormatInt(d.Unix()/86400, 10)
	case "time":
		secs := t.Hour()*3600 + t.Minute()*60 + t.Second()
		return fmt.Sprintf("%d.%09d", secs, t.Nanosecond())
	case "timestamp_tz":
		_, off := t.Zone()
		return fmt.Sprintf("%d.%09d %d", t.Unix(), t.Nanosecond(), off/60+1440)
	case "timestamp_ltz":
		return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
	case "text":
		return t.Format(time.RFC3339Nano)
	default: // timestamp_ntz: the wall clock read as UTC
		w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		return fmt.Sprintf("%d.%09d", w.Unix(), w.Nanosecond())
	}
}
