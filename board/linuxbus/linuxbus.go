// Package linuxbus puts a program's buses and analogue inputs on Linux's
// devices, through periph.io: an I2C bus on /dev/i2c-N (periph's sysfs
// driver, found through i2creg), an SPI port on /dev/spidevB.C (spireg),
// and an analogue input on an IIO converter's sysfs file
// (/sys/bus/iio/devices/iio:deviceN/in_voltageC_raw).
//
// Each implements its interface of package board (board.I2C, board.SPI,
// board.ADC), in the shape of TinyGo's, so that TinyGo's drivers run on
// them unchanged, as they do on the simulated board. Their calls block:
// an I2C transfer is an ioctl that lasts the bytes' time on the wire. A
// task makes them through board.Blocking, which runs them on another
// goroutine, one call per bus at a time, while the loop runs the other
// tasks; none of these types is board.OnLoop.
//
// Open opens the buses and inputs a board file describes (Buses
// implements board.Buses); board/linuxgpio's Open does it for the bus
// parts of a board that also has GPIO lines.
package linuxbus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	_ "periph.io/x/host/v3/gpioioctl" // sysfs's GPIO driver needs it
	_ "periph.io/x/host/v3/sysfs"     // registers the drivers of /dev/i2c-N and /dev/spidevB.C

	"github.com/goasyncio/asyncio/board"
)

// initHost registers periph's drivers once.
var initHost = sync.OnceValue(func() error {
	// The sysfs drivers registered themselves; driverreg.Init runs them,
	// once for the whole program.
	if _, err := driverreg.Init(); err != nil {
		return fmt.Errorf("linuxbus: periph: %w", err)
	}
	return nil
})

// I2C is an I2C bus: a periph i2c.Bus in the shape of board.I2C.
type I2C struct {
	name string
	bus  i2c.Bus
}

var _ board.I2C = (*I2C)(nil)

// NewI2C returns the bus bus, named name in errors.
func NewI2C(name string, bus i2c.Bus) *I2C { return &I2C{name: name, bus: bus} }

// OpenI2C opens the I2C bus device ("/dev/i2c-1", or periph's name for
// it, "I2C1" or "1"), named name in errors. The bus is Linux's; close it
// with Close.
func OpenI2C(name, device string) (*I2C, error) {
	if err := initHost(); err != nil {
		return nil, err
	}
	bus, err := i2creg.Open(device)
	if err != nil {
		return nil, fmt.Errorf("linuxbus: %s: I2C bus %q: %w", name, device, err)
	}
	return NewI2C(name, bus), nil
}

// Name returns the bus's name.
func (b *I2C) Name() string { return b.name }

// Bus returns periph's bus.
func (b *I2C) Bus() i2c.Bus { return b.bus }

// Tx writes w to the device at addr and reads len(r) bytes into r, as
// board.I2C says. Its errors name the bus and the address.
func (b *I2C) Tx(addr uint16, w, r []byte) error {
	if addr > 0x7f {
		return fmt.Errorf("linuxbus: %s: address 0x%x: %w: want a 7-bit address", b.name, addr, board.ErrBadTransfer)
	}
	if len(w) == 0 && len(r) == 0 {
		return fmt.Errorf("linuxbus: %s: address 0x%02x: %w: nothing to write or read", b.name, addr, board.ErrBadTransfer)
	}
	if err := b.bus.Tx(addr, w, r); err != nil {
		return fmt.Errorf("linuxbus: %s: address 0x%02x: %w", b.name, addr, err)
	}
	return nil
}

// Close closes the bus if periph's can be closed.
func (b *I2C) Close() error {
	if c, ok := b.bus.(i2c.BusCloser); ok {
		return c.Close()
	}
	return nil
}

// SPI is a connection to a device on an SPI port: a periph spi.Conn in the
// shape of board.SPI.
type SPI struct {
	name   string
	conn   spi.Conn
	closer func() error
}

var _ board.SPI = (*SPI)(nil)

