package asyncio

import (
	"context"
	"fmt"
	"time"
)

// ErrTimeout is returned by WaitFor and Timeout when the time is up
// (MicroPython's TimeoutError). It matches context.DeadlineExceeded with
// errors.Is.
var ErrTimeout = fmt.Errorf("asyncio: timeout: %w", context.DeadlineExceeded)

// msDuration converts milliseconds to a Duration without overflow: values
// too large for a Duration saturate, and negative ones become 0 (they mean
// "no wait" everywhere a duration is taken).
func msDuration(ms int) time.Duration {
	switch {
	case ms <= 0:
		return 0
	case int64(ms) > int64(1<<63-1)/int64(time.Millisecond):
		return 1<<63 - 1
	}
	return time.Duration(ms) * time.Millisecond
}

// gatherWait is where a task waits in Gather.
type gatherWait struct{}

func (gatherWait) remove(*Task)     {}
func (gatherWait) describe() string { return "gathering" }

// Gather waits until every task has finished and returns nil, or returns the
// first error as soon as a task fails, leaving the other tasks running
// (MicroPython's gather without return_exceptions). A task cancelled meanwhile
// counts as failed with ErrCancelled. If the calling task is cancelled while
// it waits, every task still running is cancelled and Gather returns
// ErrCancelled.
func Gather(ctx *Ctx, tasks ...*Task) error {
	_, err := gather(ctx, tasks, false)
	return err
}

// GatherErrors waits until every task has finished and returns each task's
// error in argument order, nil for the tasks that succeeded (MicroPython's
// gather with return_exceptions=True). The second result is non-nil only if
// the gather itself could not be done: a bad argument, or the calling task
// cancelled while waiting, which cancels every task still running.
func GatherErrors(ctx *Ctx, tasks ...*Task) ([]error, error) {
	return gather(ctx, tasks, true)
}

// GatherOf is Gather for tasks that return values: it returns their values
// in argument order once all have finished, or the first error.
func GatherOf[T any](ctx *Ctx, tasks ...*TaskOf[T]) ([]T, error) {
	plain := make([]*Task, len(tasks))
	for i, t := range tasks {
		if t != nil {
			plain[i] = &t.Task
		}
	}
	if _, err := gather(ctx, plain, false); err != nil {
		return nil, err
	}
	values := make([]T, len(tasks))
	for i, t := range tasks {
		values[i] = t.value
	}
	return values, nil
}

func gather(ctx *Ctx, tasks []*Task, returnErrors bool) ([]error, error) {
	cur, err := ctx.running()
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		if err := cur.checkAwait(t); err != nil {
			return nil, err
		}
	}
	var first error
	pending := 0
	for _, t := range tasks {
		if t.state != taskDone {
			pending++
			continue
		}
		// A task that had already failed is not marked retrieved: its
		// report to the exception handler, queued when it failed, still
		// comes (MicroPython's gather leaves it as it is).
		if !returnErrors && t.err != nil && first == nil {
			first = t.err
		}
	}
	w := &watch{fn: func(t *Task) {
		pending--
		if !returnErrors && t.err != nil && first == nil {
			first = t.err
		}
		if (pending == 0 || first != nil) && cur.blocker != nil {
			cur.loop.wake(cur)
		}
	}}
	if first == nil && pending > 0 {
		for _, t := range tasks {
			if t.state != taskDone {
				t.waiters.addWatch(w)
			}
		}
		err = cur.park(gatherWait{})
		for _, t := range tasks {
			if t.state != taskDone {
				t.waiters.removeWatch(w)
				if err != nil {
					t.Cancel()
				}
			}
		}
	}
	switch {
	case err != nil:
		return nil, err
	case first != nil:
		return nil, first
	case !returnErrors:
		return nil, nil
	}
	errs := make([]error, len(tasks))
	for i, t := range tasks {
		errs[i] = t.err
	}
	return errs, nil
}

// shieldWait is where a task waits in Shield: among the awaiters of the
// shielded task, but without forwarding a cancellation to it.
type shieldWait struct{ t *Task }

func (s shieldWait) remove(w *Task) { s.t.waiters.remove(w) }
func (shieldWait) describe() string { return "awaiting a shielded task" }

// Shield waits for t like t.Await, but protects t from the caller's
// cancellation: if the calling task is cancelled while it waits, Shield
// returns ErrCancelled at once and t goes on running (CPython's shield).
func Shield(ctx *Ctx, t *Task) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	if err := cur.checkAwait(t); err != nil {
		return err
	}
	if t.state != taskDone {
		t.waiters.push(cur)
		if err := cur.park(shieldWait{t}); err != nil {
			return err
		}
	}
	t.retrieved = true
	return t.err
}
