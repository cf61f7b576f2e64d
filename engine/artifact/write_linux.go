//go:build linux

package artifact

import (
	"os"
	"syscall"
	"unsafe"
)

// writeWhole writes data to path, creating or truncating it. Raw syscalls
// skip what os.WriteFile costs per file besides the write itself (fcntl calls
// and an attempt to register the file with the runtime's poller), which is
// most of writing ten thousand small compiled files.
func writeWhole(path string, data string) error {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, 0o644)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	b := unsafe.Slice(unsafe.StringData(data), len(data))
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return &os.PathError{Op: "write", Path: path, Err: err}
		}
		b = b[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}
