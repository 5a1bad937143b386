package stream_test

import (
	"io"
	"net"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// benchRoundTrips measures round trips of 64 bytes between a plain Go
// client and the echo server at addr.
func benchRoundTrips(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 64)
	reply := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEchoRoundTrip is one connection's round trip through this
// library's echo server (ReadInto, Write, Drain), in process.
func BenchmarkEchoRoundTrip(b *testing.B) {
	addrs := make(chan string, 1)
	done := make(chan struct{})
	var loop *asyncio.Loop
	var srv *stream.Server
	go func() {
		defer close(done)
		asyncio.Run(func(ctx *asyncio.Ctx) error {
			var err error
			srv, err = stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
				buf := make([]byte, 16<<10)
				for {
					n, err := s.ReadInto(ctx, buf)
					if err != nil {
						return nil
					}
					s.Write(buf[:n])
					if err := s.Drain(ctx); err != nil {
						return nil
					}
				}
			}, "127.0.0.1", 0)
			if err != nil {
				b.Error(err)
				close(addrs)
				return nil
			}
			loop = ctx.Loop()
			addrs <- srv.Addr().String()
			return srv.WaitClosed(ctx)
		})
	}()
	addr, ok := <-addrs
	if !ok {
		return
	}
	benchRoundTrips(b, addr)
	b.StopTimer()
	loop.CallSoonThreadsafe(func() { srv.Close(); srv.AbortClients() })
	<-done
}

// BenchmarkEchoRoundTripGoroutine is the same through a goroutine per
// connection: the floor.
func BenchmarkEchoRoundTripGoroutine(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 16<<10)
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
	benchRoundTrips(b, ln.Addr().String())
	b.StopTimer()
	ln.Close()
	<-done
}
