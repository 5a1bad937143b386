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

// fastWriter writes to a non-blocking socket without ever waiting: the loop
// calls it, and it takes what the kernel takes now (MicroPython's Stream.write
// does the same). It is built once per stream so that a write allocates
// nothing.
type fastWriter struct {
	rc  syscall.RawConn
	fd  *int // the transport's sysfd
	p   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func newFastWriter(rc syscall.RawConn, fd *int) *fastWriter {
	w := &fastWriter{rc: rc, fd: fd}
	w.fn = w.write
	return w
}

func (w *fastWriter) write(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), w.p)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			n, err = 0, nil // the kernel's buffer is full: nothing taken
		}
		if n < 0 {
			n = 0
		}
		w.n, w.err = n, err
		return true // never wait for the socket: the loop must not block
	}
}

// tryWrite writes as much of p as the kernel takes now and returns how much
// that was; n < len(p) with a nil error means the rest must wait.
func (w *fastWriter) tryWrite(p []byte) (int, error) {
	if fd := *w.fd; fd >= 0 && len(p) > 0 {
		// As rawReader.tryRead: the loop's own socket, never waited on.
		switch n, errno := rawWrite(fd, p); errno {
		case 0:
			return n, nil
		case syscall.EAGAIN:
			return 0, nil
		default:
			return 0, errno
		}
	}
	w.p, w.n, w.err = p, 0, nil
	if err := w.rc.Write(w.fn); err != nil {
		w.p = nil
		return 0, err
	}
	w.p = nil
	return w.n, w.err
}
