package asyncio

import (
	"errors"
)

// shutdownAwaits is how many await points a task may pass after Close has
// cancelled it before it is unwound.
const shutdownAwaits = 16

// Close cancels every unfinished task and runs the loop until they have all
// returned, so that their clean-up runs and no goroutine of theirs outlives
// the loop. Closing a closed loop does nothing.
//
// Close is Run's shutdown. Each task gets ErrCancelled at the await point
// where it is paused, or, if it has not started, never runs. From then on the
// task stays cancelled, as a cancelled context stays done: every await point
// it reaches returns ErrCancelled at once, after letting the other tasks run,
// so its clean-up code (deferred calls, or code after the error) runs to its
// end but cannot wait. A task that passes 16 await points this way, which
// only a loop that ignores the errors does, is unwound: its await point ends
// it with runtime.Goexit, which runs its deferred calls (where every await
// returns ErrCancelled at once) and which no recover can stop, and Close
// returns an error matching ErrIgnoredCancel that names it, once. So Close
// always returns, unless a task loops without ever reaching an await point.
//
// Close must be called on the goroutine that runs the loop, or while it is
// not running (then from any goroutine); it returns ErrLoopRunning if the
// loop runs.
func (l *Loop) Close() error {
	l.init()
	if err := l.checkGoroutine("Loop.Close"); err != nil {
		return err
	}
	if l.mode != notRunning {
		return ErrLoopRunning
	}
	if l.closed {
		return nil
	}
	l.mode, l.halt = draining, false
	for t := l.live.head; t != nil; t = t.nextLive {
		t.awaiting = nil // cancel each task itself, not what it awaits
		t.deliver = deliverAlways
		l.cancel(t)
	}
	l.loop()
	l.mode = notRunning
	l.threads.Wait()       // their tasks are cancelled, so their contexts are done
	l.timers = timerHeap{} // pending callbacks are dropped
	l.mu.Lock()
	l.closed = true
	l.posted = nil
	close(l.closedCh)
	fns := l.onClose
	l.onClose = nil
	l.mu.Unlock()
	if l.idleTimer != nil {
		l.idleTimer.Stop()
	}
	for i := len(fns) - 1; i >= 0; i-- {
		l.callback(fns[i])
	}
	err := errors.Join(l.unwound...)
	l.unwound = nil
	return err
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
