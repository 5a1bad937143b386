package stream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Default sizes. They follow CPython's streams, whose reader buffer limit is
// 64 KiB too.
const (
	// DefaultReadLimit is how much received data a stream holds for its
	// reader before it stops reading from the connection (see WithReadLimit).
	DefaultReadLimit = 64 << 10
	// DefaultMaxLine is the longest line ReadLine accepts, its '\n'
	// included (see WithMaxLine).
	DefaultMaxLine = 64 << 10
)

// Server defaults: safe for a server facing clients it does not know.
const (
	// DefaultHandshakeTimeout bounds a server's TLS handshake (see
	// WithHandshakeTimeout); CPython's ssl_handshake_timeout is 60 s too.
	DefaultHandshakeTimeout = 60 * time.Second
	// DefaultMaxConnections is how many connections a server serves at
	// once (see WithMaxConnections).
	DefaultMaxConnections = 1024
)

// Option configures OpenConnection, StartServer or New. Options that do not
// apply to a call are ignored by it.
type Option func(*options)

type options struct {
	tls              *tls.Config
	backlog          int
	readLimit        int
	maxLine          int
	handshakeTimeout time.Duration
	maxConns         int
	readTimeout      time.Duration
}

func buildOptions(opts []Option) options {
	o := options{backlog: 5, readLimit: DefaultReadLimit, maxLine: DefaultMaxLine,
		handshakeTimeout: DefaultHandshakeTimeout, maxConns: DefaultMaxConnections}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithTLS makes OpenConnection speak TLS as a client, or StartServer as a
// server, with the given configuration. The handshake is done before
// OpenConnection returns and before a server's handler is called. A client
// whose config has no ServerName and does not skip verification verifies
// the certificate against the host passed to OpenConnection. New ignores
// this option: pass it a *tls.Conn instead.
func WithTLS(config *tls.Config) Option { return func(o *options) { o.tls = config } }

// WithBacklog is MicroPython's backlog argument of start_server, kept so
// that ported code reads the same. Go's net package gives a listener no
// backlog knob: it always passes the system's maximum (on Linux,
// net.core.somaxconn) to listen(2), so the value has no effect.
func WithBacklog(n int) Option { return func(o *options) { o.backlog = n } }

// WithReadLimit sets how many received bytes a stream holds for its reader
// (default DefaultReadLimit). When that much is waiting, the stream stops
// reading from the connection until a read takes some, so the kernel's
// buffers fill and TCP flow control slows the peer down: a fast peer cannot
// make the stream's memory grow without bound. A read that needs more than
// the limit at once (ReadExactly of a larger n, ReadLine of a longer line,
// Read of everything) raises it for as long as it waits. Values below 1
// restore the default. (A stream read on the loop with epoll, see the
// package documentation, reads only what its reads ask for: the data waits
// in the kernel, and the limit does not come into play.)
func WithReadLimit(n int) Option {
	return func(o *options) {
		if n < 1 {
			n = DefaultReadLimit
		}
		o.readLimit = n
	}
}

// WithMaxLine sets the longest line, its '\n' included, that ReadLine
// accepts (default DefaultMaxLine); see ReadLine for what happens to a
// longer one. Values below 1 restore the default.
func WithMaxLine(n int) Option {
	return func(o *options) {
		if n < 1 {
			n = DefaultMaxLine
		}
		o.maxLine = n
	}
}

// WithHandshakeTimeout bounds a server's TLS handshake with each client
// (default DefaultHandshakeTimeout, 60 s): a client that has not finished
// it by then is disconnected, without the handler being called. Values
// below 1 restore the default. Clients' handshakes are bounded by the
// context of OpenConnection's task instead (asyncio.Timeout).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(o *options) {
		if d < 1 {
			d = DefaultHandshakeTimeout
		}
		o.handshakeTimeout = d
	}
}

// WithMaxConnections sets how many connections a server serves at once,
// those in their TLS handshake included (default DefaultMaxConnections,
// 1024). At the limit the server stops accepting until a handler returns:
// further clients wait in the system's listen queue (and their connect
// succeeds or times out as the system decides); none is accepted and
// dropped. Values below 1 restore the default.
func WithMaxConnections(n int) Option {
	return func(o *options) {
		if n < 1 {
			n = DefaultMaxConnections
		}
		o.maxConns = n
	}
}

// WithReadTimeout bounds each read of a stream (Read, ReadInto,
// ReadExactly, ReadLine) to d from when it begins, however the data
// trickles in: a read that has not got what it needs by then returns an
// error matching ErrReadTimeout, and takes nothing from the stream, which
// stays usable. For a server's streams it bounds how long a client may hold
// a connection without sending a line (or a frame); a line protocol sets it
// to its idle limit. The default, 0, is no limit, as MicroPython has none;
// values below 0 mean 0 too.
func WithReadTimeout(d time.Duration) Option {
	return func(o *options) { o.readTimeout = max(d, 0) }
}

// ErrReadTimeout is returned by a read that did not finish within the
// stream's read timeout (WithReadTimeout). It matches
// os.ErrDeadlineExceeded.
var ErrReadTimeout = fmt.Errorf("stream: read timed out: %w", os.ErrDeadlineExceeded)

// ErrClosed is returned by the methods of a stream that was closed (Close or
// Abort) and of a server that was closed. It is net.ErrClosed, so code that
// checks for a closed network connection recognises it.
var ErrClosed = net.ErrClosed

// ErrLineTooLong is returned by ReadLine when a line is longer than the
// stream's maximum (WithMaxLine).
var ErrLineTooLong = errors.New("stream: line too long")

// ErrConcurrentRead is returned by a read of a stream while another task is
// paused in a read of the same stream. As in MicroPython, one task at a time
// reads a stream (and any number may write).
var ErrConcurrentRead = errors.New("stream: another task is already reading this stream")

// ErrWriteClosed is returned by Write after CloseWrite. It matches ErrClosed.
var ErrWriteClosed = fmt.Errorf("stream: write after CloseWrite: %w", net.ErrClosed)

// ErrNoCloseWrite is returned by CloseWrite when the transport cannot close
// its writing half alone (it has no CloseWrite method).
var ErrNoCloseWrite = errors.New("stream: the transport has no CloseWrite")

// ShortReadError is returned by ReadExactly when the stream ends after some
// but not all of the bytes it asked for (MicroPython raises EOFError). It
// matches io.ErrUnexpectedEOF with errors.Is. When the stream ends before the
// first byte, ReadExactly returns io.EOF instead, as io.ReadFull does, so a
// loop reading frames can tell a clean end from a cut one.
type ShortReadError struct {
	Got  []byte // the bytes read before the end
	Want int    // how many were asked for
}

// Error says how many bytes came of how many asked for.
func (e *ShortReadError) Error() string {
	return fmt.Sprintf("stream: unexpected EOF: got %d of %d bytes", len(e.Got), e.Want)
}

// Is reports whether target is io.ErrUnexpectedEOF.
func (e *ShortReadError) Is(target error) bool { return target == io.ErrUnexpectedEOF }
