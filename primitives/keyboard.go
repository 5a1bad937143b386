package primitives

import (
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// OutputPin is a pin a key matrix's rows are driven through; board.Pin is
// one.
type OutputPin interface {
	Set(high bool)
}

// MatrixConfig sets how a key matrix (Keyboard, SwArray) is wired and
// scanned. The zero value is micropython-async's: a scan every 50 ms, rows
// selected by driving them low, columns with pull-ups (a pressed key in the
// selected row reads low), a buffer of 10.
type MatrixConfig struct {
	Debounce   time.Duration // scan period; zero means DefaultDebounce
	ActiveHigh bool          // rows are selected high, columns pulled down: a pressed key reads high
	Buffer     int           // size of the queue of what is reported; zero means 10
}

func (c *MatrixConfig) defaults() {
	if c.Debounce <= 0 {
		c.Debounce = DefaultDebounce
	}
	if c.Buffer <= 0 {
		c.Buffer = 10
	}
}

// matrix scans rows × columns of keys.
type matrix struct {
	rows  []OutputPin
	cols  []board.Input
	cfg   MatrixConfig
	state []bool // debounced, by scan code
}

func newMatrix(rows []OutputPin, cols []board.Input, cfg MatrixConfig) matrix {
	cfg.defaults()
	m := matrix{rows: rows, cols: cols, cfg: cfg, state: make([]bool, len(rows)*len(cols))}
	for _, r := range rows {
		r.Set(!cfg.ActiveHigh)
	}
	return m
}

// scan reads every key, once each row in turn is selected, and calls
// changed for each key whose state differs from the last scan.
func (m *matrix) scan(changed func(code int, pressed bool)) {
	for r, row := range m.rows {
		row.Set(m.cfg.ActiveHigh)
		for c, col := range m.cols {
			code := r*len(m.cols) + c
			if p := col.Get() == m.cfg.ActiveHigh; p != m.state[code] {
				m.state[code] = p
				changed(code, p)
			}
		}
		row.Set(!m.cfg.ActiveHigh)
	}
}

// Keyboard scans a matrix of push buttons (micropython-async's Keyboard):
// every Debounce it selects each row in turn and reads the columns, and
// puts the scan code (row × number of columns + column) of each key newly
// pressed into its queue, a RingbufQueue, which it is: range over All, or
// Get. If the codes are not taken, the oldest are lost. Keys pressed
// together are each reported (n-key rollover, as far as the wiring allows:
// add diodes against ghosting). Make it with NewKeyboard, run it with Start
// or Run. Its methods must be called on the loop's goroutine.
type Keyboard struct {
	*RingbufQueue[int]
	m matrix
}

// NewKeyboard returns a Keyboard over rows and cols; it drives every row to
// its unselected level now. All keys start released.
func NewKeyboard(rows []OutputPin, cols []board.Input, cfg MatrixConfig) *Keyboard {
	m := newMatrix(rows, cols, cfg)
	return &Keyboard{RingbufQueue: NewRingbufQueue[int](m.cfg.Buffer), m: m}
}

// Pressed reports whether the key with the given scan code was pressed at
// the last scan (micropython-async's keyboard[scan_code]); false for a code
// out of range.
func (k *Keyboard) Pressed(code int) bool {
	return code >= 0 && code < len(k.m.state) && k.m.state[code]
}

// Start runs Run in a new task of ctx's loop, named "keyboard", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (k *Keyboard) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, k.Run, asyncio.Named("keyboard"))
}

// Run scans the keys every Debounce from now on and queues the codes of
// the keys newly pressed, until the task is cancelled; then it returns
// asyncio.ErrCancelled, and the codes queued stay queued.
func (k *Keyboard) Run(ctx *asyncio.Ctx) error {
	for {
		k.m.scan(func(code int, pressed bool) {
			if pressed {
				k.PutNowait(code)
			}
		})
		if err := asyncio.Sleep(ctx, k.m.cfg.Debounce); err != nil {
			return err
		}
	}
}

// SwKind is what a SwArray reports of a key; the kinds are bits, to be
// or-ed in SwArrayConfig.Report.
type SwKind uint8

