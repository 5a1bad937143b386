package stream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// A client and a server on the same loop: the server answers each line in
// upper case.
func ExampleOpenConnection() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			for {
				line, err := s.ReadLine(ctx)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				s.Write(bytes.ToUpper(line))
				if err := s.Drain(ctx); err != nil {
					return err
				}
			}
		}, "127.0.0.1", 0) // port 0: any free port
		if err != nil {
			return err
		}
		defer srv.Close()

		s, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		defer s.Close()
		for _, msg := range []string{"hello\n", "asyncio streams\n"} {
			s.WriteString(msg)
			if err := s.Drain(ctx); err != nil {
				return err
			}
			reply, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("%q\n", reply)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// "HELLO\n"
	// "ASYNCIO STREAMS\n"
}

// A server whose handler greets each client; main closes the server after
// three clients and waits for it, as MicroPython's
//
//	server.close()
//	await server.wait_closed()
func ExampleStartServer() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		served := 0
		var srv *stream.Server
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			name, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(s, "hello, %s", name)
			if served++; served == 3 {
				srv.Close() // stop listening; this handler still finishes
			}
			return nil // the stream is closed, after what was written is sent
		}, "127.0.0.1", 0, stream.WithBacklog(5))
		if err != nil {
			return err
		}
		for _, name := range []string{"ada", "brian", "grace"} {
			c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			c.WriteString(name + "\n")
			reply, err := c.Read(ctx, -1) // until the server closes
			if err != nil {
				return err
			}
			fmt.Printf("%s", reply) // "hello, ada\n"
			c.Close()
		}
		return srv.WaitClosed(ctx)
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// hello, ada
	// hello, brian
	// hello, grace
}

// A stream over any io.ReadWriter, here one end of an in-memory pipe that
// stands for a serial line; a goroutine plays the device at the other end.
// Reading the UART is exactly like reading a socket, and the blinking task
// goes on meanwhile.
func ExampleNew() {
	uart, device := net.Pipe()
	go func() { // the device: answers each command, then hangs up
		defer device.Close()
		buf := make([]byte, 64)
		for _, answer := range []string{"temp 21.5\n", "humidity 40\n"} {
			if _, err := device.Read(buf); err != nil {
				return
			}
			device.Write([]byte(answer))
		}
	}()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		blinks := 0
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				blinks++
				if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
			}
		})
		s := stream.New(ctx.Loop(), uart)
		defer s.Close()
		for _, cmd := range []string{"T?\n", "H?\n"} {
			s.WriteString(cmd)
			if err := s.Drain(ctx); err != nil {
				return err
			}
			line, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("%s", line)
		}
		if _, err := s.ReadLine(ctx); err == io.EOF {
			fmt.Println("device hung up")
		}
		fmt.Println("blinked meanwhile:", blinks > 0)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// temp 21.5
	// humidity 40
	// device hung up
	// blinked meanwhile: true
}

