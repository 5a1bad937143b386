package stream_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

func TestEchoServer(t *testing.T) { bothPaths(t, testEchoServer) }

func testEchoServer(t *testing.T) {
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, echoHandler, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		if srv.Port() == 0 || srv.Addr() == nil {
			t.Errorf("Port() = %d, Addr() = %v: port 0 must pick a free port", srv.Port(), srv.Addr())
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		for i := range 100 {
			fmt.Fprintf(c, "line %d\n", i)
			if err := c.Drain(ctx); err != nil {
				return err
			}
			got, err := c.ReadLine(ctx)
			if want := fmt.Sprintf("line %d\n", i); string(got) != want || err != nil {
				t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
			}
		}
		if err := c.WaitClosed(ctx); err != nil {
			return err
		}
		if !srv.Serving() {
			t.Error("Serving() = false before Close")
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %v", ex.errs())
	}
}

func TestReads(t *testing.T) { bothPaths(t, testReads) }

func testReads(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		peer.Write([]byte("hello world\nsecond line\nabcdefghij"))

		check := func(what string, got []byte, err error, want string) {
			t.Helper()
			if err != nil || string(got) != want {
				t.Errorf("%s = %q, %v; want %q", what, got, err, want)
			}
		}
		p, err := s.ReadExactly(ctx, 5)
		check("ReadExactly(5)", p, err, "hello")
		p, err = s.ReadLine(ctx)
		check("ReadLine", p, err, " world\n")
		p, err = s.ReadLine(ctx)
		check("ReadLine", p, err, "second line\n")
		p, err = s.Read(ctx, 3)
		check("Read(3)", p, err, "abc")
		buf := make([]byte, 4)
		n, err := s.ReadInto(ctx, buf)
		check("ReadInto(4 bytes)", buf[:n], err, "defg")
		p, err = s.Read(ctx, 0)
		check("Read(0)", p, err, "")
		if n, err := s.ReadInto(ctx, nil); n != 0 || err != nil {
			t.Errorf("ReadInto(nil) = %d, %v", n, err)
		}
		peer.Write([]byte("tail"))
		peer.CloseWrite()
		p, err = s.Read(ctx, -1)
		check("Read(-1)", p, err, "hijtail")
		p, err = s.Read(ctx, 10)
		if err != io.EOF || p != nil {
			t.Errorf("Read at EOF = %q, %v; want nil, io.EOF", p, err)
		}
		if n, err := s.ReadInto(ctx, buf); n != 0 || err != io.EOF {
			t.Errorf("ReadInto at EOF = %d, %v; want 0, io.EOF", n, err)
		}
		if p, err := s.ReadLine(ctx); p != nil || err != io.EOF {
			t.Errorf("ReadLine at EOF = %q, %v; want nil, io.EOF", p, err)
		}
		if p, err := s.ReadExactly(ctx, 1); p != nil || err != io.EOF {
			t.Errorf("ReadExactly at EOF = %q, %v; want nil, io.EOF", p, err)
		}
		return nil
	})
}

func TestReadExactlyShort(t *testing.T) { bothPaths(t, testReadExactlyShort) }

func testReadExactlyShort(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		peer.Write([]byte("abc"))
		peer.Close()
		p, err := s.ReadExactly(ctx, 5)
		var short *stream.ShortReadError
		if !errors.As(err, &short) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ReadExactly(5) of 3 bytes: err = %v; want a *ShortReadError matching io.ErrUnexpectedEOF", err)
		}
		if string(short.Got) != "abc" || short.Want != 5 || string(p) != "abc" {
			t.Errorf("got %q (error holds %q of %d); want abc of 5", p, short.Got, short.Want)
		}
		if !strings.Contains(err.Error(), "3 of 5") {
			t.Errorf("error %q does not say how many bytes came", err)
		}
		return nil
	})
}

func TestReadLineEOF(t *testing.T) { bothPaths(t, testReadLineEOF) }

func testReadLineEOF(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		peer.Write([]byte("a\n\nlast"))
		peer.CloseWrite()
		for _, want := range []string{"a\n", "\n", "last"} {
			if p, err := s.ReadLine(ctx); string(p) != want || err != nil {
				t.Errorf("ReadLine = %q, %v; want %q", p, err, want)
			}
		}
		if p, err := s.ReadLine(ctx); p != nil || err != io.EOF {
			t.Errorf("ReadLine at EOF = %q, %v; want nil, io.EOF", p, err)
		}
		return nil
	})
}

