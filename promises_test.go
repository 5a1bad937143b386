package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// A scope's cancellation stays in the scope: after MoveOnAfter, Timeout or a
// failed TaskGroup, the task's own Ctx is not done and Go code handed it
// works again.
func TestScopeCancelDoesNotLeakIntoTaskContext(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var inner *asyncio.Ctx
		expired, err := asyncio.MoveOnAfter(ctx, 5*time.Millisecond, func(c *asyncio.Ctx) error {
			inner = c
			return asyncio.Sleep(c, time.Second)
		})
		if !expired || err != nil {
			t.Fatalf("MoveOnAfter = %v, %v", expired, err)
		}
		if !errors.Is(inner.Err(), asyncio.ErrTimeout) || !errors.Is(inner.Err(), context.DeadlineExceeded) {
			t.Errorf("the scope's Ctx after its deadline: Err = %v, want ErrTimeout", inner.Err())
		}
		select {
		case <-inner.Done():
		default:
			t.Error("the scope's Ctx is not done after its deadline")
		}
		if err := ctx.Err(); err != nil {
			t.Errorf("after MoveOnAfter moved on, the task's Ctx.Err = %v, want nil", err)
		}
		if err := asyncio.Timeout(ctx, time.Millisecond, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Second) }); !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Timeout = %v", err)
		}
		if err := ctx.Err(); err != nil {
			t.Errorf("after Timeout expired, the task's Ctx.Err = %v, want nil", err)
		}
		boom := errors.New("boom")
		if err := asyncio.WithTaskGroup(ctx, func(c *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(*asyncio.Ctx) error { return boom })
			err := asyncio.Sleep(c, time.Second)
			if c.Err() == nil {
				t.Error("the group's Ctx is not done after a task of the group failed")
			}
			return err
		}); !errors.Is(err, boom) {
			t.Errorf("WithTaskGroup = %v", err)
		}
		if err := ctx.Err(); err != nil {
			t.Errorf("after a failed TaskGroup, the task's Ctx.Err = %v, want nil", err)
		}
		select {
		case <-ctx.Done():
			t.Error("the task's Ctx is done")
		default:
		}
		// Go code handed the task's Ctx runs normally again.
		return asyncio.ToThread(ctx, func(c context.Context) error { return c.Err() })
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The scope's Ctx given to the body is done when a scope around it is
// cancelled, like a child context, and has the deadline on the real clock.
func TestScopeContextIsAChildContext(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.Timeout(ctx, time.Hour, func(outer *asyncio.Ctx) error {
			if d, ok := outer.Deadline(); !ok || time.Until(d) < 59*time.Minute || time.Until(d) > time.Hour {
				t.Errorf("Deadline = %v, %v; want about an hour from now", d, ok)
			}
			expired, err := asyncio.MoveOnAfter(outer, time.Millisecond, func(inner *asyncio.Ctx) error {
				if d, _ := inner.Deadline(); time.Until(d) > time.Second {
					t.Errorf("the inner deadline %v is not the earlier one", d)
				}
				return asyncio.Sleep(inner, time.Second)
			})
			if !expired || err != nil || outer.Err() != nil {
				t.Errorf("inner scope: %v %v; outer Err %v", expired, err, outer.Err())
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A task that calls runtime.Goexit (t.FailNow does) fails with ErrGoexit;
// its deferred calls run, the loop goes on and Run returns.
func TestGoexitEndsTheTaskNotTheLoop(t *testing.T) {
	deferred, after := false, false
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		task := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			defer func() { deferred = true }()
			asyncio.Sleep(c, 0)
			runtime.Goexit()
			return nil
		}, asyncio.Named("quitter"))
		err := task.Await(ctx)
		if !errors.Is(err, asyncio.ErrGoexit) || !strings.Contains(err.Error(), `"quitter"`) {
			t.Errorf("Await = %v, want ErrGoexit naming the task", err)
		}
		after = true
		return asyncio.Sleep(ctx, 0)
	}, asyncio.VirtualClock())
	if err != nil || !deferred || !after {
		t.Fatalf("Run = %v, deferred %v, main went on %v", err, deferred, after)
	}
}

