package asyncio

import "time"

// clock is a loop's time. The loop asks it what time it is and, when no task
// is ready, how long to wait for the next deadline, and tells it when it has
// waited; it knows nothing else about it. There are three: realClock (the default), virtualClock (VirtualClock),
// which jumps to each deadline, and Pace (PacedClock, SetPace), a virtual
// clock that jumps only once real time, at its speed, has got there.
//
// The interface is the package's own, not a user's hook as Trio's Clock is:
// see docs/design.md. Its methods are called on the loop's goroutine.
type clock interface {
	// now returns the loop's time: nanoseconds since the loop was made.
	now() int64
	// virtual reports whether the clock moves to deadlines instead of
	// waiting for them. Before it may move, the loop makes sure that no
	// ToThread result is on its way, no I/O is ready and no posted work
	// waits (see Loop.idle).
	virtual() bool
	// sleep is the idle loop's question, Trio's deadline_to_sleep_time: no
	// task is ready and the earliest deadline is when (if timed). It returns
	// how long to wait in real time: 0 if the clock is at when now (a
	// virtual clock has just moved there), a negative duration to wait until
	// woken.
	sleep(when int64, timed bool) time.Duration
	// waited tells the clock that the loop has waited, for what sleep said
	// or less if it was woken, with the same when.
	waited(when int64, timed bool)
}

// roundWatcher is a clock that must also hear of every round of ready tasks:
// the paced clock, whose time flows while tasks keep the loop busy. The
// loop calls round only on such a clock, so the others cost the run loop
// nothing per round.
type roundWatcher interface {
	// round tells the clock that a round of ready tasks begins, after an
	// idle wait (idled) or after the previous round; timers are the loop's.
	round(idled bool, timers *timerHeap)
}

// realClock is the loop's default clock: monotonic time since start.
type realClock struct{ start time.Time }

func (c *realClock) now() int64 { return int64(time.Since(c.start)) }

func (*realClock) virtual() bool { return false }

func (c *realClock) sleep(when int64, timed bool) time.Duration {
	if !timed {
		return -1
	}
	return max(time.Duration(when-c.now()), 0)
}

func (*realClock) waited(int64, bool) {}

// virtualClock is a number that moves to the next deadline whenever the
// loop would otherwise wait for it (Trio's MockClock with autojump).
type virtualClock struct{ t int64 }

func (c *virtualClock) now() int64 { return c.t }

func (*virtualClock) virtual() bool { return true }

func (c *virtualClock) sleep(when int64, timed bool) time.Duration {
	if !timed {
		return -1 // only another goroutine can make work now
	}
	c.t = max(c.t, when)
	return 0
}

func (*virtualClock) waited(int64, bool) {}

// VirtualClock makes the loop run on a virtual clock: whenever no task is
// ready, time jumps straight to the next deadline instead of passing. Time
// driven code then runs as fast as the CPU allows and gives the same trace on
// every run. Work posted from other goroutines still arrives when it arrives.
func VirtualClock() Option { return func(l *Loop) { l.setClock(&virtualClock{}) } }

// setClock makes c the loop's clock.
func (l *Loop) setClock(c clock) {
	l.clock = c
	l.rounds, _ = c.(roundWatcher)
	rc, _ := c.(*realClock)
	l.wall.Store(rc)
}

// Time returns the loop's clock: the time elapsed since the loop was made,
// real or virtual.
func (l *Loop) Time() time.Duration { return time.Duration(l.now()) }

// Virtual reports whether the loop runs on a virtual clock.
func (l *Loop) Virtual() bool { return l.clock != nil && l.clock.virtual() }

func (l *Loop) now() int64 {
	if l.clock == nil {
		return 0 // a zero Loop not used yet
	}
	return l.clock.now()
}
