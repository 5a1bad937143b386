//go:build linux

package stream

import (
	"net/netip"
	"syscall"

	"github.com/goasyncio/asyncio"
)

// register puts the endpoint's socket in the loop's epoll set,
// edge-triggered, for reading and writing.
func (e *Endpoint) register(p *epoller) bool {
	i, ok := p.register(e, e.rc, syscall.EPOLLIN|syscall.EPOLLOUT|epollET)
	if ok {
		e.pslot, e.readable, e.writable = i, true, true
	}
	return ok
}

func (e *Endpoint) unregister() {
	e.pl.unregister(e.pslot, e.rc)
	e.pslot = -1
}

// pollEvent runs on the loop when the socket is ready.
func (e *Endpoint) pollEvent(ev uint32) {
	if ev&(syscall.EPOLLIN|syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
		e.readable = true
		e.readEv.Set()
	}
	if ev&(syscall.EPOLLOUT|syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
		e.writable = true
		e.writeEv.Set()
	}
}

func (e *Endpoint) recvOnLoop(ctx *asyncio.Ctx, buf []byte) (int, netip.AddrPort, error) {
	waited := false
	for {
		if e.readable {
			var (
				n    int
				from syscall.Sockaddr
				rerr error
			)
			err := e.rc.Read(func(fd uintptr) bool {
				for {
					n, from, rerr = syscall.Recvfrom(int(fd), buf, 0)
					if rerr != syscall.EINTR {
						return true // never wait: the loop must not block
					}
				}
			})
			switch {
			case err != nil:
				return 0, netip.AddrPort{}, ErrClosed
			case rerr == syscall.EAGAIN:
				e.readable = false
			case rerr != nil:
				return 0, netip.AddrPort{}, rerr
			default:
				e.fair.done(waited)
				return min(n, len(buf)), sockaddrAddrPort(from), nil
			}
		}
		e.readEv.Clear()
		e.pl.hold()
		err := e.readEv.Wait(ctx)
		e.pl.unhold()
		waited = true
		if err != nil {
			return 0, netip.AddrPort{}, err
		}
		if e.closed {
			return 0, netip.AddrPort{}, ErrClosed
		}
	}
}

func (e *Endpoint) sendOnLoop(ctx *asyncio.Ctx, p []byte, to netip.AddrPort) error {
	var sa syscall.Sockaddr
	if to.IsValid() {
		sa = addrPortSockaddr(to, e.LocalAddr().Addr().Is4())
	}
	for {
		if e.writable {
			var serr error
			err := e.rc.Write(func(fd uintptr) bool {
				for {
					if sa != nil {
						serr = syscall.Sendto(int(fd), p, 0, sa)
					} else {
						_, serr = syscall.Write(int(fd), p)
					}
					if serr != syscall.EINTR {
						return true
					}
				}
			})
			switch {
			case err != nil:
				return ErrClosed
			case serr == syscall.EAGAIN:
				e.writable = false
			default:
				return serr
			}
		}
		e.writeEv.Clear()
		e.pl.hold()
		err := e.writeEv.Wait(ctx)
		e.pl.unhold()
		if err != nil {
			return err
		}
		if e.closed {
			return ErrClosed
		}
	}
}
