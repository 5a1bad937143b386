package board_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
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
		s := board.NewSerial(conn)
		defer s.Close()
		for {
			line, err := s.ReadLine(ctx)
			got = append(got, line)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					return err
				}
				break
			}
		}
		// At the end, "" and EOF again.
		if line, err := s.ReadLine(ctx); line != "" || err != io.EOF {
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
		s := board.NewSerial(conn)
		defer s.Close()
		if n, err := s.Read(ctx, nil); n != 0 || err != nil {
			t.Errorf("Read(nil) = %d, %v", n, err)
		}
		buf := make([]byte, 4)
		for {
			n, err := s.Read(ctx, buf)
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
		s := board.NewSerial(conn)
		defer s.Close()
		// Two tasks write at once; each write arrives whole.
		t1 := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := s.WriteString(ctx, "one\n")
			return err
		})
		if n, err := s.Write(ctx, []byte("two\n")); n != 4 || err != nil {
			t.Errorf("Write = %d, %v", n, err)
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
		s := board.NewSerial(conn)
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
		if line, err := s.ReadLine(ctx); line != "partial line\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		// A reader waiting when the port closes gets ErrSerialClosed.
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
		if err := reader.Await(ctx); !errors.Is(err, board.ErrSerialClosed) {
			t.Errorf("waiting reader got %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := s.ReadLine(ctx); !errors.Is(err, board.ErrSerialClosed) {
			t.Errorf("ReadLine after Close = %v", err)
		}
		if _, err := s.Write(ctx, []byte("x")); !errors.Is(err, board.ErrSerialClosed) {
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
		s := board.NewSerial(w)
		defer s.Close()
		// The first write is abandoned after 20 ms but still happens;
		// the second follows it.
		expired, err := asyncio.MoveOnAfter(ctx, 20*ms, func(ctx *asyncio.Ctx) error {
			_, err := s.WriteString(ctx, "first")
			return err
		})
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		go func() {
			w.release <- struct{}{}
			w.release <- struct{}{}
		}()
		n, err := s.WriteString(ctx, "second")
		if n != 6 || err != nil {
			t.Errorf("second write = %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(w.got, ",") != "first,second" {
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
		s := board.NewSerial(z)
		defer s.Close() // not a Closer: nothing to wait for, the reader ended at EOF
		if line, err := s.ReadLine(ctx); line != "ok\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		if n, err := s.WriteString(ctx, "abc"); n != 0 || !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("Write to a writer that takes nothing = %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Let the goroutines see the close (goleak checks at the end).
	time.Sleep(10 * ms)
}
