package main

import (
	"fmt"
	"iter"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// listenBacklog is the backlog net.Listen gives the other Go servers: the
// kernel's limit, net.core.somaxconn.
func listenBacklog() int {
	if b, err := os.ReadFile("/proc/sys/net/core/somaxconn"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return n
		}
	}
	return syscall.SOMAXCONN
}

// serveBare is the floor of a one-thread event loop: one epoll set,
// level-triggered, and for each readable socket the read and the write
// this library's server makes per request, raw, on the goroutine that
// waits, with no scheduler, no tasks and no buffering of its own. (The
// library's set is edge-triggered and also watches for writability, and
// its loop polls the set once per busy round: bookkeeping this floor
// skips.) What this library's server spends in user space above it is the
// library's own work per round trip. It serves until stop is closed.
func serveBare(ready func(addr string), stop <-chan struct{}) error {
	bufs := map[int][]byte{}
	return bareLoop(ready, stop, syscall.EPOLLIN, func(fd int) {
		bufs[fd] = make([]byte, echoBuf)
	}, func(fd int) bool {
		if !echoOnce(fd, bufs[fd]) {
			delete(bufs, fd)
			return false
		}
		return true
	})
}

// serveBareTasks is the floor of a task per connection: the bare loop, but
// each connection served by a coroutine of its own (iter.Pull, which this
// library's tasks are made of) that reads, writes, and yields back to the
// loop when its socket is empty; the loop resumes it when epoll says the
// socket is readable (edge-triggered, as the library's). No scheduler, no
// run queue, no stream: what it spends above the bare loop is the switch
// into a connection's coroutine and back, which no server with a task per
// connection can avoid.
func serveBareTasks(ready func(addr string), stop <-chan struct{}) error {
	type conn struct {
		next func() (struct{}, bool)
		stop func()
	}
	conns := map[int]conn{}
	defer func() {
		for _, c := range conns {
			c.stop() // ends a coroutine still waiting for its socket
		}
	}()
	return bareLoop(ready, stop, syscall.EPOLLIN|epollET, func(fd int) {
		next, stop := iter.Pull(func(yield func(struct{}) bool) {
			b := make([]byte, echoBuf)
			for {
				r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
				switch {
				case errno == syscall.EAGAIN:
					if !yield(struct{}{}) {
						return
					}
				case errno != 0 || r == 0:
					return // an error, or the client left
				default:
					syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), r)
				}
			}
		})
		conns[fd] = conn{next: next, stop: stop}
	}, func(fd int) bool {
		if _, ok := conns[fd].next(); !ok {
			delete(conns, fd)
			return false
		}
		return true
	})
}

// epollET is EPOLLET as an event mask bit.
const epollET = 1 << 31

// echoOnce reads what the socket fd has into b and writes it back; it
// reports false if the client left or the socket failed.
func echoOnce(fd int, b []byte) bool {
	r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno == syscall.EAGAIN {
		return true
	}
	if errno != 0 || r == 0 { // an error, or the client left
		return false
	}
	// A 64-byte echo fits the socket's buffer: one write does it.
	syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), r)
	return true
}

// bareLoop listens on 127.0.0.1, waits in epoll on one goroutine, and for
// each connection calls accepted once, then readable whenever epoll says
// it is readable (events: the mask each connection is added with);
// readable returns false when the connection is done, and bareLoop closes
// it. It serves until stop is closed.
func bareLoop(ready func(addr string), stop <-chan struct{}, events uint32, accepted func(fd int), readable func(fd int) bool) error {
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(lfd)
	if err := syscall.Bind(lfd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	if err := syscall.Listen(lfd, listenBacklog()); err != nil {
		return err
	}
	sa, err := syscall.Getsockname(lfd)
	if err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer syscall.Close(ep)
	// stop arrives on a pipe in the set, so the wait needs no timeout.
	var pipe [2]int
	if err := syscall.Pipe2(pipe[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return err
	}
	defer syscall.Close(pipe[0])
	go func() {
		<-stop
		syscall.Close(pipe[1])
	}()
	for _, fd := range []int{lfd, pipe[0]} {
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
			return err
		}
	}
	open := map[int]bool{}
	defer func() {
		for fd := range open {
			syscall.Close(fd)
		}
	}()
	ready(net.JoinHostPort("127.0.0.1", fmt.Sprint(sa.(*syscall.SockaddrInet4).Port)))
	evs := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(ep, evs, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range evs[:n] {
			switch fd := int(e.Fd); fd {
			case pipe[0]:
				return nil
			case lfd:
				for {
					fd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: events, Fd: int32(fd)}); err != nil {
						syscall.Close(fd)
						continue
					}
					open[fd] = true
					accepted(fd)
				}
			default:
				if !readable(fd) {
					syscall.Close(fd) // which also takes it out of the set
					delete(open, fd)
				}
			}
		}
	}
}
