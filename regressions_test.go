package asyncio_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// TestGoexitWithPanickingDefer: a task calls runtime.Goexit and one of
// its deferred calls panics. Task.body's deferred recover takes the panic
// (r != nil) and returns, but a panic recovered during a Goexit does not
// stop the Goexit: the coroutine's goroutine exits, and iter.Pull's next
// re-raises the Goexit on the loop's goroutine, which dies mid-run:
// RunUntilComplete never returns, Close never runs. The same happens to a
// task unwound by Close (shutdownAwait's Goexit) whose deferred call panics,
// and to t.FailNow in a task followed by a panicking defer.
func TestGoexitWithPanickingDefer(t *testing.T) {
	type result struct {
		returned bool
		err      error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		l := asyncio.NewLoop(asyncio.VirtualClock(), asyncio.WithExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) {}))
		tk := l.CreateTask(func(ctx *asyncio.Ctx) error {
			defer func() { panic("boom in a deferred call") }()
			runtime.Goexit()
			return nil
		})
		r.err = l.RunUntilComplete(tk)
		r.returned = true
		l.Close()
	}()
	select {
	case r := <-done:
		if !r.returned {
			t.Fatal("the loop's goroutine was ended by runtime.Goexit: RunUntilComplete never returned")
		}
		var pe *asyncio.PanicError
		if !errors.As(r.err, &pe) && !errors.Is(r.err, asyncio.ErrGoexit) {
			t.Errorf("task error %v, want a PanicError or ErrGoexit", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hung")
	}
}

// TestGoexitWithPanickingDeferDuringClose: the Close path of the same
// defect: a task that ignores its cancellation is unwound with Goexit, and
// its deferred call panics.
func TestGoexitWithPanickingDeferDuringClose(t *testing.T) {
	done := make(chan bool, 1)
	go func() {
		closed := false
		defer func() { done <- closed }()
		l := asyncio.NewLoop(asyncio.VirtualClock(), asyncio.WithExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) {}))
		l.CreateTask(func(ctx *asyncio.Ctx) error {
			defer func() { panic("boom while unwinding") }()
			for {
				asyncio.Sleep(ctx, time.Second) // ignores ErrCancelled
			}
		})
		l.CreateTask(func(ctx *asyncio.Ctx) error { ctx.Loop().Stop(); return nil })
		l.RunForever()
		l.Close()
		closed = true
	}()
	select {
	case closed := <-done:
		if !closed {
			t.Fatal("Close never returned: the unwinding task's Goexit ended the loop's goroutine")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hung")
	}
}

// TestDoneCallbackOnStrayTask: CreateTask with a Ctx that is not the
// running task's returns a task that is already done (the Ctx rule), but
// AddDoneCallback on it returns a no-op and never calls fn, although its
// documentation says a callback added to a done task is scheduled at once.
// (A task Loop.CreateTask returns on a closed loop is no better: the
// callback is queued on a loop that never runs again.)
func TestDoneCallbackOnStrayTask(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		st := asyncio.CreateTask(nil, func(*asyncio.Ctx) error { return nil })
		if !st.Done() {
			t.Fatal("stray task not done")
		}
		called := false
		st.AddDoneCallback(func(*asyncio.Task) { called = true })
		for range 3 {
			asyncio.Sleep(ctx, 0)
		}
		if !called {
			t.Error("a done callback added to a done (stray) task was never called")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A paced clock keeps the time that flowed before a Pause: a 1 s sleep
// paused after 0.8 s has 0.2 s left on Resume, not 1 s. (The bounds are
// far apart: 0.2 s of real time against 1 s.)
func TestPaceResumeKeepsFlowedTime(t *testing.T) {
	p := asyncio.NewPace(1)
	resumed := make(chan time.Time, 1)
	var woke time.Time
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		go func() {
			time.Sleep(800 * time.Millisecond) // 0.8 s of the sleep have flowed
			p.Pause()
			time.Sleep(100 * time.Millisecond)
			resumed <- time.Now()
			p.Resume()
		}()
		err := asyncio.Sleep(ctx, time.Second)
		woke = time.Now()
		return err
	}, asyncio.PacedClock(p))
	if err != nil {
		t.Fatal(err)
	}
	if left := woke.Sub(<-resumed); left > 600*time.Millisecond {
		t.Errorf("the sleep ended %v after Resume, want about 200 ms: the 0.8 s that flowed before Pause were lost", left)
	}
}
