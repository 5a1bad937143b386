package asyncio

import "errors"

// ErrLockNotAcquired is returned by Lock.Release when the lock is not held
// (MicroPython raises RuntimeError "Lock not acquired").
var ErrLockNotAcquired = errors.New("asyncio: Lock not acquired")

// Lock is a mutual-exclusion lock for tasks, MicroPython's asyncio.Lock. The
// zero Lock is unlocked. A Lock is not owned by a task: any task may release
// it. Release hands the lock straight to the task that has waited longest,
// so waiters get it in the order they asked (FIFO). Its methods must be
// called on the loop's goroutine.
type Lock struct {
	locked   bool
	handedTo *Task // the waiter Release picked, until it resumes
	waiters  lockWaiters
}

type lockWaiters struct{ fifo }

func (*lockWaiters) describe() string { return "waiting for a lock" }

// Locked reports whether the lock is held. While Release is handing the lock
// to a waiter that has not resumed yet, Locked reports false, as in
// MicroPython and CPython; Acquire still queues behind that waiter.
func (l *Lock) Locked() bool { return l.locked && l.handedTo == nil }

// Acquire takes the lock, pausing the task until it is free. It returns
// ErrCancelled if the task is cancelled while waiting; a cancelled waiter
// never ends up holding the lock (if the lock had just been handed to it, it
// passes the lock on).
func (l *Lock) Acquire(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	if !l.locked {
		l.locked = true
		return nil
	}
	l.waiters.push(t)
	err = t.park(&l.waiters)
	if l.handedTo == t {
		l.handedTo = nil
		if err != nil {
			l.Release()
		}
	}
	return err
}

// Release releases the lock and hands it to the longest waiting task, if
// any. It returns ErrLockNotAcquired if the lock is not held, which is also
// so while it is being handed to a waiter that has not resumed yet: the
// lock is that waiter's then, so a second Release must not pass it on to
// another (MicroPython and CPython raise "Lock not acquired" there too).
func (l *Lock) Release() error {
	if !l.locked || l.handedTo != nil {
		return ErrLockNotAcquired
	}
	if t := l.waiters.pop(); t != nil {
		l.handedTo = t
		t.loop.wake(t)
	} else {
		l.locked = false
	}
	return nil
}
