package stream_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// recorder is a Protocol that records its calls, in order, and echoes
// unless told otherwise.
type recorder struct {
	t        *stream.Transport
	calls    []string
	data     bytes.Buffer
	echo     bool
	keepOpen bool
	onData   func(r *recorder, data []byte)
	onEOF    func(r *recorder)
	onMade   func(r *recorder)
	lost     error
	lostOnce int
	paused   int
	resumed  int
}

func (r *recorder) ConnectionMade(t *stream.Transport) {
	r.t = t
	r.calls = append(r.calls, "made")
	if r.onMade != nil {
		r.onMade(r)
	}
}

func (r *recorder) DataReceived(data []byte) {
	if len(r.calls) == 0 || r.calls[len(r.calls)-1] != "data" {
		r.calls = append(r.calls, "data")
	}
	r.data.Write(data)
	if r.onData != nil {
		r.onData(r, data)
	}
	if r.echo {
		r.t.Write(data)
	}
}

func (r *recorder) EOFReceived() bool {
	r.calls = append(r.calls, "eof")
	if r.onEOF != nil {
		r.onEOF(r)
	}
	return r.keepOpen
}

func (r *recorder) ConnectionLost(err error) {
	r.calls = append(r.calls, "lost")
	r.lost = err
	r.lostOnce++
}

// flowRecorder is a recorder that is told of write pauses.
type flowRecorder struct{ recorder }

func (r *flowRecorder) PauseWriting()  { r.paused++ }
func (r *flowRecorder) ResumeWriting() { r.resumed++ }

// dialPlain connects a plain, blocking client to port.
func dialPlain(t *testing.T, port int) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// askPlain sends msg to port from a plain, blocking client, then its EOF
// if closeWrite, and reads what comes back until the server closes; a
// reset at the end counts as the end.
func askPlain(t *testing.T, port int, msg string, closeWrite bool) ([]byte, error) {
	c := dialPlain(t, port)
	c.Write([]byte(msg))
	if closeWrite {
		c.CloseWrite()
	}
	got, err := io.ReadAll(c)
	if isConnEnd(err) {
		err = nil
	}
	return got, err
}

// askServer serves one connection with p, from a plain client that sends
// msg (and then its EOF, if closeWrite) and reads until the server closes,
// and returns what the client read.
func askServer(t *testing.T, p stream.Protocol, msg string, closeWrite bool) []byte {
	var got []byte
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return p }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		err = inThread(ctx, func() (err error) {
			got, err = askPlain(t, srv.Port(), msg, closeWrite)
			return err
		})
		srv.Close()
		return cmp.Or(err, srv.WaitClosed(ctx))
	})
	return got
}

func TestProtocolServerEchoes(t *testing.T) { bothPaths(t, testProtocolServerEchoes) }

func testProtocolServerEchoes(t *testing.T) {
	var made []*recorder
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r := &recorder{echo: true}
			made = append(made, r)
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		for i := range 50 {
			fmt.Fprintf(c, "line %d\n", i)
			got, err := c.ReadLine(ctx)
			if want := fmt.Sprintf("line %d\n", i); string(got) != want || err != nil {
				t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
			}
		}
		// The client's EOF: EOFReceived returns false, so the server
		// closes, and the client reads the end.
		if err := c.CloseWrite(); err != nil {
			return err
		}
		if rest, err := c.Read(ctx, -1); len(rest) != 0 || err != nil {
			t.Errorf("after CloseWrite, Read(-1) = %q, %v; want the end", rest, err)
		}
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %v", ex.errs())
	}
	if len(made) != 1 {
		t.Fatalf("%d protocols made, want 1", len(made))
	}
	r := made[0]
	if got := strings.Join(r.calls, " "); got != "made data eof lost" {
		t.Errorf("calls: %s; want made data eof lost", got)
	}
	if r.lost != nil || r.lostOnce != 1 {
		t.Errorf("ConnectionLost(%v) called %d times; want nil, once", r.lost, r.lostOnce)
	}
	if !strings.HasPrefix(r.data.String(), "line 0\nline 1\n") || !strings.HasSuffix(r.data.String(), "line 49\n") {
		t.Errorf("received %q", r.data.String())
	}
}

func TestProtocolClient(t *testing.T) { bothPaths(t, testProtocolClient) }

