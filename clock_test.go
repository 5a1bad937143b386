package asyncio

import (
	"testing"
	"time"
)

// TestClockKinds: each way of choosing a clock gives the clock it names,
// Virtual and Pace say which, and only the paced clock is called per round.
func TestClockKinds(t *testing.T) {
	p := NewPace(1)
	for _, c := range []struct {
		name    string
		l       *Loop
		virtual bool
		pace    *Pace
	}{
		{"zero", &Loop{}, false, nil},
		{"NewLoop", NewLoop(), false, nil},
		{"VirtualClock", NewLoop(VirtualClock()), true, nil},
		{"PacedClock", NewLoop(PacedClock(p)), true, p},
	} {
		c.l.init()
		if c.l.Virtual() != c.virtual || c.l.Pace() != c.pace {
			t.Errorf("%s: Virtual %v, Pace %v; want %v, %v", c.name, c.l.Virtual(), c.l.Pace(), c.virtual, c.pace)
		}
		if watches := c.l.rounds != nil; watches != (c.pace != nil) {
			t.Errorf("%s: the loop calls the clock per round: %v", c.name, watches)
		}
		if real := c.l.wall.Load() != nil; real == c.virtual {
			t.Errorf("%s: the real clock published: %v", c.name, real)
		}
		c.l.Close()
	}
}

// TestSetPaceNilKeepsTheTime: a loop whose pace is taken away goes on, on
// an unpaced virtual clock, from the time it had.
func TestSetPaceNilKeepsTheTime(t *testing.T) {
	p := NewPace(1e6)
	var at time.Duration
	err := Run(func(ctx *Ctx) error {
		l := ctx.Loop()
		if err := Sleep(ctx, time.Minute); err != nil {
			return err
		}
		l.SetPace(nil)
		if !l.Virtual() || l.Pace() != nil || l.rounds != nil {
			t.Errorf("after SetPace(nil): Virtual %v, Pace %v, rounds %v", l.Virtual(), l.Pace(), l.rounds)
		}
		start := time.Now()
		if err := Sleep(ctx, time.Hour); err != nil {
			return err
		}
		if real := time.Since(start); real > time.Second {
			t.Errorf("an hour on the unpaced clock took %v", real)
		}
		at = l.Time()
		return nil
	}, PacedClock(p))
	if err != nil {
		t.Fatal(err)
	}
	if at != time.Hour+time.Minute {
		t.Errorf("time %v after a minute paced and an hour unpaced", at)
	}
}

// TestDeadlineFollowsTheClock: a scope's deadline is a wall-clock time on
// the real clock only; once the loop's clock is paced there is none.
func TestDeadlineFollowsTheClock(t *testing.T) {
	err := Run(func(ctx *Ctx) error {
		return Timeout(ctx, time.Hour, func(ctx *Ctx) error {
			if d, ok := ctx.Deadline(); !ok || time.Until(d) < 59*time.Minute {
				t.Errorf("real clock: Deadline %v, %v", d, ok)
			}
			ctx.Loop().SetPace(NewPace(1))
			if d, ok := ctx.Deadline(); ok {
				t.Errorf("paced clock: Deadline %v", d)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
