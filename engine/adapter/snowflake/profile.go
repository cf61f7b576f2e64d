package snowflake

import "github.com/strata-dev/strata/engine/adapter"

// Profile is what a `type: snowflake` profile output takes (dbt-snowflake's
// keys, plus host, port and protocol for a non-default endpoint).
func Profile() adapter.ProfileSpec {
	return adapter.ProfileSpec{
		Fields: []adapter.ProfileField{
			{Key: "account"}, {Key: "user"}, {Key: "password", Secret: true}, {Key: "authenticator"},
			{Key: "private_key_path"}, {Key: "private_key", Secret: true}, {Key: "private_key_passphrase", Secret: true},
			{Key: "token", Secret: true},
			{Key: "role"}, {Key: "warehouse"}, {Key: "database"}, {Key: "schema"},
			{Key: "threads", Type: adapter.IntField, Min: 1, Max: 1024},
			{Key: "query_tag"}, {Key: "client_session_keep_alive", Type: adapter.BoolField},
			{Key: "connect_timeout", Type: adapter.IntField, Min: 0, Max: 3600},
			{Key: "connect_retries", Type: adapter.IntField, Min: 0, Max: 100},
			{Key: "host"}, {Key: "port", Type: adapter.IntField, Min: 1, Max: 65535}, {Key: "protocol", OneOf: []string{"http", "https"}},
			{Key: "retries", Type: adapter.IntField, Min: 0, Max: 100},
			{Key: "reuse_connections", Type: adapter.BoolField},
		},
		Required: [][]string{{"account"}, {"user"}, {"database"}, {"schema"},
			{"password", "private_key_path", "private_key", "authenticator"}},
		Complete: func(t *adapter.Target, _ adapter.ProfileEnv) []adapter.ProfileProblem {
			t.Database, _ = t.Fields["database"].(string)
			return nil
		},
	}
}
