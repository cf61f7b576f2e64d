// Package postgres is strata's PostgreSQL adapter (github.com/jackc/pgx/v5 with
// pgxpool). Cancelling a call's context sends PostgreSQL a cancel request, so
// the statement stops in the server, not only in the client; if the server
// does not answer within a second the socket is closed, and the server ends
// the orphaned statement itself within seconds: strata's sessions set
// client_connection_check_interval (PostgreSQL 14+) and TCP keepalives. Close
// returns within a second even when the server has stopped answering.
//
// Driver() is what main registers; it includes the tick lock scheduler
// replicas share (TickLock). A Conn is safe for concurrent use: each call
// takes its own connection from a pool sized to the target's threads.
// Dialect is pure and safe for concurrent use.
package postgres

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
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
	"github.com/strata-dev/strata/engine/internal/rawconn"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/sqltext"
)

// DefaultConnectTimeout bounds connection attempts when the profile sets no
// connect_timeout: an unreachable server fails in seconds, not minutes.
const DefaultConnectTimeout = 5 * time.Second

// Timeouts for a server that stops answering.
const (
	// cancelGrace is how long a cancelled statement waits for the server to
	// confirm the cancel before the socket is closed.
	cancelGrace = time.Second
	// closeGrace is how long Close waits for the pool to say goodbye to the
	// server before it returns (the rest finishes in the background).
	closeGrace = 500 * time.Millisecond
	// checkInterval is client_connection_check_interval: how often the server
	// checks, while a statement runs, that strata is still connected.
	checkInterval = 2 * time.Second
	// Default TCP keepalives (profile key keepalives_idle overrides the idle time).
	keepaliveIdle     = 10 * time.Second
	keepaliveInterval = 5 * time.Second
	keepaliveCount    = 3
)

// Traits are PostgreSQL's: DDL is transactional, but there is no `create or
// replace table`, so tables are built aside and swapped in a transaction;
// views bind to the relations they read (DependentViewsSQL); identifiers
// longer than NAMEDATALEN-1 = 63 bytes are silently truncated; one
// connection reaches one database.
var Traits = adapter.Traits{
	TransactionalDDL:   true,
	Merge:              true,
	MaxIdentifierBytes: MaxIdentLen,
	UnquotedFold:       "lower",
	// PostgreSQL enforces every constraint type of a contract.
	Constraints: map[string]adapter.ConstraintSupport{
		"not_null": adapter.ConstraintEnforced, "unique": adapter.ConstraintEnforced, "primary_key": adapter.ConstraintEnforced,
		"foreign_key": adapter.ConstraintEnforced, "check": adapter.ConstraintEnforced,
	},
}

// MaxIdentLen is PostgreSQL's identifier limit (NAMEDATALEN-1).
const MaxIdentLen = 63

// Driver is PostgreSQL's entry in strata's driver table.
func Driver() adapter.Driver {
	return adapter.Driver{Type: "postgres", Dialect: Dialect{}, Traits: Traits, Profile: Profile(), Open: Open, TickLock: TickLock}
}

// Conn is a pool of connections to one PostgreSQL database.
type Conn struct {
	pool     *pgxpool.Pool
	database string
	addr     string // host:port, for messages

	closeOnce sync.Once
}

var _ adapter.Conn = (*Conn)(nil)

// Open connects to the database a profile target names. Fields used: host,
// port, user, password (or pass), dbname (or database), sslmode,
// connect_timeout (seconds), keepalives_idle (seconds), search_path, role,
// application_name (default "strata"). The password never appears in errors.
func Open(ctx context.Context, t adapter.Target) (adapter.Conn, error) {
	return OpenPostgres(ctx, t)
}

