package main

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/mqtt/mqtttest"
)

var blinkState = regexp.MustCompile(` \((on|off)\)`)

// TestOverMQTT drives the LEDs over MQTT, against the in-memory broker on
// the virtual clock: each command changes the LED and the retained status
// follows it.
func TestOverMQTT(t *testing.T) {
	const ms = time.Millisecond
	var log bytes.Buffer
	var statuses []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := &mqtttest.Broker{}
		d := newDevice(ctx, time.Second, 250*ms)
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return d.obeyMQTT(ctx, mqtt.Config{Dial: b.Dial}, &log)
		})
		app, err := mqtt.Connect(ctx, mqtt.Config{Dial: b.Dial, ClientID: "app", CleanSession: true})
		if err != nil {
			return err
		}
		defer app.Close(ctx)
		asyncio.Sleep(ctx, 10*ms)
		if err := app.Subscribe(ctx, "led-server/status", 1); err != nil {
			return err
		}
		next := func() {
			m, err := app.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// A blinking LED's state depends on the instant: leave it out.
			statuses = append(statuses, blinkState.ReplaceAllString(string(m.Payload), ""))
		}
		next() // the retained status
		for _, cmd := range []struct{ led, payload string }{{"red", "on"}, {"green", "blink 100"}, {"blue", "on"}, {"green", "off"}} {
			app.Publish(ctx, "led-server/led/"+cmd.led, []byte(cmd.payload), 1, false)
			next()
		}
		if !d.leds[0].pin.Get() || d.leds[1].pin.Get() {
			t.Errorf("LEDs: red %v, green %v", d.leds[0].pin.Get(), d.leds[1].pin.Get())
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"red blinking 1000ms, green blinking 250ms",
		"red on, green blinking 250ms",
		"red on, green blinking 100ms",
		"red on, green blinking 100ms", // "on blue": no such LED, nothing changes
		"red on, green off",
	}
	if len(statuses) != len(want) {
		t.Fatalf("statuses %q", statuses)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Errorf("status %d: %q, want %q", i, statuses[i], want[i])
		}
	}
	if !bytes.Contains(log.Bytes(), []byte("mqtt: on blue red -> error")) && !bytes.Contains(log.Bytes(), []byte("no LED \"blue\"")) {
		t.Errorf("log:\n%s", log.String())
	}
}
