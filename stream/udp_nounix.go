//go:build !unix

package stream

import (
	"net/netip"
	"syscall"
)

func setSockopts(syscall.RawConn, datagramOptions) error { return nil }

func sockaddrAddrPort(syscall.Sockaddr) netip.AddrPort { return netip.AddrPort{} }
