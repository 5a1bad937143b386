package asyncio

import (
	"errors"
	"slices"
	"sync"
)

// fifo is a first-in first-out queue of parked tasks.
type fifo struct{ tasks []*Task }

func (q *fifo) push(t *Task) { q.tasks = append(q.tasks, t) }

// remove implements waitQueue: a cancelled task leaves the queue.
func (q *fifo) remove(t *Task) {
	if i := slices.Index(q.tasks, t); i >= 0 {
		q.tasks = slices.Delete(q.tasks, i, i+1)
	}
}

// pop removes and returns the first task, or nil.
func (q *fifo) pop() *Task {
	if len(q.tasks) == 0 {
		return nil
	}
	t := q.tasks[0]
	q.tasks[0] = nil
	q.tasks = q.tasks[1:]
	return t
}

func (q *fifo) len() int { return len(q.tasks) }

// wakeAll makes every queued task ready, in the order they queued.
func (q *fifo) wakeAll() {
	for _, t := range q.tasks {
		t.loop.wake(t)
	}
	clear(q.tasks)
	q.tasks = q.tasks[:0]
}

// Event lets tasks wait until something has happened. The zero Event is
// clear and ready to use. Its methods must be called on the loop's goroutine
// (from tasks or loop callbacks); from other goroutines use ThreadSafeFlag.
type Event struct {
	set     bool
	waiters eventWaiters
}

type eventWaiters struct{ fifo }

func (*eventWaiters) describe() string { return "waiting for an event" }

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool { return e.set }

// Set sets the event and makes every waiting task ready, in the order they
// began to wait.
func (e *Event) Set() {
	if len(e.waiters.tasks) > 0 {
		if err := e.waiters.tasks[0].loop.checkGoroutine("Event.Set"); err != nil {
			panic(err.Error())
		}
	}
	e.set = true
	e.waiters.wakeAll()
}

// Clear clears the event.
func (e *Event) Clear() { e.set = false }

// Wait pauses the task until the event is set, returning at once if it is
// set already. It returns ErrCancelled if the task is cancelled meanwhile.
func (e *Event) Wait(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil || e.set {
		return err
	}
	e.waiters.push(t)
	return t.park(&e.waiters)
}

// ThreadSafeFlag is a flag that any goroutine may set and one task waits
// for: the stand-in for an interrupt handler waking a task. A Set before the
// Wait is not lost, and several Sets before one Wait are one wake-up. While a
// task waits on it, the loop sleeps rather than report a deadlock, since
// another goroutine may still set it. The zero ThreadSafeFlag is clear.
type ThreadSafeFlag struct {
	mu     sync.Mutex
	state  bool
	waiter *Task
}

// ErrFlagBusy is returned when a second task waits on a ThreadSafeFlag.
var ErrFlagBusy = errors.New("asyncio: ThreadSafeFlag already has a waiting task")

// Set sets the flag and wakes the waiting task, if any. Any goroutine may
// call it.
func (f *ThreadSafeFlag) Set() {
	f.mu.Lock()
	f.state = true
	w := f.waiter
	f.mu.Unlock()
	if w != nil {
		w.loop.CallSoonThreadsafe(func() {
			f.mu.Lock()
			set := f.state // a Set merged into an earlier wake-up has been consumed
			f.mu.Unlock()
			if set && w.blocker == waitQueue(f) {
				w.loop.wake(w)
			}
		})
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
	f.mu.Unlock()
	t.loop.hold()
	err = t.park(f)
	t.loop.unhold()
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
