package conformance

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about tasks, awaiting and sleeping.

func init() {
	addTwins(map[string]twin{
		"await_value":            awaitValue,
		"task_done":              taskDone,
		"await_finished":         awaitFinished,
		"await_parallel":         awaitParallel,
		"await_chain":            awaitChain,
		"create_task_order":      createTaskOrder,
		"current_task":           currentTask,
		"sleep_order":            sleepOrder,
		"sleep_equal_deadlines":  sleepEqualDeadlines,
		"sleep_zero_round_robin": sleepZeroRoundRobin,
		"sleep_fair":             sleepFair,
		"sleep_ms":               sleepMs,
	})
}

func awaitValue(p *py) error {
	square := func(ctx *asyncio.Ctx, x int) (int, error) {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return 0, err
		}
		return x * x, nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		v, err := square(ctx, 3) // await square(3): a plain call
		if err != nil {
			return err
		}
		p.print("direct", v)
		t := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return square(ctx, 4) })
		if v, err = t.Await(ctx); err != nil {
			return err
		}
		p.print("task", v)
		if v, err = t.Await(ctx); err != nil {
			return err
		}
		p.print("again", v)
		p.print("done", t.Done())
		return nil
	})
}

func taskDone(p *py) error {
	worker := func(ctx *asyncio.Ctx, delay any, fail bool) error {
		p.print("worker start", delay, fail)
		if d := dur(delay); d >= 0 {
			if err := asyncio.Sleep(ctx, d); err != nil {
				return err
			}
		}
		if fail {
			return valueError("worker failed", delay)
		}
		p.print("worker end", delay)
		return nil
	}
	cases := []struct {
		delay any
		fail  bool
	}{{-1, false}, {0.02, false}, {-1, true}, {0.02, true}}
	return run(func(ctx *asyncio.Ctx) error {
		for _, c := range cases {
			p.print("--", c.delay, c.fail)
			t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return worker(ctx, c.delay, c.fail) })
			p.print("created, done:", t.Done())
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			p.print("after one yield, done:", t.Done())
			switch err := t.Await(ctx); {
			case err == nil:
				p.print("awaited ok")
			case is(err, "ValueError"):
				p.print("awaited", repr(err))
			default:
				return err
			}
			p.print("after await, done:", t.Done())
		}
		return nil
	})
}

func awaitFinished(p *py) error {
	job := func(name string, fail bool) func(*asyncio.Ctx) (string, error) {
		return func(*asyncio.Ctx) (string, error) {
			p.print("job", name)
			if fail {
				return "", valueError(name, "failed")
			}
			return name, nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, job("a", false))
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("a done", t.Done())
		v, err := t.Await(ctx)
		if err != nil {
			return err
		}
		p.print("await a:", v)
		if v, err = t.Await(ctx); err != nil {
			return err
		}
		p.print("await a again:", v)

		t = asyncio.CreateTaskOf(ctx, job("b", true))
		if _, err := t.Await(ctx); is(err, "ValueError") {
			p.print("await b:", repr(err))
		} else {
			return err
		}

		ctx.Loop().SetExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) { p.print("handler called") })
		t = asyncio.CreateTaskOf(ctx, job("c", true))
		if err := yields(ctx, 5); err != nil {
			return err
		}
		if _, err := t.Await(ctx); is(err, "ValueError") {
			p.print("await c:", repr(err))
		} else {
			return err
		}
		return nil
	})
}

func awaitParallel(p *py) error {
	nap := func(d time.Duration, word string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, d); err != nil {
				return err
			}
			p.print(word, "done")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		now := ctx.Loop().Time
		t0 := now()
		a := asyncio.CreateTask(ctx, nap(sec(0.1), "short"))
		b := asyncio.CreateTask(ctx, nap(sec(0.2), "long"))
		marker := asyncio.CreateTask(ctx, nap(sec(0.25), "marker"))
		p.print("waiting")
		if err := a.Await(ctx); err != nil {
			return err
		}
		t1 := now()
		if err := b.Await(ctx); err != nil {
			return err
		}
		t2 := now()
		if err := marker.Await(ctx); err != nil {
			return err
		}
		p.print("short took 100 ms or more:", (t1-t0).Milliseconds() >= 95)
		p.print("both took 200 ms or more:", (t2-t0).Milliseconds() >= 195)
		return nil
	})
}

func awaitChain(p *py) error {
	stage := func(before *asyncio.Task, name string) func(*asyncio.Ctx) (string, error) {
		return func(ctx *asyncio.Ctx) (string, error) {
			if before != nil {
				if err := before.Await(ctx); err != nil {
					return "", err
				}
			}
			if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
				return "", err
			}
			p.print(name, "finished")
			return name, nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		first := asyncio.CreateTaskOf(ctx, stage(nil, "first"))
		second := asyncio.CreateTaskOf(ctx, stage(&first.Task, "second"))
		third := asyncio.CreateTaskOf(ctx, stage(&second.Task, "third"))
		v, err := first.Await(ctx)
		if err != nil {
			return err
		}
		p.print("got", v)
		if v, err = third.Await(ctx); err != nil {
			return err
		}
		p.print("got", v)
		p.print("second done", second.Done())
		return nil
	})
}

