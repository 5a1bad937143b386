package stream_test

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

func runUDP(t *testing.T, fn func(ctx *asyncio.Ctx) error) {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("skipped: no UDP sockets on " + runtime.GOOS)
	}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error { return asyncio.WaitFor(ctx, testLimit, fn) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestUDPUnconnectedEcho(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		runUDP(t, func(ctx *asyncio.Ctx) error {
			srv, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			defer srv.Close()
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				buf := make([]byte, stream.MaxDatagram)
				for {
					n, from, err := srv.RecvFrom(ctx, buf)
					if err != nil {
						return nil
					}
					if err := srv.SendTo(ctx, append([]byte("echo "), buf[:n]...), from); err != nil {
						return err
					}
				}
			})
			cl, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			defer cl.Close()
			if cl.Connected() || cl.LocalAddr().Port() == 0 {
				t.Errorf("unconnected endpoint: connected %v, local %v", cl.Connected(), cl.LocalAddr())
			}
			buf := make([]byte, 100)
			for i := range 50 {
				msg := fmt.Sprint("ping ", i)
				if err := cl.SendTo(ctx, []byte(msg), srv.LocalAddr()); err != nil {
					return err
				}
				n, from, err := cl.RecvFrom(ctx, buf)
				if err != nil {
					return err
				}
				if string(buf[:n]) != "echo "+msg || from != srv.LocalAddr() {
					t.Fatalf("got %q from %v, want %q from %v", buf[:n], from, "echo "+msg, srv.LocalAddr())
				}
			}
			if err := cl.Send(ctx, []byte("x")); !errors.Is(err, stream.ErrNotConnected) {
				t.Errorf("Send unconnected: %v", err)
			}
			return nil
		})
	})
}

func TestUDPConnected(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		runUDP(t, func(ctx *asyncio.Ctx) error {
			srv, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			defer srv.Close()
			cl, err := stream.OpenDatagramEndpoint(ctx, "", srv.LocalAddr().String())
			if err != nil {
				return err
			}
			defer cl.Close()
			if !cl.Connected() || cl.RemoteAddr() != srv.LocalAddr() {
				t.Errorf("connected endpoint: remote %v", cl.RemoteAddr())
			}
			if err := cl.Send(ctx, []byte("hello")); err != nil {
				return err
			}
			buf := make([]byte, 3) // shorter than the datagram: cut
			n, from, err := srv.RecvFrom(ctx, buf)
			if err != nil || string(buf[:n]) != "hel" || from != cl.LocalAddr() {
				t.Errorf("server got %q from %v, %v", buf[:n], from, err)
			}
			// A stranger's datagram does not reach a connected endpoint.
			stranger, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			defer stranger.Close()
			stranger.SendTo(ctx, []byte("stranger"), cl.LocalAddr())
			srv.SendTo(ctx, []byte("peer"), cl.LocalAddr())
			buf = make([]byte, 100)
			n, err = cl.Recv(ctx, buf)
			if err != nil || string(buf[:n]) != "peer" {
				t.Errorf("connected endpoint got %q, %v", buf[:n], err)
			}
			if err := cl.SendTo(ctx, []byte("x"), stranger.LocalAddr()); !errors.Is(err, stream.ErrConnected) {
				t.Errorf("SendTo another address: %v", err)
			}
			return nil
		})
	})
}

// TestUDPCancelAndClose: a cancelled receive loses nothing, and Close wakes
// a waiting receive.
func TestUDPCancelAndClose(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		runUDP(t, func(ctx *asyncio.Ctx) error {
			a, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			b, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
			if err != nil {
				return err
			}
			defer b.Close()
			buf := make([]byte, 100)
			err = asyncio.WaitFor(ctx, 20*time.Millisecond, func(ctx *asyncio.Ctx) error {
				_, _, err := a.RecvFrom(ctx, buf)
				return err
			})
			if !errors.Is(err, asyncio.ErrTimeout) {
				t.Errorf("RecvFrom in WaitFor: %v", err)
			}
			b.SendTo(ctx, []byte("after the timeout"), a.LocalAddr())
			n, _, err := a.RecvFrom(ctx, buf)
			if err != nil || string(buf[:n]) != "after the timeout" {
				t.Errorf("after a cancelled receive: %q, %v", buf[:n], err)
			}
			waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, _, err := a.RecvFrom(ctx, buf)
				return err
			})
			asyncio.Sleep(ctx, 10*time.Millisecond)
			a.Close()
			if err := waiter.Await(ctx); !errors.Is(err, stream.ErrClosed) {
				t.Errorf("RecvFrom across Close: %v", err)
			}
			if err := a.SendTo(ctx, []byte("x"), b.LocalAddr()); !errors.Is(err, stream.ErrClosed) {
				t.Errorf("SendTo after Close: %v", err)
			}
			return nil
		})
	})
}

// TestUDPLoopBroadcast: endpoints sharing a port on the loopback broadcast
// address each get a broadcast, and answer the sender.
func TestUDPLoopbackBroadcast(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: the loopback broadcast address 127.255.255.255 is Linux's")
	}
	bothPaths(t, func(t *testing.T) {
		runUDP(t, func(ctx *asyncio.Ctx) error {
			probe, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "", stream.WithBroadcast())
			if err != nil {
				return err
			}
			defer probe.Close()
			first, err := stream.OpenDatagramEndpoint(ctx, "127.255.255.255:0", "", stream.WithReusePort())
			if err != nil {
				return err
			}
			port := first.LocalAddr().Port()
			listeners := []*stream.Endpoint{first}
			second, err := stream.OpenDatagramEndpoint(ctx, fmt.Sprintf("127.255.255.255:%d", port), "", stream.WithReusePort())
			if err != nil {
				return err
			}
			listeners = append(listeners, second)
			to := netip.AddrPortFrom(netip.MustParseAddr("127.255.255.255"), port)
			if err := probe.SendTo(ctx, []byte("who is there?"), to); err != nil {
				return err
			}
			for i, l := range listeners {
				buf := make([]byte, 100)
				n, from, err := l.RecvFrom(ctx, buf)
				if err != nil || string(buf[:n]) != "who is there?" || from != probe.LocalAddr() {
					t.Errorf("listener %d: %q from %v, %v", i, buf[:n], from, err)
				}
				l.Close()
			}
			return nil
		})
	})
}

// TestUDPConnectionRefused: on the loop's epoll a connected endpoint
// reports the ICMP port unreachable of a peer that is not there.
func TestUDPConnectionRefused(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: ICMP errors are reported on Linux's epoll path")
	}
	runUDP(t, func(ctx *asyncio.Ctx) error {
		gone, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		addr := gone.LocalAddr()
		gone.Close()
		cl, err := stream.OpenDatagramEndpoint(ctx, "", addr.String())
		if err != nil {
			return err
		}
		defer cl.Close()
		cl.Send(ctx, []byte("anyone?"))
		buf := make([]byte, 10)
		err = asyncio.WaitFor(ctx, 2*time.Second, func(ctx *asyncio.Ctx) error {
			_, err := cl.Recv(ctx, buf)
			return err
		})
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("Recv from a closed port: %v", err)
		}
		return nil
	})
}
