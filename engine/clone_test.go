package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/strata-dev/strata/engine"
	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/internal/testfiles"
	"github.com/strata-dev/strata/engine/relation"
)

// cloningDialect is DuckDB with a table clone (DuckDB has none): it lets the
// test see clone choose a warehouse's zero-copy path for tables.
type cloningDialect struct{ duckdb.Dialect }

func (d cloningDialect) CloneTable(target, source relation.Relation) string {
	return "create or replace table " + d.RenderRelation(target) + " as select * from " + d.RenderRelation(source)
}

func TestCloneUsesTheWarehousesTableClone(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"project.yaml":  "name: p\nprofile: p\n",
		"profiles.yaml": "p:\n  target: dev\n  outputs:\n    prod: {type: duckdb, path: p.duckdb, schema: prod}\n    dev: {type: duckdb, path: p.duckdb, schema: dev}\n",
		"seeds/s.csv":   "id\n1\n2\n",
		"models/v.sql":  "select * from {{ ref('s') }}",
		"models/t.sql":  "{{ config(materialized='table') }}\nselect * from {{ ref('v') }}",
	}
	testfiles.Write(t, dir, files)
	ctx := context.Background()
	open := func(target string, d adapter.Driver) *engine.Project { return openProject(t, dir, target, d) }
	prod := open("prod", duckdb.Driver())
	rr, err := prod.Build(ctx, engine.RunOptions{Command: "build"})
	if err != nil || rr.Failed() {
		t.Fatalf("build prod: %v %+v", err, rr)
	}
	state := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(prod.TargetDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(state, "manifest.json"), raw, 0o644)

	drv := duckdb.Driver()
	drv.Dialect = cloningDialect{}
	dev := open("dev", drv)
	rr, err = dev.Clone(ctx, engine.CloneOptions{Selection: engine.Selection{StateDir: state}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rr.Results {
		got[r.UniqueID] = string(r.Status) + " " + r.AdapterResponse.Message
	}
	want := map[string]string{"seed.p.s": "success CLONE", "model.p.t": "success CLONE", "model.p.v": "success CREATE VIEW"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q (all: %v)", id, got[id], w, got)
		}
	}
	wh, err := dev.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for name, kind := range map[string]relation.Kind{"t": relation.Table, "v": relation.View, "s": relation.Table} {
		k, err := wh.RelationKind(ctx, relation.Relation{Database: "p", Schema: "dev", Identifier: name})
		if err != nil || k != kind {
			t.Errorf("dev.%s is %q (%v), want %q", name, k, err, kind)
		}
	}
	tbl, err := wh.Query(ctx, `select count(*) from "p"."dev"."t"`, 1)
	if err != nil || len(tbl.Rows) != 1 || asInt(tbl.Rows[0][0]) != 2 {
		t.Errorf("dev.t rows: %v %v", tbl, err)
	}
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	return -1
}
