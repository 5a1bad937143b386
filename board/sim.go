package board

import (
	"fmt"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// Event is one change of an LED's light, at a time of the loop's clock.
type Event struct {
	At   time.Duration // the loop's Time when the LED changed
	Name string        // the LED's name
	On   bool          // whether the LED is lit from then on
}

// String formats the event as a trace line: the time in seconds with three
// decimals, the LED's name, and "on" or "off", e.g. "0.250 green off".
func (e Event) String() string {
	state := "off"
	if e.On {
		state = "on"
	}
	return fmt.Sprintf("%.3f %s %s", e.At.Seconds(), e.Name, state)
}

// Sim is a simulated board on an asyncio loop. Its LEDs record each change
// of their light with the loop's time; its buttons are pressed and released
// by calls, at once or at given times of the loop's clock.
//
// Like the loop's own methods, a Sim and its parts must be used from the
// loop's goroutine (its tasks and callbacks) or while the loop is not
// running. Another goroutine hands work to them through the loop, e.g.
// loop.CallSoonThreadsafe(button.Press).
type Sim struct {
	loop     *asyncio.Loop
	names    map[string]bool
	events   []Event
	watchers []func(Event)
}

// NewSim returns an empty simulated board whose clock is loop's. It panics
// if loop is nil.
func NewSim(loop *asyncio.Loop) *Sim {
	if loop == nil {
		panic("board: NewSim with a nil loop")
	}
	return &Sim{loop: loop, names: map[string]bool{}}
}

// AddLED adds an LED with the given name and polarity to the board. The LED
// starts unlit: its pin is low if it is active-high, high if it is
// active-low. AddLED panics if the board already has a part with that name.
func (s *Sim) AddLED(name string, p Polarity) *SimLED {
	if p != ActiveHigh && p != ActiveLow {
		panic(fmt.Sprintf("board: AddLED %q: unknown polarity %d", name, p))
	}
	s.claim(name)
	return &SimLED{sim: s, name: name, activeLow: p == ActiveLow, high: p == ActiveLow}
}

// AddButton adds a released button with the given name to the board. It
// panics if the board already has a part with that name.
func (s *Sim) AddButton(name string) *SimButton {
	s.claim(name)
	return &SimButton{sim: s, name: name}
}

func (s *Sim) claim(name string) {
	if s.names[name] {
		panic(fmt.Sprintf("board: duplicate part name %q", name))
	}
	s.names[name] = true
}

// OnChange makes fn be called with each LED change from now on, as it
// happens, after it is recorded. Functions are called in the order they
// were added.
func (s *Sim) OnChange(fn func(Event)) {
	s.watchers = append(s.watchers, fn)
}

// Events returns a copy of the LED changes recorded so far, oldest first.
func (s *Sim) Events() []Event {
	return append([]Event(nil), s.events...)
}

// Trace returns the LED changes recorded so far, one line each in the
// format of Event.String, each ending with a newline. It is empty when no
// LED has changed.
func (s *Sim) Trace() string {
	var b strings.Builder
	for _, e := range s.events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *Sim) record(name string, on bool) {
	e := Event{At: s.loop.Time(), Name: name, On: on}
	s.events = append(s.events, e)
	for _, fn := range s.watchers {
		fn(e)
	}
}

// SimLED is an LED of a simulated board. It implements LED; each change of
// its light, and only a change, is recorded on its board.
type SimLED struct {
	sim       *Sim
	name      string
	activeLow bool
	high      bool // the pin's level
}

var _ LED = (*SimLED)(nil)

// On lights the LED.
func (l *SimLED) On() { l.Set(true) }

// Off puts the LED out.
func (l *SimLED) Off() { l.Set(false) }

// Toggle lights the LED if it is out, and puts it out if it is lit.
func (l *SimLED) Toggle() { l.Set(!l.Get()) }

// Set lights the LED if on is true, and puts it out otherwise.
func (l *SimLED) Set(on bool) {
	if on == l.Get() {
		return
	}
	l.high = on != l.activeLow
	l.sim.record(l.name, on)
}

// Get reports whether the LED is lit.
func (l *SimLED) Get() bool { return l.high != l.activeLow }

// Value returns the pin's level: 1 high, 0 low.
func (l *SimLED) Value() int {
	if l.high {
		return 1
	}
	return 0
}

// SetValue drives the pin low for 0 and high for any other value, as
// MicroPython's Pin.value does.
func (l *SimLED) SetValue(v int) { l.Set((v != 0) != l.activeLow) }

// Name returns the LED's name.
func (l *SimLED) Name() string { return l.name }

// Polarity returns the LED's polarity.
func (l *SimLED) Polarity() Polarity {
	if l.activeLow {
		return ActiveLow
	}
	return ActiveHigh
}

// SimButton is a button of a simulated board. It implements Button; Press
// and Release (or PressAt and ReleaseAt) stand for a finger on it.
type SimButton struct {
	sim     *Sim
	name    string
	pressed bool
}

var _ Button = (*SimButton)(nil)

// Value returns the pin's level: 1 released, 0 pressed.
func (b *SimButton) Value() int {
	if b.pressed {
		return 0
	}
	return 1
}

// Pressed reports whether the button is pressed.
func (b *SimButton) Pressed() bool { return b.pressed }

// Name returns the button's name.
func (b *SimButton) Name() string { return b.name }

// Press presses the button now; it stays pressed until Release. Pressing a
// pressed button does nothing.
func (b *SimButton) Press() { b.pressed = true }

// Release releases the button now. Releasing a released button does
// nothing.
func (b *SimButton) Release() { b.pressed = false }

// PressAt arranges for the button to be pressed when the loop's clock
// reaches at, by a loop callback (see asyncio.Loop.CallAt). A task woken at
// the same time sees the button pressed if the press was scheduled before
// the task's wake-up: what is due at the same time runs in the order it was
// scheduled. Cancel the returned handle to call the press off.
func (b *SimButton) PressAt(at time.Duration) *asyncio.Handle {
	return b.sim.loop.CallAt(at, b.Press)
}

// ReleaseAt arranges for the button to be released when the loop's clock
// reaches at, like PressAt.
func (b *SimButton) ReleaseAt(at time.Duration) *asyncio.Handle {
	return b.sim.loop.CallAt(at, b.Release)
}

// Lab is the lecture's lab board: two active-low LEDs, "red" and "green",
// which light when their pin is driven low (the lecture's led.value(0)), and
// a button, "button", with a pull-up. The LEDs start out and the button
// starts released.
type Lab struct {
	*Sim
	Red    *SimLED    // LED "red", active-low
	Green  *SimLED    // LED "green", active-low
	Button *SimButton // button "button"
}

// NewLab returns the lecture's lab board on loop's clock. It panics if loop
// is nil.
func NewLab(loop *asyncio.Loop) *Lab {
	s := NewSim(loop)
	return &Lab{
		Sim:    s,
		Red:    s.AddLED("red", ActiveLow),
		Green:  s.AddLED("green", ActiveLow),
		Button: s.AddButton("button"),
	}
}
