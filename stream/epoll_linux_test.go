//go:build linux

package stream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
)

// newTestEpoller returns an epoller outside any loop, closed when the test
// ends.
func newTestEpoller(t *testing.T) *epoller {
	t.Helper()
	p := newEpoller(&registry{})
	if p == nil {
		t.Skip("no epoll here")
	}
	t.Cleanup(p.close)
	return p
}

func TestEpollerWakeInterruptsPoll(t *testing.T) {
	p := newTestEpoller(t)
	woke := make(chan struct{})
	go func() {
		defer close(woke)
		time.Sleep(20 * time.Millisecond)
		p.Wake()
	}()
	start := time.Now()
	p.Poll(-1)
	if took := time.Since(start); took < 15*time.Millisecond || took > 5*time.Second {
		t.Errorf("Poll(-1) returned after %v; want when Wake came, 20 ms in", took)
	}
	// The Wake is done (its eventfd written) before the checks below.
	<-woke

	// A Wake before Poll is not lost: Poll returns at once.
	p.Wake()
	start = time.Now()
	p.Poll(time.Hour)
	if took := time.Since(start); took > time.Second {
		t.Errorf("Poll after Wake took %v; want at once", took)
	}
	// And it is used up: the next Poll waits for its timeout.
	start = time.Now()
	p.Poll(10 * time.Millisecond)
	if took := time.Since(start); took < 10*time.Millisecond {
		t.Errorf("Poll(10ms) after a used-up Wake returned after %v", took)
	}
}

// Wake from many goroutines at once, while the poller sleeps and while it
// does not: every Poll that follows a Wake returns.
func TestEpollerConcurrentWakes(t *testing.T) {
	p := newTestEpoller(t)
	for range 200 {
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.Wake()
			}()
		}
		p.Poll(5 * time.Second) // returns at the first Wake
		wg.Wait()
	}
	done := make(chan struct{})
	go func() {
		p.Wake()
		close(done)
	}()
	start := time.Now()
	p.Poll(5 * time.Second)
	<-done
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("a Wake was lost: Poll took %v", took)
	}
}

// Timeouts are honoured, never early, with nanosecond timeouts
// (epoll_pwait2) and with milliseconds rounded up (epoll_wait).
func TestEpollerTimeouts(t *testing.T) {
	p := newTestEpoller(t)
	for _, pwait2 := range []bool{true, false} {
		if pwait2 && !p.pwait2 {
			continue
		}
		p.pwait2 = pwait2
		for _, d := range []time.Duration{time.Millisecond, 1500 * time.Microsecond, 3 * time.Millisecond} {
			start := time.Now()
			p.Poll(d)
			took := time.Since(start)
			limit := d + 20*time.Millisecond // a loaded machine
			if took < d || took > limit {
				t.Errorf("pwait2 %v: Poll(%v) took %v", pwait2, d, took)
			}
		}
		start := time.Now()
		p.Poll(0)
		if took := time.Since(start); took > 10*time.Millisecond {
			t.Errorf("pwait2 %v: Poll(0) took %v", pwait2, took)
		}
	}
}

