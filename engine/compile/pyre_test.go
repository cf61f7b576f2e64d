package compile

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestPythonRe renders templates using modules.re and compares them with
// what Jinja2 and Python's re give (testdata/_pyre/golden.json, written by
// testdata/_pyre/oracle.py): lookaround, backreferences, verbose patterns
// with comments, Python's group numbering, replacement templates, split with
// groups, match/fullmatch anchoring, \Z, flags, empty matches.
func TestPythonRe(t *testing.T) {
	raw, err := os.ReadFile("testdata/_pyre/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Name, Template, Want string }
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases in golden.json", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			m := mustCompile(t, map[string]string{
				"project.yaml": "name: proj\nprofile: proj\n",
				"models/m.sql": tc.Template,
			})
			if got := m.Nodes["model.proj.m"].CompiledCode; strings.TrimSpace(got) != strings.TrimSpace(tc.Want) {
				t.Errorf("got  %q\nwant %q", got, tc.Want)
			}
		})
	}
}

// TestNativeTestArguments: a generic test argument that is one {{ expression
// }} keeps its type, as dbt renders test arguments natively: a list from
// var() reaches accepted_values as a list, not as its text.
func TestNativeTestArguments(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"project.yaml": "name: proj\nprofile: proj\nvars:\n  kinds: ['base', 'marts']\n",
		"models/m.sql": "select 'base' as kind",
		"macros/t.sql": "{% test typeof(model, column_name, v) %}select '{{ v is number }}' as is_number{% endtest %}" +
			"{% test joined(model, column_name, cols) %}select '{{ cols | join('+') }}' as joined{% endtest %}",
		"models/m.yml": `version: 2
models:
  - name: m
    columns:
      - name: kind
        data_tests:
          - accepted_values:
              values: "{{ var('kinds') }}"
          - accepted_values:
              name: literal_list
              values: "[{{ \"'x'\" }}]"
          - typeof:
              v: "{{ 2 + 3 }}"
          - joined:
              cols: [a, "{{ 'b' ~ 'c' }}"]
`,
	})
	var sqls []string
	for _, n := range m.Nodes {
		if n.ResourceType == "test" {
			sqls = append(sqls, n.CompiledCode)
		}
	}
	all := strings.Join(sqls, "\n")
	if !strings.Contains(all, "'True' as is_number") {
		t.Errorf("a number argument did not stay a number:\n%s", all)
	}
	if !strings.Contains(all, "'a+bc' as joined") {
		t.Errorf("Jinja inside a list argument was not rendered:\n%s", all)
	}
	if len(sqls) != 4 || !strings.Contains(all, "'base','marts'") && !strings.Contains(all, "'base', 'marts'") {
		t.Errorf("accepted_values did not get the list:\n%s", all)
	}
	if !strings.Contains(all, "'x'") || strings.Contains(all, "'['") {
		t.Errorf("a rendered Python literal was not read back as a list:\n%s", all)
	}
}
