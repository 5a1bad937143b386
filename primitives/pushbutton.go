package primitives

import (
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// Default timings, as in micropython-async.
const (
	DefaultDebounce    = 50 * time.Millisecond   // poll period of Pushbutton and Switch
	DefaultLongPress   = 1000 * time.Millisecond // Pushbutton's long press
	DefaultDoubleClick = 400 * time.Millisecond  // Pushbutton's double-click window
)

// Sense says which level of a button's pin means released.
type Sense uint8

const (
	// SenseAuto takes the level when the Pushbutton is made as released
	// (micropython-async's sense=None): right for any wiring, as long as
	// the button is not held down then.
	SenseAuto Sense = iota
	// SenseHigh: released reads high (a button to ground with a pull-up).
	SenseHigh
	// SenseLow: released reads low (a button to the supply with a
	// pull-down).
	SenseLow
)

// PushbuttonConfig sets a Pushbutton's timings and behaviour. The zero
// value gives micropython-async's defaults.
type PushbuttonConfig struct {
	Debounce    time.Duration // poll period; zero means DefaultDebounce
	LongPress   time.Duration // hold time of a long press; zero means DefaultLongPress
	DoubleClick time.Duration // double-click window; zero means DefaultDoubleClick
	// Suppress makes exactly one of long, double and release fire per
	// gesture (see the package documentation).
	Suppress bool
	// Sense says which level is released.
	Sense Sense
}

// handler is a callback and an event, either or both.
type handler struct {
	fn func()
	ev *asyncio.Event
}

func (h *handler) wanted() bool { return h.fn != nil || h.ev != nil }

func (h *handler) fire() {
	if h.fn != nil {
		h.fn()
	}
	if h.ev != nil {
		h.ev.Set()
	}
}

func (h *handler) event() *asyncio.Event {
	if h.ev == nil {
		h.ev = &asyncio.Event{}
	}
	return h.ev
}

// Pushbutton recognises presses, releases, long presses and double clicks
// of a push button, debounced by polling (micropython-async's Pushbutton).
// Make it with NewPushbutton, ask for the gestures you want with the On...
// and ...Event methods, and run it with Start or Run. Its methods must be
// called on the loop's goroutine.
type Pushbutton struct {
	in       board.Input
	cfg      PushbuttonConfig
	released bool // the level that means released
	pressed  bool // the debounced state

	press, release, long, double handler

	loop       *asyncio.Loop
	longTimer  *asyncio.Handle
	dblTimer   *asyncio.Handle
	dblPending bool // the first click's double-click window is open
	second     bool // the press under way is a double click's second
	longRan    bool // long fired during the press under way
	relPending bool // Suppress: a single click's release waits for the window
}

// NewPushbutton returns a Pushbutton reading in with the given
// configuration. With SenseAuto the level read now is released.
func NewPushbutton(in board.Input, cfg PushbuttonConfig) *Pushbutton {
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.LongPress <= 0 {
		cfg.LongPress = DefaultLongPress
	}
	if cfg.DoubleClick <= 0 {
		cfg.DoubleClick = DefaultDoubleClick
	}
	b := &Pushbutton{in: in, cfg: cfg}
	switch cfg.Sense {
	case SenseHigh:
		b.released = true
	case SenseLow:
		b.released = false
	default:
		b.released = in.Get()
	}
	b.pressed = b.Raw()
	return b
}

// Config returns the configuration, defaults filled in.
func (b *Pushbutton) Config() PushbuttonConfig { return b.cfg }

// OnPress sets the function called at each press; nil removes it.
func (b *Pushbutton) OnPress(fn func()) { b.press.fn = fn }

// OnRelease sets the function called at each release (later, or not at
// all, with Suppress); nil removes it.
func (b *Pushbutton) OnRelease(fn func()) { b.release.fn = fn }

// OnLong sets the function called at each long press, and enables their
// detection; nil removes it.
func (b *Pushbutton) OnLong(fn func()) { b.long.fn = fn }

// OnDouble sets the function called at each double click, and enables
// their detection; nil removes it.
func (b *Pushbutton) OnDouble(fn func()) { b.double.fn = fn }

// PressEvent returns the event set at each press (the same one each call).
func (b *Pushbutton) PressEvent() *asyncio.Event { return b.press.event() }

// ReleaseEvent returns the event set at each release.
func (b *Pushbutton) ReleaseEvent() *asyncio.Event { return b.release.event() }

// LongEvent returns the event set at each long press, and enables their
// detection.
func (b *Pushbutton) LongEvent() *asyncio.Event { return b.long.event() }

// DoubleEvent returns the event set at each double click, and enables
// their detection.
func (b *Pushbutton) DoubleEvent() *asyncio.Event { return b.double.event() }

// Pressed reports the debounced state: whether the last poll read the
// button pressed.
func (b *Pushbutton) Pressed() bool { return b.pressed }

// Raw reports whether the button reads pressed now, bounce and all.
func (b *Pushbutton) Raw() bool { return b.in.Get() != b.released }

// Start runs Run in a new task of ctx's loop, named "pushbutton", and
// returns it; the task ends when cancelled, at the latest when the loop
// closes.
func (b *Pushbutton) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, b.Run, asyncio.Named("pushbutton"))
}

