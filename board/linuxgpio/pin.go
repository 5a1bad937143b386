// Package linuxgpio runs board programs on Linux GPIO lines, through the
// kernel's GPIO character device (/dev/gpiochip*), with periph.io's
// gpioioctl driver. It turns any periph gpio.PinIO into a board.Pin (Pin),
// and a board file whose parts give a chip and a line into a board.Board
// (Open).
//
// Edges: a Pin with an interrupt runs one goroutine that waits on the line
// (periph's WaitForEdge) and calls the interrupt callback for each edge.
// That callback runs on that goroutine, like an interrupt handler: it must
// hand the edge to the loop (board.WatchEdges does it with a
// ThreadSafeFlag), never run task code.
//
// This package is separate from package board so that periph stays out of
// the simulated board's imports (which build for js/wasm and TinyGo).
package linuxgpio

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"

	"github.com/goasyncio/asyncio/board"
)

// EdgeTimeout bounds each wait for an edge of a Pin's edge goroutine, so
// that removing the interrupt stops the goroutine within it even where the
// line's Halt cannot interrupt the wait (periph's gpiotest fakes); on a
// real line, Halt interrupts it at once.
const EdgeTimeout = 100 * time.Millisecond

// PWMFrequency is the frequency of the PWM that SetDuty asks for.
const PWMFrequency = physic.KiloHertz

// Pin is a periph GPIO pin as a board.Pin and a board.PWMOutput. Any
// goroutine may use it.
type Pin struct {
	io gpio.PinIO

	mu   sync.Mutex
	mode board.PinMode
	out  bool  // the level driven as an output
	err  error // the last error of Set, High, Low or Toggle
	stop chan struct{}
	done chan struct{}
}

var (
	_ board.Pin       = (*Pin)(nil)
	_ board.PWMOutput = (*Pin)(nil)
)

// NewPin returns p as a board.Pin. It does not configure the line: call
// Configure (board.NewLED and board.NewButton do).
func NewPin(p gpio.PinIO) *Pin { return &Pin{io: p} }

// PinIO returns the periph pin.
func (p *Pin) PinIO() gpio.PinIO { return p.io }

// String returns the periph pin's name.
func (p *Pin) String() string { return p.io.String() }

func pullOf(m board.PinMode) gpio.Pull {
	switch m {
	case board.PinInputPullup:
		return gpio.PullUp
	case board.PinInputPulldown:
		return gpio.PullDown
	}
	return gpio.Float
}

func edgeOf(c board.PinChange) gpio.Edge {
	switch c {
	case board.PinRising:
		return gpio.RisingEdge
	case board.PinFalling:
		return gpio.FallingEdge
	}
	return gpio.BothEdges
}

// Configure sets the line's mode: an output drives the level last Set
// (low at first); an input gets the pull the mode names (PinInput floats).
// Configuring removes the interrupt. It returns periph's error.
func (p *Pin) Configure(c board.PinConfig) error {
	p.stopEdges()
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	switch c.Mode {
	case board.PinOutput:
		err = p.io.Out(gpio.Level(p.out))
	case board.PinInput, board.PinInputPullup, board.PinInputPulldown:
		err = p.io.In(pullOf(c.Mode), gpio.NoEdge)
	default:
		return fmt.Errorf("linuxgpio: %s: unknown mode %v", p.io, c.Mode)
	}
	if err != nil {
		return fmt.Errorf("linuxgpio: %s: %w", p.io, err)
	}
	p.mode = c.Mode
	return nil
}

// Set drives the line high if high is true, low otherwise. On a line not
// configured as an output it only sets the level Configure will drive. An
// error from periph is kept for Err.
func (p *Pin) Set(high bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = high
	if p.mode == board.PinOutput {
		if err := p.io.Out(gpio.Level(high)); err != nil {
			p.err = fmt.Errorf("linuxgpio: %s: %w", p.io, err)
		}
	}
}

// High drives the line high (see Set).
func (p *Pin) High() { p.Set(true) }

// Low drives the line low (see Set).
func (p *Pin) Low() { p.Set(false) }

// Toggle drives the line to the other level (see Set).
func (p *Pin) Toggle() {
	p.mu.Lock()
	high := !p.out
	p.mu.Unlock()
	p.Set(high)
}

// Get reports whether the line is high: for an output, the level it drives
// (reading an output line through periph's gpioioctl would turn it into an
// input); for an input, the level read now.
func (p *Pin) Get() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == board.PinOutput {
		return p.out
	}
	return bool(p.io.Read())
}

// Err returns the last error of Set, High, Low or Toggle, or nil.
func (p *Pin) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// SetDuty drives the line with PWM at PWMFrequency, high for percent of
// each period (clamped to 0–100). It implements board.PWMOutput; periph's
// gpioioctl lines have no PWM, so there it returns periph's error.
func (p *Pin) SetDuty(percent int) error {
	percent = min(max(percent, 0), 100)
	if err := p.io.PWM(gpio.Duty(int64(gpio.DutyMax)*int64(percent)/100), PWMFrequency); err != nil {
		return fmt.Errorf("linuxgpio: %s: %w", p.io, err)
	}
	return nil
}

// ErrOutputInterrupt is returned by SetInterrupt on a line configured as
// an output.
var ErrOutputInterrupt = errors.New("linuxgpio: interrupt on an output line")

// SetInterrupt makes callback run for each edge of the line selected by
// change, on a goroutine of the Pin's that waits for edges (see the package
// documentation): the line is configured as an input with edge detection,
// keeping its pull. A zero change or a nil callback removes the interrupt:
// the goroutine ends (within EdgeTimeout) and the line keeps its pull,
// without edge detection. It returns ErrOutputInterrupt on an output line,
// or periph's error.
func (p *Pin) SetInterrupt(change board.PinChange, callback func(board.Pin)) error {
	p.stopEdges()
	p.mu.Lock()
	defer p.mu.Unlock()
	if change == 0 || callback == nil {
		if p.mode == board.PinOutput {
			return nil
		}
		if err := p.io.In(pullOf(p.mode), gpio.NoEdge); err != nil {
			return fmt.Errorf("linuxgpio: %s: %w", p.io, err)
		}
		return nil
	}
	if p.mode == board.PinOutput {
		return fmt.Errorf("%w: %s", ErrOutputInterrupt, p.io)
	}
	if err := p.io.In(pullOf(p.mode), edgeOf(change)); err != nil {
		return fmt.Errorf("linuxgpio: %s: %w", p.io, err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	p.stop, p.done = stop, done
	go p.edges(stop, done, callback)
	return nil
}

// edges is the edge goroutine: it waits for edges and calls the callback
// until stop is closed.
func (p *Pin) edges(stop, done chan struct{}, callback func(board.Pin)) {
	defer close(done)
	for {
		select {
		case <-stop:
			return
		default:
		}
		start := time.Now()
		if p.io.WaitForEdge(EdgeTimeout) {
			select {
			case <-stop:
				return
			default:
			}
			callback(p)
			continue
		}
		// A wait that fails at once (a line that lost its edge
		// detection) must not spin.
		if time.Since(start) < EdgeTimeout/2 {
			select {
			case <-stop:
				return
			case <-time.After(EdgeTimeout):
			}
		}
	}
}

// stopEdges ends the edge goroutine, if any, and waits for it.
func (p *Pin) stopEdges() {
	p.mu.Lock()
	stop, done := p.stop, p.done
	p.stop, p.done = nil, nil
	p.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	p.io.Halt()
	<-done
}

// Close removes the interrupt, ending the edge goroutine. The line stays
// as it is.
func (p *Pin) Close() error {
	p.stopEdges()
	return nil
}
