// Package memtrim lets a long-running, mostly idle process (strata schedule)
// give memory back between runs: it returns the Go heap's free pages to the OS
// and asks the kernel to reclaim the clean, file-backed pages of the executable
// that start-up touched (a 135 MB binary with DuckDB and the Snowflake SDK
// touches ~57 MB of them). Pages needed again are faulted back in on demand.
//
// Trim is safe to call from any goroutine; it is a no-op where unsupported.
package memtrim

import "runtime/debug"

// Trim returns free heap memory to the OS and, on Linux, lets the kernel reclaim
// the executable's clean mapped pages. It reports how many bytes of mappings it
// advised (0 where unsupported).
func Trim() int64 {
	debug.FreeOSMemory()
	return pageOutExecutable()
}
