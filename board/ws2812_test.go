package board_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
)

func newSPIBoard(t *testing.T, hz int) (*asyncio.Loop, *board.Sim, *board.SimSPI) {
	t.Helper()
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	t.Cleanup(func() { loop.Close() })
	sim := board.NewSim(loop)
	bus := sim.AddSPI("spi0")
	if err := bus.SetFrequency(hz); err != nil {
		t.Fatal(err)
	}
	return loop, sim, bus
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

var (
	red   = rgb(0xff, 0, 0)
	green = rgb(0, 0xff, 0)
	blue  = rgb(0, 0, 0xff)
	black = rgb(0, 0, 0)
)

// TestWS2812OverSPI writes colours through the strip driver's path, the
// SPI bus's MOSI, and reads them back from the strip: at the usual SPI
// clocks the strip decodes every bit; the transfer is recorded with the
// loop's time.
func TestWS2812OverSPI(t *testing.T) {
	for _, hz := range []int{2_400_000, 3_200_000, 4_000_000} {
		t.Run(fmt.Sprint(hz), func(t *testing.T) {
			loop, sim, bus := newSPIBoard(t, hz)
			strip, err := sim.AddWS2812("strip", bus, 4)
			if err != nil {
				t.Fatal(err)
			}
			if got := strip.Colours(); !slices.Equal(got, []color.RGBA{black, black, black, black}) {
				t.Fatalf("a new strip shows %v, want all out", got)
			}
			var ws board.LEDStrip = board.NewWS2812SPI(bus)
			want := []color.RGBA{red, green, blue, rgb(0x12, 0x34, 0x56)}
			run(t, loop, func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
					return err
				}
				return ws.WriteColors(want)
			})
			if got := strip.Colours(); !slices.Equal(got, want) {
				t.Errorf("the strip shows %v, want %v", got, want)
			}
			if got := strip.Text(); got != "ff0000 00ff00 0000ff 123456" {
				t.Errorf("Text() = %q", got)
			}
			if strip.Frames() != 1 {
				t.Errorf("Frames() = %d, want 1", strip.Frames())
			}
			ts := sim.Transfers()
			if len(ts) != 1 || !ts[0].SPI || ts[0].Bus != "spi0" || ts[0].At != 250*time.Millisecond || ts[0].Err != nil {
				t.Fatalf("transfers: %v", ts)
			}
			// Four SPI bytes a colour byte, 1000 for a 0 and 1110 for a 1,
			// then the reset: green 0x00 of the first LED, then red 0xff.
			w := ts[0].W
			if len(w) != 4*3*4+150 || !bytes.Equal(w[:8], []byte{0x88, 0x88, 0x88, 0x88, 0xee, 0xee, 0xee, 0xee}) {
				t.Errorf("the bytes out: % x…, %d of them", w[:min(len(w), 8)], len(w))
			}
			if got := ts[0].String(); !strings.HasPrefix(got, "0.250 spi0 w 88 88 88 88 ee ee ee ee 88") {
				t.Errorf("String() = %q", got)
			}
			if got := ts[0].Frame(); got != "w 88 88 88 88 …(198 bytes)" {
				t.Errorf("Frame() = %q", got)
			}
		})
	}
}

// The brightness scales the colours as TinyGo's ws2812 driver does.
func TestWS2812SPIBrightness(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 2)
	ws := board.NewWS2812SPI(bus)
	ws.SetBrightness(127)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		return ws.WriteColors([]color.RGBA{rgb(0xff, 0x80, 0), rgb(0, 0xff, 0x80)})
	})
	if got, want := strip.Colours(), []color.RGBA{rgb(0x7f, 0x40, 0), rgb(0, 0x7f, 0x40)}; !slices.Equal(got, want) {
		t.Errorf("at brightness 127 the strip shows %v, want %v", got, want)
	}
}

// A frame shorter than the strip leaves the LEDs it did not reach as they
// were; the bits of a longer one run off its end.
func TestWS2812ShortAndLongFrames(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 3)
	ws := board.NewWS2812SPI(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		if err := ws.WriteColors([]color.RGBA{red, red, red}); err != nil {
			return err
		}
		if err := ws.WriteColors([]color.RGBA{green}); err != nil {
			return err
		}
		if got, want := strip.Colours(), []color.RGBA{green, red, red}; !slices.Equal(got, want) {
			t.Errorf("after a frame of one LED: %v, want %v", got, want)
		}
		// Raw bytes, as TinyGo's Write takes them: green, red, blue.
		if _, err := ws.Write([]byte{0, 0, 0xff, 0, 0, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff}); err != nil {
			return err
		}
		return nil
	})
	if got, want := strip.Colours(), []color.RGBA{blue, blue, blue}; !slices.Equal(got, want) {
		t.Errorf("after a frame longer than the strip: %v, want %v", got, want)
	}
	if strip.Frames() != 3 {
		t.Errorf("Frames() = %d, want 3", strip.Frames())
	}
}

