package stream

import (
	"bytes"
	"cmp"
	"io"
	"math"
	"net"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// Stream is a two-way byte stream on an asyncio loop: a TCP connection made
// by OpenConnection or accepted by a server, or any io.ReadWriter given to
// New. It is MicroPython's asyncio.Stream.
//
// Reads (Read, ReadInto, ReadExactly, ReadLine) pause the calling task, not
// the loop, until data arrives; one task at a time reads. Write never
// blocks: it hands the kernel what it takes at once and buffers the rest,
// which the loop sends as the socket takes it (Linux, plain TCP and Unix
// sockets) or a goroutine sends; Drain pauses the task until everything
// written has been taken. Every pause returns asyncio.ErrCancelled when the task is
// cancelled, so it works inside asyncio.WaitFor and asyncio.Timeout, and a
// cancelled read consumes nothing: the bytes it was waiting for are still
// there for the next read.
//
// A Stream's methods must be called on its loop's goroutine (from its tasks
// and callbacks). The stream is closed when the loop closes (Loop.Close,
// or the end of asyncio.Run), and the loop then waits for its goroutines,
// if it has any (see "How the I/O works" in the package documentation).
type Stream struct {
	// What a request touches comes first, so that it spans few cache
	// lines: with many connections, each request finds its stream cold.
	t    transport  // how its bytes move (see transport.go)
	push *Transport // a Protocol's: the loop delivers what arrives (protocol.go)
	loop *asyncio.Loop

	// Loop side.
	closed   bool // Close or Abort was called: no more reads or writes
	wclosed  bool // CloseWrite was called: no more writes
	reading  bool // a task is in a read
	skipLine bool // discard input up to the next '\n' (after ErrLineTooLong)
	paused   bool // a task paused on the stream since the last Drain
	gone     bool // the link is closed and the transport's goroutines have ended

	in  inbox
	out outbox
	// link is what the stream is over, in the stream's own allocation:
	// its descriptor, which every read and write takes, comes first.
	link link

	reg     *registry
	limit   int
	maxLine int
	fair    fairness // yields to the other tasks now and then (see fairness)
	readEv  asyncio.Event
	drainEv asyncio.Event
	goneEv  asyncio.Event
	onGone  func()

	readTimeout time.Duration // bounds each read (WithReadTimeout); 0: none

	life struct {
		sync.Mutex
		live    int  // tracked goroutines running
		tclosed bool // the link is closed
		posted  bool // onGone was posted
	}
}

// inbox is what the transport received and the reading task has not taken
// yet.
type inbox struct {
	mu      sync.Mutex
	waiting bool   // a task waits: set readEv when need is met, or reading ended
	buf     []byte // received
	off     int    // buf[off:] is unread
	err     error  // how reading ended (io.EOF, or an error), once buf[off:] is taken
	need    int    // a waiting read needs this many bytes to make progress
	want    int    // a waiting read needs this many at once
}

// outbox is what writes buffered because the link did not take it at once.
type outbox struct {
	mu         sync.Mutex
	active     bool   // the transport holds bytes taken from buf and is writing them
	waiting    bool   // a task waits in Drain: set drainEv when the outbox is empty
	closeAfter bool   // close the link once everything is written
	eofAfter   bool   // CloseWrite once everything is written
	buf        []byte // waiting for the transport
	off        int    // buf[off:] waits, the rest was written
	err        error  // the first write error; Drain and Write return it
	spare      []byte // a drained buffer to reuse
	inflight   int    // bytes the writer goroutine took from buf and has not written yet
}

// size is how many written bytes the kernel has not taken yet; out.mu must
// be held.
func (out *outbox) size() int { return len(out.buf) - out.off + out.inflight }

// Chunk sizes of a transport's reads: it starts small, so that ten
// thousand idle connections cost little, and doubles while reads fill its
// chunk.
const (
	minChunk = 4 << 10
	maxChunk = 64 << 10
)

// New returns a stream over rw on loop l: a serial port, a pipe, a
// net.Conn dialled some other way, a *tls.Conn. It must be called on l's
// goroutine (from a task or callback) or while l is not running.
//
// A plain TCP or Unix-domain connection (*net.TCPConn, *net.UnixConn) is
// read and written on the loop, with its epoll, on Linux. Otherwise a
// goroutine reads rw (from the first read on) and another writes the
// output that waits; closing the stream closes rw if it is an io.Closer,
// which must end a Read or Write blocked in it, as it does for network
// connections, os.File pipes, io.Pipe and net.Pipe. If rw has no Close, the
// stream cannot interrupt it: its reader goroutine lives until rw's Read
// returns, and the loop does not wait for it.
// A Write of rw that takes fewer bytes than it was given, without an
// error, fails the stream's writing with io.ErrShortWrite.
//
// When rw is a net.Conn, ExtraInfo and PeerAddr report its addresses; a
// *tls.Conn must already be set up as client or server (tls.Client,
// tls.Server). If l is closed, the stream is returned closed. New panics if
// l or rw is nil.
func New(l *asyncio.Loop, rw io.ReadWriter, opts ...Option) *Stream {
	if l == nil || rw == nil {
		panic("stream: New with a nil loop or io.ReadWriter")
	}
	o := buildOptions(opts)
	return newStream(l, registryOf(l), rw, false, o)
}

// newStream makes a stream over rw; owned says that the package made the
// connection and holds it alone (see link.owned).
func newStream(l *asyncio.Loop, reg *registry, rw io.ReadWriter, owned bool, o options) *Stream {
	s := &Stream{loop: l, reg: reg, limit: o.readLimit, maxLine: o.maxLine, readTimeout: o.readTimeout}
	s.link.init(rw)
	s.link.owned = owned
	s.onGone = s.setGone
	if reg.add(&s.link) {
		s.t = newTransport(s)
	} else {
		// The loop is closed or closing: born closed.
		s.t = newGoTransport(s)
		s.closed = true
		s.out.err = ErrClosed
		s.link.hardClose()
		s.life.tclosed = true
		s.gone = true
		s.goneEv.Set()
	}
	return s
}

// Loop returns the loop the stream belongs to.
func (s *Stream) Loop() *asyncio.Loop { return s.loop }

// PeerAddr returns the address of the other end of a network connection,
// and nil for other transports.
func (s *Stream) PeerAddr() net.Addr {
	if s.link.conn == nil {
		return nil
	}
	return s.link.conn.RemoteAddr()
}

// LocalAddr returns the local address of a network connection, and nil for
// other transports.
func (s *Stream) LocalAddr() net.Addr {
	if s.link.conn == nil {
		return nil
	}
	return s.link.conn.LocalAddr()
}

// ExtraInfo returns information about the transport (MicroPython's and
// CPython's get_extra_info), or nil if it has none under that key:
//
//	"peername"   net.Addr of the peer (MicroPython's only key)
//	"sockname"   local net.Addr
//	"transport"  the io.ReadWriter the stream reads and writes
//	"conn"       the net.Conn under it (under TLS, the TCP connection)
//	"tls"        *tls.ConnectionState of a TLS connection
func (s *Stream) ExtraInfo(key string) any {
	switch key {
	case "peername":
		if a := s.PeerAddr(); a != nil {
			return a
		}
	case "sockname":
		if a := s.LocalAddr(); a != nil {
			return a
		}
	case "transport":
		s.link.handOut()
		return s.link.rw
	case "conn":
		if s.link.conn != nil {
			s.link.handOut()
			return s.link.conn
		}
	case "tls":
		if s.link.tls != nil {
			st := s.link.tls.ConnectionState()
			return &st
		}
	}
	return nil
}

// ---- Reading ----

// inTaskOn returns what a call made with ctx must return if ctx is not the
// running task's (asyncio.InTask's error) or the task runs on a loop other
// than l (asyncio.ErrOtherLoop), and nil otherwise.
func inTaskOn(ctx *asyncio.Ctx, l *asyncio.Loop) error {
	if err := asyncio.InTask(ctx); err != nil {
		return err
	}
	if ctx.Loop() != l {
		return asyncio.ErrOtherLoop
	}
	return nil
}

// begin starts a read by the task of ctx.
func (s *Stream) begin(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, s.loop); err != nil {
		return err
	}
	if s.closed {
		return ErrClosed
	}
	if s.reading {
		return ErrConcurrentRead
	}
	s.reading = true
	if yielded, err := s.fair.turn(ctx); err != nil || (yielded && s.closed) {
		s.reading = false
		return cmp.Or(err, ErrClosed)
	}
	s.t.startRead()
	return nil
}

