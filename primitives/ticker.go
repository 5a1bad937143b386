package primitives

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Missed says what a Ticker does about ticks it is late for, when the work
// between two Nexts took longer than the period.
type Missed uint8

const (
	// Burst catches up: each missed tick is returned at once, in turn,
	// until the ticker is back on its schedule (Embassy's and Tokio's
	// default). The count of ticks is kept; the phase is kept.
	Burst Missed = iota
	// Skip drops the missed ticks: the next tick is the first one of the
	// original schedule that is still ahead. The phase is kept; the count
	// is not.
	Skip
	// Restart restarts the schedule from the late tick: the next tick is
	// one period after it (Tokio's Delay). Neither phase nor count is kept.
	Restart
)

// String returns "burst", "skip" or "restart".
func (m Missed) String() string {
	switch m {
	case Skip:
		return "skip"
	case Restart:
		return "restart"
	}
	return "burst"
}

// Ticker wakes a task periodically on absolute deadlines: the n-th tick is
// due at start + n×period, however long the task's work between ticks takes
// (as long as it takes less than a period), so a periodic loop does not
// drift. A loop of "work; Sleep(period)" drifts by its work time every
// round; "work; ticker.Next" does not. Its policy for ticks it is late for
// is its Missed. Its methods must be called on the loop's goroutine.
type Ticker struct {
	loop   *asyncio.Loop
	period time.Duration
	missed Missed
	next   time.Duration
	skips  int
}

// NewTicker returns a ticker whose first tick is one period from now. It
// panics if period is not positive.
func NewTicker(loop *asyncio.Loop, period time.Duration, missed Missed) *Ticker {
	if period <= 0 {
		panic("primitives: NewTicker with a period that is not positive")
	}
	return &Ticker{loop: loop, period: period, missed: missed, next: loop.Time() + period}
}

// Next pauses the task until the next tick is due and returns nil then; if
// it is due already (the task is late), Next lets the other ready tasks run
// once and returns, and the tick after it is scheduled as the Missed policy
// says. Next returns asyncio.ErrCancelled if the task is cancelled while
// waiting; the tick is not consumed.
func (t *Ticker) Next(ctx *asyncio.Ctx) error {
	now := t.loop.Time()
	if err := asyncio.Sleep(ctx, t.next-now); err != nil {
		return err
	}
	now = t.loop.Time()
	t.next += t.period
	if t.next <= now {
		switch t.missed {
		case Skip:
			n := (now-t.next)/t.period + 1
			t.skips += int(n)
			t.next += n * t.period
		case Restart:
			t.next = now + t.period
		}
	}
	return nil
}

// Deadline returns when the next tick is due, on the loop's clock.
func (t *Ticker) Deadline() time.Duration { return t.next }

// Skipped returns how many ticks the Skip policy has dropped.
func (t *Ticker) Skipped() int { return t.skips }

// Reset restarts the schedule: the next tick is one period from now.
func (t *Ticker) Reset() { t.next = t.loop.Time() + t.period }

// Period returns the ticker's period.
func (t *Ticker) Period() time.Duration { return t.period }
