// Package snowflake is strata's Snowflake adapter, on the
// github.com/snowflakedb/gosnowflake driver. Profiles use dbt-snowflake's
// fields (account, user, password or private_key_path/private_key with
// private_key_passphrase, authenticator, role, warehouse, database, schema,
// threads, query_tag, client_session_keep_alive, connect_timeout,
// connect_retries) plus host, port and protocol to reach a non-default
// endpoint (tests point them at engine/internal/fakesnowflake).
//
// Snowflake specifics: unquoted names fold to upper case (NormalizeIdent), so
// relations render quoted after folding; `create or replace` replaces views and
// tables atomically; DDL commits any open transaction, so only DML
// (delete+insert) runs inside BEGIN/COMMIT; results are requested as JSON.
//
// An Adapter is safe for concurrent use: each call takes a connection (a
// Snowflake session) from a pool sized to the target's threads.
package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Adapter is a connected Snowflake account.
type Adapter struct {
	Dialect
	db  *sql.DB
	cfg *gosnowflake.Config

	mu      sync.Mutex
	schemas map[string]bool // created this run
	closed  bool
}

var (
	_ adapter.Adapter        = (*Adapter)(nil)
	_ adapter.RelationLister = (*Adapter)(nil)
)

// Open builds the driver configuration from the target and connects, failing
// with one line that names the profile field to check. It is an adapter.Opener.
func Open(ctx context.Context, t adapter.Target) (adapter.Adapter, error) {
	cfg, err := Config(t)
	if err != nil {
		return nil, err
	}
	// The driver logs expected failures (bad password, SQL errors) to stderr;
	// strata reports them itself, and nothing in engine/ may print.
	_ = gosnowflake.GetLogger().SetLogLevel("OFF")

	db := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, *cfg))
	threads := max(t.Threads, 1)
	db.SetMaxOpenConns(threads)
	db.SetMaxIdleConns(threads)
	a := &Adapter{db: db, cfg: cfg, schemas: map[string]bool{}}
	if err := a.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

// Ping logs in (when no session is open yet) and runs SELECT 1.
func (a *Adapter) Ping(ctx context.Context) error {
	if err := a.db.PingContext(ctx); err != nil {
		return loginError(a.cfg, err)
	}
	return nil
}

// Close closes every session. It is safe to call more than once.
func (a *Adapter) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	return a.db.Close()
}

// Exec runs one or more statements (a script is sent as one multi-statement
// request) and returns the rows the DML among them affected (-1 when none).
func (a *Adapter) Exec(ctx context.Context, sqlText string) (int64, error) {
	mctx, err := gosnowflake.WithMultiStatement(ctx, 0)
	if err != nil {
		return -1, err
	}
	res, err := a.db.ExecContext(mctx, sqlText)
	if err != nil {
		return -1, sqlError("", err)
	}
	return affected(res), nil
}

func affected(res sql.Result) int64 {
	n, err := res.RowsAffected()
	if err != nil {
		return -1
	}
	return n
}

// Query runs a query and returns at most limit rows (limit <= 0: all).
func (a *Adapter) Query(ctx context.Context, sqlText string, limit int) (*adapter.Table, error) {
	q, _ := adapter.LimitSQL(sqlText, limit)
	return queryTable(ctx, a.db, q, limit)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryTable(ctx context.Context, db querier, q string, limit int) (*adapter.Table, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, sqlError("", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, sqlError("", err)
	}
	tab := &adapter.Table{Columns: make([]string, len(types)), Types: make([]string, len(types))}
	for i, ct := range types {
		tab.Columns[i] = ct.Name()
		tab.Types[i] = ct.DatabaseTypeName()
	}
	for rows.Next() {
		if limit > 0 && len(tab.Rows) >= limit {
			break
		}
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, sqlError("", err)
		}
		tab.Rows = append(tab.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError("", err)
	}
	return tab, nil
}

// RelationKind says what exists at r, matching names exactly as stored.
func (a *Adapter) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	return relationKind(ctx, a.db, r)
}

func relationKind(ctx context.Context, db querier, r relation.Relation) (relation.Kind, error) {
	tab, err := queryTable(ctx, db, Dialect{}.RelationKindSQL(r), 0)
	if err != nil {
		return relation.None, fmt.Errorf("look up %s: %w", r, err)
	}
	if len(tab.Rows) == 0 {
		return relation.None, nil
	}
	s, _ := tab.Rows[0][0].(string)
	return kindOf(s), nil
}

// ListRelations lists a schema's tables and views, sorted by name.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	tab, err := queryTable(ctx, a.db, a.ListRelationsSQL(database, schema), 0)
	if err != nil {
		return nil, fmt.Errorf("list relations in %s.%s: %w", database, schema, err)
	}
	out := make([]adapter.ListedRelation, 0, len(tab.Rows))
	for _, row := range tab.Rows {
		name, _ := row[0].(string)
		typ, _ := row[1].(string)
		out = append(out, adapter.ListedRelation{
			Relation: relation.Relation{Database: database, Schema: schema, Identifier: name},
			Kind:     kindOf(typ),
		})
	}
	return out, nil
}

// Columns lists r's columns in order, with Snowflake's type names.
func (a *Adapter) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	return columns(ctx, a.db, r)
}

func columns(ctx context.Context, db querier, r relation.Relation) ([]adapter.Column, error) {
	tab, err := queryTable(ctx, db, Dialect{}.DescribeSQL(r), 0)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", r, err)
	}
	var cols []adapter.Column
	for _, row := range tab.Rows {
		if len(row) < 3 {
			continue
		}
		name, _ := row[0].(string)
		typ, _ := row[1].(string)
		if kind, _ := row[2].(string); kind != "" && kind != "COLUMN" {
			continue
		}
		cols = append(cols, adapter.Column{Name: name, DataType: typ})
	}
	return cols, nil
}

// EnsureSchema creates database.schema once per adapter.
func (a *Adapter) EnsureSchema(ctx context.Context, database, schema string) error {
	key := database + "\x00" + schema
	a.mu.Lock()
	done := a.schemas[key]
	a.mu.Unlock()
	if done {
		return nil
	}
	if _, err := a.db.ExecContext(ctx, a.CreateSchemaSQL(database, schema)); err != nil {
		return fmt.Errorf("create schema %s.%s: %w", database, schema, sqlError("", err))
	}
	a.mu.Lock()
	a.schemas[key] = true
	a.mu.Unlock()
	return nil
}

// DropRelation drops r if it exists as kind.
func (a *Adapter) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	if kind == relation.None {
		return nil
	}
	if _, err := a.db.ExecContext(ctx, a.DropSQL(r, kind)); err != nil {
		return fmt.Errorf("drop %s: %w", r, sqlError("", err))
	}
	return nil
}

// cleanupContext outlives a cancelled run briefly, so temporary relations are
// dropped even after Ctrl-C.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}
