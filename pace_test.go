package asyncio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// blinkTrace runs two blinkers for 1 s of loop time and returns what they
// did, with the loop's time of each toggle.
func blinkTrace(t *testing.T, opts ...asyncio.Option) string {
	t.Helper()
	var b strings.Builder
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		for _, period := range []time.Duration{100 * time.Millisecond, 250 * time.Millisecond} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					fmt.Fprintf(&b, "%v %v\n", ctx.Loop().Time(), period)
					if err := asyncio.Sleep(ctx, period); err != nil {
						return err
					}
				}
			})
		}
		return asyncio.Sleep(ctx, time.Second)
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPacedRunGivesTheVirtualTimes(t *testing.T) {
	want := blinkTrace(t, asyncio.VirtualClock())
	start := time.Now()
	got := blinkTrace(t, asyncio.PacedClock(asyncio.NewPace(200)))
	if got != want {
		t.Errorf("paced trace:\n%s\nvirtual trace:\n%s", got, want)
	}
	// 1 s of loop time at 200x cannot take less than 5 ms of real time.
	if real := time.Since(start); real < 5*time.Millisecond {
		t.Errorf("1 s at speed 200 took only %v", real)
	}
}

func TestPausedPaceStepsOneDeadlineAtATime(t *testing.T) {
	pace := asyncio.NewPace(1)
	pace.Pause()
	times := make(chan time.Duration)
	done := make(chan error)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
						return err
					}
					times <- ctx.Loop().Time()
				}
			})
			return asyncio.Sleep(ctx, time.Hour)
		}, asyncio.PacedClock(pace))
	}()
	// Paused, nothing happens however long we wait for it.
	select {
	case got := <-times:
		t.Fatalf("a paused clock reached %v", got)
	case <-time.After(20 * time.Millisecond):
	}
	for i := 1; i <= 3; i++ {
		pace.Step()
		if got, want := <-times, time.Duration(i)*250*time.Millisecond; got != want || pace.Time() != want {
			t.Fatalf("step %d: time %v, Pace.Time %v, want %v", i, got, pace.Time(), want)
		}
	}
	// Running again at a high speed, the hour passes and the run ends.
	if err := pace.SetSpeed(1e7); err != nil {
		t.Fatal(err)
	}
	pace.Resume()
	for {
		select {
		case <-times:
			continue
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if pace.Paused() || pace.Speed() != 1e7 {
				t.Errorf("pace paused %v, speed %v", pace.Paused(), pace.Speed())
			}
			return
		}
	}
}

func TestPauseHoldsTimeButPostedWorkRuns(t *testing.T) {
	pace := asyncio.NewPace(1)
	pace.Pause()
	var at time.Duration = -1
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		flag := &asyncio.ThreadSafeFlag{}
		go loop.CallSoonThreadsafe(func() { at = loop.Time(); flag.Set() })
		return flag.Wait(ctx)
	}, asyncio.PacedClock(pace))
	if err != nil {
		t.Fatal(err)
	}
	if at != 0 {
		t.Errorf("posted work ran at %v on a paused clock, want 0", at)
	}
}

func TestSetPaceContinuesFromRealTime(t *testing.T) {
	pace := asyncio.NewPace(1e6)
	var before, after time.Duration
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		before = ctx.Loop().Time()
		ctx.Loop().SetPace(pace)
		if !ctx.Loop().Virtual() || ctx.Loop().Pace() != pace {
			return errors.New("SetPace did not make the clock paced")
		}
		if err := asyncio.Sleep(ctx, time.Minute); err != nil {
			return err
		}
		after = ctx.Loop().Time()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before < time.Millisecond || after != before+time.Minute && after < before+time.Minute {
		t.Errorf("before %v, after %v: want after >= before+1m", before, after)
	}
}

func TestSetSpeedRejectsBadSpeeds(t *testing.T) {
	p := asyncio.NewPace(2)
	for _, s := range []float64{0, -1, nan(), inf()} {
		if err := p.SetSpeed(s); !errors.Is(err, asyncio.ErrBadSpeed) {
			t.Errorf("SetSpeed(%v) = %v, want ErrBadSpeed", s, err)
		}
	}
	if p.Speed() != 2 {
		t.Errorf("speed %v after bad speeds, want 2", p.Speed())
	}
	var zero asyncio.Pace
	if zero.Speed() != 1 || zero.Paused() {
		t.Errorf("zero Pace: speed %v paused %v", zero.Speed(), zero.Paused())
	}
}

func nan() float64 { z := 0.0; return z / z }
func inf() float64 { z := 0.0; return 1 / z }

func TestPacedClockMovesWhileTasksSpin(t *testing.T) {
	// A task polls a flag with Sleep(0), never letting the loop idle; the
	// flag is set by a task that sleeps. On a paced clock time still flows.
	var setAt time.Duration
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		flag := false
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
			setAt, flag = ctx.Loop().Time(), true
			return nil
		})
		for !flag {
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.PacedClock(asyncio.NewPace(100)))
	if err != nil {
		t.Fatal(err)
	}
	if setAt != 50*time.Millisecond {
		t.Errorf("the sleeper woke at %v, want exactly 50ms", setAt)
	}
}

// OnRest tells when a paused clock's step has been taken and everything due
// then has run, including what that work made ready; it tells once per rest.
func TestPaceOnRestAfterEachStep(t *testing.T) {
	pace := asyncio.NewPace(1)
	pace.Pause()
	var log []string // loop side
	rests := make(chan string, 16)
	pace.OnRest(func() { rests <- strings.Join(log, ",") })
	done := make(chan error)
	var loop *asyncio.Loop
	started := make(chan struct{})
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			loop = ctx.Loop()
			close(started)
			ev := &asyncio.Event{}
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := asyncio.Sleep(ctx, time.Second); err != nil {
						return err
					}
					log = append(log, "tick "+ctx.Loop().Time().String())
					ev.Set()
				}
			})
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := ev.Wait(ctx); err != nil {
						return err
					}
					ev.Clear()
					// Three rounds later, still at the same time.
					for range 3 {
						if err := asyncio.Sleep(ctx, 0); err != nil {
							return err
						}
					}
					log = append(log, "seen "+ctx.Loop().Time().String())
				}
			})
			return asyncio.Sleep(ctx, time.Hour)
		}, asyncio.PacedClock(pace))
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case got := <-rests:
			return got
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no rest", what)
			return ""
		}
	}
	if got := next("at the start"); got != "" {
		t.Errorf("first rest after %q, want nothing done", got)
	}
	<-started
	// Work posted while at rest runs, and is not a new rest.
	ran := make(chan struct{})
	loop.CallSoonThreadsafe(func() { close(ran) })
	<-ran
	for i := 1; i <= 2; i++ {
		if !pace.Resting() {
			t.Errorf("before step %d: not resting", i)
		}
		pace.Step()
		got := next(fmt.Sprint("step ", i))
		want := "tick 1s,seen 1s"
		if i == 2 {
			want += ",tick 2s,seen 2s"
		}
		if got != want {
			t.Errorf("rest after step %d: %q, want %q", i, got, want)
		}
	}
	select {
	case got := <-rests:
		t.Errorf("a rest with no change of the pace, after %q", got)
	case <-time.After(20 * time.Millisecond):
	}
	pace.OnRest(nil)
	if err := pace.SetSpeed(1e7); err != nil {
		t.Fatal(err)
	}
	pace.Resume()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
