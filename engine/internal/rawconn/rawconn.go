// Package rawconn wraps a socket so that its reads and writes skip the Go
// runtime's syscall bookkeeping while still waiting in the network poller.
//
// Why: a warehouse session at --threads 1 is a strict request/response loop
// (send a statement, wait ~0.5 ms, read the answer). net.Conn's Read and
// Write enter each read(2) and write(2) through the runtime's syscall path,
// which wakes the runtime's monitor thread whenever every processor was idle
// (as they are while the statement runs): a futex wake and a few monitor
// cycles per call, on the core the database server needs. The socket is
// non-blocking, so those calls never block; here they are made as raw system
// calls inside syscall.RawConn's Read and Write, which keep net.Conn's
// locking against Close, its deadlines and its wait in the network poller
// when the socket is not ready. A bare pgx loop over 1,000 statements went
// from 491 ms to 473-477 ms this way (psql: 472-477 ms).
package rawconn

import (
	"io"
	"net"
	"os"
	"syscall"
)

// Wrap returns c with raw reads and writes when c is a TCP or Unix socket on
// a platform this package supports, else c itself. Everything but Read and
// Write (Close, deadlines, addresses) is c's.
func Wrap(c net.Conn) net.Conn {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return c
	}
	if !supported {
		return c
	}
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return c
	}
	return &conn{Conn: c, rc: rc}
}

type conn struct {
	net.Conn
	rc syscall.RawConn
}

func (c *conn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			r, e := rawRead(fd, b)
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait in the poller, then call again
			}
			n, errno = r, e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case errno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (c *conn) Write(b []byte) (int, error) {
	done := 0
	var errno syscall.Errno
	err := c.rc.Write(func(fd uintptr) bool {
		for done < len(b) {
			r, e := rawSend(fd, b[done:])
			switch e {
			case 0:
				if r <= 0 {
					errno = syscall.EIO // a stream socket never accepts nothing
					return true
				}
				done += r
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	switch {
	case err != nil:
		return done, c.opError("write", err)
	case errno != 0:
		return done, c.opError("write", os.NewSyscallError("write", errno))
	}
	return done, nil
}

// opError wraps err as net.Conn's own errors are, unless RawConn already did.
func (c *conn) opError(op string, err error) error {
	if _, ok := err.(*net.OpError); ok {
		return err
	}
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
