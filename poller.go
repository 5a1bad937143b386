package asyncio

import (
	"time"
)

// Poller is what a loop waits in when no task is ready. The default waits,
// on Linux, in a futex with a nanosecond timeout (see docs/design.md), and
// elsewhere on one runtime timer and a channel; another Poller lets I/O readiness reach
// the loop with no hand-off between goroutines, the loop itself waiting in,
// say, epoll, as MicroPython's loop waits in select.poll.
type Poller interface {
	// Poll blocks until Wake is called, until I/O the poller watches is
	// ready, or until timeout has passed; a negative timeout means no limit.
	// A busy loop calls Poll(0) once per round of ready tasks, so that I/O
	// is not starved by tasks that keep running. The loop calls it on its own goroutine, so Poll may make tasks ready
	// (with Loop.CallSoon, or by setting an Event) before it returns. A Wake
	// made before Poll is called makes Poll return at once.
	Poll(timeout time.Duration)
	// Wake makes a Poll in progress, or the next one, return. Any goroutine
	// may call it.
	Wake()
}

// pollerBox holds the loop's Poller for goroutines that signal the loop.
type pollerBox struct{ p Poller }

// SetPoller makes the loop wait in p from its next idle wait on; nil restores
// the default. It must be called on the loop's goroutine or while the loop
// is not running. The loop does not close p: whoever sets it does, after
// the loop is done with it (see OnClose).
func (l *Loop) SetPoller(p Poller) {
	l.init()
	if p == nil {
		l.poller.Store(nil)
	} else {
		l.poller.Store(&pollerBox{p})
	}
	l.signal() // a wake-up meant for the old poller must not be lost
}

// Poller returns the Poller set by SetPoller, or nil.
func (l *Loop) Poller() Poller {
	if b := l.poller.Load(); b != nil {
		return b.p
	}
	return nil
}

// OnClose arranges for fn to run when the loop is closed (by Close, or at
// the end of Run), after every task has returned and before Close returns,
// so resources shared by the loop's tasks (a poller, a connection) are
// released exactly when nothing can use them any more. Functions run in the
// reverse order of their registration, on the goroutine that calls Close; a
// panic in one goes to the exception handler and the others still run.
// OnClose on a closed loop runs fn at once.
func (l *Loop) OnClose(fn func()) {
	l.init()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.callback(fn)
		return
	}
	l.onClose = append(l.onClose, fn)
	l.mu.Unlock()
}

// Closing reports whether Close has begun: from then on no new work should
// be started (Close cancels every task and waits for them). Like the loop's
// other methods, it is for the loop's goroutine.
func (l *Loop) Closing() bool { return l.mode == draining || l.isClosed() }

func (l *Loop) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// wait blocks until the loop is signalled or, if d >= 0, d has passed.
func (l *Loop) wait(d time.Duration) {
	l.blocks++
	if len(l.instruments) > 0 {
		for _, i := range l.instruments {
			i.BeforeIdle(d)
		}
		defer func() {
			for _, i := range l.instruments {
				i.AfterIdle()
			}
		}()
	}
	if b := l.poller.Load(); b != nil {
		b.p.Poll(d)
		return
	}
	if l.sleepIdle(d) {
		return
	}
	if d < 0 {
		<-l.wakeup
		return
	}
	if l.idleTimer == nil {
		l.idleTimer = time.NewTimer(d)
	} else {
		l.idleTimer.Reset(d)
	}
	select {
	case <-l.wakeup:
	case <-l.idleTimer.C:
	}
	l.idleTimer.Stop()
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
