// Package pollconn turns a socket into a net.Conn whose reads and writes wait
// in the kernel (poll, then read or write), as libpq does, instead of in Go's
// network poller.
//
// Why: a warehouse session at --threads 1 is a strict request/response loop
// (send a statement, wait ~0.5 ms, read the answer). Through the network
// poller every wait parks the goroutine, idles its thread, wakes it from
// epoll and wakes the runtime's monitor thread: about 20 µs per statement on
// this project's 2-core machine, which over 1,000 views on a local
// PostgreSQL was 4% of the run (a bare pgx loop: 503 ms through the poller,
// 484 ms through poll; psql 486 ms). A goroutine blocked in poll holds its
// thread; the runtime hands its processor to other goroutines meanwhile, so
// only the waiting connection pays, which is what one session per thread
// does anyway.
//
// Deadlines work as net.Conn's do (pgx relies on them to unblock a read after
// a cancel): setting one wakes a blocked poll through an eventfd, and a wait
// past it fails with os.ErrDeadlineExceeded. Close wakes blocked calls, which
// fail with net.ErrClosed; the descriptors are closed once the last of them
// has returned, so a descriptor number is never reused under a running call.
package pollconn

import "net"

// Wrap returns c reading and writing through poll when c is a TCP or Unix
// socket on a platform this package supports, else c itself. The returned
// conn owns c: closing it closes c.
func Wrap(c net.Conn) net.Conn {
	if w, ok := wrap(c); ok {
		return w
	}
	return c
}
