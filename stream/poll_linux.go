//go:build linux

package stream

import (
	"os"
	"sync"
	"syscall"
)

// On Linux, plain TCP and Unix-domain streams are read on the loop itself,
// as MicroPython and CPython do: a read takes what the socket has with a
// non-blocking read(2), and when it has nothing the task waits for the
// socket to become readable. One epoll instance per loop, edge-triggered,
// says when; one goroutine per loop waits on it (through Go's network
// poller, so it holds no thread) and hands each batch of readiness events to
// the loop with a single Loop.CallSoonThreadsafe. Compared with a reader
// goroutine per connection this saves, per request, a goroutine wake-up and
// the read(2) that returns EAGAIN (with edge-triggered readiness, a short
// read means the socket was emptied of data: new data brings a new event;
// but an end of stream or an error already reported does not come again, so
// once an event says so the socket stays readable until a read returns it),
// and per connection a goroutine and its buffer. Data stays in the kernel until a task reads it, so a peer that
// sends faster than the stream is read is held back by TCP itself.

// epollET is EPOLLET as an event mask bit.
const epollET = 1 << 31

// poller is a loop's epoll instance and the goroutine that waits on it.
type poller struct {
	reg  *registry
	epfd int
	file *os.File // epfd, registered with Go's network poller
	rc   syscall.RawConn

	// Loop side: the streams registered, by slot, with a generation per
	// slot so that a late event for a stream that left is ignored.
	slots []*Stream
	gens  []int32
	free  []int32

	// Shared with the goroutine.
	mu       sync.Mutex
	pending  []syscall.EpollEvent
	spare    []syscall.EpollEvent
	onEvents func()
	once     sync.Once
}

// pollerFor returns the registry's poller, making it on first use; nil if
// epoll is unavailable or the loop is closing. It runs on the loop.
func (r *registry) pollerFor() *poller {
	r.mu.Lock()
	p, failed := r.poller, r.pollerFailed
	r.mu.Unlock()
	if p != nil || failed {
		return p
	}
	p = newPoller(r)
	r.mu.Lock()
	r.poller, r.pollerFailed = p, p == nil
	r.mu.Unlock()
	return p
}

func newPoller(r *registry) *poller {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil
	}
	f := os.NewFile(uintptr(epfd), "stream-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	if !r.goStart(true) {
		f.Close()
		return nil
	}
	p := &poller{reg: r, epfd: epfd, file: f, rc: rc}
	p.onEvents = p.dispatch
	go p.run()
	return p
}

// run is the poller goroutine. Its function never returns true while the
// loop lives: after handing a batch over it returns false, so that the
// runtime parks it until the epoll descriptor is readable again. Go's
// poller marks that readiness even if it comes while the goroutine is busy,
// so no event is lost between the epoll_wait and the park.
func (p *poller) run() {
	defer p.reg.goDone(true)
	buf := make([]syscall.EpollEvent, 256)
	p.rc.Read(func(fd uintptr) bool {
		for {
			n, err := syscall.EpollWait(int(fd), buf, 0)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				return false
			}
			p.mu.Lock()
			first := len(p.pending) == 0
			p.pending = append(p.pending, buf[:n]...)
			p.mu.Unlock()
			if first && p.reg.loop.CallSoonThreadsafe(p.onEvents) != nil {
				return true // the loop is closed
			}
			if n < len(buf) {
				return false // drained
			}
		}
	})
}

// dispatch runs on the loop: it marks each stream of the batch readable.
func (p *poller) dispatch() {
	p.mu.Lock()
	evs := p.pending
	p.pending, p.spare = p.spare, nil
	p.mu.Unlock()
	for _, e := range evs {
		i := int(e.Fd)
		if i < 0 || i >= len(p.slots) || p.gens[i] != e.Pad || p.slots[i] == nil {
			continue
		}
		p.slots[i].pollReady(e.Events&(syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) != 0)
	}
	p.mu.Lock()
	p.spare = evs[:0]
	p.mu.Unlock()
}

// add registers s's socket, edge-triggered; it reports false if it could
// not, and s then reads with a goroutine. It runs on the loop.
func (p *poller) add(s *Stream) bool {
	var i int32
	if n := len(p.free); n > 0 {
		i, p.free = p.free[n-1], p.free[:n-1]
	} else {
		i = int32(len(p.slots))
		p.slots = append(p.slots, nil)
		p.gens = append(p.gens, 0)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: i, Pad: p.gens[i]}
	var err error
	cerr := s.tr.raw.Control(func(fd uintptr) {
		err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if cerr != nil || err != nil {
		p.free = append(p.free, i)
		return false
	}
	p.slots[i] = s
	s.pslot = i
	return true
}

// remove unregisters s; it runs on the loop, before s's socket is closed.
func (p *poller) remove(s *Stream) {
	i := s.pslot
	if i < 0 || int(i) >= len(p.slots) || p.slots[i] != s {
		return
	}
	s.tr.raw.Control(func(fd uintptr) {
		syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	})
	p.slots[i] = nil
	p.gens[i]++
	p.free = append(p.free, i)
	s.pslot = -1
}

// shutdown closes the epoll descriptor, which ends the goroutine. Any
// goroutine may call it.
func (p *poller) shutdown() { p.once.Do(func() { p.file.Close() }) }

// rawReader reads a non-blocking socket on the loop without ever waiting.
// It is built once per stream so that a read allocates nothing.
type rawReader struct {
	rc  syscall.RawConn
	p   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func newRawReader(rc syscall.RawConn) *rawReader {
	r := &rawReader{rc: rc}
	r.fn = r.read
	return r
}

func (r *rawReader) read(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), r.p)
		if err == syscall.EINTR {
			continue
		}
		r.n, r.err = n, err
		return true // never wait: the loop must not block
	}
}

// tryRead reads what the socket has into p, without waiting: n > 0 bytes,
// or n == 0 and a nil error at the end of the stream, or wouldBlock when
// the socket has nothing now.
func (r *rawReader) tryRead(p []byte) (n int, wouldBlock bool, err error) {
	r.p = p
	if err := r.rc.Read(r.fn); err != nil {
		r.p = nil
		return 0, false, err
	}
	r.p = nil
	switch {
	case r.err == syscall.EAGAIN:
		return 0, true, nil
	case r.err != nil:
		return 0, false, r.err
	}
	return r.n, false, nil
}
