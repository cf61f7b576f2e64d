// Package sfduck is a fakesnowflake.Engine backed by an in-memory DuckDB, so
// tests that drive the real gosnowflake driver against the fake see statements
// actually executed: tables hold rows, merges update them, missing objects fail.
//
// DuckDB already speaks most of the SQL a dbt-style adapter sends to Snowflake
// (create or replace, merge, delete … using, information_schema). What differs
// is translated here, and only that:
//   - unquoted identifiers fold to upper case, as on Snowflake (every unquoted
//     word is upper-cased; DuckDB keywords, functions and types are
//     case-insensitive, so only names change);
//   - TRANSIENT and TEMPORARY are dropped (a temporary table is an ordinary
//     table dropped when its session closes), Snowflake type names map to
//     DuckDB's (NUMBER→DECIMAL, FLOAT→DOUBLE, TIMESTAMP_NTZ→TIMESTAMP, …);
//   - "DB".INFORMATION_SCHEMA.X reads DuckDB's one information_schema (filter
//     on table_catalog to stay in one database);
//   - ALTER TABLE … SWAP WITH, RENAME TO a qualified name, USE DATABASE/SCHEMA/
//     WAREHOUSE/ROLE and DESCRIBE TABLE (answered with Snowflake's column
//     names and type names) are interpreted;
//   - DDL inside an open transaction commits it first, as Snowflake does.
//
// Known gaps: quoted lower-case names and upper-case ones collide (DuckDB
// compares names case-insensitively); default column names of expressions
// follow DuckDB (COUNT_STAR() rather than COUNT(*)).
//
// An Engine is safe for concurrent use; each session owns one DuckDB connection.
package sfduck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	// DuckDB's database/sql driver, registered as "duckdb".
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/internal/fakesnowflake"
)

// Engine is an in-memory DuckDB holding one catalog per Snowflake database.
type Engine struct {
	db *sql.DB

	mu        sync.Mutex
	databases map[string]bool
	// ddl serialises catalog changes: DuckDB fails concurrent ones with
	// "Catalog write-write conflict" where Snowflake just orders them.
	ddl sync.Mutex
}

// New opens an in-memory DuckDB with the named databases (each with a PUBLIC
// schema) and closes it when the test ends.
func New(t testing.TB, databases ...string) *Engine {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("sfduck: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := &Engine{db: db, databases: map[string]bool{}}
	for _, name := range databases {
		if err := e.CreateDatabase(name); err != nil {
			t.Fatalf("sfduck: %v", err)
		}
	}
	return e
}

// CreateDatabase adds a database (a DuckDB catalog) with a PUBLIC schema.
func (e *Engine) CreateDatabase(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.databases[name] {
		return nil
	}
	q := quote(name)
	for _, stmt := range []string{
		"ATTACH ':memory:' AS " + q,
		"CREATE SCHEMA IF NOT EXISTS " + q + ".\"PUBLIC\"",
	} {
		if _, err := e.db.Exec(stmt); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
	}
	e.databases[name] = true
	return nil
}

// DB is the underlying DuckDB, for test assertions that look behind the fake.
func (e *Engine) DB() *sql.DB { return e.db }

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// NewSession gives a Snowflake session its own DuckDB connection.
func (e *Engine) NewSession(info fakesnowflake.SessionInfo) (fakesnowflake.EngineSession, error) {
	conn, err := e.db.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	s := &session{e: e, conn: conn}
	e.mu.Lock()
	known := e.databases[info.Database]
	e.mu.Unlock()
	if info.Database != "" {
		if !known {
			_ = conn.Close()
			return nil, fmt.Errorf("Database '%s' does not exist or not authorized.", info.Database)
		}
		s.database = info.Database
		target := quote(info.Database)
		if info.Schema != "" {
			target += "." + quote(info.Schema)
		}
		if _, err := conn.ExecContext(context.Background(), "USE "+target); err != nil {
			// Snowflake logs in without a current schema when it does not exist.
			_, _ = conn.ExecContext(context.Background(), "USE "+quote(info.Database))
		}
	}
	return s, nil
}

type session struct {
	e        *Engine
	conn     *sql.Conn
	database string
	inTx     bool
	temps    []string // qualified temporary tables, dropped at close
}

func (s *session) Close() error {
	ctx := context.Background()
	if s.inTx {
		_, _ = s.conn.ExecContext(ctx, "ROLLBACK")
	}
	for _, t := range s.temps {
		_, _ = s.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t)
	}
	return s.conn.Close()
}

