//go:build !tinygo

package board_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"tinygo.org/x/drivers/bme280"
)

// The bus's transfers are a text lane beside the pins: one value per time
// at which the bus was used, the transfers of that time decoded.
func TestWaveformWithBuses(t *testing.T) {
	loop, sim, bus := newI2CBoard(t)
	if _, err := sim.AddBME280("env", bus, board.BME280Address); err != nil {
		t.Fatal(err)
	}
	led := sim.AddLED("i2c0-led", board.ActiveHigh)
	sim.AddI2C("i2c1")
	dev := bme280.New(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		dev.Connected() // 0.000: one transfer
		if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
		led.On()
		bus.Tx(0x76, []byte{0xf4, 0x27}, nil) // 0.250: three at once, one refused
		bus.Tx(0x76, []byte{0xf5, 0x00}, nil)
		bus.Tx(0x50, []byte{0x00}, nil)
		if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
		for range 5 { // 0.500: five at once
			bus.Tx(0x76, []byte{0xd0}, make([]byte, 1))
		}
		return nil
	})
	w := sim.WaveformWithBuses()
	if s, ok := w.Signal("i2c0"); !ok || s.Kind != wave.Text || s.Init != wave.Unknown {
		t.Fatalf("no text signal i2c0: %+v", w.Signals)
	}
	if s, ok := w.Signal("i2c1"); !ok || len(s.Labels) != 0 || len(w.Of("i2c1")) != 0 {
		t.Errorf("the unused bus: %+v, %v", s, w.Of("i2c1"))
	}
	s, _ := w.Signal("i2c0")
	var got []string
	for _, c := range w.Of("i2c0") {
		got = append(got, c.String()+" "+s.Labels[c.Value])
	}
	want := []string{
		"0.000 i2c0 0 76 w d0 r1",
		"0.250 i2c0 1 3x 76 w f4 27; 76 w f5 00; 50 w 00 NACK",
		"0.500 i2c0 2 5x 76 w d0 r1; 76 w d0 r1; 76 w d0 r1; …",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the bus's lane:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The LED's change and the bus's at 0.250 both stand, in time order.
	if v, _ := w.ValueAt("i2c0-led", 300*time.Millisecond); v != 1 {
		t.Errorf("the LED at 0.3 s: %d", v)
	}
	var b bytes.Buffer
	if err := w.WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	for _, wantVCD := range []string{"$var string 1", " i2c0 $end", "#250000000\n1!\ns3x_76_w_f4_27;_76_w_f5_00;_50_w_00_NACK \"\n"} {
		if !strings.Contains(b.String(), wantVCD) {
			t.Errorf("the VCD has no %q:\n%s", wantVCD, b.String())
		}
	}
	// Without buses the waveform is the pins' alone.
	if n := len(sim.Waveform().Signals); n != len(w.Signals)-2 {
		t.Errorf("Waveform has %d signals, WaveformWithBuses %d", n, len(w.Signals))
	}
}
