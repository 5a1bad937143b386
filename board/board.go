// Package board is the hardware layer seen by asyncio programs: pins, LEDs,
// PWM-dimmed LEDs, buttons and serial ports, and a simulated board that runs
// them on an asyncio loop.
//
// The interfaces follow MicroPython's machine.Pin (value, on, off, toggle),
// so that lab code reads like the lecture's, and TinyGo's machine.Pin
// (Configure, High, Low, Set, Get, SetInterrupt), so that it ports to real
// boards. Pin interrupts reach tasks through asyncio.ThreadSafeFlag
// (WatchEdges), never by running task code on another goroutine.
//
// Backends:
//
//   - Sim, the simulated board, the default and what tests use: any number of
//     named parts, described in code or in a board file (Spec, JSON; LabSpec
//     is the lecture's board), with optional seeded contact bounce on inputs
//     (Bounce), scripted input (Script), and a record of every level change
//     with the loop's time, exported as VCD or WaveDrom JSON (package
//     board/wave);
//   - Linux GPIO lines through the kernel's character device, with periph.io
//     (package board/linuxgpio);
//   - TinyGo's machine package (package board/tinygo, behind the tinygo
//     build tag).
//
// NewLED, NewButton and NewPWMLED put parts on any Pin or PWM channel, so
// the backends only provide pins: the simulated board's LEDs and buttons
// (Sim.AddLED, AddPWMLED, AddButton) are these same parts on its own pins
// and PWM channels, which record each change. On the virtual clock
// (asyncio.VirtualClock) a simulated run is the same on every run.
//
// # The viewer link
//
// A simulated board can show itself to a viewer (cmd/board, package view):
// the viewer sees every level change, presses buttons, drives input pins,
// and paces the loop's clock (asyncio.Pace), which from then on is a virtual
// clock that the viewer can slow down, speed up, pause and step; while the
// viewer is there the board holds a Loop.KeepAlive, for a press may come at
// any time. Sim.AttachViewer attaches a board explicitly. By default NewSim
// attaches the first simulated board of the process to the viewer that the
// environment variable ASYNCIO_BOARD_VIEW names, as cmd/board and package
// view set it for the program they run, so that a program needs no change
// to be shown; without the variable no board connects to anything.
//
// The value carries a secret of the run and an address,
// "secret@127.0.0.1:port"; the board sends the secret first, and the viewer
// takes no other connection. By default the board connects only to a
// loopback address (no name is looked up); ASYNCIO_BOARD_VIEW_REMOTE=1
// allows another. ASYNCIO_BOARD_SPEED sets the clock's starting speed and
// ASYNCIO_BOARD_PAUSED=1 starts it paused. NewSim reports a value without a
// secret, or with an address it refuses, on standard error, and the program
// runs as it would without the variable. The connection is made on a
// goroutine, so the loop never waits for it; the clock stands still until
// the viewer is there.
//
// While a viewer is attached, the board also shows it the loop's tasks: an
// asyncio.Instrument sends each change of a task's state (created, ready,
// running, and what it stopped for: "sleeping until 1.000s", "waiting for
// an event"), with each run's real duration, which is what shows a task
// that blocks the loop on the paced clock, where a run takes no time. The
// instrument is installed only while a viewer is there: a board without
// one adds nothing to a task's step.
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

// Button is a push button on an input pin. With the usual wiring, a pull-up
// and the button to ground (active-low), the pin reads 1 while the button
// is released and 0 while it is pressed; an active-high button reads the
// other way round, and Pressed is right for both.
type Button interface {
	// Value returns the pin's level: 1 high, 0 low.
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
