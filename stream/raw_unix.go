//go:build unix

package stream

import (
	"net"
	"syscall"
)

// rawConn returns the connection's raw socket for non-blocking writes from
// the loop, for TCP and Unix-domain sockets, which Go always puts in
// non-blocking mode. Other connections (a net.Pipe, a user's wrapper) get
// nil and are written by a goroutine.
func rawConn(c net.Conn) syscall.RawConn {
	var sc interface {
		SyscallConn() (syscall.RawConn, error)
	}
	switch c := c.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// sockIO reads and writes a non-blocking socket on the loop without ever
// waiting: it takes what the kernel has, or gives what it takes, now
// (MicroPython's Stream.write does the same). While the link's sysfd
// is set (the loop's own socket, on its epoll) it makes raw system calls on
// it; otherwise it goes through the connection's RawConn, which knows when
// the connection is closed. It is built once per stream so that I/O
// allocates nothing.
type sockIO struct {
	fd      *int // the link's sysfd
	rc      syscall.RawConn
	p       []byte
	n       int
	err     error
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
}

func newSockIO(rc syscall.RawConn, fd *int) *sockIO {
	s := &sockIO{}
	s.init(rc, fd)
	return s
}

// init sets s up in place, for rc and the link's sysfd.
func (s *sockIO) init(rc syscall.RawConn, fd *int) {
	s.rc, s.fd = rc, fd
	s.readFn = func(fd uintptr) bool {
		s.n, s.err = retryEINTR(syscall.Read, int(fd), s.p)
		return true // never wait: the loop must not block
	}
	s.writeFn = func(fd uintptr) bool {
		s.n, s.err = retryEINTR(syscall.Write, int(fd), s.p)
		return true
	}
}

// tryRead reads what the socket has into p, without waiting: n > 0 bytes,
// or n == 0 and a nil error at the end of the stream, or wouldBlock when
// the socket has nothing now.
func (s *sockIO) tryRead(p []byte) (n int, wouldBlock bool, err error) {
	n, err = s.do(p, false)
	if err == syscall.EAGAIN {
		return 0, true, nil
	}
	return n, false, err
}

// tryWrite writes as much of p as the kernel takes now and returns how much
// that was; n < len(p) with a nil error means the rest must wait.
func (s *sockIO) tryWrite(p []byte) (int, error) {
	n, err := s.do(p, true)
	if err == syscall.EAGAIN {
		return 0, nil // the kernel's buffer is full: nothing taken
	}
	return n, err
}

// do is one read or write of p.
func (s *sockIO) do(p []byte, write bool) (int, error) {
	if fd := *s.fd; fd >= 0 && len(p) > 0 {
		// The loop's own socket: only the loop uses it and closes it
		// (which sets sysfd to -1 first), so the descriptor cannot change
		// under the call, and a non-blocking call returns at once: no need
		// to tell the scheduler of a system call.
		n, errno := rawIO(write, fd, p)
		if errno != 0 {
			return 0, errno
		}
		return n, nil
	}
	s.p, s.n, s.err = p, 0, nil
	var err error
	if write {
		err = s.rc.Write(s.writeFn)
	} else {
		err = s.rc.Read(s.readFn)
	}
	s.p = nil
	switch {
	case err != nil:
		return 0, err
	case s.err != nil:
		return 0, s.err
	}
	return s.n, nil
}

// retryEINTR calls op until a signal does not interrupt it.
func retryEINTR(op func(int, []byte) (int, error), fd int, p []byte) (int, error) {
	for {
		n, err := op(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}
