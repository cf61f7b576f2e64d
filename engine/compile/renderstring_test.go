package compile

import "testing"

func TestRenderString(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "PGHOST" {
			return "db.internal", true
		}
		return "", false
	}
	cases := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"{{ env_var('PGHOST') }}", "db.internal", ""},
		{"{{ env_var('PGPORT', '5432') }}", "5432", ""},
		{"{{ var('schema') }}_x", "dev_x", ""},
		{"{{ env_var('NOPE') }}", "", `env var not set: env_var("NOPE"): the environment variable is not set and no default is given`},
		{"{{ var('nope') }}", "", `undefined var: var("nope") is not set: define it under vars: in the project file, pass it with --vars, or give a default`},
	}
	for _, tc := range cases {
		got, err := RenderString(tc.in, env, map[string]any{"schema": "dev"})
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: got error %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
