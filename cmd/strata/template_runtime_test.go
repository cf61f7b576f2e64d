package main

// Template-engine failures through the real binary: a render that loops for
// ever is stopped by SIGTERM (and by the iteration limit), a render that
// would print gigabytes ends at the output limit, each with one message
// naming the file and line, the documented exit code and nothing built.

import (
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

func (p *proj) enable(name string) {
	p.t.Helper()
	src := filepath.Join(p.dir, "models", name+".sql.txt")
	data, err := os.ReadFile(src)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write("models/"+name+".sql", string(data))
}

// wantNothingBuilt fails when the project's DuckDB file holds model
// relations. It takes the failing model out first, so show can compile.
func (p *proj) wantNothingBuilt(t *testing.T, model string) {
	t.Helper()
	if err := os.Remove(filepath.Join(p.dir, "models", model+".sql")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "p.duckdb")); err == nil {
		out := p.run("show", "--inline", "select count(*) from information_schema.tables where table_schema = 'main'", "--output", "csv")
		if !regexp.MustCompile(`(?m)^0$`).MatchString(out.stdout) {
			t.Errorf("relations were built after a template error:\n%s", out)
		}
	}
}

func TestRuntimeTemplateSIGTERM(t *testing.T) {
	p := newProj(t, "runtime_template", "")
	p.enable("spin")
	r := p.start(t, "run")
	time.Sleep(700 * time.Millisecond) // compile is rendering spin.sql by now
	sent := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	o := r.finish(t, exitBound)
	took := time.Since(sent)
	t.Logf("SIGTERM to exit: %v", took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("strata took %v to stop after SIGTERM while rendering, want well under 2 s", took)
	}
	if o.code != 1 {
		t.Fatalf("exit %d, want 1 (the run was cancelled)\n%s", o.code, o)
	}
	wantMatch(t, "output", o.stdout+o.stderr, `models/spin\.sql:2:\d+: rendering stopped: context canceled`)
	p.wantNothingBuilt(t, "spin")
}

func TestRuntimeTemplateLimits(t *testing.T) {
	for _, c := range []struct {
		model, want string
	}{
		{"spin", `models/spin\.sql:2:\d+: iteration limit exceeded: loops ran more than 50000000 times in one render`},
		{"huge", `models/huge\.sql:1:\d+: output limit exceeded: a string of 300000000 bytes is larger than the limit of 268435456`},
	} {
		t.Run(c.model, func(t *testing.T) {
			p := newProj(t, "runtime_template", "")
			p.enable(c.model)
			o := p.run("run")
			if o.code != 2 {
				t.Fatalf("exit %d, want 2 (the project is invalid, nothing ran)\n%s", o.code, o)
			}
			wantMatch(t, "output", o.stdout+o.stderr, c.want)
			p.wantNothingBuilt(t, c.model)
		})
	}
}

func TestRuntimeTemplateUndefinedName(t *testing.T) {
	p := newProj(t, "runtime_template", "")
	p.enable("typo")
	o := p.run("compile")
	if o.code != 0 {
		t.Fatalf("compile exit %d, want 0 (a warning)\n%s", o.code, o)
	}
	wantMatch(t, "output", o.stdout+o.stderr, `models/typo\.sql:2:\d+: .*'wanted_nam' is undefined.*did you mean "wanted_name"`)
	o = p.run("compile", "--warn-error")
	if o.code != 2 {
		t.Fatalf("compile --warn-error exit %d, want 2\n%s", o.code, o)
	}
	wantMatch(t, "output", o.stdout+o.stderr, `models/typo\.sql:2:\d+: .*'wanted_nam' is undefined`)
}
