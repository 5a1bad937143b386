package mqtttest

import (
	"io"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// Pipe returns the two ends of an in-memory link on the loop: what one end
// writes, the other reads. It has no goroutine and no system call, so a
// client and a broker talking over it run on the virtual clock with exact
// timings. Writes never block and are taken at once (Drain only lets the
// other tasks run). Close or Abort of one end makes the other read the end
// of the stream (io.EOF) once it has read what was sent before; the closed
// end itself then fails with stream.ErrClosed.
func Pipe() (a, b *End) {
	a, b = &End{}, &End{}
	a.peer, b.peer = b, a
	return a, b
}

// End is one end of a Pipe; it implements mqtt.Conn.
type End struct {
	peer   *End
	buf    []byte
	ev     asyncio.Event // data, the peer's end, or our close
	closed bool          // this end was closed
	eof    bool          // the peer closed
	// Blackhole, when set, drops what this end writes, as a network that
	// stalls without closing the connection.
	Blackhole bool
}

// ReadExactly returns exactly n bytes, waiting for them.
func (e *End) ReadExactly(ctx *asyncio.Ctx, n int) ([]byte, error) {
	for {
		switch {
		case e.closed:
			return nil, stream.ErrClosed
		case len(e.buf) >= n:
			p := make([]byte, n)
			copy(p, e.buf)
			e.buf = e.buf[n:]
			return p, nil
		case e.eof && len(e.buf) == 0:
			return nil, io.EOF
		case e.eof:
			p := e.buf
			e.buf = nil
			return nil, &stream.ShortReadError{Got: p, Want: n}
		}
		e.ev.Clear()
		if err := e.ev.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// Write hands p to the other end.
func (e *End) Write(p []byte) (int, error) {
	if e.closed {
		return 0, stream.ErrClosed
	}
	if e.eof {
		return 0, io.ErrClosedPipe // as a reset: the peer is gone
	}
	if !e.Blackhole && len(p) > 0 {
		e.peer.buf = append(e.peer.buf, p...)
		e.peer.ev.Set()
	}
	return len(p), nil
}

// Drain lets the other tasks run: everything written was taken already.
func (e *End) Drain(ctx *asyncio.Ctx) error {
	if e.closed {
		return stream.ErrClosed
	}
	return asyncio.Sleep(ctx, 0)
}

// Close closes the end; the peer reads io.EOF after what was sent.
func (e *End) Close() error {
	if !e.closed {
		e.closed = true
		e.buf = nil
		e.ev.Set()
		e.peer.eof = true
		e.peer.ev.Set()
	}
	return nil
}

// Abort is Close: nothing waits to be sent.
func (e *End) Abort() { e.Close() }

// Closed reports whether this end was closed.
func (e *End) Closed() bool { return e.closed }
