package stream

import "github.com/goasyncio/asyncio"

// transport moves a stream's bytes between its buffers (its inbox and
// outbox) and its link. The Stream does the rest, the same on every
// transport: what a read takes, lines and exact reads, when a task waits,
// Drain, closing, read timeouts. There are two:
//
//   - pollTransport (Linux, plain TCP and Unix-domain sockets): the loop's
//     epoll says when the socket is ready, and the loop reads and writes it
//     with non-blocking system calls (transport_poll_linux.go);
//   - goTransport (any io.ReadWriter): a reader goroutine fills the inbox,
//     a writer goroutine empties the outbox (transport_goroutines.go).
//
// Every method runs on the loop's goroutine.
type transport interface {
	// startRead is called at the start of every read: a transport that
	// reads ahead starts doing so.
	startRead()
	// fill reads what the link has now into the inbox, without waiting,
	// for a read that needs need bytes, and reports whether that brought
	// data or the end of the stream (in.err). s.in.mu is held.
	fill(need int) bool
	// fillInto reads what the link has now straight into buf, for a read
	// with nothing buffered, and reports whether that brought data (n > 0).
	// If not, the link had nothing, or the stream ended (in.err says how),
	// or the transport cannot read that way. s.in.mu is held.
	fillInto(buf []byte) (n int, ok bool)
	// resume is called when the reading task took bytes, or changed what it
	// waits for: a transport that stopped reading for room may go on.
	// s.in.mu is held.
	resume()
	// hold keeps the loop alive while a task waits for the transport, so
	// that an idle loop waits for the I/O instead of reporting a deadlock;
	// unhold ends one hold.
	hold()
	unhold()
	// writeNow writes as much of p as the link takes at once, without
	// waiting, and returns how much that was (0 if the transport cannot
	// write that way). It is called only when nothing waits in the outbox.
	writeNow(p []byte) (int, error)
	// flush is called, with s.out.mu held, when the outbox holds bytes to
	// write or, with eofAfter, a half-close to make: the transport writes
	// them, then calls s.flushed.
	flush()
	// stopReading is called once when the stream is closed: a transport
	// that reads ahead stops.
	stopReading()
	// close closes the link, now or (graceful, for a TLS close_notify, or a
	// Close that may block) on a goroutine, and calls s.linkClosed once it
	// is closed.
	close(graceful bool)
}

// newTransport returns the transport of s: on the loop's epoll if s's link
// is a plain socket and the loop has one, else goroutines.
func newTransport(s *Stream) transport {
	if s.link.raw != nil && s.reg.ep != nil {
		if t := newPollTransport(s, s.reg.ep); t != nil {
			return t
		}
	}
	return newGoTransport(s)
}

// yieldEvery is how many reads in a row that find their data without
// pausing a reader may make before it yields to the other tasks, so that a
// flood of input cannot starve them.
const yieldEvery = 16

// fairness counts a reader's reads that did not pause (streams and
// datagram endpoints alike), and makes it yield to the other tasks every
// yieldEvery of them.
type fairness struct{ streak int }

// turn is called before a read takes anything. Every yieldEvery reads in a
// row that did not pause, it lets the other tasks run (Sleep(ctx, 0))
// before the read takes anything, so that a cancellation there loses
// nothing, and reports that it did.
func (f *fairness) turn(ctx *asyncio.Ctx) (yielded bool, err error) {
	if f.streak < yieldEvery {
		return false, nil
	}
	f.streak = 0
	return true, asyncio.Sleep(ctx, 0)
}

// done counts a read that ended; waited says whether it paused.
func (f *fairness) done(waited bool) {
	if waited {
		f.streak = 0
	} else {
		f.streak++
	}
}
