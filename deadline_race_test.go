package asyncio_test

import (
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// TestDeadlineFromGoroutine: Ctx.Deadline read from another goroutine
// while the loop opens timeouts and switches clocks (SetPace). Passes under
// -race: kept as a guard.
func TestDeadlineFromGoroutine(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		return asyncio.Timeout(ctx, time.Hour, func(inner *asyncio.Ctx) error {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						inner.Deadline()
						inner.Err()
					}
				}
			}()
			for i := 0; i < 50; i++ {
				asyncio.MoveOnAfter(inner, time.Millisecond, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, 0) })
				if i == 25 {
					ctx.Loop().SetPace(asyncio.NewPace(100))
				}
				asyncio.Sleep(inner, 0)
			}
			close(stop)
			wg.Wait()
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
