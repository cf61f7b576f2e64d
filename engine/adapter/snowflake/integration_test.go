package snowflake

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/adaptertest"
	"github.com/strata-dev/strata/engine/relation"
)

// realTarget builds a target from SNOWFLAKE_* variables, skipping when the
// account, user and a credential are not all set.
func realTarget(t *testing.T) adapter.Target {
	t.Helper()
	env := func(k string) string { return strings.TrimSpace(os.Getenv(k)) }
	if env("SNOWFLAKE_ACCOUNT") == "" || env("SNOWFLAKE_USER") == "" ||
		(env("SNOWFLAKE_PASSWORD") == "" && env("SNOWFLAKE_PRIVATE_KEY_PATH") == "") {
		t.Skip("set SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER and SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH, " +
			"SNOWFLAKE_PRIVATE_KEY_PASSPHRASE), plus SNOWFLAKE_DATABASE, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_ROLE as needed, " +
			"to run against a real Snowflake account")
	}
	fields := map[string]any{"account": env("SNOWFLAKE_ACCOUNT"), "user": env("SNOWFLAKE_USER"), "query_tag": "strata-adapter-test"}
	for field, key := range map[string]string{
		"password": "SNOWFLAKE_PASSWORD", "private_key_path": "SNOWFLAKE_PRIVATE_KEY_PATH",
		"private_key_passphrase": "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", "warehouse": "SNOWFLAKE_WAREHOUSE",
		"role": "SNOWFLAKE_ROLE", "database": "SNOWFLAKE_DATABASE", "schema": "SNOWFLAKE_SCHEMA",
	} {
		if v := env(key); v != "" {
			fields[field] = v
		}
	}
	if fields["database"] == nil {
		t.Fatal("SNOWFLAKE_DATABASE must name a database the role can create schemas in")
	}
	return adapter.Target{Profile: "integration", Name: "snowflake", Type: "snowflake",
		Database: strings.ToUpper(env("SNOWFLAKE_DATABASE")), Schema: env("SNOWFLAKE_SCHEMA"), Threads: 4, Fields: fields}
}

// TestConformanceOnRealSnowflake runs the conformance suite on a real account,
// one fresh schema per case, dropped afterwards.
func TestConformanceOnRealSnowflake(t *testing.T) {
	tg := realTarget(t)
	adaptertest.Run(t, adaptertest.Harness{
		Driver: Driver(),
		Open: func(t *testing.T) adapter.Conn {
			c, err := Open(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Database: tg.Database,
		Schema: func(t *testing.T, a adapter.Conn) string {
			name := fmt.Sprintf("STRATA_TEST_%d", time.Now().UnixNano())
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := a.Exec(ctx, "drop schema if exists "+Dialect{}.RenderRelation(relation.Relation{Database: tg.Database, Schema: name})); err != nil {
					t.Errorf("drop schema %s: %v", name, err)
				}
			})
			return name
		},
		LongQuery:  longQuery,
		LongSelect: longQuery + " as w",
		Skip:       map[string]string{},
	})
}
