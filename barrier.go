package asyncio

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBrokenBarrier is returned by Barrier.Wait when the barrier is broken,
// or is aborted, reset or broken while the task waits (CPython's
// BrokenBarrierError).
var ErrBrokenBarrier = errors.New("asyncio: barrier is broken")

// errZeroBarrier is returned by Wait on a Barrier not made by NewBarrier.
var errZeroBarrier = fmt.Errorf("%w: zero Barrier, make one with NewBarrier", ErrBrokenBarrier)

// Barrier lets a fixed number of tasks, its parties, wait until all of them
// have reached the same point, CPython's asyncio.Barrier. Each task calls
// Wait; when the last one arrives they all go on, and the barrier is ready
// for its next cycle. Tasks that arrive while the released tasks have not
// resumed yet already wait for the next cycle.
//
// A barrier breaks when Abort is called or when a waiting task is cancelled:
// every waiting task, and every later Wait, gets ErrBrokenBarrier until
// Reset. Breaking on a cancellation is what a timeout does to Python's
// threading.Barrier; CPython's asyncio.Barrier instead forgets the cancelled
// task, which leaves the others waiting for a party that left and can give
// two tasks the same index.
//
// The zero Barrier has no parties and is of no use: make one with
// NewBarrier. A Barrier's methods must be called on the loop's goroutine.
type Barrier struct {
	parties int
	count   int  // tasks arrived in this cycle
	broken  bool // until Reset
	cycle   *barrierCycle
	// draining counts the tasks a passed cycle woke that have not resumed
	// yet; a Wait made meanwhile waits in drained for them (CPython's
	// draining state), so a task cannot lap the others.
	draining int
	drained  barrierDrain
}

type barrierDrain struct{ fifo }

func (*barrierDrain) describe() string { return "waiting for a barrier to drain" }

type cycleState uint8

const (
	cycleFilling cycleState = iota
	cyclePassed
	cycleBroken
)

// barrierCycle holds the tasks waiting in one cycle of a barrier and how
// the cycle ended: a woken task reads its outcome here even if later
// cycles have begun and ended since.
type barrierCycle struct {
	fifo
	b     *Barrier
	state cycleState
	left  int // woken by the pass and not yet resumed
}

func (*barrierCycle) describe() string { return "waiting at a barrier" }

// remove implements waitQueue: a waiting task that is cancelled breaks the
// barrier, waking the other waiters with ErrBrokenBarrier.
func (c *barrierCycle) remove(t *Task) {
	c.fifo.remove(t)
	if c.state == cycleFilling {
		c.b.broken = true
		c.b.end(cycleBroken)
	}
}

// NewBarrier returns a barrier for the given number of parties. It panics if
// parties is less than 1.
func NewBarrier(parties int) *Barrier {
	if parties < 1 {
		panic("asyncio: NewBarrier: parties must be at least 1, got " + strconv.Itoa(parties))
	}
	return &Barrier{parties: parties}
}

// Wait pauses the task until every party has called Wait, and returns the
// task's index in the cycle: 0 for the first to arrive, Parties()-1 for the
// last, which releases the others and returns without pausing.
//
// On error the index is -1. Wait returns ErrBrokenBarrier if the barrier is
// broken, or is aborted, reset or broken (by the cancellation of another
// waiter) while the task waits. If the task is cancelled while it waits,
// Wait returns ErrCancelled and the barrier breaks. If it is cancelled after
// the barrier released it but before it resumed, the barrier stays passed
// for the others and Wait returns ErrCancelled.
func (b *Barrier) Wait(ctx *Ctx) (int, error) {
	t, err := ctx.running()
	if err != nil {
		return -1, err
	}
	if b.parties < 1 {
		return -1, errZeroBarrier
	}
	for b.draining > 0 {
		b.drained.push(t)
		if err := t.park(&b.drained); err != nil {
			return -1, err
		}
	}
	if b.broken {
		return -1, ErrBrokenBarrier
	}
	index := b.count
	b.count++
	if b.count == b.parties {
		b.end(cyclePassed)
		return index, nil
	}
	if b.cycle == nil {
		b.cycle = &barrierCycle{b: b}
	}
	c := b.cycle
	c.push(t)
	err = t.park(c)
	if c.state == cyclePassed && c.draining() {
		b.draining--
		if b.draining == 0 {
			b.drained.wakeAll()
		}
	}
	switch {
	case err != nil:
		return -1, err
	case c.state == cyclePassed:
		return index, nil
	default:
		return -1, ErrBrokenBarrier
	}
}

// end ends the current cycle: it wakes the waiting tasks, which will read
// state, and starts an empty cycle.
func (b *Barrier) end(state cycleState) {
	b.count = 0
	if c := b.cycle; c != nil {
		b.cycle = nil
		c.state = state
		if state == cyclePassed {
			c.left = c.len()
			b.draining += c.left
		}
		c.wakeAll()
	}
}

// draining reports, once per woken task of a passed cycle, that one more of
// them has resumed.
func (c *barrierCycle) draining() bool {
	if c.left == 0 {
		return false
	}
	c.left--
	return true
}

// Abort breaks the barrier: the waiting tasks, and every later Wait until
// Reset, get ErrBrokenBarrier. Use it when a party cannot come, so that the
// others do not wait forever.
func (b *Barrier) Abort() {
	b.broken = true
	b.end(cycleBroken)
}

// Reset returns the barrier to its empty, unbroken state. The tasks waiting
// in it get ErrBrokenBarrier.
func (b *Barrier) Reset() {
	b.end(cycleBroken)
	b.broken = false
}

// Parties returns the number of tasks that must call Wait to pass the
// barrier.
func (b *Barrier) Parties() int { return b.parties }

// NWaiting returns the number of tasks waiting in the current cycle.
func (b *Barrier) NWaiting() int { return b.count }

// Broken reports whether the barrier is broken.
func (b *Barrier) Broken() bool { return b.broken }