func TestReadLineTooLong(t *testing.T) { bothPaths(t, testReadLineTooLong) }

func testReadLineTooLong(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx, stream.WithMaxLine(8))
		defer s.Close()
		// Exactly 8 bytes with the newline is fine.
		peer.Write([]byte("1234567\n"))
		if p, err := s.ReadLine(ctx); string(p) != "1234567\n" || err != nil {
			t.Errorf("ReadLine of 8 bytes = %q, %v", p, err)
		}
		// Too long, with its end already there.
		peer.Write([]byte("0123456789abc\nnext\n"))
		p, err := s.ReadLine(ctx)
		if !errors.Is(err, stream.ErrLineTooLong) || string(p) != "01234567" {
			t.Errorf("ReadLine of a long line = %q, %v; want \"01234567\", ErrLineTooLong", p, err)
		}
		if p, err := s.ReadLine(ctx); string(p) != "next\n" || err != nil {
			t.Errorf("ReadLine after a long line = %q, %v; want \"next\\n\"", p, err)
		}
		// Too long, its end arriving later, in pieces; then a Read (not a
		// ReadLine) also skips the rest of the line first.
		peer.Write([]byte("ABCDEFGHIJ"))
		if _, err := s.ReadLine(ctx); !errors.Is(err, stream.ErrLineTooLong) {
			t.Errorf("ReadLine of a long line = %v; want ErrLineTooLong", err)
		}
		go func() {
			peer.Write([]byte("KLM"))
			time.Sleep(5 * time.Millisecond)
			peer.Write([]byte("NOP\nafter"))
		}()
		if p, err := s.ReadExactly(ctx, 5); string(p) != "after" || err != nil {
			t.Errorf("ReadExactly after a long line = %q, %v; want \"after\"", p, err)
		}
		return nil
	})
}

// A read cut short by a timeout takes nothing: the next read gets it all.
func TestCancelledReadKeepsData(t *testing.T) { bothPaths(t, testCancelledReadKeepsData) }

func testCancelledReadKeepsData(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		peer.Write([]byte("01234"))
		_, err := asyncio.WaitForOf(ctx, 20*time.Millisecond, func(ctx *asyncio.Ctx) ([]byte, error) {
			return s.ReadExactly(ctx, 10)
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Fatalf("ReadExactly under WaitFor = %v; want ErrTimeout", err)
		}
		err = asyncio.Timeout(ctx, 20*time.Millisecond, func(ctx *asyncio.Ctx) error {
			_, err := s.ReadLine(ctx)
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Fatalf("ReadLine under Timeout = %v; want ErrTimeout", err)
		}
		if n := s.ReadBuffered(); n != 5 {
			t.Errorf("ReadBuffered() = %d after cancelled reads; want 5", n)
		}
		peer.Write([]byte("56789\n"))
		if p, err := s.ReadExactly(ctx, 10); string(p) != "0123456789" || err != nil {
			t.Errorf("ReadExactly = %q, %v; want 0123456789", p, err)
		}
		if p, err := s.Read(ctx, 10); string(p) != "\n" || err != nil {
			t.Errorf("Read = %q, %v; want the newline", p, err)
		}
		// A plain cancel of the reading task.
		reader := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := s.Read(ctx, 10)
			return err
		})
		asyncio.Sleep(ctx, time.Millisecond)
		reader.Cancel()
		if err := reader.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("cancelled Read = %v; want ErrCancelled", err)
		}
		peer.Write([]byte("!"))
		if p, err := s.Read(ctx, 10); string(p) != "!" || err != nil {
			t.Errorf("Read after a cancelled Read = %q, %v", p, err)
		}
		return nil
	})
}

func TestConcurrentRead(t *testing.T) { bothPaths(t, testConcurrentRead) }

func testConcurrentRead(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		first := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) ([]byte, error) { return s.ReadLine(ctx) })
		asyncio.Sleep(ctx, 0)
		if _, err := s.ReadLine(ctx); !errors.Is(err, stream.ErrConcurrentRead) {
			t.Errorf("second reader: %v; want ErrConcurrentRead", err)
		}
		peer.Write([]byte("x\n"))
		if p, err := first.Await(ctx); string(p) != "x\n" || err != nil {
			t.Errorf("first reader: %q, %v", p, err)
		}
		return nil
	})
}

