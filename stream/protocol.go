package stream

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/goasyncio/asyncio"
)

// Protocol is the callback side of a connection (CPython's asyncio.Protocol,
// which MicroPython lacks): instead of a task that reads, the loop calls
// the protocol's methods as things happen on the connection, on the loop's
// goroutine, between tasks, like any callback. No task waits and no task
// switch is made per request, which makes a protocol the cheapest way to
// serve many connections (see docs/benchmarks-echo.md). A callback must
// not block: it may write, close, create tasks and schedule callbacks.
//
// A callback that panics has its connection aborted: the panic goes to the
// loop's exception handler, and ConnectionLost gets it as an error. The
// loop goes on.
type Protocol interface {
	// ConnectionMade is called first, once, with the connection's
	// transport; reading starts when it returns.
	ConnectionMade(t *Transport)
	// DataReceived is called with bytes received. data is valid only until
	// DataReceived returns (as io.Writer's p): copy what must be kept.
	DataReceived(data []byte)
	// EOFReceived is called when the peer has closed its writing half.
	// Return false to have the transport closed (once what was written is
	// sent), true to keep it open for writing, and Close it later.
	EOFReceived() (keepOpen bool)
	// ConnectionLost is called last, once, when the connection is closed
	// and its goroutines (if it has any) have ended: err is nil after
	// Close, Abort or the end of the stream, and otherwise says what ended
	// it (a reset, a write that failed, a callback that panicked). It is
	// not called if the loop closes first.
	ConnectionLost(err error)
}

// FlowControl may be implemented by a Protocol to be told when its
// transport's write buffer grows past the high-water mark (PauseWriting)
// and when it has fallen back to the low-water mark (ResumeWriting): a
// protocol that writes more than the peer reads should stop writing in
// between (CPython's pause_writing and resume_writing). See
// Transport.SetWriteBufferLimits. On a transport whose writes a goroutine
// makes (TLS, and links other than the loop's own sockets), the buffer is
// known only when that goroutine has written all it took, so ResumeWriting
// comes when the buffer is empty rather than at the low-water mark. After
// an Abort or a failed write it does not come: ConnectionLost does.
type FlowControl interface {
	PauseWriting()
	ResumeWriting()
}

// DefaultWriteHighWater and DefaultWriteLowWater are a Transport's write
// buffer limits until SetWriteBufferLimits changes them (CPython's: 64 KiB,
// and a quarter of it).
const (
	DefaultWriteHighWater = 64 << 10
	DefaultWriteLowWater  = DefaultWriteHighWater / 4
)

// ErrBadWriteLimits is returned by SetWriteBufferLimits for limits that are
// negative or out of order.
var ErrBadWriteLimits = errors.New("stream: write buffer limits need 0 <= low <= high")

// protoReadSize is the largest read handed to DataReceived at once.
const protoReadSize = maxChunk

// Transport is a connection served by a Protocol (CPython's transport):
// it writes without blocking, and the loop reads and calls the protocol.
// Its methods must be called on its loop's goroutine (from callbacks and
// tasks).
type Transport struct {
	// What a request touches comes first (see Stream).
	s     *Stream
	p     Protocol
	reg   *registry            // s.reg, which batches a poll's deliveries: the stream's is on a cold line
	deliv func()               // t.deliver, made once
	buf   *[protoReadSize]byte // what DataReceived gets: the loop's, shared by its transports

	reading   bool // reading is not paused
	queued    bool // a delivery is scheduled
	timed     bool // s.readTimeout > 0, on this line: deliveries note when data came
	eof       bool // the end of the stream was handed to EOFReceived
	held      bool // the loop is held for the connection
	wpaused   bool // PauseWriting was called, ResumeWriting not yet
	lost      bool // ConnectionLost was called
	high, low int

	fc      FlowControl   // p's, or nil
	lostErr error         // what ConnectionLost gets
	done    asyncio.Event // set once ConnectionLost has returned

	lastData time.Duration   // when data last arrived, on the loop's clock (WithReadTimeout)
	idle     *asyncio.Handle // the next checkIdle
}

