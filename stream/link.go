package stream

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"syscall"
)

// link is the connection a stream is over, whatever moves its bytes (see
// transport): the io.ReadWriter, what it is (a network connection, TLS,
// something with a Close), and the ways to close it.
type link struct {
	// sysfd is the socket's descriptor while the loop alone reads,
	// writes and closes it (in the loop's epoll set), for raw system
	// calls; -1 otherwise, and from the moment it is closed. It comes
	// first: every read and write of the loop's own sockets takes it.
	sysfd int
	// owned says that no code outside the package holds the connection
	// (the package made it, and has not handed it out), so nothing can
	// close it behind the loop's back: only then is sysfd used.
	owned bool

	rw     io.ReadWriter   // reads and writes: a *tls.Conn for TLS
	conn   net.Conn        // the network connection under rw; nil for other links
	tls    *tls.Conn       // rw when it is TLS
	closer io.Closer       // rw's Close for other links; nil if it has none
	raw    syscall.RawConn // for non-blocking writes on the loop (plain sockets only)

	once sync.Once
}

// handOut marks the connection as held outside the package from now on:
// the loop no longer uses its descriptor directly, but through the
// connection, which knows when it is closed.
func (t *link) handOut() {
	t.owned = false
	if t.sysfd >= 0 { // only the loop's own sockets have one, closed on the loop
		t.sysfd = -1
	}
}

// init sets the link up over rw, in place (a link holds a sync.Once, and
// lives in its stream).
func (t *link) init(rw io.ReadWriter) {
	t.rw, t.sysfd = rw, -1
	switch c := rw.(type) {
	case *tls.Conn:
		t.tls, t.conn = c, c.NetConn()
	case net.Conn:
		t.conn = c
		t.raw = rawConn(c)
	case io.Closer:
		t.closer = c
	}
}

// tracked reports whether closing the link ends a Read or Write that
// is blocked in it, so that the stream's goroutines can be waited for. It is
// so for network connections, and is assumed for other links that have
// a Close (os.File pipes, io.Pipe and net.Pipe do end their pending calls).
// A link without Close cannot be interrupted: its reader goroutine
// lives until its Read returns.
func (t *link) tracked() bool { return t.conn != nil || t.closer != nil }

// closesInline reports whether hardClose returns at once, so that it may be
// called on the loop: net.Conn.Close never blocks.
func (t *link) closesInline() bool { return t.conn != nil }

// hardClose closes the link at once, without a TLS close_notify, which
// ends every Read and Write blocked in it. Any goroutine may call it, more
// than once.
func (t *link) hardClose() {
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

// gracefulClose closes the link after telling the peer: a TLS
// connection sends its close_notify alert first (tls.Conn.Close, which may
// block for up to 5 s on a peer that does not read). Call it on a goroutine
// of its own unless closesInline and not TLS.
func (t *link) gracefulClose() {
	if t.tls != nil {
		t.tls.Close()
	}
	t.hardClose()
}

// closeWrite shuts the writing half of the connection down.
func (t *link) closeWrite() error {
	type closeWriter interface{ CloseWrite() error }
	if t.tls != nil {
		return t.tls.CloseWrite()
	}
	if cw, ok := t.rw.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return ErrNoCloseWrite
}
