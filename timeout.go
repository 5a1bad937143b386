package asyncio

import (
	"errors"
	"time"
)

// Timeout runs body in the calling task with a deadline d from now (CPython's
// asyncio.timeout, Trio's fail_after). If the deadline passes before body
// returns, the task is cancelled: the await point where it waits returns
// ErrCancelled (or, if it is awaiting a task, that task is cancelled, as
// with Task.Cancel). Once body has returned, Timeout returns ErrTimeout if
// the deadline passed and body returned nil or a cancellation error, and
// body's own error otherwise. Scopes nest: each one only reports its own
// deadline as a timeout. If the task was also cancelled from elsewhere while
// the deadline passed, that cancellation wins and Timeout returns
// ErrCancelled, as CPython does.
//
// body gets the scope's Ctx: as a context.Context it is done once the
// deadline has passed (its Err is then ErrTimeout) and once body has
// returned, and it has the deadline when the loop runs on the real clock.
// The calling task's own Ctx is not touched: after the scope, Go code can be
// handed the task's Ctx again.
func Timeout(ctx *Ctx, d time.Duration, body func(*Ctx) error) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	return TimeoutAt(ctx, time.Duration(cur.loop.deadline(d)), body)
}

// TimeoutAt is Timeout with a deadline on the loop's clock (see Loop.Time).
func TimeoutAt(ctx *Ctx, at time.Duration, body func(*Ctx) error) error {
	r, err := scope(ctx, at, body)
	if r.expired && !r.merged && (err == nil || errors.Is(err, ErrCancelled)) {
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

// MoveOnAt is MoveOnAfter with a deadline on the loop's clock.
func MoveOnAt(ctx *Ctx, at time.Duration, body func(*Ctx) error) (expired bool, err error) {
	r, err := scope(ctx, at, body)
	if r.expired && !r.merged && errors.Is(err, ErrCancelled) {
		err = nil
	}
	return r.expired, err
}

// scopeResult says how a timeout scope ended.
type scopeResult struct {
	expired bool // the deadline passed while body ran
	merged  bool // a cancel from outside was delivered inside as the same ErrCancelled
}

// scope runs body in a cancel scope that a callback at the deadline cancels.
// The scope tells its own cancellation from one made from outside while it
// was open (cancelScope.outer), so that an outside cancel is neither
// withdrawn nor mistaken for the deadline, as CPython's Task.cancelling and
// uncancel do.
func scope(ctx *Ctx, at time.Duration, body func(*Ctx) error) (r scopeResult, err error) {
	cur, err := ctx.running()
	if err != nil {
		return r, err
	}
	if body == nil {
		return r, ErrNilFunc
	}
	s := &cancelScope{}
	cur.openScope(s, max(int64(at), 0))
	inside := true
	injected := false // the deadline's cancel is on its way to the task itself
	h := cur.loop.CallAt(at, func() {
		if !inside {
			return // fired, but queued behind the task that left the scope
		}
		r.expired = true
		injected = s.cancel(ctxExpired, true)
	})
	defer func() {
		inside = false
		h.Cancel()
		cur.closeScope(s)
		switch {
		case s.outer && cur.deliver == deliverNone:
			r.merged = true // delivered inside the scope: report it
		case !s.outer && injected && cur.deliver == deliverOnce:
			cur.deliver = deliverNone // ours, never delivered: it must not leak out
		}
	}()
	return r, body(&s.ctx)
}