// attach makes s a protocol's transport: from now on what s receives goes
// to p, by the loop, and no task reads s. It calls p.ConnectionMade, then
// starts reading. It runs on the loop.
func attach(s *Stream, p Protocol) *Transport {
	t := &Transport{s: s, p: p, reg: s.reg, reading: true, high: DefaultWriteHighWater, low: DefaultWriteLowWater}
	t.fc, _ = p.(FlowControl)
	t.deliv = t.deliver
	s.push = t
	if s.closed {
		// Born closed (the loop is closing): the protocol hears of it
		// once the link is gone, as setGone calls lostLink.
		t.guard("ConnectionMade", func() { p.ConnectionMade(t) })
		if s.gone {
			t.lostLink()
		}
		return t
	}
	t.buf = s.reg.protoBuffer()
	t.held = true
	s.t.hold()
	if !t.guard("ConnectionMade", func() { p.ConnectionMade(t) }) || s.closed {
		return t // it panicked, or closed the transport: nothing to read
	}
	s.in.mu.Lock()
	s.in.waiting, s.in.need = true, 1
	s.in.mu.Unlock()
	s.t.startRead()
	if s.readTimeout > 0 {
		t.timed = true
		t.lastData = s.loop.Time()
		t.idle = s.loop.CallLater(s.readTimeout, t.checkIdle)
	}
	t.schedule(false)
	return t
}

// checkIdle runs when the read timeout may have passed since data last
// arrived (WithReadTimeout): it aborts a connection that stayed quiet that
// long while reading, with ErrReadTimeout, and looks again later otherwise.
func (t *Transport) checkIdle() {
	t.idle = nil
	s := t.s
	if s.closed || t.lost {
		return
	}
	now := s.loop.Time()
	if !t.reading || t.eof {
		t.lastData = now // paused, or the peer is done: no data is expected
	}
	if quiet := now - t.lastData; quiet >= s.readTimeout {
		t.fail(ErrReadTimeout)
		return
	}
	t.idle = s.loop.CallAt(t.lastData+s.readTimeout, t.checkIdle)
}

// protoBuffer returns the loop's buffer for DataReceived: one for all its
// transports, since a delivery runs to its end before the next begins.
func (r *registry) protoBuffer() *[protoReadSize]byte {
	if r.protoBuf == nil {
		r.protoBuf = new([protoReadSize]byte)
	}
	return r.protoBuf
}

// schedule makes the loop deliver what was received, soon, unless it is to
// already: a loop callback, queued behind the callbacks and tasks already
// ready, as CPython queues an I/O handle. A poll's events (fromPoll: the
// epoll transport's) share one callback per poll: CPython's loop queues a
// poll's I/O handles together, in the order of their events, and a
// callback per delivery costs a cold closure, a queue entry and a recover
// frame per request. Every other schedule (a resumed reading, a delivery
// that yielded, the goroutine transport's data) is a callback of its own,
// so that no delivery overtakes a callback queued before it.
func (t *Transport) schedule(fromPoll bool) {
	if t.queued || t.s.closed {
		return
	}
	t.queued = true
	if fromPoll {
		t.reg.batch(t)
		return
	}
	if t.s.loop.CallSoon(t.deliv) != nil {
		t.queued = false // the loop is closed, or this is not its goroutine
	}
}

// batch adds t to the deliveries of the poll that is being dispatched,
// posting the callback that runs them with its first.
func (r *registry) batch(t *Transport) {
	if !r.batchOpen {
		if r.loop.CallSoon(r.deliverAll) != nil {
			t.queued = false // the loop is closed
			return
		}
		r.batchOpen = true
		r.batches = append(r.batches, r.spareBatch[:0])
		r.spareBatch = nil
	}
	last := &r.batches[len(r.batches)-1]
	*last = append(*last, t)
}

