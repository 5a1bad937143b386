package conformance

import (
	"errors"
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the CPython scenarios about Timeout and Semaphore.

func init() {
	addCPyTwins(map[string]twin{
		"semaphore_locked_handoff": semaphoreLockedHandoff,
		"timeout_body_returns":     timeoutBodyReturns,
		"timeout_past_deadline":    timeoutPastDeadline,
		"timeout_reschedule":       timeoutReschedule,
	})
}

func semaphoreLockedHandoff(p *py) error {
	waiter := func(sem *asyncio.Semaphore, name string) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print(name, "waits")
			if err := sem.Acquire(ctx); err != nil {
				return err
			}
			p.print(name, "acquired")
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			sem.Release()
			p.print(name, "released")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		sem := asyncio.NewSemaphore(1)
		sem.Acquire(ctx)
		w := asyncio.CreateTask(ctx, waiter(sem, "w1"))
		asyncio.Sleep(ctx, 0)
		sem.Release()
		p.print("after one release, locked:", sem.Locked())
		sem.Release()
		p.print("after two releases, locked:", sem.Locked())
		n := asyncio.CreateTask(ctx, waiter(sem, "newcomer"))
		asyncio.Sleep(ctx, 0)
		p.print("newcomer started; locked:", sem.Locked())
		if err := w.Await(ctx); err != nil {
			return err
		}
		if err := n.Await(ctx); err != nil {
			return err
		}
		p.print("end locked:", sem.Locked())
		return nil
	})
}

func timeoutBodyReturns(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		err := asyncio.Timeout(ctx, 50*time.Millisecond, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, time.Second); errors.Is(err, asyncio.ErrCancelled) {
				p.print("body caught the cancellation")
			}
			return nil
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			p.print("TimeoutError")
		} else {
			p.print("left the block without an error")
		}
		err = asyncio.Timeout(ctx, 50*time.Millisecond, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, time.Second)
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			p.print("TimeoutError when the cancellation goes through")
		}
		return nil
	})
}

func timeoutPastDeadline(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		err := asyncio.TimeoutAt(ctx, l.Time()-time.Second, func(ctx *asyncio.Ctx) error {
			p.print("body starts")
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			p.print("not reached")
			return nil
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			p.print("TimeoutError at the first await")
		}
		err = asyncio.TimeoutAt(ctx, l.Time()-time.Second, func(ctx *asyncio.Ctx) error {
			p.print("body without an await")
			return nil
		})
		if err == nil {
			p.print("left without an error")
		} else {
			p.print("TimeoutError")
		}
		return nil
	})
}

func timeoutReschedule(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		var sc *asyncio.Scope
		err := asyncio.Timeout(ctx, 100*time.Millisecond, func(ctx *asyncio.Ctx) error {
			sc = ctx.Scope()
			_, set := sc.When()
			p.print("when is set:", set)
			for i := range 3 {
				if err := asyncio.Sleep(ctx, 60*time.Millisecond); err != nil {
					return err
				}
				sc.Reschedule(l.Time() + 100*time.Millisecond)
				p.print("message", i, "keeps it alive; expired:", sc.Expired())
			}
			if err := asyncio.Sleep(ctx, 300*time.Millisecond); err != nil {
				return err
			}
			p.print("not reached")
			return nil
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			p.print("TimeoutError; expired:", sc.Expired())
		}
		err = asyncio.TimeoutAt(ctx, asyncio.Never, func(ctx *asyncio.Ctx) error {
			if _, set := ctx.Scope().When(); !set {
				p.print("never: when is", nil)
			}
			if err := asyncio.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
			ctx.Scope().Reschedule(l.Time() + 50*time.Millisecond)
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				p.print("cancelled after reschedule from never")
				return err
			}
			return nil
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			p.print("TimeoutError from the rescheduled never")
		}
		return nil
	})
}
