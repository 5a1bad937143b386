package stream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goasyncio/asyncio"
)

// Server is a TCP server made by StartServer (MicroPython's asyncio.Server).
// Its methods must be called on its loop's goroutine.
type Server struct {
	loop    *asyncio.Loop
	reg     *registry
	ln      net.Listener
	handler func(*asyncio.Ctx, *Stream) error
	o       options

	// Loop side.
	closed       bool
	acceptDone   bool
	conns        map[*asyncio.Task]*Stream // running handlers; nil while in the TLS handshake
	doneEv       asyncio.Event
	onAccept     func()
	onAcceptExit func()

	// Loop side, accepting on the loop (Linux): see listenOnLoop.
	pl       *epoller // nil: an accept goroutine
	lrc      syscall.RawConn
	pslot    int32
	acceptFn func(fd uintptr)
	afd      int
	aerr     error
	backoff  time.Duration
	retry    *asyncio.Handle
	capped   bool // at WithMaxConnections: the listener is out of the epoll set

	// Accepting with a goroutine: a token per connection accepted and not
	// yet done, at most WithMaxConnections.
	slots chan struct{}

	// Shared with the accept goroutine.
	mu       sync.Mutex
	queue    []net.Conn // accepted, not yet handed to a task
	stopping atomic.Bool
	stopOnce sync.Once
	quit     chan struct{}
}

// StartServer listens on host:port and serves each connection with handler
// (MicroPython's start_server). Port 0 picks a free port: Addr tells which.
// The listener is made on a goroutine (asyncio.ToThread), so resolving
// host does not block the loop.
//
// The loop accepts connections itself, its epoll saying when (Linux), or a
// goroutine accepts them and hands them to the loop; each connection
// gets a task, named after the peer's address, that runs handler with the
// connection's stream; with WithTLS the handshake is done first, and a
// connection whose handshake fails is closed without calling handler. When
// handler returns, the stream is closed: with Close if handler returned
// nil, so that what it wrote is still sent, and with Abort if it failed or
// panicked. A handler's error (but a client's reset, see below), or panic
// (an *asyncio.PanicError), goes to the loop's exception handler, as for
// any task nobody awaits, and the server goes on. Return nil for the ends a handler expects (io.EOF).
//
// Limits, safe by default (see the options for how to change them): at
// most DefaultMaxConnections (1024) connections are served at once, and
// beyond that the server stops accepting until one ends, so that clients
// wait in the system's listen queue rather than be dropped
// (WithMaxConnections); a TLS handshake that has not finished within
// DefaultHandshakeTimeout (60 s) is abandoned (WithHandshakeTimeout); reads
// have no time limit unless WithReadTimeout sets one, which a server whose
// clients may go quiet should. A handler that returns an error saying the
// client reset the connection or went away (ECONNRESET, EPIPE,
// ECONNABORTED) has its stream aborted, and the error is not reported: that
// is the client's doing, expected of clients.
//
// WithBacklog is accepted for MicroPython's sake, but Go's listeners always
// use the system's backlog. While the server listens, the loop waits for
// connections instead of reporting a deadlock.
func StartServer(ctx *asyncio.Ctx, handler func(ctx *asyncio.Ctx, s *Stream) error, host string, port int, opts ...Option) (*Server, error) {
	if err := asyncio.InTask(ctx); err != nil {
		return nil, err
	}
	if handler == nil {
		return nil, asyncio.ErrNilFunc
	}
	o := buildOptions(opts)
	l := ctx.Loop()
	reg, err := openRegistry(l)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := fromThread(ctx, func(gc context.Context) (net.Listener, error) {
		var lc net.ListenConfig
		return lc.Listen(gc, "tcp", addr)
	})
	if err != nil {
		return nil, err
	}
	srv := &Server{
		loop: l, reg: reg, ln: ln, handler: handler, o: o,
		conns: map[*asyncio.Task]*Stream{},
		quit:  make(chan struct{}),
	}
	srv.onAccept = srv.accepted
	srv.onAcceptExit = srv.acceptExited
	srv.slots = make(chan struct{}, o.maxConns)
	if !reg.add(srv) {
		ln.Close()
		return nil, ErrClosed
	}
	if srv.listenOnLoop() {
		return srv, nil
	}
	if !reg.goStart(true) {
		ln.Close()
		return nil, ErrClosed
	}
	go srv.acceptLoop(l.KeepAlive())
	return srv, nil
}

// Addr returns the address the server listens on.
func (srv *Server) Addr() net.Addr { return srv.ln.Addr() }

