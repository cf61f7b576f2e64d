package materialize

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/relation"
)

// Warehouse is one run's handle on a connected warehouse: the connection, the
// driver's dialect and traits, and the relation cache. Create it with New
// after the driver's Open; Close closes the connection.
type Warehouse struct {
	conn     adapter.Conn
	d        adapter.Dialect
	traits   adapter.Traits
	typ      string
	database string // the target's database, for relations that name none

	cache *relCache

	schemaMu sync.Mutex
	schemas  map[schemaKey]bool // created by this handle
}

// New wraps an open connection of driver drv to target t.
func New(conn adapter.Conn, drv adapter.Driver, t adapter.Target) *Warehouse {
	w := &Warehouse{conn: conn, d: drv.Dialect, traits: drv.Traits, typ: drv.Type, database: t.Database,
		schemas: map[schemaKey]bool{}}
	if w.typ == "" {
		w.typ = drv.Dialect.Type()
	}
	w.cache = newRelCache(w)
	return w
}

// Conn is the underlying connection.
func (w *Warehouse) Conn() adapter.Conn { return w.conn }

// Dialect is the warehouse's SQL dialect.
func (w *Warehouse) Dialect() adapter.Dialect { return w.d }

// Traits are the warehouse's declared traits.
func (w *Warehouse) Traits() adapter.Traits { return w.traits }

// Type is the warehouse's profile type ("duckdb", …).
func (w *Warehouse) Type() string { return w.typ }

// Ping checks the connection.
func (w *Warehouse) Ping(ctx context.Context) error { return w.conn.Ping(ctx) }

// Close closes the connection. It is safe to call more than once.
func (w *Warehouse) Close() error { return w.conn.Close() }

// RenderRelation renders r as SQL, qualified with the target's database when
// it names none.
func (w *Warehouse) RenderRelation(r relation.Relation) string {
	return w.d.RenderRelation(w.qualify(r))
}

func (w *Warehouse) qualify(r relation.Relation) relation.Relation {
	if r.Database == "" {
		r.Database = w.database
	}
	return r
}

// target qualifies the relation a build writes and checks that the
// warehouse can hold it: reachable from this connection, and a name the
// engine keeps whole.
func (w *Warehouse) target(r relation.Relation) (relation.Relation, error) {
	r = w.qualify(r)
	if !w.traits.CrossDatabase && r.Database != "" && w.database != "" && r.Database != w.database {
		return r, fmt.Errorf("%s: %s cannot reach database %q from a connection to %q", r, w.typ, r.Database, w.database)
	}
	if err := w.traits.CheckIdentifier(w.typ, r.Identifier); err != nil {
		return r, err
	}
	return r, nil
}

// Exec runs statements that are not a build (hooks, operations). When they
// may create, drop or alter relations, the relation cache is dropped and
// read again as needed.
func (w *Warehouse) Exec(ctx context.Context, sql string) (int64, error) {
	n, err := w.conn.Exec(ctx, sql)
	if changesCatalog(sql) {
		w.cache.invalidate()
	}
	return n, err
}

// Query runs a query and returns at most limit rows (limit <= 0: all). A
// statement that may change the catalog (run_query can run DDL) drops the
// relation cache, as Exec does.
func (w *Warehouse) Query(ctx context.Context, sql string, limit int) (*adapter.Table, error) {
	t, err := w.conn.Query(ctx, sql, limit)
	if changesCatalog(sql) {
		w.cache.invalidate()
	}
	return t, err
}

// RelationKind says what exists at r (relation.None when nothing does):
// dbt's adapter.get_relation. It is answered from the relation cache.
func (w *Warehouse) RelationKind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	r = w.qualify(r)
	if !w.traits.CrossDatabase && r.Database != w.database && w.database != "" {
		return relation.None, fmt.Errorf("%s: %s cannot reach database %q from a connection to %q", r, w.typ, r.Database, w.database)
	}
	return w.cache.kind(ctx, r)
}

// Columns lists r's columns in order (dbt's get_columns_in_relation); none
// when r does not exist.
func (w *Warehouse) Columns(ctx context.Context, r relation.Relation) ([]adapter.Column, error) {
	return columnsOn(ctx, w.conn, w.d, w.qualify(r))
}

// querier is what runs a catalog query: the pool or a build's session.
type querier interface {
	Query(ctx context.Context, sql string, limit int) (*adapter.Table, error)
}

func columnsOn(ctx context.Context, q querier, d adapter.Dialect, r relation.Relation) ([]adapter.Column, error) {
	t, err := q.Query(ctx, d.ColumnsSQL(r), 0)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", r, err)
	}
	cols := make([]adapter.Column, 0, len(t.Rows))
	for _, row := range t.Rows {
		if len(row) < 2 {
			return nil, fmt.Errorf("read the columns of %s: the catalog query returned %d columns, want 2", r, len(row))
		}
		cols = append(cols, adapter.Column{Name: text(row[0]), DataType: text(row[1])})
	}
	return cols, nil
}

