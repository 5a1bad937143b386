package asyncio

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Cancellation is one mechanism: cancel scopes. Every task has a scope of
// its own (Task.Cancel and the loop's shutdown cancel it), and Timeout,
// MoveOnAfter and WithTaskGroup open a scope inside it for as long as their
// body runs. Scopes nest: the task's innermost open scope is Task.scope, and
// each scope knows the one around it.
//
// A scope answers two questions. For Go code, its Ctx is a context.Context
// that is done while the scope, or one around it, is cancelled, and once the
// scope has ended (a child context per scope, as context.WithTimeout makes:
// cancelling an inner scope never touches the outer one). For the scope's
// own exit, it records whether it was cancelled and whether a scope around
// it was cancelled while it was open, which is all Timeout and WithTaskGroup
// need to tell their own cancellation from somebody else's.
//
// Delivery to the task is separate and is one byte, Task.deliver: a cancel
// is delivered once, as ErrCancelled at the next await point (MicroPython's
// Task.cancel), except during the loop's shutdown, when every await point
// returns it.

// Context states of a scope, readable by any goroutine.
const (
	ctxCancelled uint32 = 1 << iota // this scope or one around it was cancelled
	ctxExpired                      // this scope's deadline passed (Err is ErrTimeout)
	ctxEnded                        // the scope ended, or the task returned
	ctxWatched                      // someone called Done: close the channel
)

const ctxDoneBits = ctxCancelled | ctxExpired | ctxEnded

// Delivery states of a task's pending cancellation.
const (
	deliverNone   uint8 = iota
	deliverOnce         // one ErrCancelled at the next await point
	deliverAlways       // every await point returns ErrCancelled (shutdown)
)

// cancelScope is one scope of a task. Its fields other than state, done and
// the immutable ones (task, parent, when) belong to the loop's goroutine.
type cancelScope struct {
	ctx    Ctx          // the Ctx of the code inside the scope
	parent *cancelScope // the scope around this one; nil for the task's own
	when   atomic.Int64 // the deadline on the loop's clock, or -1 for none; read by Deadline

	handle *Scope // the handle of a Timeout or MoveOnAfter scope, else nil

	cancelled bool // cancel was called on this scope
	outer     bool // a scope around this one was cancelled while it was open
	closed    bool // the scope has ended: a cancel now only marks its context

	state atomic.Uint32 // ctx* bits
	done  chan struct{} // closed when the context is done; made lazily, under loop.ctxMu
}

// openScope opens s inside t's innermost scope; s's context is done from the
// start if the scope around it is.
func (t *Task) openScope(s *cancelScope, when int64) {
	s.ctx = Ctx{t: t, s: s}
	s.parent = t.scope
	s.when.Store(when)
	t.scope = s
	if b := s.parent.state.Load() & (ctxCancelled | ctxExpired); b != 0 {
		s.state.Store(ctxCancelled)
	}
	if t.deliver != deliverNone {
		s.outer = true // a cancellation from outside is on its way
	}
}

// closeScope closes s, which must be t's innermost scope, and ends its context.
func (t *Task) closeScope(s *cancelScope) {
	s.closed = true
	t.scope = s.parent
	s.end(ctxEnded)
}

// cancel cancels s: its context and those of the scopes open inside it are
// done, and those scopes learn that a scope around them was cancelled. With
// deliver, the task gets ErrCancelled at its next await point, or, if it is
// awaiting another task, that task is cancelled instead (MicroPython's
// forwarding). It reports whether the task itself got the delivery.
func (s *cancelScope) cancel(bit uint32, deliver bool) (delivered bool) {
	t := s.ctx.t
	s.cancelled = true
	if s.closed {
		s.end(bit) // it is no longer on the task's chain of scopes
		return false
	}
	for x := t.scope; x != nil; x = x.parent {
		if x == s {
			x.end(bit)
			break
		}
		x.end(ctxCancelled) // for the scopes inside, a cancellation from outside
		x.outer = true
	}
	if !deliver || t.state == taskDone {
		return false
	}
	if inner := t.innermostAwaited(); inner != t {
		inner.root.cancel(ctxCancelled, true)
		return false
	}
	if t.deliver == deliverNone {
		t.deliver = deliverOnce
	}
	if t.blocker != nil {
		t.blocker.remove(t)
		t.loop.wake(t)
	}
	return true
}

