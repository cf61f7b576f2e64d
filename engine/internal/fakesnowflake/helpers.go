package fakesnowflake

import (
	"github.com/snowflakedb/gosnowflake"

	"github.com/strata-dev/strata/engine/adapter"
)

// Config is a driver configuration for this fake's default user: plain HTTP,
// one retry (a broken answer fails in about a second, not minutes), no
// telemetry and JSON results requested like strata's adapter does.
func (s *Server) Config() *gosnowflake.Config {
	jsonFormat := "JSON"
	return &gosnowflake.Config{
		Account: s.Account, User: s.User, Password: s.Password,
		Database: s.Database, Schema: s.Schema, Warehouse: s.Warehouse, Role: s.Role,
		Host: s.Host(), Port: s.Port(), Protocol: "http",
		MaxRetryCount:    1,
		DisableTelemetry: true,
		Params:           map[string]*string{"GO_QUERY_RESULT_FORMAT": &jsonFormat},
	}
}

// Target is an adapter target for strata's snowflake adapter pointing at this
// fake, with the same fields ProfileFields puts in a profiles.yaml.
func (s *Server) Target() adapter.Target {
	return adapter.Target{
		Profile:  "fake",
		Name:     "snowflake",
		Type:     "snowflake",
		Database: s.Database,
		Schema:   s.Schema,
		Threads:  4,
		Fields:   s.ProfileFields(),
	}
}
