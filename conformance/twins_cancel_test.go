package conformance

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about cancellation.

func init() {
	addTwins(map[string]twin{
		"cancel_before_start":      cancelBeforeStart,
		"cancel_while_sleeping":    cancelWhileSleeping,
		"cancel_many_times":        cancelManyTimes,
		"cancel_finished":          cancelFinished,
		"cancel_self":              cancelSelf,
		"cancel_nested":            cancelNested,
		"cancel_nested_swallowed":  cancelNestedSwallowed,
		"cancel_awaiting_finished": cancelAwaitingFinished,
		"cancel_fair":              cancelFair,
		"cancel_repeated":          cancelRepeated,
		"cancel_ignored":           cancelIgnored,
	})
}

func cancelBeforeStart(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, func(*asyncio.Ctx) error {
			p.print("this line never runs")
			return nil
		})
		ok, err := cancel(t)
		if err != nil {
			return err
		}
		p.print("cancel:", ok)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("done:", t.Done())
		switch err := t.Await(ctx); {
		case err == nil:
			p.print("awaited without error")
		case is(err, "CancelledError"):
			p.print("await: CancelledError")
		default:
			return err
		}
		return nil
	})
}

func cancelWhileSleeping(p *py) error {
	sleeper := func(ctx *asyncio.Ctx) error {
		p.print("sleeper start")
		defer p.print("sleeper clean-up") // finally:
		err := asyncio.Sleep(ctx, 10*time.Second)
		if err == nil {
			p.print("sleeper woke normally")
		} else if is(err, "CancelledError") {
			p.print("sleeper cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, sleeper)
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		ok, err := cancel(t)
		if err != nil {
			return err
		}
		p.print("cancel:", ok)
		p.print("done right after cancel:", t.Done())
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else if err != nil {
			return err
		}
		p.print("done:", t.Done())
		return nil
	})
}

func cancelManyTimes(p *py) error {
	sleeper := func(ctx *asyncio.Ctx) error {
		err := asyncio.Sleep(ctx, 10*time.Second)
		if is(err, "CancelledError") {
			p.print("sleeper cancelled once")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, sleeper)
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		for i := range 3 {
			ok, err := cancel(t)
			if err != nil {
				return err
			}
			p.print("cancel", i, ok)
		}
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else {
			return err
		}
		return nil
	})
}

func cancelFinished(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, func(*asyncio.Ctx) (int, error) {
			p.print("quick runs")
			return 7, nil
		})
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("done:", t.Done())
		ok, err := cancel(&t.Task)
		if err != nil {
			return err
		}
		p.print("cancel:", ok)
		v, err := t.Await(ctx)
		if err != nil {
			return err
		}
		p.print("result:", v)
		return nil
	})
}

func cancelSelf(p *py) error {
	selfish := func(ctx *asyncio.Ctx) error {
		me := asyncio.CurrentTask(ctx)
		if _, err := cancel(me); is(err, "RuntimeError") {
			p.print("RuntimeError:", err)
		} else if err != nil {
			return err
		} else {
			p.print("cancel returned")
		}
		err := asyncio.Sleep(ctx, 0)
		if err == nil {
			p.print("selfish goes on")
		} else if is(err, "CancelledError") {
			p.print("selfish cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, selfish)
		switch err := t.Await(ctx); {
		case err == nil:
			p.print("main: task finished")
		case is(err, "CancelledError"):
			p.print("main: CancelledError")
		default:
			return err
		}
		return nil
	})
}

func cancelNested(p *py) error {
	inner := func(ctx *asyncio.Ctx) error {
		p.print("inner start")
		err := asyncio.Sleep(ctx, time.Second)
		if err == nil {
			p.print("inner end")
		} else if is(err, "CancelledError") {
			p.print("inner cancelled")
		}
		return err
	}
	outer := func(ctx *asyncio.Ctx) error {
		p.print("outer start")
		t := asyncio.CreateTask(ctx, inner)
		err := t.Await(ctx)
		if err == nil {
			p.print("outer end")
		} else if is(err, "CancelledError") {
			p.print("outer cancelled, inner done:", t.Done())
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, outer)
		if err := yields(ctx, 5); err != nil {
			return err
		}
		ok, err := cancel(t)
		if err != nil {
			return err
		}
		p.print("main cancels outer:", ok)
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else {
			return err
		}
		return nil
	})
}