// end sets bit in the scope's context state and closes its Done channel the
// first time the context becomes done.
func (s *cancelScope) end(bit uint32) {
	old := s.state.Or(bit)
	if old&ctxWatched != 0 && old&ctxDoneBits == 0 {
		l := s.ctx.t.loop
		l.ctxMu.Lock()
		if s.done != nil {
			close(s.done)
		}
		l.ctxMu.Unlock()
	}
}

// Ctx implements context.Context: it is the context of the scope it belongs
// to. A task's own Ctx is done once the task is cancelled (Task.Cancel, or
// the loop's shutdown) or has returned. The Ctx that Timeout, MoveOnAfter
// and WithTaskGroup pass to their body is done once that scope is cancelled
// (its deadline passed, the group is cancelling), once a scope around it is,
// and once the body has returned; cancelling it never makes the task's own
// Ctx done. Hand Go code the Ctx of the innermost scope, the one the body
// was given. Any goroutine may call these methods.
var _ context.Context = (*Ctx)(nil)

// errNoScope is what the context of a Ctx that belongs to no task says.
var errNoScope = errors.New("asyncio: Ctx of no task: not made by the loop")

// closedChan is the Done channel of a Ctx that belongs to no task.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Deadline returns the earliest deadline of the scope and the scopes around
// it, as a wall-clock time, when the loop runs on the real clock. On a
// virtual clock there is none: deadlines there are on the loop's clock.
func (c *Ctx) Deadline() (time.Time, bool) {
	if c == nil || c.s == nil {
		return time.Time{}, false
	}
	rc := c.t.loop.wall.Load()
	if rc == nil {
		return time.Time{}, false // a virtual clock, or a loop not made yet
	}
	when := int64(-1)
	for s := c.s; s != nil; s = s.parent {
		if w := s.when.Load(); w >= 0 && w != int64(Never) && (when < 0 || w < when) {
			when = w
		}
	}
	if when < 0 {
		return time.Time{}, false
	}
	return rc.start.Add(time.Duration(when)), true
}

// Done returns a channel that is closed when the scope's context is done
// (see Ctx). A Ctx that belongs to no task is done from the start.
func (c *Ctx) Done() <-chan struct{} {
	if c == nil || c.s == nil {
		return closedChan
	}
	s := c.s
	l := c.t.loop
	l.ctxMu.Lock()
	defer l.ctxMu.Unlock()
	old := s.state.Or(ctxWatched)
	if s.done == nil {
		s.done = make(chan struct{})
		if old&ctxDoneBits != 0 {
			close(s.done)
		}
	}
	return s.done
}

// Err returns nil while the context is not done; then ErrTimeout if the
// scope's own deadline passed, ErrCancelled if it or a scope around it was
// cancelled (ErrCancelled matches context.Canceled, ErrTimeout
// context.DeadlineExceeded), and context.Canceled if it ended (its body, or
// the task, returned).
func (c *Ctx) Err() error {
	if c == nil || c.s == nil {
		return errNoScope
	}
	s := c.s.state.Load()
	switch {
	case s&ctxExpired != 0:
		return ErrTimeout
	case s&ctxCancelled != 0:
		return ErrCancelled
	case s&ctxEnded != 0:
		return context.Canceled
	}
	return nil
}

// Value returns the task's value for key: a TaskVar it set or inherited
// (key is the *TaskVar), else the value of the parent context the loop was
// given (WithContext) or Submit was called with; nil when none has it. Any
// goroutine may call it.
func (c *Ctx) Value(key any) any {
	if c == nil || c.t == nil {
		return nil
	}
	return c.t.value(key)
}
