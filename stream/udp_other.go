//go:build !linux

package stream

import (
	"net/netip"

	"github.com/goasyncio/asyncio"
)

// Without epoll, endpoints receive with a goroutine.

func (e *Endpoint) register(*epoller) bool { return false }
func (e *Endpoint) unregister()            {}
func (e *Endpoint) recvOnLoop(*asyncio.Ctx, []byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, ErrClosed
}
func (e *Endpoint) sendOnLoop(*asyncio.Ctx, []byte, netip.AddrPort) error { return ErrClosed }
