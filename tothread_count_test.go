package asyncio

import (
	"context"
	"testing"
	"time"
)

// On a virtual clock the loop does not jump in time while a ToThread's
// result is on its way, and does once it has taken it: a task that sleeps
// right after its ToThread neither hangs nor finds the clock moved by the
// ToThread. The count of results to come falls on the loop, as it takes
// each one.
func TestToThreadCountFallsOnTheLoop(t *testing.T) {
	done := make(chan error, 1)
	l := NewLoop(VirtualClock())
	go func() {
		done <- l.RunUntilComplete(l.CreateTask(func(ctx *Ctx) error {
			ticker := CreateTask(ctx, func(ctx *Ctx) error { // a deadline to jump to, always
				for {
					if err := Sleep(ctx, time.Microsecond); err != nil {
						return err
					}
				}
			})
			defer ticker.Cancel()
			for i := range 200 {
				start := l.Time()
				err := ToThread(ctx, func(context.Context) error {
					time.Sleep(100 * time.Microsecond) // real time: the clock must not jump meanwhile
					return nil
				})
				if err != nil {
					return err
				}
				if l.threadsBusy.Load() != 0 {
					t.Errorf("round %d: %d ToThread results counted as to come after the last was taken", i, l.threadsBusy.Load())
				}
				if l.Time() != start {
					t.Errorf("round %d: the clock moved from %v to %v during a ToThread", i, start, l.Time())
				}
				if err := Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
			}
			return nil
		}))
	}()
	select {
	case err := <-done:
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second): // a hang guard
		t.Fatal("the loop waited for a ToThread whose result it had taken")
	}
}
