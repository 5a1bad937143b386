package board

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board/wave"
)

// LEDStrip is a strip of RGB LEDs in the shape of TinyGo's ws2812.Device:
// WriteColors sends one colour per LED, the first LED's first, and the
// strip shows them. TinyGo's ws2812.Device (a microcontroller's pin,
// bit-banged or a PIO) and WS2812SPI (any SPI bus: the simulated board's,
// a Linux spidev) implement it, so a program written against LEDStrip runs
// on either.
type LEDStrip interface {
	WriteColors(buf []color.RGBA) error
}

// MaxStripLEDs is the longest simulated strip.
const MaxStripLEDs = 1024

// A WS2812 reads its data line by the length of each high pulse; these are
// the lengths the simulated strip takes, wider than the datasheet's 0.4 and
// 0.8 µs ±150 ns, as real chips are lenient: a 0 is high for 0.2 to 0.5
// µs, a 1 for 0.55 to 5 µs, and a low of 50 µs or more (the WS2812's
// reset; a WS2812B-V5 wants 280 µs, which WS2812SPI sends) latches what
// the strip has taken.
const (
	WS2812MinHigh = 200 * time.Nanosecond
	WS2812MaxZero = 500 * time.Nanosecond
	WS2812MinOne  = 550 * time.Nanosecond
	WS2812MaxOne  = 5 * time.Microsecond
	WS2812Reset   = 50 * time.Microsecond
)

// StripChange is a change of a strip's colours, at a time of the loop's
// clock: the colours of all its LEDs from then on.
type StripChange struct {
	At      time.Duration
	Colours []color.RGBA
}

// SimWS2812 is a strip of WS2812 (NeoPixel) RGB LEDs on a simulated SPI
// bus's MOSI line, the usual way to drive one from a controller that
// cannot time a pin to the nanosecond (Linux's spidev, an SPI peripheral):
// each data bit goes out as a few SPI bits, a short high pulse for a 0 and
// a long one for a 1. The strip decodes what comes on MOSI as a real one
// does, by the length of each high pulse at the bus's clock (see
// WS2812MinHigh and the others), so a bus at the wrong frequency shows: too
// fast, and the pulses are too short to read (an error says so); too slow,
// and every bit reads as a 1 (white). WS2812SPI encodes colours that way.
//
// Each LED takes the first 24 bits that reach it, green, red and blue, most
// significant bit first, and passes the rest on; the bits beyond the last
// LED are lost. What the LEDs have taken shows when the line has been low
// for WS2812Reset: within the bytes (WS2812SPI ends each write with that
// much low), or once the loop's clock has moved that far past the last
// transfer. LEDs a frame did not reach keep their colours. A strip has no
// chip select: it hears every transfer on its bus.
type SimWS2812 struct {
	sim    *Sim
	name   string
	bus    *SimSPI
	shown  []color.RGBA
	frame  []byte // the bytes taken since the last reset
	nbits  int    // bits taken in the last byte of frame, 0 to 7
	high   bool   // MOSI's level at the end of the last transfer
	run    int    // SPI bits MOSI has been at that level
	bad    bool   // the frame went wrong: ignore the line until a reset
	idle   *asyncio.Handle
	frames int

	changes  []StripChange
	dropped  bool // the oldest changes were dropped
	onChange []func()
}

var _ SPITarget = (*SimWS2812)(nil)

// AddWS2812 adds a strip of n WS2812 LEDs named name on bus's MOSI, all
// out. It panics if the board already has a part with that name, and
// returns an error if bus is nil or n is not 1 to MaxStripLEDs.
func (s *Sim) AddWS2812(name string, bus *SimSPI, n int) (*SimWS2812, error) {
	if bus == nil {
		return nil, fmt.Errorf("board: WS2812 strip %q: no SPI bus", name)
	}
	if n < 1 || n > MaxStripLEDs {
		return nil, fmt.Errorf("board: WS2812 strip %q: %d LEDs, want 1 to %d", name, n, MaxStripLEDs)
	}
	d := &SimWS2812{sim: s, name: name, bus: bus, shown: make([]color.RGBA, n)}
	for i := range d.shown {
		d.shown[i].A = 0xff
	}
	d.run = 1 << 30 // idle low for long
	if err := s.attachDevice(name, d, func() error { return bus.Attach(d, nil) }); err != nil {
		return nil, err
	}
	return d, nil
}

