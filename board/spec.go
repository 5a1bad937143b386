package board

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/goasyncio/asyncio/internal/partkind"
	"os"
	"strconv"
	"time"

	"github.com/goasyncio/asyncio"
)

// Board is a set of named parts, whatever drives them: a simulated board
// (Sim), Linux GPIO lines (package board/linuxgpio). A program written
// against Board runs on either. Each method returns an error naming the
// part if the board has no part of that name and kind.
type Board interface {
	LED(name string) (LED, error)
	PWMLED(name string) (PWMLED, error)
	Button(name string) (Button, error)
	Pin(name string) (Pin, error)
}

// Kind is the kind of a part in a board file.
type Kind string

// The kinds of parts.
const (
	KindLED    Kind = partkind.LED    // "led": an LED; Active says which level lights it
	KindPWMLED Kind = partkind.PWMLED // "pwm-led": a PWM-dimmed LED
	KindButton Kind = partkind.Button // "button": a push button; Active says which level it reads pressed
	KindPin    Kind = partkind.Pin    // "pin": a general pin; Mode says how it starts

	KindI2C           Kind = partkind.I2C           // "i2c": an I2C bus; Device is its Linux device (/dev/i2c-1)
	KindBME280        Kind = partkind.BME280        // "bme280": a BME280 sensor on Bus at Address
	KindSSD1306       Kind = partkind.SSD1306       // "ssd1306": a 128x64 SSD1306 display on Bus at Address
	KindPotentiometer Kind = partkind.Potentiometer // "potentiometer": an analogue input with a knob; Value is where it starts
	KindSPI           Kind = partkind.SPI           // "spi": an SPI bus; Frequency is its clock in Hz
	KindWS2812        Kind = partkind.WS2812        // "ws2812": a strip of WS2812 RGB LEDs on Bus's MOSI; LEDs is how many
)

// Spec describes a board: its name and parts. It is what a board file
// holds, as JSON:
//
//	{
//	  "name": "lab",
//	  "parts": [
//	    {"name": "red",    "kind": "led",    "colour": "red",   "active": "low"},
//	    {"name": "green",  "kind": "led",    "colour": "green", "active": "low"},
//	    {"name": "button", "kind": "button", "active": "low", "bounce": {"duration": "5ms", "seed": 1}},
//	    {"name": "dial-a", "kind": "pin",    "mode": "input-pullup", "chip": "gpiochip0", "line": 17}
//	  ]
//	}
//
// Chip and line place a part on a Linux GPIO line (package
// board/linuxgpio); the simulated board ignores them.
type Spec struct {
	Name  string     `json:"name"`
	Parts []PartSpec `json:"parts"`
}

// PartSpec describes one part of a board.
type PartSpec struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Colour string `json:"colour,omitempty"`
	// Active is "high" or "low": the level that lights an LED or that a
	// pressed button reads. Empty means "high" for LEDs and "low" for
	// buttons (a pull-up).
	Active string `json:"active,omitempty"`
	// Mode is a pin's mode: "input", "output", "input-pullup" or
	// "input-pulldown". Empty means "input".
	Mode string `json:"mode,omitempty"`
	// Bounce is the contact bounce of a simulated button or pin.
	Bounce *BounceSpec `json:"bounce,omitempty"`
	// Chip and Line place the part on a Linux GPIO line: the chip's name
	// ("gpiochip0"), path ("/dev/gpiochip0") or label, and the line's offset.
	Chip string `json:"chip,omitempty"`
	Line *int   `json:"line,omitempty"`

	// Bus and Address place an I2C device (bme280, ssd1306): the name of
	// an i2c part listed before it, and the 7-bit address as a string,
	// "0x76" (empty: the chip's usual address).
	Bus     string `json:"bus,omitempty"`
	Address string `json:"address,omitempty"`
	// Value is where a potentiometer's knob starts, 0 to 65535.
	Value int `json:"value,omitempty"`
	// Device is the Linux device of a bus ("/dev/i2c-1") or an analogue
	// input's IIO device ("iio:device0"), and Channel the input's channel
	// (in_voltageN_raw); the simulated board ignores them.
	Device  string `json:"device,omitempty"`
	Channel *int   `json:"channel,omitempty"`

	// Frequency is an spi bus's clock in Hz (empty: DefaultSPIFrequency,
	// 4 MHz); LEDs is how many LEDs a ws2812 strip has, 1 to
	// MaxStripLEDs. A ws2812 strip's Bus is an spi part listed before it.
	Frequency int `json:"frequency,omitempty"`
	LEDs      int `json:"leds,omitempty"`
}

