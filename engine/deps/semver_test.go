package deps

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestConstraintAllows(t *testing.T) {
	cases := []struct {
		rng  []string
		v    string
		want bool
	}{
		{[]string{"1.3.0"}, "1.3.0", true},
		{[]string{"1.3.0"}, "1.3.1", false},
		{[]string{"=1.3.0"}, "1.3.0", true},
		{[]string{">=1.0.0", "<2.0.0"}, "1.9.9", true},
		{[]string{">=1.0.0", "<2.0.0"}, "2.0.0", false},
		{[]string{">=1.0.0", "<2.0.0"}, "0.9.9", false},
		{[]string{">=1.0.0,<2.0.0"}, "1.5.0", true},
		{[]string{">0.9.0"}, "0.9.0", false},
		{[]string{"<=0.9.0"}, "0.9.0", true},
		// dbt: "<2.0.0" keeps 2.0.0's own pre-releases out; ">=1.0.0" keeps 1.0.0-b1 out.
		{[]string{"<2.0.0"}, "2.0.0-rc1", false},
		{[]string{"<=2.0.0"}, "2.0.0-rc1", true},
		{[]string{">=1.0.0"}, "1.0.0-b1", false},
		{[]string{">=0.4.4", "<0.4.6"}, "0.4.5-a2", true},
		{[]string{"0.4.5-a2"}, "0.4.5a2", true}, // the dash before a pre-release is optional
	}
	for _, c := range cases {
		r, err := ParseRange(c.rng)
		if err != nil {
			t.Fatalf("ParseRange(%q): %v", c.rng, err)
		}
		v, err := ParseVersion(c.v)
		if err != nil {
			t.Fatalf("ParseVersion(%q): %v", c.v, err)
		}
		if got := r.Allows(v); got != c.want {
			t.Errorf("%s allows %s = %v, want %v", r, c.v, got, c.want)
		}
	}
	for _, bad := range []string{"1.0", "v1.0.0", "latest", ">=01.0.0", "1.0.0 - 2.0.0"} {
		if _, err := ParseRange([]string{bad}); err == nil {
			t.Errorf("ParseRange(%q) accepted it", bad)
		}
	}
}

func TestVersionOrder(t *testing.T) {
	in := []string{"1.0.0", "1.0.0-rc1", "0.9.10", "1.0.0-b.2", "0.9.9", "1.0.0-b.10", "1.0.1", "1.0.0-b"}
	var vs []Version
	for _, s := range in {
		v, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	sortVersions(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	want := "0.9.9 0.9.10 1.0.0-b 1.0.0-b.2 1.0.0-b.10 1.0.0-rc1 1.0.0 1.0.1" // numeric identifiers compare as numbers
	if strings.Join(got, " ") != want {
		t.Errorf("order = %s, want %s", strings.Join(got, " "), want)
	}
}

// TestSpecHashMatchesDBT checks the sha1_hash against package lists whose
// hash dbt itself computed (dbt-core's functional tests and
// dbt-labs/jaffle-shop's committed package-lock.yml): a lock written by dbt
// must be honoured by strata, and strata's must satisfy dbt.
func TestSpecHashMatchesDBT(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"packages:\n  - package: fivetran/fivetran_utils\n    version: 0.4.7\n", "71304bca2138cf8004070b3573a1e17183c0c1a8"},
		{"packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - package: calogica/dbt_date\n    version: 0.10.0\n", "7c1ddbf832c1046c7624d86c87e3f4ef3e69732a"},
		{"packages:\n- local: ../\n", "de2deba3d66ce03d8c02949013650cc9b94f6030"},
		{"packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - package: calogica/dbt_date\n    version: 0.10.0\n  - git: \"https://github.com/dbt-labs/dbt-audit-helper.git\"\n    revision: main\n", "da0d5b1d5a48f6504805f6b1d5a0b2f9f233f34c"},
		{"packages:\n  - git: https://github.com/dbt-labs/dbt-multipe-packages.git\n    subdirectory: dbt-utils-main\n    revision: v0.1.0\n  - git: https://github.com/dbt-labs/dbt-multipe-packages.git\n    subdirectory: dbt-date-main\n    revision: v0.1.0\n", "b9c8042f29446c55a33f9f211737f445a640c7a1"},
		{"packages:\n  - private: dbt-labs/dbt-integration-project\n    revision: dbt/1.0.0\n  - private: dbt-labs/dbt-integration-project\n    revision: dbt/1.0.0\n", "bdd5bb1fe19294d5f5c14d347064da22bfa34657"},
	}
	r := &renderer{env: func(string) (string, bool) { return "", false }, red: &redactor{}}
	for _, c := range cases {
		list, err := readSpecs(t.TempDir(), "", "", r, func(name string) ([]byte, error) {
			if name == PackagesFile {
				return []byte(c.yaml), nil
			}
			return nil, errNotExist
		})
		if err != nil {
			t.Fatalf("%s: %v", c.yaml, err)
		}
		if got := specHash(list.specs); got != c.want {
			t.Errorf("hash of\n%s= %s, want %s", c.yaml, got, c.want)
		}
	}
}

func TestPyJSON(t *testing.T) {
	var v any
	yaml.Unmarshal([]byte(`{b: [1, 1.5, 1.0e+20, true, null], a: "é\"\n\u0001😀", c: 0.0001}`), &v)
	var b strings.Builder
	pyJSON(&b, v)
	// What Python's json.dumps(v, sort_keys=True) prints for the same value.
	want := `{"a": "\u00e9\"\n\u0001\ud83d\ude00", "b": [1, 1.5, 1e+20, true, null], "c": 0.0001}`
	if b.String() != want {
		t.Errorf("pyJSON = %s\nwant     %s", b.String(), want)
	}
}

func TestHubVersionsFilter(t *testing.T) {
	p := &hubPackage{Versions: map[string]*hubVersion{
		"1.0.0":    {RequireDBTVersion: []any{">=1.0.0", "<2.0.0"}},
		"1.1.0-b1": {},
		"2.0.0":    {RequireDBTVersion: ">=2.0.0"},
		"junk":     {},
	}}
	str := func(vs []Version) string {
		var s []string
		for _, v := range vs {
			s = append(s, v.String())
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		pre  bool
		dbt  string
		want string
	}{
		{false, "", "1.0.0 2.0.0"},
		{true, "", "1.0.0 1.1.0-b1 2.0.0"},
		{false, "1.8.0", "1.0.0"},
		{true, "2.1.0", "1.1.0-b1 2.0.0"},
	} {
		if got := str(p.versions(c.pre, c.dbt)); got != c.want {
			t.Errorf("versions(prerelease %v, dbt %q) = %s, want %s", c.pre, c.dbt, got, c.want)
		}
	}
}
