package stream

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"syscall"
)

// transport is what a stream reads from and writes to, with the ways to
// close it.
type transport struct {
	rw     io.ReadWriter   // reads and writes: a *tls.Conn for TLS
	conn   net.Conn        // the network connection under rw; nil for other transports
	tls    *tls.Conn       // rw when it is TLS
	closer io.Closer       // rw's Close for other transports; nil if it has none
	raw    syscall.RawConn // for non-blocking writes on the loop (plain sockets only)
	// sysfd is the socket's descriptor while the loop alone reads,
	// writes and closes it (in the loop's epoll set), for raw system
	// calls; -1 otherwise, and from the moment it is closed.
	sysfd int
	// owned says that no code outside the package holds the connection
	// (the package made it, and has not handed it out), so nothing can
	// close it behind the loop's back: only then is sysfd used.
	owned bool

	once sync.Once
}

// ownTransport is newTransport for a connection the package made itself
// (dialled or accepted) and holds alone.
func ownTransport(rw io.ReadWriter) *transport {
	t := newTransport(rw)
	t.owned = true
	return t
}

// handOut marks the connection as held outside the package from now on:
// the loop no longer uses its descriptor directly, but through the
// connection, which knows when it is closed.
func (t *transport) handOut() {
	t.owned = false
	if t.sysfd >= 0 { // only the loop's own sockets have one, closed on the loop
		t.sysfd = -1
	}
}

func newTransport(rw io.ReadWriter) *transport {
	t := &transport{rw: rw, sysfd: -1}
	switch c := rw.(type) {
	case *tls.Conn:
		t.tls, t.conn = c, c.NetConn()
	case net.Conn:
		t.conn = c
		t.raw = rawConn(c)
	case io.Closer:
		t.closer = c
	}
	return t
}

// tracked reports whether closing the transport ends a Read or Write that
// is blocked in it, so that the stream's goroutines can be waited for. It is
// so for network connections, and is assumed for other transports that have
// a Close (os.File pipes, io.Pipe and net.Pipe do end their pending calls).
// A transport without Close cannot be interrupted: its reader goroutine
// lives until its Read returns.
func (t *transport) tracked() bool { return t.conn != nil || t.closer != nil }

// closesInline reports whether hardClose returns at once, so that it may be
// called on the loop: net.Conn.Close never blocks.
func (t *transport) closesInline() bool { return t.conn != nil }

// hardClose closes the transport at once, without a TLS close_notify, which
// ends every Read and Write blocked in it. Any goroutine may call it, more
// than once.
func (t *transport) hardClose() {
	t.once.Do(func() {
		if t.sysfd >= 0 { // only the loop's own sockets have one, closed on the loop
			t.sysfd = -1 // before the number can be reused
		}
		switch {
		case t.conn != nil:
			t.conn.Close()
		case t.closer != nil:
			t.closer.Close()
		}
	})
}

// gracefulClose closes the transport after telling the peer: a TLS
// connection sends its close_notify alert first (tls.Conn.Close, which may
// block for up to 5 s on a peer that does not read). Call it on a goroutine
// of its own unless closesInline and not TLS.
func (t *transport) gracefulClose() {
	if t.tls != nil {
		t.tls.Close()
	}
	t.hardClose()
}

// closeWrite shuts the writing half of the connection down.
func (t *transport) closeWrite() error {
	type closeWriter interface{ CloseWrite() error }
	if t.tls != nil {
		return t.tls.CloseWrite()
	}
	if cw, ok := t.rw.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return ErrNoCloseWrite
}