// end finishes a read; waited says whether it paused.
func (s *Stream) end(waited bool) {
	s.reading = false
	s.fair.done(waited)
}

// wait gets more input for a read that found too little: the task needs
// need bytes, want of them at once. It first asks the transport for what
// the link has now, and returns at once if that brought something;
// otherwise the task pauses until the transport has what it needs, or
// reading has ended. wait reports whether the task paused.
// Call it with s.in.mu held; it returns with the lock released.
func (s *Stream) wait(ctx *asyncio.Ctx, need, want int) (paused bool, err error) {
	in := &s.in
	if s.t.fill(need) {
		in.mu.Unlock()
		return false, nil
	}
	in.need, in.want, in.waiting = need, want, true
	s.t.resume()
	in.mu.Unlock()
	s.t.hold()
	s.readEv.Clear()
	err = s.readEv.Wait(ctx)
	s.t.unhold()
	s.paused = true
	in.mu.Lock()
	in.waiting, in.need, in.want = false, 0, 0
	s.t.resume()
	in.mu.Unlock()
	if err == nil && s.closed {
		err = ErrClosed
	}
	return true, err
}

// readReady is called on the loop when what a waiting read needs has
// arrived, or reading ended: it wakes the reading task, or has the loop
// deliver to a Protocol; fromPoll says it is a poll's event (see
// Transport.schedule).
func (s *Stream) readReady(fromPoll bool) {
	if s.push != nil {
		s.push.schedule(fromPoll)
		return
	}
	s.readEv.Set()
}

