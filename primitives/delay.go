package primitives

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Delay is a retriggerable one-shot timer (micropython-async's Delay_ms):
// once triggered, it times out after its duration unless triggered again
// first, which restarts the count from then; at the time-out it calls its
// function and wakes the tasks waiting in Wait. A watchdog, a backlight that
// goes out after the last key press, a debounce.
//
// Delay runs no task: a pending time-out is a loop callback (Loop.CallAt),
// dropped when Stop is called or the loop closes, so a Delay can never leak
// a task, unlike Delay_ms without its deinit. Its methods must be called on
// the loop's goroutine.
type Delay[T any] struct {
	loop     *asyncio.Loop
	duration time.Duration
	fn       func() T
	timer    *asyncio.Handle
	deadline time.Duration
	result   T
	done     asyncio.Event
}

// NewDelay returns a stopped Delay on loop with the given default duration
// and function, which may be nil. For no function and no result, use
// NewDelay[struct{}](loop, d, nil).
func NewDelay[T any](loop *asyncio.Loop, d time.Duration, fn func() T) *Delay[T] {
	return &Delay[T]{loop: loop, duration: d, fn: fn}
}

// Trigger starts the timer, or restarts it if it runs: it times out d from
// now, sooner or later than it would have (d zero or less means the default
// duration).
func (t *Delay[T]) Trigger(d time.Duration) {
	if d <= 0 {
		d = t.duration
	}
	t.Stop()
	t.deadline = t.loop.Time() + d
	t.timer = t.loop.CallAt(t.deadline, t.timeout)
}

// timeout runs at the time-out. If the function panics, the loop reports
// it to its exception handler, and the waiters are woken all the same.
func (t *Delay[T]) timeout() {
	t.timer = nil
	defer func() {
		t.done.Set()
		t.done.Clear()
	}()
	if t.fn != nil {
		t.result = t.fn()
	}
}

// Stop stops the timer if it runs: it will not time out, and the tasks in
// Wait go on waiting, for the next time-out.
func (t *Delay[T]) Stop() {
	if t.timer != nil {
		t.timer.Cancel()
		t.timer = nil
	}
}

// Running reports whether the timer runs: triggered, not yet timed out or
// stopped.
func (t *Delay[T]) Running() bool { return t.timer != nil }

// Deadline returns when the running timer times out, on the loop's clock,
// and false if it does not run.
func (t *Delay[T]) Deadline() (time.Duration, bool) { return t.deadline, t.timer != nil }

// Wait pauses the calling task until the timer's next time-out (after its
// function has run), however often it is retriggered before. It returns
// asyncio.ErrCancelled if the task is cancelled first.
func (t *Delay[T]) Wait(ctx *asyncio.Ctx) error { return t.done.Wait(ctx) }

// Result returns what the function returned at the last time-out, the zero
// T before the first.
func (t *Delay[T]) Result() T { return t.result }

// SetFunc replaces the function called at time-outs (nil for none).
func (t *Delay[T]) SetFunc(fn func() T) { t.fn = fn }

// Duration returns the default duration.
func (t *Delay[T]) Duration() time.Duration { return t.duration }
