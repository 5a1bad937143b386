//go:build linux && !tinygo

package asyncio

import (
	"math"
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
// much less.
//
// A wait with a deadline needs the futex's precision. While something
// outside the loop may wake it (a ThreadSafeFlag's waiter, a KeepAlive, a
// ToThread: the loop's holds), the loop parks on its channel all the same,
// and its alarm, a goroutine of its own, waits in the futex for the
// deadline and wakes it with a channel send: an interrupt then reaches its
// task as fast as with no deadline, and the deadline costs two goroutine
// switches on one thread. With no holds the loop waits in the futex itself,
// one system call and no switch: that is the common timed wait (tasks that
// only sleep), and the cheapest.

// idleWait is the loop's futex: its word and the wait's timeout.
type idleWait struct {
	word  atomic.Uint32
	timer futexTimer
	alarm *alarm // started by the first parked timed wait of a run
}

// sleepIdle blocks until wakeIdle is called, or until d has passed if
// d >= 0. A wakeIdle made since the last sleepIdle returned makes it
// return at once. It reports true: the wait is done (false would mean the
// caller must wait some other way).
func (l *Loop) sleepIdle(d time.Duration) bool {
	w := &l.idleWait
	if d >= 0 && l.holds.Load() == 0 {
		if w.alarm != nil {
			w.alarm.when.Store(0) // the futex wait below keeps the deadline now
		}
		if !w.word.CompareAndSwap(idleNone, idleSleeping) {
			w.word.Store(idleNone) // woken since the last wait
			return true
		}
		w.timer.wait(&w.word, idleSleeping, d)
		// The wait returns at once if the word is no longer idleSleeping (a
		// wake-up came in between), on a wake-up, at the timeout, and on a
		// signal (EINTR): in every case the loop looks again at what it has
		// to do, so the word is simply reset.
		w.word.Store(idleNone)
		return true
	}
	if w.word.CompareAndSwap(idleNone, idleParked) {
		w.timer.release() // this thread goes back to the Go scheduler
		switch {
		case d < 0:
			if w.alarm != nil {
				w.alarm.when.Store(0) // no deadline now: an old one must not wake the loop
			}
		case w.alarm == nil:
			w.alarm = startAlarm(l, d)
		default:
			w.alarm.arm(d)
		}
		<-l.wakeup // sent by the wakeIdle that saw idleParked
	}
	w.word.Store(idleNone)
	return true
}

// futexTimer makes the timed futex waits of one goroutine (the loop's, or
// its alarm's) precise, by the timer slack of the thread that waits.
type futexTimer struct {
	ts    syscall.Timespec // the wait's timeout, kept so that a wait allocates nothing
	timed uint32           // timed waits so far, to set the slack every 64th
	slack bool             // the slack was set, and not reset since
}

// wait waits on word while it holds val, for at most d, in a futex.
func (f *futexTimer) wait(word *atomic.Uint32, val uint32, d time.Duration) {
	f.ts = syscall.NsecToTimespec(int64(d))
	// The kernel may end a timed wait up to the thread's timer slack late
	// (50 µs by default) to batch wake-ups. The loop's deadlines are its
	// tasks' wake-ups, so the thread that waits here asks for 1 ns. Slack
	// is per thread, and the waiting goroutine may move to another of the
	// runtime's threads; a system call costs 0.1–2 µs (more on a virtual
	// machine), too much before each of the short waits of a busy loop.
	// So it is set before a long wait, where it costs nothing next to the
	// wait, after release gave it back, and before every 64th wait: a
	// goroutine that moved has its slack back within 64 waits.
	if f.timed++; !f.slack || d >= time.Millisecond || f.timed%64 == 1 {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
		f.slack = true
	}
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWaitPrivate, uintptr(val), uintptr(unsafe.Pointer(&f.ts)), 0, 0)
}

// release gives the thread its default slack back, if wait set it, when the
// goroutine parks and leaves the thread to the Go scheduler. A runtime
// thread at 1 ns slack makes the scheduler's own short sleeps (a thread
// about to steal a just-readied goroutine naps 3 µs first) exact instead of
// 50 µs long, and measurably slows other goroutines' wake-ups: an
// interrupt's p99 to its task doubled (20 to 40 µs) on a virtual machine,
// for the library and for plain goroutines alike, once one thread had it.
// A goroutine resumes from a system call on the thread that made it, so
// this usually finds the thread wait set.
func (f *futexTimer) release() {
	if f.slack {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 0, 0) // 0: the thread's default
		f.slack = false
	}
}

