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
	loop    *asyncio.Loop
	reg     *registry
	tr      *transport
	sock    *sockIO  // non-blocking I/O on the loop (reads: with pl), nil if unavailable
	pl      *epoller // reads and writes on the loop, told by its epoll; nil: goroutines
	pslot   int32    // with pl: the stream's slot in it
	limit   int
	maxLine int

	// Loop side.
	closed     bool // Close or Abort was called: no more reads or writes
	wclosed    bool // CloseWrite was called: no more writes
	reading    bool // a task is in a read
	started    bool // the reader goroutine was started
	skipLine   bool // discard input up to the next '\n' (after ErrLineTooLong)
	streak     int  // reads in a row that found their data without pausing
	paused     bool // a task paused on the stream since the last Drain
	gone       bool // the transport is closed and the goroutines have ended
	readable   bool // with pl: the socket may have data
	ended      bool // with pl: the peer closed or the socket failed: readable until a read says so
	pullSize   int  // with pl: the next read's size
	readEv     asyncio.Event
	drainEv    asyncio.Event
	goneEv     asyncio.Event
	onReadable func()
	onDrained  func()
	onGone     func()
	quit       chan struct{} // closed by Close: a paused reader goroutine leaves

	readTimeout time.Duration // bounds each read (WithReadTimeout); 0: none

	in   inbox
	out  outbox
	life struct {
		sync.Mutex
		live    int  // tracked goroutines running
		tclosed bool // the transport is closed
		posted  bool // onGone was posted
	}
}

// inbox is what the reader goroutine received and the reading task has not
// taken yet.
type inbox struct {
	mu      sync.Mutex
	buf     []byte
	off     int           // buf[off:] is unread
	err     error         // how reading ended (io.EOF, or an error), once buf[off:] is taken
	need    int           // a waiting read needs this many bytes to make progress
	want    int           // a waiting read needs this many at once: do not pause below it
	waiting bool          // a task waits: post onReadable when need is met
	paused  bool          // the reader goroutine waits for room
	room    chan struct{} // wakes a paused reader goroutine
}

// outbox is what writes buffered because the kernel did not take it at once.
type outbox struct {
	mu         sync.Mutex
	buf        []byte // waiting for the writer goroutine, or (with pl) for the socket
	off        int    // with pl: buf[off:] waits, the rest was written
	spare      []byte // a drained buffer to reuse
	active     bool   // a writer goroutine runs
	err        error  // the first write error; Drain and Write return it
	waiting    bool   // a task waits in Drain: post onDrained when the writer stops
	closeAfter bool   // close the transport once everything is written
	eofAfter   bool   // CloseWrite once everything is written
}

// reads in a row that find their data without pausing before a read yields
// to the other tasks, so that a flood of input cannot starve them.
const yieldEvery = 16

// Chunk sizes of the reader goroutine: it starts small, so that ten thousand
// idle connections cost little, and doubles while reads fill its chunk.
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
	return newStream(l, registryOf(l), newTransport(rw), o)
}

func newStream(l *asyncio.Loop, reg *registry, tr *transport, o options) *Stream {
	s := &Stream{loop: l, reg: reg, tr: tr, limit: o.readLimit, maxLine: o.maxLine, readTimeout: o.readTimeout, pslot: -1, quit: make(chan struct{})}
	if tr.raw != nil {
		s.sock = newSockIO(tr.raw, &tr.sysfd)
	}
	s.in.room = make(chan struct{}, 1)
	s.onReadable = s.readEv.Set
	s.onDrained = s.drainEv.Set
	s.onGone = s.setGone
	if reg.add(tr) {
		if tr.raw != nil && reg.ep != nil {
			s.readable, s.pullSize = true, minChunk
			if reg.ep.add(s) {
				s.pl = reg.ep
			}
		}
	} else {
		// The loop is closed or closing: born closed.
		s.closed = true
		s.out.err = ErrClosed
		tr.hardClose()
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
	if s.tr.conn == nil {
		return nil
	}
	return s.tr.conn.RemoteAddr()
}

// LocalAddr returns the local address of a network connection, and nil for
// other transports.
func (s *Stream) LocalAddr() net.Addr {
	if s.tr.conn == nil {
		return nil
	}
	return s.tr.conn.LocalAddr()
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
		s.tr.handOut()
		return s.tr.rw
	case "conn":
		if s.tr.conn != nil {
			s.tr.handOut()
			return s.tr.conn
		}
	case "tls":
		if s.tr.tls != nil {
			st := s.tr.tls.ConnectionState()
			return &st
		}
	}
	return nil
}

