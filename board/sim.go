package board

import (
	"fmt"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board/internal/simhook"
	"github.com/goasyncio/asyncio/board/wave"
)

// LEDChange is one change of an LED's light, at a time of the loop's clock: a
// line of the trace the labs print.
type LEDChange struct {
	At   time.Duration // the loop's Time when the LED changed
	Name string        // the LED's name
	On   bool          // whether the LED is lit from then on
}

// String formats the change as a trace line: the time in seconds with three
// decimals, the LED's name, and "on" or "off", e.g. "0.250 green off".
func (e LEDChange) String() string {
	state := "off"
	if e.On {
		state = "on"
	}
	return fmt.Sprintf("%.3f %s %s", e.At.Seconds(), e.Name, state)
}

// Sim is a simulated board on an asyncio loop: any number of named LEDs,
// PWM-dimmed LEDs, buttons and general pins. It keeps two records:
//
//   - the LED changes (LEDChange): each change of an LED's light (Events, Trace,
//     OnChange), what the labs print;
//   - the waveform: each change of any part's electrical level, an LED's
//     pin, a button's pin (contact bounce included), a pin, a PWM duty
//     (Levels, OnLevel, Waveform), for VCD and WaveDrom export.
//
// Both carry the loop's time, so on the virtual clock (asyncio.VirtualClock)
// a run gives the same records every time. Buttons and input pins are
// pressed, released and driven by calls, at once or at given times of the
// loop's clock, or by a Script.
//
// Like the loop's own methods, a Sim and its parts must be used from the
// loop's goroutine (its tasks and callbacks) or while the loop is not
// running. Another goroutine hands work to them through the loop, e.g.
// loop.CallSoonThreadsafe(button.Press).
type Sim struct {
	loop     *asyncio.Loop
	name     string
	names    map[string]bool
	events   []LEDChange
	watchers []func(LEDChange)

	parts    map[string]any // *SimLED, *SimPWMLED, *SimButton, *SimPin
	order    []string       // part names in the order they were added
	signals  []wave.Signal
	levels   []wave.Change
	onLevels []func(wave.Change)
	viewer   *viewer // the viewer this board shows on, or nil

	transfers   []Transfer // bus transfers (bus.go)
	onTransfers []func(Transfer)
}

var _ Board = (*Sim)(nil)

// NewSim returns an empty simulated board whose clock is loop's. It panics
// if loop is nil.
//
// The viewer: if the environment variable ASYNCIO_BOARD_VIEW is set, as
// cmd/board and package view set it for the program they run, and no other
// board of the process has taken the viewer, NewSim calls AttachViewer with
// its value, so that a program needs no change to be shown. That changes
// the loop: its clock becomes a virtual clock paced by the viewer (Loop.SetPace),
// held still until the connection is made (on a goroutine: NewSim does not
// wait), and the board holds a Loop.KeepAlive while the viewer is there,
// for its presses may come at any time. The viewer sees the board's parts
// and levels and may press its buttons, drive its input pins and pace its
// clock (see "The viewer link" in the package documentation). A value
// without the run's secret, or with an address that is not loopback
// (unless ASYNCIO_BOARD_VIEW_REMOTE=1), is reported on standard error and
// the board runs without a viewer. Without the variable NewSim connects to
// nothing and leaves the loop as it is.
func NewSim(loop *asyncio.Loop) *Sim {
	if loop == nil {
		panic("board: NewSim with a nil loop")
	}
	s := &Sim{loop: loop, names: map[string]bool{}, parts: map[string]any{}, name: "board"}
	s.attachEnvViewer()
	simhook.Run(s)
	return s
}

// Loop returns the loop whose clock the board uses.
func (s *Sim) Loop() *asyncio.Loop { return s.loop }

// Name returns the board's name, "board" unless set by SetName or a Spec.
// It names the waveform's scope.
func (s *Sim) Name() string { return s.name }

// SetName sets the board's name.
func (s *Sim) SetName(name string) {
	s.name = name
	if s.viewer != nil {
		s.viewer.hello()
	}
}

