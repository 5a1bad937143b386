package mqtt_test

import (
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/mqtt/mqtttest"
)

// A device that publishes a reading and obeys LED commands, against the
// in-memory broker on the virtual clock; on a real broker, set Addr
// instead of Dial.
func Example() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		broker := &mqtttest.Broker{}
		dev, err := mqtt.Connect(ctx, mqtt.Config{Dial: broker.Dial, ClientID: "dev1", CleanSession: true})
		if err != nil {
			return err
		}
		defer dev.Close(ctx)
		if err := dev.Subscribe(ctx, "dev1/led/+", 1); err != nil {
			return err
		}
		if err := dev.Publish(ctx, "dev1/temp", []byte("21.5"), 1, false); err != nil {
			return err
		}
		broker.Publish("dev1/led/red", []byte("on"), 1, false)
		m, err := dev.Next(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("%v: %s = %s\n", ctx.Loop().Time(), m.Topic, m.Payload)
		return nil
	}, asyncio.VirtualClock())
	// Output: 0s: dev1/led/red = on
}

// The link's ups and downs, as a task sees them: the broker goes away at
// 5 s and is back at 12 s; the client tries at 6, 8 and 12 s (1, 2 and 4 s
// of back-off, without jitter here).
func ExampleConfig_onLink() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		broker := &mqtttest.Broker{}
		c, err := mqtt.Connect(ctx, mqtt.Config{
			Dial: broker.Dial, ClientID: "dev1", Jitter: -1,
			OnLink: func(e mqtt.LinkEvent) {
				switch {
				case e.Up:
					fmt.Printf("%v up\n", e.At)
				case e.Attempt > 0:
					fmt.Printf("%v attempt %d failed\n", e.At, e.Attempt)
				default:
					fmt.Printf("%v down\n", e.At)
				}
			},
		})
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, 5*time.Second)
		broker.SetDown(true)
		asyncio.Sleep(ctx, 7*time.Second)
		broker.SetDown(false)
		c.WaitUp(ctx)
		return c.Close(ctx)
	}, asyncio.VirtualClock())
	// Output:
	// 0s up
	// 5s down
	// 6s attempt 1 failed
	// 8s attempt 2 failed
	// 12s up
}
