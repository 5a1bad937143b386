//go:build linux && !tinygo

package asyncio

import (
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// On Linux the loop's default idle wait is a futex: the loop's goroutine
// sleeps in futex(FUTEX_WAIT_PRIVATE) with a nanosecond timeout, and other
// goroutines wake it with FUTEX_WAKE. The kernel's high-resolution timers
// end that wait within the thread's timer slack (50 µs by default) of its
// deadline, where a runtime timer (time.Timer) ends it in the Go
// scheduler's network poller, whose epoll_wait counts whole milliseconds.
// No descriptor is opened, so nothing needs closing, and every architecture
// has the call (the Go runtime parks its threads with it). A Poller set
// with SetPoller replaces this wait, as it replaces the timer elsewhere.

const (
	futexWaitPrivate = 0 | 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	futexWakePrivate = 1 | 128 // FUTEX_WAKE | FUTEX_PRIVATE_FLAG
)

// The futex word's states.
const (
	idleNone     = 0 // the loop is not waiting, and no wake-up is pending
	idleWoken    = 1 // a wake-up came that the next wait must not sleep through
	idleSleeping = 2 // the loop waits, or is about to
)

// idleWait is the loop's futex: its word and the wait's timeout.
type idleWait struct {
	word atomic.Uint32
	ts   syscall.Timespec
}

// sleepIdle blocks until wakeIdle is called, or until d has passed if
// d >= 0. A wakeIdle made since the last sleepIdle returned makes it
// return at once. It reports true: the wait is done (false would mean the
// caller must wait some other way).
func (l *Loop) sleepIdle(d time.Duration) bool {
	w := &l.idleWait
	if !w.word.CompareAndSwap(idleNone, idleSleeping) {
		w.word.Store(idleNone) // woken since the last wait
		return true
	}
	var ts unsafe.Pointer // nil: no limit
	if d >= 0 {
		w.ts = syscall.NsecToTimespec(int64(d))
		ts = unsafe.Pointer(&w.ts)
	}
	// The wait returns at once if the word is no longer idleSleeping (a
	// wake-up came in between), on a wake-up, at the timeout, and on a
	// signal (EINTR): in every case the loop looks again at what it has to
	// do, so the word is simply reset.
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), futexWaitPrivate, idleSleeping, uintptr(ts), 0, 0)
	w.word.Store(idleNone)
	return true
}

// wakeIdle makes the loop's current or next sleepIdle return. Any goroutine
// may call it; it costs an atomic swap unless the loop sleeps, when it costs
// a FUTEX_WAKE.
func (l *Loop) wakeIdle() bool {
	w := &l.idleWait
	if w.word.Swap(idleWoken) == idleSleeping {
		syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), futexWakePrivate, 1, 0, 0, 0)
	}
	return true
}