// testProtocolClient: OpenProtocolConnection against a stream server that
// greets, reads a line, answers, and closes.
func testProtocolClient(t *testing.T) {
	r := &recorder{}
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			s.WriteString("hello\n")
			line, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			s.WriteString("got " + string(line))
			return nil
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		r.onData = func(r *recorder, data []byte) {
			if r.data.String() == "hello\n" {
				r.t.WriteString("ping\n")
			}
		}
		tr, err := stream.OpenProtocolConnection(ctx, "127.0.0.1", srv.Port(), r)
		if err != nil {
			return err
		}
		if tr.Protocol() != r || r.t != tr || tr.PeerAddr() == nil || tr.LocalAddr() == nil {
			t.Errorf("transport: protocol %v, made with %v, addresses %v %v", tr.Protocol(), r.t, tr.PeerAddr(), tr.LocalAddr())
		}
		if err := tr.WaitClosed(ctx); err != nil {
			return err
		}
		if !tr.IsClosing() || tr.IsReading() {
			t.Errorf("after ConnectionLost: IsClosing %v, IsReading %v", tr.IsClosing(), tr.IsReading())
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if got := r.data.String(); got != "hello\ngot ping\n" {
		t.Errorf("received %q", got)
	}
	if got := strings.Join(r.calls, " "); got != "made data eof lost" {
		t.Errorf("calls: %s", got)
	}
}

func TestProtocolKeepOpenAfterEOF(t *testing.T) { bothPaths(t, testProtocolKeepOpenAfterEOF) }

// testProtocolKeepOpenAfterEOF: an EOFReceived that keeps the transport
// open can still answer, and closes it itself.
func testProtocolKeepOpenAfterEOF(t *testing.T) {
	r := &recorder{keepOpen: true}
	r.onEOF = func(r *recorder) {
		if !r.t.IsReading() {
			t.Error("IsReading false after an EOF that keeps the transport open; CPython's is_reading is true")
		}
		// Answer after a turn of the loop, with the transport still open
		// for writing.
		r.t.Loop().CallSoon(func() {
			r.t.WriteString(fmt.Sprintf("%d bytes", r.data.Len()))
			r.t.Close()
		})
	}
	reply := askServer(t, r, "twelve bytes", true)
	if string(reply) != "12 bytes" {
		t.Errorf("reply %q, want %q", reply, "12 bytes")
	}
	if got := strings.Join(r.calls, " "); got != "made data eof lost" || r.lost != nil {
		t.Errorf("calls: %s, lost %v", got, r.lost)
	}
}

func TestProtocolPanicAborts(t *testing.T) { bothPaths(t, testProtocolPanicAborts) }

// testProtocolPanicAborts: a DataReceived that panics has its connection
// aborted and reported, and the server goes on serving.
func testProtocolPanicAborts(t *testing.T) {
	var made []*recorder
	var answer []byte
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r := &recorder{echo: true}
			r.onData = func(_ *recorder, data []byte) {
				if bytes.Contains(data, []byte("boom")) {
					panic("boom received")
				}
			}
			made = append(made, r)
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		err = inThread(ctx, func() error {
			c := dialPlain(t, srv.Port())
			c.Write([]byte("boom"))
			if _, err := io.ReadAll(c); err != nil && !isConnEnd(err) {
				return err
			}
			d := dialPlain(t, srv.Port())
			d.Write([]byte("still there?"))
			answer = make([]byte, len("still there?"))
			_, err := io.ReadFull(d, answer)
			return err
		})
		srv.Close()
		srv.AbortClients()
		return cmp.Or(err, srv.WaitClosed(ctx))
	})
	if string(answer) != "still there?" {
		t.Errorf("second connection got %q", answer)
	}
	if len(made) != 2 {
		t.Fatalf("%d protocols, want 2", len(made))
	}
	if r := made[0]; r.lost == nil || !strings.Contains(r.lost.Error(), "DataReceived panicked: boom received") || r.lostOnce != 1 {
		t.Errorf("first connection: ConnectionLost(%v) %d times; want the panic, once", r.lost, r.lostOnce)
	}
	if len(ex.list) != 1 || !strings.Contains(fmt.Sprint(ex.list[0].Err), "boom received") {
		t.Errorf("exception handler got %v; want the panic once", ex.errs())
	}
	if r := made[1]; r.lost != nil || r.lostOnce != 1 {
		t.Errorf("second connection: ConnectionLost(%v) %d times; want nil once (AbortClients)", r.lost, r.lostOnce)
	}
}

