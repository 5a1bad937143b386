package asyncio_test

// Regression tests for defects a review of the cancel-scope redesign found.

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	. "github.com/goasyncio/asyncio"
)

// Sets made before the waiter resumes are merged into one wake-up
// (documented); none of their posted callbacks may wake the waiter's next
// Wait, which has no Set behind it. (Set's callback checks the flag is still
// set, and posted work runs before the next task step.)
func TestThreadSafeFlagSpuriousWake(t *testing.T) {
	var f ThreadSafeFlag
	Run(func(ctx *Ctx) error {
		a := CreateTask(ctx, func(ctx *Ctx) error {
			if err := f.Wait(ctx); err != nil {
				return err
			}
			t.Log("first Wait returned (Set1, Set2 merged)")
			start := ctx.Loop().Time()
			err := f.Wait(ctx) // no Set will come
			t.Logf("second Wait returned %v after %v", err, ctx.Loop().Time()-start)
			if err == nil {
				t.Error("second Wait woke up with no Set after the first Wait returned")
			}
			return nil
		})
		Sleep(ctx, 0) // a waits
		f.Set()       // two interrupts before a runs: one wake-up
		f.Set()
		_, err := MoveOnAfter(ctx, 50*time.Millisecond, a.Await)
		return err
	})
}

// A panic in a WithTaskGroup body unwinds past the group: its children are
// neither cancelled nor awaited, keep running, and a child's later failure is
// swallowed (the group's watch marks it retrieved, nobody reads g.errs).
func TestGroupBodyPanicOrphans(t *testing.T) {
	var reports []error
	var child *Task
	err := Run(func(ctx *Ctx) error {
		p := CreateTask(ctx, func(ctx *Ctx) error {
			return WithTaskGroup(ctx, func(ctx *Ctx, g *TaskGroup) error {
				child = g.Go(func(ctx *Ctx) error {
					Sleep(ctx, 10*time.Millisecond)
					return errors.New("child failed")
				})
				Sleep(ctx, time.Millisecond)
				panic("body bug")
			})
		})
		p.Await(ctx)
		t.Logf("parent ended: %v; child done: %v", p.Err() != nil, child.Done())
		Sleep(ctx, 20*time.Millisecond)
		t.Logf("child: done %v err %v", child.Done(), child.Err())
		return nil
	}, WithExceptionHandler(func(l *Loop, c ExceptionContext) { reports = append(reports, c.Err) }))
	t.Logf("Run: %v; exception handler reports: %v", err, reports)
	if len(reports) == 0 {
		t.Error("the child's failure reached no one")
	}
}

// After a recovered panic left a group, a failing orphan calls
// g.scope.cancel on a closed scope: the walk misses it and cancels every
// scope of the parent up to its root, so the task's own Ctx becomes done.
func TestClosedGroupScopeCancelLeaks(t *testing.T) {
	Run(func(ctx *Ctx) error {
		func() {
			defer func() { recover() }()
			WithTaskGroup(ctx, func(gctx *Ctx, g *TaskGroup) error {
				g.Go(func(ctx *Ctx) error {
					Sleep(ctx, time.Millisecond)
					return errors.New("child failed")
				})
				panic("body bug")
			})
		}()
		t.Logf("task Ctx before: %v", ctx.Err())
		Sleep(ctx, 5*time.Millisecond) // the orphan fails
		t.Logf("task Ctx after: %v", ctx.Err())
		if ctx.Err() != nil {
			t.Error("the task's own Ctx was cancelled by a closed group's scope")
		}
		return nil
	})
}

// Outer Timeout A expires while inner scopes B ⊃ C are open: C (innermost)
// gets ctxExpired (Err ErrTimeout), B gets ctxCancelled (Err ErrCancelled).
func TestNestedExpiredBit(t *testing.T) {
	Run(func(ctx *Ctx) error {
		var bErr, cErr error
		err := Timeout(ctx, time.Millisecond, func(a *Ctx) error {
			return Timeout(a, time.Hour, func(b *Ctx) error {
				return Timeout(b, time.Hour, func(c *Ctx) error {
					err := Sleep(c, time.Second)
					bErr, cErr = b.Err(), c.Err()
					return err
				})
			})
		})
		t.Logf("A: %v; B.Err=%v; C.Err=%v", err, bErr, cErr)
		if errors.Is(cErr, ErrTimeout) != errors.Is(bErr, ErrTimeout) {
			t.Errorf("inner scopes disagree: B %v, C %v (neither deadline passed)", bErr, cErr)
		}
		return nil
	}, VirtualClock())
}

type rec struct{ byNil, byTask int }

func (r *rec) TaskCreated(*Task) {}
func (r *rec) TaskScheduled(t, by *Task) {
	if t.Name() == "awaiter" {
		if by == nil {
			r.byNil++
		} else {
			r.byTask++
		}
	}
}
func (r *rec) BeforeTaskStep(*Task)     {}
func (r *rec) AfterTaskStep(*Task)      {}
func (r *rec) TaskExited(*Task)         {}
func (r *rec) BeforeIdle(time.Duration) {}
func (r *rec) AfterIdle()               {}

// An awaiter woken because the awaited task finished is reported with by nil:
// finish runs after step has cleared l.current.
func TestInstrumentByOnFinish(t *testing.T) {
	r := &rec{}
	Run(func(ctx *Ctx) error {
		w := CreateTask(ctx, func(ctx *Ctx) error { return Sleep(ctx, time.Millisecond) }, Named("work"))
		a := CreateTask(ctx, func(ctx *Ctx) error { return w.Await(ctx) }, Named("awaiter"))
		return a.Await(ctx)
	}, WithInstrument(r))
	t.Logf("awaiter scheduled: by nil %d, by a task %d", r.byNil, r.byTask)
	if r.byNil > 0 {
		t.Error("the wake-up by the finished task was reported with by == nil")
	}
}