// NewSPI returns the connection conn, named name in errors.
func NewSPI(name string, conn spi.Conn) *SPI { return &SPI{name: name, conn: conn} }

// OpenSPI opens the SPI port device ("/dev/spidev0.0", or periph's name
// for it, "SPI0.0") and connects at most at hz in mode with bits a word.
func OpenSPI(name, device string, hz physic.Frequency, mode spi.Mode, bits int) (*SPI, error) {
	if err := initHost(); err != nil {
		return nil, err
	}
	port, err := spireg.Open(device)
	if err != nil {
		return nil, fmt.Errorf("linuxbus: %s: SPI port %q: %w", name, device, err)
	}
	conn, err := port.Connect(hz, mode, bits)
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("linuxbus: %s: SPI port %q: %w", name, device, err)
	}
	s := NewSPI(name, conn)
	s.closer = port.Close
	return s, nil
}

// Name returns the connection's name.
func (s *SPI) Name() string { return s.name }

// Tx writes w while it reads r, full duplex, as board.SPI says: the
// shorter is padded, with zero bytes written or the bytes read dropped.
func (s *SPI) Tx(w, r []byte) error {
	if len(w) == 0 && len(r) == 0 {
		return nil
	}
	ww, rr := w, r
	switch {
	case len(r) > len(w):
		ww = make([]byte, len(r))
		copy(ww, w)
	case len(w) > len(r):
		rr = make([]byte, len(w))
	}
	if err := s.conn.Tx(ww, rr); err != nil {
		return fmt.Errorf("linuxbus: %s: %w", s.name, err)
	}
	if len(rr) != len(r) {
		copy(r, rr)
	}
	return nil
}

// Transfer writes b and returns the byte read meanwhile.
func (s *SPI) Transfer(b byte) (byte, error) {
	r := []byte{0}
	err := s.Tx([]byte{b}, r)
	return r[0], err
}

// Close closes the port, if OpenSPI opened it.
func (s *SPI) Close() error {
	if s.closer != nil {
		return s.closer()
	}
	return nil
}

// IIORoot is where Linux lists its IIO devices.
const IIORoot = "/sys/bus/iio/devices"

// ADC is one channel of an IIO analogue-to-digital converter, read from
// its sysfs file in_voltageN_raw: board.ADC's reading, 0 to 0xFFFF of full
// scale, is the raw value shifted left to 16 bits from the converter's
// resolution. Each reading reads the file, which makes the driver convert:
// microseconds on a SoC's converter, a millisecond or so on one behind SPI.
// A task that reads often goes through board.BlockingOf(ctx, adc, adc.Read).
type ADC struct {
	name string
	path string // of in_voltageN_raw
	bits int

	mu  sync.Mutex
	err error // the last read's
}

var _ board.ADC = (*ADC)(nil)

// DefaultADCBits is the resolution OpenADC takes where the device does
// not say (in scan_elements/in_voltageN_type).
const DefaultADCBits = 12

// OpenADC opens channel of the IIO device ("iio:device0", or a path to
// its directory) under root ("" for IIORoot), named name in errors. The
// resolution is the device's (scan_elements/in_voltageN_type, such as
// "le:u12/16>>0"), or else DefaultADCBits. It reads the channel once, and
// returns the error if that fails.
func OpenADC(name, root, device string, channel int) (*ADC, error) {
	if root == "" {
		root = IIORoot
	}
	dir := device
	if !filepath.IsAbs(device) {
		dir = filepath.Join(root, device)
	}
	if channel < 0 {
		return nil, fmt.Errorf("linuxbus: %s: channel %d", name, channel)
	}
	a := &ADC{
		name: name,
		path: filepath.Join(dir, fmt.Sprintf("in_voltage%d_raw", channel)),
		bits: DefaultADCBits,
	}
	if b, err := os.ReadFile(filepath.Join(dir, "scan_elements", fmt.Sprintf("in_voltage%d_type", channel))); err == nil {
		bits, err := parseBits(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("linuxbus: %s: %w", name, err)
		}
		a.bits = bits
	}
	if _, err := a.Read(); err != nil {
		return nil, err
	}
	return a, nil
}

