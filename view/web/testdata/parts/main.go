// Command parts is a board program for the page's tests: a PWM LED that
// brightens in steps of 25% every 100 ms, and an output pin that follows an
// input pin, polled every 10 ms, for 10 s on the virtual clock.
package main

import (
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

func main() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewSim(ctx.Loop())
		b.SetName("parts")
		lamp := b.AddPWMLED("lamp", board.ActiveHigh)
		lamp.SetColour("blue")
		sensor := b.AddPin("sensor", board.PinInputPulldown)
		relay := b.AddPin("relay", board.PinOutput)
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for duty := 0; ; duty = (duty + 25) % 125 {
				lamp.SetDuty(duty)
				if err := asyncio.Sleep(ctx, 100*time.Millisecond); err != nil {
					return err
				}
			}
		})
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				relay.Set(sensor.Get())
				if err := asyncio.Sleep(ctx, 10*time.Millisecond); err != nil {
					return err
				}
			}
		})
		return asyncio.Sleep(ctx, 10*time.Second)
	}, asyncio.VirtualClock())
	if err != nil {
		panic(err)
	}
}