func TestWrongCtx(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, _ := pair(t, ctx)
		defer s.Close()
		if _, err := s.Read(nil, 1); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("Read(nil ctx) = %v; want ErrNotInTask", err)
		}
		if err := s.Drain(nil); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("Drain(nil ctx) = %v; want ErrNotInTask", err)
		}
		other := asyncio.NewLoop()
		defer other.Close()
		var err error
		task := other.CreateTask(func(octx *asyncio.Ctx) error {
			_, err = s.Read(octx, 1)
			return nil
		})
		other.RunUntilComplete(task)
		if !errors.Is(err, asyncio.ErrOtherLoop) {
			t.Errorf("Read from another loop's task = %v; want ErrOtherLoop", err)
		}
		return nil
	})
}

func TestCloseWakesReaderAndFailsLater(t *testing.T) { bothPaths(t, testCloseWakesReaderAndFailsLater) }

func testCloseWakesReaderAndFailsLater(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, _ := pair(t, ctx)
		reader := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := s.ReadLine(ctx)
			return err
		})
		asyncio.Sleep(ctx, time.Millisecond)
		s.Close()
		if err := reader.Await(ctx); !errors.Is(err, stream.ErrClosed) || !errors.Is(err, net.ErrClosed) {
			t.Errorf("reader paused when the stream closed: %v; want ErrClosed", err)
		}
		if _, err := s.Write([]byte("x")); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Write after Close = %v", err)
		}
		if _, err := s.Read(ctx, 1); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Read after Close = %v", err)
		}
		if !s.Closed() {
			t.Error("Closed() = false")
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		return s.WaitClosed(ctx)
	})
}

// Close sends what is still buffered before closing; Abort drops it.
func TestCloseFlushesAbortDrops(t *testing.T) {
	const size = 8 << 20
	payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		s.Write(payload)
		if s.WriteBuffered() == 0 {
			t.Log("the kernel took 8 MiB at once; the flush path is not exercised")
		}
		s.Close()
		var got []byte
		err := inThread(ctx, func() (err error) {
			got, err = io.ReadAll(peer)
			return err
		})
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("peer read %d bytes, %v; want all %d then EOF", len(got), err, size)
		}
		if err := s.WaitClosed(ctx); err != nil {
			return err
		}

		s2, peer2 := pair(t, ctx)
		s2.Write(payload)
		s2.Abort()
		// The peer may read a reset, or the end: either way not everything.
		_ = inThread(ctx, func() (err error) {
			got, err = io.ReadAll(peer2)
			return err
		})
		if len(got) == size {
			t.Errorf("peer read everything after Abort")
		}
		if err := s2.Drain(ctx); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Drain after Abort = %v; want ErrClosed", err)
		}
		return s2.WaitClosed(ctx)
	})
}

// CloseWrite: the peer reads the end, and can still answer.
func TestCloseWrite(t *testing.T) { bothPaths(t, testCloseWrite) }

func testCloseWrite(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		s.WriteString("question")
		if err := s.CloseWrite(); err != nil {
			return err
		}
		if _, err := s.WriteString("more"); !errors.Is(err, stream.ErrWriteClosed) || !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Write after CloseWrite = %v; want ErrWriteClosed", err)
		}
		err := inThread(ctx, func() error {
			q, err := io.ReadAll(peer)
			if err != nil || string(q) != "question" {
				return fmt.Errorf("peer read %q, %v", q, err)
			}
			_, err = peer.Write([]byte("answer"))
			peer.CloseWrite()
			return err
		})
		if err != nil {
			return err
		}
		if p, err := s.Read(ctx, -1); string(p) != "answer" || err != nil {
			t.Errorf("Read after CloseWrite = %q, %v", p, err)
		}
		return nil
	})
}

func TestExtraInfo(t *testing.T) { bothPaths(t, testExtraInfo) }

