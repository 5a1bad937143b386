package asyncio_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// handlerLog records what reaches a loop's exception handler.
type handlerLog struct{ got []asyncio.ExceptionContext }

func (h *handlerLog) handle(_ *asyncio.Loop, c asyncio.ExceptionContext) { h.got = append(h.got, c) }

func TestUnretrievedErrorGoesToHandler(t *testing.T) {
	var h handlerLog
	boom := errors.New("boom")
	ticks := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 10)
			return fmt.Errorf("sensor: %w", boom)
		}, asyncio.Named("sensor"))
		// The loop goes on after the failure.
		for range 5 {
			asyncio.SleepMs(ctx, 10)
			ticks++
		}
		return nil
	}, asyncio.VirtualClock(), asyncio.WithExceptionHandler(h.handle))
	if err != nil {
		t.Fatal(err)
	}
	if ticks != 5 {
		t.Errorf("main ticked %d times", ticks)
	}
	if len(h.got) != 1 {
		t.Fatalf("handler called %d times", len(h.got))
	}
	c := h.got[0]
	if c.Message != "Task exception wasn't retrieved" || !errors.Is(c.Err, boom) || c.Task.Name() != "sensor" {
		t.Errorf("context: %+v", c)
	}
}

func TestAwaitedOrCancelledErrorsSkipHandler(t *testing.T) {
	var h handlerLog
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		failing := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return errors.New("seen") })
		// It fails during this yield; awaiting it in the same turn still
		// counts as retrieving its error (MicroPython reports one turn late).
		asyncio.Sleep(ctx, 0)
		if err := failing.Await(ctx); err == nil || err.Error() != "seen" {
			t.Errorf("await: %v", err)
		}
		sleeper := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
		asyncio.Sleep(ctx, 0)
		sleeper.Cancel()
		asyncio.SleepMs(ctx, 10)
		return nil
	}, asyncio.VirtualClock(), asyncio.WithExceptionHandler(h.handle))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 0 {
		t.Fatalf("handler called: %+v", h.got)
	}
}

func TestPanicBecomesErrorWithNameAndStack(t *testing.T) {
	var h handlerLog
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		awaited := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			var m map[string]int
			m["x"] = 1 // runtime panic
			return nil
		}, asyncio.Named("mapper"))
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			panic(errors.New("detached failure"))
		}, asyncio.Named("detached"))
		err := awaited.Await(ctx)
		var pe *asyncio.PanicError
		if !errors.As(err, &pe) || pe.Task != "mapper" || !strings.Contains(err.Error(), "assignment to entry in nil map") ||
			!strings.Contains(string(pe.Stack), "TestPanicBecomesErrorWithNameAndStack") {
			t.Errorf("awaited panic: %v", err)
		}
		asyncio.SleepMs(ctx, 1)
		return nil
	}, asyncio.VirtualClock(), asyncio.WithExceptionHandler(h.handle))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 1 || h.got[0].Task.Name() != "detached" {
		t.Fatalf("handler: %+v", h.got)
	}
	var pe *asyncio.PanicError
	if !errors.As(h.got[0].Err, &pe) || pe.Unwrap() == nil || pe.Unwrap().Error() != "detached failure" {
		t.Errorf("detached panic: %v", h.got[0].Err)
	}
}

func TestMainPanicIsRunsError(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error { panic("main broke") })
	var pe *asyncio.PanicError
	if !errors.As(err, &pe) || pe.Value != "main broke" || pe.Task != "main" {
		t.Fatalf("Run: %v", err)
	}
}

func TestHandlerPanicDoesNotStopLoop(t *testing.T) {
	ran := false
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) { panic("bad handler") })
		asyncio.CreateTask(ctx, func(*asyncio.Ctx) error { return errors.New("x") })
		asyncio.SleepMs(ctx, 5)
		ran = true
		return nil
	}, asyncio.VirtualClock())
	if err != nil || !ran {
		t.Fatalf("err %v ran %v", err, ran)
	}
}

