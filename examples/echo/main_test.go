package main

import (
	"bytes"
	"github.com/goasyncio/asyncio/internal/testenv"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

func TestDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"again"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if got, want := stdout.String(), "hello\nasyncio streams\nagain\n"; got != want {
		t.Errorf("stdout = %q; want %q", got, want)
	}
}

// startServer runs serve on its own loop, on another goroutine, and returns
// its address and a function that stops it.
func startServer(t *testing.T) (addr string, log *safeBuffer, stop func()) {
	return startServerOf(t, false)
}

// startServerOf is startServer, serving with a Protocol if protocol.
func startServerOf(t *testing.T, protocol bool) (addr string, log *safeBuffer, stop func()) {
	t.Helper()
	log = &safeBuffer{}
	addrs := make(chan string, 1)
	var loop *asyncio.Loop
	var srv *stream.Server
	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			loop = ctx.Loop()
			return serve(ctx, "127.0.0.1:0", protocol, log, func(s *stream.Server) {
				srv = s
				addrs <- s.Addr().String()
			})
		})
	}()
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("server: %v", err)
	}
	return addr, log, func() {
		loop.CallSoonThreadsafe(func() { srv.Close() })
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}
}

func TestClientAndServer(t *testing.T) {
	for _, protocol := range []bool{false, true} {
		name := "task per connection"
		if protocol {
			name = "protocol"
		}
		t.Run(name, func(t *testing.T) { testClientAndServer(t, protocol) })
	}
}

func testClientAndServer(t *testing.T, protocol bool) {
	addr, log, stop := startServerOf(t, protocol)
	// Lines from the arguments.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-client", addr, "one", "two"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if got := stdout.String(); got != "one\ntwo\n" {
		t.Errorf("stdout = %q", got)
	}
	// Lines from standard input, read through a stream.
	stdout.Reset()
	stdin := strings.NewReader("from\nstdin\nno newline")
	if code := run([]string{"-client", addr}, stdin, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if got := stdout.String(); got != "from\nstdin\nno newline\n" {
		t.Errorf("stdout = %q", got)
	}
	stop()
	if got := log.String(); !strings.Contains(got, "listening on 127.0.0.1:") ||
		!strings.Contains(got, "gone after 2 lines") || !strings.Contains(got, "gone after 3 lines") {
		t.Errorf("server log:\n%s", got)
	}
}

// A line longer than the limit gets an error, and the lines around it
// their echo, from either server.
func TestLineTooLong(t *testing.T) {
	for _, protocol := range []bool{false, true} {
		addr, log, stop := startServerOf(t, protocol)
		long := strings.Repeat("x", stream.DefaultMaxLine+10)
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-client", addr, "before", long, "after"}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("protocol %v: exit code %d, stderr:\n%s", protocol, code, &stderr)
		}
		if got := stdout.String(); got != "before\nerror: line too long\nafter\n" {
			t.Errorf("protocol %v: stdout = %.80q", protocol, got)
		}
		stop()
		if got := log.String(); !strings.Contains(got, "gone after 2 lines") {
			t.Errorf("protocol %v: server log:\n%s", protocol, got)
		}
	}
}

func TestDemoWithProtocol(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-protocol", "again"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if got, want := stdout.String(), "hello\nasyncio streams\nagain\n"; got != want {
		t.Errorf("stdout = %q; want %q", got, want)
	}
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-server", "x", "-client", "y"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("exit code %d for -server with -client; want 2", code)
	}
	if code := run([]string{"-client", "127.0.0.1:bad"}, nil, &stdout, &stderr); code != 1 {
		t.Errorf("exit code %d for a bad port; want 1", code)
	}
	if code := run([]string{"-nonsense"}, nil, io.Discard, io.Discard); code != 2 {
		t.Errorf("exit code %d for a bad flag; want 2", code)
	}
	stderr.Reset()
	if code := run([]string{"-h"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "usage: echo [-protocol] [-server host:port") {
		t.Errorf("-h: exit code %d, stderr %q", code, &stderr)
	}
}

// The interrupt path: the server stops when Close is posted to its loop.
func TestServerStops(t *testing.T) {
	_, _, stop := startServer(t)
	timer := time.AfterFunc(10*time.Second, func() { panic("server did not stop") })
	defer timer.Stop()
	stop()
}

// safeBuffer is a bytes.Buffer that another goroutine's loop writes to.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineEcho drops a line that is too long even when its end comes in the
// same data, and counts only the lines it echoed.
func TestLineEchoTooLongInOneChunk(t *testing.T) {
	var out safeBuffer
	e := &lineEcho{log: io.Discard}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		tr := stream.NewTransport(ctx.Loop(), struct {
			io.Reader
			io.Writer
		}{strings.NewReader(""), &out}, e)
		e.DataReceived([]byte("a\n" + strings.Repeat("x", stream.DefaultMaxLine) + "\nb\nc"))
		e.DataReceived([]byte("\n"))
		tr.Close()
		return tr.WaitClosed(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "a\nerror: line too long\nb\nc\n" || e.lines != 3 {
		t.Errorf("wrote %q after %d lines; want a, the error, b and c, 3 lines", got, e.lines)
	}
}