// A Stop made before RunForever starts is not lost: the loop runs one pass
// and returns, as in CPython.
func TestStopBeforeRunForever(t *testing.T) {
	for range 200 {
		l := asyncio.NewLoop()
		release := l.KeepAlive() // without Stop, the loop would wait for ever
		ran := false
		l.CreateTask(func(*asyncio.Ctx) error { ran = true; return nil })
		done := make(chan error)
		go func() { done <- l.RunForever() }()
		l.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("RunForever did not return after Stop")
		}
		if !ran {
			t.Fatal("the ready task did not have its pass")
		}
		release()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A task that recovers from Close's unwinding and keeps awaiting cannot hang
// Close or make it grow a list without bound: it is reported once.
func TestCloseEndsTaskThatRecoversFromUnwinding(t *testing.T) {
	awaits := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			for {
				func() {
					defer func() { recover() }()
					for {
						asyncio.Sleep(c, 0)
						if awaits++; awaits > 1_000_000 {
							panic("not ended")
						}
					}
				}()
			}
		}, asyncio.Named("stubborn"))
		return asyncio.Sleep(ctx, 0)
	}, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrIgnoredCancel) || strings.Count(err.Error(), "stubborn") != 1 {
		t.Fatalf("Run = %v, want one ErrIgnoredCancel naming the task", err)
	}
	if awaits > 100 {
		t.Fatalf("the task passed %d await points before it was ended", awaits)
	}
}

// A closed loop refuses new work with ErrLoopClosed instead of accepting it
// silently.
func TestClosedLoopRefusesWork(t *testing.T) {
	l := asyncio.NewLoop(asyncio.VirtualClock())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	task := l.CreateTask(func(*asyncio.Ctx) error { t.Error("a task of a closed loop ran"); return nil })
	if !task.Done() || !errors.Is(task.Err(), asyncio.ErrLoopClosed) {
		t.Errorf("CreateTask on a closed loop: done %v, err %v", task.Done(), task.Err())
	}
	if err := l.CallSoon(func() {}); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Errorf("CallSoon = %v", err)
	}
	if h := l.CallLater(time.Second, func() {}); !errors.Is(h.Err(), asyncio.ErrLoopClosed) {
		t.Errorf("CallLater's Handle.Err = %v", h.Err())
	}
	if err := l.RunForever(); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Errorf("RunForever = %v", err)
	}
}

// Zero and nil values give clear errors, not nil dereferences.
func TestZeroValues(t *testing.T) {
	var zero asyncio.Task
	if err := zero.Cancel(); !errors.Is(err, asyncio.ErrZeroTask) {
		t.Errorf("Task{}.Cancel = %v", err)
	}
	c := zero.Context()
	select {
	case <-c.Done():
	default:
		t.Error("Task{}.Context() is not done")
	}
	if c.Err() == nil {
		t.Error("Task{}.Context().Err() is nil")
	}
	var nilLoop *asyncio.Loop
	nilLoop.Stop()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		if err := zero.Await(ctx); !errors.Is(err, asyncio.ErrZeroTask) {
			t.Errorf("Await of a zero Task = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// In debug mode a goroutine started by a task that uses the task's Ctx gets
// ErrWrongGoroutine, instead of running beside the loop's tasks.
func TestDebugCatchesCtxUsedFromAnotherGoroutine(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var wg sync.WaitGroup
		var sleepErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			sleepErr = asyncio.Sleep(ctx, time.Millisecond)
		}()
		wg.Wait() // the task is running all along
		if !errors.Is(sleepErr, asyncio.ErrWrongGoroutine) {
			t.Errorf("Sleep from a goroutine the task started = %v, want ErrWrongGoroutine", sleepErr)
		}
		return nil
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
}

// In debug mode a task of one loop cancelling a task of another loop, or
// another goroutine closing a running loop, gets ErrWrongGoroutine.
func TestDebugCatchesCallsFromOutsideTheLoop(t *testing.T) {
	other := asyncio.NewLoop(asyncio.Debug())
	started := make(chan *asyncio.Task)
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			task := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Hour) })
			started <- task
			<-release // the loop stays inside this task meanwhile
			return task.Cancel()
		}, asyncio.Debug())
	}()
	foreign := <-started
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		if err := foreign.Cancel(); !errors.Is(err, asyncio.ErrWrongGoroutine) {
			t.Errorf("Cancel of another loop's task = %v, want ErrWrongGoroutine", err)
		}
		return nil
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	other.Close()

	l := asyncio.NewLoop(asyncio.Debug())
	inside := make(chan struct{})
	proceed := make(chan struct{})
	l.CreateTask(func(c *asyncio.Ctx) error {
		close(inside)
		<-proceed
		return nil
	})
	go func() { done <- l.RunForever() }()
	<-inside
	if err := l.Close(); !errors.Is(err, asyncio.ErrWrongGoroutine) {
		t.Errorf("Close while the loop runs elsewhere = %v, want ErrWrongGoroutine", err)
	}
	close(proceed)
	<-done
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// In debug mode, setting an Event whose waiters belong to a loop running on
// another goroutine panics with a message naming the mistake, instead of
// touching that loop's run queue.
func TestDebugCatchesEventSetFromAnotherLoop(t *testing.T) {
	var ev asyncio.Event
	waiting := make(chan struct{})
	done := make(chan error)
	l := asyncio.NewLoop(asyncio.Debug())
	l.CreateTask(func(c *asyncio.Ctx) error {
		asyncio.CreateTask(c, func(c *asyncio.Ctx) error { return ev.Wait(c) })
		asyncio.Sleep(c, 0) // the waiter now waits
		close(waiting)
		<-done // keeps this loop busy inside a task meanwhile
		ev.Set()
		return nil
	})
	go func() { done <- l.RunForever() }()
	<-waiting
	var msg string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		defer func() { msg = fmt.Sprint(recover()) }()
		ev.Set()
		return nil
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Event.Set") || !strings.Contains(msg, asyncio.ErrWrongGoroutine.Error()) {
		t.Errorf("Event.Set from another loop's task: recovered %q", msg)
	}
	done <- nil
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.Close()
}

