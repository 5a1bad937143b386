package board

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// ErrSerialClosed is returned by a Serial's methods once it is closed.
var ErrSerialClosed = errors.New("board: serial port closed")

// serialBuffer is how many received bytes a Serial keeps before its reader
// stops reading (flow control by not reading).
const serialBuffer = 64 << 10

// Serial is a serial port as a stream for tasks, on any io.ReadWriter: a
// UART device file, a TinyGo machine.UART, a pipe or a network connection
// in tests. ReadLine and Write pause the calling task, never the loop: one
// goroutine reads and one writes, each started at first use, and they hand
// their results to the loop through ThreadSafeFlags.
//
// Its methods must be called from tasks of one loop. Several tasks may
// read, or write, at once; each call waits for its turn.
type Serial struct {
	rw      io.ReadWriter
	readers asyncio.Lock
	writers asyncio.Lock
	rflag   asyncio.ThreadSafeFlag
	wflag   asyncio.ThreadSafeFlag

	mu      sync.Mutex
	closed  bool
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
	reading bool
	buf     []byte // received, not yet returned
	rerr    error  // the error that ended the reader
	space   chan struct{}
	writing bool
	wqueue  []serialWrite
	wsig    chan struct{}
	wsent   int // writes queued
	wdone   int // writes finished
	wn      int // the last finished write's count
	werr    error
}

type serialWrite struct {
	seq  int
	data []byte
}

// NewSerial returns a serial port on rw. No goroutine starts until the
// first read or write.
func NewSerial(rw io.ReadWriter) *Serial {
	return &Serial{
		rw:    rw,
		done:  make(chan struct{}),
		space: make(chan struct{}, 1),
		wsig:  make(chan struct{}, 1),
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// read is the reader goroutine.
func (s *Serial) read() {
	defer s.wg.Done()
	chunk := make([]byte, 512)
	for {
		s.mu.Lock()
		for len(s.buf) >= serialBuffer && !s.closed {
			s.mu.Unlock()
			select {
			case <-s.space:
			case <-s.done:
			}
			s.mu.Lock()
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return
		}
		n, err := s.rw.Read(chunk)
		s.mu.Lock()
		s.buf = append(s.buf, chunk[:n]...)
		if err != nil {
			s.rerr = err
		}
		s.mu.Unlock()
		if n > 0 || err != nil {
			s.rflag.Set()
		}
		if err != nil {
			return
		}
		if n == 0 {
			// A reader that returns at once with nothing (TinyGo's UART)
			// is polled, gently.
			time.Sleep(time.Millisecond)
		}
	}
}

// take waits until want finds something in the received bytes, and returns
// what it took. At the end of the input it returns what is left and the
// reader's error.
func (s *Serial) take(ctx *asyncio.Ctx, want func([]byte) int) ([]byte, error) {
	if err := s.readers.Acquire(ctx); err != nil {
		return nil, err
	}
	defer s.readers.Release()
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrSerialClosed
		}
		if !s.reading {
			s.reading = true
			s.wg.Add(1)
			go s.read()
		}
		n := want(s.buf)
		err := error(nil)
		if n == 0 && s.rerr != nil {
			n, err = len(s.buf), s.rerr
		}
		if n > 0 || err != nil {
			out := bytes.Clone(s.buf[:n])
			s.buf = append(s.buf[:0], s.buf[n:]...)
			s.mu.Unlock()
			poke(s.space)
			return out, err
		}
		s.mu.Unlock()
		if err := s.rflag.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// ReadLine pauses the task until a whole line has come, and returns it with
// its newline. At the end of the input it returns what is left, without a
// newline, with the reader's error (io.EOF), and then "" and that error
// again. It returns ErrSerialClosed once the port is closed, and
// asyncio.ErrCancelled if the task is cancelled while waiting (nothing is
// lost: the bytes stay for the next read).
func (s *Serial) ReadLine(ctx *asyncio.Ctx) (string, error) {
	b, err := s.take(ctx, func(buf []byte) int { return bytes.IndexByte(buf, '\n') + 1 })
	return string(b), err
}

// Read pauses the task until some bytes have come, and copies up to len(p)
// of them into p (io.Reader's contract, with a task). At the end of the
// input it returns 0 and the reader's error. Errors as for ReadLine.
func (s *Serial) Read(ctx *asyncio.Ctx, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := s.take(ctx, func(buf []byte) int { return min(len(buf), len(p)) })
	return copy(p, b), err
}

// write is the writer goroutine.
func (s *Serial) write() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for len(s.wqueue) == 0 {
			if s.closed {
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			select {
			case <-s.wsig:
			case <-s.done:
			}
			s.mu.Lock()
		}
		w := s.wqueue[0]
		s.wqueue = s.wqueue[1:]
		s.mu.Unlock()
		n, err := writeAll(s.rw, w.data)
		s.mu.Lock()
		s.wdone, s.wn, s.werr = w.seq, n, err
		s.mu.Unlock()
		s.wflag.Set()
	}
}

func writeAll(w io.Writer, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := w.Write(p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

// Write pauses the task until p is written, and returns how many bytes were
// and the writer's error. It returns ErrSerialClosed if the port is closed,
// and asyncio.ErrCancelled if the task is cancelled while waiting: the
// write itself goes on in the background, and later writes follow it.
func (s *Serial) Write(ctx *asyncio.Ctx, p []byte) (int, error) {
	if err := s.writers.Acquire(ctx); err != nil {
		return 0, err
	}
	defer s.writers.Release()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, ErrSerialClosed
	}
	if !s.writing {
		s.writing = true
		s.wg.Add(1)
		go s.write()
	}
	s.wsent++
	seq := s.wsent
	s.wqueue = append(s.wqueue, serialWrite{seq, bytes.Clone(p)})
	s.mu.Unlock()
	poke(s.wsig)
	for {
		s.mu.Lock()
		if s.wdone >= seq {
			n, err := s.wn, s.werr
			s.mu.Unlock()
			return n, err
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return 0, ErrSerialClosed
		}
		if err := s.wflag.Wait(ctx); err != nil {
			return 0, err
		}
	}
}

// WriteString is Write for a string.
func (s *Serial) WriteString(ctx *asyncio.Ctx, str string) (int, error) {
	return s.Write(ctx, []byte(str))
}

// Close closes the port: it closes rw if rw is an io.Closer, which ends a
// read or write under way, and waits for the two goroutines to end. If rw
// is not an io.Closer, a goroutine blocked in rw's Read or Write ends only
// when that call returns, and Close does not wait for it. Tasks waiting in
// ReadLine, Read or Write get ErrSerialClosed. Close returns rw's Close
// error; closing a closed port does nothing.
func (s *Serial) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	var err error
	c, ok := s.rw.(io.Closer)
	if ok {
		err = c.Close()
	}
	s.rflag.Set()
	s.wflag.Set()
	if ok {
		s.wg.Wait()
	}
	return err
}
