//go:build unix

package view

import "syscall"

// readAll reads the pipe to its end. Each read and what becomes of it
// happen under mu, in the poller's callback, so that drain, under mu too,
// never misses bytes that a read has taken but not yet made lines.
func (o *output) readAll() {
	rc, err := o.r.SyscallConn()
	if err != nil {
		return
	}
	for end := false; !end; {
		err := rc.Read(func(fd uintptr) bool {
			o.mu.Lock()
			defer o.mu.Unlock()
			n, err := readFD(fd, o.buf)
			if err == syscall.EAGAIN {
				return false // wait until it is readable
			}
			if n > 0 {
				o.take(o.buf[:n])
			} else {
				end = true // the end, or an error
			}
			return true
		})
		if err != nil {
			end = true // closed
		}
	}
}

// drain takes what is in the pipe now into the console, without waiting
// for more: what the program wrote before the moment drain is called. A
// pipe holds at most maxPipe bytes, so drain reads no more than that: a
// program that keeps writing cannot hold it.
func (o *output) drain() {
	rc, err := o.r.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		o.mu.Lock()
		defer o.mu.Unlock()
		for taken := 0; taken < maxPipe; {
			n, _ := readFD(fd, o.buf[:min(len(o.buf), maxPipe-taken)])
			if n <= 0 {
				return // empty (EAGAIN), at its end, or failed
			}
			o.take(o.buf[:n])
			taken += n
		}
	})
}

// maxPipe is the most a pipe holds: Linux's default limit on a pipe's
// size (/proc/sys/fs/pipe-max-size); pipes are 64 KiB unless grown.
const maxPipe = 1 << 20

// readFD reads from the non-blocking descriptor fd, again if interrupted.
func readFD(fd uintptr, p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}
