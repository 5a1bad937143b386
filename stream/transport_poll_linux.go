//go:build linux

package stream

import (
	"io"
	"syscall"
)

// pollTransport moves a stream's bytes on the loop: the socket is in the
// loop's epoll set (edge-triggered, for reading and writing), and is read
// and written with non-blocking system calls on the loop's goroutine when
// epoll says it is ready. It starts no goroutine.
type pollTransport struct {
	s        *Stream
	readable bool  // the socket may have data
	ended    bool  // the peer closed or the socket failed: readable until a read says so
	pslot    int32 // the socket's slot in pl; -1 once removed
	pullSize int   // the next read's size
	pl       *epoller
	sock     sockIO // in the transport's allocation: a request touches both
}

// newPollTransport registers s's socket with the loop's epoll; it returns
// nil if it could not, and s then uses goroutines.
func newPollTransport(s *Stream, pl *epoller) transport {
	t := &pollTransport{s: s, pl: pl, readable: true, pullSize: minChunk}
	i, ok := pl.register(t, s.link.raw, syscall.EPOLLIN|syscall.EPOLLOUT|syscall.EPOLLRDHUP|epollET)
	if !ok {
		return nil
	}
	t.pslot = i
	t.sock.init(s.link.raw, &s.link.sysfd)
	if s.link.owned {
		s.link.raw.Control(func(fd uintptr) { s.link.sysfd = int(fd) })
	}
	return t
}

// pollEvent handles the readiness of the socket.
func (t *pollTransport) pollEvent(ev uint32) {
	const ended = syscall.EPOLLRDHUP | syscall.EPOLLHUP | syscall.EPOLLERR
	if ev&(syscall.EPOLLIN|ended) != 0 {
		t.pollReady(ev&ended != 0)
	}
	if ev&(syscall.EPOLLOUT|syscall.EPOLLHUP|syscall.EPOLLERR) != 0 && t.pslot >= 0 {
		t.pollWritable()
	}
}

// ---- Reading ----

// startRead: the socket is read when a read needs it.
func (t *pollTransport) startRead() {}

// maxPull bounds one read of the socket on the loop.
const maxPull = 1 << 20

// fill reads the socket into the inbox once, without waiting, if it may
// have data. The read is as large as the task needs, and doubles while
// reads fill it. A short read means the socket was emptied: with
// edge-triggered epoll the next data brings an event, so no read is wasted
// on EAGAIN.
func (t *pollTransport) fill(need int) bool {
	if !t.readable {
		return false
	}
	in := &t.s.in
	space := min(max(need-(len(in.buf)-in.off), t.pullSize), maxPull)
	if cap(in.buf)-len(in.buf) < space {
		if in.off > 0 {
			n := copy(in.buf, in.buf[in.off:])
			in.buf, in.off = in.buf[:n], 0
		}
		if cap(in.buf)-len(in.buf) < space {
			buf := make([]byte, len(in.buf), max(len(in.buf)+space, 2*cap(in.buf)))
			copy(buf, in.buf)
			in.buf = buf
		}
	}
	l := len(in.buf)
	n, wouldBlock, err := t.sock.tryRead(in.buf[l : l+space])
	switch {
	case wouldBlock:
		t.readable, t.pullSize = false, minChunk
		return false
	case err != nil:
		in.err = err
		return true
	case n == 0:
		in.err = io.EOF
		return true
	}
	in.buf = in.buf[:l+n]
	if n < space {
		// Emptied of data; an end or error that came with it
		// brings no new event, so it keeps the socket readable.
		t.readable, t.pullSize = t.ended, minChunk
	} else {
		t.pullSize = min(2*space, maxChunk)
	}
	return true
}

// fillInto reads the socket straight into buf, without waiting, if it may
// have data.
func (t *pollTransport) fillInto(buf []byte) (int, bool) {
	if !t.readable {
		return 0, false
	}
	n, wouldBlock, err := t.sock.tryRead(buf)
	switch {
	case wouldBlock:
		t.readable, t.pullSize = false, minChunk
		return 0, false
	case err != nil:
		t.s.in.err = err
		return 0, false
	case n == 0:
		t.s.in.err = io.EOF
		return 0, false
	}
	if n < len(buf) {
		t.readable = t.ended // emptied of data: see fill
	}
	return n, true
}

// resume: data waits in the kernel until a read takes it.
func (t *pollTransport) resume() {}

func (t *pollTransport) stopReading() {}

// pollReady runs on the loop when epoll says the socket is readable; ended
// says the peer closed it or it failed. It wakes the waiting read (a
// Protocol's delivery joins its poll's batch: see Transport.schedule).
func (t *pollTransport) pollReady(ended bool) {
	t.readable = true
	t.ended = t.ended || ended
	in := &t.s.in
	in.mu.Lock()
	w := in.waiting
	in.waiting = false
	in.mu.Unlock()
	if w {
		t.s.readReady(true)
	}
}

// ---- Waiting ----

func (t *pollTransport) hold()   { t.pl.hold() }
func (t *pollTransport) unhold() { t.pl.unhold() }

// ---- Writing ----

func (t *pollTransport) writeNow(p []byte) (int, error) { return writeSock(&t.sock, p) }

// flush: epoll says when the socket takes more (pollWritable).
func (t *pollTransport) flush() {}

// pollWritable runs on the loop when epoll says the socket takes more (or
// failed): it writes what waits.
func (t *pollTransport) pollWritable() {
	s := t.s
	out := &s.out
	out.mu.Lock()
	if len(out.buf) == out.off || out.err != nil {
		out.mu.Unlock()
		return
	}
	for out.off < len(out.buf) {
		n, err := t.sock.tryWrite(out.buf[out.off:])
		if err != nil {
			out.err = err
			break
		}
		if n == 0 {
			out.mu.Unlock()
			if s.push != nil && s.push.wpaused {
				s.push.written() // it may be down to the low-water mark
			}
			return // the kernel's buffer is full again: wait for the next event
		}
		out.off += n
	}
	// Everything is written, or writing failed.
	if out.err != nil || cap(out.buf) > maxChunk {
		out.buf = nil
	} else {
		out.buf = out.buf[:0]
	}
	out.off = 0
	post, closeNow := s.flushed()
	if post {
		s.drainReady()
	}
	if closeNow {
		t.close(false)
	}
}

// ---- Closing ----

// close takes the socket out of the epoll set, then closes it, at once: a
// plain socket's close never blocks.
func (t *pollTransport) close(bool) {
	if t.pslot >= 0 {
		t.pl.unregister(t.pslot, t.s.link.raw)
		t.pslot = -1
	}
	t.s.link.hardClose()
	t.s.linkClosed()
}