func testExtraInfo(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		peers := make(chan net.Addr, 1)
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			peers <- s.ExtraInfo("peername").(net.Addr)
			if name := asyncio.CurrentTask(ctx).Name(); name != s.PeerAddr().String() {
				t.Errorf("handler task named %q; want the peer's address %q", name, s.PeerAddr())
			}
			return nil
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "localhost", srv.Port())
		if err != nil {
			return err
		}
		if _, err := c.Read(ctx, 1); err != io.EOF {
			t.Errorf("Read from a server that closed: %v; want io.EOF", err)
		}
		if got, want := (<-peers).String(), c.LocalAddr().String(); got != want {
			t.Errorf("server's peername = %s; want the client's address %s", got, want)
		}
		if got := c.ExtraInfo("sockname"); got != c.LocalAddr() {
			t.Errorf("sockname = %v", got)
		}
		if c.ExtraInfo("conn") == nil || c.ExtraInfo("transport") == nil {
			t.Error("conn or transport missing")
		}
		if c.ExtraInfo("tls") != nil || c.ExtraInfo("nonsense") != nil {
			t.Error("tls or nonsense present on a plain connection")
		}
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
}

func TestOpenConnectionErrors(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		// A port nobody listens on.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if _, err := stream.OpenConnection(ctx, "127.0.0.1", port); err == nil {
			t.Error("OpenConnection to a closed port succeeded")
		}
		if _, err := stream.OpenConnection(nil, "127.0.0.1", port); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("OpenConnection(nil) = %v", err)
		}
		if _, err := stream.StartServer(ctx, nil, "127.0.0.1", 0); !errors.Is(err, asyncio.ErrNilFunc) {
			t.Errorf("StartServer(nil handler) = %v", err)
		}
		return nil
	})
}

// While a task waits on a socket, the loop sleeps instead of reporting a
// deadlock; a server that listens keeps the loop too.
func TestWaitingOnIOIsNotADeadlock(t *testing.T) { bothPaths(t, testWaitingOnIOIsNotADeadlock) }

func testWaitingOnIOIsNotADeadlock(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		go func() {
			time.Sleep(30 * time.Millisecond)
			peer.Write([]byte("late\n"))
		}()
		if p, err := s.ReadLine(ctx); string(p) != "late\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", p, err)
		}

		var srv *stream.Server
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			srv.Close() // the first client stops the server
			return nil
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		go func() {
			time.Sleep(30 * time.Millisecond)
			if c, err := net.Dial("tcp", srv.Addr().String()); err == nil {
				c.Close()
			}
		}()
		return srv.WaitClosed(ctx) // nothing but the listener can wake this
	})
}

// Once its streams are closed, the package leaves nothing on the loop: a
// real deadlock is reported naming only the user's task.
func TestNothingLeftOnTheLoop(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s, _ := pair(t, ctx)
		s.WriteString("x")
		if err := s.WaitClosed(ctx); err != nil {
			return err
		}
		asyncio.Sleep(ctx, 0)
		var never asyncio.Event
		return never.Wait(ctx)
	})
	var dl *asyncio.DeadlockError
	if !errors.As(err, &dl) {
		t.Fatalf("Run = %v; want a deadlock", err)
	}
	if len(dl.Blocked) != 1 || !strings.Contains(dl.Blocked[0], "main") {
		t.Errorf("blocked tasks: %q; want only main", dl.Blocked)
	}
}

// Streams left open when the loop closes are closed, and Run returns only
// once their goroutines have ended (goleak checks at the end of the tests).
func TestLoopCloseClosesEverything(t *testing.T) { bothPaths(t, testLoopCloseClosesEverything) }

func testLoopCloseClosesEverything(t *testing.T) {
	for _, early := range []bool{false, true} {
		run(t, func(ctx *asyncio.Ctx) error {
			srv, err := stream.StartServer(ctx, echoHandler, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			if early {
				return nil // before anything started
			}
			c.WriteString("ping\n")
			if _, err := c.ReadLine(ctx); err != nil {
				return err
			}
			// A reader paused in a read, a writer paused in a drain.
			s, _ := pair(t, ctx)
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, err := s.ReadLine(ctx)
				return err
			})
			s.Write(make([]byte, 16<<20))
			asyncio.CreateTask(ctx, s.Drain)
			// A stream over a pipe (not a network connection), paused in a
			// read, and one made just before the end.
			d, _ := duplexPair()
			ps := stream.New(ctx.Loop(), d)
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, err := ps.ReadLine(ctx)
				return err
			})
			d2, _ := duplexPair()
			stream.New(ctx.Loop(), d2)
			return asyncio.Sleep(ctx, time.Millisecond)
		})
	}
}

