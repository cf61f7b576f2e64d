//go:build linux

package rawconn

import (
	"syscall"
	"unsafe"
)

const supported = true

// rawRead is read(2) without the runtime's syscall entry: the socket is
// non-blocking, so it returns at once.
func rawRead(fd uintptr, b []byte) (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(r), e
}

// rawSend is send(2) with MSG_NOSIGNAL (a peer that went away is EPIPE, not
// SIGPIPE), without the runtime's syscall entry.
func rawSend(fd uintptr, b []byte) (int, syscall.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	r, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), syscall.MSG_NOSIGNAL, 0, 0)
	return int(r), e
}
