// Package duckdb is strata's embedded DuckDB adapter (github.com/duckdb/duckdb-go/v2,
// DuckDB 1.4). It opens one database file per command or scheduled run and
// closes it after, so other processes can use the file in between.
//
// An *Adapter is safe for concurrent use: every call takes its own connection
// from a database/sql pool sized to the target's threads. Dialect is pure and
// safe for concurrent use.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Adapter is an open DuckDB database.
type Adapter struct {
	Dialect
	db      *sql.DB
	path    string
	catalog string

	schemaMu sync.Mutex
	schemas  map[string]bool // "catalog.schema" known to exist

	closeOnce sync.Once
	closeErr  error
}

var (
	_ adapter.Adapter        = (*Adapter)(nil)
	_ adapter.Opener         = Open
	_ adapter.RelationLister = (*Adapter)(nil)
)

// Open opens the database file named by t.Fields["path"] (absolute, or
// ":memory:"). t.Database is the catalog name (the file's base name without
// extension); when empty it is derived from the path. A file locked by another
// process fails at once with an error naming that process.
func Open(ctx context.Context, t adapter.Target) (adapter.Adapter, error) {
	return OpenDuckDB(ctx, t)
}

// OpenDuckDB is Open returning the concrete type.
func OpenDuckDB(ctx context.Context, t adapter.Target) (*Adapter, error) {
	path, _ := t.Fields["path"].(string)
	if path == "" {
		path = ":memory:"
	}
	catalog := t.Database
	if catalog == "" {
		catalog = catalogName(path)
	}
	if path != ":memory:" {
		// A fresh clone has no target/ yet: create the file's folder, as the
		// file itself is created on open.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create folder for duckdb file %s: %w", path, err)
		}
	}
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, mapOpenError(path, err)
	}
	db := sql.OpenDB(connector)
	threads := max(t.Threads, 1)
	// One extra connection so `show`/metadata calls never wait behind workers.
	db.SetMaxOpenConns(threads + 1)
	db.SetMaxIdleConns(threads + 1)
	a := &Adapter{db: db, path: path, catalog: catalog, schemas: map[string]bool{}}
	if err := a.Ping(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	var actual string
	if err := db.QueryRowContext(ctx, "select current_database()").Scan(&actual); err != nil {
		_ = a.Close()
		return nil, mapError(err)
	}
	if !strings.EqualFold(actual, catalog) {
		_ = a.Close()
		return nil, fmt.Errorf("duckdb file %s opens as database %q but the target names database %q: set database to %q or rename the file",
			path, actual, catalog, actual)
	}
	return a, nil
}

func catalogName(path string) string {
	if path == ":memory:" {
		return "memory"
	}
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// Catalog is the database (catalog) name relations are qualified with.
func (a *Adapter) Catalog() string { return a.catalog }

// RenderRelation implements adapter.Dialect, filling in the adapter's catalog
// when r has none.
func (a *Adapter) RenderRelation(r relation.Relation) string {
	return a.Dialect.RenderRelation(a.qualify(r))
}

func (a *Adapter) qualify(r relation.Relation) relation.Relation {
	if r.Database == "" {
		r.Database = a.catalog
	}
	return r
}

// Ping implements adapter.Adapter.
func (a *Adapter) Ping(ctx context.Context) error {
	return mapError(a.db.PingContext(ctx))
}

// Close implements adapter.Adapter: it closes every connection and releases the
// file lock.
func (a *Adapter) Close() error {
	a.closeOnce.Do(func() { a.closeErr = a.db.Close() })
	return a.closeErr
}

// Exec implements adapter.Adapter.
func (a *Adapter) Exec(ctx context.Context, sqlText string) (int64, error) {
	res, err := a.db.ExecContext(ctx, sqlText)
	if err != nil {
		return -1, mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return -1, nil
	}
	return n, nil
}

// Query implements adapter.Adapter.
func (a *Adapter) Query(ctx context.Context, sqlText string, limit int) (*adapter.Table, error) {
	q, _ := adapter.LimitSQL(sqlText, limit)
	rows, err := a.db.QueryContext(ctx, q)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	return readTable(rows, limit)
}

func readTable(rows *sql.Rows, limit int) (*adapter.Table, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, mapError(err)
	}
	t := &adapter.Table{Columns: make([]string, len(types)), Types: make([]string, len(types)), Rows: [][]any{}}
	for i, ct := range types {
		t.Columns[i] = ct.Name()
		t.Types[i] = ct.DatabaseTypeName()
	}
	for rows.Next() {
		if limit > 0 && len(t.Rows) >= limit {
			break
		}
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, mapError(err)
		}
		for i, v := range vals {
			vals[i] = plainValue(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, mapError(rows.Err())
}

// plainValue turns driver-specific values into ones that print and encode to
// JSON as users expect.
func plainValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(x.String())
	case *duckdb.Decimal:
		if x == nil {
			return nil
		}
		return json.Number(x.String())
	case duckdb.UUID:
		return x.String()
	case []byte:
		return x
	}
	return v
}

