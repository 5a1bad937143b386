package mqtt_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/mqtt/mqtttest"
)

const s = time.Second

// virtual runs fn on a loop with the virtual clock.
func virtual(t *testing.T, fn func(ctx *asyncio.Ctx) error) {
	t.Helper()
	if err := asyncio.Run(fn, asyncio.VirtualClock()); err != nil {
		t.Fatal(err)
	}
}

// cfg is a client of broker b with exact timings: no jitter spread
// (Rand 0.5 is the middle), keep-alive 20 s, pings every 5 s.
func cfg(b *mqtttest.Broker, id string) mqtt.Config {
	return mqtt.Config{
		Dial: b.Dial, ClientID: id, CleanSession: true,
		KeepAlive: 20 * s, PingInterval: 5 * s,
		ReconnectMin: s, ReconnectMax: 60 * s,
		Rand: func() float64 { return 0.5 },
	}
}

// events records a client's link events.
type events struct{ list []mqtt.LinkEvent }

func (e *events) add(ev mqtt.LinkEvent) { e.list = append(e.list, ev) }

// times returns the times of the events of one kind: "up", "down" (a link
// lost) or "fail" (an attempt that failed).
func (e *events) times(kind string) []time.Duration {
	var at []time.Duration
	for _, ev := range e.list {
		k := "down"
		switch {
		case ev.Up:
			k = "up"
		case ev.Attempt > 0:
			k = "fail"
		}
		if k == kind {
			at = append(at, ev.At)
		}
	}
	return at
}

func secs(ds ...float64) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d * float64(s))
	}
	return out
}

func TestPublishSubscribeWildcardsRetained(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		pub, err := mqtt.Connect(ctx, cfg(b, "pub"))
		if err != nil {
			return err
		}
		// Retained before anyone subscribes.
		if err := pub.Publish(ctx, "home/kitchen/temp", []byte("21.5"), 1, true); err != nil {
			return err
		}
		sub, err := mqtt.Connect(ctx, cfg(b, "sub"))
		if err != nil {
			return err
		}
		if err := sub.Subscribe(ctx, "home/+/temp", 1); err != nil {
			return err
		}
		if err := sub.Subscribe(ctx, "alarm/#", 0); err != nil {
			return err
		}
		m, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		if m.Topic != "home/kitchen/temp" || string(m.Payload) != "21.5" || !m.Retained || m.QoS != 1 {
			t.Errorf("retained message: %+v", m)
		}
		pub.Publish(ctx, "home/hall/humidity", []byte("no match"), 1, false)
		pub.Publish(ctx, "home/hall/temp", []byte("19"), 0, false)
		pub.Publish(ctx, "alarm", []byte("parent level"), 1, false)
		pub.Publish(ctx, "alarm/door/front", []byte("open"), 1, false)
		want := []string{"home/hall/temp 19 q0", "alarm parent level q0", "alarm/door/front open q0"}
		var got []string
		for range want {
			m, err := sub.Next(ctx)
			if err != nil {
				return err
			}
			if m.Retained || m.Dup {
				t.Errorf("live message marked retained or dup: %+v", m)
			}
			got = append(got, fmt.Sprintf("%s %s q%d", m.Topic, m.Payload, m.QoS))
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if err := sub.Unsubscribe(ctx, "alarm/#"); err != nil {
			return err
		}
		if got := sub.Subscriptions(); !slices.Equal(got, []string{"home/+/temp"}) {
			t.Errorf("subscriptions after unsubscribe: %q", got)
		}
		pub.Publish(ctx, "alarm/window", []byte("after unsubscribe"), 1, false)
		pub.Publish(ctx, "home/attic/temp", []byte("30"), 1, false)
		m, _ = sub.Next(ctx)
		if m.Topic != "home/attic/temp" || sub.Pending() != 0 {
			t.Errorf("after unsubscribe got %+v, %d pending", m, sub.Pending())
		}
		// Bad arguments are refused before anything is sent.
		for _, err := range []error{
			pub.Publish(ctx, "a/+/b", nil, 0, false),
			pub.Publish(ctx, "", nil, 0, false),
			sub.Subscribe(ctx, "a/#/b", 0),
			sub.Subscribe(ctx, "a/b+", 0),
		} {
			if !errors.Is(err, mqtt.ErrBadTopic) {
				t.Errorf("bad topic: got %v", err)
			}
		}
		if err := pub.Publish(ctx, "a", nil, 2, false); !errors.Is(err, mqtt.ErrQoS) {
			t.Errorf("QoS 2: %v", err)
		}
		pub.Close(ctx)
		sub.Close(ctx)
		if _, err := sub.Next(ctx); !errors.Is(err, mqtt.ErrClosed) {
			t.Errorf("Next after Close: %v", err)
		}
		if err := pub.Publish(ctx, "a", nil, 0, false); !errors.Is(err, mqtt.ErrClosed) {
			t.Errorf("Publish after Close: %v", err)
		}
		return nil
	})
}

