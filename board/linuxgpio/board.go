package linuxgpio

import (
	"errors"
	"fmt"
	"path/filepath"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/host/v3/gpioioctl"

	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxbus"
)

// Opener opens the line at offset line of the GPIO chip named chip.
type Opener func(chip string, line int) (gpio.PinIO, error)

// ErrNoChips is returned by HostOpener where the machine has no GPIO
// character device.
var ErrNoChips = errors.New("linuxgpio: no GPIO chips (/dev/gpiochip*)")

// HostOpener initialises periph's gpioioctl driver and returns an Opener
// for the machine's GPIO chips. A chip is found by its name ("gpiochip0"),
// its path ("/dev/gpiochip0") or its label ("pinctrl-bcm2835"). It returns
// ErrNoChips where there is none, and periph's error if the driver fails.
func HostOpener() (Opener, error) {
	if _, err := driverreg.Init(); err != nil {
		return nil, fmt.Errorf("linuxgpio: %w", err)
	}
	if len(gpioioctl.Chips) == 0 {
		return nil, ErrNoChips
	}
	return openHost, nil
}

// Chips returns the names, labels and line counts of the machine's GPIO
// chips, as periph's gpioioctl driver found them (after HostOpener).
func Chips() []string {
	var out []string
	for _, c := range gpioioctl.Chips {
		out = append(out, fmt.Sprintf("%s (%s, %d lines)", c.Name(), c.Label(), c.LineCount()))
	}
	return out
}

func openHost(chip string, line int) (gpio.PinIO, error) {
	for _, c := range gpioioctl.Chips {
		if c.Name() == chip || c.Path() == chip || c.Label() == chip || filepath.Base(c.Path()) == chip {
			if line < 0 || line >= c.LineCount() {
				return nil, fmt.Errorf("linuxgpio: %s has no line %d (%d lines)", chip, line, c.LineCount())
			}
			return c.ByNumber(line), nil
		}
	}
	return nil, fmt.Errorf("linuxgpio: no GPIO chip %q", chip)
}

// Board is a board whose parts are Linux GPIO lines, and its buses and
// analogue inputs (package board/linuxbus). It implements board.Board and
// board.Buses.
type Board struct {
	name    string
	buses   *linuxbus.Buses // nil if the board file has none
	leds    map[string]board.LED
	pwm     map[string]*board.OutputPWMLED
	buttons map[string]*board.PinButton
	pins    map[string]*Pin
	order   []*Pin
}

var (
	_ board.Board = (*Board)(nil)
	_ board.Buses = (*Board)(nil)
)

// Option is an option of Open.
type Option func(*options)

type options struct{ buses linuxbus.Config }

// WithBuses makes Open open the board file's buses and analogue inputs as
// c says (fakes in a test); without it, on the machine's devices.
func WithBuses(c linuxbus.Config) Option { return func(o *options) { o.buses = c } }

// Open opens every part of spec on the line its chip and line give, with
// open (HostOpener's for the machine's lines; nil means HostOpener), and
// configures it: LEDs as outputs, put out; buttons as inputs with the pull
// their active level needs; pins in their mode; PWM LEDs through the
// line's PWM. Bounce settings are ignored: real contacts bounce by
// themselves. Buses, the devices on them and analogue inputs (kinds i2c,
// bme280, ssd1306, spi, ws2812, potentiometer) are opened by linuxbus.Open, on their
// Device and Channel. Open returns an error, having closed what it
// opened, if a part has no chip or line (or device), or a line or device
// cannot be opened or configured.
func Open(spec *board.Spec, open Opener, opts ...Option) (*Board, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	gpioParts, busParts := 0, 0
	for _, part := range spec.Parts {
		if linuxbus.IsBusPart(part.Kind) {
			busParts++
		} else {
			gpioParts++
		}
	}
	var buses *linuxbus.Buses
	if busParts > 0 {
		var err error
		if buses, err = linuxbus.Open(spec, o.buses); err != nil {
			return nil, err
		}
	}
	if open == nil && (gpioParts > 0 || busParts == 0) { // a board of buses only needs no GPIO chip
		var err error
		if open, err = HostOpener(); err != nil {
			if buses != nil {
				buses.Close()
			}
			return nil, err
		}
	}
	b := &Board{
		name:    spec.Name,
		buses:   buses,
		leds:    map[string]board.LED{},
		pwm:     map[string]*board.OutputPWMLED{},
		buttons: map[string]*board.PinButton{},
		pins:    map[string]*Pin{},
	}
	for _, part := range spec.Parts {
		if err := b.add(part, open); err != nil {
			b.Close()
			return nil, fmt.Errorf("linuxgpio: part %q: %w", part.Name, err)
		}
	}
	return b, nil
}

