package asyncio_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestToThreadDoesNotBlockTheLoop(t *testing.T) {
	release := make(chan struct{})
	ticks := 0
	v, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (int, error) {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for ticks < 3 {
				asyncio.Sleep(ctx, 0)
				ticks++
			}
			close(release) // the blocking call ends only after other tasks ran
			return nil
		})
		return asyncio.ToThreadOf(ctx, func(context.Context) (int, error) {
			<-release
			return 7, nil
		})
	})
	if v != 7 || err != nil || ticks != 3 {
		t.Fatalf("ToThreadOf = %v, %v; ticks %d", v, err, ticks)
	}
}

func TestToThreadCancelReachesContext(t *testing.T) {
	var sawDone error
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		started := make(chan struct{})
		worker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.ToThread(ctx, func(c context.Context) error {
				close(started)
				<-c.Done() // a blocking call that honours its context
				sawDone = c.Err()
				return c.Err()
			})
		})
		asyncio.ToThread(ctx, func(context.Context) error { <-started; return nil })
		worker.Cancel()
		err := worker.Await(ctx)
		if !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("worker: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Run waited for the goroutine, which saw the cancellation.
	if !errors.Is(sawDone, context.Canceled) {
		t.Fatalf("goroutine saw %v", sawDone)
	}
}

func TestToThreadPanic(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.ToThread(ctx, func(context.Context) error { panic("driver crashed") })
	})
	var pe *asyncio.PanicError
	if !errors.As(err, &pe) || pe.Value != "driver crashed" {
		t.Fatalf("Run: %v", err)
	}
}

func TestCtxIsAContext(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var c context.Context = ctx
		if c.Err() != nil {
			t.Error("a running task's context is done")
		}
		child := asyncio.CreateTask(ctx, func(cc *asyncio.Ctx) error {
			return asyncio.Sleep(cc, time.Hour)
		})
		asyncio.Sleep(ctx, 0)
		var childCtx context.Context = childCtxOf(child)
		done := childCtx.Done()
		child.Cancel()
		select {
		case <-done:
		default:
			t.Error("Done not closed by Cancel")
		}
		if !errors.Is(childCtx.Err(), context.Canceled) {
			t.Errorf("Err = %v", childCtx.Err())
		}
		return child.Await(ctx)
	}, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrCancelled) {
		t.Fatal(err)
	}
}

func TestSubmitFromAnotherGoroutine(t *testing.T) {
	l := asyncio.NewLoop()
	var wg sync.WaitGroup
	var got int
	var gotErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		got, gotErr = asyncio.Submit(context.Background(), l, func(ctx *asyncio.Ctx) (int, error) {
			asyncio.SleepMs(ctx, 1)
			return 42, nil
		})
		l.Stop()
	}()
	release := l.KeepAlive()
	err := l.RunForever()
	release()
	wg.Wait()
	if err != nil || got != 42 || gotErr != nil {
		t.Fatalf("RunForever %v; Submit = %v, %v", err, got, gotErr)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := asyncio.Submit(context.Background(), l, func(*asyncio.Ctx) (int, error) { return 0, nil }); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Fatalf("Submit to closed loop: %v", err)
	}
}

func TestSubmitGivesUpWithItsContext(t *testing.T) {
	l := asyncio.NewLoop()
	goctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var gotErr error
	cancelled := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, gotErr = asyncio.Submit(goctx, l, func(ctx *asyncio.Ctx) (int, error) {
			cancel() // the caller gives up while the task runs
			err := asyncio.Sleep(ctx, time.Hour)
			close(cancelled)
			return 0, err
		})
	}()
	release := l.KeepAlive()
	go func() { <-cancelled; release(); l.Stop() }()
	l.RunForever()
	wg.Wait()
	l.Close()
	if !errors.Is(gotErr, context.Canceled) {
		t.Fatalf("Submit: %v", gotErr)
	}
}

// childCtxOf returns a task's Ctx, as the task itself would see it.
func childCtxOf(t *asyncio.Task) context.Context { return t.Context() }