// duplex is a ReadWriteCloser made of two io.Pipes, like a serial line.
type duplex struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func (d *duplex) Read(p []byte) (int, error)  { return d.r.Read(p) }
func (d *duplex) Write(p []byte) (int, error) { return d.w.Write(p) }
func (d *duplex) Close() error {
	d.r.Close()
	return d.w.Close()
}

// duplexPair returns the two ends of a duplex line.
func duplexPair() (*duplex, *duplex) {
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	return &duplex{ar, aw}, &duplex{br, bw}
}

// A task that writes and drains in a loop, never pausing, still lets the
// other tasks run; so does a task reading a flood of buffered input.
func TestBusyStreamsDoNotStarve(t *testing.T) { bothPaths(t, testBusyStreamsDoNotStarve) }

func testBusyStreamsDoNotStarve(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		defer s.Close()
		go io.Copy(io.Discard, peer)
		ticks := 0
		ticker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				ticks++
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return nil
				}
			}
		})
		asyncio.Sleep(ctx, 0)
		for range 1000 {
			s.WriteString("x")
			if err := s.Drain(ctx); err != nil {
				return err
			}
		}
		if ticks < 900 {
			t.Errorf("the other task ran %d times during 1000 Write+Drain; want about 1000", ticks)
		}
		// Reads that find their data at once yield now and then.
		peer.Write(bytes.Repeat([]byte("line\n"), 2000))
		for range 20 { // until the reader goroutine holds plenty
			asyncio.Sleep(ctx, time.Millisecond)
		}
		ticks = 0
		for range 1000 {
			if _, err := s.ReadLine(ctx); err != nil {
				return err
			}
		}
		if ticks < 1000/16-1 {
			t.Errorf("the other task ran %d times during 1000 ReadLines; want one in 16", ticks)
		}
		ticker.Cancel()
		return nil
	})
}

// blockingReader is a transport whose Read blocks until release is closed;
// with withClose it has a Close that does not interrupt that Read.
type blockingReader struct {
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	<-b.release
	return 0, io.EOF
}
func (b *blockingReader) Write(p []byte) (int, error) { return len(p), nil }

type blockingReadCloser struct{ blockingReader }

func (b *blockingReadCloser) Close() error { return nil }

// The loop's end never hangs on a transport it cannot interrupt: one
// without Close is not waited for, one whose Close does not end its Read is
// waited for at most a second.
func TestLoopEndWithStubbornTransports(t *testing.T) {
	for _, withClose := range []bool{false, true} {
		release := make(chan struct{})
		start := time.Now()
		run(t, func(ctx *asyncio.Ctx) error {
			var rw io.ReadWriter = &blockingReader{release}
			if withClose {
				rw = &blockingReadCloser{blockingReader{release}}
			}
			s := stream.New(ctx.Loop(), rw)
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, err := s.Read(ctx, 1)
				return err
			})
			return asyncio.Sleep(ctx, time.Millisecond)
		})
		took := time.Since(start)
		close(release) // the reader goroutine can now end
		if took > 3*time.Second || (withClose && took < 900*time.Millisecond) {
			t.Errorf("with Close %v: the loop's end took %v; want at once without Close, about 1 s with it", withClose, took)
		}
	}
}

// In debug mode a goroutine a task started that uses the task's Ctx gets
// ErrWrongGoroutine from the stream, as from Sleep, not ErrNotInTask.
func TestWrongGoroutineInDebugMode(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s, _ := pair(t, ctx)
		defer s.Close()
		var readErr, drainErr, openErr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, readErr = s.Read(ctx, 1)
			drainErr = s.Drain(ctx)
			_, openErr = stream.OpenConnection(ctx, "127.0.0.1", 1)
		}()
		wg.Wait() // the task runs all along
		for what, err := range map[string]error{"Read": readErr, "Drain": drainErr, "OpenConnection": openErr} {
			if !errors.Is(err, asyncio.ErrWrongGoroutine) {
				t.Errorf("%s from another goroutine = %v; want ErrWrongGoroutine", what, err)
			}
		}
		return nil
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
}
