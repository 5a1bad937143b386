// Package mqtt is an MQTT 3.1.1 client on an asyncio loop, after Peter
// Hinch's mqtt_as for MicroPython: a device program that publishes and
// subscribes from ordinary tasks while the client keeps the link to the
// broker up through Wi-Fi drops and broker restarts.
//
//	asyncio.Run(func(ctx *asyncio.Ctx) error {
//		c, err := mqtt.Connect(ctx, mqtt.Config{Addr: "127.0.0.1:1883", ClientID: "dev1", CleanSession: true})
//		if err != nil {
//			return err // refused (a *ConnectError), unreachable, or no CONNACK in time
//		}
//		defer c.Close(ctx)
//		if err := c.Subscribe(ctx, "dev1/led/+", 1); err != nil {
//			return err
//		}
//		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
//			for {
//				c.Publish(ctx, "dev1/temp", []byte("21.5"), 0, false)
//				asyncio.Sleep(ctx, 10*time.Second)
//			}
//		})
//		for m, err := range c.Messages(ctx) {
//			if err != nil {
//				return err
//			}
//			fmt.Println(m.Topic, string(m.Payload))
//		}
//		return nil
//	})
//
// # Resilience
//
// After the first Connect the client keeps the link up by itself, on the
// loop's timers: it pings when the link is quiet (Config.PingInterval),
// gives a link up when nothing has come from the broker for the keep-alive
// time (ErrDeadLink), reconnects with exponential back-off and jitter
// (ReconnectMin, ReconnectMax, Jitter), restores its subscriptions when the
// broker lost the session, and sends again, with DUP, the QoS 1 messages and
// the subscriptions not acknowledged on the link that went down. Link
// events go to Config.OnLink; WaitUp and WaitDown wait for them. Publish
// with QoS 1 returns once the broker has acknowledged the message, however
// many links that takes; every wait returns asyncio.ErrCancelled when its
// task is cancelled, so asyncio.WaitFor and asyncio.Timeout bound them.
//
// # Back-pressure
//
// Received messages wait in a bounded queue (Config.QueueSize) for Next or
// Messages, or go one at a time to Config.Handler. When the application
// does not keep up, the client stops reading the link: TCP and the broker
// hold the rest, and nothing is dropped or buffered without bound. (The
// link is not judged dead while the client waits for the application.)
// Publishers are held back by MaxInflight QoS 1 messages in flight and by
// the stream's drain.
//
// # Packets
//
// Packets are encoded and decoded by package packets of
// github.com/eclipse/paho.mqtt.golang (which starts no goroutine), framed
// here with the stream's exact reads (ReadPacket). The framing is checked
// before anything is decoded: a packet larger than MaxPacketSize, a broken
// remaining length, reserved flags, a PUBLISH whose topic overruns it, and
// the like close the link with a *ProtocolError (ErrMalformed, ErrTooLarge,
// ErrUnexpected), and the client reconnects.
//
// # Testing
//
// Package mqtttest is a broker on the loop, over in-memory pipes: a client
// connected to it (Config.Dial) runs on the virtual clock, so that timings
// are exact and tests instant, and faults are one call away (Stall,
// DropAll, SetDown, Inject). The package's own tests also run against
// Debian's mosquitto, through a proxy that stalls, drops and resets links.
//
// Not done: QoS 2 (publishing or subscribing with it returns ErrQoS), MQTT
// 5, and WebSocket links.
package mqtt
