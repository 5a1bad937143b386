package board

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// I2C is an I2C bus controller, in the shape of TinyGo's drivers.I2C
// (tinygo.org/x/drivers), so that TinyGo's device drivers run on it
// unchanged: Tx writes w to the device at the 7-bit address addr, then
// reads len(r) bytes into r, with a repeated start between the two. Either
// may be empty, not both.
//
// Tx blocks until the transfer is over, as TinyGo's does. On the simulated
// board that is a few memory operations on the loop's goroutine; on Linux
// (package board/linuxbus) it is an ioctl, which a task hands to another
// goroutine with the wrappers of AsyncI2C.
type I2C interface {
	Tx(addr uint16, w, r []byte) error
}

// SPI is an SPI bus controller, in the shape of TinyGo's drivers.SPI: Tx
// writes w while it reads r (full duplex; the shorter is padded, with zero
// bytes written or bytes read discarded), Transfer does it for one byte.
// Chip select is the device's own pin, which the driver drives.
type SPI interface {
	Tx(w, r []byte) error
	Transfer(b byte) (byte, error)
}

// ADC is an analogue input, in the shape of TinyGo's machine.ADC: Get
// returns the voltage as a fraction of full scale, 0 to 0xFFFF whatever the
// converter's resolution (a 12-bit converter's reading is shifted left by
// 4).
type ADC interface {
	Get() uint16
}

// Buses is implemented by boards with buses and analogue inputs, the
// simulated board (Sim) and the Linux one (package board/linuxbus). Each
// method returns an error naming the part if the board has no part of that
// name and kind.
type Buses interface {
	I2C(name string) (I2C, error)
	SPI(name string) (SPI, error)
	ADC(name string) (ADC, error)
}

// Errors of bus transfers. Every error a simulated bus returns matches one
// of them (errors.Is), and says which bus, address and bytes it was about.
var (
	// ErrNoDevice: no device acknowledged the address (a NACK).
	ErrNoDevice = errors.New("no device at that address")
	// ErrBadTransfer: the transfer is malformed (no bytes to write or read,
	// an address out of the 7-bit range).
	ErrBadTransfer = errors.New("malformed transfer")
	// ErrRefused: the device refused the bytes (a register that does not
	// exist, a read from a write-only device).
	ErrRefused = errors.New("refused by the device")
)

// Transfer is one bus transaction, recorded with the loop's time when it
// was made: the bus, the device's address, the bytes written and those
// read, and the error if it failed. On an SPI bus (SPI set) there is no
// address: W is what went out on MOSI and R what came in on MISO, as the
// caller passed them.
type Transfer struct {
	At   time.Duration
	Bus  string
	Addr uint16
	W, R []byte
	Err  error
	SPI  bool
}

// String formats the transfer as a logic analyser's protocol decoder
// would: "0.250 i2c0 0x76 w f7 r 80 00 00 80 00 00 80 00", with " error: …"
// after a failed one; an SPI transfer has no address: "0.250 spi0 w 9f r
// 00 ef 40 18".
func (t Transfer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%.3f %s", t.At.Seconds(), t.Bus)
	if !t.SPI {
		fmt.Fprintf(&b, " 0x%02x", t.Addr)
	}
	if len(t.W) > 0 {
		b.WriteString(" w")
		writeHex(&b, t.W, 16)
	}
	if len(t.R) > 0 {
		b.WriteString(" r")
		writeHex(&b, t.R, 16)
	}
	if t.Err != nil {
		b.WriteString(" error: ")
		b.WriteString(t.Err.Error())
	}
	return b.String()
}

