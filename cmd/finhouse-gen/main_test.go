package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The committed seeds are exactly what the generator makes at scale 1, so they can be
// regenerated (and reviewed) at any time. If this fails after a generator change, run
// `go run ./cmd/finhouse-gen -out seeds -scale 1` and commit the result.
func TestCommittedSeedsMatchGenerator(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir, 1); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CSV generated: %v", err)
	}
	committed, _ := filepath.Glob(filepath.Join("..", "..", "seeds", "*.csv"))
	if len(committed) != len(files) {
		t.Errorf("seeds/ has %d CSV files, the generator makes %d", len(committed), len(files))
	}
	for _, f := range files {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "seeds", filepath.Base(f)))
		if err != nil {
			t.Errorf("seeds/%s: %v", filepath.Base(f), err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seeds/%s differs from the generator's output", filepath.Base(f))
		}
	}
}

func TestDeterministicAndScales(t *testing.T) {
	a, b, big := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := run(d, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(big, 3); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(a, "*.csv"))
	for _, f := range files {
		x, _ := os.ReadFile(f)
		y, _ := os.ReadFile(filepath.Join(b, filepath.Base(f)))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", filepath.Base(f))
		}
		z, _ := os.ReadFile(filepath.Join(big, filepath.Base(f)))
		if filepath.Base(f) != "aa_fips.csv" && filepath.Base(f) != "aa_event_types.csv" && len(z) <= len(x) {
			t.Errorf("%s: scale 3 (%d bytes) is not bigger than scale 2 (%d bytes)", filepath.Base(f), len(z), len(x))
		}
	}
	if err := run(t.TempDir(), 0); err == nil {
		t.Error("scale 0 was accepted")
	}
}

// The CSV conventions the project's column_types rely on.
func TestCSVConventions(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir, 1); err != nil {
		t.Fatal(err)
	}
	tsRe := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	dateRe := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if len(rows) < 2 {
			t.Errorf("%s has no data rows", name)
			continue
		}
		for i, h := range rows[0] {
			if h != strings.ToLower(h) {
				t.Errorf("%s: header %q is not lower case", name, h)
			}
			for _, r := range rows[1:] {
				v := r[i]
				if v == "" {
					continue
				}
				switch {
				case strings.HasSuffix(h, "_at") && !tsRe.MatchString(v):
					t.Errorf("%s.%s: %q is not a timestamp", name, h, v)
				case strings.HasSuffix(h, "_date") && !dateRe.MatchString(v):
					t.Errorf("%s.%s: %q is not a date", name, h, v)
				}
			}
		}
	}
}
