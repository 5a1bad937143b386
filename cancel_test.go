package asyncio_test

import (
	"errors"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// The cancellation matrix: each case is a state a task can be in when
// Cancel is called, with MicroPython's outcome.

func TestCancelBeforeStart(t *testing.T) {
	var g log
	called := false
	err := run(t, func(ctx *asyncio.Ctx) error {
		child := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			called = true
			return nil
		})
		g.add(ctx, "cancel: %v", child.Cancel())
		g.add(ctx, "await: %v cancelled=%v", child.Await(ctx), child.Cancelled())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("a task cancelled before it started ran its function")
	}
	g.check(t, "0.000 cancel: <nil>", "0.000 await: asyncio: task cancelled: context canceled cancelled=true")
}

func TestCancelWhileSleeping(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		child := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			defer g.add(ctx, "child clean-up")
			err := asyncio.Sleep(ctx, time.Hour)
			g.add(ctx, "child woke: %v", err)
			return err
		})
		asyncio.SleepMs(ctx, 1500)
		g.add(ctx, "cancel: %v", child.Cancel())
		err := child.Await(ctx)
		g.add(ctx, "await: is cancelled=%v", errors.Is(err, asyncio.ErrCancelled))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "1.500 cancel: <nil>", "1.500 child woke: asyncio: task cancelled: context canceled",
		"1.500 child clean-up", "1.500 await: is cancelled=true")
}

func TestCancelSelf(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		self := asyncio.CurrentTask(ctx)
		if err := self.Cancel(); !errors.Is(err, asyncio.ErrCancelSelf) {
			t.Errorf("self cancel: %v", err)
		}
		// The task goes on undisturbed.
		return asyncio.SleepMs(ctx, 10)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCancelDoneTask(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		child := asyncio.CreateTask(ctx, func(*asyncio.Ctx) error { return nil })
		child.Await(ctx)
		if err := child.Cancel(); !errors.Is(err, asyncio.ErrTaskDone) {
			t.Errorf("cancel done task: %v", err)
		}
		if child.Cancelled() || child.Err() != nil {
			t.Error("a finished task changed its result after Cancel")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCancelWhileAwaitingForwardsToInnermost(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		inner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Sleep(ctx, time.Hour)
			g.add(ctx, "inner: %v", err)
			return err
		}, asyncio.Named("inner"))
		middle := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := inner.Await(ctx)
			g.add(ctx, "middle: %v", err)
			return err
		}, asyncio.Named("middle"))
		asyncio.SleepMs(ctx, 200)
		middle.Cancel()
		g.add(ctx, "await middle: %v", middle.Await(ctx))
		g.add(ctx, "inner cancelled=%v middle cancelled=%v", inner.Cancelled(), middle.Cancelled())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.200 inner: asyncio: task cancelled: context canceled",
		"0.200 middle: asyncio: task cancelled: context canceled",
		"0.200 await middle: asyncio: task cancelled: context canceled",
		"0.200 inner cancelled=true middle cancelled=true")
}

func TestCancelForwardedToTaskThatCatchesIt(t *testing.T) {
	// The innermost task swallows the cancellation and returns a value: the
	// awaiter, whose cancel was forwarded, gets that value.
	v, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (string, error) {
		inner := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (string, error) {
			if err := asyncio.Sleep(ctx, time.Hour); err != nil {
				return "caught", nil
			}
			return "slept", nil
		})
		outer := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (string, error) {
			return inner.Await(ctx)
		})
		asyncio.Sleep(ctx, 0)
		outer.Cancel()
		return outer.Await(ctx)
	}, asyncio.VirtualClock())
	if v != "caught" || err != nil {
		t.Fatalf("got %q, %v", v, err)
	}
}

func TestCancelReadyTaskDeliveredAtResume(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		child := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			g.add(ctx, "child yields")
			err := asyncio.Sleep(ctx, 0)
			g.add(ctx, "child resumed: %v", err)
			return nil // swallows it
		})
		asyncio.Sleep(ctx, 0) // child runs and yields; it is now ready behind main
		child.Cancel()
		child.Cancel() // a second request is still one delivery
		g.add(ctx, "await: %v cancelled=%v", child.Await(ctx), child.Cancelled())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 child yields", "0.000 child resumed: asyncio: task cancelled: context canceled",
		"0.000 await: <nil> cancelled=false")
}

func TestIgnoredCancelIsDeliveredOnce(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		stubborn := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			g.add(ctx, "first sleep: %v", asyncio.SleepMs(ctx, 1000))
			g.add(ctx, "second sleep: %v", asyncio.SleepMs(ctx, 1000))
			return nil
		})
		asyncio.SleepMs(ctx, 100)
		stubborn.Cancel()
		return stubborn.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 first sleep: asyncio: task cancelled: context canceled", "1.100 second sleep: <nil>")
}

func TestRunCancelsPendingTasksAndLetsThemCleanUp(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Sleep(ctx, time.Hour)
			g.add(ctx, "worker: %v", err)
			// Clean-up runs, but in shutdown an await returns at once.
			g.add(ctx, "worker clean-up sleep: %v", asyncio.SleepMs(ctx, 50))
			return err
		})
		asyncio.Sleep(ctx, 0) // the worker starts and sleeps
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			g.add(ctx, "never started")
			return nil
		})
		g.add(ctx, "main returns")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 main returns", "0.000 worker: asyncio: task cancelled: context canceled",
		"0.000 worker clean-up sleep: asyncio: task cancelled: context canceled")
}