// OpenPostgres is Open returning the concrete type.
func OpenPostgres(ctx context.Context, t adapter.Target) (*Conn, error) {
	cfg, addr, err := poolConfig(t)
	if err != nil {
		return nil, err
	}
	// client_connection_check_interval goes in the startup packet, not in a
	// SET after it (one round trip less per connection). A server older than
	// 14 refuses a startup parameter it does not know: then the pool is made
	// again without it (AfterConnect sets it only on 14 and later).
	cfg.ConnConfig.RuntimeParams[checkParam] = strconv.FormatInt(checkInterval.Milliseconds(), 10)
	c, err := openPool(ctx, cfg, addr)
	if err != nil && unknownStartupParam(err, checkParam) {
		delete(cfg.ConnConfig.RuntimeParams, checkParam)
		c, err = openPool(ctx, cfg, addr)
	}
	if err != nil {
		return nil, mapConnectError(addr, err)
	}
	return c, nil
}

const checkParam = "client_connection_check_interval"

// openPool makes the pool and its first connection, so an unreachable server
// or a wrong password fails here (errors as pgx returns them). The handshake
// proves the connection works: no ping statement (a round trip before the
// first node) follows it.
func openPool(ctx context.Context, cfg *pgxpool.Config, addr string) (*Conn, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{pool: pool, database: cfg.ConnConfig.Database, addr: addr}
	first, err := pool.Acquire(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	first.Release()
	return c, nil
}

// unknownStartupParam reports whether a connection was refused for a startup
// parameter the server does not know (SQLSTATE 42704 naming it).
func unknownStartupParam(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42704" && strings.Contains(pe.Message, name)
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
	idle := keepaliveIdle
	if s := field(t, "keepalives_idle"); s != "" {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 0 {
			return nil, addr, fmt.Errorf("postgres target %s: keepalives_idle %q is not a number of seconds", t.Name, s)
		}
		if secs > 0 {
			idle = time.Duration(secs) * time.Second
		}
	}
	cc := cfg.ConnConfig
	cc.ConnectTimeout = timeout
	// Keepalives on strata's side notice a server that vanished; the
	// server's, set below, notice a strata that vanished mid-statement.
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: idle, Interval: keepaliveInterval, Count: keepaliveCount}}
	// Reads and writes skip the runtime's syscall entry, which woke its
	// monitor thread on every statement (engine/internal/rawconn).
	cc.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return rawconn.Wrap(c), nil
	}
	app := field(t, "application_name")
	if app == "" {
		app = "strata"
	}
	cc.RuntimeParams["application_name"] = app
	cc.RuntimeParams["tcp_keepalives_idle"] = strconv.Itoa(int(idle / time.Second))
	cc.RuntimeParams["tcp_keepalives_interval"] = strconv.Itoa(int(keepaliveInterval / time.Second))
	cc.RuntimeParams["tcp_keepalives_count"] = strconv.Itoa(keepaliveCount)
	if sp := field(t, "search_path"); sp != "" {
		cc.RuntimeParams["search_path"] = sp
	}
	// On cancel, ask the server to stop the statement at once; only if it does
	// not answer within cancelGrace is the socket closed.
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelGrace}
	}
	role := field(t, "role")
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		var set []string
		if role != "" {
			set = append(set, "set role "+Dialect{}.QuoteIdent(role))
		}
		if _, inStartup := c.Config().RuntimeParams[checkParam]; !inStartup && serverMajor(c.PgConn()) >= 14 {
			// Dead-client detection: a statement whose client is gone (killed,
			// or its socket closed after a cancel the server did not answer)
			// ends within seconds instead of running to its end.
			set = append(set, fmt.Sprintf("set client_connection_check_interval = %d", checkInterval.Milliseconds()))
		}
		if len(set) == 0 {
			return nil
		}
		_, err := c.Exec(ctx, strings.Join(set, "; "))
		return err
	}
	threads := max(t.Threads, 1)
	cfg.MaxConns = int32(threads)
	cfg.MinConns = 0
	return cfg, addr, nil
}

// serverMajor is the server's major version (0 when it did not say).
func serverMajor(c *pgconn.PgConn) int {
	v := c.ParameterStatus("server_version")
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(v)
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

func quoteDSN(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Ping implements adapter.Conn.
func (c *Conn) Ping(ctx context.Context) error {
	if err := c.pool.Ping(ctx); err != nil {
		return mapConnectError(c.addr, err)
	}
	return nil
}

// Close implements adapter.Conn. pgxpool waits for every connection to say
// goodbye, which takes 15 s per connection a stopped server does not answer;
// Close gives it closeGrace and lets the rest finish in the background.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		done := make(chan struct{})
		go func() {
			c.pool.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(closeGrace):
		}
	})
	return nil
}

