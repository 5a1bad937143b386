package board

import "fmt"

// DefaultSPIFrequency is the clock of a simulated SPI bus unless set
// otherwise: 4 MHz, TinyGo's machine.SPI default on most chips.
const DefaultSPIFrequency = 4_000_000

// The clock frequencies a simulated SPI bus takes (SetFrequency, a board
// file's "frequency").
const (
	MinSPIFrequency = 1_000       // 1 kHz
	MaxSPIFrequency = 100_000_000 // 100 MHz
)

// SPITarget is a device on a simulated SPI bus (SimSPI). Exchange is
// called on the loop's goroutine for each transfer while the device is
// selected: w holds the bytes the controller shifts out on MOSI, most
// significant bit first; r, as long as w, the bytes on MISO, which read
// 0xff where no device drives them. A device that drives MISO writes its
// bytes into r; one that only listens (a WS2812 strip) leaves it. It
// returns an error matching ErrRefused for bytes the chip cannot make sense
// of.
type SPITarget interface {
	Exchange(w, r []byte) error
}

// SimSPI is an SPI bus of a simulated board: a controller's SCK, MOSI and
// MISO with devices on them (Attach), each selected by its own chip-select
// pin or, for a device with none, always listening. It implements SPI: each
// Tx goes to the selected devices at once, on the caller's goroutine (the
// loop's), and is recorded with the loop's time (Sim.Transfers), its
// Transfer marked SPI.
//
// The bus has a clock frequency (SetFrequency), which a device that times
// its bits, as a WS2812 strip on MOSI does, reads to know how long each bit
// lasts. Consecutive transfers follow each other on the wire with no gap:
// a transfer takes no time on the loop's clock.
type SimSPI struct {
	sim     *Sim
	name    string
	hz      int
	devices []spiDevice
}

type spiDevice struct {
	dev SPITarget
	cs  Input // nil: always selected
}

var _ SPI = (*SimSPI)(nil)

// AddSPI adds an SPI bus with no devices, its clock at
// DefaultSPIFrequency. It panics if the board already has a part with that
// name.
func (s *Sim) AddSPI(name string) *SimSPI {
	b := &SimSPI{sim: s, name: name, hz: DefaultSPIFrequency}
	s.addDevice(name, b)
	return b
}

// SimSPIBus returns the SPI bus named name, or nil.
func (s *Sim) SimSPIBus(name string) *SimSPI { b, _ := s.parts[name].(*SimSPI); return b }

// SPI implements Buses: it returns the SPI bus named name.
func (s *Sim) SPI(name string) (SPI, error) {
	if b := s.SimSPIBus(name); b != nil {
		return b, nil
	}
	return nil, s.missing(name, "SPI bus")
}

// Name returns the bus's name.
func (b *SimSPI) Name() string { return b.name }

// Frequency returns the bus's clock in Hz.
func (b *SimSPI) Frequency() int { return b.hz }

// SetFrequency sets the bus's clock to hz, as a program's SPI
// configuration does (TinyGo's machine.SPIConfig.Frequency). It returns an
// error if hz is outside MinSPIFrequency to MaxSPIFrequency.
func (b *SimSPI) SetFrequency(hz int) error {
	if hz < MinSPIFrequency || hz > MaxSPIFrequency {
		return fmt.Errorf("board: %s: SPI clock of %d Hz, want %d to %d", b.name, hz, MinSPIFrequency, MaxSPIFrequency)
	}
	b.hz = hz
	return nil
}

// Attach puts dev on the bus, selected while cs reads low (chip select is
// active low); a nil cs means the device has no chip select and hears
// every transfer, as a WS2812 strip on MOSI does. It returns an error if
// dev is nil or already on the bus.
func (b *SimSPI) Attach(dev SPITarget, cs Input) error {
	if dev == nil {
		return fmt.Errorf("board: %s: attaching a nil device", b.name)
	}
	for _, d := range b.devices {
		if d.dev == dev {
			return fmt.Errorf("board: %s: the device is already on the bus", b.name)
		}
	}
	b.devices = append(b.devices, spiDevice{dev: dev, cs: cs})
	return nil
}

// Tx shifts w out on MOSI while it reads MISO into r, full duplex: the
// shorter is padded, with zero bytes written or the bytes read dropped. Its
// errors match ErrBadTransfer (both empty) or a device's ErrRefused. The
// selected devices all see the transfer, in the order they were attached,
// even if one refuses it.
func (b *SimSPI) Tx(w, r []byte) error {
	n := max(len(w), len(r))
	var err error
	if n == 0 {
		err = fmt.Errorf("board: %s: %w: nothing to write or read", b.name, ErrBadTransfer)
	} else {
		mosi := w
		if len(w) < n {
			mosi = make([]byte, n)
			copy(mosi, w)
		}
		miso := make([]byte, n)
		for i := range miso {
			miso[i] = 0xff
		}
		for _, d := range b.devices {
			if d.cs != nil && d.cs.Get() {
				continue // not selected
			}
			if e := d.dev.Exchange(mosi, miso); e != nil && err == nil {
				err = fmt.Errorf("board: %s: %w", b.name, e)
			}
		}
		copy(r, miso)
	}
	b.sim.transfer(Transfer{At: b.sim.loop.Time(), Bus: b.name, SPI: true, W: clone(w), R: clone(r), Err: err})
	return err
}

// Transfer shifts out the byte w and returns the byte read meanwhile, as a
// Tx of one byte.
func (b *SimSPI) Transfer(w byte) (byte, error) {
	r := []byte{0}
	err := b.Tx([]byte{w}, r)
	return r[0], err
}