// Virtual clock: the loop reads hasPosted, then threadsBusy; a ToThread
// goroutine that posts and decrements in between lets the clock jump.
func TestVirtualJumpPastToThread(t *testing.T) {
	expired := 0
	const n = 3000
	Run(func(ctx *Ctx) error {
		for i := 0; i < n; i++ {
			e, err := MoveOnAfter(ctx, time.Nanosecond, func(ctx *Ctx) error {
				return ToThread(ctx, func(context.Context) error { return nil })
			})
			if err != nil {
				return err
			}
			if e {
				expired++
			}
		}
		return nil
	}, VirtualClock())
	t.Logf("%d of %d ToThread calls timed out on a virtual clock", expired, n)
	if expired > 0 {
		t.Error("virtual clock jumped while a ToThread result was on its way")
	}
}

// callGuarded calls t.Name() on the ToThread goroutine when fn panics; Name
// lazily writes t.name, racing with the loop, which may name the task too.
func TestToThreadPanicNameRace(t *testing.T) {
	Run(func(ctx *Ctx) error {
		w := CreateTask(ctx, func(ctx *Ctx) error {
			return ToThread(ctx, func(context.Context) error { panic("boom") })
		})
		Sleep(ctx, 0)  // w starts its goroutine and parks
		_ = w.String() // the loop names the task meanwhile
		w.Await(ctx)
		return nil
	})
}

// FIFO: a getter woken for value 1 gets value 3 after Shutdown(true),
// though the doc says values handed to woken getters are not dropped.
func TestQueueImmediateShutdownDropsReserved(t *testing.T) {
	err := Run(func(ctx *Ctx) error {
		q := NewQueue[int](0)
		g := CreateTaskOf(ctx, func(ctx *Ctx) (int, error) { return q.Get(ctx) })
		Sleep(ctx, 0)  // g waits in Get
		q.PutNowait(1) // reserved for g, g woken
		q.PutNowait(2)
		q.PutNowait(3)
		q.Shutdown(true) // drops the unreserved values: should be 2 and 3
		v, err := g.Await(ctx)
		t.Logf("woken getter got %d, %v (want 1)", v, err)
		if v != 1 {
			t.Errorf("getter got %d, want the value reserved for it, 1", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Submit posted while Close waits for ToThread goroutines: CallSoonThreadsafe
// accepts the call (the loop is not closed yet), then Close drops l.posted,
// so Submit waits for ever on a context that is never done.
func TestSubmitDuringCloseHangs(t *testing.T) {
	l := NewLoop()
	started := make(chan struct{})
	l.CreateTask(func(ctx *Ctx) error {
		return ToThread(ctx, func(context.Context) error {
			close(started)
			time.Sleep(200 * time.Millisecond) // slow to notice its cancellation
			return nil
		})
	})
	l.RunUntilComplete(l.CreateTask(func(ctx *Ctx) error {
		for {
			select {
			case <-started:
				return nil
			default:
				Sleep(ctx, time.Millisecond)
			}
		}
	}))
	closed := make(chan error)
	go func() { closed <- l.Close() }()
	time.Sleep(50 * time.Millisecond) // Close is in threads.Wait
	res := make(chan error, 1)
	go func() {
		_, err := Submit(context.Background(), l, func(*Ctx) (int, error) { return 1, nil })
		res <- err
	}()
	t.Log("Close:", <-closed)
	select {
	case err := <-res:
		t.Log("Submit returned", err)
	case <-time.After(time.Second):
		t.Error("Submit still blocked 1s after Close returned: its posted task was dropped")
	}
}

// runtime.Goexit in a ToThread fn: callGuarded's recover sees nil, the
// result is never posted, the hold and threadsBusy are never released:
// the task waits for ever and the loop neither reports a deadlock nor ends.
func TestToThreadGoexitHangs(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		done <- Run(func(ctx *Ctx) error {
			return ToThread(ctx, func(context.Context) error { runtime.Goexit(); return nil })
		})
	}()
	select {
	case err := <-done:
		t.Log("Run returned", err)
	case <-time.After(time.Second):
		t.Error("Run still running 1s after the ToThread goroutine exited")
	}
}

// A task unwound by Close whose deferred call awaits: park pushes the task
// on the run queue (yieldNow) but suspend returns at once (exiting), so a
// stale run-queue entry survives the task and reports its ErrCancelled to
// the exception handler as "Task exception wasn't retrieved".
func TestUnwoundDeferredAwaitSpuriousReport(t *testing.T) {
	var reports []ExceptionContext
	l := NewLoop(WithExceptionHandler(func(l *Loop, c ExceptionContext) { reports = append(reports, c) }))
	l.CreateTask(func(ctx *Ctx) error {
		defer func() { Sleep(ctx, time.Millisecond) }()
		for {
			Sleep(ctx, time.Second) // ignores its cancellation
		}
	}, Named("stubborn"))
	l.RunUntilComplete(l.CreateTask(func(ctx *Ctx) error { return Sleep(ctx, time.Millisecond) }))
	err := l.Close()
	t.Logf("Close: %v (ErrIgnoredCancel: %v)", err, errors.Is(err, ErrIgnoredCancel))
	for _, r := range reports {
		t.Errorf("exception handler called: %q task=%v err=%v", r.Message, r.Task, r.Err)
	}
}
