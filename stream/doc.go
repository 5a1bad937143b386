// Package stream is MicroPython's asyncio streams on an asyncio loop: TCP
// clients (OpenConnection) and servers (StartServer), TLS on both, and the
// same Stream over any io.ReadWriter (New), so that a serial port or a pipe
// reads like a socket.
//
//	asyncio.Run(func(ctx *asyncio.Ctx) error {
//		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
//			for {
//				line, err := s.ReadLine(ctx)
//				if err != nil {
//					return nil // io.EOF: the client is gone
//				}
//				s.Write(line)
//				if err := s.Drain(ctx); err != nil {
//					return err
//				}
//			}
//		}, "0.0.0.0", 8000)
//		if err != nil {
//			return err
//		}
//		return srv.WaitClosed(ctx) // serve until closed
//	})
//
// # From MicroPython
//
//	asyncio.open_connection(host, port)       stream.OpenConnection(ctx, host, port)
//	asyncio.start_server(cb, host, port, bl)  stream.StartServer(ctx, handler, host, port, stream.WithBacklog(bl))
//	ssl=ctx                                   stream.WithTLS(config)
//	await s.read(n)                           s.Read(ctx, n)             (n < 0: until EOF)
//	await s.readinto(buf)                     s.ReadInto(ctx, buf)
//	await s.readexactly(n)                    s.ReadExactly(ctx, n)
//	await s.readline()                        s.ReadLine(ctx)
//	s.write(buf)                              s.Write(buf)
//	await s.drain()                           s.Drain(ctx)
//	s.close(); await s.wait_closed()          s.Close(); s.WaitClosed(ctx)
//	s.get_extra_info("peername")              s.ExtraInfo("peername"), s.PeerAddr()
//	server.close(); await server.wait_closed()  srv.Close(); srv.WaitClosed(ctx)
//
// Where MicroPython returns b"" at the end of a stream, Read, ReadInto and
// ReadLine return io.EOF; where it raises EOFError in readexactly,
// ReadExactly returns io.EOF or a *ShortReadError. Added: Abort,
// CloseWrite, per-line limits (WithMaxLine), read buffer limits
// (WithReadLimit), read timeouts (WithReadTimeout), server limits
// (WithMaxConnections, WithHandshakeTimeout), Server.Addr,
// Server.AbortClients.
//
// # Protocols: callbacks instead of a task
//
// MicroPython has only streams. CPython also has protocols, and so does this
// package: StartProtocolServer, OpenProtocolConnection and NewTransport
// serve a connection with a Protocol, whose methods the loop calls as
// things happen (ConnectionMade, DataReceived, EOFReceived,
// ConnectionLost), between tasks and on the loop's goroutine like every
// callback, so that protocols share state with the tasks without locks.
// The Protocol writes through its Transport, which never blocks; one that
// implements FlowControl is told when its write buffer passes the
// high-water mark and falls back (PauseWriting, ResumeWriting), and
// PauseReading stops the deliveries. No task waits per request and no task
// switch is made per request: with many connections that costs less than a
// task per connection (docs/benchmarks-echo.md), at the price of code
// written as a state machine. A server's Protocol still has a task that
// waits for its connection's end, so that the server's limits, AbortClients
// and WaitClosed are the same for both kinds.
//
//	loop.create_server(factory, host, port)      stream.StartProtocolServer(ctx, newProtocol, host, port)
//	loop.create_connection(factory, host, port)  stream.OpenProtocolConnection(ctx, host, port, p)
//	protocol.data_received(data)                 DataReceived(data)   (data is valid until it returns)
//	protocol.eof_received()                      EOFReceived() bool
//	transport.write(data)                        t.Write(data)
//	transport.write_eof() / close() / abort()    t.WriteEOF() / t.Close() / t.Abort()
//	transport.pause_reading() / resume_reading() t.PauseReading() / t.ResumeReading()
//
// Where CPython logs and ignores a write after close, Write returns
// ErrClosed; a callback that panics aborts its connection, reports the
// panic to the loop's exception handler and hands it to ConnectionLost, as
// CPython does with an exception.
//
// # Servers facing unknown clients
//
// A server is bounded by default: it serves at most DefaultMaxConnections
// (1024) connections at once and stops accepting at that number until one
// ends, so that further clients wait in the system's listen queue and none
// is accepted only to be dropped; a TLS handshake must finish within
// DefaultHandshakeTimeout (60 s, CPython's default); a line is at most
// DefaultMaxLine and a stream holds at most DefaultReadLimit unread bytes;
// and a client that resets the connection is taken as gone, not reported
// as the handler's error. Reads have no time limit by default (MicroPython
// has none, and a serial port may be quiet for hours): a server whose
// clients may go quiet or trickle data sets one with WithReadTimeout, which
// bounds each whole read, not each byte of it. The examples (echo,
// led-server) do. Listening on "0.0.0.0" opens the server to the network;
// listen on "127.0.0.1" unless that is meant.
//
// # How the I/O works
//
// A loop runs its tasks on one goroutine and must never block. On Linux the
// loop itself waits in epoll, as MicroPython's waits in select.poll: the
// first stream or server of a loop installs on it an asyncio.Poller over an
// epoll instance (Loop.SetPoller), with an eventfd for the wake-ups of other
// goroutines (Loop.CallSoonThreadsafe), and the loop waits in epoll_pwait2
// (nanosecond timeouts; epoll_wait, rounded up to the millisecond, where
// the kernel lacks it) whenever no task is ready, and polls it without
// waiting once per round while tasks are ready. Plain TCP and Unix-domain
// sockets are registered there, edge-triggered, for reading and writing:
//
//   - A read takes what the socket has with a non-blocking read(2) on the
//     loop's goroutine (ReadInto straight into the caller's buffer), and
//     when there is nothing the task waits until epoll says the socket is
//     readable; the loop then wakes it, with no other goroutine involved.
//     Data stays in the kernel until a task reads it, so TCP itself holds
//     a fast peer back.
//   - A write hands the kernel what it takes at once; the rest is buffered
//     and written on the loop when epoll says the socket takes more, and
//     Drain waits for that.
//   - A server's listener is in the same epoll set: the loop accepts
//     connections itself and gives each its task.
//
// For the connections the package makes itself (StartServer, OpenConnection)
// these reads and writes, and the polls that do not wait, are raw system
// calls on the socket's descriptor, which only the loop uses and closes:
// Go's scheduler is not told of them, as it need not be of a call that
// returns at once (only the waiting epoll_pwait2 is a scheduler-aware
// system call). A connection given to New, or handed out by ExtraInfo, may
// be closed by its holder at any time: it is read and written through its
// net.Conn instead, which knows when it is closed. So a connection costs no
// goroutine but its task's, a request no hand-off between goroutines. If the loop already has a Poller set by the
// user, it is left alone and the streams use goroutines, as below.
//
// Elsewhere, and for TLS connections and streams over other io.ReadWriters
// (New), a stream uses goroutines. A reader goroutine, started by the first
// read, reads into a chunk (4 KiB, doubling up to 64 KiB while reads fill
// it) and appends to the stream's buffer under a mutex; when a task waits
// for data and the buffer now holds what that task needs, it posts one
// callback with Loop.CallSoonThreadsafe that wakes the task. Flow control:
// when the buffer holds the read limit (64 KiB by default), the goroutine
// stops reading until a read brings it down to half, and the kernel's
// buffers then fill and TCP slows the peer down. Writes of plain sockets
// still try the socket first, without waiting; what it does not take, and
// every write of TLS and other transports, a writer goroutine sends,
// started for the purpose and ending when the buffer is empty. A server
// accepts with a goroutine.
//
// Either way a waiting task is parked on an asyncio.Event and holds the
// loop (Loop.KeepAlive), so it costs the loop nothing and an idle loop
// sleeps rather than report a deadlock; and reads never give up data when
// cancelled: ReadExactly and ReadLine take nothing from the buffer until
// everything they need is there, so a read cut short by asyncio.WaitFor or
// asyncio.Timeout leaves the stream as it was.
//
// # Closing, and the loop's end
//
// Closing a stream closes its connection, which ends the blocking Read and
// Write of its goroutines if it has any; WaitClosed waits until they have
// ended. When the loop closes (Loop.Close, or the end of asyncio.Run),
// every stream and server of the loop is closed (on Linux as soon as Close
// begins, so that a goroutine blocked on the far end of one of them ends
// too), and, with Loop.OnClose, once every task has returned, Close waits
// for the streams' goroutines and releases the epoll instance: nothing
// outlives the loop.
//
// Goroutines of a transport other than a network connection are waited for
// at most a second at the loop's end, since nothing guarantees that its
// Close ends a Read blocked in it; a transport without Close cannot be
// interrupted, and its reader goroutine lives until its Read returns.
//
// # Virtual time
//
// Streams work on a loop with asyncio.VirtualClock. Before the virtual clock
// jumps to the next timer, the loop polls its sockets, and it does not jump
// while a connection is being made or a TLS handshake done (those run on
// goroutines, asyncio.ToThread), so ready I/O is always served first and a
// round trip on loopback takes no virtual time. A task that waits for a peer
// that has not answered yet does not hold the clock: its sleeps and timeouts
// expire as soon as every task waits. Test network timeouts on the real
// clock, with bounded times.
package stream
