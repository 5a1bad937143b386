package conformance

import (
	"errors"

	"github.com/goasyncio/asyncio"
)

// Twins of the CPython scenarios about Semaphore, BoundedSemaphore,
// Condition and Barrier.

func init() {
	addCPyTwins(map[string]twin{
		"semaphore_fifo":                semaphoreFifo,
		"semaphore_cancel_waiter":       semaphoreCancelWaiter,
		"bounded_semaphore":             boundedSemaphore,
		"condition_notify":              conditionNotify,
		"condition_wait_for":            conditionWaitFor,
		"condition_cancel_after_notify": conditionCancelAfterNotify,
		"condition_not_locked":          conditionNotLocked,
		"barrier_basic":                 barrierBasic,
		"barrier_rewait":                barrierRewait,
		"barrier_abort":                 barrierAbort,
		"barrier_reset":                 barrierReset,
		"barrier_cancel_waiter":         barrierCancelWaiter,
	})
}

func semaphoreFifo(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		sem := asyncio.NewSemaphore(2)
		var ts []*asyncio.Task
		for i := range 5 {
			name := "w" + str(i)
			ts = append(ts, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := sem.Acquire(ctx); err != nil {
					return err
				}
				defer sem.Release()
				p.print(name, "in; locked", sem.Locked())
				if err := yields(ctx, 2); err != nil {
					return err
				}
				p.print(name, "out")
				return nil
			}))
		}
		if err := asyncio.Gather(ctx, ts...); err != nil {
			return err
		}
		p.print("locked", sem.Locked())
		return nil
	})
}

func semaphoreCancelWaiter(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		sem := asyncio.NewSemaphore(1)
		waiter := func(name string) func(*asyncio.Ctx) error {
			return func(ctx *asyncio.Ctx) error {
				if err := sem.Acquire(ctx); err != nil {
					if is(err, "CancelledError") {
						p.print(name, "cancelled")
					}
					return err
				}
				p.print(name, "acquired")
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				sem.Release()
				return nil
			}
		}
		sem.Acquire(ctx)
		a := asyncio.CreateTask(ctx, waiter("a"))
		b := asyncio.CreateTask(ctx, waiter("b"))
		c := asyncio.CreateTask(ctx, waiter("c"))
		asyncio.Sleep(ctx, 0)
		a.Cancel()
		asyncio.Sleep(ctx, 0)
		p.print("a cancelled", a.Cancelled(), "locked", sem.Locked())
		sem.Release()
		b.Cancel()
		res, err := asyncio.GatherErrors(ctx, b, c)
		if err != nil {
			return err
		}
		p.print("b", cpyName(res[0]), "c", res[1])
		p.print("locked", sem.Locked())
		return nil
	})
}

func boundedSemaphore(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		sem := asyncio.NewBoundedSemaphore(2)
		if err := sem.Release(); err != nil {
			p.print(cpyName(err), "at once")
		}
		sem.Acquire(ctx)
		p.print("locked", sem.Locked())
		sem.Acquire(ctx)
		p.print("locked", sem.Locked())
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := sem.Acquire(ctx); err != nil {
				return err
			}
			p.print("waiter acquired; locked", sem.Locked())
			return sem.Release()
		})
		asyncio.Sleep(ctx, 0)
		sem.Release()
		if err := w.Await(ctx); err != nil {
			return err
		}
		sem.Release()
		p.print("locked", sem.Locked())
		if err := sem.Release(); err != nil {
			p.print(cpyName(err))
		}
		p.print("locked", sem.Locked())
		return nil
	})
}

