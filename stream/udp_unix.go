//go:build unix

package stream

import (
	"net/netip"
	"syscall"
)

// setSockopts applies the endpoint's options to its socket before it is
// bound.
func setSockopts(c syscall.RawConn, o datagramOptions) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if o.broadcast {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
		}
		if o.reuse && serr == nil {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			if serr == nil && soReusePort != 0 {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}

func sockaddrAddrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *syscall.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr).Unmap()
		return netip.AddrPortFrom(ip, uint16(a.Port))
	}
	return netip.AddrPort{}
}

// addrPortSockaddr converts an address for sendto on a socket of the
// family of the endpoint (v4: an AF_INET socket).
func addrPortSockaddr(ap netip.AddrPort, v4 bool) syscall.Sockaddr {
	ip := ap.Addr()
	if v4 && ip.Is4In6() {
		ip = ip.Unmap()
	}
	if v4 && ip.Is4() {
		return &syscall.SockaddrInet4{Addr: ip.As4(), Port: int(ap.Port())}
	}
	return &syscall.SockaddrInet6{Addr: ip.As16(), Port: int(ap.Port())}
}
