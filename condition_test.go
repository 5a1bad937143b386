package asyncio_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestConditionWaitFor(t *testing.T) {
	var g syncTrace
	c := asyncio.NewCondition(nil)
	items := 0
	runSync(t, func(ctx *asyncio.Ctx) error {
		consumer := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := c.Acquire(ctx); err != nil {
				return err
			}
			defer c.Release()
			err := c.WaitFor(ctx, func() bool { return items >= 2 })
			g.add(ctx, "consumer: %v items=%d locked=%v", err, items, c.Locked())
			return err
		})
		for range 2 {
			asyncio.Sleep(ctx, time.Second)
			c.Acquire(ctx)
			items++
			c.NotifyAll()
			c.Release()
		}
		return consumer.Await(ctx)
	})
	g.check(t, "2s consumer: <nil> items=2 locked=true")
}

// Notify wakes the waiters in the order they began to wait, and they take
// the lock again in that order.
func TestConditionFIFO(t *testing.T) {
	var g syncTrace
	var c asyncio.Condition // zero value: a lock of its own
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				defer c.Release()
				err := c.Wait(ctx)
				g.add(ctx, "%s: %v locked=%v", name, err, c.Locked())
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		for range 2 {
			c.Acquire(ctx)
			c.Notify(1)
			c.Release()
			asyncio.Sleep(ctx, time.Second)
		}
		c.Acquire(ctx)
		c.Notify(0) // nothing
		c.Notify(-3)
		c.NotifyAll()
		g.add(ctx, "notified all")
		asyncio.Sleep(ctx, time.Second) // they wait for the lock meanwhile
		c.Release()
		for _, w := range ws {
			w.Await(ctx)
		}
		return nil
	})
	g.check(t, "1s a: <nil> locked=true", "2s b: <nil> locked=true", "3s notified all",
		"4s c: <nil> locked=true", "4s d: <nil> locked=true", "4s e: <nil> locked=true")
}

func TestConditionNotLocked(t *testing.T) {
	c := asyncio.NewCondition(nil)
	runSync(t, func(ctx *asyncio.Ctx) error {
		if err := c.Wait(ctx); !errors.Is(err, asyncio.ErrConditionNotLocked) {
			t.Errorf("Wait: %v", err)
		}
		called := false
		if err := c.WaitFor(ctx, func() bool { called = true; return true }); !errors.Is(err, asyncio.ErrConditionNotLocked) || called {
			t.Errorf("WaitFor: %v, predicate called %v", err, called)
		}
		if err := c.Notify(1); !errors.Is(err, asyncio.ErrConditionNotLocked) {
			t.Errorf("Notify: %v", err)
		}
		if err := c.NotifyAll(); !errors.Is(err, asyncio.ErrConditionNotLocked) {
			t.Errorf("NotifyAll: %v", err)
		}
		if err := c.Release(); !errors.Is(err, asyncio.ErrLockNotAcquired) {
			t.Errorf("Release: %v", err)
		}
		c.Acquire(ctx)
		if err := c.WaitFor(ctx, nil); err == nil {
			t.Error("WaitFor with a nil predicate returned nil")
		}
		if err := c.Wait(nil); !errors.Is(err, asyncio.ErrNotInTask) {
			t.Errorf("Wait(nil): %v", err)
		}
		if !c.Locked() {
			t.Error("a failed Wait released the lock")
		}
		return c.Release()
	})
}

// Conditions made on the same Lock share it.
func TestConditionSharedLock(t *testing.T) {
	var l asyncio.Lock
	c1, c2 := asyncio.NewCondition(&l), asyncio.NewCondition(&l)
	runSync(t, func(ctx *asyncio.Ctx) error {
		c1.Acquire(ctx)
		if !l.Locked() || !c2.Locked() {
			t.Error("the lock is not shared")
		}
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			l.Acquire(ctx)
			defer l.Release()
			return c2.Wait(ctx)
		})
		c1.Release()
		asyncio.Sleep(ctx, time.Second)
		l.Acquire(ctx)
		c1.NotifyAll() // w waits on c2: not woken
		l.Release()
		asyncio.Sleep(ctx, time.Second)
		if w.Done() {
			t.Fatal("a notification of c1 woke a waiter of c2")
		}
		c2.Acquire(ctx)
		c2.Notify(1)
		c2.Release()
		return w.Await(ctx)
	})
}