// Run polls the button every Debounce, from now on, and fires what the
// gestures call for, until the task is cancelled; then it stops its timers,
// forgets a gesture under way, and returns asyncio.ErrCancelled. Run one
// at a time.
func (b *Pushbutton) Run(ctx *asyncio.Ctx) error {
	b.loop = ctx.Loop()
	defer b.reset()
	for {
		b.check(b.Raw())
		if err := asyncio.Sleep(ctx, b.cfg.Debounce); err != nil {
			return err
		}
	}
}

func (b *Pushbutton) reset() {
	b.stopLong()
	b.stopDouble()
	b.second, b.longRan, b.relPending = false, false, false
}

func (b *Pushbutton) stopLong() {
	if b.longTimer != nil {
		b.longTimer.Cancel()
		b.longTimer = nil
	}
}

func (b *Pushbutton) stopDouble() {
	if b.dblTimer != nil {
		b.dblTimer.Cancel()
		b.dblTimer = nil
	}
	b.dblPending = false
}

// check acts on a poll's reading.
func (b *Pushbutton) check(pressed bool) {
	if pressed == b.pressed {
		return
	}
	b.pressed = pressed
	if pressed {
		b.pressed1()
	} else {
		b.released1()
	}
}

func (b *Pushbutton) pressed1() {
	b.press.fire()
	if b.dblPending { // the second press of a double click
		b.stopDouble()
		b.second = true
		b.relPending = false
		return
	}
	b.second, b.longRan, b.relPending = false, false, false
	if b.long.wanted() {
		b.longTimer = b.loop.CallLater(b.cfg.LongPress, b.longTimeout)
	}
	if b.double.wanted() {
		b.dblPending = true
		b.dblTimer = b.loop.CallLater(b.cfg.DoubleClick, b.doubleTimeout)
	}
}

func (b *Pushbutton) released1() {
	b.stopLong()
	if b.second {
		b.second = false
		if !b.cfg.Suppress {
			b.release.fire()
		}
		b.double.fire()
		return
	}
	switch {
	case !b.cfg.Suppress:
		b.release.fire()
	case b.longRan:
	case b.dblPending:
		b.relPending = true
	default:
		b.release.fire()
	}
}

// longTimeout runs LongPress after a first press, if still pressed.
func (b *Pushbutton) longTimeout() {
	b.longTimer = nil
	b.longRan = true
	b.stopDouble() // a long press is no first click
	b.long.fire()
}

// doubleTimeout runs DoubleClick after a first press with no second.
func (b *Pushbutton) doubleTimeout() {
	b.dblTimer = nil
	b.dblPending = false
	if b.relPending {
		b.relPending = false
		b.release.fire()
	}
}
