package stream_test

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/goasyncio/asyncio/internal/testenv"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// Ten thousand clients connect and stay connected; each is then served a
// request while all are held; nothing is lost. The clients run in a child
// process (this test binary, see TestMain), so that each process needs
// only ten thousand file descriptors.
func TestTenThousandConnections(t *testing.T) {
	testenv.SkipIfNoSubprocess(t) // the clients run in a child process
	const n = 10_000
	if testing.Short() {
		t.Skip("-short")
	}
	raiseFileLimit(t, n+512)
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	start := time.Now()
	active, peak, served := 0, 0, 0
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			active++
			peak = max(peak, active)
			defer func() { active-- }()
			for {
				line, err := s.ReadLine(ctx)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				served++
				s.WriteString("pong " + string(line[5:]))
				if err := s.Drain(ctx); err != nil {
					return err
				}
			}
		}, "127.0.0.1", 0, stream.WithMaxConnections(n))
		if err != nil {
			return err
		}
		defer srv.Close()

		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), fmt.Sprintf("STREAM_TEST_CLIENTS=%s %d", srv.Addr(), n))
		cmd.Stderr = os.Stderr
		toChild, _ := cmd.StdinPipe()
		pipe, _ := cmd.StdoutPipe()
		fromChild := bufio.NewReader(pipe)
		// expect reads the child's next line on a goroutine.
		expect := func(want string) error {
			return inThread(ctx, func() error {
				line, err := fromChild.ReadString('\n')
				if line != want+"\n" {
					return fmt.Errorf("client process said %q, %v; want %q", line, err, want)
				}
				return nil
			})
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() {
			cmd.Process.Kill()
			cmd.Wait()
		}()
		// Connect all.
		if err := expect("connected"); err != nil {
			return err
		}
		// Every connection has its handler, all at once.
		for active < n {
			if err := asyncio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return fmt.Errorf("%d of %d handlers started: %w", active, n, err)
			}
		}
		t.Logf("%d connections held after %v", n, time.Since(start).Round(time.Millisecond))
		// One request on each, all still open.
		fmt.Fprintln(toChild, "go")
		if err := expect("served"); err != nil {
			return err
		}
		if active != n {
			t.Errorf("%d handlers active after the requests; want %d", active, n)
		}
		// The clients leave.
		toChild.Close()
		if err := inThread(ctx, cmd.Wait); err != nil {
			return fmt.Errorf("client process: %w", err)
		}
		for active > 0 {
			if err := asyncio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return fmt.Errorf("%d handlers still active: %w", active, err)
			}
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if served != n || peak != n || active != 0 {
		t.Errorf("served %d, peak %d, active %d at the end; want %d, %d, 0", served, peak, active, n, n)
	}
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %d errors, first %v", len(ex.list), ex.list[0].Err)
	}
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

