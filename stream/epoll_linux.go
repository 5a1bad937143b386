//go:build linux

package stream

import (
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// On Linux the loop itself waits in epoll, as MicroPython's waits in
// select.poll and CPython's in its selector: the package installs, on each
// loop that has streams, an asyncio.Poller over one epoll instance. Plain TCP
// and Unix-domain streams register their sockets there (edge-triggered, for
// reading and writing) and read and write them with non-blocking calls on
// the loop's goroutine; a socket that has nothing to give, or takes nothing
// more, makes the task wait until the loop's epoll_wait says it is ready,
// and the loop then wakes that task directly: no goroutine per connection,
// no hand-off between goroutines. An eventfd in the same epoll set carries
// the wake-ups of other goroutines (Loop.CallSoonThreadsafe and the like).

// epollET is EPOLLET as an event mask bit.
const epollET = 1 << 31

// wakeSlot marks the eventfd's events.
const wakeSlot = -1

// pollSlot is what is registered in one slot, and the slot's generation.
type pollSlot struct {
	it  pollable
	gen int32
}

// epoller is a loop's Poller: its epoll instance and the sockets registered
// in it (streams, and listeners of servers).
type epoller struct {
	reg    *registry
	epfd   int
	wakefd int  // eventfd: Wake writes it, Poll reads it
	pwait2 bool // epoll_pwait2 works: timeouts in nanoseconds
	ts     kernelTimespec
	events []syscall.EpollEvent

	// Loop side: what is registered, by slot, with a generation per slot
	// so that an event for something that left is ignored.
	slots []pollSlot
	free  []int32

	// Loop side: tasks waiting for a socket, and the loop held alive for
	// them (see hold).
	waiters int
	release func()
	fresh   bool      // the last Poll waited, and no Poll(0) came since
	shut    bool      // the loop is closing and its members were closed
	waits   int       // epoll_wait calls (tests count them)
	polls   int       // Polls since the last yield to the scheduler
	yielded time.Time // when the loop last yielded to the scheduler

	// Shared with other goroutines. pending says a Wake came that the next
	// Poll must not sleep through; sleeping says Poll is, or is about to
	// be, in epoll_wait, so that Wake must write the eventfd. Each side
	// stores its own flag before it reads the other's, so that at least
	// one of them sees the other.
	pending  atomic.Bool
	sleeping atomic.Bool
	mu       sync.RWMutex // Wake's write against close
	closed   bool
}

// newEpoller makes a loop's poller; nil if the system refuses.
func newEpoller(r *registry) *epoller {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	wfd, _, errno := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(epfd)
		return nil
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeSlot}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(wfd), &ev); err != nil {
		syscall.Close(int(wfd))
		syscall.Close(epfd)
		return nil
	}
	p := &epoller{reg: r, epfd: epfd, wakefd: int(wfd), events: make([]syscall.EpollEvent, 256)}
	if sysEpollPwait2 != 0 {
		// Linux 5.11 and later; an emulator may lack it.
		_, _, errno := syscall.Syscall6(sysEpollPwait2, uintptr(epfd), uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), uintptr(unsafe.Pointer(&p.ts)), 0, 0)
		p.pwait2 = errno == 0
	}
	return p
}

// Poll waits in epoll_wait until a socket is ready, Wake is called, or
// timeout has passed (forever if negative), and wakes the tasks waiting for
// the sockets that are ready. It runs on the loop's goroutine.
func (p *epoller) Poll(timeout time.Duration) {
	if !p.shut && p.reg.loop != nil && p.reg.loop.Closing() {
		// Loop.Close has begun and cancelled every task: close every
		// stream and server now, so that nothing, a goroutine of
		// ToThread included, waits for them while the tasks unwind.
		p.shut = true
		p.reg.shutdownMembers()
	}
	if timeout == 0 && p.fresh {
		// The busy loop's poll, right after a wait that just made
		// tasks ready: nothing can be gained from another epoll_wait
		// before they have run.
		p.fresh = false
		return
	}
	p.fresh = timeout != 0
	if p.polls++; timeout == 0 || p.polls >= yieldPolls {
		p.yieldNow()
	}
	if timeout != 0 {
		if p.waiters == 0 && p.release != nil {
			// No task waits for a socket: let go of the loop, and let
			// the loop look again (it may now be done, or deadlocked).
			p.letGo()
			return
		}
		p.sleeping.Store(true)
		if p.pending.Load() {
			timeout = 0
		}
	}
	n := p.wait(timeout)
	if timeout != 0 {
		p.sleeping.Store(false)
	}
	p.pending.Store(false)
	p.reg.batchOpen = false // this poll's deliveries are a batch of their own
	p.dispatch(n)
	for n == len(p.events) {
		// A full batch: there may be more ready now.
		n = p.wait(0)
		p.dispatch(n)
	}
	p.reg.batchOpen = false // nothing joins a batch outside a poll
}

