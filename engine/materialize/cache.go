package materialize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/strata-dev/strata/engine/relation"
)

// schemaKey names a schema as the engine compares names.
type schemaKey struct{ database, schema string }

func (w *Warehouse) schemaKey(database, schema string) schemaKey {
	return schemaKey{w.key(database), w.key(schema)}
}

// key makes a name comparable as the engine compares names: folded as
// unquoted names fold, then lower-cased where case does not matter. (On
// Snowflake two quoted names differing only in case would share a key; a
// build that trips over that reads the relation again.)
func (w *Warehouse) key(name string) string {
	return w.fold(w.d.NormalizeIdent(name))
}

// listed is one relation of a cached schema, with its name as stored.
type listed struct {
	name string
	kind relation.Kind
}

// relCache knows each relation's kind from one catalog query per schema,
// kept current by the builds of the run. It is safe for concurrent use.
type relCache struct {
	w  *Warehouse
	mu sync.Mutex
	// schemas are the schemas read (or being read); nil entries never occur.
	schemas map[schemaKey]*schemaRels
}

// schemaRels is one schema's relations. While the listing runs, ready is
// open and changes made meanwhile are recorded in pending, to be applied over
// what the listing returns (it may have started before they committed).
type schemaRels struct {
	ready   chan struct{}
	err     error
	rels    map[string]listed // by folded identifier
	pending map[string]listed
}

func newRelCache(w *Warehouse) *relCache {
	return &relCache{w: w, schemas: map[schemaKey]*schemaRels{}}
}

// schema returns database.schema's relations, reading them the first time.
func (c *relCache) schema(ctx context.Context, database, schema string) (map[string]listed, error) {
	key := c.w.schemaKey(database, schema)
	c.mu.Lock()
	s, ok := c.schemas[key]
	if !ok {
		s = &schemaRels{ready: make(chan struct{}), pending: map[string]listed{}}
		c.schemas[key] = s
	}
	c.mu.Unlock()
	if !ok {
		rels, err := c.w.list(ctx, database, schema, "")
		c.mu.Lock()
		if err != nil {
			s.err = err
			if c.schemas[key] == s {
				delete(c.schemas, key) // the next caller tries again
			}
		} else {
			s.rels = make(map[string]listed, len(rels)+len(s.pending))
			for _, r := range rels {
				s.rels[c.w.key(r.name)] = r
			}
			for k, r := range s.pending {
				if r.kind == relation.None {
					delete(s.rels, k)
				} else {
					s.rels[k] = r
				}
			}
			s.pending = nil
		}
		close(s.ready)
		c.mu.Unlock()
	} else {
		select {
		case <-s.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]listed, len(s.rels))
	for k, v := range s.rels {
		out[k] = v
	}
	return out, nil
}

// read says whether r's schema has been listed, or is being listed.
func (c *relCache) read(r relation.Relation) bool {
	key := c.w.schemaKey(r.Database, r.Schema)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.schemas[key]
	return ok
}

// kind says what exists at r.
func (c *relCache) kind(ctx context.Context, r relation.Relation) (relation.Kind, error) {
	key := c.w.schemaKey(r.Database, r.Schema)
	id := c.w.key(r.Identifier)
	c.mu.Lock()
	if s, ok := c.schemas[key]; ok && s.rels != nil {
		e := s.rels[id]
		c.mu.Unlock()
		return e.kind, nil
	}
	c.mu.Unlock()
	rels, err := c.schema(ctx, r.Database, r.Schema)
	if err != nil {
		return relation.None, err
	}
	return rels[id].kind, nil
}

// set records that r now is kind (relation.None: gone).
func (c *relCache) set(r relation.Relation, kind relation.Kind) {
	key := c.w.schemaKey(r.Database, r.Schema)
	name := r.Identifier
	id := c.w.key(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.schemas[key]
	switch {
	case !ok:
		// Not read yet: the first read will see the change.
	case s.rels == nil:
		s.pending[id] = listed{name, kind}
	case kind == relation.None:
		delete(s.rels, id)
	default:
		s.rels[id] = listed{name, kind}
	}
}

// invalidate forgets everything: the next question reads the catalog again.
func (c *relCache) invalidate() {
	c.mu.Lock()
	c.schemas = map[schemaKey]*schemaRels{}
	c.mu.Unlock()
}

// list runs the dialect's relations query: every relation of the schema, or
// the one named identifier.
func (w *Warehouse) list(ctx context.Context, database, schema, identifier string) ([]listed, error) {
	q := w.d.RelationsSQL(database, schema, identifier)
	t, err := w.conn.Query(ctx, q, 0)
	if err != nil {
		return nil, fmt.Errorf("list the relations of %s.%s: %w", database, schema, err)
	}
	out := make([]listed, 0, len(t.Rows))
	for _, row := range t.Rows {
		if len(row) < 2 {
			return nil, fmt.Errorf("list the relations of %s.%s: the catalog query returned %d columns, want 2", database, schema, len(row))
		}
		k, err := kindOf(text(row[1]))
		if err != nil {
			return nil, fmt.Errorf("list the relations of %s.%s: %w", database, schema, err)
		}
		out = append(out, listed{name: text(row[0]), kind: k})
	}
	return out, nil
}

// lookup reads one relation's kind from the catalog, bypassing the cache, and
// records it there.
func (w *Warehouse) lookup(ctx context.Context, q querier, r relation.Relation) (relation.Kind, error) {
	t, err := q.Query(ctx, w.d.RelationsSQL(r.Database, r.Schema, r.Identifier), 0)
	if err != nil {
		return relation.None, fmt.Errorf("look up %s: %w", r, err)
	}
	kind := relation.None
	want := w.key(r.Identifier)
	for _, row := range t.Rows {
		if len(row) < 2 {
			continue
		}
		if w.key(text(row[0])) == want {
			if kind, err = kindOf(text(row[1])); err != nil {
				return relation.None, fmt.Errorf("look up %s: %w", r, err)
			}
		}
	}
	w.cache.set(r, kind)
	return kind, nil
}

var errUnknownKind = errors.New("unknown relation kind")

func kindOf(s string) (relation.Kind, error) {
	switch strings.ToLower(s) {
	case "table":
		return relation.Table, nil
	case "view":
		return relation.View, nil
	case "external":
		return relation.External, nil
	}
	return relation.None, fmt.Errorf("%w %q from the dialect's relations query (want table, view or external)", errUnknownKind, s)
}
