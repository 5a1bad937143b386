package main

import (
	"fmt"
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
	bufs := map[int32][]byte{}
	defer func() {
		for fd := range bufs {
			syscall.Close(int(fd))
		}
	}()
	ready(net.JoinHostPort("127.0.0.1", fmt.Sprint(sa.(*syscall.SockaddrInet4).Port)))
	events := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range events[:n] {
			switch int(e.Fd) {
			case pipe[0]:
				return nil
			case lfd:
				for {
					fd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
						syscall.Close(fd)
						continue
					}
					bufs[int32(fd)] = make([]byte, echoBuf)
				}
				continue
			}
			b := bufs[e.Fd]
			r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(e.Fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			if errno == syscall.EAGAIN {
				continue
			}
			if errno != 0 || r == 0 { // an error, or the client left
				syscall.Close(int(e.Fd)) // which also takes it out of the set
				delete(bufs, e.Fd)
				continue
			}
			// A 64-byte echo fits the socket's buffer: one write does it.
			syscall.RawSyscall(syscall.SYS_WRITE, uintptr(e.Fd), uintptr(unsafe.Pointer(&b[0])), r)
		}
	}
}
