//go:build !linux

package pollconn

import "net"

func wrap(net.Conn) (net.Conn, bool) { return nil, false }
