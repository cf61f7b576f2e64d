//go:build !linux

package memtrim

func pageOutExecutable() int64 { return 0 }
