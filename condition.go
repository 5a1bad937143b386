package asyncio

import "errors"

// ErrConditionNotLocked is returned by Condition.Wait, WaitFor, Notify and
// NotifyAll when the condition's lock is not held (CPython raises
// RuntimeError "cannot wait on un-acquired lock").
var ErrConditionNotLocked = errors.New("asyncio: Condition lock not acquired")

// errNilPredicate is returned by Condition.WaitFor given a nil predicate.
var errNilPredicate = errors.New("asyncio: Condition.WaitFor with a nil predicate")

// Condition is a condition variable for tasks, CPython's asyncio.Condition:
// tasks holding its lock wait until another task notifies them that the
// state they wait for may have changed. Notifications are handed out in the
// order the tasks began to wait (FIFO); a Notify reaches only tasks already
// waiting.
//
// The zero Condition is ready to use, with a lock of its own; NewCondition
// can share a Lock between conditions. Like Lock, the lock is not owned by a
// task: Wait can only check that it is held. A Condition's methods must be
// called on the loop's goroutine.
type Condition struct {
	l        *Lock // the shared lock, or nil for own
	own      Lock
	waiters  conditionWaiters
	notified handoffs[struct{}] // woken waiters, until they resume
}

type conditionWaiters struct{ fifo }

func (*conditionWaiters) describe() string { return "waiting for a condition notification" }

// NewCondition returns a condition that uses l as its lock, or a new lock of
// its own if l is nil.
func NewCondition(l *Lock) *Condition { return &Condition{l: l} }

func (c *Condition) lock() *Lock {
	if c.l != nil {
		return c.l
	}
	return &c.own
}

// Acquire takes the condition's lock, pausing the task until it is free (see
// Lock.Acquire). It returns ErrCancelled if the task is cancelled while
// waiting, and then does not hold the lock.
func (c *Condition) Acquire(ctx *Ctx) error { return c.lock().Acquire(ctx) }

// Release releases the condition's lock. It returns ErrLockNotAcquired if
// the lock is not held.
func (c *Condition) Release() error { return c.lock().Release() }

// Locked reports whether the condition's lock is held.
func (c *Condition) Locked() bool { return c.lock().Locked() }

// Wait releases the lock, pauses the task until it is notified, and takes
// the lock again before it returns. The lock must be held: otherwise Wait
// returns ErrConditionNotLocked at once.
//
// Wait returns with the lock held whether or not it fails, as in CPython, so
// the caller releases it in every case. If the task is cancelled, while
// waiting for the notification or for the lock, Wait still waits for the
// lock and then returns ErrCancelled. A task that was notified and then
// cancelled passes its notification on to the next waiting task, so a
// Notify is never lost: CPython 3.12 and later do the same, while CPython
// 3.11 loses it (python/cpython#112202). A notified task may find the state unchanged (other
// tasks may run first): check it again, or use WaitFor.
func (c *Condition) Wait(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	l := c.lock()
	if !l.Locked() {
		return ErrConditionNotLocked
	}
	l.Release()
	c.waiters.push(t)
	err = t.park(&c.waiters)
	_, notified := c.notified.take(t)
	for {
		if err != nil && notified {
			c.notify(1) // cancelled: the notification goes to the next waiter
			notified = false
		}
		aerr := l.Acquire(ctx)
		if aerr == nil {
			return err
		}
		if !errors.Is(aerr, ErrCancelled) {
			return aerr // cannot happen: t is the running task
		}
		// Cancelled while waiting for the lock: it must be held on return.
		// (During Loop.Close each try yields once, so the holder, cancelled
		// too, gets to release it.)
		err = aerr
	}
}

// WaitFor waits (see Wait) until pred returns true, checking it first, and
// after each wake-up, with the lock held. It returns nil once pred is true,
// with the lock held. The lock must be held when it is called: otherwise it
// returns ErrConditionNotLocked without calling pred. If the task is
// cancelled, WaitFor returns ErrCancelled, with the lock held, without
// checking pred again.
func (c *Condition) WaitFor(ctx *Ctx, pred func() bool) error {
	if _, err := ctx.running(); err != nil {
		return err
	}
	if !c.lock().Locked() {
		return ErrConditionNotLocked
	}
	if pred == nil {
		return errNilPredicate
	}
	for !pred() {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Notify wakes up to n of the waiting tasks, those that have waited longest
// first; each takes the lock again, in that order, once the notifier
// releases it. An n of zero or less does nothing. The lock must be held:
// otherwise Notify returns ErrConditionNotLocked and wakes no task.
func (c *Condition) Notify(n int) error {
	if !c.lock().Locked() {
		return ErrConditionNotLocked
	}
	c.notify(n)
	return nil
}

// NotifyAll wakes every waiting task, in the order they began to wait. The
// lock must be held: otherwise NotifyAll returns ErrConditionNotLocked and
// wakes no task.
func (c *Condition) NotifyAll() error { return c.Notify(c.waiters.len()) }

func (c *Condition) notify(n int) {
	for ; n > 0; n-- {
		t := c.waiters.pop()
		if t == nil {
			return
		}
		c.notified.add(t, struct{}{})
		t.loop.wake(t)
	}
}