// On the loop: a 1 ms sleep is a 1 ms wait in epoll, not a spin, and not
// 2 ms.
func TestLoopSleepsInEpoll(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		r := registryOf(ctx.Loop())
		if r.ep == nil || ctx.Loop().Poller() != r.ep {
			t.Log("no epoll poller on the loop")
			return nil
		}
		const n = 21
		waits := r.ep.waits
		var took []time.Duration
		for range n {
			start := time.Now()
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		if took[0] < time.Millisecond {
			t.Errorf("a 1 ms sleep took %v", took[0])
		}
		// The fastest shows what the wait itself adds (a millisecond more
		// in every sleep would be a rounding error); the others what a
		// loaded machine adds.
		if took[0] > 1500*time.Microsecond {
			t.Errorf("1 ms sleeps took at least %v; want about 1 ms", took[0])
		}
		if med := took[n/2]; med > 5*time.Millisecond {
			t.Errorf("1 ms sleeps took %v (median); want about 1 ms", med)
		}
		if w := r.ep.waits - waits; w > 3*n {
			t.Errorf("%d sleeps of 1 ms took %d epoll waits: the loop spins", n, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A server with 100 idle connections costs no goroutine per connection
// for I/O: the handlers wait in the loop's epoll, and readiness wakes them
// on the loop. With goroutines each connection has its reader.
func TestIdleConnectionsHaveNoGoroutines(t *testing.T) {
	for _, onLoop := range []bool{true, false} {
		t.Run(fmt.Sprintf("loopIO=%v", onLoop), func(t *testing.T) {
			defer SetLoopIO(onLoop)()
			const n = 100
			err := asyncio.Run(func(ctx *asyncio.Ctx) error {
				waiting := 0
				var streams []*Stream
				srv, err := StartServer(ctx, func(ctx *asyncio.Ctx, s *Stream) error {
					streams = append(streams, s)
					waiting++
					line, err := s.ReadLine(ctx)
					waiting--
					if err != nil {
						return nil
					}
					s.Write(line)
					return s.Drain(ctx)
				}, "127.0.0.1", 0)
				if err != nil {
					return err
				}
				defer srv.Close()
				before := runtime.NumGoroutine()
				var conns []net.Conn
				defer func() {
					for _, c := range conns {
						c.Close()
					}
				}()
				for range n {
					c, err := net.Dial("tcp", srv.Addr().String()) // blocks the loop a moment: fine here
					if err != nil {
						return err
					}
					conns = append(conns, c)
				}
				for i := 0; waiting < n; i++ {
					if i > 5000 {
						return fmt.Errorf("%d of %d handlers are reading", waiting, n)
					}
					asyncio.Sleep(ctx, time.Millisecond)
				}
				// Each handler is a task, and a task's coroutine is a
				// goroutine (iter.Pull): n of them. I/O adds none on the
				// loop, and a reader goroutine per connection otherwise.
				added := runtime.NumGoroutine() - before
				if onLoop {
					if added > n+5 {
						t.Errorf("100 idle connections added %d goroutines; want %d for the tasks and none for I/O", added, n)
					}
					for _, s := range streams {
						if !onEpoll(s) {
							t.Fatalf("a stream of the server is not on the loop's epoll")
						}
					}
				} else if added < 2*n-5 { // -5: goroutines of the runtime come and go
					t.Errorf("with goroutines, 100 idle connections added %d goroutines; want two each (task, reader)", added)
				}
				// Readiness wakes the handler, which answers.
				c := conns[n/2]
				line := make(chan string, 1)
				go func() {
					c.Write([]byte("ping\n"))
					l, _ := bufio.NewReader(c).ReadString('\n')
					line <- l
				}()
				for i := 0; len(line) == 0; i++ {
					if i > 5000 {
						return fmt.Errorf("no answer")
					}
					asyncio.Sleep(ctx, time.Millisecond)
				}
				if l := <-line; l != "ping\n" {
					t.Errorf("answer %q", l)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// fdIsEpoll reports whether fd is open and an epoll instance.
func fdIsEpoll(fd int) bool {
	target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	return err == nil && target == "anon_inode:[eventpoll]"
}

// Closing the loop closes its epoll instance and its eventfd, and takes
// the poller off the loop.
func TestLoopCloseClosesEpoll(t *testing.T) {
	var epfd, wakefd int = -1, -1
	loop := asyncio.NewLoop()
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error {
		r := registryOf(ctx.Loop())
		if r.ep == nil {
			t.Error("no epoll poller on the loop")
			return nil
		}
		epfd, wakefd = r.ep.epfd, r.ep.wakefd
		if !fdIsEpoll(epfd) {
			t.Errorf("fd %d is not an epoll instance", epfd)
		}
		s, err := OpenConnection(ctx, "127.0.0.1", 1) // refused: no matter
		if err == nil {
			s.Close()
		}
		return nil
	})
	if err := loop.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if loop.Poller() == nil {
		t.Fatal("no poller on the loop while it lives")
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}
	if epfd < 0 {
		return
	}
	if loop.Poller() != nil {
		t.Error("the poller is still on the closed loop")
	}
	if fdIsEpoll(epfd) {
		t.Errorf("epoll fd %d still open after Close", epfd)
	}
	if _, err := fcntlGetfd(wakefd); err == nil {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", wakefd)); target == "anon_inode:[eventfd]" {
			t.Errorf("eventfd %d still open after Close", wakefd)
		}
	}
}

func fcntlGetfd(fd int) (uintptr, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// chanPoller is a user's Poller.
type chanPoller struct{ wake chan struct{} }

func (p *chanPoller) Poll(timeout time.Duration) {
	switch {
	case timeout < 0:
		<-p.wake
	case timeout == 0:
		select {
		case <-p.wake:
		default:
		}
	default:
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case <-p.wake:
		case <-t.C:
		}
	}
}

func (p *chanPoller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// A Poller set by the user stays: the streams then use goroutines.
func TestUserPollerIsKept(t *testing.T) {
	user := &chanPoller{wake: make(chan struct{}, 1)}
	loop := asyncio.NewLoop()
	loop.SetPoller(user)
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error {
		srv, err := StartServer(ctx, func(ctx *asyncio.Ctx, s *Stream) error {
			if onEpoll(s) {
				t.Error("a stream uses the package's epoll beside the user's poller")
			}
			line, err := s.ReadLine(ctx)
			if err != nil {
				return nil
			}
			s.Write(line)
			return s.Drain(ctx)
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer srv.Close()
		c, err := OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		defer c.Close()
		c.WriteString("hello\n")
		line, err := c.ReadLine(ctx)
		if string(line) != "hello\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		return nil
	})
	if err := loop.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if loop.Poller() != user {
		t.Error("the user's poller was replaced")
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}
}

// Loop.Close closes the streams as soon as it begins (here, on the loop's
// epoll), so a goroutine of ToThread blocked on the far end of one of them
// ends, and Close returns.
func TestLoopCloseEndsThreadsBlockedOnStreams(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			c, peer, err := tcpPair(t)
			if err != nil {
				return err
			}
			New(ctx.Loop(), c) // left open
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return asyncio.ToThread(ctx, func(context.Context) error {
					_, err := peer.Read(make([]byte, 1)) // until the stream closes
					return err
				})
			})
			return asyncio.Sleep(ctx, 20*time.Millisecond)
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the loop's Close hangs on a thread that waits for one of its streams")
	}
}

// A stream whose connection was closed under it (as the loop's shutdown
// closes them all, or as a caller of New may close its own connection)
// never reads or writes the descriptor number again: the kernel may already
// have given it to another file.
func TestClosedTransportDescriptorIsNotReused(t *testing.T) {
	for _, owned := range []bool{true, false} {
		t.Run(fmt.Sprintf("owned=%v", owned), func(t *testing.T) {
			testClosedTransportDescriptorIsNotReused(t, owned)
		})
	}
}

func testClosedTransportDescriptorIsNotReused(t *testing.T, owned bool) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		c, _, err := tcpPair(t)
		if err != nil {
			return err
		}
		var s *Stream
		if owned { // as StartServer and OpenConnection make them
			s = newStream(ctx.Loop(), registryOf(ctx.Loop()), c, true, buildOptions(nil))
		} else {
			s = New(ctx.Loop(), c)
		}
		if !onEpoll(s) {
			t.Fatal("the stream is not on the loop's epoll")
		}
		if (s.link.sysfd >= 0) != owned {
			t.Fatalf("owned %v, yet the raw descriptor is %d", owned, s.link.sysfd)
		}
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
			return err
		}
		defer syscall.Close(p[0])
		defer syscall.Close(p[1])
		var fd int
		s.link.raw.Control(func(f uintptr) { fd = int(f) })
		if owned {
			s.link.shutdown() // closed under the stream, as at the loop's shutdown
		} else {
			c.Close() // closed by its owner behind the stream's back
		}
		// The lowest free descriptor is the one just closed: the
		// pipe's writing end takes it again.
		w, err := syscall.Dup(p[1])
		if err != nil {
			return err
		}
		defer syscall.Close(w)
		if w != fd {
			t.Skipf("the duplicate got descriptor %d, not %d", w, fd)
		}
		if _, err := s.Write([]byte("stray")); err == nil {
			t.Error("Write on a closed connection succeeded")
		}
		if n, _ := syscall.Read(p[0], make([]byte, 8)); n > 0 {
			t.Errorf("%d bytes went to the pipe that took the descriptor", n)
		}
		if n, err := s.ReadInto(ctx, make([]byte, 8)); err == nil {
			t.Errorf("ReadInto on a closed connection read %d bytes", n)
		}
		s.Abort()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Handing the connection out (ExtraInfo) stops the raw system calls: its
// new holder may close it.
func TestHandedOutConnectionIsNotUsedRaw(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := StartServer(ctx, func(ctx *asyncio.Ctx, s *Stream) error {
			if s.link.sysfd < 0 {
				t.Error("a server's stream does not use its descriptor directly")
			}
			if _, ok := s.ExtraInfo("conn").(*net.TCPConn); !ok {
				t.Error(`ExtraInfo("conn") is not the *net.TCPConn`)
			}
			if s.link.sysfd >= 0 {
				t.Error("the descriptor is still used directly after the connection was handed out")
			}
			line, err := s.ReadLine(ctx) // through the connection now
			if err != nil {
				return err
			}
			s.Write(line)
			return s.Drain(ctx)
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer srv.Close()
		c, err := OpenConnection(ctx, "127.0.0.1", srv.Addr().(*net.TCPAddr).Port)
		if err != nil {
			return err
		}
		defer c.Close()
		if c.link.sysfd < 0 {
			t.Error("a client's stream does not use its descriptor directly")
		}
		c.Write([]byte("ping\n"))
		got, err := c.ReadLine(ctx)
		if err != nil || string(got) != "ping\n" {
			t.Errorf("echo: %q, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tcpPair returns the two ends of a loopback TCP connection; the peer is
// closed at the end of the test.
func tcpPair(t *testing.T) (c, peer net.Conn, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	if c, err = net.Dial("tcp", ln.Addr().String()); err != nil {
		return nil, nil, err
	}
	if peer, err = ln.Accept(); err != nil {
		c.Close()
		return nil, nil, err
	}
	t.Cleanup(func() { peer.Close() })
	return c, peer, nil
}

// Handing out the connection of a stream whose writer goroutine is closing
// it races with nothing (run with -race).
func TestHandOutWhileTheWriterCloses(t *testing.T) {
	defer SetLoopIO(false)()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		c, peer, err := tcpPair(t)
		if err != nil {
			return err
		}
		s := New(ctx.Loop(), c)
		s.Write(make([]byte, 8<<20)) // more than the kernel takes at once
		s.Close()                    // left to the writer goroutine
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		if _, ok := s.ExtraInfo("conn").(*net.TCPConn); !ok {
			t.Error(`ExtraInfo("conn") is not the *net.TCPConn`)
		}
		go io.Copy(io.Discard, peer) // now the writer can finish, and close
		return s.WaitClosed(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// onEpoll reports whether s is read and written on the loop's epoll.
func onEpoll(s *Stream) bool {
	_, ok := s.t.(*pollTransport)
	return ok
}

// A signal that interrupts the wait (here SIGURG, the runtime's own
// preemption signal, sent to the waiting thread) does not end Poll before
// its timeout.
func TestEpollerPollOutlastsSignals(t *testing.T) {
	testenv.SkipIfEmulated(t, "signals to one thread of the emulated process")
	p := newTestEpoller(t)
	tids := make(chan int, 1)
	took := make(chan time.Duration, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		start := time.Now()
		p.Poll(100 * time.Millisecond)
		took <- time.Since(start)
	}()
	tid := <-tids
	for range 5 {
		time.Sleep(10 * time.Millisecond)
		syscall.Tgkill(syscall.Getpid(), tid, syscall.SIGURG)
	}
	if d := <-took; d < 100*time.Millisecond {
		t.Errorf("Poll(100ms) returned after %v, with signals arriving every 10 ms", d)
	}
}
