//go:build !tinygo

package board_test

import (
	"bytes"
	"errors"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"tinygo.org/x/drivers/bme280"
	"tinygo.org/x/drivers/ssd1306"
)

// TestBME280Driver runs TinyGo's bme280 driver, unchanged, against the
// simulated chip: it finds the chip, reads the calibration, and reads back
// what the simulation was set to, within the chip's resolution.
func TestBME280Driver(t *testing.T) {
	loop, sim, bus := newI2CBoard(t)
	chip, err := sim.AddBME280("env", bus, board.BME280Address)
	if err != nil {
		t.Fatal(err)
	}
	dev := bme280.New(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		if !dev.Connected() {
			t.Fatal("Connected() = false")
		}
		dev.Configure() // normal mode, IIR filter 16
		for _, c := range []struct{ temp, hum, press float64 }{
			{21, 45, 101325}, {-12.34, 5.5, 95000.5}, {37.25, 88.8, 100100}, {84.9, 99, 109000},
		} {
			if err := chip.SetTemperature(c.temp); err != nil {
				t.Fatal(err)
			}
			chip.SetHumidity(c.hum)
			chip.SetPressure(c.press)
			// The IIR filter (coefficient 16) settles within a few seconds
			// (a conversion every 46 ms, 1/16 of the step each).
			asyncio.Sleep(ctx, 10*time.Second)
			mc, _ := dev.ReadTemperature()
			hum, _ := dev.ReadHumidity()
			mpa, _ := dev.ReadPressure()
			if got := float64(mc) / 1000; math.Abs(got-c.temp) > 0.01 {
				t.Errorf("temperature = %.3f °C, want %.2f within 0.01", got, c.temp)
			}
			if got := float64(hum) / 100; math.Abs(got-c.hum) > 0.02 {
				t.Errorf("humidity = %.2f %%, want %.2f within 0.02", got, c.hum)
			}
			if got := float64(mpa) / 1000; math.Abs(got-c.press) > 2 {
				t.Errorf("pressure = %.1f Pa, want %.1f within 2", got, c.press)
			}
		}
		return nil
	})
}