func TestProtocolPeerReset(t *testing.T) { bothPaths(t, testProtocolPeerReset) }

// testProtocolPeerReset: a reset by the peer reaches ConnectionLost as its
// error, and is not reported as the server's.
func testProtocolPeerReset(t *testing.T) {
	var r *recorder
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r = &recorder{echo: true}
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		err = inThread(ctx, func() error {
			c := dialPlain(t, srv.Port())
			c.Write([]byte("x"))
			b := make([]byte, 1)
			if _, err := io.ReadFull(c, b); err != nil {
				return err
			}
			c.SetLinger(0) // close sends a reset
			return c.Close()
		})
		if err != nil {
			return err
		}
		for r.lostOnce == 0 {
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if !errors.Is(r.lost, syscall.ECONNRESET) {
		t.Errorf("ConnectionLost(%v); want ECONNRESET", r.lost)
	}
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %v", ex.errs())
	}
}

func TestProtocolPauseReading(t *testing.T) { bothPaths(t, testProtocolPauseReading) }

// testProtocolPauseReading: nothing is delivered while reading is paused,
// and everything is once it resumes.
func testProtocolPauseReading(t *testing.T) {
	var r *recorder
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r = &recorder{}
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("first")
		for r == nil || r.data.Len() < 5 {
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		r.t.PauseReading()
		if r.t.IsReading() {
			t.Error("IsReading after PauseReading")
		}
		c.WriteString("second")
		if err := c.Drain(ctx); err != nil {
			return err
		}
		asyncio.Sleep(ctx, 50*time.Millisecond) // time for the bytes to arrive
		if got := r.data.String(); got != "first" {
			t.Errorf("while paused, received %q", got)
		}
		r.t.ResumeReading()
		for r.data.Len() < len("firstsecond") {
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		if got := r.data.String(); got != "firstsecond" {
			t.Errorf("after ResumeReading, received %q", got)
		}
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
}

func TestProtocolFlowControl(t *testing.T) { bothPaths(t, testProtocolFlowControl) }

// testProtocolFlowControl: writing past the high-water mark pauses the
// protocol, and the peer's reading resumes it.
func testProtocolFlowControl(t *testing.T) {
	var r *flowRecorder
	var got int64
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r = &flowRecorder{}
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c := dialPlain(t, srv.Port())
		for r == nil || r.t == nil {
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		tr := r.t
		// Limits too high to pause: fill the buffer past 8 KiB first.
		if err := tr.SetWriteBufferLimits(1<<30, 1<<10); err != nil {
			return err
		}
		chunk := make([]byte, 16<<10)
		sent := 0
		for tr.WriteBufferSize() <= 8<<10 && sent < 64<<20 {
			n, err := tr.Write(chunk)
			if err != nil {
				return err
			}
			sent += n
		}
		if r.paused != 0 {
			t.Fatalf("paused below a high-water mark of 1 GiB")
		}
		// Lowering the mark below what waits pauses at once, as CPython's
		// set_write_buffer_limits does.
		if err := tr.SetWriteBufferLimits(8<<10, 1<<10); err != nil {
			return err
		}
		if low, high := tr.WriteBufferLimits(); low != 1<<10 || high != 8<<10 {
			t.Errorf("WriteBufferLimits = %d, %d", low, high)
		}
		if r.paused != 1 || tr.WriteBufferSize() == 0 {
			t.Fatalf("after %d bytes: paused %d times, buffer %d", sent, r.paused, tr.WriteBufferSize())
		}
		tr.Close()
		err = inThread(ctx, func() error {
			var err error
			got, err = io.Copy(io.Discard, c)
			return err
		})
		if err != nil {
			return err
		}
		if err := tr.WaitClosed(ctx); err != nil {
			return err
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if int(got) == 0 || r.resumed != 1 {
		t.Errorf("peer read %d bytes; ResumeWriting called %d times, want once", got, r.resumed)
	}
	if r.lost != nil {
		t.Errorf("ConnectionLost(%v)", r.lost)
	}
}

// TestProtocolBadInput: the mistakes a caller can make get errors that say
// what was wrong.
func TestProtocolBadInput(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		if _, err := stream.StartProtocolServer(ctx, nil, "127.0.0.1", 0); !errors.Is(err, asyncio.ErrNilFunc) {
			t.Errorf("StartProtocolServer(nil) = %v; want ErrNilFunc", err)
		}
		if _, err := stream.OpenProtocolConnection(ctx, "127.0.0.1", 1, nil); err == nil || !strings.Contains(err.Error(), "nil Protocol") {
			t.Errorf("OpenProtocolConnection(nil) = %v", err)
		}
		ex := &exceptions{}
		ctx.Loop().SetExceptionHandler(ex.handler)
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return nil }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		var gotEOF bool
		err = inThread(ctx, func() error {
			c := dialPlain(t, srv.Port())
			_, err := c.Read(make([]byte, 1))
			gotEOF = isConnEnd(err)
			return nil
		})
		if err != nil {
			return err
		}
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		// The handler's error is reported once its task has ended, a
		// step of the loop after the server is done.
		for i := 0; i < 1000 && len(ex.list) == 0; i++ {
			asyncio.Sleep(ctx, time.Millisecond)
		}
		if !gotEOF || len(ex.list) != 1 || !strings.Contains(fmt.Sprint(ex.list[0].Err), "newProtocol returned nil") {
			t.Errorf("a nil Protocol: client saw the end %v; exception handler got %v", gotEOF, ex.errs())
		}
		r := &recorder{}
		tr := stream.NewTransport(ctx.Loop(), &bytes.Buffer{}, r)
		for _, lim := range [][2]int{{1, 2}, {-1, -2}, {5, -1}} {
			if err := tr.SetWriteBufferLimits(lim[0], lim[1]); !errors.Is(err, stream.ErrBadWriteLimits) {
				t.Errorf("SetWriteBufferLimits(%d, %d) = %v; want ErrBadWriteLimits", lim[0], lim[1], err)
			}
		}
		tr.Close()
		if _, err := tr.Write([]byte("x")); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Write after Close = %v; want ErrClosed", err)
		}
		if err := tr.WaitClosed(ctx); err != nil {
			return err
		}
		// A ConnectionLost that panics is reported, and WaitClosed still
		// returns.
		ex.list = nil
		tr = stream.NewTransport(ctx.Loop(), &bytes.Buffer{}, &lostPanics{})
		tr.Abort()
		if err := tr.WaitClosed(ctx); err != nil {
			return err
		}
		if len(ex.list) != 1 || !strings.Contains(fmt.Sprint(ex.list[0].Err), "ConnectionLost panicked: lost it") {
			t.Errorf("exception handler got %v; want ConnectionLost's panic", ex.errs())
		}
		return nil
	})
}

