// Package postgres is strata's PostgreSQL adapter (github.com/jackc/pgx/v5 with
// pgxpool). Cancelling a call's context sends PostgreSQL a cancel request, so
// the statement stops in the server, not only in the client.
//
// An *Adapter is safe for concurrent use: each call takes its own connection
// from a pool sized to the target's threads. Dialect is pure and safe for
// concurrent use.
package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// DefaultConnectTimeout bounds connection attempts when the profile sets no
// connect_timeout: an unreachable server fails in seconds, not minutes.
const DefaultConnectTimeout = 5 * time.Second

// Adapter is a pool of connections to one PostgreSQL database.
type Adapter struct {
	Dialect
	pool     *pgxpool.Pool
	database string
	addr     string // host:port, for messages

	schemaMu sync.Mutex
	schemas  map[string]bool

	closeOnce sync.Once
}

var (
	_ adapter.Adapter        = (*Adapter)(nil)
	_ adapter.Opener         = Open
	_ adapter.RelationLister = (*Adapter)(nil)
)

// Open connects to the database a profile target names. Fields used: host,
// port, user, password (or pass), dbname (or database), sslmode,
// connect_timeout (seconds), search_path, role, application_name (default
// "strata"). The password never appears in errors.
func Open(ctx context.Context, t adapter.Target) (adapter.Adapter, error) {
	return OpenPostgres(ctx, t)
}