func cancelNestedSwallowed(p *py) error {
	inner := func(ctx *asyncio.Ctx) (string, error) {
		p.print("inner start")
		if err := asyncio.Sleep(ctx, time.Second); is(err, "CancelledError") {
			p.print("inner swallows the cancellation")
		} else if err != nil {
			return "", err
		}
		return "inner result", nil
	}
	outer := func(ctx *asyncio.Ctx) (string, error) {
		p.print("outer start")
		r, err := asyncio.CreateTaskOf(ctx, inner).Await(ctx)
		if is(err, "CancelledError") {
			p.print("outer cancelled")
		}
		if err != nil {
			return "", err
		}
		p.print("outer got", r)
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return "", err
		}
		p.print("outer end")
		return "outer result", nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, outer)
		if err := yields(ctx, 5); err != nil {
			return err
		}
		p.print("main cancels outer")
		t.Cancel()
		switch r, err := t.Await(ctx); {
		case err == nil:
			p.print("main got", r)
		case is(err, "CancelledError"):
			p.print("main: CancelledError")
		default:
			return err
		}
		return nil
	})
}

func cancelAwaitingFinished(p *py) error {
	short := func(ctx *asyncio.Ctx) error {
		p.print("short sleeps")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("short ends")
		return nil
	}
	waiter := func(t *asyncio.Task) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("waiter awaits")
			if err := t.Await(ctx); err != nil {
				return err
			}
			p.print("waiter carries on")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		s := asyncio.CreateTask(ctx, short)
		w := asyncio.CreateTask(ctx, waiter(s))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main yields")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main cancels the waiter")
		w.Cancel()
		if err := w.Await(ctx); is(err, "CancelledError") {
			p.print("main:", repr(err))
		} else {
			return err
		}
		return nil
	})
}

func cancelFair(p *py) error {
	var tasks []*asyncio.Task
	rival := func(me, other int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range 3 {
				p.print(me, "turn", i)
				switch err := asyncio.Sleep(ctx, 0); {
				case err == nil:
					p.print(me, "slept")
				case is(err, "CancelledError"):
					p.print(me, "was cancelled")
				default:
					return err
				}
				if other >= 0 {
					p.print(me, "cancels", other)
					tasks[other].Cancel()
				}
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		tasks = append(tasks,
			asyncio.CreateTask(ctx, rival(0, 1)),
			asyncio.CreateTask(ctx, rival(1, 0)),
			asyncio.CreateTask(ctx, rival(2, -1)))
		if err := tasks[2].Await(ctx); err != nil {
			return err
		}
		p.print("bystander finished")
		for _, t := range tasks[:2] {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

func cancelRepeated(p *py) error {
	target := func(ctx *asyncio.Ctx) error {
		for {
			p.print("target yields")
			if err := asyncio.Sleep(ctx, 0); is(err, "CancelledError") {
				p.print("target cancelled")
				return nil
			} else if err != nil {
				return err
			}
		}
	}
	attacker := func(n int, t *asyncio.Task) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for {
				ok, err := cancel(t)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				p.print("attacker", n, "cancelled it")
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			p.print("attacker", n, "stops")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, target)
		var attackers []*asyncio.Task
		for n := range 3 {
			attackers = append(attackers, asyncio.CreateTask(ctx, attacker(n, t)))
		}
		if err := t.Await(ctx); err != nil {
			return err
		}
		for _, a := range attackers {
			if err := a.Await(ctx); err != nil {
				return err
			}
		}
		p.print("target done:", t.Done())
		return nil
	})
}

func cancelIgnored(p *py) error {
	stubborn := func(ctx *asyncio.Ctx) (string, error) {
		if err := asyncio.Sleep(ctx, time.Second); is(err, "CancelledError") {
			p.print("stubborn ignores the cancellation")
		} else if err != nil {
			return "", err
		}
		if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
			return "", err
		}
		p.print("stubborn slept again")
		return "stubborn result", nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, stubborn)
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		ok, err := cancel(&t.Task)
		if err != nil {
			return err
		}
		p.print("cancel:", ok)
		r, err := t.Await(ctx)
		if err != nil {
			return err
		}
		p.print("main got", r)
		return nil
	})
}