// Port returns the TCP port the server listens on.
func (srv *Server) Port() int {
	if a, ok := srv.ln.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// Close stops listening (MicroPython's Server.close). Connections being
// served go on; WaitClosed waits for them, AbortClients ends them. Closing a
// closed server does nothing.
func (srv *Server) Close() error {
	if srv.closed {
		return nil
	}
	srv.closed = true
	if srv.pl != nil {
		// Accepting on the loop: no goroutine to wait for.
		srv.unlisten()
		srv.shutdown()
		srv.acceptDone = true
		srv.checkDone()
		return nil
	}
	srv.shutdown()
	return nil
}

// shutdown stops the accept goroutine; any goroutine may call it.
func (srv *Server) shutdown() {
	srv.stopOnce.Do(func() {
		srv.stopping.Store(true)
		close(srv.quit)
		srv.ln.Close()
	})
}

// AbortClients aborts the stream of every connection being served (see
// Stream.Abort): their handlers' reads and drains fail with ErrClosed. A
// connection still in its TLS handshake has its task cancelled.
func (srv *Server) AbortClients() {
	for t, s := range srv.conns {
		if s != nil {
			s.Abort()
		} else {
			t.Cancel()
		}
	}
}

// Serving reports whether the server still accepts connections.
func (srv *Server) Serving() bool { return !srv.closed }

// WaitClosed pauses the task until the server is closed (by Close, by
// someone else) and every handler has returned (MicroPython's wait_closed
// waits for the former; CPython 3.12's for both). Without a Close it serves
// forever, which is how a program's main task usually ends. It returns
// asyncio.ErrCancelled if the task is cancelled first.
func (srv *Server) WaitClosed(ctx *asyncio.Ctx) error {
	if err := inTaskOn(ctx, srv.loop); err != nil {
		return err
	}
	return srv.doneEv.Wait(ctx)
}

// checkDone finishes the server once it is closed, its accept goroutine
// has ended and its last handler has returned. Until then it stays in the
// registry, which keeps the registry alive for the streams of handlers
// still in their TLS handshake.
func (srv *Server) checkDone() {
	if srv.closed && srv.acceptDone && len(srv.conns) == 0 && !srv.doneEv.IsSet() {
		srv.doneEv.Set()
		srv.reg.remove(srv)
	}
}

// acceptLoop is the accept goroutine. It holds the loop alive (release)
// while it listens.
func (srv *Server) acceptLoop(release func()) {
	defer srv.reg.goDone(true)
	defer release()
	var backoff time.Duration
	for {
		// At WithMaxConnections, wait for a connection to end before
		// accepting another.
		select {
		case srv.slots <- struct{}{}:
		case <-srv.quit:
		}
		if srv.stopping.Load() {
			break
		}
		c, err := srv.ln.Accept()
		if err != nil {
			srv.release()
			if srv.stopping.Load() || errors.Is(err, net.ErrClosed) {
				break
			}
			// Too many open files, and the like: wait and retry, as
			// net/http does, and report the first failure of a run.
			if backoff == 0 {
				backoff = 5 * time.Millisecond
				srv.report(err)
			} else {
				backoff = min(2*backoff, time.Second)
			}
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-srv.quit:
			}
			t.Stop()
			continue
		}
		backoff = 0
		srv.mu.Lock()
		srv.queue = append(srv.queue, c)
		first := len(srv.queue) == 1
		srv.mu.Unlock()
		if first && srv.loop.CallSoonThreadsafe(srv.onAccept) != nil {
			break // the loop is closed
		}
	}
	srv.mu.Lock()
	q := srv.queue
	srv.queue = nil
	srv.mu.Unlock()
	for _, c := range q {
		c.Close()
		srv.release()
	}
	srv.loop.CallSoonThreadsafe(srv.onAcceptExit)
}

// release gives back the slot of a connection the accept goroutine
// accepted; any goroutine may call it. On the loop's own accepting there
// are no slots, and it does nothing.
func (srv *Server) release() {
	if srv.pl != nil {
		return
	}
	select {
	case <-srv.slots:
	default:
	}
}

func (srv *Server) report(err error) {
	srv.loop.CallSoonThreadsafe(func() {
		srv.loop.CallExceptionHandler(asyncio.ExceptionContext{
			Message: "stream: accept failed",
			Err:     fmt.Errorf("stream: accept on %v: %w", srv.ln.Addr(), err),
		})
	})
}

// acceptExited runs on the loop when the accept goroutine has ended.
func (srv *Server) acceptExited() {
	srv.acceptDone = true
	srv.closed = true
	srv.checkDone()
}

// accepted runs on the loop: it gives each accepted connection its task.
func (srv *Server) accepted() {
	srv.mu.Lock()
	q := srv.queue
	srv.queue = nil
	srv.mu.Unlock()
	for _, c := range q {
		if srv.closed {
			c.Close()
			srv.release()
			continue
		}
		srv.spawn(c)
	}
}

func (srv *Server) spawn(c net.Conn) {
	var s *Stream
	if srv.o.tls == nil {
		s = newStream(srv.loop, srv.reg, c, true, srv.o)
		if s.closed {
			srv.release()
			return // the loop is closing
		}
	}
	name := "stream: connection"
	if a := c.RemoteAddr(); a != nil {
		name = a.String()
	}
	t := srv.loop.CreateTask(func(ctx *asyncio.Ctx) error { return srv.serve(ctx, c, s) }, asyncio.Named(name))
	srv.conns[t] = s
}

// serve is a connection's task.
func (srv *Server) serve(ctx *asyncio.Ctx, c net.Conn, s *Stream) (err error) {
	t := asyncio.CurrentTask(ctx)
	defer func() {
		delete(srv.conns, t)
		srv.release()
		srv.uncap()
		srv.checkDone()
	}()
	if s == nil {
		tc := tls.Server(c, srv.o.tls)
		timeout := srv.o.handshakeTimeout
		err := asyncio.ToThread(ctx, func(gc context.Context) error {
			hc, cancel := context.WithTimeout(gc, timeout)
			defer cancel()
			return tc.HandshakeContext(hc)
		})
		if err != nil {
			c.Close()
			if errors.Is(err, asyncio.ErrCancelled) {
				return err
			}
			return nil // the client's failure, not the server's
		}
		s = newStream(srv.loop, srv.reg, tc, true, srv.o)
		srv.conns[t] = s
	}
	returned := false
	defer func() {
		if returned && err == nil {
			s.Close()
		} else {
			s.Abort()
		}
	}()
	err = srv.handler(ctx, s)
	returned = true
	if peerGone(err) {
		// A client that resets or leaves is an expected event for a
		// server, not an error to report.
		s.Abort()
		return nil
	}
	return err
}

// peerGone reports whether err says that the peer reset or left the
// connection.
func peerGone(err error) bool {
	return err != nil && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED))
}
