// Package sched runs functions on cron-like schedules on an asyncio loop's
// clock (micropython-async's sched): "every day at 07:30", "every 15
// minutes on weekdays", in a time zone, across daylight-saving changes. On
// a virtual clock (asyncio.VirtualClock) a year of schedule runs in
// milliseconds and gives the same trace every time, which is how it is
// tested; on a real clock it runs in real time.
//
// Schedules are cron expressions, parsed by github.com/robfig/cron/v3's
// parser (its parser only: the waiting is the loop's). Five fields, minute
// hour day-of-month month day-of-week ("30 7 * * *"), or six with seconds
// first ("0 30 7 * * *"); names for months and days ("MON-FRI"), ranges,
// lists and steps ("*/15"); descriptors ("@daily", "@hourly", "@every
// 90s"); and a "CRON_TZ=Europe/London " prefix for a zone of its own.
//
// # Time zones and daylight saving
//
// A schedule is evaluated in its zone (the prefix, else the Scheduler's
// Location), on the wall clock there, as Vixie cron does:
//
//   - A schedule with fixed hours ("30 1 * * *") runs once per matching
//     wall-clock time. When the clocks go back and a wall-clock time comes
//     twice, it runs at the first; when they go forward over it, it runs at
//     the moment of the change (at 03:00 summer time if 02:30 was skipped).
//   - A schedule that runs every hour ("*/15 * * * *", "@hourly", hours
//     "*") follows real time: every 15 minutes through the hour that comes
//     twice, and nothing for the hour that does not exist.
//   - "@every d" runs every d of real time, whatever the zone.
package sched

import (
	"errors"
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/robfig/cron/v3"
)

// ErrStop ends a schedule without error: a job function that returns it
// makes Run return nil.
var ErrStop = errors.New("sched: stop")

// Config sets a Scheduler's zone and clock. The zero value is the local zone
// and the wall clock as it reads when the Scheduler is made.
type Config struct {
	// Location is the zone of schedules without a CRON_TZ prefix; nil
	// means time.Local.
	Location *time.Location
	// Epoch is the wall-clock time when the loop's clock read 0 (see
	// asyncio.Loop.Time): the Scheduler's wall clock is Epoch plus the
	// loop's time. The zero Epoch means now minus the loop's time when the
	// Scheduler is made, the real wall clock; tests on a virtual clock set
	// it to a date of their choosing. The wall clock is not resynchronised
	// afterwards: if the system clock is stepped, make a new Scheduler.
	Epoch time.Time
}

// Scheduler runs schedules on a loop. Make it with New. Its methods must be
// called on the loop's goroutine.
type Scheduler struct {
	loop  *asyncio.Loop
	loc   *time.Location
	epoch time.Time
}

// New returns a Scheduler on loop.
func New(loop *asyncio.Loop, cfg Config) *Scheduler {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = time.Now().Add(-loop.Time())
	}
	return &Scheduler{loop: loop, loc: cfg.Location, epoch: cfg.Epoch.Round(0)}
}

// Now returns the Scheduler's wall clock, in its Location.
func (s *Scheduler) Now() time.Time { return s.epoch.Add(s.loop.Time()).In(s.loc) }

// parser reads five or six fields and descriptors.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression, in its zone.
type Schedule struct {
	spec  string
	cron  cron.Schedule
	loc   *time.Location
	fixed bool // fixed hours: evaluated on the wall clock
}

// String returns the expression the Schedule was parsed from.
func (sc *Schedule) String() string { return sc.spec }

// Parse parses a cron expression (see the package documentation) for this
// Scheduler's zone; a CRON_TZ prefix takes precedence.
func (s *Scheduler) Parse(spec string) (*Schedule, error) {
	c, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("sched: %q: %w", spec, err)
	}
	sc := &Schedule{spec: spec, cron: c, loc: s.loc}
	if ss, ok := c.(*cron.SpecSchedule); ok {
		if ss.Location != time.Local {
			sc.loc = ss.Location
		}
		const allHours = 1<<24 - 1
		sc.fixed = ss.Hour&allHours != allHours
		if sc.fixed { // evaluated on the wall clock, written as UTC
			w := *ss
			w.Location = time.UTC
			sc.cron = &w
		} else {
			r := *ss
			r.Location = sc.loc
			sc.cron = &r
		}
	}
	return sc, nil
}