// lostPanics panics in ConnectionLost.
type lostPanics struct{ recorder }

func (*lostPanics) ConnectionLost(error) { panic("lost it") }

func TestProtocolReadTimeout(t *testing.T) { bothPaths(t, testProtocolReadTimeout) }

// testProtocolReadTimeout: WithReadTimeout aborts a connection that stays
// quiet that long, with ErrReadTimeout, and leaves one that keeps talking.
func testProtocolReadTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	var made []*recorder
	var quietFor time.Duration
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r := &recorder{}
			made = append(made, r)
			return r
		}, "127.0.0.1", 0, stream.WithReadTimeout(timeout))
		if err != nil {
			return err
		}
		quiet, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		quiet.WriteString("a")
		start := time.Now()
		talker, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		for len(made) < 2 || made[0].lostOnce == 0 {
			talker.WriteString("b")
			if err := asyncio.Sleep(ctx, timeout/4); err != nil {
				return err
			}
		}
		quietFor = time.Since(start)
		if made[1].lostOnce != 0 {
			t.Errorf("the connection that kept talking was lost: %v", made[1].lost)
		}
		talker.Close()
		quiet.Close()
		srv.Close()
		srv.AbortClients()
		return srv.WaitClosed(ctx)
	})
	if r := made[0]; !errors.Is(r.lost, stream.ErrReadTimeout) || r.data.String() != "a" {
		t.Errorf("quiet connection: ConnectionLost(%v) after %q; want ErrReadTimeout after %q", r.lost, r.data.String(), "a")
	}
	if quietFor < timeout {
		t.Errorf("the quiet connection was lost after %v, before its timeout of %v", quietFor, timeout)
	}
}