// Length-prefixed frames: a 2-byte big-endian length, then the payload.
// ReadExactly returns io.EOF at a clean end between frames, and an error
// matching io.ErrUnexpectedEOF when a frame is cut.
func ExampleStream_ReadExactly() {
	here, there := net.Pipe()
	go func() {
		defer there.Close()
		for _, msg := range []string{"first", "second"} {
			binary.Write(there, binary.BigEndian, uint16(len(msg)))
			there.Write([]byte(msg))
		}
		there.Write([]byte{0, 9, 'c', 'u', 't'}) // announces 9 bytes, sends 3
	}()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := stream.New(ctx.Loop(), here)
		defer s.Close()
		for {
			header, err := s.ReadExactly(ctx, 2)
			if err == io.EOF {
				fmt.Println("clean end")
				return nil
			}
			if err != nil {
				return err
			}
			payload, err := s.ReadExactly(ctx, int(binary.BigEndian.Uint16(header)))
			var short *stream.ShortReadError
			if errors.As(err, &short) {
				fmt.Printf("cut frame: got %q of %d bytes\n", short.Got, short.Want)
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Printf("frame %q\n", payload)
		}
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// frame "first"
	// frame "second"
	// cut frame: got "cut" of 9 bytes
}

// An over-long line is an error, and the stream stays usable: the rest of
// that line is skipped.
func ExampleStream_ReadLine() {
	here, there := net.Pipe()
	go func() {
		defer there.Close()
		there.Write([]byte("short\n"))
		there.Write([]byte("this line is far too long\n"))
		there.Write([]byte("ok\n"))
	}()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := stream.New(ctx.Loop(), here, stream.WithMaxLine(10))
		defer s.Close()
		for {
			line, err := s.ReadLine(ctx)
			switch {
			case err == io.EOF:
				return nil
			case errors.Is(err, stream.ErrLineTooLong):
				fmt.Printf("too long, starts %q\n", line)
			case err != nil:
				return err
			default:
				fmt.Printf("line %q\n", line)
			}
		}
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// line "short\n"
	// too long, starts "this line "
	// line "ok\n"
}

// Every wait is cancellable, so a drain can be bounded with a timeout (a
// peer that does not read holds it back); what was written stays buffered
// and is sent once the peer reads.
func ExampleStream_Drain() {
	here, there := net.Pipe() // the far end reads nothing for a while
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := stream.New(ctx.Loop(), here)
		defer s.Abort()
		s.WriteString("hello")
		err := asyncio.WaitFor(ctx, 10*time.Millisecond, s.Drain)
		fmt.Println("drain:", err)
		go io.Copy(io.Discard, there) // now it reads
		fmt.Println("drain:", s.Drain(ctx))
		return nil
	})
	there.Close()
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// drain: asyncio: timeout: context deadline exceeded
	// drain: <nil>
}

// shouter is a Protocol that answers every line in capitals, and says
// goodbye when the peer is done.
type shouter struct {
	t    *stream.Transport
	line []byte
}

func (p *shouter) ConnectionMade(t *stream.Transport) { p.t = t }

// DataReceived may get a line in pieces, or several lines at once: it keeps
// what it has not answered (data is the loop's, only until it returns).
func (p *shouter) DataReceived(data []byte) {
	p.line = append(p.line, data...)
	for {
		i := bytes.IndexByte(p.line, '\n')
		if i < 0 {
			return
		}
		p.t.Write(bytes.ToUpper(p.line[:i+1]))
		p.line = p.line[i+1:]
	}
}

func (p *shouter) EOFReceived() bool {
	p.t.WriteString("BYE\n")
	return false // close, once that is sent
}

func (p *shouter) ConnectionLost(err error) { fmt.Println("server: connection lost:", err) }

// A server whose connections are served by callbacks, with no task per
// connection request: CPython's loop.create_server with an asyncio.Protocol.
func ExampleStartProtocolServer() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return &shouter{} }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("hello\nprotocols\n")
		c.CloseWrite()
		answer, err := c.Read(ctx, -1) // until the server closes
		if err != nil {
			return err
		}
		c.Close()
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil { // its connection's ConnectionLost included
			return err
		}
		fmt.Printf("client got:\n%s", answer)
		return nil
	})
	fmt.Println("Run:", err)
	// Output:
	// server: connection lost: <nil>
	// client got:
	// HELLO
	// PROTOCOLS
	// BYE
	// Run: <nil>
}

// greeter is a client Protocol: it sends its name once connected and keeps
// what the server answers.
type greeter struct {
	answer []byte
	done   asyncio.Event
}

func (g *greeter) ConnectionMade(t *stream.Transport) { t.WriteString("gopher\n") }
func (g *greeter) DataReceived(data []byte)           { g.answer = append(g.answer, data...) }
func (g *greeter) EOFReceived() bool                  { return false }
func (g *greeter) ConnectionLost(err error)           { g.done.Set() }

// A client whose connection is served by callbacks: CPython's
// loop.create_connection with an asyncio.Protocol, here against a stream
// server that greets whoever names itself.
func ExampleOpenProtocolConnection() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			name, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(s, "hello, %s", name)
			return nil // the stream is closed once the reply is sent
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer srv.Close()
		g := &greeter{}
		if _, err := stream.OpenProtocolConnection(ctx, "127.0.0.1", srv.Port(), g); err != nil {
			return err
		}
		if err := g.done.Wait(ctx); err != nil { // until ConnectionLost
			return err
		}
		fmt.Printf("%s", g.answer)
		return nil
	})
	fmt.Println("Run:", err)
	// Output:
	// hello, gopher
	// Run: <nil>
}