// deliverBatch is the callback of the oldest batch of deliveries: it runs
// them in the order their events came. A delivery catches its panics; if
// one calls runtime.Goexit, which ends the loop's goroutine, the rest of
// the batch is scheduled again, for a loop that is run again.
func (r *registry) deliverBatch() {
	q := r.batches[0]
	n := copy(r.batches, r.batches[1:])
	r.batches[n] = nil
	r.batches = r.batches[:n]
	i := 0
	defer func() {
		for ; i < len(q); i++ {
			if t := q[i]; t != nil {
				q[i] = nil
				t.queued = false
				t.schedule(false)
			}
		}
		r.spareBatch = q[:0]
	}()
	for ; i < len(q); i++ {
		t := q[i]
		q[i] = nil
		t.deliver()
	}
}

// deliver hands what the connection received to the protocol: what the
// reader goroutine buffered, or what the socket has now. After yieldEvery
// reads it lets the other tasks and callbacks run before it goes on, so
// that a flood of input cannot starve them. A panic in DataReceived (or a
// runtime.Goexit) aborts the connection and goes to the exception handler,
// as guard does for the other callbacks; so does a panic of the package's
// own, which would otherwise end the deliveries of its batch.
func (t *Transport) deliver() {
	t.queued = false
	s, in := t.s, &t.s.in
	inData, locked := false, false // DataReceived is running; in.mu is held
	defer func() {
		if inData {
			t.fail(t.panicked("DataReceived", recover()))
		} else if r := recover(); r != nil {
			if locked {
				in.mu.Unlock() // for the reader goroutine, and the close that follows
			}
			err := fmt.Errorf("stream: delivery to %T panicked: %v", t.p, r)
			t.s.loop.CallExceptionHandler(asyncio.ExceptionContext{Message: "stream: delivery panicked", Err: err})
			t.fail(err)
		}
	}()
	for range yieldEvery {
		if !t.reading || s.closed {
			return
		}
		in.mu.Lock()
		locked = true
		var n int
		ok := false
		if a := in.avail(); len(a) > 0 {
			n, ok = copy(t.buf[:], a), true
			s.consume(n)
		} else if in.err == nil {
			n, ok = s.t.fillInto(t.buf[:])
		}
		if !ok {
			end := in.err
			if end == nil {
				in.waiting, in.need = true, 1 // wake on the next data
			}
			in.mu.Unlock()
			locked = false
			if end != nil {
				t.ended(end)
			}
			return
		}
		in.mu.Unlock()
		locked = false
		if t.timed {
			t.lastData = s.loop.Time()
		}
		inData = true
		t.p.DataReceived(t.buf[:n])
		inData = false
	}
	t.schedule(false)
}

// ended handles the end of reading: the peer's EOF, or an error.
func (t *Transport) ended(err error) {
	if err != io.EOF {
		t.fail(err)
		return
	}
	if t.eof {
		return
	}
	t.eof = true
	keep := false
	if t.guard("EOFReceived", func() { keep = t.p.EOFReceived() }) && !keep {
		t.s.Close()
	}
}

// guard calls the protocol's method fn; if it panics, the panic goes to the
// loop's exception handler, the connection is aborted, and guard reports
// false.
func (t *Transport) guard(method string, fn func()) (ok bool) {
	defer func() {
		if !ok {
			t.fail(t.panicked(method, recover()))
		}
	}()
	fn()
	return true
}

// panicked reports to the loop's exception handler that the protocol's
// method panicked with r (nil: it called runtime.Goexit, which goes on to
// end the loop's goroutine, as in any callback), and returns the error.
func (t *Transport) panicked(method string, r any) error {
	err := fmt.Errorf("stream: %T.%s panicked: %v", t.p, method, r)
	if r == nil {
		err = fmt.Errorf("stream: %T.%s called runtime.Goexit", t.p, method)
	}
	t.s.loop.CallExceptionHandler(asyncio.ExceptionContext{Message: "stream: protocol callback panicked", Err: err})
	return err
}

// fail aborts the connection for err, which ConnectionLost then gets.
func (t *Transport) fail(err error) {
	if t.lostErr == nil {
		t.lostErr = err
	}
	t.s.Abort()
}

