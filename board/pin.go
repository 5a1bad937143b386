package board

import "fmt"

// PinMode is how a pin is configured, as in TinyGo's machine.PinMode.
type PinMode uint8

const (
	// PinInput is an input with neither pull-up nor pull-down: it floats
	// unless something drives it. The zero PinMode.
	PinInput PinMode = iota
	// PinOutput drives the pin high or low.
	PinOutput
	// PinInputPullup is an input that reads high unless something pulls
	// it low (a button to ground).
	PinInputPullup
	// PinInputPulldown is an input that reads low unless something pulls
	// it high (a button to the supply).
	PinInputPulldown
)

// String returns "input", "output", "input-pullup" or "input-pulldown".
func (m PinMode) String() string {
	switch m {
	case PinInput:
		return "input"
	case PinOutput:
		return "output"
	case PinInputPullup:
		return "input-pullup"
	case PinInputPulldown:
		return "input-pulldown"
	}
	return fmt.Sprintf("PinMode(%d)", uint8(m))
}

// PinConfig configures a pin, as TinyGo's machine.PinConfig does.
type PinConfig struct {
	Mode PinMode
}

// PinChange selects the edges that call a pin's interrupt callback, as
// TinyGo's machine.PinChange does.
type PinChange uint8

const (
	// PinRising is a change from low to high.
	PinRising PinChange = 1 << iota
	// PinFalling is a change from high to low.
	PinFalling
	// PinToggle is either change.
	PinToggle = PinRising | PinFalling
)

// String returns "rising", "falling", "toggle" or "none".
func (c PinChange) String() string {
	switch c {
	case 0:
		return "none"
	case PinRising:
		return "rising"
	case PinFalling:
		return "falling"
	case PinToggle:
		return "toggle"
	}
	return fmt.Sprintf("PinChange(%d)", uint8(c))
}

// Input is anything whose level can be read: a pin, a button. Get reports
// whether the level is high. The primitives (package primitives) read
// buttons and switches through it.
type Input interface {
	Get() bool
}

// Pin is a general-purpose I/O pin, shaped after TinyGo's machine.Pin so
// that board code ports both ways: Configure, High, Low, Set, Get and
// SetInterrupt mean what they mean there. Set and Get speak of the
// electrical level (true is high), not of what is wired to the pin.
//
// Interrupts: SetInterrupt's callback runs like an interrupt handler, on
// whatever goroutine saw the edge (the loop's for the simulated board, one
// per input line for Linux GPIO, off-interrupt for TinyGo). It must not run
// task code or touch the loop's objects; it hands the edge to a task with
// asyncio.ThreadSafeFlag.Set or Loop.CallSoonThreadsafe (see WatchEdges).
type Pin interface {
	Input
	// Configure sets the pin's mode. It returns an error if the hardware
	// refuses (TinyGo's returns nothing; calls that ignore the result
	// read the same on both).
	Configure(config PinConfig) error
	// Set drives an output pin high if high is true, low otherwise.
	Set(high bool)
	// High drives an output pin high.
	High()
	// Low drives an output pin low.
	Low()
	// Toggle drives an output pin to the other level.
	Toggle()
	// SetInterrupt makes callback run on each change of the pin's level
	// selected by change. A zero change or a nil callback removes it. Only
	// one callback is kept per pin.
	SetInterrupt(change PinChange, callback func(Pin)) error
}

// PWMOutput is one channel of a PWM peripheral driving a pin: the pin is
// high for the given percentage of each period.
type PWMOutput interface {
	// SetDuty sets the share of each period the pin is high, 0 to 100.
	SetDuty(percent int) error
}

// PWMLED is an LED dimmed by pulse-width modulation. Its duty is how bright
// it is, 0 (out) to 100 (fully lit), whatever its polarity. The LED methods
// see it as lit when its duty is above 0; On, Set(true) and SetValue of the
// lit level make it fully lit.
type PWMLED interface {
	LED
	// SetDuty sets the brightness in percent; values outside 0–100 are
	// clamped.
	SetDuty(percent int)
	// Duty returns the brightness in percent.
	Duty() int
}

// clampPercent returns p limited to 0–100.
func clampPercent(p int) int { return min(max(p, 0), 100) }

// PinLED is an LED on any Pin (a Linux GPIO line, a TinyGo pin, a simulated
// pin). It implements LED.
type PinLED struct {
	pin       Pin
	name      string
	activeLow bool
}

var _ LED = (*PinLED)(nil)

// NewLED configures pin as an output for an LED of the given polarity,
// puts the LED out, and returns it. It returns an error if the pin cannot
// be configured or the polarity is unknown.
func NewLED(name string, pin Pin, p Polarity) (*PinLED, error) {
	if p != ActiveHigh && p != ActiveLow {
		return nil, fmt.Errorf("board: LED %q: unknown polarity %d", name, p)
	}
	l := &PinLED{pin: pin, name: name, activeLow: p == ActiveLow}
	if err := pin.Configure(PinConfig{Mode: PinOutput}); err != nil {
		return nil, fmt.Errorf("board: LED %q: %w", name, err)
	}
	pin.Set(l.activeLow)
	return l, nil
}

// On lights the LED.
func (l *PinLED) On() { l.Set(true) }

// Off puts the LED out.
func (l *PinLED) Off() { l.Set(false) }

// Toggle lights the LED if it is out, and puts it out if it is lit.
func (l *PinLED) Toggle() { l.pin.Toggle() }

// Set lights the LED if on is true, and puts it out otherwise.
func (l *PinLED) Set(on bool) { l.pin.Set(on != l.activeLow) }

// Get reports whether the LED is lit.
func (l *PinLED) Get() bool { return l.pin.Get() != l.activeLow }

