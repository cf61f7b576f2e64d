// Command strata is a dbt-style SQL transformation orchestrator. main only builds
// the signal-aware context and the table of warehouse drivers; everything else
// lives in engine/cli so it can be tested in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/strata-dev/strata/engine/adapter"
	"github.com/strata-dev/strata/engine/adapter/duckdb"
	"github.com/strata-dev/strata/engine/adapter/postgres"
	"github.com/strata-dev/strata/engine/adapter/snowflake"
	"github.com/strata-dev/strata/engine/cli"
)

func main() {
	// The first Ctrl-C or SIGTERM cancels the context: in-flight queries are
	// cancelled in the warehouse and results are written. A second one exits at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	if os.Getenv("GOGC") == "" {
		// A strata command is short-lived and allocates its whole manifest up
		// front: collecting less often saves ~10% of a large compile for a few MB.
		debug.SetGCPercent(400)
	}
	if path := os.Getenv("STRATA_CPUPROFILE"); path != "" {
		// For engineers measuring strata: a CPU profile of this invocation.
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer f.Close()
		}
	}
	if path := os.Getenv("STRATA_TRACE"); path != "" {
		// For engineers measuring strata: an execution trace (go tool trace).
		if f, err := os.Create(path); err == nil {
			trace.Start(f)
			defer f.Close()
		}
	}
	env := cli.Env{
		Stdin:         os.Stdin,
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Drivers:       Drivers(),
		DriverModules: DriverModules(),
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		env.SetMemoryLimit = debug.SetMemoryLimit
		if os.Getenv("GOGC") == "" {
			env.SetGCPercent = debug.SetGCPercent
		}
	}
	code := cli.Main(ctx, os.Args[1:], env)
	pprof.StopCPUProfile()
	trace.Stop()
	if path := os.Getenv("STRATA_MEMPROFILE"); path != "" {
		// For engineers measuring strata: the live heap at the end, and every
		// allocation of the command (a collection first makes the profile
		// complete up to now, not up to the last collection).
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	os.Exit(code)
}

// Drivers is the explicit table of warehouse drivers (no init registration):
// a new warehouse is a package under engine/adapter and one line here.
func Drivers() []adapter.Driver {
	return []adapter.Driver{
		duckdb.Driver(),
		postgres.Driver(),
		snowflake.Driver(),
	}
}

// DriverModules names the Go module behind each driver, so --version and
// "Registered adapter" can say which version was built in.
func DriverModules() map[string]string {
	return map[string]string{
		"duckdb":    "github.com/duckdb/duckdb-go/v2",
		"postgres":  "github.com/jackc/pgx/v5",
		"snowflake": "github.com/snowflakedb/gosnowflake",
	}
}
