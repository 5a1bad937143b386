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

// OnRest tells a user interface that a step has ended: the loop has run
// everything due at the new time, here a blink and the task it woke, and
// waits for the next Step. The interface then shows what the step did.
func ExamplePace_OnRest() {
	pace := asyncio.NewPace(1000)
	pace.Pause()
	var log []string // the loop's, read by OnRest's function on the loop
	rested := make(chan string, 1)
	pace.OnRest(func() { rested <- fmt.Sprint(pace.Time(), " ", log) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-rested // at rest at 0, before any step
		for range 2 {
			pace.Step()
			fmt.Println("step done at", <-rested)
		}
		pace.OnRest(nil)
		pace.Resume() // the rest of the run at 1000 times real time
	}()
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var blinked asyncio.Event
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				if err := blinked.Wait(ctx); err != nil {
					return err
				}
				blinked.Clear()
				log = append(log, "seen")
			}
		})
		for range 3 {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			log = append(log, "blink")
			blinked.Set()
		}
		return nil
	}, asyncio.PacedClock(pace))
	<-done
	// Output:
	// step done at 1s [blink seen]
	// step done at 2s [blink seen blink seen]
}