// TestKeepAliveTimings checks the pings and the dead-link bound to the
// nanosecond: pings every 5 s of silence, and a broker that stalls after
// answering the ping at 10 s is given up at 10 + 20 = 30 s, the keep-alive
// time after the last packet it sent. Then the attempts: at 31 s (1 s of
// back-off), which the stalled broker never answers, so it fails at 41 s
// (the 10 s connect timeout); the next at 43 s (2 s), answered when the
// broker resumes at 45 s.
func TestKeepAliveTimings(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		var ev events
		c := cfg(b, "dev")
		c.OnLink = ev.add
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, 12*s)
		b.Stall()
		if err := cl.WaitDown(ctx); err != nil {
			return err
		}
		if !errors.Is(cl.Err(), mqtt.ErrDeadLink) {
			t.Errorf("link down because %v, want ErrDeadLink", cl.Err())
		}
		asyncio.Sleep(ctx, 45*s-ctx.Loop().Time())
		b.Resume()
		if err := cl.WaitUp(ctx); err != nil {
			return err
		}
		// The broker hangs after reading the ping at 15 s; the client
		// pings on at 20 and 25 s (its Stats count them).
		if got, want := b.Received("dev", "PINGREQ"), secs(5, 10, 15); !slices.Equal(got, want) {
			t.Errorf("pings at %v, want %v", got, want)
		}
		if got, want := ev.times("down"), secs(30); !slices.Equal(got, want) {
			t.Errorf("link down at %v, want %v", got, want)
		}
		if got, want := ev.times("fail"), secs(41); !slices.Equal(got, want) {
			t.Errorf("attempts failed at %v, want %v", got, want)
		}
		if got, want := ev.times("up"), secs(0, 45); !slices.Equal(got, want) {
			t.Errorf("link up at %v, want %v", got, want)
		}
		if got, want := b.Received("dev", "CONNECT"), secs(0, 31, 43); !slices.Equal(got, want) {
			t.Errorf("CONNECTs at %v, want %v", got, want)
		}
		if st := cl.Stats(); st.Connects != 2 || st.Drops != 1 || st.Failures != 1 || st.Pings != 5 {
			t.Errorf("stats %+v", st)
		}
		return cl.Close(ctx)
	})
}

// TestTrafficDefersPings: a client that publishes and hears back more
// often than the ping interval never pings.
func TestTrafficDefersPings(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		cl, err := mqtt.Connect(ctx, cfg(b, "busy"))
		if err != nil {
			return err
		}
		for range 20 {
			asyncio.Sleep(ctx, 4*s)
			if err := cl.Publish(ctx, "t", []byte("x"), 1, false); err != nil {
				return err
			}
		}
		if got := b.Received("busy", "PINGREQ"); len(got) != 0 {
			t.Errorf("pinged at %v while traffic flowed", got)
		}
		return cl.Close(ctx)
	})
}