// drainReady is called on the loop when the output a Drain waits for is
// sent, or writing failed: it wakes the draining tasks, or tells a
// Protocol's transport.
func (s *Stream) drainReady() {
	if s.push != nil {
		s.push.written()
		return
	}
	s.drainEv.Set()
}

// avail returns the unread bytes; s.in.mu must be held.
func (in *inbox) avail() []byte { return in.buf[in.off:] }

// consume drops the first n unread bytes; s.in.mu must be held.
func (s *Stream) consume(n int) {
	in := &s.in
	in.off += n
	if in.off == len(in.buf) {
		in.buf, in.off = in.buf[:0], 0
		if cap(in.buf) > 4*s.limit { // a big read raised it: give it back
			in.buf = nil
		}
	}
	s.t.resume()
}

// skip discards input up to and including the next '\n' after a line that
// was too long. It reports whether it is done; s.in.mu must be held.
func (s *Stream) skip() bool {
	if !s.skipLine {
		return true
	}
	a := s.in.avail()
	if i := bytes.IndexByte(a, '\n'); i >= 0 {
		s.consume(i + 1)
		s.skipLine = false
		return true
	}
	s.consume(len(a))
	return false
}

// readErr is the error a read returns once the unread bytes are taken.
func (s *Stream) readErr() error {
	if s.closed {
		return ErrClosed
	}
	return s.in.err
}

// Read returns up to n bytes, pausing the task until at least one is there
// (MicroPython's read(n)). At the end of the stream it returns nil and
// io.EOF; after a connection error, that error once the bytes received
// before it are read. If n < 0 it reads until the end of the stream and
// returns everything (MicroPython's read(-1)); the stream's read limit does
// not bound that. Read(ctx, 0) returns an empty slice at once.
func (s *Stream) Read(ctx *asyncio.Ctx, n int) (p []byte, err error) {
	if n < 0 {
		return s.readAll(ctx)
	}
	in := &s.in
	werr := s.read(ctx, func() (bool, int, int) {
		switch {
		case n == 0:
			p = []byte{}
		case s.skip() && len(in.avail()) > 0:
			a := in.avail()
			p = bytes.Clone(a[:min(n, len(a))])
			s.consume(len(p))
		case in.err != nil: // the end, possibly while skipping a long line
			err = s.readErr()
		default:
			return false, 1, 0
		}
		return true, 0, 0
	})
	return p, cmp.Or(werr, err)
}

func (s *Stream) readAll(ctx *asyncio.Ctx) (p []byte, err error) {
	in := &s.in
	werr := s.read(ctx, func() (bool, int, int) {
		s.skip()
		if in.err == nil {
			return false, len(in.avail()) + 1, math.MaxInt
		}
		p = bytes.Clone(in.avail())
		s.consume(len(p))
		if err = s.readErr(); err == io.EOF {
			err = nil
		}
		return true, 0, 0
	})
	if werr != nil {
		return nil, werr
	}
	return p, err
}

