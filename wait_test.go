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

// TestAsCompletedFinishOrder: tasks that finish in the same turn come out
// in the order they finished, not in argument order.
func TestAsCompletedFinishOrder(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		a := sleeper(ctx, 10, nil)
		b := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 10) }, asyncio.Named("10b"))
		for task, err := range asyncio.AsCompleted(ctx, b, a) {
			g.add(ctx, "%s %v", task.Name(), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 10 <nil>", "0.010 10b <nil>")
}

// TestAsCompletedBodyAwaits: tasks that finish while the loop body awaits
// something else are queued for the next steps, and do not cut short what
// the body awaits.
func TestAsCompletedBodyAwaits(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		other := sleeper(ctx, 35, nil)
		for task, err := range asyncio.AsCompleted(ctx, sleeper(ctx, 10, nil), sleeper(ctx, 20, nil), sleeper(ctx, 30, nil)) {
			g.add(ctx, "%s %v", task.Name(), err)
			if task.Name() == "10" {
				done, pending, err := asyncio.Wait(ctx, asyncio.AllCompleted, other)
				g.add(ctx, "wait: done %spending %s%v", names(done), names(pending), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 10 <nil>", "0.035 wait: done 35 pending <nil>", "0.035 20 <nil>", "0.035 30 <nil>")
}

func TestAsCompletedCancelled(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		a, b := sleeper(ctx, 10, nil), sleeper(ctx, 20, nil)
		var got []string
		expired, err := asyncio.MoveOnAfter(ctx, 15*time.Millisecond, func(ctx *asyncio.Ctx) error {
			for task, err := range asyncio.AsCompleted(ctx, a, b) {
				got = append(got, fmt.Sprint(task, err))
				if err != nil {
					return err
				}
			}
			return nil
		})
		if want := fmt.Sprint([]string{`task "10" <nil>`, "<nil> asyncio: task cancelled: context canceled"}); fmt.Sprint(got) != want || !expired || err != nil {
			t.Errorf("got %v, expired %v, err %v; want %v", got, expired, err, want)
		}
		return b.Await(ctx) // b goes on, and its watch is gone
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWaitManyTasks: Wait and AsCompleted over tasks that finish one a
// turn, one of them given twice to Wait, which then counts its finish twice.
func TestWaitManyTasks(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		const n = 5000
		tasks := make([]*asyncio.Task, n)
		for i := range tasks {
			tasks[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Duration(i)*time.Microsecond) })
		}
		done, pending, err := asyncio.Wait(ctx, asyncio.FirstError, append(tasks, tasks[n-1])...)
		if len(done) != n+1 || len(pending) != 0 || err != nil {
			t.Errorf("Wait: %d done, %d pending, %v", len(done), len(pending), err)
		}
		i := 0
		for task := range asyncio.AsCompleted(ctx, tasks...) {
			if task != tasks[i] {
				t.Fatalf("step %d: %v", i, task)
			}
			i++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
