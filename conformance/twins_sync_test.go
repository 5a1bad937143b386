package conformance

import (
	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about Event and Lock.

func init() {
	addTwins(map[string]twin{
		"event_basic":          eventBasic,
		"event_waiters":        eventWaiters,
		"event_cancel_waiter":  eventCancelWaiter,
		"event_fair":           eventFair,
		"event_wait_for":       eventWaitFor,
		"lock_basic":           lockBasic,
		"lock_fifo":            lockFIFO,
		"lock_sleeping_holder": lockSleepingHolder,
		"lock_cancel_waiters":  lockCancelWaiters,
		"lock_cancel_holder":   lockCancelHolder,
		"lock_release_handoff": lockReleaseHandoff,
	})
}

// wait is the twin of `await ev.wait()`, which returns True.
func wait(ctx *asyncio.Ctx, ev *asyncio.Event) (bool, error) {
	err := ev.Wait(ctx)
	return err == nil, err
}

func eventBasic(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		p.print("new:", ev.IsSet())
		ev.Set()
		p.print("after set:", ev.IsSet())
		ev.Set()
		p.print("after second set:", ev.IsSet())
		r, err := wait(ctx, &ev)
		if err != nil {
			return err
		}
		p.print("wait on set event:", r)
		ev.Clear()
		p.print("after clear:", ev.IsSet())
		return nil
	})
}

func eventWaiters(p *py) error {
	waiter := func(name string, ev *asyncio.Event) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print(name, "waits")
			r, err := wait(ctx, ev)
			if err != nil {
				return err
			}
			p.print(name, "woke with", r)
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		for _, name := range []string{"w1", "w2", "w3"} {
			asyncio.CreateTask(ctx, waiter(name, &ev))
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main sets")
		ev.Set()
		p.print("main yields")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("--")
		asyncio.CreateTask(ctx, waiter("late", &ev))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("--")
		ev.Clear()
		asyncio.CreateTask(ctx, waiter("after-clear", &ev))
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("main sets again")
		ev.Set()
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func eventCancelWaiter(p *py) error {
	waiter := func(name string, ev *asyncio.Event) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			switch err := ev.Wait(ctx); {
			case err == nil:
				p.print(name, "woke")
			case is(err, "CancelledError"):
				p.print(name, "cancelled")
			default:
				return err
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ev := &asyncio.Event{}
		t := asyncio.CreateTask(ctx, waiter("set-then-cancel", ev))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		ev.Set()
		t.Cancel()
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}

		ev = &asyncio.Event{}
		t = asyncio.CreateTask(ctx, waiter("cancel-then-set", ev))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		t.Cancel()
		ev.Set()
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}

		ev = &asyncio.Event{}
		asyncio.CreateTask(ctx, waiter("stays", ev))
		b := asyncio.CreateTask(ctx, waiter("leaves", ev))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		b.Cancel()
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		ev.Set()
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func eventFair(p *py) error {
	yielder := func(name string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range 3 {
				p.print(name, "yields", i)
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			return nil
		}
	}
	flipper := func(name string, ev *asyncio.Event) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for i := range 3 {
				ev.Set()
				ev.Clear()
				p.print(name, "waits", i)
				if err := ev.Wait(ctx); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		ts := []*asyncio.Task{
			asyncio.CreateTask(ctx, yielder("y1")),
			asyncio.CreateTask(ctx, flipper("f1", &ev)),
			asyncio.CreateTask(ctx, yielder("y2")),
			asyncio.CreateTask(ctx, flipper("f2", &ev)),
		}
		if err := ts[1].Await(ctx); err != nil {
			return err
		}
		p.print("f1 finished")
		ev.Set()
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("all finished")
		return nil
	})
}

func eventWaitFor(p *py) error {
	setLater := func(ev *asyncio.Event, s float64) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(s)); err != nil {
				return err
			}
			p.print("setting the event")
			ev.Set()
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		ev := &asyncio.Event{}
		asyncio.CreateTask(ctx, setLater(ev, 0.02))
		r, err := asyncio.WaitForOf(ctx, sec(0.2), func(ctx *asyncio.Ctx) (bool, error) { return wait(ctx, ev) })
		if err != nil {
			return err
		}
		p.print("in time:", r)

		ev = &asyncio.Event{}
		setter := asyncio.CreateTask(ctx, setLater(ev, 0.2))
		switch _, err := asyncio.WaitForOf(ctx, sec(0.02), func(ctx *asyncio.Ctx) (bool, error) { return wait(ctx, ev) }); {
		case err == nil:
			p.print("no timeout")
		case is(err, "TimeoutError"):
			p.print("TimeoutError")
		default:
			return err
		}
		p.print("is set:", ev.IsSet())
		if err := setter.Await(ctx); err != nil {
			return err
		}
		p.print("is set:", ev.IsSet())
		return nil
	})
}

// with is the twin of `async with lock:`: body runs holding the lock, which
// is released however body ends.
func with(ctx *asyncio.Ctx, lock *asyncio.Lock, body func() error) error {
	if err := lock.Acquire(ctx); err != nil {
		return err
	}
	defer lock.Release()
	return body()
}

