package asyncio_test

import (
	"errors"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// barrierParty waits at b after delay and logs its index, twice.
func barrierParty(g *syncTrace, b *asyncio.Barrier, name string, delay time.Duration) func(*asyncio.Ctx) error {
	return func(ctx *asyncio.Ctx) error {
		for range 2 {
			asyncio.Sleep(ctx, delay)
			i, err := b.Wait(ctx)
			g.add(ctx, "%s: %d %v", name, i, err)
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func TestBarrierCycles(t *testing.T) {
	var g syncTrace
	b := asyncio.NewBarrier(3)
	runSync(t, func(ctx *asyncio.Ctx) error {
		ts := []*asyncio.Task{
			asyncio.CreateTask(ctx, barrierParty(&g, b, "a", 2*time.Second)),
			asyncio.CreateTask(ctx, barrierParty(&g, b, "b", time.Second)),
			asyncio.CreateTask(ctx, barrierParty(&g, b, "c", 3*time.Second)),
		}
		asyncio.Sleep(ctx, 2500*time.Millisecond)
		if b.NWaiting() != 2 || b.Parties() != 3 || b.Broken() {
			t.Errorf("at 2.5s: waiting %d of %d, broken %v", b.NWaiting(), b.Parties(), b.Broken())
		}
		for _, task := range ts {
			if err := task.Await(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	// Indices in arrival order; the last to arrive goes on first, the
	// others in the order they arrived.
	g.check(t, "3s c: 2 <nil>", "3s b: 0 <nil>", "3s a: 1 <nil>",
		"6s c: 2 <nil>", "6s b: 0 <nil>", "6s a: 1 <nil>")
}

func TestBarrierOneParty(t *testing.T) {
	b := asyncio.NewBarrier(1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		for range 3 {
			if i, err := b.Wait(ctx); i != 0 || err != nil {
				t.Errorf("Wait: %d %v", i, err)
			}
		}
		return nil
	})
}

func TestBarrierAbortAndReset(t *testing.T) {
	var g syncTrace
	b := asyncio.NewBarrier(3)
	runSync(t, func(ctx *asyncio.Ctx) error {
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			i, err := b.Wait(ctx)
			g.add(ctx, "waiter: %d %v", i, err)
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		b.Abort()
		w.Await(ctx)
		i, err := b.Wait(ctx)
		g.add(ctx, "after abort: %d %v broken=%v", i, err, b.Broken())
		b.Reset()
		g.add(ctx, "reset: broken=%v", b.Broken())

		// Reset while a task waits: it gets the error, the barrier works.
		w = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			i, err := b.Wait(ctx)
			g.add(ctx, "waiter: %d %v", i, err)
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		b.Reset()
		w.Await(ctx)
		g.add(ctx, "broken=%v waiting=%d", b.Broken(), b.NWaiting())
		for range 2 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { _, err := b.Wait(ctx); return err })
		}
		asyncio.Sleep(ctx, time.Second)
		i, err = b.Wait(ctx)
		g.add(ctx, "full cycle: %d %v", i, err)
		return nil
	})
	g.check(t,
		"1s waiter: -1 asyncio: barrier is broken",
		"1s after abort: -1 asyncio: barrier is broken broken=true",
		"1s reset: broken=false",
		"2s waiter: -1 asyncio: barrier is broken",
		"2s broken=false waiting=0",
		"3s full cycle: 2 <nil>")
}

// A task cancelled while it waits breaks the barrier, at once: the other
// waiters get ErrBrokenBarrier.
func TestBarrierCancelWaiter(t *testing.T) {
	var g syncTrace
	b := asyncio.NewBarrier(3)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				i, err := b.Wait(ctx)
				g.add(ctx, "%s: %d %v", name, i, err)
				return nil
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		ws[0].Cancel()
		g.add(ctx, "broken=%v waiting=%d", b.Broken(), b.NWaiting())
		i, err := b.Wait(ctx) // would have been the last party
		g.add(ctx, "main: %d %v", i, err)
		ws[1].Await(ctx)
		return nil
	})
	g.check(t, "1s broken=true waiting=0", "1s main: -1 asyncio: barrier is broken",
		"1s b: -1 asyncio: barrier is broken", "1s a: -1 asyncio: task cancelled: context canceled")
}

// A task the barrier released but that is cancelled before it resumes gets
// ErrCancelled; the barrier has passed for the others and is not broken.
func TestBarrierReleaseThenCancel(t *testing.T) {
	var g syncTrace
	b := asyncio.NewBarrier(3)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				i, err := b.Wait(ctx)
				g.add(ctx, "%s: %d %v", name, i, err)
				return nil
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		i, err := b.Wait(ctx)
		ws[0].Cancel()
		g.add(ctx, "main: %d %v broken=%v", i, err, b.Broken())
		ws[0].Await(ctx)
		ws[1].Await(ctx)
		return nil
	})
	g.check(t, "1s main: 2 <nil> broken=false",
		"1s a: -1 asyncio: task cancelled: context canceled", "1s b: 1 <nil>")
}

func TestBarrierBadInput(t *testing.T) {
	wantSyncPanic(t, "NewBarrier(0)", func() { asyncio.NewBarrier(0) })
	wantSyncPanic(t, "NewBarrier(-2)", func() { asyncio.NewBarrier(-2) })
	var zero asyncio.Barrier
	runSync(t, func(ctx *asyncio.Ctx) error {
		if i, err := zero.Wait(ctx); i != -1 || !errors.Is(err, asyncio.ErrBrokenBarrier) {
			t.Errorf("zero Barrier Wait: %d %v", i, err)
		}
		if _, err := asyncio.NewBarrier(2).Wait(nil); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("Wait(nil): %v", err)
		}
		return nil
	})
}

func TestBarrierDeadlock(t *testing.T) {
	b := asyncio.NewBarrier(2)
	wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
		_, err := b.Wait(ctx)
		return err
	}, `task "main" (waiting at a barrier)`)
}

func TestBarrierShutdown(t *testing.T) {
	b := asyncio.NewBarrier(4)
	var errs []error
	runSync(t, func(ctx *asyncio.Ctx) error {
		for range 3 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, err := b.Wait(ctx)
				errs = append(errs, err)
				return err
			})
		}
		return asyncio.Sleep(ctx, time.Second)
	})
	if len(errs) != 3 {
		t.Fatalf("%d waiters ended", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("waiter ended with %v", err)
		}
	}
}

// A task that waits again right after it released the barrier waits until
// the tasks of the passed round have left (CPython's draining), so it cannot
// take a place in the next round before them.
func TestBarrierRewaitWaitsForDrain(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(2)
		var second [2]int
		a := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			if _, err := b.Wait(c); err != nil {
				return err
			}
			i, err := b.Wait(c)
			second[0] = i
			return err
		})
		asyncio.Sleep(ctx, 0)                  // a waits
		if _, err := b.Wait(ctx); err != nil { // releases a
			return err
		}
		i, err := b.Wait(ctx) // at once again: a has not left yet
		second[1] = i
		if err != nil {
			return err
		}
		if err := a.Await(ctx); err != nil {
			return err
		}
		if second != [2]int{0, 1} {
			t.Errorf("second round indexes (a, main) = %v, want [0 1]: main lapped a", second)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
