//go:build tinygo

package tinygo

import (
	"errors"
	"machine"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goasyncio/asyncio/board"
)

// PollInterval is how often the interrupt flags are polled.
const PollInterval = time.Millisecond

// ErrNoPulldown is returned by Configure for PinInputPulldown until
// UsePulldown has said which TinyGo mode that is: not every chip has one,
// and naming machine.PinInputPulldown where it does not exist would not
// compile.
var ErrNoPulldown = errors.New("tinygo: no pull-down mode set (see UsePulldown)")

var (
	pulldown    machine.PinMode
	hasPulldown bool
)

// UsePulldown tells the adapter the chip's pull-down mode, on chips that
// have one: tinygo.UsePulldown(machine.PinInputPulldown).
func UsePulldown(m machine.PinMode) { pulldown, hasPulldown = m, true }

// Pin is a TinyGo machine.Pin as a board.Pin. Its methods may be called
// from any goroutine but not from interrupt context.
type Pin struct {
	pin     machine.Pin
	out     bool
	pending atomic.Uint32 // set by the interrupt handler
	mu      sync.Mutex
	cb      func(board.Pin)
}

var _ board.Pin = (*Pin)(nil)

// NewPin returns p as a board.Pin. It does not configure it.
func NewPin(p machine.Pin) *Pin { return &Pin{pin: p} }

// Machine returns the TinyGo pin.
func (p *Pin) Machine() machine.Pin { return p.pin }

// Configure sets the pin's mode. It returns ErrNoPulldown for
// PinInputPulldown unless UsePulldown was called, and an error for an
// unknown mode.
func (p *Pin) Configure(c board.PinConfig) error {
	var m machine.PinMode
	switch c.Mode {
	case board.PinOutput:
		m = machine.PinOutput
	case board.PinInput:
		m = machine.PinInput
	case board.PinInputPullup:
		m = machine.PinInputPullup
	case board.PinInputPulldown:
		if !hasPulldown {
			return ErrNoPulldown
		}
		m = pulldown
	default:
		return errors.New("tinygo: unknown pin mode")
	}
	p.pin.Configure(machine.PinConfig{Mode: m})
	if c.Mode == board.PinOutput {
		p.pin.Set(p.out)
	}
	return nil
}

// Set drives the pin high if high is true, low otherwise.
func (p *Pin) Set(high bool) {
	p.out = high
	p.pin.Set(high)
}

// High drives the pin high.
func (p *Pin) High() { p.Set(true) }

// Low drives the pin low.
func (p *Pin) Low() { p.Set(false) }

// Toggle drives the pin to the level other than the one last Set.
func (p *Pin) Toggle() { p.Set(!p.out) }

// Get reports whether the pin reads high.
func (p *Pin) Get() bool { return p.pin.Get() }

// SetInterrupt makes callback run after each change of the pin selected by
// change: TinyGo's handler only flags the pin, and the package's polling
// goroutine calls callback, outside interrupt context, within PollInterval
// (see the package documentation). A zero change or a nil callback removes
// the interrupt. It returns TinyGo's error.
func (p *Pin) SetInterrupt(change board.PinChange, callback func(board.Pin)) error {
	// Some chips refuse a new handler while one is set: remove it first.
	if err := p.pin.SetInterrupt(0, nil); err != nil {
		return err
	}
	p.mu.Lock()
	p.cb = nil
	p.mu.Unlock()
	unwatch(p)
	if change == 0 || callback == nil {
		return nil
	}
	var c machine.PinChange
	switch change {
	case board.PinRising:
		c = machine.PinRising
	case board.PinFalling:
		c = machine.PinFalling
	default:
		c = machine.PinToggle
	}
	p.mu.Lock()
	p.cb = callback
	p.mu.Unlock()
	watch(p)
	// The handler runs in interrupt context: an atomic store, no more.
	return p.pin.SetInterrupt(c, func(machine.Pin) { p.pending.Store(1) })
}

// The polling goroutine and the pins it watches.
var (
	watchMu sync.Mutex
	watched []*Pin
	started bool
)

func watch(p *Pin) {
	watchMu.Lock()
	defer watchMu.Unlock()
	watched = append(watched, p)
	if !started {
		started = true
		go poll()
	}
}

func unwatch(p *Pin) {
	watchMu.Lock()
	defer watchMu.Unlock()
	for i, q := range watched {
		if q == p {
			watched = append(watched[:i], watched[i+1:]...)
			return
		}
	}
}

// poll calls the callbacks of the flagged pins, forever.
func poll() {
	var pins []*Pin
	for {
		time.Sleep(PollInterval)
		watchMu.Lock()
		pins = append(pins[:0], watched...)
		watchMu.Unlock()
		for _, p := range pins {
			if p.pending.Swap(0) == 0 {
				continue
			}
			p.mu.Lock()
			cb := p.cb
			p.mu.Unlock()
			if cb != nil {
				cb(p)
			}
		}
	}
}

// PWMPeripheral is what TinyGo's PWM peripherals (machine.PWM0, ...) offer,
// configured with their Configure method first.
type PWMPeripheral interface {
	Channel(pin machine.Pin) (channel uint8, err error)
	Set(channel uint8, value uint32)
	Top() uint32
}

// PWM is one channel of a TinyGo PWM peripheral, as a board.PWMOutput: for
// board.NewPWMLED.
type PWM struct {
	pwm PWMPeripheral
	ch  uint8
}

var _ board.PWMOutput = (*PWM)(nil)

// NewPWM returns the channel of pwm that drives pin (pwm configured
// already). It returns TinyGo's error if pwm cannot drive pin.
func NewPWM(pwm PWMPeripheral, pin machine.Pin) (*PWM, error) {
	ch, err := pwm.Channel(pin)
	if err != nil {
		return nil, err
	}
	return &PWM{pwm: pwm, ch: ch}, nil
}

// SetDuty sets the share of each period the pin is high, in percent,
// clamped to 0–100. It never fails.
func (c *PWM) SetDuty(percent int) error {
	percent = min(max(percent, 0), 100)
	c.pwm.Set(c.ch, uint32(uint64(c.pwm.Top())*uint64(percent)/100))
	return nil
}
