package asyncio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestWaitForInTime(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		v, err := asyncio.WaitForOf(ctx, time.Second, func(ctx *asyncio.Ctx) (string, error) {
			asyncio.SleepMs(ctx, 100)
			return "done", nil
		})
		g.add(ctx, "%s %v", v, err)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 done <nil>")
}

func TestWaitForTimeoutWaitsForCleanup(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		err := asyncio.WaitForMs(ctx, 100, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, time.Hour); err != nil {
				g.add(ctx, "inner cancelled")
				asyncio.SleepMs(ctx, 50) // clean-up that takes time
				g.add(ctx, "inner cleaned up")
				return nil // swallows the cancel: WaitFor still times out
			}
			return nil
		})
		g.add(ctx, "timeout=%v deadline=%v", errors.Is(err, asyncio.ErrTimeout), errors.Is(err, contextDeadline))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 inner cancelled", "0.150 inner cleaned up", "0.150 timeout=true deadline=true")
}

func TestWaitForInnerError(t *testing.T) {
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		return asyncio.WaitFor(ctx, time.Second, func(ctx *asyncio.Ctx) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
}

func TestWaitForCancelledFromOutside(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.WaitFor(ctx, time.Hour, func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, time.Hour)
				g.add(ctx, "inner: %v", err)
				return err
			})
			g.add(ctx, "waiter: %v", err)
			return err
		})
		asyncio.SleepMs(ctx, 10)
		waiter.Cancel()
		waiter.Await(ctx)
		asyncio.SleepMs(ctx, 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 waiter: asyncio: task cancelled: context canceled",
		"0.010 inner: asyncio: task cancelled: context canceled")
}

func TestGatherResultsInOrder(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.TaskOf[int]
		for i, d := range []int{30, 10, 20} {
			tasks = append(tasks, asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) {
				asyncio.SleepMs(ctx, d)
				return i * 10, nil
			}))
		}
		vs, err := asyncio.GatherOf(ctx, tasks...)
		if err != nil || len(vs) != 3 || vs[0] != 0 || vs[1] != 10 || vs[2] != 20 || ctx.Loop().Time() != 30*time.Millisecond {
			t.Errorf("GatherOf = %v, %v at %v", vs, err, ctx.Loop().Time())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGatherFirstErrorLeavesOthersRunning(t *testing.T) {
	var g log
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		slow := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 100)
			g.add(ctx, "slow finished")
			return nil
		})
		failing := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 10)
			return boom
		})
		err := asyncio.Gather(ctx, slow, failing)
		g.add(ctx, "gather: %v", err)
		return slow.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 gather: boom", "0.100 slow finished")
}

func TestGatherErrorsInPlace(t *testing.T) {
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		ok := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 20) })
		bad := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return boom })
		cancelled := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 50) })
		asyncio.Sleep(ctx, 0)
		cancelled.Cancel()
		errs, err := asyncio.GatherErrors(ctx, ok, bad, cancelled)
		if err != nil || len(errs) != 3 || errs[0] != nil || errs[1] != boom || !errors.Is(errs[2], asyncio.ErrCancelled) {
			t.Errorf("GatherErrors = %v, %v", errs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCancellingGatherCancelsChildren(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		var children []*asyncio.Task
		for _, name := range []string{"a", "b"} {
			children = append(children, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, time.Hour)
				g.add(ctx, "%s: %v", name, err)
				return err
			}))
		}
		gatherer := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Gather(ctx, children...)
			g.add(ctx, "gather: %v", err)
			return err
		})
		asyncio.SleepMs(ctx, 10)
		gatherer.Cancel()
		asyncio.SleepMs(ctx, 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 gather: asyncio: task cancelled: context canceled",
		"0.010 a: asyncio: task cancelled: context canceled",
		"0.010 b: asyncio: task cancelled: context canceled")
}

func TestShieldKeepsTaskRunning(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		precious := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 100)
			g.add(ctx, "precious done")
			return nil
		})
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Shield(ctx, precious)
			g.add(ctx, "waiter: %v", err)
			return err
		})
		asyncio.SleepMs(ctx, 10)
		waiter.Cancel()
		return precious.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 waiter: asyncio: task cancelled: context canceled", "0.100 precious done")
}

var contextDeadline = context.DeadlineExceeded