// ReadInto reads up to len(buf) bytes into buf, pausing the task until at
// least one is there, and returns how many it read (MicroPython's
// readinto). At the end of the stream it returns 0 and io.EOF. A buf of
// length 0 returns 0 at once.
func (s *Stream) ReadInto(ctx *asyncio.Ctx, buf []byte) (n int, err error) {
	in := &s.in
	werr := s.read(ctx, func() (bool, int, int) {
		direct := true
		for {
			switch {
			case len(buf) == 0:
			case s.skip() && len(in.avail()) > 0:
				n = copy(buf, in.avail())
				s.consume(n)
			case in.err != nil:
				err = s.readErr()
			case direct && !s.skipLine:
				// Nothing buffered: read the link straight into buf.
				direct = false
				var ok bool
				if n, ok = s.t.fillInto(buf); !ok {
					continue // the end of the stream, an error, or nothing there
				}
			default:
				return false, 1, 0
			}
			return true, 0, 0
		}
	})
	return n, cmp.Or(werr, err)
}

// ReadExactly returns exactly n bytes, pausing the task until they have all
// arrived (MicroPython's readexactly). If the stream ends after some of
// them, it returns a *ShortReadError holding those bytes, which matches
// io.ErrUnexpectedEOF; if it ends before the first, io.EOF. Until all n
// bytes are there nothing is taken, so a cancelled ReadExactly leaves them
// for the next read. A large n allocates as the bytes arrive, not up front.
func (s *Stream) ReadExactly(ctx *asyncio.Ctx, n int) (p []byte, err error) {
	in := &s.in
	werr := s.read(ctx, func() (bool, int, int) {
		switch {
		case n <= 0:
			p = []byte{}
		case s.skip() && len(in.avail()) >= n:
			p = bytes.Clone(in.avail()[:n])
			s.consume(n)
		case in.err != nil:
			p = bytes.Clone(in.avail())
			s.consume(len(p))
			switch err = s.readErr(); {
			case len(p) == 0:
				p = nil
			case err == io.EOF:
				err = &ShortReadError{Got: p, Want: n}
			}
		default:
			return false, n, n
		}
		return true, 0, 0
	})
	if werr != nil {
		return nil, werr
	}
	return p, err
}

// ReadLine returns the next line, its '\n' included (MicroPython's
// readline), pausing the task until it has arrived. At the end of the
// stream a last line without '\n' is returned as it is, and after it
// ReadLine returns nil and io.EOF.
//
// A line longer than the stream's maximum (WithMaxLine; '\n' included)
// gives ErrLineTooLong with the line's first max bytes; the rest of that
// line, up to and including its '\n', is discarded by the next read of any
// kind, so the stream stays usable: the next ReadLine returns the next
// line. Until a whole line is there nothing is taken, so a cancelled
// ReadLine leaves it for the next read.
func (s *Stream) ReadLine(ctx *asyncio.Ctx) (p []byte, err error) {
	in := &s.in
	scanned := 0 // bytes of avail known to hold no '\n'
	werr := s.read(ctx, func() (bool, int, int) {
		if !s.skip() {
			scanned = 0
			if in.err != nil { // the end, while skipping a long line
				err = s.readErr()
				return true, 0, 0
			}
			return false, len(in.avail()) + 1, s.maxLine + 1
		}
		a := in.avail()
		window := a[:min(len(a), s.maxLine)]
		if i := bytes.IndexByte(window[scanned:], '\n'); i >= 0 {
			p = bytes.Clone(window[:scanned+i+1])
			s.consume(len(p))
			return true, 0, 0
		}
		scanned = len(window)
		switch {
		case len(a) > s.maxLine:
			// No '\n' in the first max bytes and a byte more there:
			// too long (a last line, at the end, of max bytes is not).
			p, err = bytes.Clone(window), ErrLineTooLong
			s.consume(len(p))
			s.skipLine = true
		case in.err != nil:
			p = bytes.Clone(a)
			s.consume(len(p))
			if err = s.readErr(); len(p) == 0 {
				p = nil
			} else if err == io.EOF {
				err = nil
			}
		default:
			return false, len(a) + 1, s.maxLine + 1
		}
		return true, 0, 0
	})
	if werr != nil {
		return nil, werr
	}
	return p, err
}

// read runs a read: after begin, it calls try with s.in.mu held until try
// reports done, and in between waits for more input, need bytes and want
// of them at once (see wait). It returns begin's or the wait's error (a
// cancelled or closed read); try sets the read's own results.
func (s *Stream) read(ctx *asyncio.Ctx, try func() (done bool, need, want int)) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	waited := false
	defer func() { s.end(waited) }()
	deadline := time.Duration(-1) // of a read timeout, set at the first wait
	s.in.mu.Lock()
	for {
		done, need, want := try()
		if done {
			s.in.mu.Unlock()
			return nil
		}
		var paused bool
		var err error
		if s.readTimeout > 0 {
			if deadline < 0 {
				deadline = s.loop.Time() + s.readTimeout
			}
			paused, err = s.waitUntil(ctx, need, want, deadline)
		} else {
			paused, err = s.wait(ctx, need, want)
		}
		waited = waited || paused
		if err != nil {
			return err
		}
		s.in.mu.Lock()
	}
}

