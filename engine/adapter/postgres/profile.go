package postgres

import (
	"fmt"

	"github.com/strata-dev/strata/engine/adapter"
)

// sslModes are the values libpq (and pgx) accept for sslmode.
var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// Profile is what a `type: postgres` profile output takes (dbt-postgres's keys).
func Profile() adapter.ProfileSpec {
	return adapter.ProfileSpec{
		Fields: []adapter.ProfileField{
			{Key: "host"}, {Key: "port", Type: adapter.IntField, Min: 1, Max: 65535},
			{Key: "user"}, {Key: "password", Secret: true}, {Key: "pass", Secret: true},
			{Key: "dbname"}, {Key: "database"}, {Key: "schema"},
			{Key: "threads", Type: adapter.IntField, Min: 1, Max: 1024},
			{Key: "sslmode", OneOf: sslModes},
			{Key: "connect_timeout", Type: adapter.IntField, Min: 0, Max: 3600},
			{Key: "keepalives_idle", Type: adapter.IntField, Min: 0, Max: 86400},
			{Key: "search_path"}, {Key: "role"}, {Key: "application_name"},
			{Key: "retries", Type: adapter.IntField, Min: 0, Max: 100},
		},
		Required: [][]string{{"host"}, {"user"}, {"dbname", "database"}, {"schema"}},
		Complete: completeProfile,
	}
}

// completeProfile takes the database from dbname or database (dbt accepts
// both), refusing two different ones.
func completeProfile(t *adapter.Target, _ adapter.ProfileEnv) []adapter.ProfileProblem {
	db, _ := t.Fields["dbname"].(string)
	alt, _ := t.Fields["database"].(string)
	var problems []adapter.ProfileProblem
	if db != "" && alt != "" && db != alt {
		problems = append(problems, adapter.ProfileProblem{Key: "database", Summary: "conflicting keys",
			Detail: fmt.Sprintf("target %s of profile %s sets dbname %q and database %q; keep one", t.Name, t.Profile, db, alt)})
	}
	if db == "" {
		db = alt
	}
	t.Database = db
	return problems
}
