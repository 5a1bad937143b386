// Command echo is a line echo server and client on asyncio streams: the
// "hello world" of MicroPython's asyncio.start_server and open_connection.
//
// Usage:
//
//	go run ./examples/echo                              # demo: server and client in one loop
//	go run ./examples/echo -server 127.0.0.1:8000       # serve until Ctrl-C
//	go run ./examples/echo -client 127.0.0.1:8000       # send the lines of stdin, print the replies
//	go run ./examples/echo -client 127.0.0.1:8000 hi yo # send the arguments, one line each
//	go run ./examples/echo -protocol ...                # the server as a stream.Protocol: callbacks, no task per request
//
// The server logs each connection to standard error. It disconnects a
// client that does not finish a line within five minutes, and serves at
// most 256 at once; the others wait to be accepted. The client prints each
// reply on standard output. With -client and no arguments it reads its
// lines from standard input through a stream too (stream.New over
// os.Stdin): a pipe or a terminal reads like a socket.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// handle echoes one client's lines back until the client leaves; it mirrors
//
//	async def handle(reader, writer):
//	    while line := await reader.readline():
//	        writer.write(line)
//	        await writer.drain()
func handle(ctx *asyncio.Ctx, s *stream.Stream, log io.Writer) error {
	peer := s.PeerAddr()
	fmt.Fprintf(log, "%v connected\n", peer)
	lines := 0
	defer func() { logGone(log, peer, lines, "") }()
	for {
		line, err := s.ReadLine(ctx)
		if errors.Is(err, stream.ErrLineTooLong) {
			s.WriteString("error: line too long\n")
			continue
		}
		if err == io.EOF || errors.Is(err, stream.ErrClosed) {
			return nil // the client left, or the server aborted us
		}
		if errors.Is(err, stream.ErrReadTimeout) {
			s.WriteString("idle too long, bye\n")
			return nil
		}
		if err != nil {
			return err
		}
		lines++
		s.Write(line)
		if err := s.Drain(ctx); err != nil {
			return err
		}
	}
}

// lineEcho is the same server as handle, written as a stream.Protocol
// (CPython's asyncio.Protocol): the loop calls it with the bytes that
// arrive, and it keeps the part of a line that has not ended. It mirrors
//
//	class LineEcho(asyncio.Protocol):
//	    def data_received(self, data):
//	        self.pending += data
//	        while b"\n" in self.pending:
//	            line, _, self.pending = self.pending.partition(b"\n")
//	            self.transport.write(line + b"\n")
type lineEcho struct {
	t       *stream.Transport
	log     io.Writer
	peer    net.Addr
	pending []byte // the line so far
	tooLong bool   // the line so far was too long: drop it up to its end
	lines   int
}

func (e *lineEcho) ConnectionMade(t *stream.Transport) {
	e.t, e.peer = t, t.PeerAddr()
	fmt.Fprintf(e.log, "%v connected\n", e.peer)
}

func (e *lineEcho) DataReceived(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		part := data
		if i >= 0 {
			part = data[:i+1]
		}
		data = data[len(part):]
		e.keep(part)
		if i < 0 {
			return // the line goes on in the next data
		}
		if e.tooLong {
			e.tooLong = false // the client was told
			continue
		}
		e.lines++
		e.t.Write(e.pending)
		e.pending = e.pending[:0]
	}
}

// keep adds part of a line to the line so far, unless that makes it too
// long: then the client is told, and the rest of the line is dropped.
func (e *lineEcho) keep(part []byte) {
	switch {
	case e.tooLong:
	case len(e.pending)+len(part) > stream.DefaultMaxLine:
		e.t.WriteString("error: line too long\n")
		e.pending, e.tooLong = e.pending[:0], true
	default:
		e.pending = append(e.pending, part...) // data is the loop's: copy
	}
}

func (e *lineEcho) EOFReceived() bool { return false } // close once the replies are sent

func (e *lineEcho) ConnectionLost(err error) {
	why := ""
	if errors.Is(err, stream.ErrReadTimeout) {
		why = ", idle too long"
	}
	logGone(e.log, e.peer, e.lines, why)
}

// logGone logs a client's leaving, with the lines it sent and why, if the
// server knows more than that it left.
func logGone(log io.Writer, peer net.Addr, lines int, why string) {
	plural := "s"
	if lines == 1 {
		plural = ""
	}
	fmt.Fprintf(log, "%v gone after %d line%s%s\n", peer, lines, plural, why)
}

// The server's limits: a client that does not finish a line within
// idleLimit is told so and disconnected; at most maxClients are served at
// once.
const (
	idleLimit  = 5 * time.Minute
	maxClients = 256
)

