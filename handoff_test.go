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