func wakeFutex(word *atomic.Uint32) {
	syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWakePrivate, 1, 0, 0, 0)
}

// endIdle runs as the loop returns: it gives the thread its default timer
// slack back (the caller's thread goes on without the loop), and ends the
// loop's alarm goroutine, if it has one, and waits for it: no goroutine
// outlives a run.
func (l *Loop) endIdle() {
	l.idleWait.timer.release()
	a := l.idleWait.alarm
	if a == nil {
		return
	}
	l.idleWait.alarm = nil
	a.when.Store(alarmQuit)
	a.unpark() // wherever it waits
	a.cut()
	<-a.done
}

// wakeIdle makes the loop's current or next sleepIdle return. Any goroutine
// may call it; it costs an atomic swap unless the loop sleeps, when it costs
// a FUTEX_WAKE.
func (l *Loop) wakeIdle() bool {
	w := &l.idleWait
	switch w.word.Swap(idleWoken) {
	case idleSleeping:
		wakeFutex(&w.word)
	case idleParked:
		// Only the wakeIdle that swapped idleParked out sends, and the
		// loop takes the value before it waits again: the send never
		// blocks.
		l.wakeup <- struct{}{}
	}
	return true
}

// alarm keeps the deadline of a loop parked on its wakeup channel (see
// sleepIdle): a goroutine that waits in a futex until the deadline the loop
// asked for last, then wakes the loop. The loop changes the deadline
// without a system call unless it moves it earlier than the one the alarm
// waits for.
type alarm struct {
	seq    atomic.Uint32 // the alarm's futex word: changed to cut its wait short
	when   atomic.Int64  // the deadline asked for, ns since base; 0 none, alarmQuit to end
	armed  atomic.Int64  // the deadline the alarm's wait is for
	parked atomic.Bool   // the alarm waits on c, or is about to
	c      chan struct{} // wakes a parked alarm; one token is enough
	done   chan struct{} // closed as the goroutine ends
	base   time.Time
	timer  futexTimer
}

const alarmQuit = -1

func startAlarm(l *Loop, d time.Duration) *alarm {
	a := &alarm{c: make(chan struct{}, 1), done: make(chan struct{}), base: time.Now()}
	a.armed.Store(math.MaxInt64)
	a.when.Store(max(int64(d), 1))
	go a.run(l)
	return a
}

func (a *alarm) now() int64 { return int64(time.Since(a.base)) }

// arm asks the alarm to wake the loop d from now, instead of at the
// deadline asked for before. The loop calls it.
func (a *alarm) arm(d time.Duration) {
	t := a.now()
	if int64(d) > math.MaxInt64-t {
		t = math.MaxInt64 // Sleep(Never): the sum would wrap around
	} else {
		t = max(t+int64(d), 1)
	}
	a.when.Store(t)
	if a.parked.Load() {
		a.unpark()
		return
	}
	// The alarm stores armed before it checks when a last time, so either
	// it sees t there or this sees the deadline it waits for.
	if t < a.armed.Load() {
		a.cut()
	}
}

// unpark wakes an alarm parked on c, now or as it parks.
func (a *alarm) unpark() {
	select {
	case a.c <- struct{}{}:
	default: // a token is there already
	}
}

// cut ends the alarm's futex wait, now or as it begins.
func (a *alarm) cut() {
	a.seq.Add(1)
	wakeFutex(&a.seq)
}

// run is the alarm's goroutine.
func (a *alarm) run(l *Loop) {
	defer close(a.done)
	defer a.timer.release() // its thread goes back to the Go scheduler
	for {
		seq := a.seq.Load()
		t := a.when.Load()
		switch {
		case t == alarmQuit:
			return
		case t == 0:
			// parked before when is read again, so that an arm in between
			// either sees parked and sends, or is seen here.
			a.parked.Store(true)
			if a.when.Load() == 0 {
				a.timer.release()
				<-a.c
			}
			a.parked.Store(false)
			continue
		}
		a.armed.Store(t)
		if a.when.Load() != t {
			continue
		}
		if d := t - a.now(); d > 0 {
			a.timer.wait(&a.seq, seq, time.Duration(d))
			continue
		}
		if a.when.CompareAndSwap(t, 0) {
			l.wakeIdle()
		}
	}
}