// I2CAddress returns the part's address: Address parsed ("0x76", "118"),
// or the chip's usual one if it is empty.
func (p PartSpec) I2CAddress() (uint16, error) {
	if p.Address == "" {
		switch p.Kind {
		case KindBME280:
			return BME280Address, nil
		case KindSSD1306:
			return SSD1306Address, nil
		}
		return 0, fmt.Errorf("part %q: no address", p.Name)
	}
	v, err := strconv.ParseUint(p.Address, 0, 7)
	if err != nil {
		return 0, fmt.Errorf("part %q: address %q, want a 7-bit number such as \"0x76\"", p.Name, p.Address)
	}
	return uint16(v), nil
}

// BounceSpec is a Bounce in a board file: a Go duration string
// ("5ms"), the most flips, and the seed.
type BounceSpec struct {
	Duration string `json:"duration"`
	Flips    int    `json:"flips,omitempty"`
	Seed     uint64 `json:"seed,omitempty"`
}

// Bounce converts the spec to a Bounce.
func (b *BounceSpec) Bounce() (Bounce, error) {
	if b == nil {
		return Bounce{}, nil
	}
	d, err := time.ParseDuration(b.Duration)
	if err != nil || d < 0 {
		return Bounce{}, fmt.Errorf("bad bounce duration %q", b.Duration)
	}
	return Bounce{Duration: d, Flips: b.Flips, Seed: b.Seed}, nil
}

// Polarity returns the part's polarity from Active.
func (p PartSpec) Polarity() (Polarity, error) {
	switch p.Active {
	case "high":
		return ActiveHigh, nil
	case "low":
		return ActiveLow, nil
	case "":
		if p.Kind == KindButton {
			return ActiveLow, nil
		}
		return ActiveHigh, nil
	}
	return 0, fmt.Errorf("part %q: active is %q, want \"high\" or \"low\"", p.Name, p.Active)
}

// PinMode returns the part's pin mode from Mode.
func (p PartSpec) PinMode() (PinMode, error) {
	for _, m := range []PinMode{PinInput, PinOutput, PinInputPullup, PinInputPulldown} {
		if p.Mode == m.String() {
			return m, nil
		}
	}
	if p.Mode == "" {
		return PinInput, nil
	}
	return 0, fmt.Errorf("part %q: mode is %q, want input, output, input-pullup or input-pulldown", p.Name, p.Mode)
}

// LabSpec returns the description of the lecture's lab board, the board
// NewLab makes: active-low LEDs "red" and "green" and an active-low button
// "button".
func LabSpec() *Spec {
	return &Spec{
		Name: "lab",
		Parts: []PartSpec{
			{Name: "red", Kind: KindLED, Colour: "red", Active: "low"},
			{Name: "green", Kind: KindLED, Colour: "green", Active: "low"},
			{Name: "button", Kind: KindButton, Active: "low"},
		},
	}
}