// Value returns the pin's level: 1 high, 0 low.
func (l *PinLED) Value() int { return b2i(l.pin.Get()) }

// SetValue drives the pin low for 0 and high for any other value.
func (l *PinLED) SetValue(v int) { l.pin.Set(v != 0) }

// Name returns the LED's name.
func (l *PinLED) Name() string { return l.name }

// Pin returns the pin the LED is on.
func (l *PinLED) Pin() Pin { return l.pin }

// Polarity returns the LED's polarity.
func (l *PinLED) Polarity() Polarity { return polarity(l.activeLow) }

// PinButton is a push button on any Pin. It implements Button and Input.
type PinButton struct {
	pin        Pin
	name       string
	activeHigh bool
}

var _ Button = (*PinButton)(nil)

// NewButton configures pin as an input for a button and returns it. An
// ActiveLow button (the usual wiring: to ground, with a pull-up) reads low
// while pressed; an ActiveHigh one (to the supply, with a pull-down) reads
// high while pressed. It returns an error if the pin cannot be configured
// or the polarity is unknown.
func NewButton(name string, pin Pin, p Polarity) (*PinButton, error) {
	mode := PinInputPullup
	switch p {
	case ActiveLow:
	case ActiveHigh:
		mode = PinInputPulldown
	default:
		return nil, fmt.Errorf("board: button %q: unknown polarity %d", name, p)
	}
	if err := pin.Configure(PinConfig{Mode: mode}); err != nil {
		return nil, fmt.Errorf("board: button %q: %w", name, err)
	}
	return &PinButton{pin: pin, name: name, activeHigh: p == ActiveHigh}, nil
}

// Value returns the pin's level: 1 high, 0 low.
func (b *PinButton) Value() int { return b2i(b.pin.Get()) }

// Get reports whether the pin's level is high.
func (b *PinButton) Get() bool { return b.pin.Get() }

// Pressed reports whether the button is pressed.
func (b *PinButton) Pressed() bool { return b.pin.Get() == b.activeHigh }

// Name returns the button's name.
func (b *PinButton) Name() string { return b.name }

// Pin returns the pin the button is on.
func (b *PinButton) Pin() Pin { return b.pin }

// Polarity returns ActiveLow for a button that reads low while pressed,
// ActiveHigh for one that reads high.
func (b *PinButton) Polarity() Polarity { return polarity(!b.activeHigh) }

// OutputPWMLED is an LED on a PWM channel. It implements PWMLED.
type OutputPWMLED struct {
	out       PWMOutput
	name      string
	activeLow bool
	duty      int
	err       error
}

var _ PWMLED = (*OutputPWMLED)(nil)

// NewPWMLED returns a PWM-dimmed LED of the given polarity on out, put out.
// It returns an error if the polarity is unknown or out refuses the duty.
func NewPWMLED(name string, out PWMOutput, p Polarity) (*OutputPWMLED, error) {
	if p != ActiveHigh && p != ActiveLow {
		return nil, fmt.Errorf("board: PWM LED %q: unknown polarity %d", name, p)
	}
	l := &OutputPWMLED{out: out, name: name, activeLow: p == ActiveLow}
	if err := out.SetDuty(l.pinDuty(0)); err != nil {
		return nil, fmt.Errorf("board: PWM LED %q: %w", name, err)
	}
	return l, nil
}

// lit reports whether a pin duty of d lights the LED at all.
func (l *OutputPWMLED) lit(d int) bool { return l.pinDuty(d) > 0 }

func (l *OutputPWMLED) pinDuty(brightness int) int {
	if l.activeLow {
		return 100 - brightness
	}
	return brightness
}

// SetDuty sets the brightness in percent, clamped to 0–100. An error from
// the PWM channel is kept for Err.
func (l *OutputPWMLED) SetDuty(percent int) {
	percent = clampPercent(percent)
	if err := l.out.SetDuty(l.pinDuty(percent)); err != nil {
		l.err = err
		return
	}
	l.duty = percent
}

// Err returns the last error of the PWM channel, or nil.
func (l *OutputPWMLED) Err() error { return l.err }

// Duty returns the brightness in percent.
func (l *OutputPWMLED) Duty() int { return l.duty }

// On lights the LED fully.
func (l *OutputPWMLED) On() { l.SetDuty(100) }

// Off puts the LED out.
func (l *OutputPWMLED) Off() { l.SetDuty(0) }

// Toggle puts the LED out if it is lit at all, and lights it fully if not.
func (l *OutputPWMLED) Toggle() { l.Set(!l.Get()) }

// Set lights the LED fully if on is true, and puts it out otherwise.
func (l *OutputPWMLED) Set(on bool) { l.SetDuty(100 * b2i(on)) }

// Get reports whether the LED is lit at all.
func (l *OutputPWMLED) Get() bool { return l.duty > 0 }

// Value returns the level that lights the LED if it is lit, and the other
// level if not.
func (l *OutputPWMLED) Value() int { return b2i(l.Get() != l.activeLow) }

// SetValue lights the LED fully if v is its active level (0 for active-low,
// any other value for active-high), and puts it out otherwise.
func (l *OutputPWMLED) SetValue(v int) { l.Set((v != 0) != l.activeLow) }

// Name returns the LED's name.
func (l *OutputPWMLED) Name() string { return l.name }

// Polarity returns the LED's polarity.
func (l *OutputPWMLED) Polarity() Polarity { return polarity(l.activeLow) }

// polarity returns ActiveLow if activeLow is true, ActiveHigh otherwise.
func polarity(activeLow bool) Polarity {
	if activeLow {
		return ActiveLow
	}
	return ActiveHigh
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