// Run executes one statement.
func (s *session) Run(ctx context.Context, q fakesnowflake.Query) (*fakesnowflake.Result, error) {
	st, err := translate(q.SQL)
	if err != nil {
		return nil, err
	}
	args, err := bindArgs(q.Bindings)
	if err != nil {
		return nil, err
	}
	switch st.kind {
	case kindNoop:
		return fakesnowflake.Status(fakesnowflake.StmtSCL, "Statement executed successfully."), nil
	case kindDescribe:
		return s.describe(ctx, st.sql)
	case kindBegin:
		if s.inTx {
			return fakesnowflake.Status(fakesnowflake.StmtTCL, "Statement executed successfully."), nil
		}
		if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
			return nil, mapError(err)
		}
		s.inTx = true
		return fakesnowflake.Status(fakesnowflake.StmtTCL, "Statement executed successfully."), nil
	case kindEnd:
		if !s.inTx {
			// Snowflake accepts COMMIT/ROLLBACK with no transaction open.
			return fakesnowflake.Status(fakesnowflake.StmtTCL, "Statement executed successfully."), nil
		}
		s.inTx = false
		if _, err := s.conn.ExecContext(ctx, st.sql); err != nil {
			return nil, mapError(err)
		}
		return fakesnowflake.Status(fakesnowflake.StmtTCL, "Statement executed successfully."), nil
	}
	if st.kind == kindDDL && s.inTx {
		// Snowflake commits the open transaction before any DDL statement.
		s.inTx = false
		if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
			return nil, mapError(err)
		}
	}
	if st.use != "" {
		s.database = st.use
	}
	if st.kind == kindDDL {
		s.e.ddl.Lock()
		defer s.e.ddl.Unlock()
	}
	if len(st.script) > 0 {
		return s.runScript(ctx, st.script)
	}
	switch st.kind {
	case kindQuery:
		return s.query(ctx, st.sql, args)
	case kindDML:
		res, err := s.conn.ExecContext(ctx, st.sql, args...)
		if err != nil {
			return nil, mapError(err)
		}
		n, _ := res.RowsAffected()
		return fakesnowflake.DML(st.dmlType, n), nil
	default:
		if _, err := s.conn.ExecContext(ctx, st.sql, args...); err != nil {
			return nil, mapError(err)
		}
		if st.temp != "" {
			s.temps = append(s.temps, st.temp)
		}
		return fakesnowflake.Status(fakesnowflake.StmtDDL, st.status), nil
	}
}

// runScript runs the DuckDB statements one Snowflake statement became, in one
// DuckDB transaction so the statement stays atomic.
func (s *session) runScript(ctx context.Context, script []string) (*fakesnowflake.Result, error) {
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, mapError(err)
	}
	for _, stmt := range script {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			_, _ = s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return nil, mapError(err)
		}
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, mapError(err)
	}
	return fakesnowflake.Status(fakesnowflake.StmtDDL, "Statement executed successfully."), nil
}

func (s *session) query(ctx context.Context, text string, args []any) (*fakesnowflake.Result, error) {
	rows, err := s.conn.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, mapError(err)
	}
	cols := make([]fakesnowflake.Column, len(types))
	for i, ct := range types {
		cols[i] = columnOf(ct.Name(), ct.DatabaseTypeName())
	}
	res := fakesnowflake.Select(cols)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, mapError(err)
		}
		for i, v := range vals {
			vals[i] = cellOf(v)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if len(cols) == 0 {
		return fakesnowflake.Status(fakesnowflake.StmtDDL, "Statement executed successfully."), nil
	}
	return res, nil
}

