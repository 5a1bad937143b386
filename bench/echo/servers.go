package main

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

//go:embed echo_cpython.py
var cpythonScript []byte

//go:embed echo_cpython_protocol.py
var cpythonProtocolScript []byte

// echoBuf is the read buffer of every server: the CPython server reads up
// to the same 16 KiB.
const echoBuf = 16 << 10

// serveLibrary is this library's echo server: one task per connection,
// reading into a buffer and writing it back (MicroPython's
//
//	data = await reader.readinto(buf); writer.write(data); await writer.drain()
//
// ). It serves until stop is closed, and calls ready with its address.
func serveLibrary(ready func(addr string), stop <-chan struct{}) error {
	return serveOnLoop(ready, stop, func(ctx *asyncio.Ctx) (*stream.Server, error) {
		return stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			buf := make([]byte, echoBuf)
			for {
				n, err := s.ReadInto(ctx, buf)
				if err != nil {
					return nil // the client left
				}
				s.Write(buf[:n])
				if err := s.Drain(ctx); err != nil {
					return nil
				}
			}
		}, "127.0.0.1", 0)
	})
}

// echoProtocol echoes what it receives: the Protocol of
// serveLibraryProtocol (CPython's
//
//	def data_received(self, data): self.transport.write(data)
//
// ).
type echoProtocol struct{ t *stream.Transport }

func (e *echoProtocol) ConnectionMade(t *stream.Transport) { e.t = t }
func (e *echoProtocol) DataReceived(data []byte)           { e.t.Write(data) }
func (e *echoProtocol) EOFReceived() bool                  { return false }
func (e *echoProtocol) ConnectionLost(error)               {}

// serveLibraryProtocol is this library's echo server with a Protocol per
// connection (stream.StartProtocolServer): the loop calls it with what a
// connection received, with no task switch per request.
func serveLibraryProtocol(ready func(addr string), stop <-chan struct{}) error {
	return serveOnLoop(ready, stop, func(ctx *asyncio.Ctx) (*stream.Server, error) {
		return stream.StartProtocolServer(ctx, func() stream.Protocol { return &echoProtocol{} }, "127.0.0.1", 0)
	})
}

// serveOnLoop runs a loop with the server start makes, until stop is
// closed, and calls ready with its address.
func serveOnLoop(ready func(addr string), stop <-chan struct{}, start func(ctx *asyncio.Ctx) (*stream.Server, error)) error {
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := start(ctx)
		if err != nil {
			return err
		}
		loop := ctx.Loop()
		go func() {
			<-stop
			loop.CallSoonThreadsafe(func() {
				srv.Close()
				srv.AbortClients()
			})
		}()
		ready(srv.Addr().String())
		return srv.WaitClosed(ctx)
	})
}

// serveGoroutines is the floor: a plain Go server with a goroutine per
// connection doing blocking Read and Write.
func serveGoroutines(ready func(addr string), stop <-chan struct{}) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() {
		<-stop
		ln.Close()
	}()
	ready(ln.Addr().String())
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil // closed
		}
		go func() {
			defer c.Close()
			buf := make([]byte, echoBuf)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
	}
}

// serveChild runs a Go server in this process as the child of the
// benchmark: it prints "listening ADDR" and serves until its standard input
// ends.
func serveChild(kind, cpuProfile string) int {
	serve := map[string]func(func(string), <-chan struct{}) error{
		"library":          serveLibrary,
		"library-protocol": serveLibraryProtocol,
		"goroutines":       serveGoroutines,
		"bare":             serveBare,
		"bare-tasks":       serveBareTasks,
	}[kind]
	if serve == nil {
		fmt.Fprintf(os.Stderr, "echo bench: unknown server %q\n", kind)
		return 2
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo bench:", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	err := serve(func(addr string) { fmt.Printf("listening %s\n", addr) }, stop)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo bench:", err)
		return 1
	}
	return 0
}

// child is a server running in a child process.
type child struct {
	name  string
	addr  string
	NA    string // why the server could not run, if it could not
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// pid returns the server process's id, or 0 if it did not start.
func (c *child) pid() int {
	if c.NA != "" || c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// startChild starts cmd, a server that prints "listening ADDR" once it
// listens and exits when its standard input ends.
func startChild(name string, cmd *exec.Cmd) *child {
	c := &child{name: name, cmd: cmd}
	cmd.Stderr = os.Stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		c.NA = err.Error()
		return c
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		c.NA = err.Error()
		return c
	}
	if err := cmd.Start(); err != nil {
		c.NA = err.Error()
		return c
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, out)
	}()
	select {
	case line := <-lines:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if !ok {
			c.stop()
			c.NA = fmt.Sprintf("did not start (said %q)", line)
			return c
		}
		c.addr = addr
	case <-time.After(30 * time.Second):
		c.stop()
		c.NA = "did not start within 30 s"
	}
	return c
}

// stop ends the child: its standard input closes, and it is killed if it
// has not exited 5 s later.
func (c *child) stop() {
	if c.cmd.Process == nil {
		return
	}
	c.stdin.Close()
	done := make(chan struct{})
	go func() {
		c.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// startCPython starts a CPython server with python, script written to a
// temporary file.
func startCPython(python string, script []byte) (*child, func()) {
	c := &child{name: "CPython"}
	if python == "" {
		c.NA = "skipped (-python \"\")"
		return c, func() {}
	}
	exe, err := exec.LookPath(python)
	if err != nil {
		c.NA = python + " not found"
		return c, func() {}
	}
	f, err := os.CreateTemp("", "echo_cpython-*.py")
	if err != nil {
		c.NA = err.Error()
		return c, func() {}
	}
	f.Write(script)
	f.Close()
	c = startChild("CPython", exec.Command(exe, f.Name()))
	return c, func() {
		c.stop()
		os.Remove(f.Name())
	}
}
