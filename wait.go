package asyncio

import (
	"errors"
	"fmt"
	"iter"
)

// WaitMode says when Wait returns.
type WaitMode uint8

const (
	// AllCompleted returns when every task has finished.
	AllCompleted WaitMode = iota
	// FirstCompleted returns when any task has finished.
	FirstCompleted
	// FirstError returns when any task fails (an error other than a
	// cancellation, as CPython's FIRST_EXCEPTION ignores cancelled tasks),
	// or when every task has finished.
	FirstError
)

// ErrWaitEmpty is returned by Wait given no tasks (CPython raises
// ValueError): there would be nothing to wait for.
var ErrWaitEmpty = errors.New("asyncio: Wait: no tasks to wait for")

// ErrWaitMode is returned by Wait given a WaitMode that is none of
// AllCompleted, FirstCompleted and FirstError.
var ErrWaitMode = errors.New("asyncio: Wait: unknown WaitMode")

// failedNotCancelled reports whether a done task failed with an error other
// than a cancellation.
func failedNotCancelled(t *Task) bool { return t.err != nil && !errors.Is(t.err, ErrCancelled) }

type waitWait struct{}

func (waitWait) remove(*Task)     {}
func (waitWait) describe() string { return "waiting for tasks" }

// Wait waits for the tasks as mode says and returns them split into done
// and pending, each in argument order (CPython's asyncio.wait). It cancels
// nothing: to give up after a time, call it inside MoveOnAfter. If the
// calling task is cancelled, Wait returns ErrCancelled and the tasks go on.
// A mode other than the three above gives an error matching ErrWaitMode, and
// no tasks ErrWaitEmpty.
func Wait(ctx *Ctx, mode WaitMode, tasks ...*Task) (done, pending []*Task, err error) {
	cur, err := ctx.running()
	if err != nil {
		return nil, nil, err
	}
	if mode > FirstError {
		return nil, nil, fmt.Errorf("%w %d", ErrWaitMode, mode)
	}
	if len(tasks) == 0 {
		return nil, nil, ErrWaitEmpty
	}
	for _, t := range tasks {
		if err := cur.checkAwait(t); err != nil {
			return nil, nil, err
		}
	}
	// Counted once here, then one finish at a time: each check is O(1).
	finished, failed := 0, false
	for _, t := range tasks {
		if t.state == taskDone {
			finished++
			failed = failed || failedNotCancelled(t)
		}
	}
	enough := func() bool {
		switch mode {
		case FirstCompleted:
			return finished > 0 || len(tasks) == 0
		case FirstError:
			return failed || finished == len(tasks)
		}
		return finished == len(tasks)
	}
	if !enough() {
		err := cur.waitUntil(tasks, func(t *Task) bool {
			finished++
			failed = failed || failedNotCancelled(t)
			return enough()
		})
		if err != nil {
			return nil, nil, err
		}
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

// waitUntil parks the running task until finished, called as each of the
// unfinished tasks finishes (once for each time it appears in tasks),
// reports true.
func (cur *Task) waitUntil(tasks []*Task, finished func(t *Task) bool) error {
	w := &watch{fn: func(t *Task) {
		if finished(t) && cur.blocker != nil {
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

// asCompletedWait is where a task waits in AsCompleted.
type asCompletedWait struct{}

func (asCompletedWait) remove(*Task)     {}
func (asCompletedWait) describe() string { return "waiting for tasks (AsCompleted)" }

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
		// One watch on every unfinished task, for the whole iteration,
		// queues the tasks as they finish: each step costs O(1).
		var queue []*Task // finished tasks; queue[:head] are yielded
		head := 0
		for _, t := range tasks {
			if t.state == taskDone {
				queue = append(queue, t)
			}
		}
		waiting := false // parked in the loop below
		if len(queue) < len(tasks) {
			w := &watch{fn: func(t *Task) {
				queue = append(queue, t)
				if waiting && cur.blocker != nil {
					cur.loop.wake(cur)
				}
			}}
			for _, t := range tasks {
				if t.state != taskDone {
					t.waiters.addWatch(w)
				}
			}
			defer func() {
				for _, t := range tasks {
					if t.state != taskDone {
						t.waiters.removeWatch(w)
					}
				}
			}()
		}
		for range tasks {
			for head == len(queue) {
				waiting = true
				err := cur.park(asCompletedWait{})
				waiting = false
				if err != nil {
					yield(nil, err)
					return
				}
			}
			t := queue[head]
			queue[head] = nil
			head++
			t.retrieved = true
			if !yield(t, t.err) {
				return
			}
		}
	}
}
