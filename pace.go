package asyncio

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBadSpeed is returned by Pace.SetSpeed for a speed that is not a
// positive finite number.
var ErrBadSpeed = errors.New("asyncio: pace speed must be a positive finite number")

// Pace runs a virtual clock against real time, for programs that people
// watch: at a speed (1 is real time, 2 twice as fast, 0.1 ten times slower),
// paused, or one step at a time. A paced loop jumps to its next deadline,
// as on VirtualClock, only when real time at the pace's speed has got there,
// and what its tasks do takes no virtual time, so a paced run gives the same
// times as an unpaced virtual one (0.250, not 0.2503), only spread out in
// real time. Work posted from another goroutine (a button pressed in a user
// interface) runs at the time it arrived, between deadlines. Tasks that keep
// the loop busy for 20 ms of real time without a pause (polling with
// Sleep(0)) let the clock catch up with real time all the same, so the
// tasks that sleep still wake. While paused the clock stands still; each
// Step lets it jump to its next deadline and run everything due then.
//
// Any goroutine may call a Pace's methods; a user interface calls them while
// the loop runs. A Pace serves one loop, as its clock (PacedClock,
// Loop.SetPace). The zero Pace runs at speed 1.
type Pace struct {
	mu     sync.Mutex
	speed  float64 // 0 means 1
	paused bool
	steps  int
	epoch  uint64 // bumped by every change, so the loop re-anchors (it keeps epoch+1)
	wake   func()
	at     atomic.Int64 // the clock's time: the loop moves it, Time reads it
	// onRest is OnRest's function; resting says the loop has come to rest
	// since the last change of the pace, so onRest is not called again.
	onRest  func()
	resting bool

	// The clock's anchor: the loop sets it, a change of the pace carries it
	// on (under mu).
	seen       uint64    // epoch+1 of the last change anchored to
	anchorReal time.Time // real and virtual time at that change
	anchorVirt int64
	busySince  time.Time // when the loop last stopped idling
}

// Time returns the paced loop's clock as of its last move: the time of the
// deadline it last jumped to, or of the work from another goroutine it last
// ran. A user interface reads it to show the time; any goroutine may call it.
func (p *Pace) Time() time.Duration { return time.Duration(p.at.Load()) }

// NewPace returns a pace at the given speed, running (not paused). It panics
// if speed is not a positive finite number.
func NewPace(speed float64) *Pace {
	p := &Pace{}
	if err := p.SetSpeed(speed); err != nil {
		panic(err)
	}
	return p
}

// PacedClock makes the loop run on a virtual clock paced by p (see Pace),
// from time 0.
func PacedClock(p *Pace) Option {
	return func(l *Loop) {
		p.attach(l.signal, 0)
		l.setClock(p)
	}
}

// SetPace makes the loop's clock a virtual clock paced by p from now on,
// continuing from the loop's current time, whether it ran on the real clock
// or a virtual one; nil stops the pacing (the clock stays virtual). It must
// be called on the loop's goroutine or while the loop is not running.
func (l *Loop) SetPace(p *Pace) {
	l.init()
	now := l.now()
	if p == nil {
		l.setClock(&virtualClock{t: now})
		return
	}
	p.attach(l.signal, now)
	l.setClock(p)
}

// Pace returns the loop's pace, or nil.
func (l *Loop) Pace() *Pace {
	p, _ := l.clock.(*Pace)
	return p
}

// attach makes p the clock of the loop that wake signals, at time at.
func (p *Pace) attach(wake func(), at int64) {
	p.at.Store(at)
	p.mu.Lock()
	p.seen = p.epoch // not epoch+1: re-anchor at the next look
	p.wake = wake
	p.mu.Unlock()
}

// SetSpeed sets how fast the clock runs against real time: 1 is real time.
// A paused pace stays paused. It returns an error matching ErrBadSpeed, and
// changes nothing, if speed is not a positive finite number.
func (p *Pace) SetSpeed(speed float64) error {
	if !(speed > 0) || math.IsInf(speed, 1) {
		return fmt.Errorf("%w: got %v", ErrBadSpeed, speed)
	}
	p.change(func() { p.speed = speed })
	return nil
}

// Speed returns the speed set by SetSpeed, 1 by default.
func (p *Pace) Speed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speedLocked()
}

func (p *Pace) speedLocked() float64 {
	if p.speed == 0 {
		return 1
	}
	return p.speed
}

// Pause stops the clock: time stands still, and tasks waiting for it wait,
// until Resume or Step. Work from other goroutines (CallSoonThreadsafe)
// still runs, at the paused time.
func (p *Pace) Pause() { p.change(func() { p.paused = true }) }

// Resume lets a paused clock flow again, from where it stood.
func (p *Pace) Resume() { p.change(func() { p.paused, p.steps = false, 0 }) }

// Paused reports whether the clock is paused.
func (p *Pace) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Step, on a paused clock, lets it jump to its next deadline and run what is
// due then; the clock is paused again after that. Steps made before the
// loop takes them add up. On a running clock Step does nothing. OnRest
// tells when the steps have been taken.
func (p *Pace) Step() {
	p.change(func() {
		if p.paused {
			p.steps++
		}
	})
}