// AddLED adds an LED with the given name and polarity to the board: a
// PinLED on an output pin of the board. The LED starts unlit: its pin is low
// if it is active-high, high if it is active-low. AddLED panics if the board
// already has a part with that name.
func (s *Sim) AddLED(name string, p Polarity) *SimLED {
	if p != ActiveHigh && p != ActiveLow {
		panic(fmt.Sprintf("board: AddLED %q: unknown polarity %d", name, p))
	}
	s.claim(name)
	pin := &SimPin{sim: s, name: name, mode: PinOutput, out: p == ActiveLow}
	pin.level = pin.compute()
	pl, err := NewLED(name, pin, p)
	if err != nil {
		panic(err) // a simulated pin takes any mode
	}
	l := &SimLED{PinLED: *pl, ledColour: ledColour{sim: s, part: name}}
	pin.onLevel = func(high bool) { s.record(name, high != pl.activeLow) }
	s.add(name, l, wave.Signal{Name: name, Kind: wave.Bit, Init: l.Value()})
	return l
}

// AddPWMLED adds a PWM-dimmed LED with the given name and polarity, out
// (duty 0): an OutputPWMLED on a PWM channel of the board. Its waveform
// signal is the pin's duty in percent (100 minus the brightness for an
// active-low LED). AddPWMLED panics if the board already has a part with
// that name or the polarity is unknown.
func (s *Sim) AddPWMLED(name string, p Polarity) *SimPWMLED {
	if p != ActiveHigh && p != ActiveLow {
		panic(fmt.Sprintf("board: AddPWMLED %q: unknown polarity %d", name, p))
	}
	s.claim(name)
	out := &simPWM{sim: s, name: name}
	if p == ActiveLow {
		out.duty = 100 // out
	}
	ol, err := NewPWMLED(name, out, p)
	if err != nil {
		panic(err) // a simulated channel takes any duty
	}
	l := &SimPWMLED{OutputPWMLED: *ol, ledColour: ledColour{sim: s, part: name}}
	out.onDuty = func(from, to int) {
		if wasLit, lit := ol.lit(from), ol.lit(to); lit != wasLit {
			s.record(name, lit)
		}
	}
	s.add(name, l, wave.Signal{Name: name, Kind: wave.Vector, Width: 7, Unit: "%", Init: out.duty})
	return l
}

// AddButton adds a released button with the given name to the board: an
// active-low button, on a pin with a pull-up that the button pulls low. It
// panics if the board already has a part with that name.
func (s *Sim) AddButton(name string) *SimButton {
	return s.AddButtonOf(name, ActiveLow)
}

// AddButtonOf adds a released button of the given polarity: ActiveLow (a
// pull-up, pressed reads low) or ActiveHigh (a pull-down, pressed reads
// high). It panics if the board already has a part with that name or the
// polarity is unknown.
func (s *Sim) AddButtonOf(name string, p Polarity) *SimButton {
	mode := PinInputPullup
	switch p {
	case ActiveLow:
	case ActiveHigh:
		mode = PinInputPulldown
	default:
		panic(fmt.Sprintf("board: AddButton %q: unknown polarity %d", name, p))
	}
	s.claim(name)
	pin := s.newPin(name, mode)
	pb, err := NewButton(name, pin, p)
	if err != nil {
		panic(err) // a simulated pin takes any mode
	}
	b := &SimButton{PinButton: *pb, pin: pin}
	s.add(name, b, wave.Signal{Name: name, Kind: wave.Bit, Init: b2i(pin.level)})
	return b
}

// AddPin adds a general pin with the given name, configured as mode. A
// program configures it and drives it (if it is an output) through the Pin
// methods; the outside world drives it (if it is an input) with Drive,
// Float and their timed forms. It panics if the board already has a part
// with that name.
func (s *Sim) AddPin(name string, mode PinMode) *SimPin {
	s.claim(name)
	p := s.newPin(name, mode)
	s.add(name, p, wave.Signal{Name: name, Kind: wave.Bit, Init: b2i(p.level)})
	return p
}

func (s *Sim) claim(name string) {
	if s.names[name] {
		panic(fmt.Sprintf("board: duplicate part name %q", name))
	}
	s.names[name] = true
}