// SimWS2812 returns the strip named name, or nil.
func (s *Sim) SimWS2812(name string) *SimWS2812 { d, _ := s.parts[name].(*SimWS2812); return d }

// Name returns the strip's name.
func (d *SimWS2812) Name() string { return d.name }

// Len returns how many LEDs the strip has.
func (d *SimWS2812) Len() int { return len(d.shown) }

// Bus returns the bus the strip is on.
func (d *SimWS2812) Bus() *SimSPI { return d.bus }

// Colours returns a copy of the colours the LEDs show, the first LED's
// first; an LED that is out is black. Alpha is 0xff.
func (d *SimWS2812) Colours() []color.RGBA { return append([]color.RGBA(nil), d.shown...) }

// Frames returns how many frames the strip has latched, not counting
// those too short to reach one LED or that it could not read.
func (d *SimWS2812) Frames() int { return d.frames }

// OnChange makes fn be called after each change of the strip's colours.
func (d *SimWS2812) OnChange(fn func()) { d.onChange = append(d.onChange, fn) }

// maxStripChanges is how many changes a strip keeps for its waveform lane.
const maxStripChanges = 1 << 12

// Changes returns a copy of the changes of the strip's colours recorded so
// far, oldest first (at most the latest 4096).
func (d *SimWS2812) Changes() []StripChange { return append([]StripChange(nil), d.changes...) }

// Text returns the colours as hex triples, "ff0000 00ff00 000000".
func (d *SimWS2812) Text() string { return stripLabel(d.shown, len(d.shown)) }

// stripLaneLEDs is how many LEDs a strip's waveform lane lists.
const stripLaneLEDs = 8

// lane is the strip's text signal for WaveformWithBuses: its colours at
// each change, the first stripLaneLEDs LEDs listed.
func (d *SimWS2812) lane() (wave.Signal, []wave.Change) {
	sig := wave.Signal{Name: d.name, Kind: wave.Text, Init: wave.Unknown}
	index := map[string]int{}
	value := func(label string) int {
		v, ok := index[label]
		if !ok {
			v = len(sig.Labels)
			index[label] = v
			sig.Labels = append(sig.Labels, label)
		}
		return v
	}
	if !d.dropped {
		sig.Init = value(stripLabel(make([]color.RGBA, len(d.shown)), stripLaneLEDs))
	}
	var changes []wave.Change
	for _, c := range d.changes {
		ch := wave.Change{At: c.At, Signal: d.name, Value: value(stripLabel(c.Colours, stripLaneLEDs))}
		if n := len(changes); n > 0 && changes[n-1].At == c.At {
			changes[n-1] = ch // latched twice at one time: the last shows
			continue
		}
		changes = append(changes, ch)
	}
	return sig, changes
}