// ---- Reading ----

// begin starts a read by the task of ctx.
func (s *Stream) begin(ctx *asyncio.Ctx) error {
	if asyncio.CurrentTask(ctx) == nil {
		return asyncio.ErrNotInTask
	}
	if ctx.Loop() != s.loop {
		return asyncio.ErrOtherLoop
	}
	if s.closed {
		return ErrClosed
	}
	if s.reading {
		return ErrConcurrentRead
	}
	s.reading = true
	if s.streak >= yieldEvery {
		// Let the other tasks run before taking anything, so that a
		// cancellation here loses nothing.
		s.streak = 0
		if err := asyncio.Sleep(ctx, 0); err != nil {
			s.reading = false
			return err
		}
		if s.closed {
			s.reading = false
			return ErrClosed
		}
	}
	if !s.started && s.pl == nil {
		s.startReader()
	}
	return nil
}

// end finishes a read; waited says whether it paused.
func (s *Stream) end(waited bool) {
	s.reading = false
	if waited {
		s.streak = 0
	} else {
		s.streak++
	}
}

// wait gets more input for a read that found too little: the task needs
// need bytes, want of them at once. A stream read on the loop first reads
// the socket, and returns at once if that brought something; otherwise the
// task pauses until the loop's epoll says the socket is readable, or until
// the reader goroutine has what it needs or reading has ended. wait
// reports whether the task paused.
// Call it with s.in.mu held; it returns with the lock released.
func (s *Stream) wait(ctx *asyncio.Ctx, need, want int) (paused bool, err error) {
	in := &s.in
	if s.pl != nil && s.readable && s.pull(need) {
		in.mu.Unlock()
		return false, nil
	}
	in.need, in.want, in.waiting = need, want, true
	s.resume()
	in.mu.Unlock()
	release := s.holdLoop()
	s.readEv.Clear()
	err = s.readEv.Wait(ctx)
	s.releaseLoop(release)
	s.paused = true
	in.mu.Lock()
	in.waiting, in.need, in.want = false, 0, 0
	s.resume()
	in.mu.Unlock()
	if err == nil && s.closed {
		err = ErrClosed
	}
	return true, err
}

// holdLoop keeps the loop alive while a task waits for the stream, so that
// an idle loop waits for the I/O instead of reporting a deadlock; pass what
// it returns to releaseLoop when the wait is over.
func (s *Stream) holdLoop() (release func()) {
	if s.pl != nil {
		s.pl.hold()
		return nil
	}
	return s.loop.KeepAlive()
}

func (s *Stream) releaseLoop(release func()) {
	if release != nil {
		release()
	} else {
		s.pl.unhold()
	}
}

// maxPull bounds one read of the socket on the loop.
const maxPull = 1 << 20

// pull reads the socket on the loop into the inbox once, without waiting,
// and reports whether that brought data or the end of the stream. The read
// is as large as the task needs, and doubles while reads fill it. A short
// read means the socket was emptied: with edge-triggered epoll the next data
// brings an event, so no read is wasted on EAGAIN. s.in.mu must be held.
func (s *Stream) pull(need int) bool {
	in := &s.in
	space := min(max(need-(len(in.buf)-in.off), s.pullSize), maxPull)
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
	n, wouldBlock, err := s.sock.tryRead(in.buf[l : l+space])
	switch {
	case wouldBlock:
		s.readable, s.pullSize = false, minChunk
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
		s.readable, s.pullSize = s.ended, minChunk
	} else {
		s.pullSize = min(2*space, maxChunk)
	}
	return true
}