func TestExceptionHandlerGetSet(t *testing.T) {
	l := asyncio.NewLoop()
	if l.ExceptionHandler() != nil {
		t.Error("new loop has a handler")
	}
	var h handlerLog
	l.SetExceptionHandler(h.handle)
	l.CallExceptionHandler(asyncio.ExceptionContext{Message: "m", Err: errors.New("e")})
	if len(h.got) != 1 || h.got[0].Message != "m" {
		t.Fatalf("handler got %+v", h.got)
	}
	l.SetExceptionHandler(nil)
	if l.ExceptionHandler() != nil {
		t.Error("nil did not restore the default")
	}
	l.Close()
}

func TestDeadlockIsReportedNotHung(t *testing.T) {
	var cleanup []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var never asyncio.Event
		child := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			defer func() { cleanup = append(cleanup, "child") }()
			return never.Wait(c)
		}, asyncio.Named("child"))
		asyncio.SleepMs(ctx, 100) // a timer pending is no deadlock yet
		return child.Await(ctx)
	}, asyncio.VirtualClock())
	var de *asyncio.DeadlockError
	if !errors.As(err, &de) || !errors.Is(err, asyncio.ErrDeadlock) {
		t.Fatalf("Run: %v", err)
	}
	want := `task "main" (awaiting task "child"), task "child" (waiting for an event)`
	if strings.Join(de.Blocked, ", ") != want {
		t.Errorf("blocked: %q", de.Blocked)
	}
	// Shutdown then cancelled the child, whose clean-up ran.
	if len(cleanup) != 1 {
		t.Errorf("the blocked child's clean-up ran %d times", len(cleanup))
	}
}

func TestAwaitCycleIsAnError(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		main := asyncio.CurrentTask(ctx)
		child := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			return main.Await(c) // main awaits child: neither could finish
		}, asyncio.Named("child"))
		return child.Await(ctx)
	})
	if !errors.Is(err, asyncio.ErrAwaitSelf) {
		t.Fatalf("Run: %v", err)
	}
}

func TestShutdownAwaitsReturnAtOnce(t *testing.T) {
	var g log
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var never asyncio.Event
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			defer g.add(c, "deferred clean-up")
			err := asyncio.Sleep(c, time.Hour)
			g.add(c, "sleep: %v", err)
			// Clean-up that would wait forever returns at once instead.
			g.add(c, "event: %v", never.Wait(c))
			g.add(c, "sleep again: %v", asyncio.Sleep(c, time.Hour))
			return err
		}, asyncio.Named("stuck"))
		asyncio.Sleep(ctx, 0)
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 sleep: asyncio: task cancelled: context canceled",
		"0.000 event: asyncio: task cancelled: context canceled",
		"0.000 sleep again: asyncio: task cancelled: context canceled",
		"0.000 deferred clean-up")
}

func TestShutdownUnwindsTaskIgnoringCancel(t *testing.T) {
	ticks, deferred := 0, false
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			defer func() { deferred = true }()
			for {
				asyncio.SleepMs(c, 100) // the error is ignored: a common slip
				ticks++
			}
		}, asyncio.Named("ticker"))
		return asyncio.SleepMs(ctx, 250)
	}, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrIgnoredCancel) || !strings.Contains(err.Error(), `task "ticker"`) {
		t.Fatalf("Run: %v", err)
	}
	if !deferred || ticks != 2+1+16 {
		t.Fatalf("ticks %d, deferred %v", ticks, deferred)
	}
}