// ListRelations lists database.schema's relations, sorted by identifier
// (database "" means the target's). It fills the relation cache.
func (w *Warehouse) ListRelations(ctx context.Context, database, schema string) ([]adapter.ListedRelation, error) {
	if database == "" {
		database = w.database
	}
	kinds, err := w.cache.schema(ctx, database, schema)
	if err != nil {
		return nil, err
	}
	out := make([]adapter.ListedRelation, 0, len(kinds))
	for _, e := range kinds {
		out = append(out, adapter.ListedRelation{
			Relation: relation.Relation{Database: database, Schema: schema, Identifier: e.name}, Kind: e.kind})
	}
	slices.SortFunc(out, func(a, b adapter.ListedRelation) int {
		return strings.Compare(a.Relation.Identifier, b.Relation.Identifier)
	})
	return out, nil
}

// ListSchemas lists the schemas of database ("" means the target's).
func (w *Warehouse) ListSchemas(ctx context.Context, database string) ([]string, error) {
	if database == "" {
		database = w.database
	}
	t, err := w.conn.Query(ctx, w.d.SchemasSQL(database), 0)
	if err != nil {
		return nil, fmt.Errorf("list the schemas of %s: %w", database, err)
	}
	out := make([]string, 0, len(t.Rows))
	for _, row := range t.Rows {
		out = append(out, text(row[0]))
	}
	slices.Sort(out)
	return out, nil
}

// SchemaExists reports whether database.schema exists (dbt's check_schema_exists).
func (w *Warehouse) SchemaExists(ctx context.Context, database, schema string) (bool, error) {
	schemas, err := w.ListSchemas(ctx, database)
	if err != nil {
		return false, err
	}
	key := w.key(schema)
	return slices.ContainsFunc(schemas, func(s string) bool { return w.key(s) == key }), nil
}

// CreateSchema creates database.schema unless it exists. It runs the
// statement once per schema for the handle's lifetime; concurrent callers
// wait for the first (two concurrent CREATE SCHEMA IF NOT EXISTS can collide).
func (w *Warehouse) CreateSchema(ctx context.Context, database, schema string) error {
	if database == "" {
		database = w.database
	}
	key := w.schemaKey(database, schema)
	w.schemaMu.Lock()
	defer w.schemaMu.Unlock()
	if w.schemas[key] {
		return nil
	}
	err := retryConflicts(ctx, func() error {
		_, err := w.conn.Exec(ctx, w.d.CreateSchema(database, schema))
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema %s.%s: %w", database, schema, err)
	}
	w.schemas[key] = true
	return nil
}

// DropRelation drops r if it exists as kind (relation.None: nothing to do).
func (w *Warehouse) DropRelation(ctx context.Context, r relation.Relation, kind relation.Kind) error {
	if kind == relation.None {
		return nil
	}
	r = w.qualify(r)
	if _, err := w.conn.Exec(ctx, w.d.Drop(r, kind)); err != nil {
		return fmt.Errorf("drop %s: %w", r, err)
	}
	w.cache.set(r, relation.None)
	if w.d.DependentViewsSQL(r) != "" {
		// The drop cascaded to views the cache may hold.
		w.cache.invalidate()
	}
	return nil
}

// fold makes identifiers comparable as the engine compares them.
func (w *Warehouse) fold(s string) string {
	if w.traits.CaseInsensitive {
		return strings.ToLower(s)
	}
	return s
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// changesCatalog reports whether sql may create, drop, rename or alter
// relations: any statement that does not start with a word known to leave
// the catalog alone (queries, DML, grants, comments, transaction control).
func changesCatalog(sql string) bool {
	for _, stmt := range strings.Split(sql, ";") {
		w := firstWord(stmt)
		if w != "" && !catalogSafe[w] {
			return true
		}
	}
	return false
}

var catalogSafe = map[string]bool{
	"select": true, "with": true, "values": true, "table": true, "show": true, "describe": true, "desc": true,
	"explain": true, "insert": true, "update": true, "delete": true, "merge": true, "truncate": true, "copy": true,
	"grant": true, "revoke": true, "comment": true, "analyze": true, "vacuum": true, "set": true, "reset": true,
	"begin": true, "start": true, "commit": true, "rollback": true, "end": true, "lock": true, "checkpoint": true,
	"summarize": true, "pragma": true,
}

// firstWord is the lower-cased first word of a statement, after white space,
// comments and opening parentheses.
func firstWord(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = s[i+2:]
		default:
			end := strings.IndexFunc(s, func(r rune) bool {
				return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(s)
			}
			return strings.ToLower(s[:end])
		}
	}
}