// serve runs the echo server on addr until it is closed, with a task per
// connection (handle) or, if protocol, a lineEcho per connection; started,
// if not nil, gets the server once it listens.
func serve(ctx *asyncio.Ctx, addr string, protocol bool, log io.Writer, started func(*stream.Server)) error {
	host, port, err := splitAddr(addr)
	if err != nil {
		return err
	}
	// Limits for clients we do not know: a line within idleLimit (for the
	// protocol: some bytes within it), and at most maxClients at once (more
	// wait to be accepted). A client's reset is not an error: the server
	// takes it as the client leaving.
	limits := []stream.Option{stream.WithReadTimeout(idleLimit), stream.WithMaxConnections(maxClients)}
	var srv *stream.Server
	if protocol {
		srv, err = stream.StartProtocolServer(ctx, func() stream.Protocol { return &lineEcho{log: log} }, host, port, limits...)
	} else {
		srv, err = stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			return handle(ctx, s, log)
		}, host, port, limits...)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "listening on %v\n", srv.Addr())
	if started != nil {
		started(srv)
	}
	return srv.WaitClosed(ctx)
}

// client sends each line that next returns to the server at addr and
// writes the replies to out, until next returns io.EOF.
func client(ctx *asyncio.Ctx, addr string, next func(*asyncio.Ctx) ([]byte, error), out io.Writer) error {
	host, port, err := splitAddr(addr)
	if err != nil {
		return err
	}
	s, err := stream.OpenConnection(ctx, host, port)
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		line, err := next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) == 0 || line[len(line)-1] != '\n' {
			line = append(line, '\n')
		}
		s.Write(line)
		if err := s.Drain(ctx); err != nil {
			return err
		}
		reply, err := s.ReadLine(ctx)
		if err != nil {
			return fmt.Errorf("reading the reply: %w", err)
		}
		out.Write(reply)
	}
}

// fromList returns the lines of list, one per call.
func fromList(list []string) func(*asyncio.Ctx) ([]byte, error) {
	return func(*asyncio.Ctx) ([]byte, error) {
		if len(list) == 0 {
			return nil, io.EOF
		}
		line := list[0]
		list = list[1:]
		return []byte(line), nil
	}
}

// readOnly makes a reader (standard input) a stream transport.
type readOnly struct{ io.Reader }

func (readOnly) Write(p []byte) (int, error) { return 0, errors.New("read only") }

func (r readOnly) Close() error {
	if c, ok := r.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	return host, port, nil
}

// run is the command; it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: echo [-protocol] [-server host:port | -client host:port [line ...]]\n\n"+
			"A line echo server and client on asyncio streams. With no flag, a server\n"+
			"and a client in one loop exchange a few lines.\n\n")
		fs.PrintDefaults()
	}
	server := fs.String("server", "", "serve on `host:port` until interrupted")
	connect := fs.String("client", "", "connect to `host:port` and send the arguments, or the lines of stdin")
	protocol := fs.Bool("protocol", false, "serve with a stream.Protocol per connection instead of a task")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *server != "" && *connect != "" {
		fmt.Fprintln(stderr, "echo: -server and -client exclude each other")
		return 2
	}
	var err error
	switch {
	case *server != "":
		interrupt := make(chan os.Signal, 1)
		signal.Notify(interrupt, os.Interrupt)
		defer signal.Stop(interrupt)
		done := make(chan struct{})
		defer close(done)
		err = asyncio.Run(func(ctx *asyncio.Ctx) error {
			return serve(ctx, *server, *protocol, stderr, func(srv *stream.Server) {
				go func() {
					select {
					case <-interrupt:
						ctx.Loop().CallSoonThreadsafe(func() {
							srv.Close()
							srv.AbortClients()
						})
					case <-done:
					}
				}()
			})
		})
	case *connect != "":
		err = asyncio.Run(func(ctx *asyncio.Ctx) error {
			next := fromList(fs.Args())
			if fs.NArg() == 0 {
				in := stream.New(ctx.Loop(), readOnly{stdin})
				defer in.Close()
				next = func(ctx *asyncio.Ctx) ([]byte, error) { return in.ReadLine(ctx) }
			}
			return client(ctx, *connect, next, stdout)
		})
	default: // the demo: both in one loop
		err = asyncio.Run(func(ctx *asyncio.Ctx) error {
			var srv *stream.Server
			var listening asyncio.Event
			serving := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return serve(ctx, "127.0.0.1:0", *protocol, io.Discard, func(s *stream.Server) {
					srv = s
					listening.Set()
				})
			})
			// Until it listens, or fails to.
			if _, _, err := asyncio.Wait(ctx, asyncio.FirstCompleted, serving, asyncio.CreateTask(ctx, listening.Wait)); err != nil {
				return err
			}
			if srv == nil {
				return serving.Err()
			}
			defer srv.Close()
			msgs := append([]string{"hello", "asyncio streams"}, fs.Args()...)
			return client(ctx, srv.Addr().String(), fromList(msgs), stdout)
		})
	}
	if err != nil {
		fmt.Fprintln(stderr, "echo:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
