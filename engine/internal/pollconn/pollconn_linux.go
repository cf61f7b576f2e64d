//go:build linux

package pollconn

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// conn reads and writes a duplicate of the socket's descriptor (non-blocking,
// like the original) and waits for it in poll.
type conn struct {
	net.Conn // the original: its addresses; closed by Close

	fd           int // the duplicate
	rwake, wwake int // eventfds that wake a read's or a write's poll

	rdl, wdl atomic.Int64 // deadlines in unix ns; 0: none
	closing  atomic.Bool

	mu        sync.Mutex
	users     int // Read and Write calls under way
	closed    bool
	fdsClosed bool
}

func wrap(c net.Conn) (net.Conn, bool) {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil, false
	}
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return nil, false
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil || derr != nil {
		return nil, false
	}
	rwake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, false
	}
	wwake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		unix.Close(rwake)
		return nil, false
	}
	// The descriptors share one open file: it is non-blocking already (Go
	// made it so); say it again in case a caller changed it.
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		unix.Close(rwake)
		unix.Close(wwake)
		return nil, false
	}
	return &conn{Conn: c, fd: fd, rwake: rwake, wwake: wwake}, true
}

func (c *conn) Read(b []byte) (int, error) {
	if !c.enter() {
		return 0, c.opError("read", net.ErrClosed)
	}
	defer c.leave()
	if len(b) == 0 {
		return 0, nil
	}
	for {
		if passed(&c.rdl) {
			return 0, c.opError("read", os.ErrDeadlineExceeded)
		}
		n, err := unix.Read(c.fd, b)
		switch {
		case err == nil && n > 0:
			return n, nil
		case err == nil:
			return 0, io.EOF
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			if werr := c.wait(unix.POLLIN, c.rwake, &c.rdl); werr != nil {
				return 0, c.opError("read", werr)
			}
		default:
			return 0, c.opError("read", os.NewSyscallError("read", err))
		}
	}
}

func (c *conn) Write(b []byte) (int, error) {
	if !c.enter() {
		return 0, c.opError("write", net.ErrClosed)
	}
	defer c.leave()
	done := 0
	for done < len(b) {
		if passed(&c.wdl) {
			return done, c.opError("write", os.ErrDeadlineExceeded)
		}
		// send with MSG_NOSIGNAL: a peer that went away is EPIPE, not SIGPIPE.
		n, err := unix.SendmsgN(c.fd, b[done:], nil, nil, unix.MSG_NOSIGNAL)
		if n > 0 {
			done += n
		}
		switch {
		case err == nil, err == unix.EINTR:
		case err == unix.EAGAIN:
			if werr := c.wait(unix.POLLOUT, c.wwake, &c.wdl); werr != nil {
				return done, c.opError("write", werr)
			}
		default:
			return done, c.opError("write", os.NewSyscallError("write", err))
		}
	}
	return done, nil
}

// wait blocks in poll until the socket is ready for ev, the deadline passes
// (os.ErrDeadlineExceeded) or the conn is closed (net.ErrClosed). A change of
// deadline wakes it through wake, and the deadline is read again.
func (c *conn) wait(ev int16, wake int, dl *atomic.Int64) error {
	for {
		if c.closing.Load() {
			return net.ErrClosed
		}
		timeout := -1
		if d := dl.Load(); d != 0 {
			left := d - time.Now().UnixNano()
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			timeout = int(min((left+int64(time.Millisecond)-1)/int64(time.Millisecond), 1<<30))
		}
		fds := [2]unix.PollFd{{Fd: int32(c.fd), Events: ev}, {Fd: int32(wake), Events: unix.POLLIN}}
		n, err := unix.Poll(fds[:], timeout)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return os.NewSyscallError("poll", err)
		case n == 0:
			continue // the timeout: the deadline is checked above
		}
		if fds[1].Revents != 0 {
			var buf [8]byte
			unix.Read(wake, buf[:])
		}
		if fds[0].Revents != 0 {
			// Ready, or an error or hang-up the next read or write reports.
			return nil
		}
	}
}

func passed(dl *atomic.Int64) bool {
	d := dl.Load()
	return d != 0 && time.Now().UnixNano() >= d
}

func (c *conn) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.users++
	return true
}

func (c *conn) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.users--
	if c.closed && c.users == 0 {
		c.closeFDs()
	}
}

// closeFDs closes the duplicate and the eventfds; c.mu is held.
func (c *conn) closeFDs() {
	if c.fdsClosed {
		return
	}
	c.fdsClosed = true
	unix.Close(c.fd)
	unix.Close(c.rwake)
	unix.Close(c.wwake)
}

// signal wakes a poll waiting on an eventfd; c.mu is held.
func (c *conn) signal(fd int) {
	if c.fdsClosed {
		return
	}
	one := [8]byte{1}
	unix.Write(fd, one[:])
}

// Close wakes the calls under way (they fail with net.ErrClosed), closes the
// original conn and, once the last call has returned, the descriptors.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	c.closing.Store(true)
	c.signal(c.rwake)
	c.signal(c.wwake)
	if c.users == 0 {
		c.closeFDs()
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

func (c *conn) SetDeadline(t time.Time) error {
	c.setDeadline(&c.rdl, c.rwake, t)
	c.setDeadline(&c.wdl, c.wwake, t)
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.setDeadline(&c.rdl, c.rwake, t)
	return nil
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	c.setDeadline(&c.wdl, c.wwake, t)
	return nil
}

func (c *conn) setDeadline(dl *atomic.Int64, wake int, t time.Time) {
	v := int64(0)
	if !t.IsZero() {
		v = max(t.UnixNano(), 1)
	}
	dl.Store(v)
	c.mu.Lock()
	c.signal(wake)
	c.mu.Unlock()
}

func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
