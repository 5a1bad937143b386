package board_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

func TestPotentiometer(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	pot := sim.AddPotentiometer("knob", 0x8000)
	adc, err := sim.ADC("knob")
	if err != nil {
		t.Fatal(err)
	}
	if got := adc.Get(); got != 0x8000 {
		t.Errorf("Get() = %#x, want 0x8000", got)
	}
	pot.Set(0x1234)
	if got := adc.Get(); got != 0x1230 {
		t.Errorf("Get() = %#x, want 0x1230 (12 bits)", got)
	}
	loop.CallAt(2*time.Second, func() { pot.SetFraction(1) })
	loop.RunUntilComplete(loop.CreateTask(func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, 3*time.Second) }))
	if got := adc.Get(); got != 0xfff0 {
		t.Errorf("Get() at full travel = %#x, want 0xfff0", got)
	}
	if err := pot.SetFraction(1.5); err == nil {
		t.Error("SetFraction(1.5): no error")
	}
	lv := sim.Levels()
	if len(lv) != 2 || lv[0].Value != 0x1234 || lv[1].At != 2*time.Second || lv[1].Value != 0xffff {
		t.Errorf("levels = %v", lv)
	}
	if _, err := sim.ADC("nope"); err == nil {
		t.Error(`ADC("nope"): no error`)
	}
	sim.AddLED("led", board.ActiveHigh)
	if _, err := sim.ADC("led"); err == nil || err.Error() != `board: part "led" is not a potentiometer (ADC)` {
		t.Errorf(`ADC("led") = %v`, err)
	}
}

func TestSpecSensors(t *testing.T) {
	spec, err := board.ParseSpec([]byte(`{"name": "thermo", "parts": [
		{"name": "i2c0", "kind": "i2c", "device": "/dev/i2c-1"},
		{"name": "env", "kind": "bme280", "bus": "i2c0", "address": "0x77"},
		{"name": "oled", "kind": "ssd1306", "bus": "i2c0"},
		{"name": "knob", "kind": "potentiometer", "value": 1000}]}`))
	if err != nil {
		t.Fatal(err)
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, spec)
	if err != nil {
		t.Fatal(err)
	}
	bus := sim.SimI2CBus("i2c0")
	if bus == nil || sim.SimBME280("env") == nil || sim.SimSSD1306("oled") == nil || sim.SimADC("knob").Value() != 1000 {
		t.Fatalf("parts: %v", sim.Parts())
	}
	if bus.Device(0x77) != sim.SimBME280("env") || bus.Device(0x3c) != sim.SimSSD1306("oled") {
		t.Error("devices not at their addresses")
	}
	for _, c := range []struct{ json, want string }{
		{`{"parts": [{"name": "env", "kind": "bme280", "bus": "i2c0"}]}`, `bus "i2c0" is not an i2c part listed before it`},
		{`{"parts": [{"name": "b", "kind": "i2c"}, {"name": "env", "kind": "bme280", "bus": "b", "address": "0x80"}]}`, `address "0x80"`},
		{`{"parts": [{"name": "k", "kind": "potentiometer", "value": 70000}]}`, `value 70000`},
		{`{"parts": [{"name": "k", "kind": "thermometer"}]}`, `unknown kind "thermometer"`},
	} {
		if _, err := board.ParseSpec([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.json, err, c.want)
		}
	}
	if _, err := board.NewSimFrom(loop, &board.Spec{Parts: []board.PartSpec{{Name: "b", Kind: board.KindI2C},
		{Name: "x", Kind: board.KindSSD1306, Bus: "b", Address: "0x50"}}}); err == nil || !strings.Contains(err.Error(), "want 0x3c or 0x3d") {
		t.Errorf("an SSD1306 at 0x50: %v", err)
	}
}
