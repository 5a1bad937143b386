package board

import (
	"io"
	"net"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// NewSerial returns a serial port on rw as a stream on loop l: a UART
// device file, a TinyGo machine.UART, a pipe, or a network connection in
// tests. It is stream.New (see there for the methods: ReadLine, Read,
// ReadInto, ReadExactly, Write and Drain, Close, WaitClosed; opts are
// stream's), with what a serial port needs beyond it: a Read of rw that
// returns nothing at once, as TinyGo's UART does while no byte has come, is
// tried again a millisecond later instead of counting as a stream that
// makes no progress, and closing the stream stops those tries, whether or
// not rw has a Close (if it has, Close closes rw too).
//
// A net.Conn is given to stream.New as it is. Otherwise the stream's
// transport (ExtraInfo("transport")) is rw behind that retrying reader.
// NewSerial must be called on l's goroutine or while l is not running; it
// panics if l or rw is nil.
func NewSerial(l *asyncio.Loop, rw io.ReadWriter, opts ...stream.Option) *stream.Stream {
	if rw == nil {
		panic("board: NewSerial with a nil io.ReadWriter")
	}
	if _, ok := rw.(net.Conn); ok {
		return stream.New(l, rw, opts...)
	}
	return stream.New(l, &uart{rw: rw, done: make(chan struct{})}, opts...)
}

// uartPoll is how long a Read that found nothing waits before it tries
// again.
const uartPoll = time.Millisecond

// uart is a serial port's io.ReadWriter whose Read waits for a byte: rw's
// Read is polled while it returns nothing, until Close.
type uart struct {
	rw   io.ReadWriter
	once sync.Once
	done chan struct{}
	// reading holds Reads one at a time: the stream has one reader, but
	// ExtraInfo("transport") hands u to its users too.
	reading sync.Mutex
	poll    *time.Timer // Read's wait between tries, made once
}

// Read reads rw, trying again every uartPoll while it returns nothing and
// no error; after Close it returns stream.ErrClosed.
func (u *uart) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	u.reading.Lock()
	defer u.reading.Unlock()
	for {
		select {
		case <-u.done:
			return 0, stream.ErrClosed
		default:
		}
		n, err := u.rw.Read(p)
		if n > 0 || err != nil {
			return n, err
		}
		if u.poll == nil {
			u.poll = time.NewTimer(uartPoll)
		} else {
			u.poll.Reset(uartPoll) // a stopped or fired timer: nothing stale to drain
		}
		select {
		case <-u.poll.C:
		case <-u.done:
			u.poll.Stop()
		}
	}
}

func (u *uart) Write(p []byte) (int, error) { return u.rw.Write(p) }

// Close stops the polling and closes rw if it is an io.Closer; it returns
// rw's Close error.
func (u *uart) Close() error {
	var err error
	u.once.Do(func() {
		close(u.done)
		if c, ok := u.rw.(io.Closer); ok {
			err = c.Close()
		}
	})
	return err
}