// The loop goroutine never parks in the scheduler: it waits in epoll_wait
// and switches to its tasks' coroutines directly. Go's runtime then sees one
// goroutine holding its P for ever, and from 10 ms on (forcePreemptNS) its
// monitor takes the P away at every wait in the system call, which wakes
// another thread and moves the loop from thread to thread: a futex wake-up
// per request; and while the loop is busy it preempts it with a signal
// every 10 ms. Yielding to the scheduler now and then (runtime.Gosched,
// about every millisecond, which costs well under a microsecond) shows the
// runtime that the goroutine takes turns, and the loop keeps its thread.
// The clock is read at every busy round's Poll(0), and at every 16th Poll
// otherwise.
const (
	yieldPolls  = 16
	yieldPeriod = time.Millisecond
)

func (p *epoller) yieldNow() {
	p.polls = 0
	if now := time.Now(); now.Sub(p.yielded) >= yieldPeriod {
		p.yielded = now
		runtime.Gosched()
	}
}

// wait is one epoll_wait; it returns how many events it stored (0 on an
// error). A signal that ends the wait early (EINTR: the runtime's
// preemption, a profiler's) does not end the timeout: the wait goes on for
// what is left of it, so that Poll does not return before a Wake, an event
// or its time.
func (p *epoller) wait(timeout time.Duration) int {
	var start time.Time
	if timeout > 0 {
		start = time.Now()
	}
	for left := timeout; ; {
		n, errno := p.waitFor(left, p.pwait2)
		if errno == 0 {
			return n
		}
		if errno != syscall.EINTR {
			return 0
		}
		if timeout > 0 {
			if left = timeout - time.Since(start); left <= 0 {
				return 0
			}
		}
	}
}

// kernelTimespec is the kernel's struct __kernel_timespec, 64-bit on every
// architecture (unlike syscall.Timespec).
type kernelTimespec struct {
	sec  int64
	nsec int64
}

// waitFor calls epoll_pwait2 (nanosecond timeouts) if pwait2, epoll_wait
// otherwise, whose millisecond timeout is rounded up so that a timer never
// fires early. It returns the number of events, or the call's error.
func (p *epoller) waitFor(timeout time.Duration, pwait2 bool) (int, syscall.Errno) {
	p.waits++
	evs := unsafe.Pointer(&p.events[0])
	if pwait2 && timeout != 0 {
		var ts unsafe.Pointer // nil: no limit
		if timeout > 0 {
			p.ts = kernelTimespec{sec: int64(timeout / time.Second), nsec: int64(timeout % time.Second)}
			ts = unsafe.Pointer(&p.ts)
		}
		n, _, errno := syscall.Syscall6(sysEpollPwait2, uintptr(p.epfd), uintptr(evs), uintptr(len(p.events)), uintptr(ts), 0, 0)
		return int(n), errno
	}
	if timeout == 0 {
		// A poll that does not wait returns at once: no need to tell the
		// scheduler of a system call (see sockIO.do).
		n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(p.epfd), uintptr(evs), uintptr(len(p.events)), 0, 0, 0)
		return int(n), errno
	}
	ms := -1
	if timeout >= 0 {
		ms = int(min((timeout+time.Millisecond-1)/time.Millisecond, 1<<30))
	}
	n, _, errno := syscall.Syscall6(syscall.SYS_EPOLL_PWAIT, uintptr(p.epfd), uintptr(evs), uintptr(len(p.events)), uintptr(ms), 0, 0)
	return int(n), errno
}