// lostLink runs on the loop once the link is closed and its goroutines have
// ended (Stream.setGone): it calls ConnectionLost.
func (t *Transport) lostLink() {
	if t.lost {
		return
	}
	t.lost = true
	if t.idle != nil {
		t.idle.Cancel()
		t.idle = nil
	}
	if t.held {
		t.held = false
		t.s.t.unhold()
	}
	err := t.lostErr
	if err == nil {
		t.s.out.mu.Lock()
		if e := t.s.out.err; e != ErrClosed {
			err = e // a write that failed
		}
		t.s.out.mu.Unlock()
	}
	defer t.done.Set()
	defer func() {
		if r := recover(); r != nil {
			t.panicked("ConnectionLost", r)
		}
	}()
	t.p.ConnectionLost(err)
}

// written runs on the loop when the write buffer has drained, or a write
// failed: it aborts on a failure, and resumes a protocol paused for writing.
func (t *Transport) written() {
	out := &t.s.out
	out.mu.Lock()
	err := out.err
	size := out.size()
	out.mu.Unlock()
	if err != nil {
		if err != ErrClosed && !t.s.closed {
			t.fail(err)
		}
		return // aborted or failed: ConnectionLost comes next, no ResumeWriting
	}
	if t.wpaused && size <= t.low {
		t.wpaused = false
		t.guard("ResumeWriting", t.fc.ResumeWriting)
	}
}

// Write sends p, or buffers what the kernel does not take at once, and
// returns len(p): it never blocks (CPython's write). When the buffer grows
// past the high-water mark, a Protocol that implements FlowControl is told
// to pause. Write returns ErrClosed after Close or Abort, ErrWriteClosed
// after WriteEOF, and the error of a write that failed, which also aborts
// the connection. p may be reused once Write returns.
func (t *Transport) Write(p []byte) (int, error) {
	s := t.s
	n, size, err := s.write(p, true)
	if err != nil {
		if err != ErrClosed && err != ErrWriteClosed && !s.closed {
			t.fail(err)
		}
		return n, err
	}
	t.pauseIfOver(size)
	return n, nil
}

// pauseIfOver tells a protocol that implements FlowControl to pause when
// size, what waits to be written, is past the high-water mark.
func (t *Transport) pauseIfOver(size int) {
	if size > t.high && !t.wpaused && t.fc != nil {
		t.wpaused = true
		t.guard("PauseWriting", t.fc.PauseWriting)
	}
}

// WriteString is Write for a string.
func (t *Transport) WriteString(str string) (int, error) { return t.Write([]byte(str)) }

// WriteEOF closes the writing half of the connection once what was written
// is sent (CPython's write_eof); the peer reads the end of the stream, and
// the protocol still receives. See Stream.CloseWrite for its errors.
func (t *Transport) WriteEOF() error { return t.s.CloseWrite() }

// Close stops reading and closes the connection once what was written is
// sent; then ConnectionLost is called with nil (CPython's close). Closing a
// closed transport does nothing.
func (t *Transport) Close() error { return t.s.Close() }

// Abort closes the connection at once, dropping what was not sent; then
// ConnectionLost is called with nil (CPython's abort).
func (t *Transport) Abort() { t.s.Abort() }

// IsClosing reports whether Close or Abort was called, or the connection
// was lost.
func (t *Transport) IsClosing() bool { return t.s.closed || t.lost }

// PauseReading stops the calls of DataReceived until ResumeReading (CPython's
// pause_reading): the socket's data waits in the kernel, whose buffer then
// stops the peer, or, on a transport with a reader goroutine, that
// goroutine reads at most the stream's read limit ahead (WithReadLimit).
func (t *Transport) PauseReading() {
	if !t.reading {
		return
	}
	t.reading = false
	in := &t.s.in
	in.mu.Lock()
	in.waiting = false
	in.mu.Unlock()
}

// ResumeReading undoes PauseReading: what arrived meanwhile is delivered
// soon.
func (t *Transport) ResumeReading() {
	if t.reading {
		return
	}
	t.reading = true
	t.schedule(false)
}

// IsReading reports whether reading is not paused and the transport is not
// closing (CPython's is_reading, which stays true after an EOF that kept
// the transport open).
func (t *Transport) IsReading() bool { return t.reading && !t.IsClosing() }