// parseBits reads the resolution from an IIO channel type: "le:u12/16>>0"
// is 12 bits (s for signed: the sign bit is not counted).
func parseBits(t string) (int, error) {
	_, rest, ok := strings.Cut(t, ":")
	if ok && len(rest) > 1 && (rest[0] == 'u' || rest[0] == 's') {
		signed := rest[0] == 's'
		num, _, _ := strings.Cut(rest[1:], "/")
		if bits, err := strconv.Atoi(num); err == nil && bits > 0 && bits <= 32 {
			if signed {
				bits--
			}
			return bits, nil
		}
	}
	return 0, fmt.Errorf("IIO channel type %q, want one such as le:u12/16>>0", t)
}

// Name returns the input's name.
func (a *ADC) Name() string { return a.name }

// Bits returns the converter's resolution.
func (a *ADC) Bits() int { return a.bits }

// ErrRange is the error of a raw reading outside the converter's range.
var ErrRange = errors.New("reading out of the converter's range")

// Read reads the channel: its raw value shifted to 16 bits, 0 to 0xFFFF.
func (a *ADC) Read() (uint16, error) {
	v, err := a.read()
	a.mu.Lock()
	a.err = err
	a.mu.Unlock()
	return v, err
}

func (a *ADC) read() (uint16, error) {
	b, err := os.ReadFile(a.path)
	if err != nil {
		return 0, fmt.Errorf("linuxbus: %s: %w", a.name, err)
	}
	raw, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("linuxbus: %s: %s holds %q, want a number", a.name, a.path, strings.TrimSpace(string(b)))
	}
	if raw < 0 || raw >= 1<<a.bits {
		return 0, fmt.Errorf("linuxbus: %s: %w: %d with %d bits", a.name, ErrRange, raw, a.bits)
	}
	if a.bits >= 16 {
		return uint16(raw >> (a.bits - 16)), nil
	}
	return uint16(raw << (16 - a.bits)), nil
}

// Get implements board.ADC: Read's value, or 0 if it fails (Err says
// why).
func (a *ADC) Get() uint16 {
	v, _ := a.Read()
	return v
}

// Err returns the error of the last reading, nil if it succeeded.
func (a *ADC) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Config says how Open opens a board file's buses and inputs.
type Config struct {
	// OpenI2C opens an i2c part's bus from its Device; nil means OpenI2C
	// (periph's /dev/i2c-N).
	OpenI2C func(name, device string) (*I2C, error)
	// OpenSPI opens an spi part's port from its Device at hz, in mode 0
	// with 8 bits a word; nil means OpenSPI (periph's /dev/spidevB.C).
	OpenSPI func(name, device string, hz int) (*SPI, error)
	// IIORoot is where the IIO devices are; "" means IIORoot.
	IIORoot string
}

// Buses is the buses and analogue inputs of a board file, on Linux's
// devices. It implements board.Buses.
type Buses struct {
	i2c  map[string]*I2C
	spi  map[string]*SPI
	adc  map[string]*ADC
	kind map[string]board.Kind
}

var _ board.Buses = (*Buses)(nil)

// IsBusPart reports whether a part of kind k is a bus, a device on one or
// an analogue input: one that Open opens (or checks), not a GPIO line.
func IsBusPart(k board.Kind) bool {
	switch k {
	case board.KindI2C, board.KindBME280, board.KindSSD1306, board.KindPotentiometer, board.KindSPI, board.KindWS2812:
		return true
	}
	return false
}

