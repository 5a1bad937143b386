package conformance

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about gather and the exception handler.

func init() {
	addTwins(map[string]twin{
		"gather_results":           gatherResults,
		"gather_return_exceptions": gatherReturnExceptions,
		"gather_first_error":       gatherFirstError,
		"gather_cancel":            gatherCancel,
		"gather_cancel_race":       gatherCancelRace,
		"gather_finished_early":    gatherFinishedEarly,
		"exception_awaited":        exceptionAwaited,
		"exception_handler":        exceptionHandler,
	})
}

// results is the list gather(..., return_exceptions=True) returns: each
// task's value, or its error in its place.
func results[T any](tasks []*asyncio.TaskOf[T], errs []error) pyList {
	l := make(pyList, len(tasks))
	for i, t := range tasks {
		if errs[i] != nil {
			l[i] = errs[i]
		} else {
			l[i], _ = t.Result()
		}
	}
	return l
}

func plain[T any](tasks []*asyncio.TaskOf[T]) []*asyncio.Task {
	ts := make([]*asyncio.Task, len(tasks))
	for i, t := range tasks {
		ts[i] = &t.Task
	}
	return ts
}

func list[T any](values []T) pyList {
	l := make(pyList, len(values))
	for i, v := range values {
		l[i] = v
	}
	return l
}

func gatherResults(p *py) error {
	countUp := func(name string, n int) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			total := 0
			for i := 1; i <= n; i++ {
				p.print(name, "step", i)
				total += i
				if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
					return 0, err
				}
			}
			p.print(name, "total", total)
			return total, nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		r, err := asyncio.GatherOf(ctx,
			asyncio.CreateTaskOf(ctx, countUp("A", 1)),
			asyncio.CreateTaskOf(ctx, countUp("B", 3)),
			asyncio.CreateTaskOf(ctx, countUp("C", 2)))
		if err != nil {
			return err
		}
		p.print(list(r))
		if r, err = asyncio.GatherOf[int](ctx); err != nil {
			return err
		}
		p.print(list(r))
		return nil
	})
}

func gatherReturnExceptions(p *py) error {
	ok := func(n int) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("ok", n, "start")
			if err := asyncio.Sleep(ctx, sec(0.1)); err != nil {
				return 0, err
			}
			p.print("ok", n, "end")
			return n, nil
		}
	}
	bad := func(n int) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("bad", n, "start")
			if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
				return 0, err
			}
			p.print("bad", n, "raises")
			return 0, valueError("bad", n)
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ts := []*asyncio.TaskOf[int]{asyncio.CreateTaskOf(ctx, ok(1)), asyncio.CreateTaskOf(ctx, ok(2))}
		ts[0].Cancel()
		errs, err := asyncio.GatherErrors(ctx, plain(ts)...)
		if err != nil {
			return err
		}
		p.print(results(ts, errs))
		p.print("--")
		ts = []*asyncio.TaskOf[int]{asyncio.CreateTaskOf(ctx, ok(3)), asyncio.CreateTaskOf(ctx, bad(4))}
		if errs, err = asyncio.GatherErrors(ctx, plain(ts)...); err != nil {
			return err
		}
		p.print(results(ts, errs))
		return nil
	})
}

func gatherFirstError(p *py) error {
	ticker := func(name string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print(name, "start")
			for {
				if err := asyncio.Sleep(ctx, sec(0.2)); err != nil {
					return err
				}
				p.print(name, "tick")
			}
		}
	}
	bad := func(n int, s float64) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("bad", n, "start")
			if err := asyncio.Sleep(ctx, sec(s)); err != nil {
				return err
			}
			p.print("bad", n, "raises")
			return valueError("bad", n)
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ts := []*asyncio.Task{asyncio.CreateTask(ctx, ticker("ticker")), asyncio.CreateTask(ctx, bad(1, 0.3))}
		if err := asyncio.Gather(ctx, ts...); is(err, "ValueError") {
			p.print("gather raised", repr(err))
		} else if err != nil {
			return err
		}
		p.print("done:", ts[0].Done(), ts[1].Done())
		ts[0].Cancel()
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("ticker done:", ts[0].Done())
		p.print("--")
		ts = []*asyncio.Task{asyncio.CreateTask(ctx, bad(2, 0)), asyncio.CreateTask(ctx, bad(3, 0))}
		if err := asyncio.Gather(ctx, ts...); is(err, "ValueError") {
			p.print("gather raised", repr(err))
		} else if err != nil {
			return err
		}
		p.print("done:", ts[0].Done(), ts[1].Done())
		return nil
	})
}