// OnRest sets fn, or nil, to be called each time a paused clock comes to
// rest: its steps are taken, and the loop has run everything due at the
// clock's time, including what that work made ready, and waits for a Step
// or Resume. A user interface uses it to learn that a Step has ended. fn
// runs on the loop's goroutine while the loop is idle; it must not block,
// and the loop runs work it posts (CallSoonThreadsafe) at once. It is
// called once per rest: again only after a change of the pace (Step,
// Pause, Resume, SetSpeed) and a new rest. Tasks that keep the loop busy
// without sleeping (Sleep(0) in a loop) keep a paused clock from resting.
func (p *Pace) OnRest(fn func()) {
	p.mu.Lock()
	p.onRest, p.resting = fn, false
	p.mu.Unlock()
}

// Resting reports whether the paused clock is at rest: the loop came to
// rest (see OnRest) and the pace has not changed since. Any goroutine may
// call it.
func (p *Pace) Resting() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resting
}

// rest is called as the loop goes idle without a deadline to jump to: if
// the clock is paused with no step left, the loop has come to rest, and
// OnRest's function hears of it the first time since the last change.
func (p *Pace) rest() {
	p.mu.Lock()
	if !p.paused || p.steps > 0 || p.resting {
		p.mu.Unlock()
		return
	}
	p.resting = true
	fn := p.onRest
	p.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (p *Pace) change(fn func()) {
	p.mu.Lock()
	p.resting = false
	if p.seen == p.epoch+1 {
		// Anchored: keep the time that has flowed up to this change (a
		// sleep paused after 0.8 s of its 1 s has 0.2 s left on Resume),
		// then let the new speed or pause apply from now on.
		now := time.Now()
		if !p.paused {
			p.anchorVirt += scaleDuration(now.Sub(p.anchorReal), p.speedLocked())
		}
		p.anchorVirt, p.anchorReal = max(p.anchorVirt, p.at.Load()), now
		fn()
		p.epoch++
		p.seen = p.epoch + 1
	} else {
		fn()
		p.epoch++ // the loop anchors at its next look
	}
	wake := p.wake
	p.mu.Unlock()
	if wake != nil {
		wake() // the loop may be waiting for a deadline that has moved
	}
}

// The clock's methods (see clock and roundWatcher). The clock moves only while the loop is
// idle, so what tasks do takes no virtual time, as on an unpaced virtual
// clock, and work posted from another goroutine during a wait runs at the
// time it arrived.

func (p *Pace) now() int64 { return p.at.Load() }

func (*Pace) virtual() bool { return true }

// sleep jumps to when once real time at the pace's speed has got there, or,
// paused, when a Step lets it; otherwise it says how long to wait for that.
func (p *Pace) sleep(when int64, timed bool) time.Duration {
	if !timed {
		p.rest()
		return -1
	}
	p.flowed() // re-anchors after a change of the pace
	p.mu.Lock()
	if p.paused {
		if p.steps == 0 {
			p.mu.Unlock()
			p.rest()
			return -1
		}
		p.steps--
	} else if d := time.Until(p.anchorReal.Add(scaleVirtual(when-p.anchorVirt, p.speedLocked()))); d > 0 {
		p.mu.Unlock()
		return d
	}
	p.mu.Unlock()
	p.moveTo(when)
	return 0
}

// waited moves the clock on by the real time the loop waited, at the pace's
// speed, but not past the next deadline, whose tasks have not run yet.
func (p *Pace) waited(when int64, timed bool) { p.catchUp(when, timed) }

// busyLimit is how long a paced loop may stay busy, in real time, before
// its clock moves on anyway.
const busyLimit = 20 * time.Millisecond

// round lets the clock of a loop that has been busy, never idle, for
// busyLimit of real time catch up with real time, up to its next deadline.
// Tasks that keep yielding without sleeping (polling a flag with Sleep(0),
// as MicroPython programs do) would otherwise stop the clock, and starve the
// tasks that sleep, for good. A loop that goes idle between deadlines, as
// most do, never gets that far, and its times stay exact.
func (p *Pace) round(idled bool, timers *timerHeap) {
	switch {
	case idled || p.busySince.IsZero():
		p.busySince = time.Now()
	case time.Since(p.busySince) >= busyLimit:
		when, timed := timers.peek()
		p.catchUp(when, timed)
		p.busySince = time.Now()
	}
}

// catchUp moves the clock to the time it has flowed to, not past limit if
// limited.
func (p *Pace) catchUp(limit int64, limited bool) {
	if t, ok := p.flowed(); ok {
		if limited {
			t = min(t, limit)
		}
		p.moveTo(t)
	}
}

// moveTo moves the clock forward to t.
func (p *Pace) moveTo(t int64) { p.at.Store(max(p.at.Load(), t)) }

// flowed is the time the clock has flowed to since its anchor, and false if
// it is paused. It re-anchors after a change of the pace, so a new speed
// applies from then on.
func (p *Pace) flowed() (int64, bool) {
	p.mu.Lock()
	if p.epoch+1 != p.seen {
		p.seen, p.anchorReal, p.anchorVirt = p.epoch+1, time.Now(), p.at.Load()
	}
	defer p.mu.Unlock()
	if p.paused {
		return 0, false
	}
	// Under the lock: a change of the pace (any goroutine) moves the anchor.
	return p.anchorVirt + scaleDuration(time.Since(p.anchorReal), p.speedLocked()), true
}

// scaleDuration turns real time into virtual time at speed.
func scaleDuration(real time.Duration, speed float64) int64 {
	v := float64(real) * speed
	if v >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(v)
}

// scaleVirtual turns virtual time into real time at speed, rounding up so
// the wait never ends before the clock has got there.
func scaleVirtual(virt int64, speed float64) time.Duration {
	r := math.Ceil(float64(virt) / speed)
	if r >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return time.Duration(r)
}