// clientProcess is the child process of TestTenThousandConnections: it
// connects n clients to addr, says "connected", waits for a line, sends one
// request on each connection and checks the reply, says "served", and
// closes everything when its input ends.
func clientProcess(spec string) int {
	const workers = 16
	var addr string
	var n int
	if _, err := fmt.Sscan(spec, &addr, &n); err != nil {
		fmt.Fprintln(os.Stderr, "client process:", err)
		return 2
	}
	conns := make([]net.Conn, n)
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "client process:", err)
		return 1
	}
	err := parallel(n, workers, func(i int) (err error) {
		conns[i], err = net.Dial("tcp", addr)
		return err
	})
	if err != nil {
		return fail(err)
	}
	fmt.Println("connected")
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')
	err = parallel(n, workers, func(i int) error {
		c := conns[i]
		c.SetDeadline(time.Now().Add(testLimit))
		if _, err := fmt.Fprintf(c, "ping %d\n", i); err != nil {
			return err
		}
		reply, err := bufio.NewReader(c).ReadString('\n')
		if want := fmt.Sprintf("pong %d\n", i); reply != want || err != nil {
			return fmt.Errorf("connection %d: reply %q, %v; want %q", i, reply, err, want)
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	fmt.Println("served")
	io.Copy(io.Discard, in)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// parallel runs fn(0..n-1) on w goroutines and returns the first error.
func parallel(n, w int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// Clients that send one byte at a time get their lines whole, and do not
// hold up a fast client.
func TestSlowClients(t *testing.T) { bothPaths(t, testSlowClients) }

func testSlowClients(t *testing.T) {
	const slow = 20
	const line = "hello, slow world\n"
	const gap = 3 * time.Millisecond
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, echoHandler, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		addr := srv.Addr().String()
		var slowDone atomic.Int64
		slowClients := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return inThread(ctx, func() error {
				return parallel(slow, slow, func(i int) error {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						return err
					}
					defer c.Close()
					r := bufio.NewReader(c)
					for range 2 {
						for j := range len(line) {
							if _, err := c.Write([]byte{line[j]}); err != nil {
								return err
							}
							time.Sleep(gap)
						}
						if got, err := r.ReadString('\n'); got != line || err != nil {
							return fmt.Errorf("slow client %d: %q, %v", i, got, err)
						}
					}
					slowDone.Add(1)
					return nil
				})
			})
		})
		// Meanwhile a fast client does its round trips.
		asyncio.Sleep(ctx, 5*time.Millisecond)
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		for i := range 50 {
			fmt.Fprintf(c, "fast %d\n", i)
			if got, err := c.ReadLine(ctx); string(got) != fmt.Sprintf("fast %d\n", i) || err != nil {
				return fmt.Errorf("fast client: %q, %v", got, err)
			}
		}
		if n := slowDone.Load(); n > 0 && testenv.Emulator() == "" { // a timing claim: native only
			t.Errorf("%d slow clients finished before the fast one", n)
		}
		c.Close()
		if err := slowClients.Await(ctx); err != nil {
			return err
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %v", ex.errs())
	}
}

// Clients that reset the connection in the middle of a line, or while the
// server writes to them: the handlers fail with a connection error, which
// the server takes as the client leaving (nothing reaches the exception
// handler), and the server goes on.
func TestClientsResetMidWrite(t *testing.T) { bothPaths(t, testClientsResetMidWrite) }

func testClientsResetMidWrite(t *testing.T) {
	const n = 20
	var failed []error // the handlers' errors
	ex := run(t, func(ctx *asyncio.Ctx) error {
		handlers := 0
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			handlers++
			line, err := s.ReadLine(ctx)
			if err != nil {
				failed = append(failed, err)
				return err
			}
			if string(line) == "flood\n" {
				// Write until the client's reset stops us.
				chunk := make([]byte, 64<<10)
				for {
					s.Write(chunk)
					if err := s.Drain(ctx); err != nil {
						failed = append(failed, err)
						return err
					}
				}
			}
			s.Write(line)
			return echoHandler(ctx, s)
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		addr := srv.Addr().String()
		err = inThread(ctx, func() error {
			return parallel(2*n, 8, func(i int) error {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return err
				}
				tc := c.(*net.TCPConn)
				tc.SetLinger(0) // Close sends a reset
				if i%2 == 0 {
					tc.Write([]byte("half a li"))
				} else {
					tc.Write([]byte("flood\n"))
					io.ReadFull(tc, make([]byte, 100<<10))
				}
				time.Sleep(time.Millisecond)
				return tc.Close()
			})
		})
		if err != nil {
			return err
		}
		// The server still serves.
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("still there?\n")
		if got, err := c.ReadLine(ctx); string(got) != "still there?\n" || err != nil {
			t.Errorf("after the resets: %q, %v", got, err)
		}
		c.Close()
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		if handlers != 2*n+1 {
			t.Errorf("%d handlers ran; want %d", handlers, 2*n+1)
		}
		return nil
	})
	if len(failed) < n { // every flood ends in an error; a half line may end in EOF
		t.Errorf("%d handlers failed; want at least %d", len(failed), n)
	}
	for _, err := range failed {
		if !isConnEnd(err) {
			t.Errorf("unexpected error: %v", err)
		}
	}
	for _, c := range ex.list {
		t.Errorf("reported: %v: %v", c.Task, c.Err)
	}
}

// Half-closed connections: clients send their lines and shut their writing
// half; the server reads to the end, then answers and closes.
func TestHalfClosedConnections(t *testing.T) { bothPaths(t, testHalfClosedConnections) }

