package asyncio_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func sleeper(ctx *asyncio.Ctx, ms int, err error) *asyncio.Task {
	return asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		if e := asyncio.SleepMs(ctx, ms); e != nil {
			return e
		}
		return err
	}, asyncio.Named(fmt.Sprint(ms)))
}

func names(ts []*asyncio.Task) string {
	s := ""
	for _, t := range ts {
		s += t.Name() + " "
	}
	return s
}

func TestWaitModes(t *testing.T) {
	var g log
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		a, b, c := sleeper(ctx, 30, nil), sleeper(ctx, 10, nil), sleeper(ctx, 20, boom)
		done, pending, err := asyncio.Wait(ctx, asyncio.FirstCompleted, a, b, c)
		g.add(ctx, "first completed: done %spending %s%v", names(done), names(pending), err)
		done, pending, _ = asyncio.Wait(ctx, asyncio.FirstError, a, b, c)
		g.add(ctx, "first error: done %spending %s", names(done), names(pending))
		done, pending, _ = asyncio.Wait(ctx, asyncio.AllCompleted, a, b, c)
		g.add(ctx, "all: done %spending %s", names(done), names(pending))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 first completed: done 10 pending 30 20 <nil>",
		"0.020 first error: done 10 20 pending 30 ",
		"0.030 all: done 30 10 20 pending ")
}

func TestWaitCancelledLeavesTasksRunning(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		slow := sleeper(ctx, 100, nil)
		expired, err := asyncio.MoveOnAfter(ctx, 10*time.Millisecond, func(ctx *asyncio.Ctx) error {
			_, _, err := asyncio.Wait(ctx, asyncio.AllCompleted, slow)
			return err
		})
		if !expired || err != nil || slow.Done() {
			t.Errorf("expired %v err %v slow done %v", expired, err, slow.Done())
		}
		return slow.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAsCompleted(t *testing.T) {
	var g log
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		done := sleeper(ctx, 0, nil)
		asyncio.Sleep(ctx, 0)
		for task, err := range asyncio.AsCompleted(ctx, sleeper(ctx, 30, nil), sleeper(ctx, 10, boom), done, sleeper(ctx, 20, nil)) {
			g.add(ctx, "%s %v", task.Name(), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 0 <nil>", "0.010 10 boom", "0.020 20 <nil>", "0.030 30 <nil>")
}

func TestAsCompletedBreakEarly(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		a, b := sleeper(ctx, 10, nil), sleeper(ctx, 20, nil)
		for task := range asyncio.AsCompleted(ctx, a, b) {
			if task != a {
				t.Errorf("first finished: %v", task)
			}
			break
		}
		return b.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWaitBadMode(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		a := sleeper(ctx, 10, nil)
		done, pending, err := asyncio.Wait(ctx, asyncio.WaitMode(99), a)
		if !errors.Is(err, asyncio.ErrWaitMode) || done != nil || pending != nil {
			t.Errorf("Wait(WaitMode(99)): %v %v %v, want ErrWaitMode", done, pending, err)
		}
		if ctx.Loop().Time() != 0 || a.Done() {
			t.Errorf("Wait with a bad mode waited: time %v", ctx.Loop().Time())
		}
		return a.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
