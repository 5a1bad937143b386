package asyncio_test

import (
	"errors"
	"testing"

	"github.com/goasyncio/asyncio"
)

// The tests in this file release, put or notify again while a primitive is
// handing something to a woken task that has not resumed yet: the second
// call must not break the primitive's invariant.

// TestLockReleaseDuringHandOff: once Release has handed the lock to a
// waiter, the lock is that waiter's, so a second Release from the old holder
// fails (MicroPython and CPython raise "Lock not acquired") instead of
// handing the lock to a second waiter as well.
func TestLockReleaseDuringHandOff(t *testing.T) {
	runSync(t, func(ctx *asyncio.Ctx) error {
		var l asyncio.Lock
		holders, most := 0, 0
		worker := func(ctx *asyncio.Ctx) error {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			holders++
			most = max(most, holders)
			asyncio.Sleep(ctx, 0)
			holders--
			return l.Release()
		}
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		b := asyncio.CreateTask(ctx, worker)
		c := asyncio.CreateTask(ctx, worker)
		asyncio.Sleep(ctx, 0) // b and c queue for the lock
		if err := l.Release(); err != nil {
			t.Errorf("release: %v", err)
		}
		if l.Locked() {
			t.Error("Locked during the hand-off, want false as in MicroPython")
		}
		if err := l.Release(); !errors.Is(err, asyncio.ErrLockNotAcquired) {
			t.Errorf("second release during the hand-off: %v, want ErrLockNotAcquired", err)
		}
		for _, w := range []*asyncio.Task{b, c} {
			if err := w.Await(ctx); err != nil {
				t.Errorf("%v: %v", w, err)
			}
		}
		if most != 1 {
			t.Errorf("%d tasks held the lock at once", most)
		}
		if l.Locked() {
			t.Error("locked after every holder released it")
		}
		return nil
	})
}

// TestBoundedSemaphoreReleaseDuringHandOff: a unit handed to a waiter that
// has not resumed is not free, and not yet acquired either, so a second
// Release fails. Before, it was accepted, and when the waiter was then
// cancelled and passed its unit back the value rose above the bound.
func TestBoundedSemaphoreReleaseDuringHandOff(t *testing.T) {
	runSync(t, func(ctx *asyncio.Ctx) error {
		s := asyncio.NewBoundedSemaphore(1)
		s.Acquire(ctx)
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return s.Acquire(ctx) })
		asyncio.Sleep(ctx, 0) // w waits
		if err := s.Release(); err != nil {
			t.Errorf("release: %v", err)
		}
		if err := s.Release(); !errors.Is(err, asyncio.ErrSemaphoreReleased) {
			t.Errorf("second release during the hand-off: %v, want ErrSemaphoreReleased", err)
		}
		w.Cancel() // before it resumes: it passes its unit back
		if err := w.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("w: %v", err)
		}
		// Exactly one unit exists: one Acquire succeeds, a second waits.
		if err := s.Acquire(ctx); err != nil {
			t.Errorf("acquire: %v", err)
		}
		if !s.Locked() {
			t.Error("bound 1 and one unit held, but not Locked: the value rose above the bound")
		}
		return nil
	})
}

// TestQueuePutDuringHandOff: a value handed to a getter, and a slot handed
// to a putter, keep their slot until the woken task resumes, so a second
// put in between finds the queue full and the queue never holds more than
// maxsize values.
func TestQueuePutDuringHandOff(t *testing.T) {
	runSync(t, func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[int](1)
		getter := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return q.Get(ctx) })
		asyncio.Sleep(ctx, 0) // getter waits
		if err := q.PutNowait(1); err != nil {
			t.Errorf("put to the waiting getter: %v", err)
		}
		if err := q.PutNowait(2); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Errorf("put while 1 is handed to the getter: %v, want ErrQueueFull", err)
		}
		if v, err := getter.Await(ctx); v != 1 || err != nil {
			t.Errorf("getter: %v %v", v, err)
		}

		q.PutNowait(2)
		putter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, 3) })
		asyncio.Sleep(ctx, 0) // putter waits: the queue is full
		if v, err := q.GetNowait(); v != 2 || err != nil {
			t.Errorf("get: %v %v", v, err)
		}
		if err := q.PutNowait(4); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Errorf("put while the slot is handed to the putter: %v, want ErrQueueFull", err)
		}
		if err := putter.Await(ctx); err != nil {
			t.Errorf("putter: %v", err)
		}
		if q.Len() != 1 {
			t.Errorf("Len %d, want 1", q.Len())
		}
		if v, err := q.GetNowait(); v != 3 || err != nil {
			t.Errorf("get: %v %v", v, err)
		}
		return nil
	})
}

// TestConditionNotifyDuringHandOff: a second Notify while the first one's
// task has not resumed wakes the next waiter, not the same one again, and a
// Notify with no task left waiting wakes none.
func TestConditionNotifyDuringHandOff(t *testing.T) {
	runSync(t, func(ctx *asyncio.Ctx) error {
		var c asyncio.Condition
		woken := map[string]int{}
		var ws []*asyncio.Task
		for _, name := range []string{"a", "b", "c"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				c.Acquire(ctx)
				defer c.Release()
				if err := c.Wait(ctx); err != nil {
					return err
				}
				woken[name]++
				return nil
			}))
		}
		asyncio.Sleep(ctx, 0) // all three wait
		c.Acquire(ctx)
		c.Notify(1)
		c.Notify(1)
		c.Release()
		asyncio.Sleep(ctx, 0)
		asyncio.Sleep(ctx, 0)
		if woken["a"] != 1 || woken["b"] != 1 || woken["c"] != 0 {
			t.Errorf("woken after two Notify(1): %v, want a and b once each", woken)
		}
		c.Acquire(ctx)
		c.NotifyAll()
		c.NotifyAll() // nobody is waiting any more
		c.Release()
		for _, w := range ws {
			if err := w.Await(ctx); err != nil {
				t.Errorf("%v: %v", w, err)
			}
		}
		if woken["a"] != 1 || woken["b"] != 1 || woken["c"] != 1 {
			t.Errorf("woken: %v, want each once", woken)
		}
		return nil
	})
}

// TestBarrierAbortDuringRelease: tasks the barrier released keep their
// passed cycle even if the barrier is aborted before they resume; the abort
// breaks only the cycle that is filling.
func TestBarrierAbortDuringRelease(t *testing.T) {
	runSync(t, func(ctx *asyncio.Ctx) error {
		b := asyncio.NewBarrier(2)
		first := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return b.Wait(ctx) })
		asyncio.Sleep(ctx, 0) // first waits
		if i, err := b.Wait(ctx); i != 1 || err != nil {
			t.Errorf("main: %d %v", i, err)
		}
		late := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return b.Wait(ctx) })
		b.Abort() // first has not resumed yet
		if i, err := first.Await(ctx); i != 0 || err != nil {
			t.Errorf("first: %d %v, want 0 <nil>", i, err)
		}
		if _, err := late.Await(ctx); !errors.Is(err, asyncio.ErrBrokenBarrier) {
			t.Errorf("late: %v, want ErrBrokenBarrier", err)
		}
		return nil
	})
}
