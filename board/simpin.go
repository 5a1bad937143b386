package board

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/goasyncio/asyncio"
)

// Bounce is the contact bounce of a simulated switch or input: after each
// change the outside world makes, the level flips back and forth a few times
// before it settles, as a mechanical contact does. The zero Bounce is no
// bounce.
type Bounce struct {
	// Duration is how long the contacts bounce after each change: every
	// extra flip falls strictly within it, on a whole microsecond (a whole
	// nanosecond if Duration is under 10 µs). Zero turns bounce off.
	Duration time.Duration
	// Flips is the most extra flips of the level after a change; each
	// change gets 2, 4, ... up to Flips of them (rounded down to even, and
	// at least 2: a bounce is the level flipping away and back), chosen at
	// random. Zero means 6.
	Flips int
	// Seed seeds the random numbers. The same seed gives the same bursts
	// for the same pin name and the same sequence of changes.
	Seed uint64
}

// SimPin is a general-purpose pin of a simulated board. It implements Pin.
//
// Its level is, in order: the level the program drives if it is configured
// as an output; the level the outside world drives (Drive, a pressed
// button); the pull-up's high or the pull-down's low; low for a floating
// input. Each change of that level is recorded on the board's waveform, and
// calls the interrupt callback, at once, on the loop's goroutine.
type SimPin struct {
	sim  *Sim
	name string
	mode PinMode
	out  bool // the level the program drives as an output

	driven bool // the outside world drives the pin now
	ext    bool // ... to this level

	wantDriven, wantHigh bool // where the outside world leaves it once bounce is over

	level bool // the current level, as last recorded

	// onLevel, if set, is called with each new level before it is
	// recorded: an LED's pin records the LED's change of light.
	onLevel func(high bool)

	change PinChange
	irq    func(Pin)

	bounce Bounce
	rng    *rand.Rand
	burst  []*asyncio.Handle
}

var _ Pin = (*SimPin)(nil)

func (s *Sim) newPin(name string, mode PinMode) *SimPin {
	p := &SimPin{sim: s, name: name, mode: mode}
	p.level = p.compute()
	return p
}

func (p *SimPin) compute() bool {
	switch {
	case p.mode == PinOutput:
		return p.out
	case p.driven:
		return p.ext
	}
	return p.mode == PinInputPullup
}

// update records a change of the level and calls the interrupt callback.
func (p *SimPin) update() {
	l := p.compute()
	if l == p.level {
		return
	}
	p.level = l
	if p.onLevel != nil {
		p.onLevel(l)
	}
	p.sim.level(p.name, b2i(l))
	if p.irq != nil && (l && p.change&PinRising != 0 || !l && p.change&PinFalling != 0) {
		p.irq(p)
	}
}

// Name returns the pin's name.
func (p *SimPin) Name() string { return p.name }

// Mode returns the pin's mode.
func (p *SimPin) Mode() PinMode { return p.mode }

// Configure sets the pin's mode; the level changes at once if the mode
// decides it (an output's level, a pull on an undriven input). It returns
// an error for an unknown mode.
func (p *SimPin) Configure(c PinConfig) error {
	if c.Mode > PinInputPulldown {
		return fmt.Errorf("board: pin %q: unknown mode %v", p.name, c.Mode)
	}
	p.mode = c.Mode
	p.update()
	if p.sim.viewer != nil {
		p.sim.viewer.part(p.name)
	}
	return nil
}

// Set drives the pin high if high is true, low otherwise. On a pin not
// configured as an output it only sets the level the pin will drive once it
// is, as on most microcontrollers.
func (p *SimPin) Set(high bool) {
	p.out = high
	p.update()
}

// High drives the pin high (see Set).
func (p *SimPin) High() { p.Set(true) }

// Low drives the pin low (see Set).
func (p *SimPin) Low() { p.Set(false) }

// Toggle drives the pin to the level other than the one it drives now
// (see Set).
func (p *SimPin) Toggle() { p.Set(!p.out) }

// Get reports whether the pin's level is high.
func (p *SimPin) Get() bool { return p.level }

// SetInterrupt makes callback run, on the loop's goroutine and at once, on
// each change of the level selected by change. A zero change or a nil
// callback removes the interrupt. It never fails.
func (p *SimPin) SetInterrupt(change PinChange, callback func(Pin)) error {
	if change == 0 || callback == nil {
		change, callback = 0, nil
	}
	p.change, p.irq = change, callback
	return nil
}

