package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/strata-dev/strata/engine/jinja"
)

// gonjaFigure is gonja v2.9.1's throughput on the same corpus, measured on
// this machine before gonja left go.mod (a scratch program that parsed and
// rendered every output case of engine/jinja/testdata for 3 s; 1,545 of the
// 1,780 rendered without an error). It cannot be re-measured without
// bringing gonja back, so it is printed as recorded.
const gonjaFigure = "gonja v2.9.1 (recorded 2026-12-01 before its removal): 8,682 templates/s, 115.2 µs/template"

type corpusCase struct {
	name string
	src  string
	vars map[string]jinja.Value
}

// loadCorpus reads the output cases of the engine's differential corpus.
func loadCorpus(dir string) ([]corpusCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "corpus", "*.txtar"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no corpus under %s", dir)
	}
	var out []corpusCase
	for _, f := range files {
		topic := strings.TrimSuffix(filepath.Base(f), ".txtar")
		ar, err := txtar.ParseFile(f)
		if err != nil {
			return nil, err
		}
		gb, err := os.ReadFile(filepath.Join(dir, "golden", topic+".json"))
		if err != nil {
			return nil, err
		}
		var gold map[string]map[string]any
		if err := json.Unmarshal(gb, &gold); err != nil {
			return nil, err
		}
		vars := map[string]map[string]jinja.Value{}
		for _, fl := range ar.Files {
			if name, ok := strings.CutSuffix(fl.Name, ".json"); ok {
				v, err := jinja.ParseJSON(fl.Data)
				if err != nil {
					return nil, fmt.Errorf("%s/%s: %w", topic, fl.Name, err)
				}
				m := map[string]jinja.Value{}
				for i, k := range v.Dict().Keys() {
					m[k.Str()] = v.Dict().Values()[i]
				}
				vars[name] = m
			}
		}
		for _, fl := range ar.Files {
			name, ok := strings.CutSuffix(fl.Name, ".tmpl")
			if !ok {
				continue
			}
			if _, ok := gold[name]["out"]; !ok {
				continue
			}
			out = append(out, corpusCase{name: topic + "/" + name, src: string(fl.Data), vars: vars[name]})
		}
	}
	return out, nil
}

// benchTemplates prints the template engine's throughput on the corpus beside
// real Jinja2's (python3) and gonja's recorded figure.
func benchTemplates(runs int) {
	dir := filepath.Join("engine", "jinja", "testdata")
	cases, err := loadCorpus(dir)
	if err != nil {
		fmt.Println("templates: skipped:", err)
		return
	}
	env := jinja.NewEnvironment()
	ctx := context.Background()
	var rates []float64
	for r := 0; r < runs; r++ {
		n := 0
		start := time.Now()
		for time.Since(start) < time.Second {
			for _, c := range cases {
				t, err := env.Parse(c.name, c.src)
				if err == nil {
					_, err = t.Execute(ctx, c.vars, jinja.RenderOptions{})
				}
				if err != nil {
					must(fmt.Errorf("%s: %v", c.name, err))
				}
				n++
			}
		}
		rates = append(rates, float64(n)/time.Since(start).Seconds())
	}
	rate := median(rates)
	fmt.Printf("templates: %d output cases of the Jinja corpus, parse + render each\n", len(cases))
	fmt.Printf("  %-40s %9.0f templates/s, %6.1f µs/template (median of %d)\n", "strata engine/jinja", rate, 1e6/rate, runs)
	py := exec.Command("python3", filepath.Join(dir, "oracle.py"), "--bench", "2")
	if out, err := py.Output(); err != nil {
		fmt.Println("  Jinja2 (python3): skipped:", err)
	} else {
		var r struct {
			Templates int
			Seconds   float64
		}
		if err := json.Unmarshal(out, &r); err == nil && r.Seconds > 0 {
			pr := float64(r.Templates) / r.Seconds
			fmt.Printf("  %-40s %9.0f templates/s, %6.1f µs/template   (strata %.0f× faster)\n", "Jinja2 3.1 (python3, from_string+render)", pr, 1e6/pr, rate/pr)
		}
	}
	fmt.Printf("  %s\n", gonjaFigure)
}
