// Package board is the hardware layer seen by asyncio programs: LEDs and
// buttons, and a simulated board that runs them on an asyncio loop.
//
// The interfaces follow MicroPython's machine.Pin (value, on, off, toggle),
// so that lab code reads like the lecture's, and TinyGo's machine.Pin (Set,
// Get), so that it ports to real boards. A Sim records every LED change with
// the loop's time and lets a program or a test press and release its buttons
// at given times; on the virtual clock (asyncio.VirtualClock) its trace is
// the same on every run.
package board

// LED is a light-emitting diode on an output pin.
//
// On, Off, Toggle, Set and Get speak of the light: lit or unlit. Value and
// SetValue speak of the pin's electrical level, 1 high and 0 low, as
// MicroPython's Pin.value does; on an active-low LED, SetValue(0) lights it.
// (TinyGo's machine.Pin.Set and Get are about the level; for an active-high
// LED the two readings agree.)
type LED interface {
	// On lights the LED.
	On()
	// Off puts the LED out.
	Off()
	// Toggle lights the LED if it is out, and puts it out if it is lit.
	Toggle()
	// Set lights the LED if on is true, and puts it out otherwise.
	Set(on bool)
	// Get reports whether the LED is lit.
	Get() bool
	// Value returns the pin's level: 1 high, 0 low.
	Value() int
	// SetValue drives the pin low for 0 and high for any other value.
	SetValue(v int)
	// Name returns the LED's name, as shown in traces.
	Name() string
}

// Button is a push button on an input pin with a pull-up: the pin reads 1
// while the button is released and 0 while it is pressed.
type Button interface {
	// Value returns the pin's level: 1 released, 0 pressed.
	Value() int
	// Pressed reports whether the button is pressed.
	Pressed() bool
	// Name returns the button's name.
	Name() string
}

// Polarity tells which pin level lights an LED.
type Polarity uint8

const (
	// ActiveHigh LEDs light when their pin is high (value 1).
	ActiveHigh Polarity = iota
	// ActiveLow LEDs light when their pin is low (value 0), as on the
	// lecture's board.
	ActiveLow
)

// String returns "active-high" or "active-low".
func (p Polarity) String() string {
	if p == ActiveLow {
		return "active-low"
	}
	return "active-high"
}
