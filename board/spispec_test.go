package board_test

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

const stripSpec = `{
  "name": "strip-lab",
  "parts": [
    {"name": "spi0", "kind": "spi", "frequency": 3200000},
    {"name": "strip", "kind": "ws2812", "bus": "spi0", "leds": 3},
    {"name": "spi1", "kind": "spi"}
  ]
}`

// A board file declares an SPI bus and a strip on it; a program finds the
// bus by name and drives the strip through it.
func TestSpecSPIAndStrip(t *testing.T) {
	s, err := board.ParseSpec([]byte(stripSpec))
	if err != nil {
		t.Fatal(err)
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := sim.Parts(); !slices.Equal(got, []string{"spi0", "strip", "spi1"}) {
		t.Errorf("parts %v", got)
	}
	if hz := sim.SimSPIBus("spi0").Frequency(); hz != 3_200_000 {
		t.Errorf("spi0 at %d Hz, want 3200000", hz)
	}
	if hz := sim.SimSPIBus("spi1").Frequency(); hz != board.DefaultSPIFrequency {
		t.Errorf("spi1 at %d Hz, want the default %d", hz, board.DefaultSPIFrequency)
	}
	strip := sim.SimWS2812("strip")
	if strip == nil || strip.Len() != 3 || strip.Bus() != sim.SimSPIBus("spi0") {
		t.Fatalf("strip %+v", strip)
	}
	bus, err := sim.SPI("spi0")
	if err != nil {
		t.Fatal(err)
	}
	want := []color.RGBA{{R: 1, G: 2, B: 3, A: 0xff}, {R: 4, G: 5, B: 6, A: 0xff}, {R: 7, G: 8, B: 9, A: 0xff}}
	run(t, loop, func(ctx *asyncio.Ctx) error { return board.NewWS2812SPI(bus).WriteColors(want) })
	if got := strip.Colours(); !slices.Equal(got, want) {
		t.Errorf("the strip shows %v, want %v", got, want)
	}
}

// Bad SPI declarations are refused, each with what is wrong.
func TestSpecSPIErrors(t *testing.T) {
	for _, c := range []struct{ parts, want string }{
		{`{"name": "s", "kind": "ws2812", "bus": "spi0", "leds": 8}`, `part "s": bus "spi0" is not an spi part listed before it`},
		{`{"name": "i2c0", "kind": "i2c"}, {"name": "s", "kind": "ws2812", "bus": "i2c0", "leds": 8}`, `part "s": bus "i2c0" is not an spi part`},
		{`{"name": "spi0", "kind": "spi"}, {"name": "s", "kind": "ws2812", "bus": "spi0"}`, `part "s": leds 0, want a strip of 1 to 1024 LEDs`},
		{`{"name": "spi0", "kind": "spi"}, {"name": "s", "kind": "ws2812", "bus": "spi0", "leds": 2000}`, `part "s": leds 2000`},
		{`{"name": "spi0", "kind": "spi"}, {"name": "s", "kind": "ws2812", "bus": "spi0", "leds": 8, "address": "0x10"}`, `part "s": a ws2812 strip has no address`},
		{`{"name": "spi0", "kind": "spi", "frequency": -5}`, `part "spi0": frequency -5 Hz, want 1000 to 100000000`},
		{`{"name": "spi0", "kind": "spi", "frequency": 200000000}`, `part "spi0": frequency 200000000 Hz`},
		{`{"name": "spi0", "kind": "spi", "bus": "x"}`, `part "spi0": an spi bus has no bus or address of its own`},
		{`{"name": "i2c0", "kind": "i2c", "frequency": 400000}`, `part "i2c0": "frequency" is for spi parts (this is a "i2c" part)`},
		{`{"name": "red", "kind": "led", "leds": 3}`, `part "red": "leds" is for ws2812 parts (this is a "led" part)`},
		{`{"name": "x", "kind": "neopixel"}`, `unknown kind "neopixel" (led, pwm-led, button, pin, i2c, bme280, ssd1306, potentiometer, spi or ws2812)`},
	} {
		_, err := board.ParseSpec([]byte(`{"name": "b", "parts": [` + c.parts + `]}`))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.parts, err, c.want)
		}
	}
}