// TestBME280Timing checks the chip's timing on the loop's clock: reset
// values before the first conversion, the IIR filter's approach to a step,
// forced mode's single conversion and the status register's measuring bit.
func TestBME280Timing(t *testing.T) {
	loop, sim, bus := newI2CBoard(t)
	chip, _ := sim.AddBME280("env", bus, 0x77)
	read := func(reg byte, n int) []byte {
		r := make([]byte, n)
		if err := bus.Tx(0x77, []byte{reg}, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	write := func(w ...byte) {
		if err := bus.Tx(0x77, w, nil); err != nil {
			t.Fatal(err)
		}
	}
	run(t, loop, func(ctx *asyncio.Ctx) error {
		if got := read(0xf7, 8); !bytes.Equal(got, []byte{0x80, 0, 0, 0x80, 0, 0, 0x80, 0}) {
			t.Errorf("data before a conversion = % x, want the reset values", got)
		}
		// Forced mode, temperature x1 only: 1.25 + 2.3 ms.
		write(0xf4, 1<<5|1)
		if got := read(0xf3, 1)[0]; got&8 == 0 {
			t.Errorf("status during a conversion = %#x, want measuring (8)", got)
		}
		asyncio.Sleep(ctx, 3*time.Millisecond)
		if got := read(0xf7, 6); got[3] != 0x80 || got[0] != 0x80 {
			t.Errorf("data before the conversion's end = % x", got)
		}
		asyncio.Sleep(ctx, time.Millisecond)
		got := read(0xf3, 8)
		if got[0]&8 != 0 || got[1]&3 != 0 {
			t.Errorf("after the conversion: status %#x, ctrl_meas %#x; want idle, back in sleep mode", got[0], got[1])
		}
		if got := read(0xfa, 3); bytes.Equal(got, []byte{0x80, 0, 0}) {
			t.Errorf("temperature not converted: % x", got)
		}
		if got := read(0xf7, 3); !bytes.Equal(got, []byte{0x80, 0, 0}) {
			t.Errorf("pressure, skipped, = % x, want 80 00 00", got)
		}
		return nil
	})
	// A step of the temperature in normal mode with IIR 16 takes many
	// conversions to settle.
	dev := bme280.New(bus)
	dev.Address = 0x77
	run(t, loop, func(ctx *asyncio.Ctx) error {
		dev.Configure()
		asyncio.Sleep(ctx, 5*time.Second)
		chip.SetTemperature(30)
		asyncio.Sleep(ctx, 200*time.Millisecond)
		mc, _ := dev.ReadTemperature()
		if mc <= 21000 || mc >= 29000 {
			t.Errorf("200 ms after a step from 21 to 30 °C: %d m°C, want on the way", mc)
		}
		asyncio.Sleep(ctx, 10*time.Second)
		if mc, _ = dev.ReadTemperature(); math.Abs(float64(mc)-30000) > 10 {
			t.Errorf("5 s after the step: %d m°C, want 30000", mc)
		}
		return nil
	})
}

func TestBME280BadInput(t *testing.T) {
	_, sim, bus := newI2CBoard(t)
	chip, _ := sim.AddBME280("env", bus, 0x76)
	if _, err := sim.AddBME280("env2", bus, 0x76); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Errorf("a second chip at 0x76: %v", err)
	}
	if _, err := sim.AddBME280("env3", bus, 0x40); err == nil {
		t.Error("a BME280 at 0x40: no error")
	}
	if err := bus.Tx(0x76, []byte{0xd0, 1}, nil); !errors.Is(err, board.ErrRefused) || !strings.Contains(err.Error(), "0xd0") {
		t.Errorf("writing the chip id: %v", err)
	}
	if err := bus.Tx(0x76, []byte{0xf4, 1, 2}, nil); !errors.Is(err, board.ErrRefused) {
		t.Errorf("an odd write: %v", err)
	}
	if err := chip.SetTemperature(120); err == nil {
		t.Error("SetTemperature(120): no error")
	}
	if err := chip.SetHumidity(math.NaN()); err == nil {
		t.Error("SetHumidity(NaN): no error")
	}
	if err := chip.SetPressure(10); err == nil {
		t.Error("SetPressure(10): no error")
	}
}

func TestI2CBadTransfers(t *testing.T) {
	loop, sim, bus := newI2CBoard(t)
	sim.AddBME280("env", bus, 0x76)
	r := []byte{0xaa}
	err := bus.Tx(0x50, []byte{0}, r)
	if !errors.Is(err, board.ErrNoDevice) || !strings.Contains(err.Error(), "i2c0: address 0x50") {
		t.Errorf("unknown address: %v", err)
	}
	if r[0] != 0xaa {
		t.Errorf("a NACKed read changed the buffer: %x", r)
	}
	if err := bus.Tx(0x76, nil, nil); !errors.Is(err, board.ErrBadTransfer) {
		t.Errorf("empty transfer: %v", err)
	}
	if err := bus.Tx(0x176, []byte{0}, nil); !errors.Is(err, board.ErrBadTransfer) {
		t.Errorf("10-bit address: %v", err)
	}
	if err := bus.Attach(0x03, nil); err == nil {
		t.Error("Attach at a reserved address: no error")
	}
	if _, err := sim.I2C("nope"); err == nil {
		t.Error(`I2C("nope"): no error`)
	}
	if b, err := sim.I2C("i2c0"); err != nil || b != board.I2C(bus) {
		t.Errorf(`I2C("i2c0") = %v, %v`, b, err)
	}
	tr := sim.Transfers()
	if len(tr) != 3 {
		t.Fatalf("%d transfers recorded, want 3: %v", len(tr), tr)
	}
	if got, want := tr[0].String(), "0.000 i2c0 0x50 w 00 r aa error: board: i2c0: address 0x50: no device at that address (NACK)"; got != want {
		t.Errorf("transfer = %q\nwant       %q", got, want)
	}
	_ = loop
}

// TestSSD1306Driver runs TinyGo's ssd1306 driver, unchanged, against the
// simulated display and compares the picture with a golden PNG.
func TestSSD1306Driver(t *testing.T) {
	_, sim, bus := newI2CBoard(t)
	oled, err := sim.AddSSD1306("oled", bus, board.SSD1306Address)
	if err != nil {
		t.Fatal(err)
	}
	dev := ssd1306.NewI2C(bus)
	dev.Configure(ssd1306.Config{Width: 128, Height: 64, Address: board.SSD1306Address, VccState: ssd1306.SWITCHCAPVCC})
	if !oled.On() {
		t.Fatal("the display is off after Configure")
	}
	white := color.RGBA{255, 255, 255, 255}
	// A frame, a diagonal, a filled box, and the corners' pixels.
	for x := int16(0); x < 128; x++ {
		dev.SetPixel(x, 0, white)
		dev.SetPixel(x, 63, white)
	}
	for y := int16(0); y < 64; y++ {
		dev.SetPixel(0, y, white)
		dev.SetPixel(127, y, white)
		dev.SetPixel(y*2, y, white)
	}
	if err := dev.FillRectangle(90, 10, 20, 12, white); err != nil {
		t.Fatal(err)
	}
	if err := dev.Display(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		x, y int
		lit  bool
	}{{0, 0, true}, {127, 63, true}, {10, 5, true}, {11, 5, false}, {95, 15, true}, {89, 15, false}, {60, 40, false}} {
		if got := oled.Pixel(p.x, p.y); got != p.lit {
			t.Errorf("Pixel(%d, %d) = %v, want %v", p.x, p.y, got, p.lit)
		}
	}
	var png bytes.Buffer
	if err := oled.WritePNG(&png, 2); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/ssd1306.png", png.Bytes())

	// Twice Display: the driver relies on the address pointer wrapping.
	dev.ClearBuffer()
	dev.SetPixel(5, 6, white)
	dev.Display()
	dev.Display()
	if !oled.Pixel(5, 6) || oled.Pixel(0, 0) {
		t.Errorf("after a second frame: (5,6) %v, (0,0) %v; want lit, dark", oled.Pixel(5, 6), oled.Pixel(0, 0))
	}
	if oled.Frames() != 3 {
		t.Errorf("Frames() = %d, want 3", oled.Frames())
	}
	text := oled.Text()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 32 || len([]rune(lines[3])) != 128 || []rune(lines[3])[5] != '▀' {
		t.Errorf("Text(): %d lines, line 3 = %q", len(lines), lines[3])
	}
}

func TestSSD1306Commands(t *testing.T) {
	_, sim, bus := newI2CBoard(t)
	oled, _ := sim.AddSSD1306("oled", bus, 0x3d)
	tx := func(w ...byte) error { return bus.Tx(0x3d, w, nil) }
	// Display on, remap and COM scan reverse, page mode, page 2, column 0x13.
	if err := tx(0x00, 0xaf, 0xa1, 0xc8, 0x20, 0x02, 0xb2, 0x03, 0x11); err != nil {
		t.Fatal(err)
	}
	if err := tx(0x40, 0xff, 0x01); err != nil {
		t.Fatal(err)
	}
	for y := 16; y < 24; y++ {
		if !oled.Pixel(0x13, y) {
			t.Errorf("Pixel(0x13, %d) dark, want lit", y)
		}
	}
	if !oled.Pixel(0x14, 16) || oled.Pixel(0x14, 17) {
		t.Error("column 0x14 should have only its top pixel lit")
	}
	// Co=1: one command, then data with another control byte.
	if err := tx(0x80, 0xa7, 0xc0, 0x00); err != nil {
		t.Fatal(err)
	}
	if oled.Pixel(0x13, 16) || !oled.Pixel(0x15, 16) || !oled.Pixel(100, 60) {
		t.Error("inverse display or the single data byte not applied")
	}
	for _, c := range []struct {
		w    []byte
		want string
	}{
		{[]byte{0x00, 0xff}, "unknown SSD1306 command 0xff"},
		{[]byte{0x01, 0xaf}, "control byte 0x01"},
		{[]byte{0x00}, "a write of 1 byte"},
		{[]byte{0x80, 0xaf, 0x00}, "ends with a control byte"},
		{[]byte{0x00, 0x20, 0x03}, "addressing mode 0x03"},
	} {
		if err := tx(c.w...); !errors.Is(err, board.ErrRefused) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Tx(% x) = %v, want an error with %q", c.w, err, c.want)
		}
	}
	if err := bus.Tx(0x3d, []byte{0}, make([]byte, 1)); !errors.Is(err, board.ErrRefused) {
		t.Errorf("a read: %v", err)
	}
}