func (s *Sim) add(name string, part any, sig wave.Signal) {
	s.parts[name] = part
	s.order = append(s.order, name)
	s.signals = append(s.signals, sig)
	if s.viewer != nil {
		s.viewer.part(name)
	}
}

// Parts returns the names of the board's parts in the order they were
// added.
func (s *Sim) Parts() []string { return append([]string(nil), s.order...) }

// SimLED returns the LED named name, or nil if there is none.
func (s *Sim) SimLED(name string) *SimLED { l, _ := s.parts[name].(*SimLED); return l }

// SimPWMLED returns the PWM-dimmed LED named name, or nil.
func (s *Sim) SimPWMLED(name string) *SimPWMLED { l, _ := s.parts[name].(*SimPWMLED); return l }

// SimButton returns the button named name, or nil.
func (s *Sim) SimButton(name string) *SimButton { b, _ := s.parts[name].(*SimButton); return b }

// SimPin returns the pin named name (a button's pin too), or nil.
func (s *Sim) SimPin(name string) *SimPin {
	switch p := s.parts[name].(type) {
	case *SimPin:
		return p
	case *SimButton:
		return p.pin
	}
	return nil
}

// LED implements Board: it returns the LED (or PWM-dimmed LED) named name.
func (s *Sim) LED(name string) (LED, error) {
	switch l := s.parts[name].(type) {
	case *SimLED:
		return l, nil
	case *SimPWMLED:
		return l, nil
	}
	return nil, s.missing(name, "LED")
}

// PWMLED implements Board: it returns the PWM-dimmed LED named name.
func (s *Sim) PWMLED(name string) (PWMLED, error) {
	if l := s.SimPWMLED(name); l != nil {
		return l, nil
	}
	return nil, s.missing(name, "PWM LED")
}

// Button implements Board: it returns the button named name.
func (s *Sim) Button(name string) (Button, error) {
	if b := s.SimButton(name); b != nil {
		return b, nil
	}
	return nil, s.missing(name, "button")
}

// Pin implements Board: it returns the pin named name, a button's pin
// included.
func (s *Sim) Pin(name string) (Pin, error) {
	if p := s.SimPin(name); p != nil {
		return p, nil
	}
	return nil, s.missing(name, "pin")
}

func (s *Sim) missing(name, kind string) error {
	if s.names[name] {
		return fmt.Errorf("board: part %q is not a %s", name, kind)
	}
	return fmt.Errorf("board: no part %q", name)
}

// OnChange makes fn be called with each LED change from now on, as it
// happens, after it is recorded. Functions are called in the order they
// were added.
func (s *Sim) OnChange(fn func(LEDChange)) {
	s.watchers = append(s.watchers, fn)
}

// Events returns a copy of the LED changes recorded so far, oldest first.
func (s *Sim) Events() []LEDChange {
	return append([]LEDChange(nil), s.events...)
}

// Trace returns the LED changes recorded so far, one line each in the
// format of LEDChange.String, each ending with a newline. It is empty when no
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
	e := LEDChange{At: s.loop.Time(), Name: name, On: on}
	s.events = append(s.events, e)
	for _, fn := range s.watchers {
		fn(e)
	}
}

// OnLevel makes fn be called with each level change of any part from now
// on, after it is recorded, in the order the functions were added.
func (s *Sim) OnLevel(fn func(wave.Change)) {
	s.onLevels = append(s.onLevels, fn)
}

// Levels returns a copy of the level changes recorded so far, oldest first.
func (s *Sim) Levels() []wave.Change {
	return append([]wave.Change(nil), s.levels...)
}

func (s *Sim) level(name string, v int) {
	c := wave.Change{At: s.loop.Time(), Signal: name, Value: v}
	s.levels = append(s.levels, c)
	if s.viewer != nil {
		s.viewer.level(c)
	}
	for _, fn := range s.onLevels {
		fn(c)
	}
}

// Waveform returns the level record as a waveform: one signal per part, in
// the order the parts were added, with its level when it was added as the
// initial value, every change since, and the loop's time now as its end.
// Call it after the run to include the time up to the run's end.
func (s *Sim) Waveform() *wave.Waveform {
	return &wave.Waveform{
		Scope:   s.name,
		Signals: append([]wave.Signal(nil), s.signals...),
		Changes: s.Levels(),
		End:     s.loop.Time(),
	}
}

