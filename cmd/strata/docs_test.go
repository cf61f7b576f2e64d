package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/cli"
)

// TestDocsServe builds a project on DuckDB, generates its docs, and serves
// them in-process: GET / is the page, /catalog.json the catalog, other files
// of target/ are not served, and cancelling (what Ctrl-C does) exits 0.
func TestDocsServe(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"project.yaml":      "name: p\nprofile: p\n",
		"models/orders.sql": "select 1 as order_id, 'paid' as status\n",
		"models/schema.yml": "version: 2\nmodels:\n  - name: orders\n    description: Paid orders.\n    columns:\n      - name: order_id\n        data_tests: [unique]\n",
	}
	writeFiles(t, dir, files)
	env := func(out, errOut io.Writer) cli.Env {
		return cli.Env{Stdout: out, Stderr: errOut, Drivers: Drivers(), Getenv: func(string) (string, bool) { return "", false }, HomeDir: t.TempDir()}
	}
	for _, args := range [][]string{{"build"}, {"docs", "generate"}} {
		var out, errOut syncBuffer
		if code := cli.Main(context.Background(), append(args, "--project-dir", dir), env(&out, &errOut)); code != 0 {
			t.Fatalf("strata %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
		}
	}

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"docs", "serve", "--project-dir", dir, "--addr", addr}, env(&out, &errOut))
	}()
	get := func(path string) (int, string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(body)
			}
			select {
			case code := <-done:
				t.Fatalf("strata docs serve exited early with %d\n%s", code, errOut.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v\n%s", path, err, errOut.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	code, body := get("/")
	if code != 200 || !strings.Contains(body, `<script src="docs/index.js"`) || !strings.Contains(body, "<title>p · strata docs</title>") {
		t.Errorf("GET /: %d, not the docs page:\n%.500s", code, body)
	}
	// The page's data: the index names the model, its details hold the description.
	if code, body := get("/docs/index.js"); code != 200 || !strings.Contains(body, `"orders"`) {
		t.Errorf("GET /docs/index.js: %d\n%.300s", code, body)
	}
	if code, body := get("/docs/n/0.js"); code != 200 || !strings.Contains(body, "Paid orders.") {
		t.Errorf("GET /docs/n/0.js: %d, lacks the description\n%.300s", code, body)
	}
	if code, body := get("/lineage.json"); code != 200 || !strings.Contains(body, `"model.p.orders"`) {
		t.Errorf("GET /lineage.json: %d\n%.300s", code, body)
	}
	// A link inside docs/ to a file outside it is not followed.
	if err := os.Symlink(filepath.Join(dir, "project.yaml"), filepath.Join(dir, "target", "docs", "leak.js")); err != nil {
		t.Fatal(err)
	}
	code, body = get("/catalog.json")
	var cat struct {
		Nodes map[string]struct {
			Metadata struct{ Type string }
			Columns  map[string]struct {
				Type  string
				Index int
			}
		}
	}
	if code != 200 {
		t.Fatalf("GET /catalog.json: %d %s", code, body)
	}
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatalf("catalog.json: %v", err)
	}
	orders, ok := cat.Nodes["model.p.orders"]
	if !ok || orders.Metadata.Type != "VIEW" || orders.Columns["order_id"].Type != "INTEGER" || orders.Columns["status"].Index != 2 {
		t.Errorf("catalog entry for orders = %+v", orders)
	}
	if code, _ := get("/manifest.json"); code != 200 {
		t.Errorf("GET /manifest.json: %d", code)
	}
	for _, hidden := range []string{"/p.duckdb", "/run_results.json", "/compiled/p/models/orders.sql", "/../project.yaml",
		"/docs/leak.js", "/docs/../p.duckdb", "/docs/%2e%2e/p.duckdb", "/docs/n/..%2f..%2fmanifest.json", "/docs/", "/docs/n", "/docs/index.json"} {
		if code, _ := get(hidden); code != 404 {
			t.Errorf("GET %s: %d, want 404 (only the docs are served)", hidden, code)
		}
	}
	if !strings.Contains(errOut.String(), "Serving target at http://"+addr+"/") {
		t.Errorf("stderr does not say where the docs are served:\n%s", errOut.String())
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("strata docs serve exited %d on cancel, want 0\n%s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("strata docs serve did not stop after cancel")
	}
}
