package stream_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// TestMaxConnections: at the limit the server stops accepting; the next
// client waits, connected in the listen queue and not dropped, and is served
// as soon as a connection ends.
func TestMaxConnections(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		ex := run(t, func(ctx *asyncio.Ctx) error {
			srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
				s.WriteString("hello\n")
				if err := s.Drain(ctx); err != nil {
					return err
				}
				_, err := s.ReadLine(ctx) // until the client says bye or leaves
				if err == io.EOF {
					return nil
				}
				return err
			}, "127.0.0.1", 0, stream.WithMaxConnections(2))
			if err != nil {
				return err
			}
			defer srv.Close()
			addr := srv.Addr().String()
			return inThread(ctx, func() error {
				var conns []net.Conn
				defer func() {
					for _, c := range conns {
						c.Close()
					}
				}()
				hello := func(c net.Conn, within time.Duration) error {
					c.SetReadDeadline(time.Now().Add(within))
					line, err := bufio.NewReader(c).ReadString('\n')
					if err == nil && line != "hello\n" {
						return errors.New("got " + line)
					}
					return err
				}
				for i := range 3 {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						return err
					}
					conns = append(conns, c)
					if i < 2 {
						if err := hello(c, testLimit); err != nil {
							t.Errorf("client %d: %v", i+1, err)
						}
					}
				}
				// The third waits: no hello, and no end either.
				if err := hello(conns[2], 300*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("client 3 at the limit: %v, want to wait", err)
				}
				// The first says bye: the third is served.
				io.WriteString(conns[0], "bye\n")
				if err := hello(conns[2], testLimit); err != nil {
					t.Errorf("client 3 after one left: %v", err)
				}
				return nil
			})
		})
		if len(ex.list) > 0 {
			t.Errorf("reported: %v", ex.errs())
		}
	})
}

// TestHandshakeTimeout: clients that open a TLS connection and say nothing
// are disconnected after the handshake timeout, each without a goroutine
// or a task left behind.
func TestHandshakeTimeout(t *testing.T) {
	serverCfg, _ := testCerts(t)
	const n = 20
	const timeout = 200 * time.Millisecond
	run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			t.Error("the handler ran without a handshake")
			return nil
		}, "127.0.0.1", 0, stream.WithTLS(serverCfg), stream.WithHandshakeTimeout(timeout))
		if err != nil {
			return err
		}
		defer srv.Close()
		addr := srv.Addr().String()
		return inThread(ctx, func() error {
			var wg sync.WaitGroup
			begin := time.Now()
			for i := range n {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return err
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer c.Close()
					c.SetReadDeadline(time.Now().Add(10 * time.Second))
					_, err := c.Read(make([]byte, 1))
					if errors.Is(err, os.ErrDeadlineExceeded) {
						t.Errorf("client %d: still connected after 10 s", i)
					}
				}()
			}
			wg.Wait()
			if d := time.Since(begin); d < timeout {
				t.Errorf("disconnected after %v, before the timeout", d)
			}
			return nil
		})
	})
}

// TestServerDefaults: the defaults are the documented ones.
func TestServerDefaults(t *testing.T) {
	if stream.DefaultHandshakeTimeout != time.Minute || stream.DefaultMaxConnections != 1024 {
		t.Errorf("defaults %v, %d", stream.DefaultHandshakeTimeout, stream.DefaultMaxConnections)
	}
}

// TestReadTimeout: a read gets its time limit once, from when it begins, so
// that a client trickling a byte at a time cannot hold it; the read takes
// nothing, and the stream goes on.
func TestReadTimeout(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		run(t, func(ctx *asyncio.Ctx) error {
			s, peer := pair(t, ctx, stream.WithReadTimeout(150*time.Millisecond))
			defer s.Close()
			stop := make(chan struct{})
			trickled := make(chan struct{})
			go func() {
				defer close(trickled)
				for {
					select {
					case <-stop:
						return
					case <-time.After(30 * time.Millisecond):
					}
					if _, err := peer.Write([]byte("x")); err != nil {
						return
					}
				}
			}()
			begin := ctx.Loop().Time()
			_, err := s.ReadLine(ctx)
			close(stop)
			<-trickled
			if !errors.Is(err, stream.ErrReadTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("ReadLine of a trickle: %v, want ErrReadTimeout", err)
			}
			if d := ctx.Loop().Time() - begin; d < 150*time.Millisecond || d > 5*time.Second {
				t.Errorf("timed out after %v", d)
			}
			// Nothing was taken: the line, once finished, has every byte.
			peer.Write([]byte("\n"))
			line, err := s.ReadLine(ctx)
			if err != nil || len(line) < 3 || strings.Trim(string(line), "x") != "\n" {
				t.Errorf("the line after the timeout: %q, %v", line, err)
			}
			return nil
		})
	})
}

// TestPeerResetIsNotReported: a client that resets the connection while
// its handler drains is an expected event: nothing reaches the exception
// handler.
func TestPeerResetIsNotReported(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		handlerErr := make(chan error, 1)
		ex := run(t, func(ctx *asyncio.Ctx) error {
			srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
				if _, err := s.ReadLine(ctx); err != nil {
					return err
				}
				chunk := make([]byte, 64<<10)
				for {
					s.Write(chunk)
					if err := s.Drain(ctx); err != nil {
						handlerErr <- err
						return err
					}
				}
			}, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			addr := srv.Addr().String()
			if err := inThread(ctx, func() error {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return err
				}
				io.WriteString(c, "go\n")
				c.Read(make([]byte, 1024)) // the flood has begun
				c.(*net.TCPConn).SetLinger(0)
				return c.Close() // a reset
			}); err != nil {
				return err
			}
			srv.Close()
			return srv.WaitClosed(ctx)
		})
		err := <-handlerErr
		if err == nil {
			t.Fatal("the handler's drain did not fail")
		}
		if len(ex.list) > 0 {
			t.Errorf("the client's reset (%v) was reported: %v", err, ex.errs())
		}
	})
}
