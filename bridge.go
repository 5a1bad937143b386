package asyncio

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
)

// threadWait is where a task waits in ToThread; one per call, so that a late
// result of an abandoned call cannot wake the task from a later one.
type threadWait struct{ _ byte }

func (*threadWait) remove(*Task)     {}
func (*threadWait) describe() string { return "waiting for a goroutine (ToThread)" }

// ToThread runs fn on a new goroutine and pauses the calling task, not the
// loop, until fn returns; it returns fn's error (CPython's to_thread). Use it
// for blocking Go code: file and device I/O, cgo calls, heavy computation.
//
// fn gets ctx as its context.Context: it is done when the task is cancelled
// or, for the Ctx a Timeout, MoveOnAfter or WithTaskGroup gave its body,
// when that scope is. On a virtual clock, time does not jump while fn runs:
// its result is work still to come, as a goroutine's in a syscall keeps
// testing/synctest's clock still. If the task is cancelled while fn runs,
// ToThread returns
// ErrCancelled at once and fn's result is dropped; fn should return soon,
// because Loop.Close (and so Run) waits for every goroutine ToThread started.
// A panic in fn becomes a *PanicError.
func ToThread(ctx *Ctx, fn func(context.Context) error) error {
	var f func(context.Context) (struct{}, error) // nil for a nil fn: ErrNilFunc
	if fn != nil {
		f = func(c context.Context) (struct{}, error) { return struct{}{}, fn(c) }
	}
	_, err := ToThreadOf(ctx, f)
	return err
}

// ToThreadOf is ToThread for a function that returns a value. Both return
// ErrNilFunc for a nil fn.
func ToThreadOf[T any](ctx *Ctx, fn func(context.Context) (T, error)) (T, error) {
	var value T
	cur, err := ctx.running()
	if err != nil {
		return value, err
	}
	if fn == nil {
		return value, ErrNilFunc
	}
	l := cur.loop
	var result error
	finished := false
	here := &threadWait{}
	name := cur.Name() // on the loop: Name fills the name in lazily
	l.hold()
	l.threads.Add(1)
	l.threadsBusy.Add(1)
	go func() {
		defer l.threads.Done()
		var v T
		err := fmt.Errorf("%w: in ToThread in %s", ErrGoexit, name) // unless fn returns
		defer func() {
			// Deferred, so that a runtime.Goexit in fn still hands the loop
			// its result and releases its hold.
			// The count falls on the loop, as it takes the result: a
			// virtual clock that waits for it is woken by the posting, and
			// nothing can slip between the result and the count.
			if l.CallSoonThreadsafe(func() {
				l.threadsBusy.Add(-1)
				l.unhold()
				value, result, finished = v, err, true
				if cur.blocker == waitQueue(here) {
					l.wake(cur)
				}
			}) != nil {
				l.threadsBusy.Add(-1) // the loop is closed: nothing waits for it
			}
		}()
		v, err = callGuarded(name, ctx, fn)
	}()
	err = cur.park(here)
	if !finished {
		var zero T
		return zero, err
	}
	return value, result
}

func callGuarded[T any](name string, ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Task: "ToThread in " + name, Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// errSubmitNilLoop is returned by Submit given a nil loop.
var errSubmitNilLoop = errors.New("asyncio: Submit to a nil loop")

// ErrSubmitInTask is returned by Submit called from inside a task: Submit
// blocks its goroutine, which would block the task's whole loop, and for
// ever if the work is for that same loop. Inside a task, use CreateTask and
// Await.
var ErrSubmitInTask = errors.New("asyncio: Submit called from a task: it would block the task's loop; use CreateTask and Await there")

// bodyFunc identifies a task's coroutine on a stack: its bottom frame is
// (*Task).body.
const bodyFunc = "github.com/goasyncio/asyncio.(*Task).body"

// inTask reports whether the calling goroutine is a task's coroutine. It
// walks the whole stack (a few microseconds), which is fine for Submit, a
// call that crosses goroutines anyway.
func inTask() bool {
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			frames := runtime.CallersFrames(pcs[:n])
			for {
				f, more := frames.Next()
				if f.Function == bodyFunc {
					return true
				}
				if !more {
					return false
				}
			}
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
}

// Submit runs fn as a new task of loop l and waits for its result; it is
// for other goroutines (CPython's run_coroutine_threadsafe followed by
// result()). The task's Ctx answers Value with goctx's values. The task starts when the loop runs it; Submit blocks the calling
// goroutine, never the loop. If goctx is done first, Submit cancels the task
// and returns goctx's error without waiting for it. It returns ErrLoopClosed
// if the loop is closed, an error for a nil loop, and ErrSubmitInTask when
// called from a task (of any loop), which it would block.
func Submit[T any](goctx context.Context, l *Loop, fn func(*Ctx) (T, error), opts ...TaskOption) (T, error) {
	var zero T
	if l == nil {
		return zero, errSubmitNilLoop
	}
	if inTask() {
		return zero, ErrSubmitInTask
	}
	type result struct {
		v   T
		err error
	}
	results := make(chan result, 1)
	tasks := make(chan *TaskOf[T], 1)
	err := l.CallSoonThreadsafe(func() {
		t := newTaskOf(l, fn, opts)
		t.parent = goctx // its values reach the task, which has not run yet
		t.waiters.addWatch(&watch{fn: func(*Task) { results <- result{t.value, t.err} }})
		tasks <- t
	})
	if err != nil {
		return zero, err
	}
	select {
	case r := <-results:
		return r.v, r.err
	case <-l.closedCh:
		select {
		case r := <-results:
			return r.v, r.err
		default:
			return zero, ErrLoopClosed // closed before it ran the task
		}
	case <-goctx.Done():
		l.CallSoonThreadsafe(func() {
			if t := <-tasks; !t.Done() {
				t.Cancel()
			}
		})
		return zero, goctx.Err()
	}
}
