package stream

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/goasyncio/asyncio"
)

// OpenConnection connects to host:port over TCP and returns the stream
// (MicroPython's open_connection, which returns the same stream twice, as
// reader and writer). The name is resolved and the connection made on a
// goroutine (asyncio.ToThread), so the loop goes on meanwhile; with WithTLS
// the handshake is done there too, before OpenConnection returns. If the
// task is cancelled (or its Timeout expires) first, OpenConnection returns
// asyncio.ErrCancelled and the connection being made is abandoned and
// closed.
func OpenConnection(ctx *asyncio.Ctx, host string, port int, opts ...Option) (*Stream, error) {
	if err := asyncio.InTask(ctx); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	l := ctx.Loop()
	reg, err := openRegistry(l)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	conn, err := fromThread(ctx, func(gc context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(gc, "tcp", addr)
	})
	if err != nil {
		return nil, err
	}
	var rw io.ReadWriter = conn
	if o.tls != nil {
		cfg := o.tls
		if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
			cfg = cfg.Clone()
			cfg.ServerName = host
		}
		tc := tls.Client(conn, cfg)
		if err := asyncio.ToThread(ctx, tc.HandshakeContext); err != nil {
			conn.Close()
			return nil, err
		}
		rw = tc
	}
	s := newStream(l, reg, rw, true, o)
	if s.closed {
		return nil, ErrClosed
	}
	return s, nil
}

// openRegistry returns l's registry, or ErrClosed if l is closing.
func openRegistry(l *asyncio.Loop) (*registry, error) {
	reg := registryOf(l)
	if reg.isClosing() {
		return nil, ErrClosed
	}
	return reg, nil
}

// fromThread runs fn with asyncio.ToThread and returns what it made. If the
// task is cancelled before fn returns, ToThread drops fn's result; then
// whatever fn makes is closed here or as soon as fn returns, so nothing
// leaks.
func fromThread[T io.Closer](ctx *asyncio.Ctx, fn func(context.Context) (T, error)) (T, error) {
	var (
		mu        sync.Mutex
		got       T
		have      bool
		abandoned bool
	)
	err := asyncio.ToThread(ctx, func(gc context.Context) error {
		v, err := fn(gc)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			v.Close()
			return asyncio.ErrCancelled
		}
		got, have = v, true
		return nil
	})
	mu.Lock()
	v, ok := got, have
	if err != nil {
		abandoned = true
	}
	mu.Unlock()
	if err != nil {
		if ok {
			v.Close()
		}
		var zero T
		return zero, err
	}
	return v, nil
}