func TestProtocolClosedInConnectionMade(t *testing.T) {
	bothPaths(t, testProtocolClosedInConnectionMade)
}

// testProtocolClosedInConnectionMade: a protocol that turns a connection
// away in ConnectionMade gets nothing more than its ConnectionLost, and
// starts no reader.
func testProtocolClosedInConnectionMade(t *testing.T) {
	r := &recorder{}
	r.onMade = func(r *recorder) {
		r.t.WriteString("go away")
		r.t.Close()
	}
	got := askServer(t, r, "ignored", false)
	if string(got) != "go away" {
		t.Errorf("client got %q", got)
	}
	if calls := strings.Join(r.calls, " "); calls != "made lost" || r.lost != nil {
		t.Errorf("calls: %s, lost %v; want made lost, nil", calls, r.lost)
	}
}

// sendLater connects a plain client to port from a goroutine and, after
// delay, sends msg; the client stays open until the test ends.
func sendLater(t *testing.T, port int, delay time.Duration, msg string) {
	c := dialPlain(t, port)
	go func() {
		time.Sleep(delay)
		c.Write([]byte(msg))
	}()
}

// pausedFirst is a protocol server's factory whose first connection pauses
// reading as it is made, and whose DataReceived calls onData; made is set
// once two connections are made.
type pausedFirst struct {
	conns  []*recorder
	made   asyncio.Event
	onData func(r *recorder, data []byte)
}

func (f *pausedFirst) newProtocol() stream.Protocol {
	r := &recorder{onData: f.onData}
	first := len(f.conns) == 0
	r.onMade = func(r *recorder) {
		if first {
			r.t.PauseReading()
		}
		if len(f.conns) == 2 {
			f.made.Set()
		}
	}
	f.conns = append(f.conns, r)
	return r
}

func TestProtocolDeliveriesDoNotNest(t *testing.T) { bothPaths(t, testProtocolDeliveriesDoNotNest) }

// testProtocolDeliveriesDoNotNest: a DataReceived that resumes another
// connection's reading, whose data is waiting, does not have that
// connection's DataReceived run inside it: it runs after it returns.
func testProtocolDeliveriesDoNotNest(t *testing.T) {
	depth, nested := 0, 0
	var order []string
	var both asyncio.Event
	f := &pausedFirst{}
	f.onData = func(r *recorder, data []byte) {
		if depth > 0 {
			nested++
		}
		depth++
		order = append(order, string(data))
		if string(data) == "a" {
			f.conns[0].t.ResumeReading() // b waits there
		}
		if len(order) == 2 {
			both.Set()
		}
		depth--
	}
	ex := runUntimed(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, f.newProtocol, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		sendLater(t, srv.Port(), 0, "b")                    // to the paused first connection
		sendLater(t, srv.Port(), 100*time.Millisecond, "a") // later, to a connection that waits for it
		if err := both.Wait(ctx); err != nil {
			return err
		}
		srv.Close()
		srv.AbortClients()
		return srv.WaitClosed(ctx)
	})
	if nested != 0 || strings.Join(order, ",") != "a,b" {
		t.Errorf("deliveries %v, %d inside another; want a,b, none inside another", order, nested)
	}
	if errs := ex.errs(); len(errs) > 0 {
		t.Errorf("exception handler: %v", errs)
	}
}

// resumeOnSchedule is an Instrument that, while armed, resumes a
// transport's reading when a given task is scheduled.
type resumeOnSchedule struct {
	task  *asyncio.Task
	t     *stream.Transport
	in    bool // in TaskScheduled
	fired bool
}

