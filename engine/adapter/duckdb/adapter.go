// Package duckdb is strata's embedded DuckDB adapter (github.com/duckdb/duckdb-go/v2,
// DuckDB 1.4). It opens one database file per command or scheduled run and
// closes it after, so other processes can use the file in between, and it
// qualifies every relation with the catalog (the file's name).
//
// Driver() is what main registers. A connection (Conn) is safe for concurrent
// use: every call takes its own connection from a database/sql pool sized to
// the target's threads, except Exec on a database file, which runs on
// connections of its own through DuckDB's C API (rawexec.go). Dialect is pure
// and safe for concurrent use.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
	"github.com/strata-dev/strata/engine/sqlconn"
)

// Traits are DuckDB's. Its catalog is transactional (MVCC): DDL rolls back
// with its transaction and `create or replace` is atomic, so tables and
// views are replaced in place. CREATE TABLE … AS reports no row count, and
// counting a fresh table reads its metadata. Identifiers have no length limit (a
// 5,000-byte name round-trips unchanged), so nothing can be cut short and
// collide; they compare without regard to case.
//
// Contracted tables get not null, unique, primary key and check constraints,
// which DuckDB enforces. Foreign keys are not created: DuckDB refuses to drop
// a table another table's foreign key references, and strata rebuilds the
// parent table on every run.
var Traits = adapter.Traits{
	TransactionalDDL: true,
	AtomicReplace:    true,
	Merge:            true,
	CountNewTables:   true,
	CaseInsensitive:  true,
	CrossDatabase:    true,
	InProcess:        true,
	Constraints: map[string]adapter.ConstraintSupport{
		"not_null": adapter.ConstraintEnforced, "unique": adapter.ConstraintEnforced,
		"primary_key": adapter.ConstraintEnforced, "check": adapter.ConstraintEnforced,
	},
}

// Driver is DuckDB's entry in strata's driver table.
func Driver() adapter.Driver {
	return adapter.Driver{Type: "duckdb", Dialect: Dialect{}, Traits: Traits, Profile: Profile(), Open: Open}
}

// Conn is an open DuckDB database.
type Conn struct {
	*sqlconn.Conn
	path    string
	catalog string
	// raw runs Exec outside database/sql (rawexec.go); nil for an in-memory
	// database, a path with DSN options and a URI.
	raw *rawExec
}

var _ adapter.Conn = (*Conn)(nil)

// Open opens the database file named by t.Fields["path"] (absolute, or
// ":memory:"). t.Database is the catalog name (the file's base name without
// extension); when empty it is derived from the path. A file locked by another
// process fails at once with an error naming that process.
func Open(ctx context.Context, t adapter.Target) (adapter.Conn, error) {
	return OpenDuckDB(ctx, t)
}

// OpenDuckDB is Open returning the concrete type.
func OpenDuckDB(ctx context.Context, t adapter.Target) (*Conn, error) {
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
	settings, err := settingStatements(t.Fields["settings"])
	if err != nil {
		return nil, fmt.Errorf("duckdb profile: %w", err)
	}
	// Every connection, database/sql's and Exec's own, opens with the
	// profile's settings: a SET reaches only the connection it runs on.
	connector, err := duckdb.NewConnector(path, func(execer driver.ExecerContext) error {
		for _, q := range settings {
			if _, err := execer.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("duckdb profile settings: %s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapOpenError(path, err)
	}
	db := sql.OpenDB(connector)
	threads := max(t.Threads, 1)
	// One extra connection so `show`/metadata calls never wait behind workers.
	db.SetMaxOpenConns(threads + 1)
	db.SetMaxIdleConns(threads + 1)
	c := &Conn{Conn: sqlconn.New(db, sqlconn.Options{MapError: mapError, Value: plainValue}), path: path, catalog: catalog}
	if err := c.Ping(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	var actual string
	if err := db.QueryRowContext(ctx, "select current_database()").Scan(&actual); err != nil {
		_ = c.Close()
		return nil, mapError(ctx, err)
	}
	if !strings.EqualFold(actual, catalog) {
		_ = c.Close()
		return nil, fmt.Errorf("duckdb file %s opens as database %q but the target names database %q: set database to %q or rename the file",
			path, actual, catalog, actual)
	}
	if path != ":memory:" && !strings.Contains(path, "?") && !uriRE.MatchString(path) {
		// A plain file (a DSN with options or a URI opens with a
		// configuration the instance cache would not match).
		if c.raw, err = openRawExec(path, settings); err != nil {
			_ = c.Close()
			return nil, mapOpenError(path, err)
		}
	}
	return c, nil
}

// Exec implements adapter.Conn: on a database file, outside database/sql
// (rawexec.go).
func (c *Conn) Exec(ctx context.Context, q string) (int64, error) {
	if c.raw == nil {
		return c.Conn.Exec(ctx, q)
	}
	n, err := c.raw.exec(ctx, q)
	return n, mapError(ctx, err)
}

// Close implements adapter.Conn.
func (c *Conn) Close() error {
	if c.raw != nil {
		c.raw.close()
	}
	return c.Conn.Close()
}

func catalogName(path string) string {
	if path == ":memory:" {
		return "memory"
	}
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// Catalog is the database (catalog) name relations are qualified with.
func (c *Conn) Catalog() string { return c.catalog }

// Session implements adapter.Conn with a session that bulk-loads through
// DuckDB's appender.
func (c *Conn) Session(ctx context.Context) (adapter.Session, error) {
	s, err := c.Pin(ctx)
	if err != nil {
		return nil, err
	}
	return session{s}, nil
}

// session is a pinned connection that can bulk-load.
type session struct{ *sqlconn.Session }

var _ adapter.BulkLoader = session{}

// BulkLoad implements adapter.BulkLoader with DuckDB's appender, inside the
// session's transaction when one is open.
func (s session) BulkLoad(ctx context.Context, r relation.Relation, columns []string, rows [][]string) (int64, error) {
	var n int64
	err := s.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb driver connection is a %T", dc)
		}
		app, err := duckdb.NewAppender(conn, r.Database, r.Schema, r.Identifier)
		if err != nil {
			return mapError(ctx, err)
		}
		vals := make([]driver.Value, len(columns))
		for i, row := range rows {
			if i%4096 == 0 && ctx.Err() != nil {
				_ = app.Close()
				return ctx.Err()
			}
			for j := range vals {
				vals[j] = nil
				if j < len(row) && row[j] != "" {
					vals[j] = row[j]
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				_ = app.Close()
				return mapError(ctx, err)
			}
			n++
		}
		return mapError(ctx, app.Close())
	})
	return n, err
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
	}
	return v
}