// TestReconnectBackoff: the broker goes down at 5 s. Attempts follow at
// 1, 2, 4, 8, 16 s of back-off (6, 8, 12, 20, 36 s), each refused; the
// broker is back at 50 s and the attempt at 36 + 32 = 68 s connects.
// With Rand at 0 every wait is 20 % shorter; with ReconnectMax 3 s the
// waits stop growing at 3 s.
func TestReconnectBackoff(t *testing.T) {
	for _, tc := range []struct {
		rand       float64
		fails      []time.Duration
		up         time.Duration
		maxBackoff time.Duration
	}{
		{0.5, secs(6, 8, 12, 20, 36), 68 * s, 60 * s},
		{0, secs(5.8, 7.4, 10.6, 17, 29.8), 55400 * time.Millisecond, 60 * s},
		{0.5, secs(6, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35, 38, 41, 44, 47), 50 * s, 3 * s},
	} {
		t.Run(fmt.Sprint(tc.rand, tc.maxBackoff), func(t *testing.T) {
			virtual(t, func(ctx *asyncio.Ctx) error {
				b := &mqtttest.Broker{}
				var ev events
				c := cfg(b, "dev")
				c.Rand = func() float64 { return tc.rand }
				c.ReconnectMax = tc.maxBackoff
				c.OnLink = ev.add
				cl, err := mqtt.Connect(ctx, c)
				if err != nil {
					return err
				}
				asyncio.Sleep(ctx, 5*s)
				b.SetDown(true)
				asyncio.Sleep(ctx, 45*s)
				b.SetDown(false)
				if err := cl.WaitUp(ctx); err != nil {
					return err
				}
				if got := ev.times("down"); !slices.Equal(got, secs(5)) {
					t.Errorf("down at %v, want 5s", got)
				}
				if got := ev.times("fail"); !slices.Equal(got, tc.fails) {
					t.Errorf("failed attempts at %v, want %v", got, tc.fails)
				}
				if got := ev.times("up"); !slices.Equal(got, []time.Duration{0, tc.up}) {
					t.Errorf("up at %v, want %v", got, tc.up)
				}
				for _, e := range ev.list {
					if e.Attempt > 0 && !errors.Is(e.Err, mqtttest.ErrRefused) {
						t.Errorf("attempt failed with %v", e.Err)
					}
				}
				return cl.Close(ctx)
			})
		})
	}
}

// TestQoS1ResentWithDup: a QoS 1 message whose PUBACK is lost and whose
// link then drops is sent again with DUP on the next link, and Publish
// returns once that one is acknowledged. The subscriptions come back too.
func TestQoS1ResentWithDup(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{DropPubacks: 1}
		var ev events
		c := cfg(b, "pub")
		c.OnLink = ev.add
		pub, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		if err := pub.Subscribe(ctx, "echo/#", 1); err != nil {
			return err
		}
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.Sleep(ctx, 3*s)
			b.DropAll()
			return nil
		})
		start := ctx.Loop().Time()
		if err := pub.Publish(ctx, "echo/1", []byte("hello"), 1, false); err != nil {
			return err
		}
		if took := ctx.Loop().Time() - start; took != 4*s {
			t.Errorf("Publish took %v, want 4s (link dropped at 3 s, back after 1 s)", took)
		}
		var pubs []*packets.PublishPacket
		for _, e := range b.Log() {
			if p, ok := e.Packet.(*packets.PublishPacket); ok {
				pubs = append(pubs, p)
			}
		}
		if len(pubs) != 2 || pubs[0].Dup || !pubs[1].Dup || pubs[0].MessageID != pubs[1].MessageID {
			t.Errorf("broker received %v, want the message then its DUP with the same id", pubs)
		}
		if got := b.Subscriptions("pub"); got["echo/#"] != 1 {
			t.Errorf("subscriptions not restored: %v", got)
		}
		if st := pub.Stats(); st.Resent != 1 || st.Resubscribe != 1 {
			t.Errorf("stats %+v", st)
		}
		// Both copies came back through the restored subscription (the
		// first before the drop, the re-sent one after).
		for range 2 {
			m, err := pub.Next(ctx)
			if err != nil {
				return err
			}
			if m.Topic != "echo/1" {
				t.Errorf("got %+v", m)
			}
		}
		return pub.Close(ctx)
	})
}

