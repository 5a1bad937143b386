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
// (WithReadLimit), Server.Addr, Server.AbortClients.
//
// # How the I/O works
//
// A loop runs its tasks on one goroutine and must never block, but Go gives
// a net.Conn no readiness notification, only blocking calls that park a
// goroutine in the runtime's network poller. So reading takes one of two
// forms:
//
//   - A reader goroutine per stream, started by the first read. It reads
//     into a chunk (4 KiB, doubling up to 64 KiB while reads fill it) and
//     appends to the stream's buffer under a mutex. When a task waits for
//     data and the buffer now holds what that task needs (one byte for
//     Read, n for ReadExactly, a new byte for ReadLine), it posts one
//     callback with Loop.CallSoonThreadsafe that wakes the task: whatever
//     arrived is handed over in one go, never a post per byte, and no post
//     at all while no task waits. Flow control: when the buffer holds the
//     read limit (64 KiB by default), the goroutine stops reading until a
//     read brings it down to half; the kernel's buffers then fill and TCP
//     slows the peer down, so a peer cannot make the stream's memory grow
//     without bound. A read that needs more at once (ReadExactly of a
//     larger n) raises the limit while it waits. TLS connections and other
//     transports always read this way, and so do the first 16 plain TCP
//     connections of a loop: with few connections it gives the lowest
//     latency.
//   - Reads on the loop (Linux, plain TCP and Unix sockets, beyond the
//     first 16 of a loop): a read takes what the socket has with a
//     non-blocking read(2) on the loop's goroutine, as MicroPython and
//     CPython do, and when there is nothing, the task waits until the
//     loop's epoll instance (edge-triggered) says the socket is readable.
//     One goroutine per loop waits on that epoll and hands each batch of
//     events to the loop with one post. No goroutine per connection, no
//     read(2) wasted on EAGAIN, one wake-up for many connections; data
//     stays in the kernel until a task reads it, which is its own flow
//     control. See pollThreshold in registry.go for the measurements.
//
// Either way a waiting task is parked on an asyncio.Event and holds
// Loop.KeepAlive, so it costs the loop nothing and an idle loop sleeps
// rather than report a deadlock; and reads never give up data when
// cancelled: ReadExactly and ReadLine take nothing from the buffer until
// everything they need is there, so a read cut short by asyncio.WaitFor or
// asyncio.Timeout leaves the stream as it was.
//
// Writes happen on the loop: Write first tries the socket without waiting
// (a non-blocking write(2) through syscall.RawConn, as MicroPython's
// Stream.write tries the socket at once), which for a peer that keeps up is
// the whole write: no goroutine, no hand-off. What the kernel does not take
// is buffered, and a writer goroutine, started for the purpose and ending
// when the buffer is empty, writes it with a blocking Write; Drain waits
// for it. TLS connections and other transports always write through that
// goroutine.
//
// A server has one accept goroutine, which holds Loop.KeepAlive while it
// listens and hands batches of accepted connections to the loop with one
// post; each connection gets a task, named after the peer, which runs the
// handler and closes the stream when it returns.
//
// # Closing, and the loop's end
//
// Closing a stream closes its connection, which ends the blocking Read and
// Write of its goroutines; WaitClosed waits until they have ended. When
// the loop closes (Loop.Close, or the end of asyncio.Run), every stream
// and server of the loop is closed and Close returns only once their
// goroutines have ended, so nothing outlives the loop. The core offers no
// hook for this, so the package keeps, per loop with open streams, one
// task and one goroutine that do it (see registry.go); they end when the
// loop has no stream or server left.
//
// Goroutines of a transport other than a network connection are waited for
// at most a second at the loop's end, since nothing guarantees that its
// Close ends a Read blocked in it; a transport without Close cannot be
// interrupted, and its reader goroutine lives until its Read returns.
//
// # Virtual time
//
// Streams work on a loop with asyncio.VirtualClock, but the virtual clock
// jumps to the next timer whenever every task waits, I/O included: sleeps
// and timeouts then expire at once while a task waits for the network.
// Test network code on the real clock, with bounded timeouts.
package stream
