package asyncio

import (
	"errors"
	"math"
	"time"
)

// Never is a deadline that never comes: TimeoutAt(ctx, Never, body) runs
// body without a time limit until its Scope is rescheduled (CPython's
// timeout(None)).
const Never = time.Duration(math.MaxInt64)

// Timeout runs body in the calling task with a deadline d from now (CPython's
// asyncio.timeout, Trio's fail_after). If the deadline passes before body
// returns, the task is cancelled: the await point where it waits returns
// ErrCancelled (or, if it is awaiting a task, that task is cancelled, as
// with Task.Cancel). Once body has returned, Timeout returns ErrTimeout if
// the deadline passed and body returned the cancellation (CPython 3.11: a
// body that catches it and returns normally leaves without an error), and
// body's own error otherwise. Scopes nest: each one only reports its own
// deadline as a timeout. If the task was also cancelled from elsewhere while
// the deadline passed, that cancellation wins and Timeout returns
// ErrCancelled, as CPython does. A deadline already past cancels the body
// at its first await point, as CPython's does.
//
// body gets the scope's Ctx: as a context.Context it is done once the
// deadline has passed (its Err is then ErrTimeout) and once body has
// returned, and it has the deadline when the loop runs on the real clock.
// ctx.Scope() is the scope's handle: When, Reschedule and Expired, for a
// deadline that moves (a keep-alive). The calling task's own Ctx is not
// touched: after the scope, Go code can be handed the task's Ctx again.
func Timeout(ctx *Ctx, d time.Duration, body func(*Ctx) error) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	return TimeoutAt(ctx, time.Duration(cur.loop.deadline(d)), body)
}

// TimeoutAt is Timeout with a deadline on the loop's clock (see Loop.Time);
// Never for none.
func TimeoutAt(ctx *Ctx, at time.Duration, body func(*Ctx) error) error {
	r, err := scope(ctx, at, body)
	if r.expired && !r.merged && errors.Is(err, ErrCancelled) {
		return ErrTimeout
	}
	return err
}

// MoveOnAfter is Timeout that gives up quietly (Trio's move_on_after): if
// the deadline passes, body's cancellation is absorbed and MoveOnAfter
// returns expired true and a nil error. A body error other than the
// cancellation is returned as it is, and so is a cancellation that came from
// elsewhere at the same time as the deadline. body gets the scope's Ctx, as
// with Timeout.
func MoveOnAfter(ctx *Ctx, d time.Duration, body func(*Ctx) error) (expired bool, err error) {
	cur, err := ctx.running()
	if err != nil {
		return false, err
	}
	return MoveOnAt(ctx, time.Duration(cur.loop.deadline(d)), body)
}

// MoveOnAt is MoveOnAfter with a deadline on the loop's clock; Never for
// none.
func MoveOnAt(ctx *Ctx, at time.Duration, body func(*Ctx) error) (expired bool, err error) {
	r, err := scope(ctx, at, body)
	if r.expired && !r.merged && errors.Is(err, ErrCancelled) {
		err = nil
	}
	return r.expired, err
}

// Scope is the handle of a Timeout or MoveOnAfter scope (CPython's Timeout
// object): the Ctx given to the body returns it from Ctx.Scope. Its methods
// are for the loop's goroutine.
type Scope struct {
	cs       cancelScope
	l        *Loop
	timer    timer // the deadline; its callback runs on the loop
	injected bool  // the deadline's cancel is on its way to the task itself
}

// When returns the scope's deadline on the loop's clock, and false when it
// has none (Never).
func (sc *Scope) When() (time.Duration, bool) {
	if w := sc.cs.when.Load(); w >= 0 && w != int64(Never) {
		return time.Duration(w), true
	}
	return 0, false
}

// Reschedule moves the deadline to at on the loop's clock (Never for none);
// at may be earlier or later than before. It costs a timer-heap insert, so a
// keep-alive may call it on every message. After the deadline has passed,
// or once the body has returned, it does nothing.
func (sc *Scope) Reschedule(at time.Duration) {
	if sc.cs.cancelled || sc.cs.closed { // only the deadline cancels this scope
		return
	}
	sc.l.timers.disarm(&sc.timer)
	sc.arm(int64(at))
}

// Expired reports whether the deadline passed while the body ran.
func (sc *Scope) Expired() bool { return sc.cs.cancelled }

// arm sets the deadline: one already past cancels the body at its next
// await point, after the tasks ready now (CPython's call_soon).
func (sc *Scope) arm(at int64) {
	at = max(at, 0)
	sc.cs.when.Store(at)
	switch {
	case at == int64(Never):
	case at <= sc.l.now():
		sc.l.ready.pushItem(runItem{fn: sc.expire})
	default:
		sc.l.timers.arm(&sc.timer, at)
	}
}

// expire is the deadline's callback.
func (sc *Scope) expire() {
	if sc.cs.closed || sc.cs.cancelled {
		return // fired, but queued behind the task that left the scope or rescheduled
	}
	if w := sc.cs.when.Load(); w == int64(Never) || w > sc.l.now() {
		return // rescheduled later while this call was queued
	}
	sc.injected = sc.cs.cancel(ctxExpired, true)
}

// Scope returns the handle of the Timeout or MoveOnAfter scope this Ctx
// belongs to, or nil for any other Ctx (a task's own, a task group's).
func (c *Ctx) Scope() *Scope {
	if c == nil || c.s == nil {
		return nil
	}
	return c.s.handle
}

// scopeResult says how a timeout scope ended.
type scopeResult struct {
	expired bool // the deadline passed while body ran
	merged  bool // a cancel from outside was delivered inside as the same ErrCancelled
}

// scope runs body in a cancel scope that its deadline cancels. The scope
// tells its own cancellation from one made from outside while it was open
// (cancelScope.outer), so that an outside cancel is neither withdrawn nor
// mistaken for the deadline, as CPython's Task.cancelling and uncancel do.
func scope(ctx *Ctx, at time.Duration, body func(*Ctx) error) (r scopeResult, err error) {
	cur, err := ctx.running()
	if err != nil {
		return r, err
	}
	if body == nil {
		return r, ErrNilFunc
	}
	sc := &Scope{l: cur.loop}
	sc.timer.fn = sc.expire
	sc.cs.handle = sc
	cur.openScope(&sc.cs, -1)
	sc.arm(int64(at))
	defer func() {
		sc.l.timers.disarm(&sc.timer)
		cur.closeScope(&sc.cs)
		r.expired = sc.cs.cancelled
		switch {
		case sc.cs.outer && cur.deliver == deliverNone:
			r.merged = true // delivered inside the scope: report it
		case !sc.cs.outer && sc.injected && cur.deliver == deliverOnce:
			cur.deliver = deliverNone // ours, never delivered: it must not leak out
		}
	}()
	return r, body(&sc.cs.ctx)
}
