package stream

import "io"

// goTransport moves a stream's bytes with goroutines, over any
// io.ReadWriter: a reader goroutine, started by the first read, reads into
// a chunk and appends to the inbox; a writer goroutine, started when the
// outbox has bytes and ending when it is empty, writes them. A plain socket
// (on a loop without epoll) is first written on the loop, without waiting.
type goTransport struct {
	s       *Stream
	sock    *sockIO // non-blocking writes of a plain socket; nil for others
	started bool    // the reader goroutine was started
	holds   int     // tasks waiting (hold)
	release func()  // the loop's KeepAlive while one waits
	paused  bool    // the reader goroutine waits for room (s.in.mu)
	room    chan struct{}
	quit    chan struct{} // closed by stopReading: a paused reader goroutine leaves
	// The events' Set as funcs made once, posted from the goroutines: a
	// method value made at each post would allocate.
	readable, drained func()
}

func newGoTransport(s *Stream) *goTransport {
	g := &goTransport{s: s, room: make(chan struct{}, 1), quit: make(chan struct{}), readable: func() { s.readReady(false) }, drained: s.drainReady}
	if s.link.raw != nil {
		g.sock = newSockIO(s.link.raw, &s.link.sysfd)
	}
	return g
}

// ---- Reading ----

func (g *goTransport) startRead() {
	if g.started {
		return
	}
	g.started = true
	if !g.s.goStart() {
		g.s.in.mu.Lock()
		g.s.in.err = ErrClosed
		g.s.in.mu.Unlock()
		return
	}
	go g.readLoop()
}

// fill finds nothing more than the reader goroutine brought.
func (g *goTransport) fill(int) bool { return false }

func (g *goTransport) fillInto([]byte) (int, bool) { return 0, false }

// resume wakes the reader goroutine if it paused for room and there is room
// again: the unread bytes are down to half the limit, or fewer than a
// waiting read needs.
func (g *goTransport) resume() {
	if !g.paused {
		return
	}
	in := &g.s.in
	n := len(in.buf) - in.off
	if n <= g.s.limit/2 || n < in.want {
		g.paused = false
		select {
		case g.room <- struct{}{}:
		default:
		}
	}
}

func (g *goTransport) stopReading() { close(g.quit) }

// readLoop is the reader goroutine: it reads the link into the inbox, wakes
// a waiting read when it has what that read needs, and pauses while the
// inbox is full.
func (g *goTransport) readLoop() {
	s := g.s
	defer s.goDone()
	in := &s.in
	chunk := make([]byte, minChunk)
	empty := 0
	for {
		n, err := s.link.rw.Read(chunk)
		if n == 0 && err == nil {
			if empty++; empty >= 100 {
				err = io.ErrNoProgress
			}
		} else {
			empty = 0
		}
		in.mu.Lock()
		if n > 0 {
			if in.off > 0 && len(in.buf)+n > cap(in.buf) {
				in.buf = append(in.buf[:0], in.buf[in.off:]...)
				in.off = 0
			}
			in.buf = append(in.buf, chunk[:n]...)
		}
		if err != nil {
			in.err = err
		}
		unread := len(in.buf) - in.off
		post := in.waiting && (unread >= in.need || err != nil)
		if post {
			in.waiting = false
		}
		full := err == nil && unread >= max(s.limit, in.want)
		g.paused = full
		in.mu.Unlock()
		if post {
			s.loop.CallSoonThreadsafe(g.readable)
		}
		if err != nil {
			return
		}
		if full {
			select {
			case <-g.room:
			case <-g.quit:
				return
			}
		}
		if n == len(chunk) && len(chunk) < maxChunk {
			chunk = make([]byte, 2*len(chunk))
		}
	}
}

// ---- Waiting ----

func (g *goTransport) hold() {
	if g.holds++; g.holds == 1 {
		g.release = g.s.loop.KeepAlive()
	}
}

func (g *goTransport) unhold() {
	if g.holds--; g.holds == 0 {
		g.release()
		g.release = nil
	}
}

// ---- Writing ----

// writeNow tries a plain socket until it takes no more.
func (g *goTransport) writeNow(p []byte) (int, error) {
	if g.sock == nil {
		return 0, nil
	}
	return writeSock(g.sock, p)
}

// flush starts the writer goroutine unless it runs.
func (g *goTransport) flush() {
	s := g.s
	if s.out.active {
		return
	}
	if !s.goStart() {
		s.out.err = ErrClosed
		return
	}
	s.out.active = true
	go g.writeLoop()
}

// writeLoop is the writer goroutine: it writes what waits until nothing
// does, then closes or half-closes the link if asked, tells a waiting
// Drain, and ends.
func (g *goTransport) writeLoop() {
	s := g.s
	defer s.goDone()
	out := &s.out
	out.mu.Lock()
	for out.err == nil && len(out.buf) > 0 {
		data := out.buf
		out.buf, out.spare = out.spare[:0], nil
		out.inflight = len(data)
		out.mu.Unlock()
		n, err := s.link.rw.Write(data)
		if err == nil && n < len(data) {
			err = io.ErrShortWrite
		}
		out.mu.Lock()
		out.inflight = 0
		if cap(data) <= maxChunk {
			out.spare = data[:0]
		}
		if err != nil && out.err == nil {
			out.err = err
		}
	}
	if out.err != nil {
		out.buf = nil
	}
	out.active = false
	post, closeNow := s.flushed()
	if post {
		s.loop.CallSoonThreadsafe(g.drained)
	}
	if closeNow {
		s.link.gracefulClose()
		s.linkClosed()
	}
}

// ---- Closing ----

// close closes a network connection at once, on the loop, unless a TLS
// connection is to send its close_notify (a write, which may block), and
// any other link, whose Close may block, on a goroutine.
func (g *goTransport) close(graceful bool) {
	s := g.s
	if graceful && s.link.tls != nil && s.goStart() {
		go func() {
			defer s.goDone()
			s.link.gracefulClose()
			s.linkClosed()
		}()
		return
	}
	if s.link.closesInline() || s.link.closer == nil || !s.goStart() {
		s.link.hardClose()
		s.linkClosed()
		return
	}
	go func() {
		defer s.goDone()
		s.link.hardClose()
		s.linkClosed()
	}()
}

// writeSock writes p to a non-blocking socket, on the loop, until it takes
// no more, and returns how much it took.
func writeSock(sock *sockIO, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := sock.tryWrite(p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
	}
	return n, nil
}