// Open opens spec's buses and analogue inputs: each i2c part's bus at its
// Device, each spi part's port at its Device and Frequency (4 MHz if it
// has none), each potentiometer's IIO channel at its Device and Channel. A
// BME280 or SSD1306 needs its bus to be an i2c part, a WS2812 strip an spi
// part; the program's driver talks to it (board.WS2812SPI for a strip). Other parts (GPIO lines) are left to package
// board/linuxgpio. Open returns an error naming the part, having closed
// what it opened, if one lacks its device or cannot be opened.
func Open(spec *board.Spec, c Config) (*Buses, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if c.OpenI2C == nil {
		c.OpenI2C = OpenI2C
	}
	if c.OpenSPI == nil {
		c.OpenSPI = func(name, device string, hz int) (*SPI, error) {
			return OpenSPI(name, device, physic.Frequency(hz)*physic.Hertz, spi.Mode0, 8)
		}
	}
	b := &Buses{i2c: map[string]*I2C{}, spi: map[string]*SPI{}, adc: map[string]*ADC{}, kind: map[string]board.Kind{}}
	for _, p := range spec.Parts {
		b.kind[p.Name] = p.Kind
		if err := b.add(p, c); err != nil {
			b.Close()
			return nil, fmt.Errorf("linuxbus: part %q: %w", p.Name, err)
		}
	}
	return b, nil
}

func (b *Buses) add(p board.PartSpec, c Config) error {
	switch p.Kind {
	case board.KindI2C:
		if p.Device == "" {
			return errors.New(`no "device" in the board file, such as "/dev/i2c-1"`)
		}
		bus, err := c.OpenI2C(p.Name, p.Device)
		if err != nil {
			return err
		}
		b.i2c[p.Name] = bus
	case board.KindBME280, board.KindSSD1306:
		if b.kind[p.Bus] != board.KindI2C {
			return fmt.Errorf("bus %q is not an i2c part listed before it", p.Bus)
		}
		if _, err := p.I2CAddress(); err != nil {
			return err
		}
	case board.KindSPI:
		if p.Device == "" {
			return errors.New(`no "device" in the board file, such as "/dev/spidev0.0"`)
		}
		hz := p.Frequency
		if hz == 0 {
			hz = board.DefaultSPIFrequency
		}
		port, err := c.OpenSPI(p.Name, p.Device, hz)
		if err != nil {
			return err
		}
		b.spi[p.Name] = port
	case board.KindWS2812:
		if b.kind[p.Bus] != board.KindSPI {
			return fmt.Errorf("bus %q is not an spi part listed before it", p.Bus)
		}
	case board.KindPotentiometer:
		if p.Device == "" || p.Channel == nil {
			return errors.New(`no "device" and "channel" in the board file, such as "iio:device0" and 0`)
		}
		a, err := OpenADC(p.Name, c.IIORoot, p.Device, *p.Channel)
		if err != nil {
			return err
		}
		b.adc[p.Name] = a
	}
	return nil
}

func (b *Buses) missing(name, what string) error {
	if k, ok := b.kind[name]; ok {
		return fmt.Errorf("linuxbus: part %q is a %s, not an %s", name, k, what)
	}
	return fmt.Errorf("linuxbus: no part %q", name)
}

// I2C implements board.Buses.
func (b *Buses) I2C(name string) (board.I2C, error) {
	if bus, ok := b.i2c[name]; ok {
		return bus, nil
	}
	return nil, b.missing(name, "I2C bus")
}

// SPI implements board.Buses.
func (b *Buses) SPI(name string) (board.SPI, error) {
	if port, ok := b.spi[name]; ok {
		return port, nil
	}
	return nil, b.missing(name, "SPI bus")
}

// ADC implements board.Buses.
func (b *Buses) ADC(name string) (board.ADC, error) {
	if a, ok := b.adc[name]; ok {
		return a, nil
	}
	return nil, b.missing(name, "analogue input (potentiometer)")
}

// Close closes the buses.
func (b *Buses) Close() error {
	var errs []error
	for _, bus := range b.i2c {
		errs = append(errs, bus.Close())
	}
	for _, port := range b.spi {
		errs = append(errs, port.Close())
	}
	return errors.Join(errs...)
}