// dispatch handles the first n events of the last wait.
func (p *epoller) dispatch(n int) {
	for i := range n {
		e := &p.events[i]
		slot := int(e.Fd)
		if slot == wakeSlot {
			var buf [8]byte
			syscall.Read(p.wakefd, buf[:])
			continue
		}
		if slot < 0 || slot >= len(p.slots) || p.slots[slot].gen != e.Pad || p.slots[slot].it == nil {
			continue
		}
		p.slots[slot].it.pollEvent(e.Events)
	}
}

// Wake makes the current or next Poll return. Any goroutine may call it; it
// costs a write only when the loop sleeps in epoll_wait.
func (p *epoller) Wake() {
	if p.pending.Swap(true) {
		return // a wake-up is on its way
	}
	if !p.sleeping.Load() {
		return // the next Poll sees pending
	}
	p.mu.RLock()
	if !p.closed {
		one := uint64(1)
		syscall.Write(p.wakefd, (*[8]byte)(unsafe.Pointer(&one))[:])
	}
	p.mu.RUnlock()
}

// close releases the epoll instance and the eventfd; the loop no longer
// polls.
func (p *epoller) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	syscall.Close(p.epfd)
	syscall.Close(p.wakefd)
}

// hold counts a task that waits for a socket. While one does, the loop is
// held alive (Loop.KeepAlive), so that it waits for the socket instead of
// reporting a deadlock. The hold is let go lazily, by a Poll that would
// sleep with no task waiting, so that a task waiting for request after
// request takes it once.
func (p *epoller) hold() {
	p.waiters++
	if p.release == nil {
		p.release = p.reg.loop.KeepAlive()
	}
}

// unhold ends a wait counted by hold.
func (p *epoller) unhold() { p.waiters-- }

// letGo releases the loop held by hold.
func (p *epoller) letGo() {
	if release := p.release; release != nil {
		p.release = nil
		release()
	}
}

// register adds a socket to the epoll set, for events; it returns its slot,
// or false if it could not. It runs on the loop.
func (p *epoller) register(it pollable, rc syscall.RawConn, events uint32) (int32, bool) {
	var i int32
	if n := len(p.free); n > 0 {
		i, p.free = p.free[n-1], p.free[:n-1]
	} else {
		i = int32(len(p.slots))
		p.slots = append(p.slots, pollSlot{})
	}
	ev := syscall.EpollEvent{Events: events, Fd: i, Pad: p.slots[i].gen}
	var err error
	cerr := rc.Control(func(fd uintptr) {
		err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if cerr != nil || err != nil {
		p.free = append(p.free, i)
		return -1, false
	}
	p.slots[i].it = it
	return i, true
}

// unregister removes the socket of slot i from the epoll set; it runs on
// the loop, before the socket is closed.
func (p *epoller) unregister(i int32, rc syscall.RawConn) {
	if i < 0 || int(i) >= len(p.slots) || p.slots[i].it == nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	})
	p.slots[i].it = nil
	p.slots[i].gen++
	p.free = append(p.free, i)
}

// ---- Servers ----

// listenOnLoop makes the server accept on the loop: its listener joins the
// loop's epoll set (level-triggered), and the loop accepts when it is
// readable, with no accept goroutine. It reports false if that cannot be,
// and the server then accepts with a goroutine. A listening server holds
// the loop.
func (srv *Server) listenOnLoop() bool {
	ep := srv.reg.ep
	tl, ok := srv.ln.(*net.TCPListener)
	if ep == nil || !ok {
		return false
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return false
	}
	srv.lrc = rc
	srv.acceptFn = srv.accept4
	if srv.pslot, ok = ep.register(srv, rc, syscall.EPOLLIN); !ok {
		return false
	}
	srv.pl = ep
	ep.hold()
	return true
}