// TestPersistentSessionRedelivery: a QoS 1 message the broker sent to a
// client with a kept session, and that the client did not acknowledge
// before its link dropped, comes again on the next link, marked Dup.
func TestPersistentSessionRedelivery(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		c := cfg(b, "keeper")
		c.CleanSession = false
		c.QueueSize = 1
		var ev events
		c.OnLink = ev.add
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		if err := cl.Subscribe(ctx, "cmd", 1); err != nil {
			return err
		}
		// Two messages: the first fills the queue, the second waits in
		// the client's reader, unacknowledged, when the link drops.
		b.Publish("cmd", []byte("one"), 1, false)
		b.Publish("cmd", []byte("two"), 1, false)
		asyncio.Sleep(ctx, s)
		b.DropAll()
		m1, _ := cl.Next(ctx)
		if err := cl.WaitUp(ctx); err != nil {
			return err
		}
		m2, _ := cl.Next(ctx)
		m3, err := cl.Next(ctx)
		if err != nil {
			return err
		}
		if string(m1.Payload) != "one" || m1.Dup {
			t.Errorf("first: %+v", m1)
		}
		if !ev.list[len(ev.list)-1].SessionPresent {
			t.Errorf("session not present on reconnection: %+v", ev.list)
		}
		// "two" was read before the drop but never acknowledged: the
		// broker sends it again, marked.
		got := []string{fmt.Sprintf("%s %v", m2.Payload, m2.Dup), fmt.Sprintf("%s %v", m3.Payload, m3.Dup)}
		if !slices.Contains(got, "two true") {
			t.Errorf("after reconnection got %q, want the unacknowledged message again with Dup", got)
		}
		if cl.Stats().Resubscribe != 0 {
			t.Errorf("resubscribed although the session was kept")
		}
		return cl.Close(ctx)
	})
}

func TestConnectRefused(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{Users: map[string]string{"alice": "secret"}}
		c := cfg(b, "dev")
		c.Username, c.Password = "alice", "wrong"
		_, err := mqtt.Connect(ctx, c)
		var ce *mqtt.ConnectError
		if !errors.As(err, &ce) || ce.Code != 4 || !errors.Is(err, mqtt.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if err != nil && err.Error() != "mqtt: connection refused: bad user name or password (CONNACK return code 4)" {
			t.Errorf("message: %q", err)
		}
		c.Password = "secret"
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			t.Errorf("right password: %v", err)
		} else {
			cl.Close(ctx)
		}
		b.Refuse = 5
		if _, err := mqtt.Connect(ctx, c); !errors.Is(err, mqtt.ErrNotAuthorized) {
			t.Errorf("not authorised: %v", err)
		}
		b.Refuse = 0
		b.SetDown(true)
		if _, err := mqtt.Connect(ctx, c); !errors.Is(err, mqtttest.ErrRefused) {
			t.Errorf("broker down: %v", err)
		}
		// A broker that accepts the link and says nothing: the connect
		// timeout, exactly.
		b.SetDown(false)
		b.Stall()
		c.ConnectTimeout = 3 * s
		start := ctx.Loop().Time()
		_, err = mqtt.Connect(ctx, c)
		if !errors.Is(err, asyncio.ErrTimeout) || ctx.Loop().Time()-start != 3*s {
			t.Errorf("silent broker: %v after %v", err, ctx.Loop().Time()-start)
		}
		b.Resume()
		return nil
	})
}

// TestMalformedFromBroker: garbage from the broker closes the link with a
// clear error, and the client reconnects.
func TestMalformedFromBroker(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		kind error
	}{
		{"reserved type", []byte{0xf0, 0}, mqtt.ErrMalformed},
		{"length over 4 bytes", []byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f}, mqtt.ErrMalformed},
		{"oversized", []byte{0x30, 0xff, 0xff, 0x7f}, mqtt.ErrTooLarge},
		{"puback flags", []byte{0x42, 2, 0, 1}, mqtt.ErrMalformed},
		{"puback long", []byte{0x40, 3, 0, 1, 0}, mqtt.ErrMalformed},
		{"publish topic overruns", []byte{0x30, 4, 0, 9, 'a', 'b'}, mqtt.ErrMalformed},
		{"publish qos 3", []byte{0x36, 4, 0, 1, 'a', 'b'}, mqtt.ErrMalformed},
		{"publish wildcard topic", []byte{0x30, 3, 0, 1, '#'}, mqtt.ErrMalformed},
		{"publish qos 2", []byte{0x34, 5, 0, 1, 'a', 0, 1}, mqtt.ErrUnexpected},
		{"suback empty", []byte{0x90, 2, 0, 1}, mqtt.ErrMalformed},
		{"connack after connect", []byte{0x20, 2, 0, 0}, mqtt.ErrUnexpected},
		{"subscribe to a client", []byte{0x82, 6, 0, 1, 0, 1, 'a', 0}, mqtt.ErrUnexpected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			virtual(t, func(ctx *asyncio.Ctx) error {
				b := &mqtttest.Broker{}
				c := cfg(b, "dev")
				c.MaxPacketSize = 4096
				var ev events
				c.OnLink = ev.add
				cl, err := mqtt.Connect(ctx, c)
				if err != nil {
					return err
				}
				asyncio.Sleep(ctx, s)
				b.Inject("dev", tc.raw)
				if err := cl.WaitDown(ctx); err != nil {
					return err
				}
				var pe *mqtt.ProtocolError
				if !errors.As(cl.Err(), &pe) || !errors.Is(cl.Err(), tc.kind) {
					t.Errorf("link down with %v, want a ProtocolError of kind %v", cl.Err(), tc.kind)
				}
				t.Log(cl.Err())
				if err := cl.WaitUp(ctx); err != nil {
					return err
				}
				if got := ev.times("up"); !slices.Equal(got, secs(0, 2)) {
					t.Errorf("up again at %v, want 2s", got)
				}
				return cl.Close(ctx)
			})
		})
	}
}

