package primitives_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/primitives"
)

// WaitAny waits for a sensor's reading or a watchdog Delay, whichever
// comes first, and says which.
func ExampleWaitAny() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		var reading asyncio.Event
		watchdog := primitives.NewDelay[struct{}](loop, 2*time.Second, nil)
		loop.CallAt(1500*time.Millisecond, reading.Set) // one reading, at 1.5 s
		w := primitives.NewWaitAny(&reading, watchdog)
		for range 2 {
			watchdog.Trigger(0)
			if err := w.Wait(ctx); err != nil {
				return err
			}
			if w.Which() == primitives.Waitable(watchdog) {
				fmt.Println(loop.Time(), "no reading: sensor dead?")
			} else {
				fmt.Println(loop.Time(), "reading")
				reading.Clear()
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.5s reading
	// 3.5s no reading: sensor dead?
}

// WaitAll nests a WaitAny: both doors closed, and either key turned.
func ExampleWaitAll() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		var door1, door2, key1, key2 asyncio.Event
		loop.CallAt(1*time.Second, door1.Set)
		loop.CallAt(2*time.Second, key2.Set)
		loop.CallAt(3*time.Second, door2.Set)
		ready := primitives.NewWaitAll(&door1, &door2, primitives.NewWaitAny(&key1, &key2))
		if err := ready.Wait(ctx); err != nil {
			return err
		}
		fmt.Println(loop.Time(), "go")
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3s go
}

// A Message carries a value from another goroutine to a task.
func ExampleMessage() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		m := primitives.NewMessage[int](ctx.Loop())
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.ToThread(ctx, func(context.Context) error {
				m.Set(42) // as a driver's goroutine would
				return nil
			})
		})
		v, err := m.Receive(ctx)
		fmt.Println("received", v)
		return err
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// received 42
}

// A RingbufQueue keeps the latest readings: a slow consumer loses the
// oldest, never the newest.
func ExampleRingbufQueue() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		q := primitives.NewRingbufQueue[int](2)
		for i := range 6 { // a reading every 100 ms
			loop.CallLater(time.Duration(i+1)*100*time.Millisecond, func() { q.PutNowait(i) })
		}
		for v, err := range q.All(ctx) {
			if err != nil {
				return err
			}
			fmt.Println(loop.Time(), "reading", v)
			if v == 5 {
				return nil
			}
			asyncio.Sleep(ctx, 250*time.Millisecond) // slow work
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 100ms reading 0
	// 350ms reading 1
	// 600ms reading 4
	// 850ms reading 5
}

// A Broker passes readings by topic: a logger subscribes to every
// kitchen topic, a task ranges over the temperatures of every room.
func ExampleBroker() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var b primitives.Broker[float64]
		b.Subscribe("kitchen/#", func(topic string, v float64) { fmt.Println("log:", topic, v) })
		temps := asyncio.NewQueue[primitives.Publication[float64]](10)
		b.SubscribeQueue("+/temp", temps)
		b.Publish("kitchen/temp", 21.5)
		b.Publish("kitchen/humidity", 40)
		b.Publish("hall/temp", 19)
		temps.Shutdown(false)
		for p, err := range temps.All(ctx) {
			if err != nil {
				return err
			}
			fmt.Println("temperature:", p.Topic, p.Msg)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// log: kitchen/temp 21.5
	// log: kitchen/humidity 40
	// temperature: kitchen/temp 21.5
	// temperature: hall/temp 19
}

// An ESwitch's events, as in micropython-async's EVENTS.md: a task waits
// for the door to close, then to open.
func ExampleESwitch() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		door := board.NewSim(loop).AddButton("door")
		door.SetBounce(board.Bounce{Duration: 10 * time.Millisecond, Seed: 2})
		door.PressAt(320 * time.Millisecond)
		door.ReleaseAt(1320 * time.Millisecond)
		es := primitives.NewESwitch(door, primitives.SwitchConfig{})
		es.Start(ctx)
		for _, ev := range []*asyncio.Event{&es.Close, &es.Open} {
			if err := ev.Wait(ctx); err != nil {
				return err
			}
			ev.Clear()
			fmt.Println(loop.Time(), "closed:", es.Closed())
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 350ms closed: true
	// 1.35s closed: false
}

// An EButton with Suppress tells a short press from a long one and a
// double click with one event each; WaitAny says which came.
func ExampleEButton() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		lab := board.NewLab(loop)
		lab.Button.SetBounce(board.Bounce{Duration: 5 * time.Millisecond, Seed: 1})
		script, err := board.ParseScript(strings.NewReader(`
			1.003  button  click 100ms   # a short press
			3.003  button  click 100ms   # a double click
			3.203  button  click 100ms
			5.003  button  click 1.5s    # a long press
		`))
		if err != nil {
			return err
		}
		if _, err := lab.Play(script); err != nil {
			return err
		}
		b := primitives.NewEButton(lab.Button, primitives.PushbuttonConfig{Suppress: true})
		b.Start(ctx)
		names := map[primitives.Waitable]string{&b.Press: "short", &b.Double: "double", &b.Long: "long"}
		any := primitives.NewWaitAny(&b.Press, &b.Double, &b.Long)
		for range 3 {
			if err := any.Wait(ctx); err != nil {
				return err
			}
			fmt.Printf("%.3f %s\n", loop.Time().Seconds(), names[any.Which()])
			any.Clear()
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.450 short
	// 3.250 double
	// 6.050 long
}

// A task pauses until a reading leaves a window, as with Hinch's AADC: here
// a simulated input that rises by 100 every 10 ms.
func ExampleAADC() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		in := analogFunc(func() uint16 { return uint16(l.Time()/(10*time.Millisecond)) * 100 })
		a := primitives.NewAADC(in)
		v, err := a.Wait(ctx, 0, 1000)
		fmt.Printf("%d at %v\n", v, l.Time())
		return err
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output: 1100 at 110ms
}

// analogFunc is an Analog made of a function.
type analogFunc func() uint16

func (f analogFunc) Get() uint16 { return f() }
