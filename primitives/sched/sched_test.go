package sched_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones, wherever the tests run

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/primitives/sched"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

func mustZone(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

const stamp = "Mon 2006-01-02 15:04:05 MST"

// runs runs spec from epoch for the given virtual time and returns each
// run: the Scheduler's wall clock when fn ran (which must be the time it
// was given) in the layout above.
func runs(t *testing.T, loc *time.Location, epoch time.Time, spec string, span time.Duration) string {
	t.Helper()
	var got []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := sched.New(ctx.Loop(), sched.Config{Location: loc, Epoch: epoch})
		task, err := s.Start(ctx, spec, func(ctx *asyncio.Ctx, at time.Time) error {
			if now := s.Now(); !now.Equal(at) {
				t.Errorf("ran at %v for %v", now, at)
			}
			got = append(got, at.Format(stamp))
			return nil
		})
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, span)
		task.Cancel()
		if err := task.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("cancelled schedule: %v", err)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, "\n")
}

func check(t *testing.T, got string, want ...string) {
	t.Helper()
	if w := strings.Join(want, "\n"); got != w {
		t.Errorf("runs:\n%s\nwant:\n%s", got, w)
	}
}

func TestDaily(t *testing.T) {
	london := mustZone(t, "Europe/London")
	// Across the change to summer time on Sunday 30 March 2025: 07:30 on
	// the wall clock every day.
	epoch := time.Date(2025, 3, 28, 0, 0, 0, 0, london)
	check(t, runs(t, london, epoch, "30 7 * * *", 4*24*time.Hour),
		"Fri 2025-03-28 07:30:00 GMT", "Sat 2025-03-29 07:30:00 GMT",
		"Sun 2025-03-30 07:30:00 BST", "Mon 2025-03-31 07:30:00 BST")
}

func TestWeekdays(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	epoch := time.Date(2025, 6, 5, 12, 0, 0, 0, berlin) // a Thursday, noon
	check(t, runs(t, berlin, epoch, "0 9,17 * * MON-FRI", 6*24*time.Hour),
		"Thu 2025-06-05 17:00:00 CEST", "Fri 2025-06-06 09:00:00 CEST", "Fri 2025-06-06 17:00:00 CEST",
		"Mon 2025-06-09 09:00:00 CEST", "Mon 2025-06-09 17:00:00 CEST",
		"Tue 2025-06-10 09:00:00 CEST", "Tue 2025-06-10 17:00:00 CEST", "Wed 2025-06-11 09:00:00 CEST")
}

// A fixed time skipped by the change to summer time runs at the change; a
// fixed time that comes twice when the clocks go back runs once.
func TestDaylightSavingFixed(t *testing.T) {
	london := mustZone(t, "Europe/London")
	check(t, runs(t, london, time.Date(2025, 3, 29, 12, 0, 0, 0, london), "30 1 * * *", 2*24*time.Hour),
		"Sun 2025-03-30 02:00:00 BST", // 01:30 GMT never came: the clocks went from 01:00 to 02:00
		"Mon 2025-03-31 01:30:00 BST")
	check(t, runs(t, london, time.Date(2025, 10, 25, 12, 0, 0, 0, london), "30 1 * * *", 2*24*time.Hour),
		"Sun 2025-10-26 01:30:00 BST", // not again at 01:30 GMT, an hour later
		"Mon 2025-10-27 01:30:00 GMT")
	// Started in the hour that comes twice, after the first 01:30: not again.
	check(t, runs(t, london, time.Date(2025, 10, 26, 1, 10, 0, 0, time.UTC), "30 1 * * *", 25*time.Hour),
		"Mon 2025-10-27 01:30:00 GMT")
}

// A schedule of every hour follows real time: every 30 minutes through
// the hour that comes twice, nothing in the hour that does not exist.
func TestDaylightSavingInterval(t *testing.T) {
	london := mustZone(t, "Europe/London")
	check(t, runs(t, london, time.Date(2025, 10, 26, 0, 10, 0, 0, london), "*/30 * * * *", 3*time.Hour),
		"Sun 2025-10-26 00:30:00 BST", "Sun 2025-10-26 01:00:00 BST", "Sun 2025-10-26 01:30:00 BST",
		"Sun 2025-10-26 01:00:00 GMT", "Sun 2025-10-26 01:30:00 GMT", "Sun 2025-10-26 02:00:00 GMT")
	check(t, runs(t, london, time.Date(2025, 3, 30, 0, 10, 0, 0, london), "*/30 * * * *", 2*time.Hour),
		"Sun 2025-03-30 00:30:00 GMT", "Sun 2025-03-30 02:00:00 BST", "Sun 2025-03-30 02:30:00 BST", "Sun 2025-03-30 03:00:00 BST")
}