// The kinds of SwEvent (micropython-async's CLOSE, OPEN, LONG, DOUBLE).
const (
	SwClose  SwKind = 1 << iota // the key closed (pressed)
	SwOpen                      // the key opened (released)
	SwLong                      // held for LongPress
	SwDouble                    // closed twice within DoubleClick
)

// String returns "close", "open", "long" or "double".
func (k SwKind) String() string {
	switch k {
	case SwClose:
		return "close"
	case SwOpen:
		return "open"
	case SwLong:
		return "long"
	case SwDouble:
		return "double"
	}
	return "SwKind(?)"
}

// SwEvent is what a SwArray queues: a key's scan code and what it did.
type SwEvent struct {
	Code int
	Kind SwKind
}

// SwArrayConfig sets a SwArray's wiring, timings and what it reports. The
// zero value reports closings and openings with micropython-async's
// timings.
type SwArrayConfig struct {
	MatrixConfig
	LongPress   time.Duration // zero means DefaultLongPress
	DoubleClick time.Duration // zero means DefaultDoubleClick
	// Report says which kinds are queued; zero means SwClose|SwOpen.
	Report SwKind
	// Suppress makes each gesture report one of close, double and long,
	// then open, as EButton's Suppress does (closings and openings of a
	// single click wait for the double-click window).
	Suppress bool
}

// SwArray scans a matrix of keys or diode-isolated switches, as Keyboard
// does, and recognises each key's gestures as an EButton does: it queues a
// SwEvent for each kind asked for in Report (micropython-async's SwArray).
// It is a RingbufQueue of SwEvent: range over All, or Get. Make it with
// NewSwArray, run it with Start or Run. Its methods must be called on the
// loop's goroutine.
type SwArray struct {
	*RingbufQueue[SwEvent]
	m    matrix
	keys []egesture
}

// NewSwArray returns a SwArray over rows and cols; it drives every row to
// its unselected level now. All keys start open.
func NewSwArray(rows []OutputPin, cols []board.Input, cfg SwArrayConfig) *SwArray {
	if cfg.Report == 0 {
		cfg.Report = SwClose | SwOpen
	}
	m := newMatrix(rows, cols, cfg.MatrixConfig)
	pcfg := NewPushbutton(constInput(false), PushbuttonConfig{
		Debounce: m.cfg.Debounce, LongPress: cfg.LongPress, DoubleClick: cfg.DoubleClick, Suppress: cfg.Suppress,
	}).Config()
	a := &SwArray{RingbufQueue: NewRingbufQueue[SwEvent](m.cfg.Buffer), m: m, keys: make([]egesture, len(m.state))}
	kinds := [...]SwKind{gesturePress: SwClose, gestureRelease: SwOpen, gestureLong: SwLong, gestureDouble: SwDouble}
	for code := range a.keys {
		a.keys[code] = egesture{cfg: pcfg, emit: func(g gestureKind) {
			if k := kinds[g]; cfg.Report&k != 0 {
				a.PutNowait(SwEvent{code, k})
			}
		}}
	}
	return a
}

type constInput bool

func (c constInput) Get() bool { return bool(c) }

// Closed reports whether the key with the given scan code was closed at
// the last scan; false for a code out of range.
func (a *SwArray) Closed(code int) bool {
	return code >= 0 && code < len(a.m.state) && a.m.state[code]
}

// Start runs Run in a new task of ctx's loop, named "swarray", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (a *SwArray) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, a.Run, asyncio.Named("swarray"))
}

// Run scans the keys every Debounce from now on and queues what they do,
// until the task is cancelled; then it stops the keys' timers, forgets
// gestures under way, and returns asyncio.ErrCancelled; what is queued
// stays queued.
func (a *SwArray) Run(ctx *asyncio.Ctx) error {
	for i := range a.keys {
		a.keys[i].loop = ctx.Loop()
	}
	defer func() {
		for i := range a.keys {
			a.keys[i].stop()
			a.keys[i].down = a.m.state[i]
		}
	}()
	for {
		a.m.scan(func(code int, pressed bool) {
			if pressed {
				a.keys[code].pressed()
			} else {
				a.keys[code].released()
			}
		})
		if err := asyncio.Sleep(ctx, a.m.cfg.Debounce); err != nil {
			return err
		}
	}
}
