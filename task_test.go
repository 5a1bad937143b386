package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// log collects lines with the loop's time, for exact traces.
type log struct {
	lines []string
}

func (g *log) add(ctx *asyncio.Ctx, format string, args ...any) {
	g.lines = append(g.lines, fmt.Sprintf("%.3f ", ctx.Loop().Time().Seconds())+fmt.Sprintf(format, args...))
}

func (g *log) check(t *testing.T, want ...string) {
	t.Helper()
	if got := strings.Join(g.lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func run(t *testing.T, main func(*asyncio.Ctx) error) error {
	t.Helper()
	return asyncio.Run(main, asyncio.VirtualClock())
}

// TestSharedCounterWithoutLocks shows the lecture's "no race condition":
// tasks of one loop share a plain variable, and under -race the detector
// sees each task switch as a synchronisation.
func TestSharedCounterWithoutLocks(t *testing.T) {
	const tasks, rounds = 1000, 20
	counter := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var all []*asyncio.Task
		for range tasks {
			all = append(all, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range rounds {
					counter++
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
					counter++
				}
				return nil
			}))
		}
		for _, task := range all {
			if err := task.Await(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counter != tasks*rounds*2 {
		t.Fatalf("counter = %d, want %d", counter, tasks*rounds*2)
	}
}

func TestSleepZeroIsRoundRobin(t *testing.T) {
	var order []string
	err := run(t, func(ctx *asyncio.Ctx) error {
		for _, name := range []string{"a", "b", "c"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for i := range 3 {
					order = append(order, fmt.Sprint(name, i))
					asyncio.Sleep(ctx, 0)
				}
				return nil
			})
		}
		order = append(order, "main")
		return asyncio.Sleep(ctx, time.Second)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "main a0 b0 c0 a1 b1 c1 a2 b2 c2"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}

func TestCreateTaskStartsAtNextYield(t *testing.T) {
	var order []string
	err := run(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			order = append(order, "child")
			return nil
		})
		order = append(order, "created")
		asyncio.Sleep(ctx, 0)
		order = append(order, "after yield")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ", "); got != "created, child, after yield" {
		t.Fatalf("order: %s", got)
	}
}

func TestEqualDeadlinesRunInInsertionOrder(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		for _, name := range []string{"first", "second", "third"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				asyncio.SleepMs(ctx, 100)
				g.add(ctx, "%s", name)
				return nil
			})
		}
		// A callback due at the same time, scheduled after the sleeps.
		asyncio.Sleep(ctx, 0)
		ctx.Loop().CallLater(100*time.Millisecond, func() { g.lines = append(g.lines, "callback") })
		asyncio.SleepMs(ctx, 100)
		g.add(ctx, "main")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 first", "0.100 second", "0.100 third", "callback", "0.100 main")
}

func TestVirtualClockJumpsToDeadlines(t *testing.T) {
	var g log
	start := time.Now()
	err := run(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				if err := asyncio.Sleep(ctx, 3*time.Hour); err != nil {
					g.add(ctx, "ticker %v", err)
					return err
				}
				g.add(ctx, "tick")
			}
		})
		asyncio.Sleep(ctx, 10*time.Hour)
		g.add(ctx, "main done")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Minute {
		t.Fatal("virtual clock waited in real time")
	}
	g.check(t, "10800.000 tick", "21600.000 tick", "32400.000 tick", "36000.000 main done",
		"36000.000 ticker asyncio: task cancelled: context canceled")
}

func TestNegativeAndHugeDurations(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			g.add(ctx, "other ran")
			return nil
		})
		asyncio.Sleep(ctx, -time.Second) // clamps to 0: a yield
		g.add(ctx, "after negative sleep")
		asyncio.SleepMs(ctx, -5)
		long := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, time.Duration(1<<63-1)) // must not wrap into the past
		})
		huge := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.SleepMs(ctx, int(^uint(0)>>1))
		})
		asyncio.Sleep(ctx, 24*time.Hour)
		g.add(ctx, "long done=%v huge done=%v", long.Done(), huge.Done())
		long.Cancel()
		huge.Cancel()
		g.add(ctx, "long: %v", long.Await(ctx))
		g.add(ctx, "huge: %v", huge.Await(ctx))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 other ran", "0.000 after negative sleep",
		"86400.000 long done=false huge done=false",
		"86400.000 long: asyncio: task cancelled: context canceled",
		"86400.000 huge: asyncio: task cancelled: context canceled")
}

func TestTypedTask(t *testing.T) {
	v, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (int, error) {
		sq := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) {
			asyncio.SleepMs(ctx, 10)
			return 7 * 7, nil
		}, asyncio.Named("square"))
		n, err := sq.Await(ctx)
		if sq.Name() != "square" {
			t.Errorf("name %q", sq.Name())
		}
		return n + 1, err
	}, asyncio.VirtualClock())
	if v != 50 || err != nil {
		t.Fatalf("RunOf = %v, %v", v, err)
	}
}

func TestTaskNamesAndCurrentTask(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		if got := asyncio.CurrentTask(ctx).Name(); got != "main" {
			t.Errorf("main task name %q", got)
		}
		child := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			if asyncio.CurrentTask(c) != c.Task() {
				t.Error("CurrentTask is not the child")
			}
			if asyncio.CurrentTask(ctx) != nil {
				t.Error("main's Ctx reports a current task while the child runs")
			}
			return nil
		})
		if !strings.HasPrefix(child.Name(), "task-") {
			t.Errorf("default name %q", child.Name())
		}
		return child.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if asyncio.CurrentTask(nil) != nil {
		t.Error("CurrentTask(nil) != nil")
	}
}

func TestCancelledMatchesContextCanceled(t *testing.T) {
	if !errors.Is(asyncio.ErrCancelled, context.Canceled) {
		t.Fatal("ErrCancelled does not match context.Canceled")
	}
}