// unlisten takes the listener out of the loop's epoll set and lets go of
// the loop; it runs on the loop, before the listener is closed.
func (srv *Server) unlisten() {
	if srv.pl == nil {
		return
	}
	srv.pl.unregister(srv.pslot, srv.lrc)
	srv.pslot = -1
	if srv.retry != nil {
		srv.retry.Cancel()
		srv.retry = nil
	}
	srv.pl.unhold()
	srv.pl = nil
}

// acceptBatch bounds the connections accepted per readiness of the
// listener, so that a flood of connections does not hold up the tasks; the
// listener, level-triggered, says again that more are waiting.
const acceptBatch = 64

// pollEvent accepts the connections that wait, each served by a task.
func (srv *Server) pollEvent(uint32) {
	for range acceptBatch {
		if srv.closed || srv.pslot < 0 {
			return
		}
		if len(srv.conns) >= srv.o.maxConns {
			// At WithMaxConnections: stop listening until one ends
			// (uncap); clients wait in the listen queue.
			srv.pl.unregister(srv.pslot, srv.lrc)
			srv.pslot = -1
			srv.capped = true
			return
		}
		srv.afd, srv.aerr = -1, syscall.EAGAIN
		// A listener's RawConn has Control only (no Read).
		if err := srv.lrc.Control(srv.acceptFn); err != nil {
			return // the listener is closed
		}
		switch srv.aerr {
		case nil:
		case syscall.EAGAIN:
			return
		case syscall.ECONNABORTED:
			continue
		default:
			srv.pauseAccept(srv.aerr)
			return
		}
		// A blocking descriptor, so that os.NewFile leaves it alone;
		// net.FileConn makes a non-blocking duplicate, a *net.TCPConn
		// set up as Accept's (no delay, keep-alive).
		f := os.NewFile(uintptr(srv.afd), "")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			srv.pauseAccept(err)
			return
		}
		srv.backoff = 0
		srv.spawn(c)
	}
}

// accept4 takes one connection from the listener, without waiting (the
// listener is non-blocking).
func (srv *Server) accept4(fd uintptr) {
	for {
		nfd, _, err := syscall.Accept4(int(fd), syscall.SOCK_CLOEXEC)
		if err == syscall.EINTR {
			continue
		}
		srv.afd, srv.aerr = nfd, err
		return
	}
}

// pauseAccept stops accepting for a while after a failure (too many open
// files, and the like), as the accept goroutine and net/http do, and
// reports the first failure of a run.
func (srv *Server) pauseAccept(err error) {
	if srv.backoff == 0 {
		srv.backoff = 5 * time.Millisecond
		srv.report(err)
	} else {
		srv.backoff = min(2*srv.backoff, time.Second)
	}
	srv.pl.unregister(srv.pslot, srv.lrc)
	srv.pslot = -1
	srv.retry = srv.loop.CallLater(srv.backoff, srv.resumeAccept)
}

// uncap listens again once a connection has ended at WithMaxConnections;
// it runs on the loop.
func (srv *Server) uncap() {
	if !srv.capped || len(srv.conns) >= srv.o.maxConns {
		return
	}
	srv.capped = false
	if srv.retry == nil { // else resumeAccept will
		srv.resumeAccept()
	}
}

// resumeAccept listens again after pauseAccept.
func (srv *Server) resumeAccept() {
	srv.retry = nil
	if srv.closed || srv.pl == nil || srv.capped {
		return
	}
	var ok bool
	if srv.pslot, ok = srv.pl.register(srv, srv.lrc, syscall.EPOLLIN); !ok {
		srv.pslot = -1
		srv.report(ErrClosed)
		srv.Close()
	}
}

// rawIO makes a read(2), or a write(2) if write, of p on fd without
// telling the scheduler, retrying when a signal interrupts it: only for a
// call that cannot wait (a non-blocking socket).
func rawIO(write bool, fd int, p []byte) (int, syscall.Errno) {
	trap := uintptr(syscall.SYS_READ)
	if write {
		trap = syscall.SYS_WRITE
	}
	for {
		r1, _, errno := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if errno != syscall.EINTR {
			return int(r1), errno
		}
	}
}