func (c *Conn) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	pc, err := c.pool.Acquire(ctx)
	if err != nil {
		return nil, c.mapError(ctx, err)
	}
	return pc, nil
}

// Exec implements adapter.Conn. Several statements separated by
// semicolons run in one round trip (simple protocol).
func (c *Conn) Exec(ctx context.Context, sql string) (int64, error) {
	pc, err := c.acquire(ctx)
	if err != nil {
		return -1, err
	}
	defer pc.Release()
	return c.exec(ctx, pc, sql)
}

func (c *Conn) exec(ctx context.Context, pc *pgxpool.Conn, sql string) (int64, error) {
	tag, err := pc.Exec(ctx, sql)
	if err != nil {
		return -1, c.mapError(ctx, err)
	}
	return rowsAffected(tag), nil
}

func rowsAffected(tag pgconn.CommandTag) int64 {
	if tag.Insert() || tag.Update() || tag.Delete() || tag.Select() || strings.HasPrefix(tag.String(), "MERGE") || strings.HasPrefix(tag.String(), "COPY") {
		return tag.RowsAffected()
	}
	return -1
}

// Query implements adapter.Conn.
func (c *Conn) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	pc, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer pc.Release()
	return c.query(ctx, pc, sql, limit)
}

func (c *Conn) query(ctx context.Context, pc *pgxpool.Conn, sql string, limit int) (*adapter.Table, error) {
	q, _ := sqltext.Limit(sql, limit)
	rows, err := pc.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, c.mapError(ctx, err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	t := &adapter.Table{Columns: make([]string, len(fields)), Types: make([]string, len(fields)), Rows: [][]any{}}
	tm := pc.Conn().TypeMap()
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
			return nil, c.mapError(ctx, err)
		}
		for i, v := range vals {
			vals[i] = plainValue(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, c.mapError(ctx, err)
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

// Session implements adapter.Conn.
func (c *Conn) Session(ctx context.Context) (adapter.Session, error) {
	pc, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &session{c: c, pc: pc}, nil
}

// session is one pooled connection. pgxpool destroys, rather than reuses, a
// connection released inside a transaction.
type session struct {
	c  *Conn
	pc *pgxpool.Conn
}

var _ adapter.BulkLoader = (*session)(nil)

func (s *session) Exec(ctx context.Context, sql string) (int64, error) {
	return s.c.exec(ctx, s.pc, sql)
}

func (s *session) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	return s.c.query(ctx, s.pc, sql, limit)
}

func (s *session) Release() { s.pc.Release() }

// BulkLoad implements adapter.BulkLoader: the rows stream as CSV through COPY.
func (s *session) BulkLoad(ctx context.Context, r relation.Relation, columns []string, rows [][]string) (int64, error) {
	data, err := copyCSV(rows, len(columns))
	if err != nil {
		return 0, err
	}
	d := Dialect{}
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = d.QuoteIdent(c)
	}
	r.Database = ""
	copySQL := fmt.Sprintf("copy %s (%s) from stdin with (format csv)", d.RenderRelation(r), strings.Join(names, ", "))
	tag, err := s.pc.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), copySQL)
	if err != nil {
		return 0, s.c.mapError(ctx, err)
	}
	return tag.RowsAffected(), nil
}

// copyCSV renders rows as CSV for COPY: empty fields are written unquoted,
// which COPY's CSV format reads as NULL.
func copyCSV(rows [][]string, width int) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, width)
	for i, row := range rows {
		if len(row) > width {
			return nil, fmt.Errorf("row %d has %d fields, the header %d", i+1, len(row), width)
		}
		clear(rec)
		copy(rec, row)
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// PoolConfig is the pgx pool configuration for a target, for callers that need
// a connection of their own to the same server.
func PoolConfig(t adapter.Target) (*pgxpool.Config, error) {
	c, _, err := poolConfig(t)
	return c, err
}
