package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/tools/txtar"

	"github.com/strata-dev/strata/engine/cli"
)

// TestScripts runs testdata/script/*.txtar: each archive holds a project's files
// and a script of strata commands as a user types them, with their expected exit
// codes and output. Script lines:
//
//	strata ARGS...            run strata; expect exit 0
//	exit N strata ARGS...     run strata; expect exit N
//	stdout REGEXP / ! stdout REGEXP   the last command's stdout (not) matches
//	stderr REGEXP / ! stderr REGEXP
//	exists PATH / ! exists PATH       a file under the work dir (not) exists
//	cp SRC DST / rm PATH      copy or remove files under the work dir
//	cat PATH                  a file under the work dir becomes the last stdout
//	env NAME=VALUE            set an environment variable for later commands
//	skip-unless-env NAME      skip the script when NAME is unset
//	cd DIR                    run later commands in WORK/DIR, and stop adding
//	                          --project-dir (strata finds the project itself)
//	stdin FILE                the next command reads FILE as a person at a terminal
//	chmod MODE PATH / mode MODE PATH  set / check a file's permissions (octal)
//
// $WORK in arguments is the script's temp dir; $NAME expands environment values.
func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/script/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scripts found")
	}
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		targets := scriptTargets(string(ar.Comment))
		if targets == nil {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runScript(t, f, ar, nil)
			})
			continue
		}
		for _, target := range targets {
			t.Run(name+"/"+target, func(t *testing.T) {
				t.Parallel()
				env := map[string]string{"TARGET": target}
				if target == "postgres" {
					for k, v := range postgresEnv(t) {
						env[k] = v
					}
				}
				runScript(t, f, ar, env)
			})
		}
	}
}

// scriptTargets reads a `targets a b` line: the script then runs once per
// target with $TARGET set.
func scriptTargets(comment string) []string {
	for _, l := range strings.Split(comment, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "targets" {
			return f[1:]
		}
	}
	return nil
}

// postgresEnv points a script at the test server, in a fresh schema dropped
// afterwards. Unset DSN: skip, naming the variable. Set but unreachable: fail.
func postgresEnv(t *testing.T) map[string]string {
	dsn := os.Getenv("STRATA_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL scripts skipped: set STRATA_TEST_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("STRATA_TEST_POSTGRES_DSN: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("STRATA_TEST_POSTGRES_DSN is set but the server is unreachable: %v", err)
	}
	conn.Close(ctx)
	schema := fmt.Sprintf("strata_script_%d", time.Now().UnixNano()%1_000_000_000)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and query like '%"+schema+"%'")
		rows, err := c.Query(ctx, "select nspname from pg_namespace where nspname like '"+schema+"%'")
		if err != nil {
			return
		}
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			c.Exec(ctx, `drop schema if exists "`+n+`" cascade`)
		}
	})
	return map[string]string{
		"PGHOST": cfg.Host, "PGPORT": strconv.Itoa(int(cfg.Port)), "PGUSER": cfg.User,
		"PGPASSWORD": cfg.Password, "PGDATABASE": cfg.Database, "PGSCHEMA": schema,
	}
}

func runScript(t *testing.T, file string, ar *txtar.Archive, extraEnv map[string]string) {
	work := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(work, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"WORK": work, "HOME": filepath.Join(work, ".home")}
	for k, v := range extraEnv {
		env[k] = v
	}
	lookup := func(k string) (string, bool) {
		if v, ok := env[k]; ok {
			return v, true
		}
		if k == "STRATA_TEST_POSTGRES_DSN" || strings.HasPrefix(k, "SNOWFLAKE_") {
			return os.LookupEnv(k)
		}
		return "", false
	}
	expand := func(s string) string {
		return os.Expand(s, func(k string) string { v, _ := lookup(k); return v })
	}
	var stdout, stderr string
	workDir, findProject := work, false
	var stdin []byte
	for i, raw := range strings.Split(string(ar.Comment), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d: %s", filepath.Base(file), i+1, line)
		neg := false
		if strings.HasPrefix(line, "! ") {
			neg, line = true, strings.TrimSpace(line[2:])
		}
		words := splitArgs(line)
		switch words[0] {
		case "targets":
		case "skip-unless-env":
			if _, ok := lookup(words[1]); !ok {
				t.Skipf("%s: %s is not set", filepath.Base(file), words[1])
			}
		case "env":
			k, v, _ := strings.Cut(words[1], "=")
			env[k] = expand(v)
		case "strata", "exit":
			want := 0
			if words[0] == "exit" {
				want, _ = strconv.Atoi(words[1])
				words = words[2:]
			}
			args := make([]string, 0, len(words)-1)
			for _, w := range words[1:] {
				args = append(args, expand(w))
			}
			if !findProject && !hasFlag(args, "--project-dir") && len(args) > 0 && args[0] != "init" {
				args = append(args, "--project-dir", work)
			}
			var o, e bytes.Buffer
			code := cli.Main(context.Background(), args, cli.Env{Stdout: &o, Stderr: &e, Stdin: bytes.NewReader(stdin), Interactive: stdin != nil,
				Drivers: Drivers(), DriverModules: DriverModules(), Getenv: lookup, HomeDir: env["HOME"], WorkDir: workDir})
			stdin = nil
			stdout, stderr = o.String(), e.String()
			if code != want {
				t.Fatalf("%s\nexit code %d, want %d\nstdout:\n%s\nstderr:\n%s", where, code, want, stdout, stderr)
			}
		case "stdout", "stderr":
			text := stdout
			if words[0] == "stderr" {
				text = stderr
			}
			re, err := regexp.Compile("(?m)" + expand(words[1]))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if re.MatchString(text) == neg {
				t.Fatalf("%s\n%s was:\n%s", where, words[0], text)
			}
		case "cp":
			data, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(words[1])))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			dst := filepath.Join(work, filepath.FromSlash(words[2]))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
		case "cat":
			data, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(words[1])))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			stdout, stderr = string(data), ""
		case "rm":
			if err := os.RemoveAll(filepath.Join(work, filepath.FromSlash(words[1]))); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
		case "cd":
			workDir, findProject = filepath.Join(work, filepath.FromSlash(words[1])), true
		case "stdin":
			data, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(words[1])))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			stdin = data
		case "chmod", "mode":
			m, err := strconv.ParseUint(words[1], 8, 32)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			path := filepath.Join(work, filepath.FromSlash(words[2]))
			if words[0] == "chmod" {
				if err := os.Chmod(path, os.FileMode(m)); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				continue
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if got := st.Mode().Perm(); (got == os.FileMode(m)) == neg {
				t.Fatalf("%s: mode is %o", where, got)
			}
		case "exists":
			_, err := os.Stat(filepath.Join(work, filepath.FromSlash(words[1])))
			if (err == nil) == neg {
				t.Fatalf("%s (stat: %v)", where, err)
			}
		default:
			t.Fatalf("%s: unknown script command %q", where, words[0])
		}
	}
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// splitArgs splits on spaces, keeping 'single' and "double" quoted words whole.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
