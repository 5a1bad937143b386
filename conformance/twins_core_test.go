package conformance

import (
	"errors"
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios that pin the core's turn counts and cancellation
// corner cases.

func init() {
	addTwins(map[string]twin{
		"wait_for_turns":     waitForTurns,
		"wait_for_done_task": waitForDoneTask,
		"cancel_own_awaiter": cancelOwnAwaiter,
	})
}

// ticker prints a tick every turn, n times.
func ticker(p *py, n int) func(*asyncio.Ctx) error {
	return func(ctx *asyncio.Ctx) error {
		for i := range n {
			p.print("tick", i)
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil
	}
}

func waitForTurns(p *py) error {
	work := func(turns int, fail bool) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("work start", turns)
			for range turns {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return 0, err
				}
			}
			if fail {
				return 0, valueError("work failed")
			}
			p.print("work end", turns)
			return turns * 10, nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		for _, c := range []struct {
			turns int
			fail  bool
		}{{0, false}, {1, false}, {3, false}, {0, true}, {2, true}} {
			t := asyncio.CreateTask(ctx, ticker(p, 8))
			r, err := asyncio.WaitForOf(ctx, time.Second, work(c.turns, c.fail))
			switch {
			case err == nil:
				p.print("wait_for returned", r)
			case isPyError(err):
				p.print("wait_for raised", repr(err))
			default:
				return err
			}
			if err := t.Await(ctx); err != nil {
				return err
			}
			p.print("--")
		}
		return nil
	})
}

func waitForDoneTask(p *py) error {
	job := func(fail bool) func(*asyncio.Ctx) (string, error) {
		return func(*asyncio.Ctx) (string, error) {
			p.print("job runs")
			if fail {
				return "", valueError("job failed")
			}
			return "value", nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
			p.print("handler:", repr(c.Err))
		})
		for _, fail := range []bool{false, true} {
			t := asyncio.CreateTaskOf(ctx, job(fail))
			asyncio.Sleep(ctx, 0)
			p.print("job done:", t.Done())
			tick := asyncio.CreateTask(ctx, ticker(p, 5))
			switch err := asyncio.WaitForTask(ctx, time.Second, &t.Task); {
			case err == nil:
				v, _ := t.Result()
				p.print("wait_for returned", v)
			case isPyError(err):
				p.print("wait_for raised", repr(err))
			default:
				return err
			}
			if err := tick.Await(ctx); err != nil {
				return err
			}
			p.print("--")
		}
		return nil
	})
}

func cancelOwnAwaiter(p *py) error {
	var outerTask *asyncio.Task
	inner := func(ctx *asyncio.Ctx) (string, error) {
		p.print("inner cancels its awaiter")
		p.print("cancel returned", outerTask.Cancel() == nil)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return "", err
		}
		p.print("inner goes on")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return "", err
		}
		p.print("inner returns")
		return "inner result", nil
	}
	outer := func(ctx *asyncio.Ctx) error {
		r, err := asyncio.CreateTaskOf(ctx, inner).Await(ctx)
		if err != nil {
			p.print("outer cancelled")
			return err
		}
		p.print("outer got", r)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("outer goes on")
		return nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		outerTask = asyncio.CreateTask(ctx, outer)
		if err := outerTask.Await(ctx); errors.Is(err, asyncio.ErrCancelled) {
			p.print("outer finished with CancelledError")
		} else if err == nil {
			p.print("outer finished")
		} else {
			return err
		}
		return nil
	})
}

// isPyError reports whether err stands for a Python exception a scenario
// raises.
func isPyError(err error) bool {
	var pe *pyError
	return errors.As(err, &pe)
}
