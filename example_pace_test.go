package asyncio_test

import (
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
)

// A paced clock runs the virtual clock against real time, here a thousand
// times faster than real time: the times are the virtual clock's own.
func ExamplePacedClock() {
	pace := asyncio.NewPace(1000)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for range 3 {
			if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
				return err
			}
			fmt.Println(ctx.Loop().Time())
		}
		return nil
	}, asyncio.PacedClock(pace))
	// Output:
	// 250ms
	// 500ms
	// 750ms
}

// A paused clock moves only when stepped: each Step runs what is due at
// the next deadline. A user interface calls Step from its own goroutine.
func ExamplePace_Step() {
	pace := asyncio.NewPace(1)
	pace.Pause()
	ticks := make(chan time.Duration)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2 {
			pace.Step()
			fmt.Println("stepped to", <-ticks)
		}
	}()
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for range 2 {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			ticks <- ctx.Loop().Time()
		}
		return nil
	}, asyncio.PacedClock(pace))
	<-done
	// Output:
	// stepped to 1s
	// stepped to 2s
}
