package primitives

import (
	"errors"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// DefaultEncoderDelay is how long an Encoder waits after the first edge of
// a movement before it reports it: its rate limit.
const DefaultEncoderDelay = 100 * time.Millisecond

// Limits bound an Encoder's value.
type Limits struct{ Min, Max int }

// EncoderConfig sets how an Encoder counts. The zero value counts every
// quadrature edge, without limits, with a 100 ms rate limit.
type EncoderConfig struct {
	// Div divides the count of quadrature edges: 4 for a knob with a
	// detent every full cycle. Zero means 1.
	Div int
	// Limits, if not nil, clamp the value: turning further does nothing,
	// and turning back changes it at once.
	Limits *Limits
	// Mod, if above zero, wraps the value into 0 to Mod-1 (after Limits).
	Mod int
	// Delay is the rate limit: after the first edge of a movement the
	// Encoder waits this long, then reports the movement once. Zero means
	// DefaultEncoderDelay.
	Delay time.Duration
	// Value is the value to start from.
	Value int
}

// Encoder counts the turns of a quadrature encoder (a rotary knob) on two
// pins, x and y (micropython-async's Encoder). Each edge of either pin
// reaches it through the pins' interrupts, which only count the edge and
// set a ThreadSafeFlag; the counting of steps, limits and callbacks happens
// in its task, Run. Turning with x's edges leading y's counts up.
//
// Contact bounce on one pin flips it back and forth, which counts up and
// down again: it cancels out.
type Encoder struct {
	x, y board.Pin
	cfg  EncoderConfig

	mu    sync.Mutex // guards the interrupts' state
	state uint8      // x<<1 | y as last read
	raw   int        // quadrature edges counted, signed

	flag     asyncio.ThreadSafeFlag
	divided  int // raw / Div when last reported
	value    int
	onChange func(value, delta int)
	changed  asyncio.Event
}

// ErrEncoderConfig is returned by NewEncoder for a negative Div or Mod or
// limits with Min above Max.
var ErrEncoderConfig = errors.New("primitives: bad encoder configuration")

// NewEncoder returns an Encoder on pins x and y with the given
// configuration. It sets both pins' interrupts for both edges; call Stop
// to remove them. It returns ErrEncoderConfig for a bad configuration, or a
// pin's error.
func NewEncoder(x, y board.Pin, cfg EncoderConfig) (*Encoder, error) {
	if cfg.Div < 0 || cfg.Mod < 0 || (cfg.Limits != nil && cfg.Limits.Min > cfg.Limits.Max) {
		return nil, ErrEncoderConfig
	}
	if cfg.Div == 0 {
		cfg.Div = 1
	}
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultEncoderDelay
	}
	e := &Encoder{x: x, y: y, cfg: cfg}
	e.value = e.bound(cfg.Value)
	e.state = e.read()
	if err := x.SetInterrupt(board.PinToggle, e.edge); err != nil {
		return nil, err
	}
	if err := y.SetInterrupt(board.PinToggle, e.edge); err != nil {
		x.SetInterrupt(0, nil)
		return nil, err
	}
	return e, nil
}

func (e *Encoder) read() uint8 {
	var s uint8
	if e.x.Get() {
		s |= 2
	}
	if e.y.Get() {
		s |= 1
	}
	return s
}

// quadrature[prev][next] is the count for a change of the two pins'
// state: +1 along 11 → 01 → 00 → 10 → 11 (x leading), -1 back, 0 for no
// change or a missed step (both pins changed).
var quadrature = [4][4]int{
	{0, -1, +1, 0},
	{+1, 0, 0, -1},
	{-1, 0, 0, +1},
	{0, +1, -1, 0},
}

// edge is both pins' interrupt callback: it may run on any goroutine.
func (e *Encoder) edge(board.Pin) {
	e.mu.Lock()
	s := e.read()
	e.raw += quadrature[e.state][s]
	e.state = s
	e.mu.Unlock()
	e.flag.Set()
}

// OnChange sets the function called, in Run's task, when the value has
// changed: with the new value and the steps turned (after Div, before
// limits and wrapping; negative for down) since the last call. nil removes
// it.
func (e *Encoder) OnChange(fn func(value, delta int)) { e.onChange = fn }

// Value returns the value as last reported by Run.
func (e *Encoder) Value() int { return e.value }

// SetValue sets the value (clamped and wrapped as configured); turns
// continue from there.
func (e *Encoder) SetValue(v int) { e.value = e.bound(v) }

// Wait pauses the calling task until Run next reports a change, and returns
// the new value. It returns asyncio.ErrCancelled if the task is cancelled
// first.
func (e *Encoder) Wait(ctx *asyncio.Ctx) (int, error) {
	if err := e.changed.Wait(ctx); err != nil {
		return e.value, err
	}
	return e.value, nil
}

// Count returns the quadrature edges counted so far, signed, before Div.
// Any goroutine may call it.
func (e *Encoder) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.raw
}

func (e *Encoder) bound(v int) int {
	if l := e.cfg.Limits; l != nil {
		v = min(max(v, l.Min), l.Max)
	}
	if m := e.cfg.Mod; m > 0 {
		v = ((v % m) + m) % m
	}
	return v
}

// floorDiv divides rounding towards minus infinity, so that steps are the
// same size either side of zero.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Start runs Run in a new task of ctx's loop, named "encoder", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (e *Encoder) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, e.Run, asyncio.Named("encoder"))
}

// Run waits for edges; after the first edge of a movement it waits Delay,
// then counts every edge so far, and if the value changed calls OnChange
// and wakes the tasks in Wait. So OnChange runs at most once per Delay,
// with the movement's total. Run returns asyncio.ErrCancelled when its task
// is cancelled; the interrupts stay set (see Stop).
func (e *Encoder) Run(ctx *asyncio.Ctx) error {
	for {
		if err := e.flag.Wait(ctx); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, e.cfg.Delay); err != nil {
			return err
		}
		d := floorDiv(e.Count(), e.cfg.Div)
		delta := d - e.divided
		e.divided = d
		if delta == 0 {
			continue
		}
		v := e.bound(e.value + delta)
		if v == e.value {
			continue
		}
		e.value = v
		if e.onChange != nil {
			e.onChange(v, delta)
		}
		e.changed.Set()
		e.changed.Clear()
	}
}

// Stop removes the pins' interrupts.
func (e *Encoder) Stop() error {
	return errors.Join(e.x.SetInterrupt(0, nil), e.y.SetInterrupt(0, nil))
}