// SetBounce sets the contact bounce of each later change the outside world
// makes (Drive, Float, a button's Press and Release); the zero Bounce turns
// it off. It cancels a burst under way.
func (p *SimPin) SetBounce(b Bounce) {
	p.cancelBurst()
	p.bounce = b
	p.rng = nil
	if b.Duration > 0 {
		h := fnv.New64a()
		h.Write([]byte(p.name))
		p.rng = rand.New(rand.NewPCG(b.Seed, h.Sum64()))
	}
}

// Drive makes the outside world drive the pin high or low from now on,
// with contact bounce if set. It changes the level unless the pin is an
// output. Driving it to the level it is driven to does nothing.
func (p *SimPin) Drive(high bool) { p.setExternal(true, high) }

// Float makes the outside world stop driving the pin: its pull, if any,
// decides its level (with contact bounce if set).
func (p *SimPin) Float() { p.setExternal(false, false) }

// Driven reports whether the outside world drives the pin, and to which
// level, once any bounce is over.
func (p *SimPin) Driven() (driven, high bool) { return p.wantDriven, p.wantHigh }

// DriveAt arranges for Drive(high) to happen when the loop's clock reaches
// at, like SimButton.PressAt.
func (p *SimPin) DriveAt(at time.Duration, high bool) *asyncio.Handle {
	return p.sim.loop.CallAt(at, func() { p.Drive(high) })
}

// FloatAt arranges for Float to happen when the loop's clock reaches at.
func (p *SimPin) FloatAt(at time.Duration) *asyncio.Handle {
	return p.sim.loop.CallAt(at, p.Float)
}

func (p *SimPin) setExternal(driven, high bool) {
	if !driven {
		high = false
	}
	if driven == p.wantDriven && high == p.wantHigh {
		return // already driven so, or bouncing towards it
	}
	fromDriven, fromHigh := p.driven, p.ext
	p.cancelBurst()
	p.wantDriven, p.wantHigh = driven, high
	p.driven, p.ext = driven, high
	p.update()
	if p.rng == nil {
		return
	}
	for i, at := range p.flips() {
		d, h := fromDriven, fromHigh
		if i%2 == 1 {
			d, h = driven, high
		}
		p.burst = append(p.burst, p.sim.loop.CallLater(at, func() {
			p.driven, p.ext = d, h
			p.update()
		}))
	}
}

// flips returns the times, from now, of the extra flips of one burst: an
// even number, distinct, in order, strictly within the bounce's duration.
func (p *SimPin) flips() []time.Duration {
	most := p.bounce.Flips
	if most <= 0 {
		most = 6
	}
	pairs := max(most/2, 1)
	n := 2 * (1 + p.rng.IntN(pairs))
	// Flips fall on whole microseconds, for readable traces, unless the
	// bounce is too short for that.
	unit := time.Microsecond
	if p.bounce.Duration < 10*unit {
		unit = time.Nanosecond
	}
	d := p.bounce.Duration / unit // in units
	if time.Duration(n) >= d {
		n = int(d-1) &^ 1
	}
	seen := map[time.Duration]bool{}
	var at []time.Duration
	for len(at) < n {
		t := (1 + time.Duration(p.rng.Int64N(int64(d-1)))) * unit
		if !seen[t] {
			seen[t] = true
			at = append(at, t)
		}
	}
	slices.Sort(at)
	return at
}

func (p *SimPin) cancelBurst() {
	for _, h := range p.burst {
		h.Cancel()
	}
	p.burst = p.burst[:0]
}

// simPWM is a PWM channel of a simulated board: each change of its duty is
// a level change of its part's signal, in percent.
type simPWM struct {
	sim  *Sim
	name string
	duty int
	// onDuty, if set, is called with each change of the duty before it is
	// recorded: a PWM LED records its change of light.
	onDuty func(from, to int)
}

// SetDuty sets the share of each period the pin is high; it returns an
// error for a share outside 0–100.
func (c *simPWM) SetDuty(percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("board: PWM %q: duty %d%% outside 0–100", c.name, percent)
	}
	if percent == c.duty {
		return nil
	}
	from := c.duty
	c.duty = percent
	if c.onDuty != nil {
		c.onDuty(from, percent)
	}
	c.sim.level(c.name, percent)
	return nil
}