func createTaskOrder(p *py) error {
	child := func(name string, rounds int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range rounds {
				p.print(name, i)
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			p.print(name, "end")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		a := asyncio.CreateTask(ctx, child("a", 2))
		b := asyncio.CreateTask(ctx, child("b", 3))
		p.print("created both, not yielded yet")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main after first yield")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main after second yield")
		if err := a.Await(ctx); err != nil {
			return err
		}
		p.print("a finished")
		if err := b.Await(ctx); err != nil {
			return err
		}
		p.print("main end")
		return nil
	})
}

func currentTask(p *py) error {
	seen := map[string]*asyncio.Task{}
	record := func(name string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			seen[name] = asyncio.CurrentTask(ctx)
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			p.print(name, "still itself after a yield:", asyncio.CurrentTask(ctx) == seen[name])
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		me := asyncio.CurrentTask(ctx)
		a := asyncio.CreateTask(ctx, record("a"))
		b := asyncio.CreateTask(ctx, record("b"))
		if err := a.Await(ctx); err != nil {
			return err
		}
		if err := b.Await(ctx); err != nil {
			return err
		}
		p.print("a is its task:", seen["a"] == a)
		p.print("b is its task:", seen["b"] == b)
		p.print("a is not b:", seen["a"] != seen["b"])
		p.print("main is itself:", asyncio.CurrentTask(ctx) == me)
		return nil
	})
}

func sleepOrder(p *py) error {
	sleeper := func(name string, s any) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print(name, "sleeps", s)
			if err := asyncio.Sleep(ctx, dur(s)); err != nil {
				return err
			}
			p.print(name, "wakes")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		tasks := []*asyncio.Task{
			asyncio.CreateTask(ctx, sleeper("c", 0.3)),
			asyncio.CreateTask(ctx, sleeper("a", 0.1)),
			asyncio.CreateTask(ctx, sleeper("neg", -1)),
			asyncio.CreateTask(ctx, sleeper("b", 0.2)),
			asyncio.CreateTask(ctx, sleeper("zero", 0)),
		}
		for _, t := range tasks {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("all awake")
		return nil
	})
}

func sleepEqualDeadlines(p *py) error {
	sleeper := func(name string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			p.print("woke", name)
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			p.print("woke again", name)
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.Task
		for _, n := range []string{"one", "two", "three", "four"} {
			tasks = append(tasks, asyncio.CreateTask(ctx, sleeper(n)))
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("all asleep")
		for _, t := range tasks {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

func sleepZeroRoundRobin(p *py) error {
	spinner := func(name string, turns int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range turns {
				p.print(name, i)
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ts := []*asyncio.Task{
			asyncio.CreateTask(ctx, spinner("x", 3)),
			asyncio.CreateTask(ctx, spinner("y", 1)),
			asyncio.CreateTask(ctx, spinner("z", 2)),
		}
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("done")
		return nil
	})
}

// sleepFair runs on the real clock: on the virtual clock time only moves
// when no task is ready, and the spinners here are always ready.
func sleepFair(p *py) error {
	counts := map[string]int{"zero": 0, "negative": 0}
	busy := func(name string, d time.Duration) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for {
				counts[name]++
				if err := asyncio.Sleep(ctx, d); err != nil {
					return err
				}
			}
		}
	}
	periodic := func(name string, d time.Duration, n int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range n {
				if err := asyncio.Sleep(ctx, d); err != nil {
					return err
				}
				p.print(name, "tick", i)
			}
			return nil
		}
	}
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		spinners := []*asyncio.Task{
			asyncio.CreateTask(ctx, busy("zero", 0)),
			asyncio.CreateTask(ctx, busy("negative", sec(-0.5))),
		}
		slow := asyncio.CreateTask(ctx, periodic("slow", sec(0.5), 1))
		fast := asyncio.CreateTask(ctx, periodic("fast", sec(0.2), 3))
		if err := slow.Await(ctx); err != nil {
			return err
		}
		if err := fast.Await(ctx); err != nil {
			return err
		}
		for _, t := range spinners {
			t.Cancel()
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("spinners ran:", counts["zero"] > 3, counts["negative"] > 3)
		return nil
	})
}

func sleepMs(p *py) error {
	every := func(name string, n, ms int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range n {
				p.print(name, i)
				if err := asyncio.SleepMs(ctx, ms); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		a := asyncio.CreateTask(ctx, every("a", 4, 200))
		b := asyncio.CreateTask(ctx, every("b", 2, 500))
		p.print("start")
		if err := asyncio.SleepMs(ctx, 100); err != nil {
			return err
		}
		p.print("main woke")
		if err := asyncio.SleepMs(ctx, 600); err != nil {
			return err
		}
		p.print("main woke again")
		if err := a.Await(ctx); err != nil {
			return err
		}
		if err := b.Await(ctx); err != nil {
			return err
		}
		p.print("finish")
		return nil
	})
}
