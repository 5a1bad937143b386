package board_test

import (
	"strings"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// A bus device added under a name the board already has panics before it
// is on the bus (it used to stay attached, holding its address), and a
// device whose attach fails leaves its name free.
func TestBusDeviceNameCheckedBeforeAttach(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	sim := board.NewSim(l)
	bus := sim.AddI2C("i2c")
	sim.AddLED("led", board.ActiveHigh)
	mustPanic := func(what string, add func()) {
		t.Helper()
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "duplicate part name") {
				t.Fatalf("%s: recovered %v, want a duplicate-name panic", what, r)
			}
		}()
		add()
	}
	mustPanic("BME280", func() { sim.AddBME280("led", bus, 0x76) })
	mustPanic("SSD1306", func() { sim.AddSSD1306("led", bus, 0x3c) })
	if _, err := sim.AddBME280("env", bus, 0x76); err != nil {
		t.Fatalf("0x76 after the refused duplicate: %v", err)
	}
	if _, err := sim.AddSSD1306("oled", bus, 0x3c); err != nil {
		t.Fatalf("0x3c after the refused duplicate: %v", err)
	}

	// 0x76 is taken now: the attach fails, and "env2" stays free.
	if _, err := sim.AddBME280("env2", bus, 0x76); err == nil {
		t.Fatal("a second device at 0x76 was attached")
	}
	if _, err := sim.AddBME280("env2", bus, 0x77); err != nil {
		t.Fatalf("the name of a failed attach: %v", err)
	}

	// No bus: an error, and the name stays free.
	if _, err := sim.AddBME280("env3", nil, 0x76); err == nil || !strings.Contains(err.Error(), "no I2C bus") {
		t.Fatalf("a BME280 on no bus: %v", err)
	}
	if _, err := sim.AddSSD1306("env3", nil, 0x3d); err == nil || !strings.Contains(err.Error(), "no I2C bus") {
		t.Fatalf("an SSD1306 on no bus: %v", err)
	}
	if _, err := sim.AddSSD1306("env3", bus, 0x3d); err != nil {
		t.Fatalf("the name after the refusals: %v", err)
	}

	spi := sim.AddSPI("spi")
	mustPanic("WS2812", func() { sim.AddWS2812("led", spi, 3) })
	if _, err := sim.AddWS2812("strip", spi, 3); err != nil {
		t.Fatal(err)
	}
}
