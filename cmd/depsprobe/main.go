package main

import (
	_ "github.com/dominikbraun/graph"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/nikolalohinski/gonja/v2"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/robfig/cron/v3"
	_ "github.com/snowflakedb/gosnowflake"
	_ "gopkg.in/yaml.v3"
)

func main() {}