// WriteBufferSize returns how many written bytes the kernel has not taken
// yet (CPython's get_write_buffer_size).
func (t *Transport) WriteBufferSize() int { return t.s.WriteBuffered() }

// SetWriteBufferLimits sets the high- and low-water marks of FlowControl
// (CPython's set_write_buffer_limits, without its defaults: pass both).
// It returns ErrBadWriteLimits unless 0 <= low <= high.
func (t *Transport) SetWriteBufferLimits(high, low int) error {
	if low < 0 || high < low {
		return fmt.Errorf("%w: high %d, low %d", ErrBadWriteLimits, high, low)
	}
	t.high, t.low = high, low
	t.pauseIfOver(t.WriteBufferSize())
	return nil
}

// WriteBufferLimits returns the low- and high-water marks (CPython's
// get_write_buffer_limits).
func (t *Transport) WriteBufferLimits() (low, high int) { return t.low, t.high }

// ExtraInfo returns information about the connection; see Stream.ExtraInfo.
func (t *Transport) ExtraInfo(key string) any { return t.s.ExtraInfo(key) }

// PeerAddr returns the address of the other end, or nil.
func (t *Transport) PeerAddr() net.Addr { return t.s.PeerAddr() }

// LocalAddr returns the local address, or nil.
func (t *Transport) LocalAddr() net.Addr { return t.s.LocalAddr() }

// Loop returns the loop the transport belongs to.
func (t *Transport) Loop() *asyncio.Loop { return t.s.loop }

// Protocol returns the transport's protocol.
func (t *Transport) Protocol() Protocol { return t.p }

// WaitClosed pauses the task until ConnectionLost has returned. It returns
// asyncio.ErrCancelled if the task is cancelled first.
func (t *Transport) WaitClosed(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, t.s.loop); err != nil {
		return err
	}
	return t.done.Wait(ctx)
}

// StartProtocolServer listens on host:port and serves each connection with
// a Protocol made by newProtocol (CPython's loop.create_server); it is
// StartServer, with the same limits and Server, but the loop calls the
// protocols instead of running a handler per connection. With WithTLS the
// handshake is done first. WithReadTimeout aborts a connection that
// receives nothing for that long while its reading is not paused, and
// ConnectionLost gets ErrReadTimeout; WithReadLimit bounds what a reader
// goroutine reads ahead of a paused protocol; WithMaxLine does not apply
// (a protocol gets bytes, not lines). newProtocol must not return nil.
func StartProtocolServer(ctx *asyncio.Ctx, newProtocol func() Protocol, host string, port int, opts ...Option) (*Server, error) {
	if newProtocol == nil {
		return nil, asyncio.ErrNilFunc
	}
	return StartServer(ctx, func(ctx *asyncio.Ctx, s *Stream) error {
		p := newProtocol()
		if p == nil {
			return errors.New("stream: StartProtocolServer's newProtocol returned nil")
		}
		// The connection's task only waits for its end: it is what
		// AbortClients, WithMaxConnections and WaitClosed count.
		t := attach(s, p)
		if err := t.done.Wait(ctx); err != nil {
			s.Abort()
			return err
		}
		return nil
	}, host, port, opts...)
}

// OpenProtocolConnection connects to host:port, as OpenConnection does, and
// serves the connection with p (CPython's loop.create_connection):
// p.ConnectionMade is called before it returns.
func OpenProtocolConnection(ctx *asyncio.Ctx, host string, port int, p Protocol, opts ...Option) (*Transport, error) {
	if p == nil {
		return nil, errors.New("stream: OpenProtocolConnection with a nil Protocol")
	}
	s, err := OpenConnection(ctx, host, port, opts...)
	if err != nil {
		return nil, err
	}
	return attach(s, p), nil
}

// NewTransport serves rw with p on loop l, as New makes a stream of it:
// p.ConnectionMade is called before it returns. It must be called on l's
// goroutine or while l is not running; it panics if l, rw or p is nil.
func NewTransport(l *asyncio.Loop, rw io.ReadWriter, p Protocol, opts ...Option) *Transport {
	if p == nil {
		panic("stream: NewTransport with a nil Protocol")
	}
	return attach(New(l, rw, opts...), p)
}
