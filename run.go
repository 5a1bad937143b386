package asyncio

import (
	"errors"
	"time"
)

// Run makes a new loop with the given options, runs main as its first task
// until main returns, closes the loop and returns main's error.
//
// When main returns, the tasks still pending are cancelled and run until
// they have finished their clean-up (see Loop.Close), so no goroutine started
// by the loop outlives Run. CPython's asyncio.run does the same (but lets
// clean-up code wait); MicroPython's run returns at once and leaves other
// tasks where they are. If main can never finish, Run returns a
// *DeadlockError naming the blocked tasks. An error from the shutdown (see
// ErrIgnoredCancel) is joined after main's.
func Run(main func(*Ctx) error, opts ...Option) error {
	if main == nil {
		return ErrNilFunc
	}
	_, err := RunOf(func(ctx *Ctx) (struct{}, error) { return struct{}{}, main(ctx) }, opts...)
	return err
}

// RunOf is Run for a main that returns a value.
func RunOf[T any](main func(*Ctx) (T, error), opts ...Option) (T, error) {
	var zero T
	if main == nil {
		return zero, ErrNilFunc
	}
	l := NewLoop(opts...)
	t := newTaskOf(l, main, []TaskOption{Named("main")})
	stop := l.cancelMainWhen(&t.Task)
	err := l.RunUntilComplete(&t.Task)
	stop()
	if cerr := l.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	return t.value, err
}

// Sleep pauses the running task for d; other tasks run meanwhile. A d of
// zero or less yields: every other task ready now runs once first, in order.
// Sleep returns nil when the time is up, ErrCancelled if the task was
// cancelled while sleeping, and ErrNotInTask when ctx is not the running
// task's.
func Sleep(ctx *Ctx, d time.Duration) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	if d <= 0 {
		// yieldNow written out, one return fewer after the switch: see yieldNow.
		if t.exiting != exitNone {
			return ErrCancelled // unwinding: its deferred calls may not wait
		}
		l := t.loop
		l.ready.push(t)
		if l.instrumented {
			l.noteYield(t)
		}
		t.yield(struct{}{})
		return t.resumed()
	}
	l := t.loop
	l.timers.arm(&t.timer, l.deadline(d))
	return t.park(&l.timers)
}

// SleepMs is Sleep for ms milliseconds (MicroPython's sleep_ms). Negative
// values sleep 0.
func SleepMs(ctx *Ctx, ms int) error {
	return Sleep(ctx, msDuration(ms))
}