// Frame is the transfer in short, for a timing diagram's lane: "76 w f7
// r8" on I2C (the address, the bytes written, how many were read; "NACK"
// after a failed one); on SPI the bytes out and in, at most four of each:
// "w 9f 00 00 00 r ff ef 40 18", "w 88 8e 88 88 …(1072 bytes)", "error"
// after a refused one.
func (t Transfer) Frame() string {
	var b strings.Builder
	if t.SPI {
		if len(t.W) > 0 {
			b.WriteString("w")
			writeHex(&b, t.W, 4)
		}
		if len(t.R) > 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("r")
			writeHex(&b, t.R, 4)
		}
		if t.Err != nil {
			b.WriteString(" error")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%02x", t.Addr)
	if len(t.W) > 0 {
		b.WriteString(" w")
		writeHex(&b, t.W, 2)
	}
	if len(t.R) > 0 {
		fmt.Fprintf(&b, " r%d", len(t.R))
	}
	if t.Err != nil {
		b.WriteString(" NACK")
	}
	return b.String()
}

func writeHex(b *strings.Builder, p []byte, most int) {
	for i, c := range p {
		if i == most {
			fmt.Fprintf(b, " …(%d bytes)", len(p))
			return
		}
		fmt.Fprintf(b, " %02x", c)
	}
}

// I2CTarget is a device on a simulated I2C bus (SimI2C): it takes the
// bytes a controller writes and fills those it reads, as the chip would.
// Tx is called on the loop's goroutine with w or r non-empty; it returns an
// error matching ErrRefused for bytes the chip would not take.
type I2CTarget interface {
	Tx(w, r []byte) error
}

// SimI2C is an I2C bus of a simulated board, with devices at addresses
// (Attach). It implements I2C: each Tx goes to the device at its address,
// at once, on the caller's goroutine (the loop's), and is recorded with the
// loop's time (Sim.Transfers).
type SimI2C struct {
	sim     *Sim
	name    string
	devices map[uint16]I2CTarget
}

var _ I2C = (*SimI2C)(nil)

// AddI2C adds an I2C bus with no devices. It panics if the board already
// has a part with that name.
func (s *Sim) AddI2C(name string) *SimI2C {
	b := &SimI2C{sim: s, name: name, devices: map[uint16]I2CTarget{}}
	s.addDevice(name, b)
	return b
}

// SimI2CBus returns the bus named name, or nil.
func (s *Sim) SimI2CBus(name string) *SimI2C { b, _ := s.parts[name].(*SimI2C); return b }

// I2C implements Buses: it returns the I2C bus named name.
func (s *Sim) I2C(name string) (I2C, error) {
	if b := s.SimI2CBus(name); b != nil {
		return b, nil
	}
	return nil, s.missing(name, "I2C bus")
}

// Name returns the bus's name.
func (b *SimI2C) Name() string { return b.name }

// Attach puts dev on the bus at the 7-bit address addr. It returns an
// error if addr is reserved (below 0x08 or above 0x77) or taken.
func (b *SimI2C) Attach(addr uint16, dev I2CTarget) error {
	if addr < 0x08 || addr > 0x77 {
		return fmt.Errorf("board: %s: address 0x%02x is reserved or not 7-bit (want 0x08 to 0x77)", b.name, addr)
	}
	if _, ok := b.devices[addr]; ok {
		return fmt.Errorf("board: %s: address 0x%02x is taken", b.name, addr)
	}
	b.devices[addr] = dev
	return nil
}

// Device returns the device at addr, or nil.
func (b *SimI2C) Device(addr uint16) I2CTarget { return b.devices[addr] }

// Tx makes a transfer with the device at addr: writes w, then reads into
// r. Its errors match ErrBadTransfer (both empty, addr not 7-bit),
// ErrNoDevice (nothing at addr; r is left as it was) or the device's
// ErrRefused.
func (b *SimI2C) Tx(addr uint16, w, r []byte) error {
	var err error
	dev := b.devices[addr]
	switch {
	case addr > 0x7f:
		err = fmt.Errorf("board: %s: address 0x%x: %w: want a 7-bit address", b.name, addr, ErrBadTransfer)
	case len(w) == 0 && len(r) == 0:
		err = fmt.Errorf("board: %s: address 0x%02x: %w: nothing to write or read", b.name, addr, ErrBadTransfer)
	case dev == nil:
		err = fmt.Errorf("board: %s: address 0x%02x: %w (NACK)", b.name, addr, ErrNoDevice)
	default:
		if err = dev.Tx(w, r); err != nil {
			err = fmt.Errorf("board: %s: address 0x%02x: %w", b.name, addr, err)
		}
	}
	b.sim.transfer(Transfer{At: b.sim.loop.Time(), Bus: b.name, Addr: addr, W: clone(w), R: clone(r), Err: err})
	return err
}

func clone(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}

// maxTransfers is how many transfers a Sim keeps; older ones are dropped
// (a display refreshed for hours would otherwise fill the memory).
const maxTransfers = 1 << 16

func (s *Sim) transfer(t Transfer) {
	if len(s.transfers) >= maxTransfers {
		n := copy(s.transfers, s.transfers[maxTransfers/2:])
		s.transfers = s.transfers[:n]
	}
	s.transfers = append(s.transfers, t)
	for _, fn := range s.onTransfers {
		fn(t)
	}
}

// Transfers returns a copy of the bus transfers recorded so far, oldest
// first (at most the latest 65536).
func (s *Sim) Transfers() []Transfer { return append([]Transfer(nil), s.transfers...) }

// OnTransfer makes fn be called with each bus transfer from now on, after
// it is recorded.
func (s *Sim) OnTransfer(fn func(Transfer)) { s.onTransfers = append(s.onTransfers, fn) }

// addDevice adds a part that has no waveform signal of its own (a bus, a
// device on one) and shows it to the viewer.
func (s *Sim) addDevice(name string, part any) {
	s.claim(name)
	s.register(name, part)
}

// attachDevice adds a device that attach puts on a bus: a duplicate name
// panics before the device is on the bus, and a failed attach leaves the
// name free and returns its error.
func (s *Sim) attachDevice(name string, part any, attach func() error) error {
	s.claim(name)
	if err := attach(); err != nil {
		delete(s.names, name)
		return err
	}
	s.register(name, part)
	return nil
}

func (s *Sim) register(name string, part any) {
	s.parts[name] = part
	s.order = append(s.order, name)
	if s.viewer != nil {
		s.viewer.part(name)
	}
}

// set sets an analogue input (field "") or a sensor's reading (field
// "temperature" in m°C, "humidity" in hundredths of a percent, "pressure"
// in Pa), as a viewer asks.
func (s *Sim) set(name, field string, v int) error {
	switch p := s.parts[name].(type) {
	case *SimADC:
		if field != "" || v < 0 || v > 0xffff {
			return fmt.Errorf("board: potentiometer %q: set %q to %d, want a value of 0 to 65535", name, field, v)
		}
		p.Set(uint16(v))
		return nil
	case *SimBME280:
		switch field {
		case "temperature", "":
			return p.SetTemperature(float64(v) / 1000)
		case "humidity":
			return p.SetHumidity(float64(v) / 100)
		case "pressure":
			return p.SetPressure(float64(v))
		}
		return fmt.Errorf("board: BME280 %q: no reading %q (temperature, humidity or pressure)", name, field)
	}
	return s.missing(name, "potentiometer or sensor")
}