func testHalfClosedConnections(t *testing.T) {
	const n = 50
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			lines := 0
			for {
				_, err := s.ReadLine(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				lines++
			}
			// The client can no longer write, but still reads.
			fmt.Fprintf(s, "%d lines\n", lines)
			return nil // the server closes, after sending
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		addr := srv.Addr().String()
		err = inThread(ctx, func() error {
			return parallel(n, n, func(i int) error {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return err
				}
				defer c.Close()
				for j := range i {
					fmt.Fprintf(c, "line %d\n", j)
				}
				c.(*net.TCPConn).CloseWrite()
				reply, err := io.ReadAll(c)
				if want := fmt.Sprintf("%d lines\n", i); string(reply) != want || err != nil {
					return fmt.Errorf("client %d: %q, %v; want %q", i, reply, err, want)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		// And the other way round: our client half-closes.
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("a\nb\n")
		c.CloseWrite()
		if reply, err := c.Read(ctx, -1); string(reply) != "2 lines\n" || err != nil {
			t.Errorf("reply to our half-closed client: %q, %v", reply, err)
		}
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if len(ex.list) > 0 {
		t.Errorf("exception handler got %v", ex.errs())
	}
}

// A handler that panics: its connection closes, the panic reaches the
// exception handler as an *asyncio.PanicError, and the server goes on.
func TestHandlerPanics(t *testing.T) { bothPaths(t, testHandlerPanics) }

func testHandlerPanics(t *testing.T) {
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			line, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			if string(line) == "boom\n" {
				s.WriteString("about to panic\n")
				panic("boom")
			}
			s.Write(line)
			return s.Drain(ctx)
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		for _, req := range []string{"boom\n", "fine\n", "boom\n", "fine\n"} {
			c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			c.WriteString(req)
			got, err := c.Read(ctx, -1) // until the server closes
			if req == "fine\n" && (string(got) != req || err != nil) {
				t.Errorf("after a panic, %q got %q, %v", req, got, err)
			}
			if req == "boom\n" && !isConnEnd(err) {
				t.Errorf("connection of a panicking handler: %v", err)
			}
			c.Close()
		}
		srv.Close()
		return srv.WaitClosed(ctx)
	})
	if len(ex.list) != 2 {
		t.Fatalf("exception handler got %d errors; want 2 panics: %v", len(ex.list), ex.errs())
	}
	for _, c := range ex.list {
		var pe *asyncio.PanicError
		if !errors.As(c.Err, &pe) || pe.Value != "boom" {
			t.Errorf("exception handler got %v; want the handler's panic", c.Err)
		}
		if c.Task == nil || !strings.HasPrefix(c.Task.Name(), "127.0.0.1:") {
			t.Errorf("panic reported for task %v; want the connection's task", c.Task)
		}
	}
}

// A peer that never reads: Drain holds the writer back, and the memory the
// stream holds stays bounded.
func TestPeerNeverReads(t *testing.T) { bothPaths(t, testPeerNeverReads) }

func testPeerNeverReads(t *testing.T) {
	const chunk = 64 << 10
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx)
		_ = peer // connected, never read
		buf := make([]byte, chunk)
		written := 0
		blocked := 0
		for blocked < 3 {
			if blocked == 0 { // a writer that drains writes no more while held back
				s.Write(buf)
				written += chunk
			}
			err := asyncio.WaitFor(ctx, 50*time.Millisecond, s.Drain)
			switch {
			case errors.Is(err, asyncio.ErrTimeout):
				blocked++
				if n := s.WriteBuffered(); n > chunk {
					t.Errorf("%d bytes buffered while Drain waits; want at most %d", n, chunk)
				}
			case err != nil:
				return err
			}
			if written > 256<<20 {
				t.Fatalf("wrote %d MiB to a peer that never reads without Drain blocking", written>>20)
			}
		}
		t.Logf("Drain blocked after %d KiB (what the kernel's buffers hold)", written>>10)
		s.Abort()
		return s.WaitClosed(ctx)
	})
}

// A peer that writes as fast as it can to a stream nobody reads: the stream
// stops reading at its limit, the peer is held back by TCP, and once read,
// nothing is lost.
func TestFastPeerIsHeldBack(t *testing.T) { bothPaths(t, testFastPeerIsHeldBack) }

func testFastPeerIsHeldBack(t *testing.T) {
	const limit = 32 << 10
	run(t, func(ctx *asyncio.Ctx) error {
		s, peer := pair(t, ctx, stream.WithReadLimit(limit))
		defer s.Close()
		// Start the reader goroutine, then stop reading.
		peer.Write([]byte("x"))
		if _, err := s.Read(ctx, 1); err != nil {
			return err
		}
		var sent int
		err := inThread(ctx, func() error {
			peer.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			buf := make([]byte, 16<<10)
			for {
				n, err := peer.Write(buf)
				sent += n
				if err != nil {
					return nil // held back until the deadline
				}
				if sent > 512<<20 {
					return fmt.Errorf("the peer sent %d MiB without being held back", sent>>20)
				}
			}
		})
		if err != nil {
			return err
		}
		if n := s.ReadBuffered(); n > limit+64<<10 {
			t.Errorf("stream holds %d bytes; want at most the limit plus a chunk (%d)", n, limit+64<<10)
		}
		peer.CloseWrite()
		all, err := s.Read(ctx, -1)
		if len(all) != sent || err != nil {
			t.Errorf("read %d bytes, %v; the peer sent %d", len(all), err, sent)
		}
		t.Logf("peer held back after %d KiB", sent>>10)
		return nil
	})
}

// Closing a server with clients connected: AbortClients ends their
// handlers, and WaitClosed returns.
func TestServerAbortClients(t *testing.T) { bothPaths(t, testServerAbortClients) }

func testServerAbortClients(t *testing.T) {
	const n = 10
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, echoHandler, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		var clients []*stream.Stream
		for range n {
			c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			c.WriteString("hi\n")
			if _, err := c.ReadLine(ctx); err != nil {
				return err
			}
			clients = append(clients, c)
		}
		srv.Close()
		if _, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port()); err == nil {
			t.Error("connected to a closed server")
		}
		expired, err := asyncio.MoveOnAfter(ctx, 20*time.Millisecond, srv.WaitClosed)
		if !expired || err != nil {
			t.Errorf("WaitClosed with clients connected: expired %v, %v; want to wait", expired, err)
		}
		srv.AbortClients()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		for _, c := range clients {
			if _, err := c.ReadLine(ctx); !isConnEnd(err) {
				t.Errorf("client of an aborted connection: %v", err)
			}
			c.Close()
		}
		return nil
	})
	for _, err := range ex.errs() {
		if !errors.Is(err, stream.ErrClosed) {
			t.Errorf("exception handler got %v", err)
		}
	}
}