// describe answers DESCRIBE TABLE with Snowflake's columns (name, type, kind,
// null?, default, primary key, unique key, check, expression, comment) and
// Snowflake's type names.
func (s *session) describe(ctx context.Context, rel string) (*fakesnowflake.Result, error) {
	rows, err := s.conn.QueryContext(ctx, "DESCRIBE "+rel)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	text := func(name string) fakesnowflake.Column {
		return fakesnowflake.Column{Name: name, Type: "text", Nullable: true}
	}
	res := fakesnowflake.Select([]fakesnowflake.Column{
		text("name"), text("type"), text("kind"), text("null?"), text("default"),
		text("primary key"), text("unique key"), text("check"), text("expression"), text("comment"),
	})
	for rows.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			return nil, mapError(err)
		}
		nullable := "Y"
		if null.String == "NO" {
			nullable = "N"
		}
		var dflt any
		if def.Valid {
			dflt = def.String
		}
		res.Rows = append(res.Rows, []any{name, snowflakeTypeName(typ), "COLUMN", nullable, dflt, "N", "N", nil, nil, nil})
	}
	return res, mapError(rows.Err())
}

// mapError turns DuckDB's errors into Snowflake's codes and message style.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "INTERRUPT") {
		return &fakesnowflake.Error{Code: "000604", SQLState: "57014", Message: "SQL execution canceled"}
	}
	msg := err.Error()
	first, _, _ := strings.Cut(msg, "\n")
	switch {
	case strings.HasPrefix(msg, "Catalog Error: Table with name ") || strings.HasPrefix(msg, "Catalog Error: Table or view") ||
		strings.HasPrefix(msg, "Catalog Error: View with name ") || strings.HasPrefix(msg, "Catalog Error: Schema with name"):
		return &fakesnowflake.Error{Code: "002003", SQLState: "42S02", Message: "SQL compilation error:\n" + objectMissing(first)}
	case strings.HasPrefix(msg, "Catalog Error:"):
		return &fakesnowflake.Error{Code: "002002", SQLState: "42710", Message: "SQL compilation error:\n" + strings.TrimPrefix(first, "Catalog Error: ")}
	case strings.HasPrefix(msg, "Parser Error:"):
		return &fakesnowflake.Error{Code: "001003", SQLState: "42000", Message: "SQL compilation error:\n" + strings.TrimPrefix(first, "Parser Error: ")}
	case strings.HasPrefix(msg, "Binder Error:"):
		return &fakesnowflake.Error{Code: "000904", SQLState: "42000", Message: "SQL compilation error:\n" + strings.TrimPrefix(first, "Binder Error: ")}
	case strings.HasPrefix(msg, "Conversion Error:"), strings.HasPrefix(msg, "Invalid Input Error:"):
		return &fakesnowflake.Error{Code: "100038", SQLState: "22018", Message: strings.TrimPrefix(first, "Conversion Error: ")}
	case strings.HasPrefix(msg, "Constraint Error:"):
		return &fakesnowflake.Error{Code: "100072", SQLState: "22000", Message: strings.TrimPrefix(first, "Constraint Error: ")}
	case strings.HasPrefix(msg, "TransactionContext Error:"):
		return &fakesnowflake.Error{Code: "000625", SQLState: "57014", Message: first}
	}
	return &fakesnowflake.Error{Code: "100000", SQLState: "XX000", Message: first}
}

// objectMissing rewrites DuckDB's "Table with name X does not exist!" into
// Snowflake's "Object 'X' does not exist or not authorized.".
func objectMissing(line string) string {
	name := line
	for _, p := range []string{"Catalog Error: Table with name ", "Catalog Error: View with name ", "Catalog Error: Schema with name ", "Catalog Error: Table or view with name "} {
		name = strings.TrimPrefix(name, p)
	}
	if i := strings.Index(name, " does not exist"); i >= 0 {
		name = name[:i]
	}
	if strings.Contains(line, "Schema with name") {
		return fmt.Sprintf("Schema '%s' does not exist or not authorized.", name)
	}
	return fmt.Sprintf("Object '%s' does not exist or not authorized.", name)
}