// Bytes with no reset after them show once the line has idled for the
// reset time on the loop's clock, not before: more bytes sent first join
// the same frame.
func TestWS2812LatchesWhenIdle(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 2)
	ws := board.NewWS2812SPI(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		for _, c := range []byte{0, 0xff, 0} { // red, a byte at a time
			if err := ws.WriteByte(c); err != nil {
				return err
			}
		}
		if err := asyncio.Sleep(ctx, 10*time.Microsecond); err != nil {
			return err
		}
		for _, c := range []byte{0xff, 0, 0} { // green
			if err := ws.WriteByte(c); err != nil {
				return err
			}
		}
		if got := strip.Colours(); !slices.Equal(got, []color.RGBA{black, black}) {
			t.Errorf("before the line has idled: %v, want nothing shown yet", got)
		}
		if err := asyncio.Sleep(ctx, board.WS2812Reset-time.Nanosecond); err != nil {
			return err
		}
		if strip.Frames() != 0 {
			t.Error("the strip latched before the reset time")
		}
		return asyncio.Sleep(ctx, time.Microsecond)
	})
	if got, want := strip.Colours(), []color.RGBA{red, green}; !slices.Equal(got, want) {
		t.Errorf("after the reset time: %v, want %v", got, want)
	}
	if c := strip.Changes(); len(c) != 1 || c[0].At != 10*time.Microsecond+board.WS2812Reset {
		t.Errorf("Changes() = %v, want one at %v", c, 10*time.Microsecond+board.WS2812Reset)
	}
}

// A bus too fast for the strip makes pulses it cannot read: the write
// fails with an error that says so, and the strip shows nothing of it. Too
// slow a bus makes every pulse a long one: the strip shows white, as a
// real one would.
func TestWS2812WrongFrequency(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, 8_000_000)
	strip, _ := sim.AddWS2812("strip", bus, 2)
	ws := board.NewWS2812SPI(bus)
	var err error
	run(t, loop, func(ctx *asyncio.Ctx) error {
		err = ws.WriteColors([]color.RGBA{red, green})
		return nil
	})
	if !errors.Is(err, board.ErrRefused) || !strings.Contains(err.Error(), "125ns (1 SPI bits at 8 MHz)") || !strings.Contains(err.Error(), `"strip"`) {
		t.Errorf("at 8 MHz: %v", err)
	}
	if got := strip.Colours(); !slices.Equal(got, []color.RGBA{black, black}) || strip.Frames() != 0 {
		t.Errorf("at 8 MHz the strip shows %v, want nothing", got)
	}
	if ts := sim.Transfers(); len(ts) != 1 || ts[0].Err == nil || !strings.HasSuffix(ts[0].Frame(), " error") {
		t.Errorf("the failed transfer's record: %v", ts)
	}

	if err := bus.SetFrequency(1_000_000); err != nil {
		t.Fatal(err)
	}
	run(t, loop, func(ctx *asyncio.Ctx) error { return ws.WriteColors([]color.RGBA{red, green}) })
	white := rgb(0xff, 0xff, 0xff)
	if got := strip.Colours(); !slices.Equal(got, []color.RGBA{white, white}) {
		t.Errorf("at 1 MHz the strip shows %v, want white", got)
	}
}

// spiDevice is a device that answers each byte with its complement.
type spiDevice struct{ got []byte }

func (d *spiDevice) Exchange(w, r []byte) error {
	d.got = append(d.got, w...)
	for i, c := range w {
		r[i] = ^c
	}
	return nil
}

// The bus pads the shorter of w and r, reads 0xff where no device drives
// MISO, and passes a transfer only to the selected devices.
func TestSPIBus(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, 1_000_000)
	cs := sim.AddPin("cs", board.PinOutput)
	cs.High()
	dev := &spiDevice{}
	if err := bus.Attach(dev, cs); err != nil {
		t.Fatal(err)
	}
	if err := bus.Attach(dev, nil); err == nil {
		t.Error("attaching a device twice: no error")
	}
	if err := bus.Attach(nil, nil); err == nil {
		t.Error("attaching nil: no error")
	}
	var spi board.SPI
	spi, err := sim.SPI("spi0")
	if err != nil || spi != bus {
		t.Fatalf("SPI(spi0) = %v, %v", spi, err)
	}
	run(t, loop, func(ctx *asyncio.Ctx) error {
		r := make([]byte, 3)
		if err := spi.Tx([]byte{0x01, 0x02, 0x03}, r); err != nil || !bytes.Equal(r, []byte{0xff, 0xff, 0xff}) {
			t.Errorf("not selected: read % x, %v; want ff ff ff", r, err)
		}
		cs.Low()
		r = make([]byte, 4)
		if err := spi.Tx([]byte{0x9f}, r); err != nil || !bytes.Equal(r, []byte{0x60, 0xff, 0xff, 0xff}) {
			t.Errorf("selected: read % x, %v; want 60 ff ff ff", r, err)
		}
		if b, err := spi.Transfer(0x0f); err != nil || b != 0xf0 {
			t.Errorf("Transfer(0x0f) = %#x, %v", b, err)
		}
		r = make([]byte, 1)
		if err := spi.Tx([]byte{0xaa, 0x55}, r); err != nil || r[0] != 0x55 {
			t.Errorf("a longer write: read % x, %v", r, err)
		}
		if err := spi.Tx(nil, nil); !errors.Is(err, board.ErrBadTransfer) {
			t.Errorf("an empty transfer: %v, want ErrBadTransfer", err)
		}
		return nil
	})
	if want := []byte{0x9f, 0, 0, 0, 0x0f, 0xaa, 0x55}; !bytes.Equal(dev.got, want) {
		t.Errorf("the device saw % x, want % x", dev.got, want)
	}
	var got []string
	for _, tr := range sim.Transfers() {
		got = append(got, tr.String())
	}
	want := []string{
		"0.000 spi0 w 01 02 03 r ff ff ff",
		"0.000 spi0 w 9f r 60 ff ff ff",
		"0.000 spi0 w 0f r f0",
		"0.000 spi0 w aa 55 r 55",
		"0.000 spi0 error: board: spi0: malformed transfer: nothing to write or read",
	}
	if !slices.Equal(got, want) {
		t.Errorf("transfers:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := bus.SetFrequency(999); err == nil {
		t.Error("SetFrequency(999): no error")
	}
	if _, err := sim.SPI("cs"); err == nil || !strings.Contains(err.Error(), `"cs" is not a SPI bus`) {
		t.Errorf("SPI(cs): %v", err)
	}
}