// pullInto reads the socket on the loop into buf, without waiting, for a
// read with nothing buffered, and reports whether that brought data; if
// not, the socket had nothing (it is no longer readable) or the stream
// ended (s.in.err says how). s.in.mu must be held.
func (s *Stream) pullInto(buf []byte) (int, bool) {
	n, wouldBlock, err := s.sock.tryRead(buf)
	switch {
	case wouldBlock:
		s.readable, s.pullSize = false, minChunk
		return 0, false
	case err != nil:
		s.in.err = err
		return 0, false
	case n == 0:
		s.in.err = io.EOF
		return 0, false
	}
	if n < len(buf) {
		s.readable = s.ended // emptied of data: see pull
	}
	return n, true
}

// pollReady runs on the loop when the loop's epoll says the socket is
// readable; ended says the peer closed it or it failed. It wakes the
// waiting read.
func (s *Stream) pollReady(ended bool) {
	s.readable = true
	s.ended = s.ended || ended
	in := &s.in
	in.mu.Lock()
	w := in.waiting
	in.waiting = false
	in.mu.Unlock()
	if w {
		s.readEv.Set()
	}
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
	s.resume()
}

// resume wakes the reader goroutine if it paused for room and there is
// room again: the unread bytes are down to half the limit, or fewer than a
// waiting read needs. s.in.mu must be held.
func (s *Stream) resume() {
	in := &s.in
	if !in.paused {
		return
	}
	n := len(in.buf) - in.off
	if n <= s.limit/2 || n < in.want {
		in.paused = false
		select {
		case in.room <- struct{}{}:
		default:
		}
	}
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
		for {
			switch {
			case len(buf) == 0:
			case s.skip() && len(in.avail()) > 0:
				n = copy(buf, in.avail())
				s.consume(n)
			case in.err != nil:
				err = s.readErr()
			case s.pl != nil && s.readable && !s.skipLine:
				// Nothing buffered: read the socket straight into buf.
				var ok bool
				if n, ok = s.pullInto(buf); !ok {
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

// startReader starts the goroutine that reads the transport.
func (s *Stream) startReader() {
	s.started = true
	if !s.goStart() {
		s.in.mu.Lock()
		s.in.err = ErrClosed
		s.in.mu.Unlock()
		return
	}
	go s.readLoop()
}

// readLoop is the reader goroutine: it reads the transport into the inbox,
// wakes a waiting read when it has what that read needs, and pauses while
// the inbox is full.
func (s *Stream) readLoop() {
	defer s.goDone()
	in := &s.in
	chunk := make([]byte, minChunk)
	empty := 0
	for {
		n, err := s.tr.rw.Read(chunk)
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
		in.paused = full
		in.mu.Unlock()
		if post {
			s.loop.CallSoonThreadsafe(s.onReadable)
		}
		if err != nil {
			return
		}
		if full {
			select {
			case <-in.room:
			case <-s.quit:
				return
			}
		}
		if n == len(chunk) && len(chunk) < maxChunk {
			chunk = make([]byte, 2*len(chunk))
		}
	}
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
	switch {
	case s.closed:
		return 0, ErrClosed
	case s.wclosed:
		return 0, ErrWriteClosed
	}
	out := &s.out
	out.mu.Lock()
	if out.err != nil {
		err := out.err
		out.mu.Unlock()
		return 0, err
	}
	if len(p) == 0 {
		out.mu.Unlock()
		return 0, nil
	}
	rest := p
	if s.sock != nil && !out.active && len(out.buf) == out.off {
		// Nothing waits before p, and no goroutine writes: try the
		// socket now, without waiting, until it takes no more.
		out.mu.Unlock()
		for len(rest) > 0 {
			n, err := s.sock.tryWrite(rest)
			if err != nil {
				out.mu.Lock()
				out.err = err
				out.mu.Unlock()
				return len(p) - len(rest) + n, err
			}
			if n == 0 {
				break
			}
			rest = rest[n:]
		}
		out.mu.Lock()
	}
	if len(rest) > 0 {
		out.buf = append(out.buf, rest...)
		// With pl, the loop's epoll says when the socket takes more.
		if s.pl == nil && !out.active {
			s.startWriter()
		}
	}
	out.mu.Unlock()
	return len(p), nil
}

// WriteString is Write for a string.
func (s *Stream) WriteString(str string) (int, error) {
	return s.Write([]byte(str))
}

// startWriter starts the writer goroutine; s.out.mu must be held.
func (s *Stream) startWriter() {
	if !s.goStart() {
		s.out.err = ErrClosed
		return
	}
	s.out.active = true
	go s.writeLoop()
}

// writeLoop is the writer goroutine: it writes what waits until nothing
// does, then closes or half-closes the transport if asked, tells a waiting
// Drain, and ends.
func (s *Stream) writeLoop() {
	defer s.goDone()
	out := &s.out
	out.mu.Lock()
	for out.err == nil && len(out.buf) > 0 {
		data := out.buf
		out.buf, out.spare = out.spare[:0], nil
		out.mu.Unlock()
		_, err := s.tr.rw.Write(data)
		out.mu.Lock()
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
		s.loop.CallSoonThreadsafe(s.onDrained)
	}
	if closeNow {
		s.tr.gracefulClose()
		s.transportClosed()
	}
}

// flushed ends a flush of the output, with s.out.mu held, which it
// releases: a half-close asked for by CloseWrite is done now, and it
// reports whether a Drain waits to be told (post) and whether Close asked
// for the transport to be closed (closeNow).
func (s *Stream) flushed() (post, closeNow bool) {
	out := &s.out
	post, closeNow = out.waiting, out.closeAfter
	out.waiting = false
	eofNow := out.eofAfter && out.err == nil && !closeNow
	out.eofAfter = false
	out.mu.Unlock()
	if eofNow {
		if err := s.tr.closeWrite(); err != nil {
			out.mu.Lock()
			if out.err == nil {
				out.err = err
			}
			out.mu.Unlock()
		}
	}
	return post, closeNow
}

// pollWritable runs on the loop when its epoll says the socket takes more
// (or failed): it writes what waits, on the loop.
func (s *Stream) pollWritable() {
	out := &s.out
	out.mu.Lock()
	if len(out.buf) == out.off || out.err != nil {
		out.mu.Unlock()
		return
	}
	for out.off < len(out.buf) {
		n, err := s.sock.tryWrite(out.buf[out.off:])
		if err != nil {
			out.err = err
			break
		}
		if n == 0 {
			out.mu.Unlock()
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
		s.drainEv.Set()
	}
	if closeNow {
		s.closeTransport()
	}
}

// WriteBuffered returns how many written bytes the kernel has not taken
// yet.
func (s *Stream) WriteBuffered() int {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return len(s.out.buf) - s.out.off // what the writer goroutine holds is not counted
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
	if asyncio.CurrentTask(ctx) == nil {
		return asyncio.ErrNotInTask
	}
	if ctx.Loop() != s.loop {
		return asyncio.ErrOtherLoop
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
		release := s.holdLoop()
		s.drainEv.Clear()
		err := s.drainEv.Wait(ctx)
		s.releaseLoop(release)
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
	if s.tr.tls != nil {
		// tls.Conn.CloseWrite sends an alert: it may block.
		out.mu.Lock()
		out.eofAfter = true
		s.startWriter()
		out.mu.Unlock()
		return nil
	}
	return s.tr.closeWrite()
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
		out.closeAfter = true // the writer goroutine, or pollWritable, closes when done
		out.mu.Unlock()
		return nil
	}
	out.mu.Unlock()
	switch {
	case s.tr.tls != nil && s.goStart():
		// close_notify is a write, which may block.
		go func() {
			defer s.goDone()
			s.tr.gracefulClose()
			s.transportClosed()
		}()
	case s.tr.closesInline():
		s.closeTransport()
	default:
		s.closeElsewhere()
	}
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
	if s.tr.closesInline() {
		s.closeTransport()
	} else {
		s.closeElsewhere()
	}
}

// shut marks the stream closed and wakes its waiting reader.
func (s *Stream) shut() {
	if s.closed {
		return
	}
	s.closed = true
	close(s.quit)
	s.readEv.Set()
}

// closeTransport closes a network connection at once, on the loop.
func (s *Stream) closeTransport() {
	if s.pl != nil {
		s.pl.remove(s) // before the socket closes
	}
	s.tr.hardClose()
	s.transportClosed()
}

// closeElsewhere closes a transport whose Close may block on a goroutine.
func (s *Stream) closeElsewhere() {
	if s.tr.closer == nil || !s.goStart() {
		s.tr.hardClose()
		s.transportClosed()
		return
	}
	go func() {
		defer s.goDone()
		s.tr.hardClose()
		s.transportClosed()
	}()
}

// WaitClosed closes the stream if it is not closed yet, then pauses the task
// until its connection is closed and its goroutines have ended: after
// Close, that includes sending what was still buffered, which takes as long
// as the peer takes to read it. It returns asyncio.ErrCancelled if the task
// is cancelled first; call Abort to stop waiting for a peer.
func (s *Stream) WaitClosed(ctx *asyncio.Ctx) error {
	if asyncio.CurrentTask(ctx) == nil {
		return asyncio.ErrNotInTask
	}
	if ctx.Loop() != s.loop {
		return asyncio.ErrOtherLoop
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

// ---- Goroutine accounting ----

// goStart counts a goroutine of the stream that is about to start. It
// reports false, and the goroutine must not start, once the loop is closing.
// The goroutines of a transport that cannot be interrupted (one without
// Close) are not counted: nothing could end them.
func (s *Stream) goStart() bool {
	if !s.tr.tracked() {
		return true
	}
	if !s.reg.goStart(s.tr.conn != nil) {
		return false
	}
	s.life.Lock()
	s.life.live++
	s.life.Unlock()
	return true
}

// goDone is deferred by every goroutine of the stream.
func (s *Stream) goDone() {
	if !s.tr.tracked() {
		return
	}
	s.life.Lock()
	s.life.live--
	post := s.life.tclosed && s.life.live == 0 && !s.life.posted
	if post {
		s.life.posted = true
	}
	s.life.Unlock()
	if post {
		s.loop.CallSoonThreadsafe(s.onGone)
	}
	s.reg.goDone(s.tr.conn != nil)
}

// transportClosed records that the transport is closed. Any goroutine may
// call it.
func (s *Stream) transportClosed() {
	s.life.Lock()
	if s.life.tclosed {
		s.life.Unlock()
		return
	}
	s.life.tclosed = true
	post := s.life.live == 0 && !s.life.posted
	if post {
		s.life.posted = true
	}
	s.life.Unlock()
	if post {
		s.loop.CallSoonThreadsafe(s.onGone)
	}
}

func (s *Stream) isGone() bool {
	s.life.Lock()
	defer s.life.Unlock()
	return s.life.tclosed && s.life.live == 0
}

// setGone runs on the loop once the transport is closed and the goroutines
// have ended.
func (s *Stream) setGone() {
	if s.gone {
		return
	}
	s.gone = true
	s.goneEv.Set()
	s.reg.remove(s.tr)
}

var _ io.Writer = (*Stream)(nil)
var _ io.StringWriter = (*Stream)(nil)
