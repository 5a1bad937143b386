package stream

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/goasyncio/asyncio"
)

// Endpoint is a UDP socket on an asyncio loop, made by
// OpenDatagramEndpoint: CPython's datagram transport and protocol in one,
// with waits instead of callbacks. RecvFrom pauses the task until a
// datagram arrives and returns it with its sender's address; SendTo sends
// one to an address. A connected endpoint (made with a remote address)
// exchanges datagrams with that peer only, with Recv and Send.
//
// On Linux the socket is in the loop's epoll set and read and written with
// non-blocking system calls on the loop, as the TCP streams are; elsewhere
// (or on a loop with a poller of the user's) a goroutine receives, and
// sends are made directly (a UDP send waits for nothing but buffer space).
// Every wait returns asyncio.ErrCancelled when its task is cancelled,
// without losing a datagram. The endpoint is closed when the loop closes.
// Its methods must be called on the loop's goroutine.
type Endpoint struct {
	loop   *asyncio.Loop
	reg    *registry
	conn   *net.UDPConn
	rc     syscall.RawConn
	remote netip.AddrPort // the peer of a connected endpoint
	closed bool
	fair   fairness // receives in a row that did not wait

	// With the loop's epoll (Linux).
	pl       *epoller
	pslot    int32
	readable bool
	writable bool
	readEv   asyncio.Event
	writeEv  asyncio.Event

	// Without: a reader goroutine.
	mu      sync.Mutex
	queue   []datagram
	rerr    error // how the reader goroutine ended
	started bool
	waiting bool
	onData  func()
}

type datagram struct {
	data []byte
	from netip.AddrPort
}

// MaxDatagram is the largest UDP payload (IPv4: 65,507 bytes; a buffer of
// this size never truncates).
const MaxDatagram = 65535

// queuedDatagrams bounds what the reader goroutine keeps for a task that
// does not receive (the goroutine path only: with epoll the datagrams wait
// in the kernel); more are dropped, as a full socket buffer drops them.
const queuedDatagrams = 256

// DatagramOption configures OpenDatagramEndpoint.
type DatagramOption func(*datagramOptions)

type datagramOptions struct {
	broadcast bool
	reuse     bool
}

// WithBroadcast lets the endpoint send to broadcast addresses
// (SO_BROADCAST: CPython's allow_broadcast).
func WithBroadcast() DatagramOption { return func(o *datagramOptions) { o.broadcast = true } }

// WithReusePort lets several endpoints bind the same address and port
// (SO_REUSEADDR and, where there is one, SO_REUSEPORT: CPython's
// reuse_port), so that each gets the broadcasts sent there.
func WithReusePort() DatagramOption { return func(o *datagramOptions) { o.reuse = true } }

// ErrNotConnected is returned by Send and Recv on an endpoint made without
// a remote address.
var ErrNotConnected = errors.New("stream: datagram endpoint is not connected")

// ErrConnected is returned by SendTo on a connected endpoint, to another
// address than its peer's.
var ErrConnected = errors.New("stream: datagram endpoint is connected to another address")

// OpenDatagramEndpoint makes a UDP endpoint bound to local ("host:port";
// port 0 picks one) and, if remote is not empty, connected to remote
// (CPython's create_datagram_endpoint with local_addr and remote_addr).
// With local empty and remote given, the system picks the local address.
// Names are resolved on a goroutine; the call is cancellable.
func OpenDatagramEndpoint(ctx *asyncio.Ctx, local, remote string, opts ...DatagramOption) (*Endpoint, error) {
	if err := asyncio.InTask(ctx); err != nil {
		return nil, err
	}
	var o datagramOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	l := ctx.Loop()
	reg, err := openRegistry(l)
	if err != nil {
		return nil, err
	}
	conn, err := fromThread(ctx, func(gc context.Context) (*net.UDPConn, error) {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error { return setSockopts(c, o) }}
		if remote == "" {
			if local == "" {
				local = ":0"
			}
			pc, err := lc.ListenPacket(gc, "udp", local)
			if err != nil {
				return nil, err
			}
			return pc.(*net.UDPConn), nil
		}
		d := net.Dialer{Control: lc.Control}
		if local != "" {
			la, err := net.ResolveUDPAddr("udp", local)
			if err != nil {
				return nil, err
			}
			d.LocalAddr = la
		}
		c, err := d.DialContext(gc, "udp", remote)
		if err != nil {
			return nil, err
		}
		return c.(*net.UDPConn), nil
	})
	if err != nil {
		return nil, err
	}
	e := &Endpoint{loop: l, reg: reg, conn: conn, pslot: -1}
	if ra, ok := conn.RemoteAddr().(*net.UDPAddr); ok && ra != nil {
		e.remote = ra.AddrPort()
	}
	e.onData = e.readEv.Set
	if e.rc, err = conn.SyscallConn(); err != nil {
		conn.Close()
		return nil, err
	}
	if !reg.add(e) {
		conn.Close()
		return nil, ErrClosed
	}
	if reg.ep != nil && e.register(reg.ep) {
		e.pl = reg.ep
	}
	return e, nil
}

// shutdown closes the socket when the loop closes; any goroutine may call
// it.
func (e *Endpoint) shutdown() { e.conn.Close() }