func gatherCancel(p *py) error {
	job := func(n int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("job", n, "start")
			err := asyncio.Sleep(ctx, time.Second)
			if err == nil {
				p.print("job", n, "end")
			} else if is(err, "CancelledError") {
				p.print("job", n, "cancelled")
			}
			return err
		}
	}
	gatherer := func(ctx *asyncio.Ctx) error {
		p.print("gatherer start")
		err := asyncio.Gather(ctx, asyncio.CreateTask(ctx, job(1)), asyncio.CreateTask(ctx, job(2)))
		if err == nil {
			p.print("gatherer end")
		} else if is(err, "CancelledError") {
			p.print("gatherer cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, gatherer)
		if err := yields(ctx, 5); err != nil {
			return err
		}
		p.print("main cancels the gatherer")
		t.Cancel()
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func gatherCancelRace(p *py) error {
	quick := func(n int) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("quick", n, "start")
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return 0, err
			}
			p.print("quick", n, "end")
			return n, nil
		}
	}
	gatherer := func(k int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("gatherer", k, "start")
			r, err := asyncio.GatherOf(ctx,
				asyncio.CreateTaskOf(ctx, quick(k*10+1)),
				asyncio.CreateTaskOf(ctx, quick(k*10+2)))
			switch {
			case err == nil:
				p.print("gatherer", k, "got", list(r))
			case is(err, "CancelledError"):
				p.print("gatherer", k, "cancelled")
			default:
				return err
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		for k := 1; k < 4; k++ {
			t := asyncio.CreateTask(ctx, gatherer(k))
			if err := yields(ctx, k); err != nil {
				return err
			}
			p.print("cancel after", k, "turns")
			t.Cancel()
			if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
				return err
			}
			p.print("--")
		}
		return nil
	})
}

func gatherFinishedEarly(p *py) error {
	early := func(name string, ev *asyncio.Event, fail bool) func(*asyncio.Ctx) (string, error) {
		return func(*asyncio.Ctx) (string, error) {
			p.print("early", name)
			ev.Set()
			if fail {
				return "", valueError("early", name)
			}
			return name, nil
		}
	}
	runner := func(ctx *asyncio.Ctx) (string, error) {
		for i := range 3 {
			p.print("runner", i)
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return "", err
			}
		}
		return "runner", nil
	}
	oneCase := func(ctx *asyncio.Ctx, withRunner, fail, returnExceptions bool) error {
		p.print("-- runner:", withRunner, "fail:", fail, "return_exceptions:", returnExceptions)
		var ts []*asyncio.TaskOf[string]
		if withRunner {
			ts = append(ts, asyncio.CreateTaskOf(ctx, runner))
		}
		var ea, eb asyncio.Event
		ts = append(ts, asyncio.CreateTaskOf(ctx, early("a", &ea, fail)), asyncio.CreateTaskOf(ctx, early("b", &eb, fail)))
		if err := ea.Wait(ctx); err != nil {
			return err
		}
		if err := eb.Wait(ctx); err != nil {
			return err
		}
		if returnExceptions {
			errs, err := asyncio.GatherErrors(ctx, plain(ts)...)
			if err != nil {
				return err
			}
			p.print("result", results(ts, errs))
		} else {
			switch r, err := asyncio.GatherOf(ctx, ts...); {
			case err == nil:
				p.print("result", list(r))
			case is(err, "ValueError"):
				p.print("raised", repr(err), "runner done:", ts[0].Done())
			default:
				return err
			}
		}
		if withRunner {
			if _, err := ts[0].Await(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) {})
		for _, withRunner := range []bool{false, true} {
			for _, fail := range []bool{false, true} {
				for _, returnExceptions := range []bool{false, true} {
					if err := oneCase(ctx, withRunner, fail, returnExceptions); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func exceptionAwaited(p *py) error {
	failing := func(ctx *asyncio.Ctx, n int) error {
		p.print("failing", n, "start")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		return valueError("failing", n)
	}
	middle := func(ctx *asyncio.Ctx) error {
		if err := failing(ctx, 1); err != nil {
			return err
		}
		p.print("not reached")
		return nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
			p.print("handler:", repr(c.Err))
		})
		if err := middle(ctx); is(err, "ValueError") {
			p.print("direct await:", repr(err))
		} else {
			return err
		}
		t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return failing(ctx, 2) })
		if err := t.Await(ctx); is(err, "ValueError") {
			p.print("task await:", repr(err))
		} else {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func exceptionHandler(p *py) error {
	failing := func(n int) func(*asyncio.Ctx) error {
		return func(*asyncio.Ctx) error { return valueError("failing", n) }
	}
	handler := func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
		p.print("handler:", c.Message, repr(c.Err))
	}
	return run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		if loop.ExceptionHandler() == nil {
			p.print("default handler:", nil)
		} else {
			p.print("default handler: set")
		}
		loop.SetExceptionHandler(handler)
		p.print("handler set:", loop.ExceptionHandler() != nil) // Go cannot compare funcs

		asyncio.CreateTask(ctx, failing(1))
		p.print("yield 1")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("yield 2")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}

		asyncio.CreateTask(ctx, failing(2))
		asyncio.CreateTask(ctx, failing(3))
		p.print("yield 3")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("yield 4")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}

		t := asyncio.CreateTask(ctx, failing(4))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		if err := t.Await(ctx); is(err, "ValueError") {
			p.print("awaited:", repr(err))
		} else {
			return err
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}