func lockBasic(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		p.print("new, locked:", lock.Locked())
		err := lock.Acquire(ctx)
		if err != nil {
			return err
		}
		p.print("acquire:", err == nil)
		p.print("locked:", lock.Locked())
		if err := lock.Release(); err != nil {
			return err
		}
		p.print("released, locked:", lock.Locked())
		if err := with(ctx, &lock, func() error {
			p.print("inside async with, locked:", lock.Locked())
			return nil
		}); err != nil {
			return err
		}
		p.print("after async with, locked:", lock.Locked())
		if err := lock.Release(); is(err, "RuntimeError") {
			p.print("RuntimeError:", err)
		} else if err != nil {
			return err
		} else {
			p.print("released an unlocked lock")
		}
		return nil
	})
}

func lockFIFO(p *py) error {
	worker := func(name string, lock *asyncio.Lock, rounds int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print(name, "start")
			for i := range rounds {
				if err := with(ctx, lock, func() error {
					p.print(name, "holds the lock", i)
					return asyncio.Sleep(ctx, 0)
				}); err != nil {
					return err
				}
			}
			p.print(name, "end")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		var ts []*asyncio.Task
		for _, n := range []string{"a", "b", "c"} {
			ts = append(ts, asyncio.CreateTask(ctx, worker(n, &lock, 2)))
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main releases")
		if err := lock.Release(); err != nil {
			return err
		}
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("locked:", lock.Locked())
		return nil
	})
}

func lockSleepingHolder(p *py) error {
	holder := func(ctx *asyncio.Ctx, name string, lock *asyncio.Lock, s float64) error {
		if err := with(ctx, lock, func() error {
			p.print(name, "has the lock, locked:", lock.Locked())
			if err := asyncio.Sleep(ctx, sec(s)); err != nil {
				return err
			}
			p.print(name, "releases")
			return nil
		}); err != nil {
			return err
		}
		p.print(name, "released, locked:", lock.Locked())
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		p.print(name, "has it again")
		return lock.Release()
	}
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		first := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return holder(ctx, "first", &lock, 0.1) })
		if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
			return err
		}
		p.print("main wants the lock")
		if err := holder(ctx, "main", &lock, 0.02); err != nil {
			return err
		}
		if err := first.Await(ctx); err != nil {
			return err
		}
		p.print("locked:", lock.Locked())
		return nil
	})
}

func lockCancelWaiters(p *py) error {
	inside := true
	contender := func(n int, lock *asyncio.Lock) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("contender", n, "waits")
			if err := lock.Acquire(ctx); is(err, "CancelledError") {
				p.print("contender", n, "cancelled")
				return nil
			} else if err != nil {
				return err
			}
			p.print("contender", n, "got it, someone else inside:", inside)
			inside = true
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			inside = false
			if err := lock.Release(); err != nil {
				return err
			}
			p.print("contender", n, "released")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		var ts []*asyncio.Task
		for n := range 4 {
			ts = append(ts, asyncio.CreateTask(ctx, contender(n, &lock)))
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		ts[1].Cancel()
		ts[2].Cancel()
		inside = false
		if err := lock.Release(); err != nil {
			return err
		}
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("locked:", lock.Locked())
		return nil
	})
}

func lockCancelHolder(p *py) error {
	user := func(n int, lock *asyncio.Lock, victim **asyncio.Task, victimN int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			err := with(ctx, lock, func() error {
				p.print("user", n, "has the lock")
				return asyncio.Sleep(ctx, sec(0.2))
			})
			if err == nil {
				p.print("user", n, "released")
				if victim != nil {
					p.print("user", n, "cancels user", victimN)
					(*victim).Cancel()
				}
			}
			if is(err, "CancelledError") {
				p.print("user", n, "cancelled")
				return nil
			}
			return err
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		var victim *asyncio.Task
		a := asyncio.CreateTask(ctx, user(0, &lock, &victim, 1))
		victim = asyncio.CreateTask(ctx, user(1, &lock, nil, 0))
		c := asyncio.CreateTask(ctx, user(2, &lock, nil, 0))
		for _, t := range []*asyncio.Task{a, victim, c} {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("locked:", lock.Locked())
		p.print("--")
		var ts []*asyncio.Task
		for n := range 3 {
			ts = append(ts, asyncio.CreateTask(ctx, user(n, &lock, nil, 0)))
		}
		if err := asyncio.Sleep(ctx, sec(0.06)); err != nil {
			return err
		}
		ts[0].Cancel()
		if err := asyncio.Sleep(ctx, sec(0.06)); err != nil {
			return err
		}
		ts[2].Cancel()
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("locked:", lock.Locked())
		return nil
	})
}

func lockReleaseHandoff(p *py) error {
	worker := func(name string, lock *asyncio.Lock) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			if err := lock.Acquire(ctx); err != nil {
				return err
			}
			p.print(name, "holds the lock")
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			p.print(name, "releases")
			return lock.Release()
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		ts := []*asyncio.Task{asyncio.CreateTask(ctx, worker("a", &lock)), asyncio.CreateTask(ctx, worker("b", &lock))}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main releases")
		if err := lock.Release(); err != nil {
			return err
		}
		p.print("locked:", lock.Locked())
		if err := lock.Release(); is(err, "RuntimeError") {
			p.print("second release raises RuntimeError")
		} else if err == nil {
			p.print("second release accepted")
		} else {
			return err
		}
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		p.print("locked:", lock.Locked())
		return nil
	})
}