func (h *resumeOnSchedule) TaskScheduled(task, _ *asyncio.Task) {
	if h.t != nil && task == h.task {
		t := h.t
		h.t = nil
		h.in, h.fired = true, true
		t.ResumeReading()
		h.in = false
	}
}
func (*resumeOnSchedule) TaskCreated(*asyncio.Task)    {}
func (*resumeOnSchedule) BeforeTaskStep(*asyncio.Task) {}
func (*resumeOnSchedule) AfterTaskStep(*asyncio.Task)  {}
func (*resumeOnSchedule) TaskExited(*asyncio.Task)     {}
func (*resumeOnSchedule) BeforeIdle(time.Duration)     {}
func (*resumeOnSchedule) AfterIdle()                   {}

// TestProtocolNotDeliveredInsideOtherCode: a stream's data wakes its task
// while the loop dispatches a poll's events, on a loop with no timer; an
// Instrument told of that, which resumes a protocol's reading, does not
// have its DataReceived run inside it.
func TestProtocolNotDeliveredInsideOtherCode(t *testing.T) {
	h := &resumeOnSchedule{}
	inside := false
	var got asyncio.Event
	f := &pausedFirst{onData: func(*recorder, []byte) {
		inside = inside || h.in
		got.Set()
	}}
	ex := runUntimed(t, func(ctx *asyncio.Ctx) error {
		ctx.Loop().AddInstrument(h)
		srv, err := stream.StartProtocolServer(ctx, f.newProtocol, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		sendLater(t, srv.Port(), 0, "b") // to the paused first connection
		sendLater(t, srv.Port(), 0, "")  // the second: made is set once both are
		if err := f.made.Wait(ctx); err != nil {
			return err
		}
		s, peer := pair(t, ctx)
		go func() {
			time.Sleep(100 * time.Millisecond) // b has reached the paused connection
			peer.Write([]byte("x\n"))
		}()
		h.task, h.t = asyncio.CurrentTask(ctx), f.conns[0].t
		if _, err := s.ReadLine(ctx); err != nil {
			return err
		}
		if err := got.Wait(ctx); err != nil {
			return err
		}
		s.Close()
		srv.Close()
		srv.AbortClients()
		return srv.WaitClosed(ctx)
	})
	if !h.fired {
		t.Error("the Instrument was not told of the reading task's wake-up")
	}
	if inside {
		t.Error("DataReceived ran inside the Instrument's TaskScheduled")
	}
	if errs := ex.errs(); len(errs) > 0 {
		t.Errorf("exception handler: %v", errs)
	}
}

// TestProtocolBatchInEventOrder: data that reaches three connections while
// the loop is busy is delivered in the order it came, and a DataReceived
// that panics aborts its own connection only: the deliveries after it
// still run.
func TestProtocolBatchInEventOrder(t *testing.T) {
	defer stream.SetLoopIO(true)()
	var conns []*recorder
	var made, done asyncio.Event
	var order []string
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol {
			r := &recorder{}
			r.onMade = func(*recorder) {
				if len(conns) == 3 {
					made.Set()
				}
			}
			r.onData = func(r *recorder, data []byte) {
				order = append(order, string(data))
				if len(order) == 3 {
					done.Set()
				}
				if string(data) == "2" {
					panic("second")
				}
			}
			conns = append(conns, r)
			return r
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		clients := make([]*net.TCPConn, 3)
		for i := range clients {
			clients[i] = dialPlain(t, srv.Port())
		}
		if err := made.Wait(ctx); err != nil {
			return err
		}
		asyncio.Sleep(ctx, 20*time.Millisecond) // each connection now waits for data
		// Keep the loop busy, without yielding, while the data reaches the
		// three connections in turn: the next poll finds all three.
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			for i, c := range clients {
				time.Sleep(10 * time.Millisecond)
				c.Write([]byte(fmt.Sprint(i + 1)))
			}
		}()
		time.Sleep(60 * time.Millisecond)
		<-wrote
		if err := done.Wait(ctx); err != nil {
			return err
		}
		srv.Close()
		srv.AbortClients()
		return srv.WaitClosed(ctx)
	})
	// Connections are made in the order they were dialled.
	if got := strings.Join(order, ","); got != "1,2,3" {
		t.Errorf("delivered %s; want 1,2,3", got)
	}
	if lost := conns[1].lost; lost == nil || !strings.Contains(lost.Error(), "second") {
		t.Errorf("the panicking connection lost with %v; want its panic", lost)
	}
	if len(ex.errs()) != 1 {
		t.Errorf("exception handler got %v; want the one panic", ex.errs())
	}
}