// A waiter cancelled while it waits returns ErrCancelled only once it holds
// the lock again, and was not notified: a later Notify goes to the next.
func TestConditionCancelWaiter(t *testing.T) {
	var g syncTrace
	c := asyncio.NewCondition(nil)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				err := c.Wait(ctx)
				g.add(ctx, "%s: %v locked=%v", name, err, c.Locked())
				c.Release()
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		c.Acquire(ctx)
		ws[0].Cancel() // a wakes but must wait for the lock main holds
		asyncio.Sleep(ctx, time.Second)
		g.add(ctx, "main releases")
		c.Release()
		asyncio.Sleep(ctx, time.Second)
		c.Acquire(ctx)
		c.Notify(1) // b, the only waiter left
		c.Release()
		return ws[1].Await(ctx)
	})
	g.check(t, "2s main releases", "2s a: asyncio: task cancelled: context canceled locked=true",
		"3s b: <nil> locked=true")
}

// A waiter that is notified and then cancelled before it resumes passes
// the notification to the next waiter.
func TestConditionNotifyThenCancel(t *testing.T) {
	var g syncTrace
	c := asyncio.NewCondition(nil)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b", "c"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				defer c.Release()
				err := c.Wait(ctx)
				g.add(ctx, "%s: %v", name, err)
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		c.Acquire(ctx)
		c.Notify(1)    // a...
		ws[0].Cancel() // ...cancelled before it resumes
		c.Release()
		asyncio.Sleep(ctx, time.Second)
		if !ws[1].Done() || ws[2].Done() {
			t.Errorf("b done %v, c done %v: want the notification passed to b only", ws[1].Done(), ws[2].Done())
		}
		c.Acquire(ctx)
		c.Notify(1)
		c.Release()
		return ws[2].Await(ctx)
	})
	g.check(t, "1s a: asyncio: task cancelled: context canceled", "1s b: <nil>", "2s c: <nil>")
}

// A waiter notified and then cancelled while it waits for the lock also
// passes its notification on, and returns holding the lock.
func TestConditionCancelWhileReacquiring(t *testing.T) {
	var g syncTrace
	c := asyncio.NewCondition(nil)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				defer c.Release()
				err := c.Wait(ctx)
				g.add(ctx, "%s: %v locked=%v", name, err, c.Locked())
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		c.Acquire(ctx)
		c.Notify(1)
		asyncio.Sleep(ctx, time.Second) // a resumes, waits for the lock
		ws[0].Cancel()
		asyncio.Sleep(ctx, time.Second)
		c.Release()
		return ws[1].Await(ctx)
	})
	g.check(t, "3s a: asyncio: task cancelled: context canceled locked=true", "3s b: <nil> locked=true")
}

func TestConditionDeadlock(t *testing.T) {
	c := asyncio.NewCondition(nil)
	wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
		c.Acquire(ctx)
		return c.Wait(ctx)
	}, `task "main" (waiting for a condition notification)`)
}

// Waiters of a condition when Run's main returns are cancelled; each takes
// the lock back before it ends, and releases it, without being unwound.
func TestConditionShutdown(t *testing.T) {
	c := asyncio.NewCondition(nil)
	var got []string
	runSync(t, func(ctx *asyncio.Ctx) error {
		for i := range 3 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				defer c.Release()
				err := c.Wait(ctx)
				got = append(got, fmt.Sprint(i, errors.Is(err, asyncio.ErrCancelled), c.Locked()))
				return err
			})
		}
		asyncio.Sleep(ctx, time.Second)
		// A task holds the lock when main returns: cancelled too, it
		// releases the lock, which the waiters need to end.
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			c.Acquire(ctx)
			defer c.Release()
			c.Notify(1)
			return asyncio.Sleep(ctx, time.Hour)
		})
		return asyncio.Sleep(ctx, time.Second)
	})
	if len(got) != 3 {
		t.Fatalf("%d waiters ended: %v", len(got), got)
	}
	for _, s := range got {
		if s[1:] != " true true" {
			t.Errorf("waiter ended with %q, want cancelled and holding the lock", s)
		}
	}
}
