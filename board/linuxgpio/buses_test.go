package linuxgpio_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/i2c/i2ctest"
	"tinygo.org/x/drivers/bme280"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxbus"
	"github.com/goasyncio/asyncio/board/linuxgpio"
)

// fakeBuses returns a Config whose I2C buses are play and whose IIO
// device iio:device0 has channel 0 at raw (12 bits).
func fakeBuses(t *testing.T, play *i2ctest.Playback, raw string) linuxbus.Config {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "iio:device0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in_voltage0_raw"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return linuxbus.Config{
		IIORoot: root,
		OpenI2C: func(name, device string) (*linuxbus.I2C, error) {
			if device != "/dev/i2c-1" {
				return nil, fmt.Errorf("no %s", device)
			}
			return linuxbus.NewI2C(name, play), nil
		},
	}
}

// The thermostat's board file for a Raspberry Pi: its GPIO lines, its
// I2C bus with the sensor and the display, and its knob on an IIO
// converter all open, and TinyGo's driver finds the sensor.
func TestThermostatBoardFile(t *testing.T) {
	spec, err := board.ReadSpecFile("testdata/thermostat-pi.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[int]*gpiotest.Pin{}
	open := func(chip string, n int) (gpio.PinIO, error) {
		lines[n] = fake(fmt.Sprintf("%s/%d", chip, n))
		return lines[n], nil
	}
	play := &i2ctest.Playback{Ops: []i2ctest.IO{{Addr: 0x76, W: []byte{0xd0}, R: []byte{0x60}}}, DontPanic: true}
	b, err := linuxgpio.Open(spec, open, linuxgpio.WithBuses(fakeBuses(t, play, "2048\n")))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if len(lines) != 2 || lines[17] == nil || lines[27] == nil {
		t.Errorf("opened lines %v, want 17 and 27 only", lines)
	}
	heater, err := b.LED("heater")
	if err != nil {
		t.Fatal(err)
	}
	heater.On()
	if lines[17].L != gpio.High {
		t.Error("the heater's line is not high when it is on")
	}
	knob, err := b.ADC("knob")
	if err != nil || knob.Get() != 0x8000 {
		t.Fatalf("knob: %v", err)
	}
	bus, err := b.I2C("i2c0")
	if err != nil {
		t.Fatal(err)
	}
	sensor := bme280.New(bus)
	if !sensor.Connected() {
		t.Error("the driver does not find the BME280")
	}
	if err := play.Close(); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := b.I2C("heater"); return err }(), `part "heater" is a led, not an I2C bus`},
		{func() error { _, err := b.ADC("oled"); return err }(), `part "oled" is a ssd1306, not an analogue input`},
		{func() error { _, err := b.LED("knob"); return err }(), `no part "knob"`},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%v, want %q", c.err, c.want)
		}
	}

	// The same file runs the simulated board, which ignores the devices.
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim, err := board.NewSimFrom(ctx.Loop(), spec)
		if err != nil {
			return err
		}
		if sim.SimBME280("env") == nil || sim.SimSSD1306("oled") == nil || sim.SimADC("knob") == nil {
			return fmt.Errorf("the simulated board lacks parts")
		}
		return nil
	})
	if err != nil {
		t.Errorf("the simulated board: %v", err)
	}
}

// A board of GPIO lines only opens no bus; one without a bus's device, or
// whose device does not open, does not open, and leaves no line open.
func TestBoardBusErrors(t *testing.T) {
	b, err := linuxgpio.Open(&board.Spec{Name: "b", Parts: []board.PartSpec{{Name: "red", Kind: board.KindLED, Chip: "c", Line: intp(1)}}},
		func(string, int) (gpio.PinIO, error) { return fake("red"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.I2C("i2c0"); err == nil || !strings.Contains(err.Error(), `no part "i2c0"`) {
		t.Errorf("I2C on a board without buses: %v", err)
	}
	if _, err := b.ADC("red"); err == nil || !strings.Contains(err.Error(), `part "red" is not a potentiometer`) {
		t.Errorf("ADC of an LED: %v", err)
	}
	b.Close()

	spec, err := board.ReadSpecFile("testdata/thermostat-pi.json")
	if err != nil {
		t.Fatal(err)
	}
	spec.Parts[3].Device = "/dev/i2c-7"
	opened := 0
	open := func(string, int) (gpio.PinIO, error) { opened++; return fake("x"), nil }
	if _, err := linuxgpio.Open(spec, open, linuxgpio.WithBuses(fakeBuses(t, &i2ctest.Playback{}, "0"))); err == nil || !strings.Contains(err.Error(), `part "i2c0": no /dev/i2c-7`) {
		t.Errorf("a bus that does not open: %v", err)
	}
	if opened != 0 {
		t.Errorf("%d lines opened for a board that failed on its bus", opened)
	}

	// A board of buses only needs no GPIO chip: the nil Opener is not
	// asked for the machine's.
	spec = &board.Spec{Name: "buses", Parts: []board.PartSpec{{Name: "i2c0", Kind: board.KindI2C, Device: "/dev/i2c-1"}}}
	b, err = linuxgpio.Open(spec, nil, linuxgpio.WithBuses(fakeBuses(t, &i2ctest.Playback{}, "0")))
	if err != nil {
		t.Fatalf("a board of buses only: %v", err)
	}
	if _, err := b.I2C("i2c0"); err != nil {
		t.Error(err)
	}
	b.Close()
}

func intp(v int) *int { return &v }