// A CRON_TZ prefix gives a schedule its own zone; seconds and @every work.
func TestZonesSecondsEvery(t *testing.T) {
	london := mustZone(t, "Europe/London")
	epoch := time.Date(2025, 1, 6, 0, 0, 0, 0, london)
	check(t, runs(t, london, epoch, "CRON_TZ=America/New_York 0 12 * * *", 2*24*time.Hour),
		"Mon 2025-01-06 12:00:00 EST", "Tue 2025-01-07 12:00:00 EST")
	check(t, runs(t, london, epoch, "15,45 0 0 * * *", 25*time.Hour),
		"Mon 2025-01-06 00:00:15 GMT", "Mon 2025-01-06 00:00:45 GMT", "Tue 2025-01-07 00:00:15 GMT", "Tue 2025-01-07 00:00:45 GMT")
	// robfig/cron's @every counts from the whole second.
	check(t, runs(t, london, epoch.Add(500*time.Millisecond), "@every 90s", 200*time.Second),
		"Mon 2025-01-06 00:01:30 GMT", "Mon 2025-01-06 00:03:00 GMT")
}

// A job that returns ErrStop ends Run with nil; one that fails ends it
// with its error; one that runs past later times skips them.
func TestRunEnds(t *testing.T) {
	utc := time.UTC
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, utc)
	var got []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := sched.New(ctx.Loop(), sched.Config{Location: utc, Epoch: epoch})
		if s.Now() != epoch {
			t.Errorf("Now %v", s.Now())
		}
		if _, err := s.Parse("61 * * * *"); err == nil {
			t.Error("a bad spec parses")
		}
		if _, err := s.Start(ctx, "nonsense", nil); err == nil {
			t.Error("Start with a bad spec")
		}
		every := func(n int, slow time.Duration, end error) func(*asyncio.Ctx, time.Time) error {
			i := 0
			return func(ctx *asyncio.Ctx, at time.Time) error {
				got = append(got, at.Format("15:04"))
				if i++; i == n {
					return end
				}
				return asyncio.Sleep(ctx, slow)
			}
		}
		sc, _ := s.Parse("*/10 * * * *")
		if err := s.Run(ctx, sc, every(3, 0, sched.ErrStop)); err != nil {
			t.Errorf("ErrStop: %v", err)
		}
		boom := errors.New("boom")
		if err := s.Run(ctx, sc, every(2, 0, boom)); !errors.Is(err, boom) {
			t.Errorf("failing job: %v", err)
		}
		// From 00:50 (the next time is after now: 01:00), 25 minutes of
		// work at each run: 01:00, then 01:30 (01:10 and 01:20 are missed),
		// then 02:00.
		if err := s.Run(ctx, sc, every(3, 25*time.Minute, sched.ErrStop)); err != nil {
			t.Errorf("slow job: %v", err)
		}
		at, err := s.Wait(ctx, sc)
		got = append(got, "wait "+at.Format("15:04"))
		if err != nil || !s.Now().Equal(at) {
			t.Errorf("Wait: %v %v", at, err)
		}
		// 30 February never comes.
		never, _ := s.Parse("0 0 30 2 *")
		if _, err := s.Wait(ctx, never); err == nil {
			t.Error("Wait for 30 February")
		}
		if err := s.Run(ctx, never, nil); err == nil {
			t.Error("Run on 30 February")
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := "00:10 00:20 00:30 00:40 00:50 01:00 01:30 02:00 wait 02:10"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got %s\nwant %s", g, want)
	}
}

// A Scheduler with the zero Config runs on the real wall clock.
func TestRealEpoch(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := sched.New(ctx.Loop(), sched.Config{})
		if d := time.Since(s.Now()); d < -time.Second || d > time.Second {
			t.Errorf("Now is %v off the wall clock", d)
		}
		if s.Now().Location() != time.Local {
			t.Errorf("zone %v", s.Now().Location())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every weekday at 07:30, and every 15 minutes during working hours on
// weekdays, in Berlin, on the virtual clock.
func ExampleScheduler_Start() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		s := sched.New(ctx.Loop(), sched.Config{
			Location: berlin,
			Epoch:    time.Date(2025, 3, 28, 7, 0, 0, 0, berlin), // a Friday
		})
		say := func(what string) func(*asyncio.Ctx, time.Time) error {
			return func(ctx *asyncio.Ctx, at time.Time) error {
				fmt.Println(at.Format("Mon 15:04 MST"), what)
				return nil
			}
		}
		if _, err := s.Start(ctx, "30 7 * * MON-FRI", say("lights on")); err != nil {
			return err
		}
		if _, err := s.Start(ctx, "*/15 8-9 * * MON-FRI", say("poll")); err != nil {
			return err
		}
		return asyncio.Sleep(ctx, 72*time.Hour) // to Monday, past the change to summer time
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// Fri 07:30 CET lights on
	// Fri 08:00 CET poll
	// Fri 08:15 CET poll
	// Fri 08:30 CET poll
	// Fri 08:45 CET poll
	// Fri 09:00 CET poll
	// Fri 09:15 CET poll
	// Fri 09:30 CET poll
	// Fri 09:45 CET poll
	// Mon 07:30 CEST lights on
}