func conditionNotify(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		cond := asyncio.NewCondition(nil)
		var ws []*asyncio.Task
		for i := range 5 {
			name := "w" + str(i)
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release()
				p.print(name, "waits")
				if err := cond.Wait(ctx); err != nil {
					return err
				}
				p.print(name, "woken; locked", cond.Locked())
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				p.print(name, "releases")
				return nil
			}))
		}
		asyncio.Sleep(ctx, 0)
		cond.Acquire(ctx)
		cond.Notify(1)
		cond.Release()
		p.print("notified 1")
		yields(ctx, 4)
		cond.Acquire(ctx)
		cond.Notify(2)
		cond.Release()
		p.print("notified 2")
		yields(ctx, 8)
		cond.Acquire(ctx)
		cond.NotifyAll()
		cond.Release()
		p.print("notified all")
		if err := asyncio.Gather(ctx, ws...); err != nil {
			return err
		}
		p.print("locked", cond.Locked())
		return nil
	})
}

func conditionWaitFor(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		cond := asyncio.NewCondition(nil)
		box := 0
		c := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			defer cond.Release()
			err := cond.WaitFor(ctx, func() bool {
				p.print("checks", box)
				return box >= 3
			})
			if err != nil {
				return err
			}
			p.print("consumer sees", box, "locked", cond.Locked())
			return nil
		})
		for range 4 {
			asyncio.Sleep(ctx, 0)
			cond.Acquire(ctx)
			box++
			cond.Notify(1)
			cond.Release()
			p.print("set", box)
		}
		if err := c.Await(ctx); err != nil {
			return err
		}
		cond.Acquire(ctx)
		if err := cond.WaitFor(ctx, func() bool { return true }); err != nil {
			return err
		}
		p.print("true at once")
		return cond.Release()
	})
}

func conditionCancelAfterNotify(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		cond := asyncio.NewCondition(nil)
		waiter := func(name string) func(*asyncio.Ctx) error {
			return func(ctx *asyncio.Ctx) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release()
				if err := cond.Wait(ctx); err != nil {
					if is(err, "CancelledError") {
						p.print(name, "cancelled")
					}
					return err
				}
				p.print(name, "woken")
				return nil
			}
		}
		a := asyncio.CreateTask(ctx, waiter("a"))
		b := asyncio.CreateTask(ctx, waiter("b"))
		asyncio.Sleep(ctx, 0)
		cond.Acquire(ctx)
		cond.Notify(1)
		cond.Release()
		a.Cancel()
		yields(ctx, 5)
		p.print("b woken by the first notify:", b.Done())
		cond.Acquire(ctx)
		cond.Notify(1)
		cond.Release()
		if err := b.Await(ctx); err != nil {
			return err
		}
		p.print("a cancelled", a.Cancelled())
		return nil
	})
}

func conditionNotLocked(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		cond := asyncio.NewCondition(nil)
		if err := cond.Wait(ctx); err != nil {
			p.print("wait:", cpyName(err))
		}
		if err := cond.Notify(1); err != nil {
			p.print("notify:", cpyName(err))
		}
		if err := cond.NotifyAll(); err != nil {
			p.print("notify_all:", cpyName(err))
		}
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			defer cond.Release()
			if err := cond.Wait(ctx); err != nil {
				if is(err, "CancelledError") {
					p.print("waiter cancelled; locked", cond.Locked())
				}
				return err
			}
			return nil
		})
		asyncio.Sleep(ctx, 0)
		cond.Acquire(ctx)
		w.Cancel()
		yields(ctx, 3)
		p.print("main holds the lock; waiter done:", w.Done())
		cond.Release()
		if err := w.Await(ctx); is(err, "CancelledError") {
			p.print("waiter ended with CancelledError; locked", cond.Locked())
		}
		return nil
	})
}

// barrierParty is the twin of the barrier scenarios' party(b, name).
func barrierParty(p *py, b *asyncio.Barrier, name string) func(*asyncio.Ctx) error {
	return func(ctx *asyncio.Ctx) error {
		i, err := b.Wait(ctx)
		switch {
		case err == nil:
			p.print(name, "passes with", i)
		case errors.Is(err, asyncio.ErrBrokenBarrier):
			p.print(name, "BrokenBarrierError")
		case is(err, "CancelledError"):
			p.print(name, "cancelled")
			return err
		default:
			return err
		}
		return nil
	}
}

