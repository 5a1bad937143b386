package asyncio

import (
	"context"
	"testing"
	"time"
)

// On a virtual clock the loop does not jump in time while a ToThread
// goroutine has not counted itself out, even once its result was taken:
// the count's fall must wake the loop, or a task that sleeps right after
// its ToThread hangs. The hook holds the goroutine between the two.
func TestToThreadCountedOutWakesTheLoop(t *testing.T) {
	toThreadPosted = func() { time.Sleep(20 * time.Millisecond) }
	defer func() { toThreadPosted = nil }()
	done := make(chan error, 1)
	l := NewLoop(VirtualClock())
	go func() {
		done <- l.RunUntilComplete(l.CreateTask(func(ctx *Ctx) error {
			for range 3 {
				if err := ToThread(ctx, func(context.Context) error { return nil }); err != nil {
					return err
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
	case <-time.After(30 * time.Second): // a hang guard
		t.Fatal("the loop waited for a ToThread goroutine that had counted itself out")
	}
}
