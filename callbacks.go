package asyncio

import (
	"fmt"
	"time"
)

// callback runs fn on the loop, outside any task; a panic goes to the
// exception handler and the loop goes on.
func (l *Loop) callback(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			l.CallExceptionHandler(ExceptionContext{Message: "callback panicked", Err: fmt.Errorf("asyncio: callback panicked: %v", r)})
		}
	}()
	fn()
}

// Handle is a callback scheduled with CallLater or CallAt.
type Handle struct {
	l   *Loop
	t   timer
	err error
}

// Err returns ErrLoopClosed if the callback was scheduled on a closed loop,
// and so will never run; nil otherwise.
func (h *Handle) Err() error {
	if h == nil {
		return nil
	}
	return h.err
}

// Cancel stops the callback from running, if it has not run yet. On a nil
// or zero Handle it does nothing.
func (h *Handle) Cancel() {
	if h != nil && h.l != nil {
		h.l.timers.disarm(&h.t)
	}
}

// CallLater arranges for fn to run on the loop, outside any task, after d.
// Callbacks and task wake-ups due at the same time run in the order they
// were scheduled.
func (l *Loop) CallLater(d time.Duration, fn func()) *Handle {
	return l.CallAt(time.Duration(l.deadline(d)), fn)
}

// CallAt arranges for fn to run on the loop, outside any task, when the
// loop's clock (see Time) reaches at. On a closed loop fn never runs, and
// the Handle's Err says so.
func (l *Loop) CallAt(at time.Duration, fn func()) *Handle {
	l.init()
	h := &Handle{l: l, t: timer{fn: fn}}
	if err := l.checkGoroutine("Loop.CallAt"); err != nil {
		panic(err.Error())
	}
	if l.closed {
		h.err = ErrLoopClosed
		return h
	}
	l.timers.arm(&h.t, int64(at))
	return h
}

// CallSoonThreadsafe arranges for fn to run on the loop's goroutine, between
// tasks, as soon as possible, and wakes the loop if it sleeps. Any goroutine
// may call it: it is how other goroutines (interrupt stand-ins, I/O, timers
// of the runtime) hand work to the loop. It returns ErrLoopClosed, and drops
// fn, once the loop is closed. Work posted while the loop is not running
// waits for its next run.
func (l *Loop) CallSoonThreadsafe(fn func()) error {
	l.init()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrLoopClosed
	}
	l.posted = append(l.posted, fn)
	l.hasPosted.Store(true)
	l.mu.Unlock()
	l.signal()
	return nil
}

// CallSoon arranges for fn to run on the loop, outside any task, after the
// tasks and callbacks already ready. It must be called on the loop's
// goroutine (a task, a callback, a Poller's Poll); other goroutines use
// CallSoonThreadsafe. A panic in fn goes to the exception handler. It
// returns ErrLoopClosed, and drops fn, once the loop is closed.
func (l *Loop) CallSoon(fn func()) error {
	l.init()
	if err := l.checkGoroutine("Loop.CallSoon"); err != nil {
		return err
	}
	if l.closed {
		return ErrLoopClosed
	}
	l.ready.pushItem(runItem{fn: fn})
	return nil
}