func (b *Board) add(part board.PartSpec, open Opener) error {
	if linuxbus.IsBusPart(part.Kind) {
		return nil // linuxbus.Open's
	}
	if part.Chip == "" || part.Line == nil {
		return errors.New("no chip and line in the board file")
	}
	io, err := open(part.Chip, *part.Line)
	if err != nil {
		return err
	}
	if io == nil {
		return fmt.Errorf("no line %d on %s", *part.Line, part.Chip)
	}
	pin := NewPin(io)
	b.order = append(b.order, pin)
	b.pins[part.Name] = pin
	pol, _ := part.Polarity()
	switch part.Kind {
	case board.KindLED:
		l, err := board.NewLED(part.Name, pin, pol)
		if err != nil {
			return err
		}
		b.leds[part.Name] = l
	case board.KindPWMLED:
		l, err := board.NewPWMLED(part.Name, pin, pol)
		if err != nil {
			return err
		}
		b.leds[part.Name] = l
		b.pwm[part.Name] = l
	case board.KindButton:
		bt, err := board.NewButton(part.Name, pin, pol)
		if err != nil {
			return err
		}
		b.buttons[part.Name] = bt
	case board.KindPin:
		mode, _ := part.PinMode()
		return pin.Configure(board.PinConfig{Mode: mode})
	}
	return nil
}

// Name returns the board's name.
func (b *Board) Name() string { return b.name }

func (b *Board) missing(name, kind string) error {
	if _, ok := b.pins[name]; ok {
		return fmt.Errorf("linuxgpio: part %q is not a %s", name, kind)
	}
	return fmt.Errorf("linuxgpio: no part %q", name)
}

// LED returns the LED (or PWM LED) named name.
func (b *Board) LED(name string) (board.LED, error) {
	if l, ok := b.leds[name]; ok {
		return l, nil
	}
	return nil, b.missing(name, "LED")
}

// PWMLED returns the PWM LED named name.
func (b *Board) PWMLED(name string) (board.PWMLED, error) {
	if l, ok := b.pwm[name]; ok {
		return l, nil
	}
	return nil, b.missing(name, "PWM LED")
}

// Button returns the button named name.
func (b *Board) Button(name string) (board.Button, error) {
	if bt, ok := b.buttons[name]; ok {
		return bt, nil
	}
	return nil, b.missing(name, "button")
}

// Pin returns the line of the part named name, whatever its kind.
func (b *Board) Pin(name string) (board.Pin, error) {
	if p, ok := b.pins[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("linuxgpio: no part %q", name)
}

// I2C implements board.Buses: the I2C bus named name.
func (b *Board) I2C(name string) (board.I2C, error) {
	if b.buses == nil {
		return nil, b.missing(name, "I2C bus")
	}
	return b.buses.I2C(name)
}

// SPI implements board.Buses: the SPI bus named name.
func (b *Board) SPI(name string) (board.SPI, error) {
	if b.buses == nil {
		return nil, b.missing(name, "SPI bus")
	}
	return b.buses.SPI(name)
}

// ADC implements board.Buses: the analogue input (potentiometer) named
// name.
func (b *Board) ADC(name string) (board.ADC, error) {
	if b.buses == nil {
		return nil, b.missing(name, "potentiometer (ADC)")
	}
	return b.buses.ADC(name)
}

// Close removes every line's interrupt, ending the edge goroutines, and
// closes the buses. The lines stay as they are (periph keeps them
// requested until the process ends).
func (b *Board) Close() error {
	for _, p := range b.order {
		p.Close()
	}
	if b.buses != nil {
		return b.buses.Close()
	}
	return nil
}