// A TaskGroup not made by WithTaskGroup says so when used.
func TestZeroTaskGroup(t *testing.T) {
	for _, g := range []*asyncio.TaskGroup{nil, {}} {
		g.Cancel() // nothing to cancel
		func() {
			defer func() {
				if r := fmt.Sprint(recover()); !strings.Contains(r, "not made by WithTaskGroup") {
					t.Errorf("Go on %#v: recovered %q", g, r)
				}
			}()
			g.Go(func(*asyncio.Ctx) error { return nil })
		}()
	}
}

// Submit from a task of the loop it submits to would wait for ever: it
// returns ErrSubmitInTask at once.
func TestSubmitFromATask(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		_, err := asyncio.Submit(context.Background(), ctx.Loop(), func(*asyncio.Ctx) (int, error) { return 1, nil })
		if !errors.Is(err, asyncio.ErrSubmitInTask) {
			t.Errorf("Submit from a task = %v, want ErrSubmitInTask", err)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// From another goroutine it works.
	l := asyncio.NewLoop()
	release := l.KeepAlive()
	done := make(chan error)
	go func() { done <- l.RunForever() }()
	v, err := asyncio.Submit(context.Background(), l, func(*asyncio.Ctx) (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("Submit from a goroutine = %v, %v", v, err)
	}
	release()
	l.Stop()
	<-done
	l.Close()
}

// InTask says nil for the running task's Ctx on its loop's goroutine, and
// otherwise what a blocking call would say.
func TestInTask(t *testing.T) {
	if err := asyncio.InTask(nil); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("InTask(nil) = %v; want ErrNotInTask", err)
	}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		if err := asyncio.InTask(ctx); err != nil {
			t.Errorf("InTask in the task = %v", err)
		}
		var other error
		done := make(chan struct{})
		go func() {
			defer close(done)
			other = asyncio.InTask(ctx)
		}()
		<-done
		if !errors.Is(other, asyncio.ErrWrongGoroutine) {
			t.Errorf("InTask from another goroutine in debug mode = %v; want ErrWrongGoroutine", other)
		}
		var old *asyncio.Ctx
		task := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { old = c; return nil })
		if err := task.Await(ctx); err != nil {
			return err
		}
		if err := asyncio.InTask(old); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("InTask with a finished task's Ctx = %v; want ErrNotInTask", err)
		}
		return nil
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
}

// In debug mode a goroutine using a task's Ctx while the loop runs other
// tasks gets ErrWrongGoroutine, and the check itself reads nothing the loop
// writes: go test -race sees no race (the check used to read the loop's
// current task before it looked at the goroutine).
func TestDebugCheckDoesNotRaceTheLoop(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		// Tasks that keep the loop switching while the goroutine checks.
		for range 2 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range 200 {
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				return nil
			})
		}
		return asyncio.ToThread(ctx, func(context.Context) error {
			for range 200 {
				if err := asyncio.InTask(ctx); !errors.Is(err, asyncio.ErrWrongGoroutine) {
					return fmt.Errorf("InTask from another goroutine = %v; want ErrWrongGoroutine", err)
				}
			}
			return nil
		})
	}, asyncio.Debug())
	if err != nil {
		t.Fatal(err)
	}
}