// waitUntil is wait with a read timeout's deadline on the loop's clock: a
// wait still going then returns ErrReadTimeout.
func (s *Stream) waitUntil(ctx *asyncio.Ctx, need, want int, deadline time.Duration) (paused bool, err error) {
	expired, err := asyncio.MoveOnAt(ctx, deadline, func(ctx *asyncio.Ctx) (err error) {
		paused, err = s.wait(ctx, need, want)
		return err
	})
	if expired && err == nil {
		err = ErrReadTimeout
	}
	return paused, err
}

// ReadBuffered returns how many received bytes wait to be read.
func (s *Stream) ReadBuffered() int {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	return len(s.in.buf) - s.in.off
}

// ---- Writing ----

// Write buffers p to be sent and returns len(p) (MicroPython's write). It
// never blocks: it gives the kernel what it takes at once, when nothing is
// waiting before it, and leaves the rest to the loop, which writes it when
// the socket takes more (Linux, plain sockets), or to the stream's writer
// goroutine.
// Call Drain to wait until the kernel has taken everything: a task that
// writes without draining makes the buffer grow without bound. Write
// returns ErrClosed after Close, ErrWriteClosed after CloseWrite, and the
// error of an earlier write that failed. p may be reused once Write returns.
func (s *Stream) Write(p []byte) (int, error) {
	n, _, err := s.write(p, false)
	return n, err
}

// write is Write; it also returns how many bytes wait in the outbox, and
// with tell, has the transport call drainReady once they are written (a
// Protocol's transport, which has no Drain).
func (s *Stream) write(p []byte, tell bool) (n, waiting int, err error) {
	switch {
	case s.closed:
		return 0, 0, ErrClosed
	case s.wclosed:
		return 0, 0, ErrWriteClosed
	}
	out := &s.out
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.err != nil {
		return 0, out.size(), out.err
	}
	if len(p) == 0 {
		return 0, out.size(), nil
	}
	rest := p
	if !out.active && len(out.buf) == out.off {
		// Nothing waits before p: the transport may write it now,
		// without waiting. No writer goroutine runs (!active), so the
		// lock is held across the non-blocking write, as pollWritable
		// holds it.
		n, err := s.t.writeNow(rest)
		if err != nil {
			out.err = err
			return n, 0, err
		}
		rest = rest[n:]
	}
	if len(rest) > 0 {
		out.buf = append(out.buf, rest...)
		s.t.flush()
	}
	waiting = out.size()
	if tell && (waiting > 0 || out.active) {
		out.waiting = true
	}
	return len(p), waiting, nil
}

// WriteString is Write for a string.
func (s *Stream) WriteString(str string) (int, error) {
	return s.Write([]byte(str))
}

// flushed ends a flush of the output, with s.out.mu held, which it
// releases: a half-close asked for by CloseWrite is done now, and it
// reports whether a Drain waits to be told (post) and whether Close asked
// for the link to be closed (closeNow).
func (s *Stream) flushed() (post, closeNow bool) {
	out := &s.out
	post, closeNow = out.waiting, out.closeAfter
	out.waiting = false
	eofNow := out.eofAfter && out.err == nil && !closeNow
	out.eofAfter = false
	out.mu.Unlock()
	if eofNow {
		if err := s.link.closeWrite(); err != nil {
			out.mu.Lock()
			if out.err == nil {
				out.err = err
			}
			out.mu.Unlock()
		}
	}
	return post, closeNow
}

// WriteBuffered returns how many written bytes the kernel has not taken
// yet.
func (s *Stream) WriteBuffered() int {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return s.out.size()
}

