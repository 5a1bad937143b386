package linuxbus_test

import (
	"errors"
	"image/color"
	"slices"
	"strings"
	"testing"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxbus"
)

// writeRecord is an SPI connection that keeps what is written to it and
// reads zeros.
type writeRecord struct{ w [][]byte }

func (c *writeRecord) String() string                 { return "record" }
func (c *writeRecord) Duplex() conn.Duplex            { return conn.Full }
func (c *writeRecord) TxPackets(p []spi.Packet) error { return errors.New("no packets") }
func (c *writeRecord) Tx(w, r []byte) error {
	c.w = append(c.w, slices.Clone(w))
	clear(r)
	return nil
}

// A board file's SPI bus opens at its device and frequency, and a WS2812
// strip on it is driven with board.WS2812SPI: the bytes that go to the
// port are those the simulated strip decodes into the same colours.
func TestOpenSPIAndStrip(t *testing.T) {
	spec, err := board.ReadSpecFile("../../examples/strip/testdata/strip.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := &writeRecord{}
	var opened []string
	cfg := linuxbus.Config{OpenSPI: func(name, device string, hz int) (*linuxbus.SPI, error) {
		opened = append(opened, name+"="+device+"@"+(physic.Frequency(hz)*physic.Hertz).String())
		return linuxbus.NewSPI(name, rec), nil
	}}
	b, err := linuxbus.Open(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if strings.Join(opened, " ") != "spi0=/dev/spidev0.0@3.200MHz" {
		t.Errorf("opened %q", opened)
	}
	port, err := b.SPI("spi0")
	if err != nil {
		t.Fatal(err)
	}
	want := []color.RGBA{{R: 0xff, A: 0xff}, {G: 0x80, A: 0xff}, {B: 0x01, A: 0xff}}
	if err := board.NewWS2812SPI(port).WriteColors(want); err != nil {
		t.Fatal(err)
	}
	if len(rec.w) != 1 {
		t.Fatalf("%d transfers on the port, want 1", len(rec.w))
	}

	// The same bytes on the simulated strip.
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.SimSPIBus("spi0").Tx(rec.w[0], nil); err != nil {
		t.Fatal(err)
	}
	if got := sim.SimWS2812("strip").Colours()[:3]; !slices.Equal(got, want) {
		t.Errorf("the port's bytes show %v on the simulated strip, want %v", got, want)
	}

	for _, c := range []struct {
		get  func() error
		want string
	}{
		{func() error { _, err := b.SPI("strip"); return err }, `part "strip" is a ws2812, not an SPI bus`},
		{func() error { _, err := b.I2C("spi0"); return err }, `part "spi0" is a spi, not an I2C bus`},
	} {
		if err := c.get(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	noDevice := *spec
	noDevice.Parts = slices.Clone(spec.Parts)
	noDevice.Parts[1].Device = ""
	if _, err := linuxbus.Open(&noDevice, cfg); err == nil || !strings.Contains(err.Error(), `part "spi0": no "device"`) {
		t.Errorf("an spi part without a device: %v", err)
	}
	for _, k := range []board.Kind{board.KindSPI, board.KindWS2812} {
		if !linuxbus.IsBusPart(k) {
			t.Errorf("%s is not a bus part", k)
		}
	}
}
