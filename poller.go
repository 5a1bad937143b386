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
	// is not starved by tasks that keep running; a timeout other than 0
	// comes only when no task or callback is ready. The loop calls it on
	// its own goroutine, so Poll may make tasks ready (with Loop.CallSoon,
	// or by setting an Event) before it returns. A Wake made before Poll
	// is called makes Poll return at once.
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
