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
// elsewhere at the same time as the deadline.
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
	merged  bool // another cancel request was delivered inside as the same ErrCancelled
}

// scope runs body with a callback at the deadline that cancels the task.
// Cancel requests are counted so that a cancel from elsewhere, made while
// the scope runs, is neither withdrawn nor mistaken for the scope's own (as
// CPython counts them with Task.cancelling and uncancel).
func scope(ctx *Ctx, at time.Duration, body func(*Ctx) error) (r scopeResult, err error) {
	cur, err := ctx.running()
	if err != nil {
		return r, err
	}
	if body == nil {
		return r, ErrNilFunc
	}
	inside, injected, before := true, false, cur.cancels
	h := cur.loop.CallAt(at, func() {
		if !inside {
			return
		}
		r.expired = true
		if !cur.cancelled {
			cur.Cancel()
			injected = cur.cancelled // false if the cancel went to an awaited task
		}
	})
	defer func() {
		inside = false
		h.Cancel()
		if injected {
			cur.cancels-- // ours is handled here: outer scopes must not count it
		}
		others := cur.cancels - before
		switch {
		case others > 0 && !cur.cancelled:
			r.merged = true // delivered inside the scope: report it
		case others == 0 && injected && cur.cancelled:
			cur.cancelled = false // ours, never delivered: it must not leak out
		}
	}()
	return r, body(ctx)
}
