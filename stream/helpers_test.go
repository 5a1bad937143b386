package stream_test

import (
	"context"
	"errors"
	"github.com/goasyncio/asyncio/internal/testenv"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind. Run with
// STREAM_TEST_CLIENTS set, the test binary is instead the client process of
// TestTenThousandConnections.
func TestMain(m *testing.M) {
	if spec := os.Getenv("STREAM_TEST_CLIENTS"); spec != "" {
		os.Exit(clientProcess(spec))
	}
	goleak.VerifyTestMain(m, testenv.LeakOptions()...)
}

// testLimit bounds every test's loop.
const testLimit = 30 * time.Second

// bothPaths runs test twice: with TCP streams read and written by
// goroutines, and on the loop with its epoll (Linux; elsewhere both runs use
// goroutines).
func bothPaths(t *testing.T, test func(t *testing.T)) {
	t.Run("goroutines", func(t *testing.T) {
		defer stream.SetLoopIO(false)()
		test(t)
	})
	t.Run("epoll", func(t *testing.T) {
		defer stream.SetLoopIO(true)()
		test(t)
	})
}

// exceptions collects what reaches a loop's exception handler.
type exceptions struct{ list []asyncio.ExceptionContext }

func (e *exceptions) handler(_ *asyncio.Loop, c asyncio.ExceptionContext) {
	e.list = append(e.list, c)
}

func (e *exceptions) errs() []error {
	var errs []error
	for _, c := range e.list {
		errs = append(errs, c.Err)
	}
	return errs
}

// run runs main on a new loop, bounded by testLimit, and fails the test if
// it returns an error. It returns what reached the exception handler.
func run(t testing.TB, main func(ctx *asyncio.Ctx) error) *exceptions {
	t.Helper()
	return runLoop(t, func(ctx *asyncio.Ctx) error {
		return asyncio.Timeout(ctx, testLimit, main)
	})
}

// runUntimed is run with no timer on the loop (run's Timeout is one): a
// goroutine cancels main after testLimit instead. So the loop waits in its
// poll with no time limit, the case where delivering inside the poll would
// look safe. main must wait for events, not sleep.
func runUntimed(t testing.TB, main func(ctx *asyncio.Ctx) error) *exceptions {
	t.Helper()
	return runLoop(t, func(ctx *asyncio.Ctx) error {
		task, l := asyncio.CurrentTask(ctx), ctx.Loop()
		watchdog := time.AfterFunc(testLimit, func() { l.CallSoonThreadsafe(func() { task.Cancel() }) })
		defer watchdog.Stop()
		return main(ctx)
	})
}

// runLoop runs main on a new loop with an exception handler that collects,
// and fails the test if it returns an error.
func runLoop(t testing.TB, main func(ctx *asyncio.Ctx) error) *exceptions {
	t.Helper()
	ex := &exceptions{}
	if err := asyncio.Run(main, asyncio.WithExceptionHandler(ex.handler)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return ex
}

// pair returns a stream over one end of a loopback TCP connection and the
// other end, plain. The other end is closed when the test ends.
func pair(t testing.TB, ctx *asyncio.Ctx, opts ...stream.Option) (*stream.Stream, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	if peer == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { peer.Close() })
	return stream.New(ctx.Loop(), c, opts...), peer.(*net.TCPConn)
}

// echoHandler echoes lines until the client is gone.
func echoHandler(ctx *asyncio.Ctx, s *stream.Stream) error {
	for {
		line, err := s.ReadLine(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := s.Write(line); err != nil {
			return err
		}
		if err := s.Drain(ctx); err != nil {
			return err
		}
	}
}

// inThread runs fn on a goroutine (blocking client code) without blocking
// the loop.
func inThread(ctx *asyncio.Ctx, fn func() error) error {
	return asyncio.ToThread(ctx, func(context.Context) error { return fn() })
}

// isConnEnd reports whether err is one of the ways a connection ends under
// abuse: EOF, reset, broken pipe, closed.
func isConnEnd(err error) bool {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe")
}
