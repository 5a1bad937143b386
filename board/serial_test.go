package board_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/stream"
)

// peer runs fn on the other end of a pipe, on its own goroutine, and
// returns our end and a wait for fn.
func peer(t *testing.T, fn func(net.Conn)) (net.Conn, func()) {
	ours, theirs := net.Pipe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer theirs.Close()
		fn(theirs)
	}()
	return ours, wg.Wait
}

func TestSerialReadLine(t *testing.T) {
	conn, wait := peer(t, func(c net.Conn) {
		io.WriteString(c, "hello\nwor")
		io.WriteString(c, "ld\n\nlast")
	})
	defer wait()
	var got []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), conn)
		defer s.Close()
		for {
			line, err := s.ReadLine(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			got = append(got, string(line))
		}
		// At the end, nil and EOF again.
		if line, err := s.ReadLine(ctx); line != nil || err != io.EOF {
			t.Errorf("ReadLine after EOF = %q, %v", line, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"hello\n", "world\n", "\n", "last"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}

func TestSerialRead(t *testing.T) {
	conn, wait := peer(t, func(c net.Conn) { io.WriteString(c, "abcdef") })
	defer wait()
	var got []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), conn)
		defer s.Close()
		if n, err := s.ReadInto(ctx, nil); n != 0 || err != nil {
			t.Errorf("ReadInto(nil) = %d, %v", n, err)
		}
		buf := make([]byte, 4)
		for {
			n, err := s.ReadInto(ctx, buf)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			got = append(got, string(buf[:n]))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(got, ""); all != "abcdef" {
		t.Errorf("read %q", got)
	}
}

func TestSerialWrite(t *testing.T) {
	lines := make(chan string, 10)
	conn, wait := peer(t, func(c net.Conn) {
		for sc := bufio.NewScanner(c); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	})
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), conn)
		defer s.Close()
		// Two tasks write at once; each write arrives whole.
		t1 := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			s.WriteString("one\n")
			return s.Drain(ctx)
		})
		if n, err := s.Write([]byte("two\n")); n != 4 || err != nil {
			t.Errorf("Write = %d, %v", n, err)
		}
		if err := s.Drain(ctx); err != nil {
			return err
		}
		return t1.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	wait()
	var got []string
	for l := range lines {
		got = append(got, l)
	}
	if strings.Join(got, ",") != "two,one" && strings.Join(got, ",") != "one,two" {
		t.Errorf("peer read %q", got)
	}
}

func TestSerialCancelAndClose(t *testing.T) {
	send := make(chan string)
	conn, wait := peer(t, func(c net.Conn) {
		for s := range send {
			io.WriteString(c, s)
		}
		// Keep reading until our end closes, so writes do not block.
		io.Copy(io.Discard, c)
	})
	defer wait()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), conn)
		// Nothing has come: the read is cancelled by its time limit, and
		// loses nothing.
		expired, err := asyncio.MoveOnAfter(ctx, 50*ms, func(ctx *asyncio.Ctx) error {
			_, err := s.ReadLine(ctx)
			return err
		})
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		send <- "partial "
		send <- "line\n"
		close(send)
		if line, err := s.ReadLine(ctx); string(line) != "partial line\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		// A reader waiting when the port closes gets ErrClosed.
		reader := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := s.ReadLine(ctx)
			return err
		})
		if err := asyncio.Sleep(ctx, 10*ms); err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		if err := reader.Await(ctx); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("waiting reader got %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := s.ReadLine(ctx); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("ReadLine after Close = %v", err)
		}
		if _, err := s.Write([]byte("x")); !errors.Is(err, stream.ErrClosed) {
			t.Errorf("Write after Close = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// slowWriter blocks each Write until released.
type slowWriter struct {
	io.Reader
	release chan struct{}
	mu      sync.Mutex
	got     []string
}

func (w *slowWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	w.got = append(w.got, string(p))
	w.mu.Unlock()
	return len(p), nil
}

func TestSerialWriteCancelled(t *testing.T) {
	w := &slowWriter{Reader: strings.NewReader(""), release: make(chan struct{})}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), w)
		defer s.Close()
		// The drain of the first write is abandoned after 20 ms, but the
		// write still happens; the second follows it.
		s.WriteString("first")
		expired, err := asyncio.MoveOnAfter(ctx, 20*ms, s.Drain)
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		go func() {
			w.release <- struct{}{}
			w.release <- struct{}{}
		}()
		if n, err := s.WriteString("second"); n != 6 || err != nil {
			t.Errorf("second write = %d, %v", n, err)
		}
		return s.Drain(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if got := strings.Join(w.got, ""); got != "firstsecond" || w.got[0] != "first" {
		t.Errorf("written %q", w.got)
	}
}

// zeroReader returns nothing, at once, a few times (as TinyGo's UART does
// while no byte has come), then data, then EOF.
type zeroReader struct {
	n    int
	data []string
}

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n > 0 {
		z.n--
		return 0, nil
	}
	if len(z.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, z.data[0])
	z.data = z.data[1:]
	return n, nil
}

func (*zeroReader) Write(p []byte) (int, error) { return 0, nil }

func TestSerialPollingReaderAndShortWrite(t *testing.T) {
	z := &zeroReader{n: 3, data: []string{"ok\n"}}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), z)
		defer s.Close()
		if line, err := s.ReadLine(ctx); string(line) != "ok\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		s.WriteString("abc")
		if err := s.Drain(ctx); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("Drain after a write to a writer that takes nothing = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// silentReader never has a byte: its Read returns nothing, at once, for
// ever, as TinyGo's UART does while the line is quiet. It has no Close.
type silentReader struct{ reads atomic.Int64 }

func (r *silentReader) Read(p []byte) (int, error) {
	r.reads.Add(1)
	return 0, nil
}

func (*silentReader) Write(p []byte) (int, error) { return len(p), nil }

// A quiet port is polled gently, and closing the stream ends the polling,
// though the reader has no Close.
func TestSerialQuietPortStopsOnClose(t *testing.T) {
	r := &silentReader{}
	start := time.Now()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := board.NewSerial(ctx.Loop(), r)
		expired, err := asyncio.MoveOnAfter(ctx, 50*ms, func(ctx *asyncio.Ctx) error {
			_, err := s.ReadLine(ctx)
			return err
		})
		if !expired || err != nil {
			t.Errorf("ReadLine of a quiet port: MoveOnAfter = %v, %v; want it to wait", expired, err)
		}
		return s.WaitClosed(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	// About 50 polls in 50 ms, not a spin; goleak checks that the reader
	// goroutine ended.
	if n, d := r.reads.Load(), time.Since(start); n > 2*int64(d/time.Millisecond)+10 {
		t.Errorf("%d reads of a quiet port in %v: it is not polled gently", n, d)
	}
}
