package board

import (
	"context"
	"sync"

	"github.com/goasyncio/asyncio"
)

// OnLoop is implemented by buses whose transfers are memory operations
// that must run on the loop's goroutine: the simulated board's (SimI2C).
// Blocking and BlockingOf call drivers on such buses directly.
type OnLoop interface {
	onLoop()
}

func (*SimI2C) onLoop() {}

// busLocks serialises the calls that Blocking runs off the loop, one bus
// at a time, so that a driver's sequence of transfers (write a register,
// read it back) is not interleaved with another task's.
var busLocks sync.Map // bus -> *sync.Mutex

// Blocking runs fn, a call of a blocking driver on bus (a TinyGo-style
// driver: dev.ReadTemperature(), oled.Display()), for a task, without
// stalling the loop beyond the transfer itself:
//
//   - on a simulated bus (OnLoop), fn runs at once on the loop's goroutine:
//     its transfers are memory operations, and the simulated parts see the
//     loop's time;
//   - on any other bus (Linux's /dev/i2c-N, whose transfers are ioctls that
//     block for the bytes' time on the wire, 23 ms for an SSD1306 frame at
//     400 kHz), fn runs on another goroutine (asyncio.ToThread) while the
//     task waits and the other tasks run; calls on the same bus take turns.
//
// A conversion's time (a sensor's measurement) belongs in the task, as an
// asyncio.Sleep between starting it and reading it, not in fn: a driver
// that sleeps inside fn (time.Sleep) holds up the loop on a simulated bus.
// TinyGo's bme280 in normal mode reads without sleeping.
func Blocking(ctx *asyncio.Ctx, bus any, fn func() error) error {
	_, err := BlockingOf(ctx, bus, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// BlockingOf is Blocking for a call that returns a value.
func BlockingOf[T any](ctx *asyncio.Ctx, bus any, fn func() (T, error)) (T, error) {
	if _, ok := bus.(OnLoop); ok {
		return fn()
	}
	m, _ := busLocks.LoadOrStore(bus, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	return asyncio.ToThreadOf(ctx, func(context.Context) (T, error) {
		mu.Lock()
		defer mu.Unlock()
		return fn()
	})
}