func TestLoopRunForeverAndStop(t *testing.T) {
	l := asyncio.NewLoop(asyncio.VirtualClock())
	ticks := 0
	l.CreateTask(func(ctx *asyncio.Ctx) error {
		for {
			if err := asyncio.SleepMs(ctx, 100); err != nil {
				return err
			}
			if ticks++; ticks == 3 {
				ctx.Loop().Stop()
			}
		}
	})
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if ticks != 3 || l.Time() != 300*time.Millisecond {
		t.Fatalf("ticks %d at %v", ticks, l.Time())
	}
	// The loop can run again, and Close ends the ticker.
	main := l.CreateTask(func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 250) })
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if ticks != 5 {
		t.Fatalf("ticks %d", ticks)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.RunForever(); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Fatalf("RunForever after Close: %v", err)
	}
	if err := l.CallSoonThreadsafe(func() {}); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Fatalf("CallSoonThreadsafe after Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestRunForeverReturnsWhenNothingIsLeft(t *testing.T) {
	l := asyncio.NewLoop(asyncio.VirtualClock())
	done := false
	l.CreateTask(func(ctx *asyncio.Ctx) error {
		asyncio.SleepMs(ctx, 10)
		done = true
		return nil
	})
	if err := l.RunForever(); err != nil || !done {
		t.Fatalf("RunForever: %v, done %v", err, done)
	}
	l.Close()
}

func TestRunningALoopTwice(t *testing.T) {
	l := asyncio.NewLoop(asyncio.VirtualClock())
	main := l.CreateTask(func(ctx *asyncio.Ctx) error {
		inner := ctx.Loop().CreateTask(func(*asyncio.Ctx) error { return nil })
		if err := ctx.Loop().RunUntilComplete(inner); !errors.Is(err, asyncio.ErrLoopRunning) {
			return fmt.Errorf("nested run: %v", err)
		}
		if err := ctx.Loop().Close(); !errors.Is(err, asyncio.ErrLoopRunning) {
			return fmt.Errorf("close while running: %v", err)
		}
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStopFromAnotherGoroutine(t *testing.T) {
	l := asyncio.NewLoop() // real clock
	started := make(chan struct{})
	l.CreateTask(func(ctx *asyncio.Ctx) error {
		close(started)
		return asyncio.Sleep(ctx, time.Hour)
	})
	go func() {
		<-started
		l.Stop()
	}()
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCallSoonThreadsafeWakesIdleLoop(t *testing.T) {
	// A task awaits a sleeper that only another goroutine can end. The loop
	// sleeps on the real clock until the goroutine posts the cancel.
	var wg sync.WaitGroup
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		sleeper := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
		release := l.KeepAlive()
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.CallSoonThreadsafe(func() {
				sleeper.Cancel()
				release()
			})
		}()
		return sleeper.Await(ctx)
	})
	wg.Wait()
	if !errors.Is(err, asyncio.ErrCancelled) {
		t.Fatalf("Run: %v", err)
	}
}

func TestThreadSafeFlagSetAllocatesNothing(t *testing.T) {
	// Set is the interrupt handler's call: with a task waiting it must not
	// allocate (it used to make a closure per call).
	var flag asyncio.ThreadSafeFlag
	l := asyncio.NewLoop()
	defer l.Close()
	waiter := l.CreateTask(func(ctx *asyncio.Ctx) error { return flag.Wait(ctx) })
	l.CreateTask(func(ctx *asyncio.Ctx) error { l.Stop(); return nil })
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1000, flag.Set); allocs != 0 {
		t.Errorf("Set with a task waiting: %v allocations, want 0", allocs)
	}
	if err := l.RunUntilComplete(waiter); err != nil {
		t.Fatalf("the waiter after the Sets: %v", err)
	}
}