// stripLabel formats colours as hex triples, at most most of them.
func stripLabel(cs []color.RGBA, most int) string {
	var b strings.Builder
	for i, c := range cs {
		if i == most {
			fmt.Fprintf(&b, " …(%d LEDs)", len(cs))
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%02x%02x%02x", c.R, c.G, c.B)
	}
	return b.String()
}

// Exchange implements SPITarget: it takes the bits on MOSI.
func (d *SimWS2812) Exchange(w, _ []byte) error {
	if d.idle != nil {
		d.idle.Cancel()
		d.idle = nil
	}
	hz := int64(d.bus.hz)
	resetBits := int((int64(WS2812Reset)*hz + int64(time.Second) - 1) / int64(time.Second))
	var err error
	for i, c := range w {
		for k := 7; k >= 0; k-- {
			high := c>>k&1 == 1
			if high == d.high {
				d.run++
				if !high && d.run == resetBits {
					d.latch()
				}
				continue
			}
			if d.high {
				if e := d.pulse(); e != nil && err == nil {
					err = fmt.Errorf("%w (the pulse ends at bit %d of byte %d)", e, 7-k, i)
				}
			}
			d.high, d.run = high, 1
		}
	}
	if d.high || d.bad || len(d.frame) > 0 || d.nbits > 0 {
		// The line idles low once the program stops sending: the strip
		// latches WS2812Reset later, unless more comes first.
		d.idle = d.sim.loop.CallLater(WS2812Reset, d.idleLatch)
	}
	return err
}

// pulse takes a high pulse of d.run bits at the bus's clock: a 0 or a 1.
func (d *SimWS2812) pulse() error {
	if d.bad {
		return nil
	}
	long := time.Duration(int64(d.run) * int64(time.Second) / int64(d.bus.hz))
	var one bool
	switch {
	case long >= WS2812MinHigh && long <= WS2812MaxZero:
	case long >= WS2812MinOne && long <= WS2812MaxOne:
		one = true
	default:
		d.bad, d.frame, d.nbits = true, d.frame[:0], 0
		return fmt.Errorf("%w: WS2812 strip %q: a high pulse of %v (%d SPI bits at %s) is neither a 0 (%v to %v) nor a 1 (%v to %v); "+
			"WS2812 over SPI wants the bus at about 2.4 to 4 MHz and each data bit as 3 or 4 SPI bits (see WS2812SPI)",
			ErrRefused, d.name, long, d.run, formatHz(d.bus.hz), WS2812MinHigh, WS2812MaxZero, WS2812MinOne, WS2812MaxOne)
	}
	if d.nbits == 0 {
		if len(d.frame) == 3*len(d.shown) {
			return nil // past the last LED: the bits leave the strip
		}
		d.frame = append(d.frame, 0)
	}
	if one {
		d.frame[len(d.frame)-1] |= 0x80 >> d.nbits
	}
	d.nbits = (d.nbits + 1) % 8
	return nil
}

// idleLatch latches once the line has idled low for WS2812Reset after the
// last transfer.
func (d *SimWS2812) idleLatch() {
	d.idle = nil
	if d.high {
		d.pulse() // the pulse ends as the line drops
	}
	d.high, d.run = false, 1<<30
	d.latch()
}

// latch shows the LEDs' new colours and starts a new frame.
func (d *SimWS2812) latch() {
	frame, bad := d.frame, d.bad
	if d.nbits > 0 {
		frame = frame[:len(frame)-1] // a byte not taken whole: its LED keeps its colour
	}
	d.frame, d.nbits, d.bad = d.frame[:0], 0, false
	if bad || len(frame) < 3 {
		return // not one LED's worth
	}
	d.frames++
	changed := false
	for i := 0; i < len(d.shown) && 3*i+2 < len(frame); i++ {
		c := color.RGBA{R: frame[3*i+1], G: frame[3*i], B: frame[3*i+2], A: 0xff}
		if c != d.shown[i] {
			d.shown[i], changed = c, true
		}
	}
	if !changed {
		return
	}
	if len(d.changes) >= maxStripChanges {
		n := copy(d.changes, d.changes[maxStripChanges/2:])
		d.changes, d.dropped = d.changes[:n], true
	}
	d.changes = append(d.changes, StripChange{At: d.sim.loop.Time(), Colours: d.Colours()})
	if d.sim.viewer != nil {
		d.sim.viewer.colours(d)
	}
	for _, fn := range d.onChange {
		fn()
	}
}

// formatHz formats a frequency: "3.2 MHz", "400 kHz".
func formatHz(hz int) string {
	switch {
	case hz >= 1_000_000:
		return fmt.Sprintf("%g MHz", float64(hz)/1e6)
	case hz >= 1_000:
		return fmt.Sprintf("%g kHz", float64(hz)/1e3)
	}
	return fmt.Sprintf("%d Hz", hz)
}

// WS2812SPIFrequency is the SPI clock WS2812SPI is made for: at 3.2 MHz
// its 0 is high for 0.31 µs and its 1 for 0.94 µs, each bit 1.25 µs, as
// the WS2812's datasheet asks. The strip also takes it at 2.4 to 4 MHz
// (TinyGo's default SPI clock).
const WS2812SPIFrequency = 3_200_000

// ws2812ResetBytes is the low WS2812SPI ends each write with: 150 zero
// bytes, 300 µs at 4 MHz, more than a WS2812B's 280 µs reset.
const ws2812ResetBytes = 150

// WS2812SPI drives a WS2812 (NeoPixel) strip from an SPI bus's MOSI line,
// as Linux's rpi_ws281x and Zephyr's ws2812-spi do on controllers that
// cannot bit-bang the strip's 1.25 µs bits: each data bit goes out as four
// SPI bits, 1000 for a 0 and 1110 for a 1, so each colour byte is four SPI
// bytes, and each write ends with a low long enough to latch. Run the bus
// at WS2812SPIFrequency.
//
// It has the methods of TinyGo's ws2812.Device (WriteColors, Write,
// WriteByte, SetBrightness), with the same byte order (green, red, blue)
// and brightness scaling, so code written for TinyGo's driver drives it
// unchanged; it implements LEDStrip.
type WS2812SPI struct {
	bus        SPI
	brightness uint8
	buf        []byte
}

var _ LEDStrip = (*WS2812SPI)(nil)

// NewWS2812SPI returns a WS2812 strip driver on bus, at full brightness.
func NewWS2812SPI(bus SPI) *WS2812SPI { return &WS2812SPI{bus: bus, brightness: 255} }

// SetBrightness sets the brightness WriteColors scales the colours by, 0
// (out) to 255 (as given), as TinyGo's ws2812 driver does.
func (d *WS2812SPI) SetBrightness(b uint8) { d.brightness = b }

// WriteColors sends one colour per LED, the first LED's first, scaled by
// the brightness, then the low that latches them. Alpha is ignored.
func (d *WS2812SPI) WriteColors(buf []color.RGBA) error {
	raw := make([]byte, 0, 3*len(buf))
	scale := uint16(d.brightness) + 1
	for _, c := range buf {
		r := uint8(uint16(c.R) * scale >> 8)
		g := uint8(uint16(c.G) * scale >> 8)
		b := uint8(uint16(c.B) * scale >> 8)
		raw = append(raw, g, r, b)
	}
	_, err := d.Write(raw)
	return err
}

// Write sends raw bytes as they go on the strip (green, red, blue for each
// LED), then the low that latches them. It returns len(buf) and the bus's
// error.
func (d *WS2812SPI) Write(buf []byte) (int, error) {
	d.buf = encodeWS2812(d.buf[:0], buf)
	for range ws2812ResetBytes {
		d.buf = append(d.buf, 0)
	}
	if err := d.bus.Tx(d.buf, nil); err != nil {
		return 0, err
	}
	return len(buf), nil
}

// WriteByte sends one raw byte with no latch after it: the strip latches
// once the bus has been quiet for its reset time, as with TinyGo's driver.
func (d *WS2812SPI) WriteByte(c byte) error {
	return d.bus.Tx(encodeWS2812(nil, []byte{c}), nil)
}

// encodeWS2812 appends each bit of p to dst as four SPI bits: 1000 for a
// 0, 1110 for a 1.
func encodeWS2812(dst, p []byte) []byte {
	nibble := func(bit byte) byte { return 0b1000 | bit*0b0110 }
	for _, c := range p {
		for k := 6; k >= 0; k -= 2 {
			dst = append(dst, nibble(c>>(k+1)&1)<<4|nibble(c>>k&1))
		}
	}
	return dst
}