// TestBackPressure: with a full queue the client stops reading; nothing
// is lost, nothing is dropped, and a slow consumer is not taken for a dead
// link.
func TestBackPressure(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		c := cfg(b, "slow")
		c.QueueSize = 4
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		if err := cl.Subscribe(ctx, "n", 1); err != nil {
			return err
		}
		for i := range 100 {
			b.Publish("n", []byte(fmt.Sprint(i)), 1, false)
		}
		asyncio.Sleep(ctx, time.Minute) // three keep-alive times without reading
		if cl.Pending() != 4 || !cl.Up() {
			t.Errorf("pending %d, up %v", cl.Pending(), cl.Up())
		}
		for i := range 100 {
			m, err := cl.Next(ctx)
			if err != nil {
				return err
			}
			if string(m.Payload) != fmt.Sprint(i) {
				t.Fatalf("message %d: %s", i, m.Payload)
			}
			asyncio.Sleep(ctx, s)
		}
		if st := cl.Stats(); st.Drops != 0 || st.Received != 100 {
			t.Errorf("stats %+v", st)
		}
		return cl.Close(ctx)
	})
}

// TestWaitsAreCancellable: every wait of the API returns ErrCancelled when
// its task is cancelled, and a cancelled QoS 1 publish is not sent again.
func TestWaitsAreCancellable(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		cl, err := mqtt.Connect(ctx, cfg(b, "dev"))
		if err != nil {
			return err
		}
		b.Stall() // nothing is acknowledged from now on
		waits := map[string]func(ctx *asyncio.Ctx) error{
			"Next":        func(ctx *asyncio.Ctx) error { _, err := cl.Next(ctx); return err },
			"Publish1":    func(ctx *asyncio.Ctx) error { return cl.Publish(ctx, "t", nil, 1, false) },
			"Subscribe":   func(ctx *asyncio.Ctx) error { return cl.Subscribe(ctx, "t", 1) },
			"Unsubscribe": func(ctx *asyncio.Ctx) error { return cl.Unsubscribe(ctx, "t") },
			"WaitDown":    cl.WaitDown,
		}
		for name, w := range waits {
			err := asyncio.WaitFor(ctx, 2*s, w)
			if !errors.Is(err, asyncio.ErrTimeout) {
				t.Errorf("%s: %v, want a timeout", name, err)
			}
		}
		b.SetDown(true) // the link goes, and stays down
		cl.WaitDown(ctx)
		for name, w := range map[string]func(ctx *asyncio.Ctx) error{"WaitUp": cl.WaitUp, "Publish0": func(ctx *asyncio.Ctx) error { return cl.Publish(ctx, "t", nil, 0, false) }} {
			if err := asyncio.WaitFor(ctx, 2*s, w); !errors.Is(err, asyncio.ErrTimeout) {
				t.Errorf("%s: %v, want a timeout", name, err)
			}
		}
		b.Resume()
		b.SetDown(false)
		cl.WaitUp(ctx)
		asyncio.Sleep(ctx, s)
		for _, e := range b.Log() {
			if p, ok := e.Packet.(*packets.PublishPacket); ok && p.Dup {
				t.Errorf("a cancelled publish was sent again: %v", p)
			}
		}
		// Close wakes the waiters with ErrClosed.
		task := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (mqtt.Message, error) { return cl.Next(ctx) })
		asyncio.Sleep(ctx, 0)
		cl.Close(ctx)
		if _, err := task.Await(ctx); !errors.Is(err, mqtt.ErrClosed) {
			t.Errorf("Next across Close: %v", err)
		}
		return nil
	})
}

