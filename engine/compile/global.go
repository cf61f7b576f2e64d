package compile

import (
	"embed"
	"io/fs"
	"path"
	"sort"
)

// The built-in "global project": dbt's generic tests, cross-database macros
// (dateadd, datediff, listagg, the type_* macros, …) and naming macros as
// plain macro files under globalproject/, written for strata from dbt's
// documented behaviour. They load as package "dbt": callable unqualified and
// as dbt.<name>, overridable by a project macro of the same name, and
// dispatched per adapter through adapter.dispatch(name, 'dbt') to
// <adapter>__name, then default__name.

//go:embed globalproject/*.sql
var globalProjectFS embed.FS

// globalFilePrefix names the global project's files in diagnostics and the
// manifest, e.g. <strata>/globalproject/dates.sql:12.
const globalFilePrefix = "<strata>/"

type globalFile struct{ path, src string }

// globalMacroFiles returns the global project's macro files in name order.
func globalMacroFiles() []globalFile {
	names, err := fs.Glob(globalProjectFS, "globalproject/*.sql")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	sort.Strings(names)
	out := make([]globalFile, 0, len(names))
	for _, n := range names {
		b, err := globalProjectFS.ReadFile(n)
		if err != nil {
			panic(err) // embedded at build time: cannot be missing
		}
		out = append(out, globalFile{path: globalFilePrefix + path.Clean(n), src: string(b)})
	}
	return out
}
