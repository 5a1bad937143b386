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
	prSetTimerSlack  = 29      // PR_SET_TIMERSLACK
)

// The futex word's states.
const (
	idleNone     = 0 // the loop is not waiting, and no wake-up is pending
	idleWoken    = 1 // a wake-up came that the next wait must not sleep through
	idleSleeping = 2 // the loop waits in the futex, or is about to
	idleParked   = 3 // the loop waits on its wakeup channel, or is about to
)

// A wait with no deadline parks the loop's goroutine on its wakeup channel
// instead of the futex: the goroutine that wakes it then hands it its own
// thread (the Go scheduler runs a goroutine readied by a channel send next
// on the sender's processor), where a futex wake-up costs the kernel a
// wake-up of another thread, on a virtual machine tens of microseconds. An
// interrupt's task (ThreadSafeFlag.Set from another goroutine) waits that
// much less. A wait with a deadline needs the futex's precision.

// idleWait is the loop's futex: its word and the wait's timeout.
type idleWait struct {
	word  atomic.Uint32
	ts    syscall.Timespec
	timed uint32 // timed waits so far, to set the timer slack every 64th
}

// sleepIdle blocks until wakeIdle is called, or until d has passed if
// d >= 0. A wakeIdle made since the last sleepIdle returned makes it
// return at once. It reports true: the wait is done (false would mean the
// caller must wait some other way).
func (l *Loop) sleepIdle(d time.Duration) bool {
	w := &l.idleWait
	if d < 0 {
		if w.word.CompareAndSwap(idleNone, idleParked) {
			<-l.wakeup // sent by the wakeIdle that saw idleParked
		}
		w.word.Store(idleNone)
		return true
	}
	if !w.word.CompareAndSwap(idleNone, idleSleeping) {
		w.word.Store(idleNone) // woken since the last wait
		return true
	}
	w.ts = syscall.NsecToTimespec(int64(d))
	ts := unsafe.Pointer(&w.ts)
	// The kernel may end a timed wait up to the thread's timer slack late
	// (50 µs by default) to batch wake-ups. The loop's deadlines are its
	// tasks' wake-ups, so the thread that waits here asks for 1 ns. Slack
	// is per thread, and the loop's goroutine may move to another of the
	// runtime's threads; a system call costs 0.1–2 µs (more on a virtual
	// machine), too much before each of the short waits of a busy loop.
	// So it is set before a long wait, where it costs nothing next to the
	// wait, and before every 64th: a loop that moved has its slack back
	// within 64 waits. The threads keep it, which only makes their other
	// timed waits precise.
	if w.timed++; d >= time.Millisecond || w.timed%64 == 1 {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
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
	switch w.word.Swap(idleWoken) {
	case idleSleeping:
		syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), futexWakePrivate, 1, 0, 0, 0)
	case idleParked:
		// Only the wakeIdle that swapped idleParked out sends, and the
		// loop takes the value before it waits again: the send never
		// blocks.
		l.wakeup <- struct{}{}
	}
	return true
}
