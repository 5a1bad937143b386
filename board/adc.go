package board

import (
	"fmt"
	"math"

	"github.com/goasyncio/asyncio/board/wave"
)

// SimADC is an analogue input of a simulated board with a potentiometer on
// it: a knob that sets the voltage, read as TinyGo's machine.ADC reads it,
// 0 to 0xFFFF of full scale. It implements ADC. Each change of the value is
// a level change of its signal (a 16-bit vector), so it shows in the
// waveform and the viewer; the viewer turns the knob with a slider.
type SimADC struct {
	sim   *Sim
	name  string
	value uint16
	bits  int
}

var _ ADC = (*SimADC)(nil)

// AddPotentiometer adds a potentiometer named name on an analogue input,
// at value (0 to 0xFFFF). The converter has 12 bits, like an RP2040's or
// an ESP32's: readings are the value's top 12 bits, shifted left by 4, as
// TinyGo's machine.ADC returns them. It panics if the board already has a
// part with that name.
func (s *Sim) AddPotentiometer(name string, value uint16) *SimADC {
	s.claim(name)
	a := &SimADC{sim: s, name: name, value: value, bits: 12}
	s.add(name, a, wave.Signal{Name: name, Kind: wave.Vector, Width: 16, Init: int(value)})
	return a
}

// SimADC returns the analogue input named name, or nil.
func (s *Sim) SimADC(name string) *SimADC { a, _ := s.parts[name].(*SimADC); return a }

// ADC implements Buses: it returns the analogue input named name.
func (s *Sim) ADC(name string) (ADC, error) {
	if a := s.SimADC(name); a != nil {
		return a, nil
	}
	return nil, s.missing(name, "potentiometer (ADC)")
}

// Name returns the input's name.
func (a *SimADC) Name() string { return a.name }

// Get returns the reading: the knob's value to the converter's
// resolution, 0 to 0xFFF0.
func (a *SimADC) Get() uint16 { return a.value &^ (1<<(16-a.bits) - 1) }

// Value returns where the knob is, 0 to 0xFFFF, as set.
func (a *SimADC) Value() uint16 { return a.value }

// Set turns the knob to v, 0 (one end) to 0xFFFF (the other).
func (a *SimADC) Set(v uint16) {
	if v == a.value {
		return
	}
	a.value = v
	a.sim.level(a.name, int(v))
}

// SetFraction turns the knob to f of its travel, 0 to 1.
func (a *SimADC) SetFraction(f float64) error {
	if !(f >= 0 && f <= 1) {
		return fmt.Errorf("board: potentiometer %q: fraction %v, want 0 to 1", a.name, f)
	}
	a.Set(uint16(math.Round(f * 0xffff)))
	return nil
}
