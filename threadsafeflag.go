package asyncio

import (
	"errors"
	"sync"
)

// ThreadSafeFlag is a flag that any goroutine may set and one task waits
// for: the stand-in for an interrupt handler waking a task. A Set before the
// Wait is not lost, and several Sets before one Wait are one wake-up. While a
// task waits on it, the loop sleeps rather than report a deadlock, since
// another goroutine may still set it. The zero ThreadSafeFlag is clear.
type ThreadSafeFlag struct {
	mu     sync.Mutex
	state  bool
	waiter *Task
	// deliver runs f.wakeWaiter on deliverOn, the loop of the latest
	// waiter; Wait makes it when the flag moves to a loop, so that Set
	// allocates nothing.
	deliver   func()
	deliverOn *Loop
}

// ErrFlagBusy is returned when a second task waits on a ThreadSafeFlag.
var ErrFlagBusy = errors.New("asyncio: ThreadSafeFlag already has a waiting task")

// Set sets the flag and wakes the waiting task, if any. Any goroutine may
// call it; it allocates nothing, as an interrupt handler must not.
func (f *ThreadSafeFlag) Set() {
	f.mu.Lock()
	f.state = true
	w, deliver := f.waiter, f.deliver
	f.mu.Unlock()
	if w != nil {
		w.loop.CallSoonThreadsafe(deliver)
	}
}

// wakeWaiter runs on loop l for a Set: it wakes the task waiting then, if
// the flag is still set (a Set merged into an earlier wake-up has been
// consumed) and the task is l's. A Set delayed between reading its waiter
// and posting may deliver after that waiter left and a task of another
// loop began to wait: that task is not l's to touch, and that Set's
// successor posts to its loop.
func (f *ThreadSafeFlag) wakeWaiter(l *Loop) {
	f.mu.Lock()
	w, set := f.waiter, f.state
	f.mu.Unlock()
	if set && w != nil && w.loop == l && w.blocker == waitQueue(f) {
		l.wake(w)
	}
}

// Clear clears the flag.
func (f *ThreadSafeFlag) Clear() {
	f.mu.Lock()
	f.state = false
	f.mu.Unlock()
}

// Wait pauses the task until the flag is set, then clears it. It returns at
// once if the flag is set already, ErrCancelled if the task is cancelled
// while waiting, and ErrFlagBusy if another task is waiting.
func (f *ThreadSafeFlag) Wait(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	f.mu.Lock()
	if f.state {
		f.state = false
		f.mu.Unlock()
		return nil
	}
	if f.waiter != nil {
		f.mu.Unlock()
		return ErrFlagBusy
	}
	f.waiter = t
	if f.deliverOn != t.loop {
		l := t.loop
		f.deliver, f.deliverOn = func() { f.wakeWaiter(l) }, l
	}
	f.mu.Unlock()
	t.loop.hold()
	err = t.park(f)
	t.loop.holds.Add(-1) // on the loop: no wake-up needed, unlike unhold's
	f.mu.Lock()
	f.waiter = nil
	if err == nil {
		f.state = false
	}
	f.mu.Unlock()
	return err
}

// remove implements waitQueue; Wait itself forgets the waiter.
func (f *ThreadSafeFlag) remove(*Task) {}

func (f *ThreadSafeFlag) describe() string { return "waiting for a ThreadSafeFlag" }