// Drain pauses the task until the kernel has taken everything written so
// far (MicroPython's drain), and returns the error of a write that failed.
// This is the stream's back-pressure: a task that writes and drains in turn
// cannot get ahead of a peer that reads slowly, or not at all. When nothing
// waits to be written, Drain still lets the other tasks run (Sleep(ctx, 0))
// unless a task has paused on the stream since the previous Drain: a loop of
// Write and Drain cannot starve the others (MicroPython's rule), and a
// request-response loop, which pauses in its reads, pays no extra turn. Any
// number of tasks may drain at once. If the task is cancelled, Drain
// returns asyncio.ErrCancelled and the data stays buffered.
func (s *Stream) Drain(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, s.loop); err != nil {
		return err
	}
	out := &s.out
	for waited := false; ; waited = true {
		out.mu.Lock()
		if out.err != nil {
			err := out.err
			out.mu.Unlock()
			return err
		}
		if !out.active && len(out.buf) == out.off {
			out.mu.Unlock()
			paused := s.paused || waited
			s.paused = false
			if paused {
				return nil
			}
			return asyncio.Sleep(ctx, 0)
		}
		out.waiting = true
		out.mu.Unlock()
		s.t.hold()
		s.drainEv.Clear()
		err := s.drainEv.Wait(ctx)
		s.t.unhold()
		if err != nil {
			return err
		}
	}
}

// CloseWrite shuts down the writing half of the connection once everything
// written has been sent (CPython's write_eof): the peer reads the end of
// the stream, and this side can still read. It returns ErrNoCloseWrite if
// the transport cannot do that (TCP and TLS connections can), and
// ErrWriteClosed after an earlier CloseWrite.
func (s *Stream) CloseWrite() error {
	switch {
	case s.closed:
		return ErrClosed
	case s.wclosed:
		return ErrWriteClosed
	}
	s.wclosed = true
	out := &s.out
	out.mu.Lock()
	if out.err != nil {
		err := out.err
		out.mu.Unlock()
		return err
	}
	if out.active || len(out.buf) > out.off {
		out.eofAfter = true
		out.mu.Unlock()
		return nil
	}
	out.mu.Unlock()
	if s.link.tls != nil {
		// tls.Conn.CloseWrite sends an alert, which may block: the
		// transport makes it as it flushes.
		out.mu.Lock()
		out.eofAfter = true
		s.t.flush()
		out.mu.Unlock()
		return nil
	}
	return s.link.closeWrite()
}

// ---- Closing ----

// Close closes the stream. Reads and writes fail with ErrClosed from now
// on, and a task paused in a read gets ErrClosed. What was written and not
// yet sent is still sent, by the loop or the writer goroutine, and then
// the connection is closed (a TLS connection sends its close_notify); with
// nothing left to send it is closed at once. Use WaitClosed to wait for that, and Abort to
// close at once, dropping what was not sent. Closing a closed stream does
// nothing.
//
// (MicroPython's close does nothing and wait_closed closes the socket;
// CPython's close flushes and closes in the background, as here.)
func (s *Stream) Close() error {
	if s.closed {
		return nil
	}
	s.shut()
	out := &s.out
	out.mu.Lock()
	if out.active || (len(out.buf) > out.off && out.err == nil) {
		out.closeAfter = true // the transport closes when it has written everything
		out.mu.Unlock()
		return nil
	}
	out.mu.Unlock()
	s.t.close(true)
	return nil
}

// Abort closes the stream at once: what was written and not yet sent is
// dropped, a TLS connection sends no close_notify, and a task paused in
// Drain gets ErrClosed. Aborting a closed stream closes its connection now
// if Close left it flushing.
func (s *Stream) Abort() {
	s.shut()
	out := &s.out
	out.mu.Lock()
	if out.err == nil {
		out.err = ErrClosed
	}
	out.buf, out.off = nil, 0
	out.mu.Unlock()
	s.drainEv.Set()
	s.t.close(false)
}

// shut marks the stream closed and wakes its waiting reader.
func (s *Stream) shut() {
	if s.closed {
		return
	}
	s.closed = true
	s.t.stopReading()
	s.readEv.Set()
}

// WaitClosed closes the stream if it is not closed yet, then pauses the task
// until its connection is closed and its goroutines have ended: after
// Close, that includes sending what was still buffered, which takes as long
// as the peer takes to read it. It returns asyncio.ErrCancelled if the task
// is cancelled first; call Abort to stop waiting for a peer.
func (s *Stream) WaitClosed(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, s.loop); err != nil {
		return err
	}
	s.Close()
	if s.isGone() {
		return nil
	}
	release := s.loop.KeepAlive()
	defer release()
	return s.goneEv.Wait(ctx)
}

// Closed reports whether Close or Abort was called.
func (s *Stream) Closed() bool { return s.closed }

var _ io.Writer = (*Stream)(nil)
var _ io.StringWriter = (*Stream)(nil)