// LocalAddr returns the address the endpoint is bound to.
func (e *Endpoint) LocalAddr() netip.AddrPort {
	if a, ok := e.conn.LocalAddr().(*net.UDPAddr); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// RemoteAddr returns the peer of a connected endpoint, and the zero
// AddrPort for others.
func (e *Endpoint) RemoteAddr() netip.AddrPort { return e.remote }

// Connected reports whether the endpoint was made with a remote address.
func (e *Endpoint) Connected() bool { return e.remote.IsValid() }

func (e *Endpoint) check(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, e.loop); err != nil {
		return err
	}
	switch {
	case e.closed:
		return ErrClosed
	}
	return nil
}

// RecvFrom receives one datagram into buf, pausing the task until one
// arrives, and returns its length and its sender. A datagram longer than
// buf is cut to it (use MaxDatagram bytes to never cut one). On a
// connected endpoint read on the loop's epoll, an error from the network
// (an ICMP port unreachable: syscall.ECONNREFUSED) is returned once, and
// the endpoint stays usable; the goroutine path drops it.
func (e *Endpoint) RecvFrom(ctx *asyncio.Ctx, buf []byte) (int, netip.AddrPort, error) {
	if err := e.check(ctx); err != nil {
		return 0, netip.AddrPort{}, err
	}
	if yielded, err := e.fair.turn(ctx); err != nil {
		return 0, netip.AddrPort{}, err
	} else if yielded && e.closed {
		return 0, netip.AddrPort{}, ErrClosed
	}
	if e.pl != nil {
		return e.recvOnLoop(ctx, buf)
	}
	return e.recvQueued(ctx, buf)
}

// Recv receives one datagram from the peer of a connected endpoint.
func (e *Endpoint) Recv(ctx *asyncio.Ctx, buf []byte) (int, error) {
	if !e.Connected() {
		return 0, ErrNotConnected
	}
	n, _, err := e.RecvFrom(ctx, buf)
	return n, err
}

// SendTo sends p as one datagram to addr. It waits only if the socket's
// buffer is full (on the loop's epoll; elsewhere the send itself waits).
// On a connected endpoint addr must be its peer or the zero AddrPort.
func (e *Endpoint) SendTo(ctx *asyncio.Ctx, p []byte, addr netip.AddrPort) error {
	if err := e.check(ctx); err != nil {
		return err
	}
	if e.Connected() {
		if addr.IsValid() && addr != e.remote {
			return ErrConnected
		}
		addr = netip.AddrPort{}
	} else if !addr.IsValid() {
		return &net.AddrError{Err: "no destination address", Addr: addr.String()}
	}
	if e.pl != nil {
		return e.sendOnLoop(ctx, p, addr)
	}
	var err error
	if addr.IsValid() {
		_, err = e.conn.WriteToUDPAddrPort(p, addr)
	} else {
		_, err = e.conn.Write(p)
	}
	return err
}

// Send sends p as one datagram to the peer of a connected endpoint.
func (e *Endpoint) Send(ctx *asyncio.Ctx, p []byte) error {
	if !e.Connected() {
		return ErrNotConnected
	}
	return e.SendTo(ctx, p, netip.AddrPort{})
}

// Close closes the endpoint; a task paused in RecvFrom or SendTo gets
// ErrClosed. Closing a closed endpoint does nothing.
func (e *Endpoint) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if e.pl != nil {
		e.unregister()
	}
	e.conn.Close()
	e.reg.remove(e)
	e.readEv.Set()
	e.writeEv.Set()
	return nil
}

// Closed reports whether Close was called.
func (e *Endpoint) Closed() bool { return e.closed }

// ---- Without epoll: a reader goroutine ----

func (e *Endpoint) recvQueued(ctx *asyncio.Ctx, buf []byte) (int, netip.AddrPort, error) {
	waited := false
	for {
		e.mu.Lock()
		if len(e.queue) > 0 {
			d := e.queue[0]
			e.queue[0] = datagram{}
			e.queue = e.queue[1:]
			e.mu.Unlock()
			e.fair.done(waited)
			return copy(buf, d.data), d.from, nil
		}
		if err := e.rerr; err != nil {
			e.mu.Unlock()
			if e.closed || errors.Is(err, net.ErrClosed) {
				return 0, netip.AddrPort{}, ErrClosed
			}
			return 0, netip.AddrPort{}, err
		}
		e.waiting = true
		if !e.started {
			e.started = true
			if !e.reg.goStart(true) {
				e.rerr = ErrClosed
				e.mu.Unlock()
				continue
			}
			go e.readLoop()
		}
		e.mu.Unlock()
		release := e.loop.KeepAlive()
		e.readEv.Clear()
		err := e.readEv.Wait(ctx)
		release()
		waited = true
		if err != nil {
			return 0, netip.AddrPort{}, err
		}
		if e.closed {
			return 0, netip.AddrPort{}, ErrClosed
		}
	}
}

// readLoop is the reader goroutine.
func (e *Endpoint) readLoop() {
	defer e.reg.goDone(true)
	buf := make([]byte, MaxDatagram)
	for {
		n, from, err := e.conn.ReadFromUDPAddrPort(buf)
		e.mu.Lock()
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				// An ICMP error on a connected socket: nothing to
				// deliver, go on.
				e.mu.Unlock()
				continue
			}
			e.rerr = err
		} else if len(e.queue) < queuedDatagrams {
			e.queue = append(e.queue, datagram{data: append([]byte(nil), buf[:n]...), from: netip.AddrPortFrom(from.Addr().Unmap(), from.Port())})
		}
		post := e.waiting
		e.waiting = false
		e.mu.Unlock()
		if post {
			e.loop.CallSoonThreadsafe(e.onData)
		}
		if err != nil {
			return
		}
	}
}