func TestThreadSafeFlagFromAnotherGoroutine(t *testing.T) {
	// Nothing is ready and no timer is pending while main waits: the loop
	// must sleep (not report a deadlock) until the goroutine sets the flag.
	var flag asyncio.ThreadSafeFlag
	var wg sync.WaitGroup
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		waiting, again := make(chan struct{}), make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-waiting
			flag.Set()
			flag.Set() // sets before the waiter resumes merge into one wake-up
			<-again
			flag.Set() // a set with nobody waiting is kept
		}()
		ctx.Loop().CallLater(0, func() { close(waiting) })
		if err := flag.Wait(ctx); err != nil {
			return err
		}
		close(again)
		wg.Wait()
		// The kept set makes this return at once...
		if err := flag.Wait(ctx); err != nil {
			return err
		}
		// ...and that cleared it: a third wait would block forever.
		err := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			return flag.Wait(c)
		}).Cancel()
		return err
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	if err := asyncio.Run(nil); !errors.Is(err, asyncio.ErrNilFunc) {
		t.Errorf("Run(nil): %v", err)
	}
	if err := asyncio.Sleep(nil, time.Second); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Sleep(nil): %v", err)
	}
	other := asyncio.NewLoop(asyncio.VirtualClock())
	foreign := other.CreateTask(func(*asyncio.Ctx) error { return nil })
	var stale *asyncio.Ctx
	err := run(t, func(ctx *asyncio.Ctx) error {
		if err := foreign.Await(ctx); !errors.Is(err, asyncio.ErrOtherLoop) {
			t.Errorf("await foreign task: %v", err)
		}
		if err := asyncio.CurrentTask(ctx).Await(ctx); !errors.Is(err, asyncio.ErrAwaitSelf) {
			t.Errorf("await self: %v", err)
		}
		nilFn := asyncio.CreateTask(ctx, nil)
		if err := nilFn.Await(ctx); !errors.Is(err, asyncio.ErrNilFunc) {
			t.Errorf("nil task function: %v", err)
		}
		child := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			stale = c
			// main's Ctx is not the running task's.
			if err := asyncio.Sleep(ctx, 0); !errors.Is(err, asyncio.ErrNotInTask) {
				t.Errorf("Sleep with another task's Ctx: %v", err)
			}
			return nil
		})
		return child.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := asyncio.Sleep(stale, 0); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Sleep after the task ended: %v", err)
	}
	if err := other.RunUntilComplete(foreign); err != nil {
		t.Error(err)
	}
	other.Close()
	stray := asyncio.CreateTask(nil, func(*asyncio.Ctx) error { return nil })
	if !stray.Done() || !errors.Is(stray.Err(), asyncio.ErrNotInTask) || !strings.Contains(stray.Err().Error(), "CreateTask") {
		t.Errorf("CreateTask outside a task: done %v, err %v", stray.Done(), stray.Err())
	}
}

func TestStopEndsRunUntilCompleteWithError(t *testing.T) {
	l := asyncio.NewLoop(asyncio.VirtualClock())
	main := l.CreateTask(func(ctx *asyncio.Ctx) error {
		ctx.Loop().Stop()
		return asyncio.Sleep(ctx, time.Hour)
	})
	if err := l.RunUntilComplete(main); !errors.Is(err, asyncio.ErrLoopStopped) {
		t.Fatalf("RunUntilComplete: %v", err)
	}
	if err := l.RunUntilComplete(main); err != nil { // it can be resumed
		t.Fatal(err)
	}
	l.Close()
}

func TestTaskCreatedDuringShutdownNeverStarts(t *testing.T) {
	started := false
	err := run(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			err := asyncio.Sleep(c, time.Hour)
			asyncio.CreateTask(c, func(*asyncio.Ctx) error { started = true; return nil })
			return err
		})
		return asyncio.Sleep(ctx, 0)
	})
	if err != nil || started {
		t.Fatalf("err %v, started %v", err, started)
	}
}

// TestInterruptJumpsTheQueue: a task woken by work posted from outside the
// loop (ThreadSafeFlag.Set, CallSoonThreadsafe) runs at the next step,
// ahead of the tasks that were already ready, which keep their order.
func TestInterruptJumpsTheQueue(t *testing.T) {
	var flag asyncio.ThreadSafeFlag
	var trace []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := flag.Wait(ctx); err != nil {
				return err
			}
			trace = append(trace, "flag")
			return nil
		})
		var tasks []*asyncio.Task
		for _, name := range []string{"a", "b", "c"} {
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for i := range 2 {
					trace = append(trace, fmt.Sprint(name, i))
					if name == "a" && i == 0 {
						flag.Set() // as if from another goroutine
					}
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		return asyncio.Gather(ctx, append(tasks, waiter)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "a0 flag b0 c0 a1 b1 c1"
	if got := strings.Join(trace, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}
