package asyncio

import (
	"errors"
	"fmt"
	"iter"
	"slices"
)

// WaitMode says when Wait returns.
type WaitMode uint8

const (
	// AllCompleted returns when every task has finished.
	AllCompleted WaitMode = iota
	// FirstCompleted returns when any task has finished.
	FirstCompleted
	// FirstError returns when any task fails (any error, a cancellation
	// included), or when every task has finished.
	FirstError
)

// ErrWaitMode is returned by Wait given a WaitMode that is none of
// AllCompleted, FirstCompleted and FirstError.
var ErrWaitMode = errors.New("asyncio: Wait: unknown WaitMode")

type waitWait struct{}

func (waitWait) remove(*Task)     {}
func (waitWait) describe() string { return "waiting for tasks" }

// Wait waits for the tasks as mode says and returns them split into done
// and pending, each in argument order (CPython's asyncio.wait). It cancels
// nothing: to give up after a time, call it inside MoveOnAfter. If the
// calling task is cancelled, Wait returns ErrCancelled and the tasks go on.
// A mode other than the three above gives an error matching ErrWaitMode.
func Wait(ctx *Ctx, mode WaitMode, tasks ...*Task) (done, pending []*Task, err error) {
	cur, err := ctx.running()
	if err != nil {
		return nil, nil, err
	}
	if mode > FirstError {
		return nil, nil, fmt.Errorf("%w %d", ErrWaitMode, mode)
	}
	for _, t := range tasks {
		if err := cur.checkAwait(t); err != nil {
			return nil, nil, err
		}
	}
	enough := func() bool {
		finished, failed := 0, false
		for _, t := range tasks {
			if t.state == taskDone {
				finished++
				failed = failed || t.err != nil
			}
		}
		switch mode {
		case FirstCompleted:
			return finished > 0 || len(tasks) == 0
		case FirstError:
			return failed || finished == len(tasks)
		}
		return finished == len(tasks)
	}
	if err := cur.waitUntil(tasks, enough); err != nil {
		return nil, nil, err
	}
	for _, t := range tasks {
		if t.state == taskDone {
			done = append(done, t)
		} else {
			pending = append(pending, t)
		}
	}
	return done, pending, nil
}

// waitUntil parks the running task until enough reports true, checked each
// time one of tasks finishes.
func (cur *Task) waitUntil(tasks []*Task, enough func() bool) error {
	if enough() {
		return nil
	}
	w := &watch{fn: func(*Task) {
		if cur.blocker != nil && enough() {
			cur.loop.wake(cur)
		}
	}}
	for _, t := range tasks {
		if t.state != taskDone {
			t.waiters.addWatch(w)
		}
	}
	err := cur.park(waitWait{})
	for _, t := range tasks {
		if t.state != taskDone {
			t.waiters.removeWatch(w)
		}
	}
	return err
}

// AsCompleted returns an iterator over the tasks in the order they finish
// (those already done first, in argument order). Each step pauses the
// calling task until the next one finishes, and yields it with its error.
// If the calling task is cancelled while waiting, the iterator yields a nil
// task with ErrCancelled and stops; the tasks go on. The iterator must be
// used in the task that ctx belongs to.
func AsCompleted(ctx *Ctx, tasks ...*Task) iter.Seq2[*Task, error] {
	return func(yield func(*Task, error) bool) {
		cur, err := ctx.running()
		if err == nil {
			for _, t := range tasks {
				if err = cur.checkAwait(t); err != nil {
					break
				}
			}
		}
		if err != nil {
			yield(nil, err)
			return
		}
		left := slices.Clone(tasks)
		for len(left) > 0 {
			i := slices.IndexFunc(left, (*Task).Done)
			if i < 0 {
				if err := cur.waitUntil(left, func() bool { return slices.ContainsFunc(left, (*Task).Done) }); err != nil {
					yield(nil, err)
					return
				}
				continue
			}
			t := left[i]
			left = slices.Delete(left, i, i+1)
			t.retrieved = true
			if !yield(t, t.err) {
				return
			}
		}
	}
}