// TestWill: a client whose link dies without DISCONNECT has its will
// published; one that closes does not.
func TestWill(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		watcher, err := mqtt.Connect(ctx, cfg(b, "watcher"))
		if err != nil {
			return err
		}
		watcher.Subscribe(ctx, "status/#", 1)
		for _, name := range []string{"polite", "crash"} {
			c := cfg(b, name)
			c.Will = &mqtt.Will{Topic: "status/" + name, Payload: []byte("offline"), QoS: 1}
			cl, err := mqtt.Connect(ctx, c)
			if err != nil {
				return err
			}
			if name == "polite" {
				cl.Close(ctx)
			} else {
				b.Inject(name, []byte{0xf0, 0}) // the client drops the link: malformed
			}
		}
		m, err := watcher.Next(ctx)
		if err != nil {
			return err
		}
		if m.Topic != "status/crash" || string(m.Payload) != "offline" || watcher.Pending() != 0 {
			t.Errorf("got %+v, %d more", m, watcher.Pending())
		}
		return nil
	})
}

// TestHandler: messages go to the handler, on the client's task, with the
// same back-pressure.
func TestHandler(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		var got []string
		c := cfg(b, "h")
		c.Handler = func(ctx *asyncio.Ctx, m mqtt.Message) error {
			if err := asyncio.Sleep(ctx, 30*s); err != nil { // slow, longer than the keep-alive
				return err
			}
			got = append(got, fmt.Sprintf("%s@%v", m.Payload, ctx.Loop().Time()))
			if string(m.Payload) == "bad" {
				return io.ErrUnexpectedEOF // to the exception handler
			}
			return nil
		}
		var handled []error
		ctx.Loop().SetExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) { handled = append(handled, c.Err) })
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		cl.Subscribe(ctx, "x", 1)
		b.Publish("x", []byte("a"), 1, false)
		b.Publish("x", []byte("bad"), 0, false)
		b.Publish("x", []byte("b"), 1, false)
		asyncio.Sleep(ctx, 100*s)
		if want := []string{"a@30s", "bad@1m0s", "b@1m30s"}; !slices.Equal(got, want) {
			t.Errorf("handled %q, want %q", got, want)
		}
		if len(handled) != 1 || !errors.Is(handled[0], io.ErrUnexpectedEOF) || cl.Stats().Drops != 0 {
			t.Errorf("exception handler got %v; stats %+v", handled, cl.Stats())
		}
		// Next has nothing to wait for: it says so instead of hanging.
		if _, err := cl.Next(ctx); !errors.Is(err, mqtt.ErrHandlerSet) {
			t.Errorf("Next with a handler = %v, want ErrHandlerSet", err)
		}
		return cl.Close(ctx)
	})
}

// A client's calls with a Ctx that is not the running task's change
// nothing and say so, before they send anything.
func TestStrayCtxSendsNothing(t *testing.T) {
	virtual(t, func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		cl, err := mqtt.Connect(ctx, cfg(b, "dev"))
		if err != nil {
			return err
		}
		before := len(b.Log())
		for name, call := range map[string]func() error{
			"Publish0":    func() error { return cl.Publish(nil, "t", nil, 0, false) },
			"Publish1":    func() error { return cl.Publish(nil, "t", nil, 1, false) },
			"Subscribe":   func() error { return cl.Subscribe(nil, "t", 0) },
			"Unsubscribe": func() error { return cl.Unsubscribe(nil, "t") },
			"Close":       func() error { return cl.Close(nil) },
		} {
			if err := call(); !errors.Is(err, asyncio.ErrNotInTask) {
				t.Errorf("%s with a nil Ctx: %v, want ErrNotInTask", name, err)
			}
		}
		asyncio.Sleep(ctx, s)
		if log := b.Log(); len(log) != before {
			t.Errorf("the broker heard %d packets from calls that failed: %v", len(log)-before, log[before:])
		}
		// The client still works.
		if err := cl.Publish(ctx, "t", nil, 0, false); err != nil {
			t.Errorf("Publish after: %v", err)
		}
		return cl.Close(ctx)
	})
}