// OpenPostgres is Open returning the concrete type.
func OpenPostgres(ctx context.Context, t adapter.Target) (*Adapter, error) {
	cfg, addr, err := poolConfig(t)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapConnectError(addr, err)
	}
	a := &Adapter{pool: pool, database: cfg.ConnConfig.Database, addr: addr, schemas: map[string]bool{}}
	if err := a.Ping(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func field(t adapter.Target, keys ...string) string {
	for _, k := range keys {
		if v, ok := t.Fields[k]; ok && v != nil {
			if s := fmt.Sprint(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// poolConfig builds the pool configuration from a target's fields.
func poolConfig(t adapter.Target) (*pgxpool.Config, string, error) {
	host := field(t, "host")
	if host == "" {
		host = "localhost"
	}
	port := field(t, "port")
	if port == "" {
		port = "5432"
	}
	dbname := field(t, "dbname", "database")
	if dbname == "" {
		dbname = t.Database
	}
	kv := map[string]string{
		"host": host, "port": port, "user": field(t, "user"), "password": field(t, "password", "pass"),
		"dbname": dbname, "sslmode": field(t, "sslmode"),
	}
	var parts []string
	for _, k := range []string{"host", "port", "user", "password", "dbname", "sslmode"} {
		if kv[k] != "" {
			parts = append(parts, k+"="+quoteDSN(kv[k]))
		}
	}
	addr := net.JoinHostPort(host, port)
	cfg, err := pgxpool.ParseConfig(strings.Join(parts, " "))
	if err != nil {
		// pgx's parse errors can echo the connection string: never pass them on.
		return nil, addr, fmt.Errorf("postgres target %s: invalid connection settings (host, port, user, dbname, sslmode)", t.Name)
	}
	timeout := DefaultConnectTimeout
	if s := field(t, "connect_timeout"); s != "" {
		secs, err := strconv.ParseFloat(s, 64)
		if err != nil || secs < 0 {
			return nil, addr, fmt.Errorf("postgres target %s: connect_timeout %q is not a number of seconds", t.Name, s)
		}
		if secs > 0 {
			timeout = time.Duration(secs * float64(time.Second))
		}
	}
	cc := cfg.ConnConfig
	cc.ConnectTimeout = timeout
	app := field(t, "application_name")
	if app == "" {
		app = "strata"
	}
	cc.RuntimeParams["application_name"] = app
	if sp := field(t, "search_path"); sp != "" {
		cc.RuntimeParams["search_path"] = sp
	}
	// On cancel, ask the server to stop the statement at once; only if it does
	// not answer within 2 s is the socket closed.
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
	}
	if role := field(t, "role"); role != "" {
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "set role "+Dialect{}.QuoteIdent(role))
			return err
		}
	}
	threads := max(t.Threads, 1)
	cfg.MaxConns = int32(threads)
	cfg.MinConns = 0
	return cfg, addr, nil
}

func quoteDSN(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Ping implements adapter.Adapter.
func (a *Adapter) Ping(ctx context.Context) error {
	if err := a.pool.Ping(ctx); err != nil {
		return mapConnectError(a.addr, err)
	}
	return nil
}

// Close implements adapter.Adapter.
func (a *Adapter) Close() error {
	a.closeOnce.Do(a.pool.Close)
	return nil
}

// RenderRelation implements adapter.Dialect, filling in the adapter's
// database when r has none.
func (a *Adapter) RenderRelation(r relation.Relation) string {
	return a.Dialect.RenderRelation(a.qualify(r))
}

func (a *Adapter) qualify(r relation.Relation) relation.Relation {
	if r.Database == "" {
		r.Database = a.database
	}
	return r
}

func (a *Adapter) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	c, err := a.pool.Acquire(ctx)
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	return c, nil
}

// Exec implements adapter.Adapter. Several statements separated by
// semicolons run in one round trip (simple protocol).
func (a *Adapter) Exec(ctx context.Context, sql string) (int64, error) {
	c, err := a.acquire(ctx)
	if err != nil {
		return -1, err
	}
	defer c.Release()
	tag, err := c.Exec(ctx, sql)
	if err != nil {
		return -1, a.mapError(ctx, err)
	}
	return rowsAffected(tag), nil
}

func rowsAffected(tag pgconn.CommandTag) int64 {
	if tag.Insert() || tag.Update() || tag.Delete() || tag.Select() || strings.HasPrefix(tag.String(), "MERGE") || strings.HasPrefix(tag.String(), "COPY") {
		return tag.RowsAffected()
	}
	return -1
}

// Query implements adapter.Adapter.
func (a *Adapter) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	q, _ := adapter.LimitSQL(sql, limit)
	c, err := a.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Release()
	rows, err := c.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	t := &adapter.Table{Columns: make([]string, len(fields)), Types: make([]string, len(fields)), Rows: [][]any{}}
	tm := c.Conn().TypeMap()
	for i, f := range fields {
		t.Columns[i] = f.Name
		if typ, ok := tm.TypeForOID(f.DataTypeOID); ok {
			t.Types[i] = typ.Name
		}
	}
	for rows.Next() {
		if limit > 0 && len(t.Rows) >= limit {
			break
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, a.mapError(ctx, err)
		}
		for i, v := range vals {
			vals[i] = plainValue(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, a.mapError(ctx, err)
	}
	return t, nil
}

// plainValue turns pgx's typed values into ones that print and encode to JSON
// as users expect.
func plainValue(v any) any {
	switch x := v.(type) {
	case pgtype.Numeric:
		if !x.Valid {
			return nil
		}
		if x.NaN || x.InfinityModifier != pgtype.Finite {
			f, _ := x.Float64Value()
			if x.NaN {
				return math.NaN()
			}
			return f.Float64
		}
		s, err := x.Value()
		if err != nil {
			return v
		}
		if str, ok := s.(string); ok {
			return json.Number(str)
		}
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	}
	return v
}

const kindSQL = `select c.relkind from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')`

func kindOf(relkind string) relation.Kind {
	switch relkind {
	case "v", "m":
		return relation.View
	case "f":
		return relation.External
	case "":
		return relation.None
	}
	return relation.Table
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (a *Adapter) kind(ctx context.Context, q querier, r relation.Relation) (relation.Kind, error) {
	var relkind string
	err := q.QueryRow(ctx, kindSQL, r.Schema, r.Identifier).Scan(&relkind)
	if err == pgx.ErrNoRows {
		return relation.None, nil
	}
	if err != nil {
		return relation.None, a.mapError(ctx, err)
	}
	return kindOf(relkind), nil
}

// RelationKind implements adapter.Adapter.
func (a *Adapter) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	if err := a.sameDatabase(r); err != nil {
		return relation.None, err
	}
	return a.kind(ctx, a.pool, r)
}

func (a *Adapter) sameDatabase(r relation.Relation) error {
	if r.Database != "" && r.Database != a.database {
		return fmt.Errorf("%s: postgres cannot reach database %q from a connection to %q", r, r.Database, a.database)
	}
	return nil
}

const columnsSQL = `select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
order by a.attnum`

// tempColumnsSQL lists a session temporary table's columns.
const tempColumnsSQL = `select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
where c.relnamespace = pg_catalog.pg_my_temp_schema() and c.relname = $1 and a.attnum > 0 and not a.attisdropped
order by a.attnum`

func (a *Adapter) columns(ctx context.Context, q querier, sql string, args ...any) ([]adapter.Column, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (adapter.Column, error) {
		var c adapter.Column
		err := r.Scan(&c.Name, &c.DataType)
		return c, err
	})
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	return cols, nil
}

// Columns implements adapter.Adapter.
func (a *Adapter) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	if err := a.sameDatabase(r); err != nil {
		return nil, err
	}
	return a.columns(ctx, a.pool, columnsSQL, r.Schema, r.Identifier)
}

// ListRelations implements adapter.RelationLister.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	if database == "" {
		database = a.database
	}
	rows, err := a.pool.Query(ctx, `select c.relname, c.relkind from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f') order by c.relname`, schema)
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (adapter.ListedRelation, error) {
		var name, kind string
		err := r.Scan(&name, &kind)
		return adapter.ListedRelation{Relation: relation.Relation{Database: database, Schema: schema, Identifier: name}, Kind: kindOf(kind)}, err
	})
	if err != nil {
		return nil, a.mapError(ctx, err)
	}
	return out, nil
}

// EnsureSchema implements adapter.Adapter: CREATE SCHEMA runs once per schema
// for the adapter's lifetime; concurrent callers wait for the first (two
// concurrent CREATE SCHEMA IF NOT EXISTS can collide in PostgreSQL).
func (a *Adapter) EnsureSchema(ctx context.Context, database, schema string) error {
	if err := a.sameDatabase(relation.Relation{Database: database, Schema: schema}); err != nil {
		return err
	}
	a.schemaMu.Lock()
	defer a.schemaMu.Unlock()
	if a.schemas[schema] {
		return nil
	}
	if _, err := a.Exec(ctx, a.CreateSchemaSQL(schema)); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	a.schemas[schema] = true
	return nil
}

// DropRelation implements adapter.Adapter.
func (a *Adapter) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	if kind == relation.None {
		return nil
	}
	_, err := a.Exec(ctx, a.DropSQL(a.qualify(r), kind))
	return err
}

// PoolConfig is the pgx pool configuration for a target, for callers that need
// a connection of their own to the same server (the scheduler's replica lock).
func PoolConfig(t adapter.Target) (*pgxpool.Config, error) {
	c, _, err := poolConfig(t)
	return c, err
}