// ParseSpec parses a board file's JSON. Unknown fields are errors, so that
// a misspelt field is not silently ignored. The spec is validated as by
// Validate.
func ParseSpec(data []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("board: board file: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ReadSpecFile reads and parses the board file at path.
func ReadSpecFile(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSpec(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Validate checks the spec: every part has a unique, non-empty name, a
// known kind, a valid active level, mode and bounce. It returns every
// problem found, joined.
func (s *Spec) Validate() error {
	var errs []error
	seen := map[string]bool{}
	kinds := map[string]Kind{}
	for i, p := range s.Parts {
		if p.Name == "" {
			errs = append(errs, fmt.Errorf("part %d has no name", i+1))
		} else if seen[p.Name] {
			errs = append(errs, fmt.Errorf("duplicate part name %q", p.Name))
		}
		seen[p.Name] = true
		switch p.Kind {
		case KindLED, KindPWMLED, KindButton, KindPin, KindI2C:
		case KindBME280, KindSSD1306:
			if k, ok := kinds[p.Bus]; !ok || k != KindI2C {
				errs = append(errs, fmt.Errorf("part %q: bus %q is not an i2c part listed before it", p.Name, p.Bus))
			}
			if _, err := p.I2CAddress(); err != nil {
				errs = append(errs, err)
			}
		case KindPotentiometer:
			if p.Value < 0 || p.Value > 0xffff {
				errs = append(errs, fmt.Errorf("part %q: value %d, want 0 to 65535", p.Name, p.Value))
			}
		case KindSPI, KindWS2812:
			errs = append(errs, p.validateSPI(kinds)...)
		default:
			errs = append(errs, fmt.Errorf("part %q: unknown kind %q (led, pwm-led, button, pin, i2c, bme280, ssd1306, potentiometer, spi or ws2812)", p.Name, p.Kind))
		}
		if p.Frequency != 0 && p.Kind != KindSPI {
			errs = append(errs, fmt.Errorf("part %q: \"frequency\" is for spi parts (this is a %q part)", p.Name, p.Kind))
		}
		if p.LEDs != 0 && p.Kind != KindWS2812 {
			errs = append(errs, fmt.Errorf("part %q: \"leds\" is for ws2812 parts (this is a %q part)", p.Name, p.Kind))
		}
		kinds[p.Name] = p.Kind
		if _, err := p.Polarity(); err != nil {
			errs = append(errs, err)
		}
		if _, err := p.PinMode(); err != nil {
			errs = append(errs, err)
		}
		if _, err := p.Bounce.Bounce(); err != nil {
			errs = append(errs, fmt.Errorf("part %q: %w", p.Name, err))
		}
		if p.Line != nil && *p.Line < 0 {
			errs = append(errs, fmt.Errorf("part %q: negative line %d", p.Name, *p.Line))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("board: board file: %w", err)
	}
	return nil
}

// NewSimFrom returns a simulated board on loop's clock with the parts the
// spec describes, in its order, named after it. A nil spec means LabSpec.
// It returns the spec's validation error, if any.
func NewSimFrom(loop *asyncio.Loop, spec *Spec) (*Sim, error) {
	if spec == nil {
		spec = LabSpec()
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := NewSim(loop)
	if spec.Name != "" {
		s.SetName(spec.Name)
	}
	for _, p := range spec.Parts {
		pol, _ := p.Polarity()
		bounce, _ := p.Bounce.Bounce()
		switch p.Kind {
		case KindLED:
			s.AddLED(p.Name, pol).SetColour(p.Colour)
		case KindPWMLED:
			s.AddPWMLED(p.Name, pol).SetColour(p.Colour)
		case KindButton:
			s.AddButtonOf(p.Name, pol).SetBounce(bounce)
		case KindPin:
			mode, _ := p.PinMode()
			s.AddPin(p.Name, mode).SetBounce(bounce)
		case KindI2C:
			s.AddI2C(p.Name)
		case KindBME280, KindSSD1306:
			addr, _ := p.I2CAddress()
			var err error
			if p.Kind == KindBME280 {
				_, err = s.AddBME280(p.Name, s.SimI2CBus(p.Bus), addr)
			} else {
				_, err = s.AddSSD1306(p.Name, s.SimI2CBus(p.Bus), addr)
			}
			if err != nil {
				return nil, err
			}
		case KindPotentiometer:
			s.AddPotentiometer(p.Name, uint16(p.Value))
		case KindSPI, KindWS2812:
			if err := s.addSPIPart(p); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}
