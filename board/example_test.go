package board_test

import (
	"fmt"
	"image/color"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// The lecture's board on the virtual clock: blink the green LED and print
// each change as it happens.
func ExampleNewLab() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewLab(ctx.Loop())
		b.OnChange(func(e board.LEDChange) { fmt.Println(e) })
		for range 4 {
			b.Green.Toggle()
			if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0.000 green on
	// 0.250 green off
	// 0.500 green on
	// 0.750 green off
}

// An active-low LED lights when its pin is driven low; only changes of the
// light are recorded.
func ExampleNewSim() {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	led := sim.AddLED("status", board.ActiveLow)
	fmt.Println("lit:", led.Get(), "value:", led.Value())
	led.SetValue(0)
	fmt.Println("lit:", led.Get(), "value:", led.Value())
	led.On() // already lit: no change
	led.Toggle()
	fmt.Print(sim.Trace())
	// Output:
	// lit: false value: 1
	// lit: true value: 0
	// 0.000 status on
	// 0.000 status off
}

// A button pressed at 45 ms and released at 95 ms, read every 20 ms.
func ExampleSimButton_PressAt() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		btn := board.NewLab(ctx.Loop()).Button
		btn.PressAt(45 * time.Millisecond)
		btn.ReleaseAt(95 * time.Millisecond)
		for range 7 {
			fmt.Println(ctx.Loop().Time(), btn.Value())
			if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0s 1
	// 20ms 1
	// 40ms 1
	// 60ms 0
	// 80ms 0
	// 100ms 1
	// 120ms 1
}

// An event formats as a trace line.
func ExampleLEDChange_String() {
	fmt.Println(board.LEDChange{At: 250 * time.Millisecond, Name: "green", On: false})
	// Output:
	// 0.250 green off
}

// A WS2812 strip on a simulated SPI bus: the program drives it with the
// same methods as TinyGo's ws2812 driver, and the simulated strip decodes
// the pulses on MOSI back into colours.
func ExampleNewWS2812SPI() {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	bus := sim.AddSPI("spi0")
	strip, err := sim.AddWS2812("strip", bus, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	leds := board.NewWS2812SPI(bus)
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error {
		if err := leds.WriteColors([]color.RGBA{{R: 0xff}, {G: 0x80}, {B: 0x10}}); err != nil {
			return err
		}
		return asyncio.Sleep(ctx, time.Millisecond) // the strip shows a frame after 50 µs of quiet
	})
	if err := loop.RunUntilComplete(main); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strip.Text())
	// Output: ff0000 008000 000010
}

// AttachViewer refuses, before it changes anything, a link that is not
// loopback (unless ASYNCIO_BOARD_VIEW_REMOTE=1 opens it up) or whose
// secret is missing or short.
func ExampleSim_AttachViewer() {
	loop := asyncio.NewLoop()
	defer loop.Close()
	sim := board.NewSim(loop)
	for _, link := range []string{"0123456789abcdef@192.0.2.1:7000", "short@127.0.0.1:7000", "127.0.0.1:7000"} {
		fmt.Println(sim.AttachViewer(link))
	}
	// Output:
	// board: AttachViewer: address "192.0.2.1:7000" is not on the loopback interface (set ASYNCIO_BOARD_VIEW_REMOTE=1 to allow it)
	// board: AttachViewer: the secret is 5 characters, want at least 16
	// board: AttachViewer: "127.0.0.1:7000" has no secret: want secret@host:port, as the viewer sets it
}
