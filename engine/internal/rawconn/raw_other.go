//go:build !linux

package rawconn

import "syscall"

const supported = false

func rawRead(uintptr, []byte) (int, syscall.Errno) { return 0, syscall.ENOSYS }
func rawSend(uintptr, []byte) (int, syscall.Errno) { return 0, syscall.ENOSYS }
