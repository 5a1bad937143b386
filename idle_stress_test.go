package asyncio_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// TestIdleWakeStress: several goroutines post work while the loop
// alternates untimed and timed waits (held by KeepAlive, both parked on its
// channel, the timed ones with the alarm keeping the deadline); no wake-up
// may be lost and no send may block.
func TestIdleWakeStress(t *testing.T) {
	l := asyncio.NewLoop()
	release := l.KeepAlive()
	const G, N = 4, 3000
	var got atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < G; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < N; i++ {
				l.CallSoonThreadsafe(func() { got.Add(1) })
				if i%100 == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}()
	}
	go func() { wg.Wait(); l.CallSoonThreadsafe(func() { release(); l.Stop() }) }()
	// a ticker task so timed waits mix with untimed ones
	l.CreateTask(func(ctx *asyncio.Ctx) error {
		for i := 0; i < 200; i++ {
			asyncio.Sleep(ctx, 100*time.Microsecond)
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- l.RunForever() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("loop hung: %d of %d callbacks", got.Load(), G*N)
	}
	if got.Load() != G*N {
		t.Fatalf("got %d", got.Load())
	}
	l.Close()
}

// TestIdleAlarmStress: many short runs of one held loop, each with tasks
// sleeping to scattered deadlines (the alarm re-armed earlier and later,
// started and stopped with every run) while another goroutine posts work
// and a task sometimes drops the hold (the loop then waits in the futex
// itself): every run ends and every posted call runs.
func TestIdleAlarmStress(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	stop := make(chan struct{})
	var posted, ran atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			posted.Add(1)
			l.CallSoonThreadsafe(func() { ran.Add(1) })
			time.Sleep(time.Duration(i%7) * 30 * time.Microsecond)
		}
	}()
	for run := 0; run < 200; run++ {
		release := l.KeepAlive()
		main := l.CreateTask(func(ctx *asyncio.Ctx) error {
			return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
				for i := 0; i < 5; i++ {
					g.Go(func(ctx *asyncio.Ctx) error {
						return asyncio.Sleep(ctx, time.Duration((run*7+i*13)%11)*50*time.Microsecond)
					})
				}
				if run%3 == 0 {
					release()
					release = func() {}
				}
				return nil
			})
		})
		done := make(chan error, 1)
		go func() { done <- l.RunUntilComplete(main) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
		case <-time.After(20 * time.Second): // a hang guard, not a timing check
			t.Fatalf("run %d hung", run)
		}
		release()
	}
	close(stop)
	wg.Wait()
	// The last posts run in a final pass.
	release := l.KeepAlive()
	flush := make(chan struct{})
	l.CallSoonThreadsafe(func() { close(flush); release(); l.Stop() })
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	<-flush
	if ran.Load() != posted.Load() {
		t.Fatalf("%d of %d posted calls ran", ran.Load(), posted.Load())
	}
}