// SimLED is an LED of a simulated board: a PinLED on an output pin of the
// board. Each change of its light, and only a change, is recorded on its
// board as an LED change, and each change of its pin's level as a level
// change.
type SimLED struct {
	PinLED
	ledColour
}

var _ LED = (*SimLED)(nil)

// SimPWMLED is a PWM-dimmed LED of a simulated board: an OutputPWMLED on a
// PWM channel of the board. A change of its light (out to lit or back) is an
// LED change; every change of its duty is a level change of its signal, in
// percent of the pin's duty.
type SimPWMLED struct {
	OutputPWMLED
	ledColour
}

var _ PWMLED = (*SimPWMLED)(nil)

// ledColour is the colour of a simulated LED; it only describes the LED, to
// the viewer and in the board file.
type ledColour struct {
	sim    *Sim
	part   string
	colour string
}

// Colour returns the LED's colour as the board file gives it, or "".
func (c *ledColour) Colour() string { return c.colour }

// SetColour sets the colour Colour returns; it only describes the LED.
func (c *ledColour) SetColour(colour string) {
	c.colour = colour
	if c.sim.viewer != nil {
		c.sim.viewer.part(c.part)
	}
}

// SimButton is a button of a simulated board: a PinButton on a pin with a
// pull-up (or a pull-down, for an active-high button) that the button drives
// while it is pressed. It implements Button and Input; Press and Release (or
// PressAt and ReleaseAt) stand for a finger on it. With SetBounce, each
// press and release is followed by a burst of contact bounce, during which
// Pressed changes with each bounce.
type SimButton struct {
	PinButton
	pin *SimPin
}

var (
	_ Button = (*SimButton)(nil)
	_ Input  = (*SimButton)(nil)
)

// Pin returns the button's pin, to read it as a Pin or set an interrupt.
func (b *SimButton) Pin() *SimPin { return b.pin }

// SetBounce sets the contact bounce of each later press and release (see
// Bounce); the zero Bounce turns it off.
func (b *SimButton) SetBounce(bc Bounce) { b.pin.SetBounce(bc) }

// Press presses the button now; it stays pressed until Release. Pressing a
// pressed button does nothing.
func (b *SimButton) Press() { b.pin.Drive(b.activeHigh) }

// Release releases the button now. Releasing a released button does
// nothing.
func (b *SimButton) Release() { b.pin.Float() }

// PressAt arranges for the button to be pressed when the loop's clock
// reaches at, by a loop callback (see asyncio.Loop.CallAt). A task woken at
// the same time sees the button pressed if the press was scheduled before
// the task's wake-up: what is due at the same time runs in the order it was
// scheduled. Cancel the returned handle to call the press off.
func (b *SimButton) PressAt(at time.Duration) *asyncio.Handle {
	return b.pin.sim.loop.CallAt(at, b.Press)
}

// ReleaseAt arranges for the button to be released when the loop's clock
// reaches at, like PressAt.
func (b *SimButton) ReleaseAt(at time.Duration) *asyncio.Handle {
	return b.pin.sim.loop.CallAt(at, b.Release)
}

// Lab is the lecture's lab board: two active-low LEDs, "red" and "green",
// which light when their pin is driven low (the lecture's led.value(0)), and
// a button, "button", with a pull-up. The LEDs start out and the button
// starts released. (Its Button field hides the Sim's Button method; use
// Lab.Sim for the Board interface.)
type Lab struct {
	*Sim
	Red    *SimLED    // LED "red", active-low
	Green  *SimLED    // LED "green", active-low
	Button *SimButton // button "button"
}

// NewLab returns the lecture's lab board on loop's clock, named "lab". It
// panics if loop is nil. LabSpec describes the same board as a board file.
func NewLab(loop *asyncio.Loop) *Lab {
	s := NewSim(loop)
	s.SetName("lab")
	lab := &Lab{
		Sim:    s,
		Red:    s.AddLED("red", ActiveLow),
		Green:  s.AddLED("green", ActiveLow),
		Button: s.AddButton("button"),
	}
	lab.Red.SetColour("red")
	lab.Green.SetColour("green")
	return lab
}
