package asyncio_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// TestIdleWakeStress: several goroutines post work while the loop
// alternates untimed (parked on its channel) and timed (futex) waits; no
// wake-up may be lost and no send may block. It passes: kept as a guard.
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