func TestAddWS2812BadInput(t *testing.T) {
	_, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	if _, err := sim.AddWS2812("a", nil, 8); err == nil {
		t.Error("no bus: no error")
	}
	for _, n := range []int{0, -1, board.MaxStripLEDs + 1} {
		if _, err := sim.AddWS2812("b", bus, n); err == nil || !strings.Contains(err.Error(), "want 1 to 1024") {
			t.Errorf("%d LEDs: %v", n, err)
		}
	}
}

// The SPI bus's transfers and the strip's colours are text lanes in the
// waveform, and string signals in its VCD.
func TestWaveformWithSPIAndStrip(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 2)
	ws := board.NewWS2812SPI(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		if err := ws.WriteColors([]color.RGBA{red, black}); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, 500*time.Millisecond); err != nil {
			return err
		}
		// The strip hears this too (it has no chip select), as two bits
		// and no whole LED, which it drops when the line has idled.
		bus.Tx([]byte{0x9f}, make([]byte, 2))
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		return ws.WriteColors([]color.RGBA{red, blue})
	})
	w := sim.WaveformWithBuses()
	lane := func(name string) []string {
		s, ok := w.Signal(name)
		if !ok || s.Kind != wave.Text {
			t.Fatalf("no text signal %s: %+v", name, w.Signals)
		}
		var got []string
		if s.Init != wave.Unknown {
			got = append(got, "init "+s.Labels[s.Init])
		}
		for _, c := range w.Of(name) {
			got = append(got, c.String()+" "+s.Labels[c.Value])
		}
		return got
	}
	want := []string{
		"0.000 spi0 0 w 88 88 88 88 …(174 bytes)",
		"0.500 spi0 1 w 9f r ff ff",
		"0.501 spi0 0 w 88 88 88 88 …(174 bytes)",
	}
	if got := lane("spi0"); !slices.Equal(got, want) {
		t.Errorf("the bus's lane:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	want = []string{"init 000000 000000", "0.000 strip 1 ff0000 000000", "0.501 strip 2 ff0000 0000ff"}
	if got := lane("strip"); !slices.Equal(got, want) {
		t.Errorf("the strip's lane:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var vcd bytes.Buffer
	if err := w.WriteVCD(&vcd); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"$var string 1", " strip $end", " spi0 $end", "sff0000_0000ff"} {
		if !strings.Contains(vcd.String(), s) {
			t.Errorf("the VCD has no %q:\n%s", s, vcd.String())
		}
	}
	if strip.Frames() != 2 {
		t.Errorf("Frames() = %d, want 2: the stray bits are no frame", strip.Frames())
	}
}

// After bits the strip cannot read, it ignores the line until it has been
// low for the reset time; the next frame then shows.
func TestWS2812RecoversAfterBadBits(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 1)
	ws := board.NewWS2812SPI(bus)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		// A 0, then a high of 20 SPI bits, 6.25 µs: no bit a WS2812 reads.
		if err := bus.Tx([]byte{0x80, 0xff, 0xff, 0xf0, 0x00}, nil); !errors.Is(err, board.ErrRefused) || !strings.Contains(err.Error(), "6.25µs (20 SPI bits at 3.2 MHz)") {
			t.Errorf("bad bits: %v, want ErrRefused", err)
		}
		if err := ws.WriteColors([]color.RGBA{green}); err != nil {
			t.Errorf("right after: %v", err)
		}
		if got := strip.Colours(); !slices.Equal(got, []color.RGBA{black}) {
			t.Errorf("right after bad bits the strip shows %v, want nothing: it is out of step", got)
		}
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		return ws.WriteColors([]color.RGBA{blue})
	})
	if got := strip.Colours(); !slices.Equal(got, []color.RGBA{blue}) {
		t.Errorf("once the line has idled: %v, want blue", got)
	}
}