func barrierBasic(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(3)
		p.print("parties", b.Parties(), "n_waiting", b.NWaiting(), "broken", b.Broken())
		for rnd := range 2 {
			var ts []*asyncio.Task
			for _, n := range []string{"a", "b"} {
				ts = append(ts, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
					p.print(n, "arrives")
					i, err := b.Wait(ctx)
					if err != nil {
						return err
					}
					p.print(n, "passes with index", i)
					return nil
				}))
			}
			asyncio.Sleep(ctx, 0)
			p.print("round", rnd, "n_waiting", b.NWaiting())
			i, err := b.Wait(ctx)
			if err != nil {
				return err
			}
			p.print("main passes with index", i, "n_waiting", b.NWaiting())
			if err := asyncio.Gather(ctx, ts...); err != nil {
				return err
			}
		}
		p.print("n_waiting", b.NWaiting(), "broken", b.Broken())
		return nil
	})
}

func barrierRewait(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(3)
		var ts []*asyncio.Task
		for _, n := range []string{"a", "b", "c"} {
			ts = append(ts, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for rnd := range 2 {
					i, err := b.Wait(ctx)
					if err != nil {
						return err
					}
					p.print(n, "passed round", rnd, "with index", i)
				}
				return nil
			}))
		}
		if err := asyncio.Gather(ctx, ts...); err != nil {
			return err
		}
		p.print("n_waiting", b.NWaiting())
		return nil
	})
}

func barrierAbort(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(3)
		start := func(ns ...string) []*asyncio.Task {
			var ts []*asyncio.Task
			for _, n := range ns {
				ts = append(ts, asyncio.CreateTask(ctx, barrierParty(p, b, n)))
			}
			return ts
		}
		ts := start("a", "b")
		asyncio.Sleep(ctx, 0)
		p.print("n_waiting", b.NWaiting())
		b.Abort()
		p.print("broken", b.Broken())
		if err := asyncio.Gather(ctx, ts...); err != nil {
			return err
		}
		if err := barrierParty(p, b, "late")(ctx); err != nil {
			return err
		}
		b.Reset()
		p.print("after reset broken", b.Broken(), "n_waiting", b.NWaiting())
		return asyncio.Gather(ctx, start("a", "b", "c")...)
	})
}

func barrierReset(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(2)
		t := asyncio.CreateTask(ctx, barrierParty(p, b, "a"))
		asyncio.Sleep(ctx, 0)
		b.Reset()
		p.print("broken", b.Broken(), "n_waiting", b.NWaiting())
		if err := t.Await(ctx); err != nil {
			return err
		}
		ts := []*asyncio.Task{
			asyncio.CreateTask(ctx, barrierParty(p, b, "b")),
			asyncio.CreateTask(ctx, barrierParty(p, b, "c")),
		}
		if err := asyncio.Gather(ctx, ts...); err != nil {
			return err
		}
		p.print("broken", b.Broken())
		return nil
	})
}

func barrierCancelWaiter(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(3)
		a := asyncio.CreateTask(ctx, barrierParty(p, b, "a"))
		c := asyncio.CreateTask(ctx, barrierParty(p, b, "b"))
		asyncio.Sleep(ctx, 0)
		a.Cancel()
		asyncio.Sleep(ctx, 0)
		p.print("n_waiting", b.NWaiting(), "broken", b.Broken())
		d := asyncio.CreateTask(ctx, barrierParty(p, b, "d"))
		asyncio.Sleep(ctx, 0)
		p.print("n_waiting", b.NWaiting(), "broken", b.Broken())
		if !b.Broken() {
			b.Abort()
		}
		return asyncio.Gather(ctx, c, d)
	})
}