// RelationKind implements adapter.Adapter.
func (a *Adapter) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return relation.None, mapError(err)
	}
	defer conn.Close()
	return a.kind(ctx, conn, r)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (a *Adapter) kind(ctx context.Context, q queryer, r relation.Relation) (relation.Kind, error) {
	r = a.qualify(r)
	var typ string
	err := q.QueryRowContext(ctx, `select table_type from information_schema.tables
where table_catalog = ? and table_schema = ? and table_name = ?`, r.Database, r.Schema, r.Identifier).Scan(&typ)
	if errors.Is(err, sql.ErrNoRows) {
		return relation.None, nil
	}
	if err != nil {
		return relation.None, mapError(err)
	}
	return kindOf(typ), nil
}

func kindOf(tableType string) relation.Kind {
	if strings.EqualFold(tableType, "VIEW") {
		return relation.View
	}
	return relation.Table
}

// Columns implements adapter.Adapter.
func (a *Adapter) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	return a.columns(ctx, a.db, a.qualify(r))
}

func (a *Adapter) columns(ctx context.Context, q queryer, r relation.Relation) ([]adapter.Column, error) {
	rows, err := q.QueryContext(ctx, `select column_name, data_type from information_schema.columns
where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position`, r.Database, r.Schema, r.Identifier)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var cols []adapter.Column
	for rows.Next() {
		var c adapter.Column
		if err := rows.Scan(&c.Name, &c.DataType); err != nil {
			return nil, mapError(err)
		}
		cols = append(cols, c)
	}
	return cols, mapError(rows.Err())
}

// ListRelations implements adapter.RelationLister.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	if database == "" {
		database = a.catalog
	}
	rows, err := a.db.QueryContext(ctx, `select table_name, table_type from information_schema.tables
where table_catalog = ? and table_schema = ? order by table_name`, database, schema)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []adapter.ListedRelation
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, mapError(err)
		}
		out = append(out, adapter.ListedRelation{
			Relation: relation.Relation{Database: database, Schema: schema, Identifier: name}, Kind: kindOf(typ)})
	}
	return out, mapError(rows.Err())
}

// EnsureSchema implements adapter.Adapter. It runs CREATE SCHEMA once per
// schema for the adapter's lifetime; concurrent callers wait for the first.
func (a *Adapter) EnsureSchema(ctx context.Context, database, schema string) error {
	if database == "" {
		database = a.catalog
	}
	key := database + "\x00" + schema
	a.schemaMu.Lock()
	defer a.schemaMu.Unlock()
	if a.schemas[key] {
		return nil
	}
	if err := a.withRetry(ctx, func() error {
		_, err := a.db.ExecContext(ctx, a.CreateSchemaSQL(database, schema))
		return err
	}); err != nil {
		return fmt.Errorf("create schema %s.%s: %w", database, schema, mapError(err))
	}
	a.schemas[key] = true
	return nil
}

// DropRelation implements adapter.Adapter.
func (a *Adapter) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	if kind == relation.None {
		return nil
	}
	_, err := a.db.ExecContext(ctx, a.DropSQL(a.qualify(r), kind))
	return mapError(err)
}

// rawConn runs f with the driver connection under c (for the appender).
func rawConn(c *sql.Conn, f func(driver.Conn) error) error {
	return c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb driver connection is a %T", dc)
		}
		return f(conn)
	})
}