// Next returns the first time the schedule runs after t, in its zone; the
// zero time if it never does (robfig/cron looks five years ahead).
func (sc *Schedule) Next(t time.Time) time.Time {
	if !sc.fixed {
		n := sc.cron.Next(t)
		if n.IsZero() {
			return n
		}
		return n.In(sc.loc)
	}
	t = t.In(sc.loc)
	wall := asWall(t)
	for {
		wall = sc.cron.Next(wall)
		if wall.IsZero() {
			return wall
		}
		if at := instant(wall, sc.loc); at.After(t) {
			return at
		}
		// The first occurrence of a wall time that comes twice, already
		// past: the next wall time.
	}
}

// asWall returns t's wall-clock reading in its zone, as a UTC time.
func asWall(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// instant returns when the wall clock in loc first reads wall (a UTC
// time): the first of two occurrences when the clocks go back, the moment
// of the change when they go forward over it.
func instant(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	t := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	if !asWall(t).Equal(wall) { // skipped by a change forward
		start, _ := t.ZoneBounds()
		return start
	}
	// Comes twice? The earlier occurrence is in the zone before t's.
	start, _ := t.ZoneBounds()
	if !start.IsZero() {
		_, off := t.Zone()
		_, prevOff := start.Add(-time.Nanosecond).Zone()
		if prevOff > off {
			if alt := t.Add(-time.Duration(prevOff-off) * time.Second); asWall(alt).Equal(wall) {
				return alt
			}
		}
	}
	return t
}

// Wait pauses the task until the schedule's next time after now on the
// Scheduler's clock, and returns that time. It returns
// asyncio.ErrCancelled if the task is cancelled first, and an error if the
// schedule never runs again.
func (s *Scheduler) Wait(ctx *asyncio.Ctx, sc *Schedule) (time.Time, error) {
	next := sc.Next(s.Now())
	if next.IsZero() {
		return next, fmt.Errorf("sched: %q never runs again", sc.spec)
	}
	return next, s.sleepUntil(ctx, next)
}

func (s *Scheduler) sleepUntil(ctx *asyncio.Ctx, at time.Time) error {
	return asyncio.Sleep(ctx, at.Sub(s.epoch)-s.loop.Time())
}

// Run runs fn at each time of the schedule, in the calling task, with that
// time, from now until fn returns an error or the task is cancelled: the
// body of a task (see Start). Each time is computed from the previous one,
// so a run that starts late does not shift the schedule; if fn runs past
// the next times, those runs are skipped, and the schedule goes on with the
// first time still ahead.
//
// Run returns nil when fn returns ErrStop, fn's error when it returns
// another, asyncio.ErrCancelled when the task is cancelled while waiting
// (a run under way is not interrupted: fn gets the cancellation at its own
// await points), and an error if the schedule never runs again.
func (s *Scheduler) Run(ctx *asyncio.Ctx, sc *Schedule, fn func(ctx *asyncio.Ctx, at time.Time) error) error {
	at := sc.Next(s.Now())
	for {
		if at.IsZero() {
			return fmt.Errorf("sched: %q never runs again", sc.spec)
		}
		if err := s.sleepUntil(ctx, at); err != nil {
			return err
		}
		if err := fn(ctx, at); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		at = sc.Next(at)
		if now := s.Now(); !at.IsZero() && at.Before(now) {
			at = sc.Next(now.Add(-time.Nanosecond))
		}
	}
}

// Start parses spec and runs Run in a new task of ctx's loop, named after
// the spec, which it returns; the task ends when fn stops it, when it is
// cancelled, at the latest when the loop closes. It returns the parse
// error, and starts nothing, if spec is not valid.
func (s *Scheduler) Start(ctx *asyncio.Ctx, spec string, fn func(ctx *asyncio.Ctx, at time.Time) error) (*asyncio.Task, error) {
	sc, err := s.Parse(spec)
	if err != nil {
		return nil, err
	}
	return asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return s.Run(ctx, sc, fn) }, asyncio.Named("sched "+spec)), nil
}
