package primitives

import (
	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// ESwitch is a debounced switch with events only (micropython-async's
// ESwitch): Close is set when the switch closes, Open when it opens; the
// tasks waiting on them clear them. Make it with NewESwitch, run it with
// Start or Run. It is a Switch without callbacks, with the same polling and
// configuration. Its methods must be called on the loop's goroutine.
type ESwitch struct {
	Close asyncio.Event // set at each closing
	Open  asyncio.Event // set at each opening
	sw    *Switch
}

// NewESwitch returns an ESwitch reading in; its state starts as read now,
// and no event is set for it.
func NewESwitch(in board.Input, cfg SwitchConfig) *ESwitch {
	e := &ESwitch{sw: NewSwitch(in, cfg)}
	e.sw.OnClose(e.Close.Set)
	e.sw.OnOpen(e.Open.Set)
	return e
}

// Closed reports the debounced state: whether the last poll read the
// switch closed (micropython-async's call syntax, myswitch()).
func (e *ESwitch) Closed() bool { return e.sw.Closed() }

// Raw reports whether the switch reads closed now, bounce and all.
func (e *ESwitch) Raw() bool { return e.sw.Raw() }

// Start runs Run in a new task of ctx's loop, named "eswitch", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (e *ESwitch) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, e.Run, asyncio.Named("eswitch"))
}

// Run polls the switch every Debounce and sets Close or Open at each change
// it reads, until the task is cancelled; then it returns
// asyncio.ErrCancelled and leaves the events as they are.
func (e *ESwitch) Run(ctx *asyncio.Ctx) error { return e.sw.Run(ctx) }

// gestureKind is what a gesture sets.
type gestureKind uint8

const (
	gesturePress gestureKind = 1 << iota
	gestureRelease
	gestureLong
	gestureDouble
)

// egesture recognises EButton's gestures from debounced presses and
// releases; SwArray runs one per key.
type egesture struct {
	loop    *asyncio.Loop
	cfg     PushbuttonConfig // defaults filled in
	emit    func(gestureKind)
	long    *asyncio.Handle // runs from a first press to LongPress
	dbl     *asyncio.Handle // runs from a first press to DoubleClick
	down    bool            // pressed (debounced)
	second  bool            // the press under way is a double click's second
	longRan bool            // long fired in the press under way
}

func (g *egesture) stop() {
	g.long.Cancel()
	g.dbl.Cancel()
	g.long, g.dbl = nil, nil
	g.down, g.second, g.longRan = false, false, false
}

func (g *egesture) pressed() {
	g.down = true
	if !g.cfg.Suppress {
		g.emit(gesturePress)
	}
	if g.dbl != nil { // within the window of a first press
		g.dbl.Cancel()
		g.dbl = nil
		g.second = true
		g.emit(gestureDouble)
		return
	}
	g.second, g.longRan = false, false
	g.long = g.loop.CallLater(g.cfg.LongPress, g.longTimeout)
	g.dbl = g.loop.CallLater(g.cfg.DoubleClick, g.doubleTimeout)
}

func (g *egesture) released() {
	g.down = false
	g.long.Cancel()
	g.long = nil
	switch {
	case !g.cfg.Suppress, g.second, g.longRan:
		g.emit(gestureRelease)
	case g.dbl != nil:
		// Suppress: could still become a double click; the window's end
		// decides.
	default:
		// Suppress, held past the window but released before LongPress:
		// a single press after all.
		g.emit(gesturePress)
		g.emit(gestureRelease)
	}
}

func (g *egesture) longTimeout() {
	g.long = nil
	g.longRan = true
	g.dbl.Cancel() // a long press is no first click
	g.dbl = nil
	g.emit(gestureLong)
}

func (g *egesture) doubleTimeout() {
	g.dbl = nil
	if g.cfg.Suppress && !g.down { // released in the window: a single click
		g.emit(gesturePress)
		g.emit(gestureRelease)
	}
}

// EButton is a debounced push button with events only (micropython-async's
// EButton): Press, Release, Long and Double are set as the gestures are
// recognised, and the tasks waiting on them clear them. Long presses and
// double clicks are always detected. Make it with NewEButton, run it with
// Start or Run. Its configuration is a Pushbutton's, per instance. Its
// methods must be called on the loop's goroutine.
//
// Without Suppress, every press sets Press and every release Release; a
// second press within DoubleClick of a first sets Double too, at that
// second press (Pushbutton fires its double at the second release); a press
// held LongPress sets Long. The order of the events is:
//
//	short press    Press, Release
//	double click   Press, Release, Press, Double, Release
//	long press     Press, Long, Release
//
// With Suppress, each gesture sets exactly one of Press, Double and Long,
// then Release:
//
//	short press    Press and Release together, when the double-click
//	               window closes (DoubleClick after the press), or at the
//	               release if the button is held past the window
//	double click   Double at the second press, Release at its release
//	long press     Long after LongPress, Release at the release
//
// micropython-async's EButton sets nothing but Release for a press held
// past the window and released before LongPress; this one treats it as a
// short press.
type EButton struct {
	Press   asyncio.Event // set at each press (see the type's documentation)
	Release asyncio.Event // set at each release
	Long    asyncio.Event // set at each long press
	Double  asyncio.Event // set at each double click

	in       board.Input
	released bool // the level that means released
	g        egesture
}

// NewEButton returns an EButton reading in with the given configuration;
// with SenseAuto the level read now is released.
func NewEButton(in board.Input, cfg PushbuttonConfig) *EButton {
	p := NewPushbutton(in, cfg) // fills in the defaults and the sense
	b := &EButton{in: in, released: p.released}
	b.g = egesture{cfg: p.cfg, emit: b.set}
	b.g.down = b.Raw()
	return b
}

func (b *EButton) set(k gestureKind) {
	switch k {
	case gesturePress:
		b.Press.Set()
	case gestureRelease:
		b.Release.Set()
	case gestureLong:
		b.Long.Set()
	case gestureDouble:
		b.Double.Set()
	}
}

// Config returns the configuration, defaults filled in.
func (b *EButton) Config() PushbuttonConfig { return b.g.cfg }

// Pressed reports the debounced state: whether the last poll read the
// button pressed (micropython-async's call syntax, mybutton()).
func (b *EButton) Pressed() bool { return b.g.down }

// Raw reports whether the button reads pressed now, bounce and all.
func (b *EButton) Raw() bool { return b.in.Get() != b.released }

// Start runs Run in a new task of ctx's loop, named "ebutton", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (b *EButton) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, b.Run, asyncio.Named("ebutton"))
}

// Run polls the button every Debounce, from now on, and sets the events the
// gestures call for, until the task is cancelled; then it stops its timers,
// forgets a gesture under way (events already set stay set) and returns
// asyncio.ErrCancelled. Run one at a time.
func (b *EButton) Run(ctx *asyncio.Ctx) error {
	b.g.loop = ctx.Loop()
	defer func() {
		down := b.g.down
		b.g.stop()
		b.g.down = down
	}()
	for {
		if p := b.Raw(); p != b.g.down {
			if p {
				b.g.pressed()
			} else {
				b.g.released()
			}
		}
		if err := asyncio.Sleep(ctx, b.g.cfg.Debounce); err != nil {
			return err
		}
	}
}
