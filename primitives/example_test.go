package primitives_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/primitives"
)

// A Pushbutton on the lab's bouncy button, with Suppress: a double click
// and a long press each fire exactly one of double, long and release.
func ExamplePushbutton() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		lab := board.NewLab(loop)
		lab.Button.SetBounce(board.Bounce{Duration: 5 * time.Millisecond, Seed: 1})
		script, err := board.ParseScript(strings.NewReader(`
			1.003  button  click 100ms   # a double click
			1.203  button  click 100ms
			3.003  button  click 1.5s    # a long press
		`))
		if err != nil {
			return err
		}
		if _, err := lab.Play(script); err != nil {
			return err
		}
		pb := primitives.NewPushbutton(lab.Button, primitives.PushbuttonConfig{Suppress: true})
		say := func(what string) func() {
			return func() { fmt.Printf("%.3f %s\n", loop.Time().Seconds(), what) }
		}
		pb.OnPress(say("press"))
		pb.OnRelease(say("release"))
		pb.OnDouble(say("double"))
		pb.OnLong(say("long"))
		pb.Start(ctx)
		return asyncio.Sleep(ctx, 5*time.Second)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.050 press
	// 1.250 press
	// 1.350 double
	// 3.050 press
	// 4.050 long
}

// A Switch reports a toggle switch's changes as events.
func ExampleSwitch() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sw := board.NewSim(ctx.Loop()).AddButton("door")
		sw.SetBounce(board.Bounce{Duration: 10 * time.Millisecond, Seed: 2})
		sw.PressAt(320 * time.Millisecond)
		s := primitives.NewSwitch(sw, primitives.SwitchConfig{})
		s.Start(ctx)
		if err := s.CloseEvent().Wait(ctx); err != nil {
			return err
		}
		fmt.Println(ctx.Loop().Time(), "closed:", s.Closed())
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 350ms closed: true
}

// A Delay as a backlight timer: each key press retriggers it, and the light
// goes out 2 s after the last.
func ExampleDelay() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		light := primitives.NewDelay(loop, 2*time.Second, func() string {
			fmt.Printf("%v light off\n", loop.Time())
			return "timed out"
		})
		for _, key := range []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond} {
			if err := asyncio.Sleep(ctx, key-loop.Time()); err != nil {
				return err
			}
			fmt.Printf("%v key: light on\n", loop.Time())
			light.Trigger(0)
		}
		if err := light.Wait(ctx); err != nil {
			return err
		}
		fmt.Println(light.Result(), light.Running())
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0s key: light on
	// 500ms key: light on
	// 1.5s key: light on
	// 3.5s light off
	// timed out false
}

// An Encoder on two simulated pins, turned one detent (four edges) up.
func ExampleEncoder() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim := board.NewSim(ctx.Loop())
		x, y := sim.AddPin("x", board.PinInputPullup), sim.AddPin("y", board.PinInputPullup)
		enc, err := primitives.NewEncoder(x, y, primitives.EncoderConfig{Div: 4, Limits: &primitives.Limits{Min: 0, Max: 10}})
		if err != nil {
			return err
		}
		defer enc.Stop()
		enc.OnChange(func(v, delta int) { fmt.Println(ctx.Loop().Time(), "value", v, "delta", delta) })
		enc.Start(ctx)
		// One detent: 11 → 01 → 00 → 10 → 11, an edge every 5 ms.
		x.DriveAt(1000*time.Millisecond, false)
		y.DriveAt(1005*time.Millisecond, false)
		x.DriveAt(1010*time.Millisecond, true)
		y.DriveAt(1015*time.Millisecond, true)
		return asyncio.Sleep(ctx, 2*time.Second)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.1s value 1 delta 1
}

// A Ticker keeps a periodic loop on its schedule although each round's work
// takes 30 ms.
func ExampleTicker() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		tick := primitives.NewTicker(ctx.Loop(), 100*time.Millisecond, primitives.Burst)
		for range 3 {
			if err := tick.Next(ctx); err != nil {
				return err
			}
			fmt.Println("tick at", ctx.Loop().Time())
			if err := asyncio.Sleep(ctx, 30*time.Millisecond); err != nil { // the work
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// tick at 100ms
	// tick at 200ms
	// tick at 300ms
}
