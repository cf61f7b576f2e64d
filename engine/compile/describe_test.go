package compile

import (
	"fmt"
	"strings"
	"testing"
)

// Models whose properties hold no Jinja are made in parallel, the others on
// one goroutine (their descriptions render and may report): both kinds,
// interleaved over many models, keep their descriptions, and a description
// that fails to render is reported at its properties file and line.
func TestDescriptionsRenderedOrKept(t *testing.T) {
	files := map[string]string{
		"models/docs.md": "{% docs loans %}One row per loan.{% enddocs %}\n",
	}
	var props strings.Builder
	props.WriteString("version: 2\nmodels:\n")
	for i := 0; i < 64; i++ {
		files[fmt.Sprintf("models/m%02d.sql", i)] = "select 1 as id\n"
		switch i % 3 {
		case 0:
			fmt.Fprintf(&props, "  - name: m%02d\n    description: \"{{ doc('loans') }}\"\n    columns:\n      - name: id\n        description: \"id of {{ 'm%02d' }}\"\n", i, i)
		case 1:
			fmt.Fprintf(&props, "  - name: m%02d\n    description: plain %02d\n    columns:\n      - name: id\n        description: the id\n", i, i)
		}
		// i%3 == 2: no properties at all
	}
	files["models/schema.yml"] = props.String()
	m := mustCompile(t, files)
	for i := 0; i < 64; i++ {
		n, ok := m.Node(fmt.Sprintf("model.proj.m%02d", i))
		if !ok {
			t.Fatalf("m%02d missing", i)
		}
		var want, wantCol string
		switch i % 3 {
		case 0:
			want, wantCol = "One row per loan.", fmt.Sprintf("id of m%02d", i)
		case 1:
			want, wantCol = fmt.Sprintf("plain %02d", i), "the id"
		}
		if n.Description != want {
			t.Errorf("m%02d description %q, want %q", i, n.Description, want)
		}
		if c := n.Columns["id"]; wantCol != "" && (c == nil || c.Description != wantCol) {
			t.Errorf("m%02d column id: %+v, want description %q", i, c, wantCol)
		}
	}

	files["models/schema.yml"] = "version: 2\nmodels:\n  - name: m01\n    description: plain\n  - name: m02\n    description: \"{{ doc('nope') }}\"\n"
	_, ds := compileFiles(t, files)
	found := false
	for _, d := range ds {
		if strings.HasSuffix(d.File, "schema.yml") && d.Line > 0 && strings.Contains(d.Error(), "nope") {
			found = true
		}
	}
	if !found {
		t.Errorf("a description naming an unknown doc: want a diagnostic at schema.yml with a line, got\n%s", diagLines(ds))
	}
}
