package primitives_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/primitives"
)

// runVirtual runs main on the virtual clock and fails the test on error.
func runVirtual(t *testing.T, main func(ctx *asyncio.Ctx, rec *recorder) error) *recorder {
	t.Helper()
	rec := &recorder{}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		rec.loop = ctx.Loop()
		return main(ctx, rec)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestSwitch(t *testing.T) {
	for _, c := range []struct {
		name   string
		high   bool
		events bool
	}{{"to ground", false, false}, {"to supply", true, false}, {"events", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
				pol := board.ActiveLow
				if c.high {
					pol = board.ActiveHigh
				}
				sw := board.NewSim(ctx.Loop()).AddButtonOf("sw", pol)
				sw.SetBounce(board.Bounce{Duration: 10 * ms, Flips: 8, Seed: 5})
				sw.PressAt(1003 * ms)   // closes
				sw.ReleaseAt(1503 * ms) // opens
				sw.PressAt(1520 * ms)   // closes again before the next poll: only bounce to it
				sw.ReleaseAt(2003 * ms)
				s := primitives.NewSwitch(sw, primitives.SwitchConfig{ClosedHigh: c.high})
				if s.Closed() || s.Raw() {
					t.Error("the switch does not start open")
				}
				if c.events {
					for name, ev := range map[string]*asyncio.Event{"close": s.CloseEvent(), "open": s.OpenEvent()} {
						log := rec.fn(name)
						asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
							for {
								if err := ev.Wait(ctx); err != nil {
									return err
								}
								ev.Clear()
								log()
							}
						})
					}
				} else {
					s.OnClose(rec.fn("close"))
					s.OnOpen(rec.fn("open"))
				}
				s.Start(ctx)
				return asyncio.Sleep(ctx, 3*time.Second)
			})
			if got, want := rec.String(), "1.050 close\n2.050 open"; got != want {
				t.Errorf("fired:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestSwitchClosedAtStart(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		sw := board.NewSim(ctx.Loop()).AddButton("sw")
		sw.Press()
		sw.ReleaseAt(220 * ms)
		s := primitives.NewSwitch(sw, primitives.SwitchConfig{Debounce: 100 * ms})
		if !s.Closed() {
			t.Error("the switch does not start closed")
		}
		s.OnClose(rec.fn("close"))
		s.OnOpen(rec.fn("open"))
		s.OnOpen(nil)
		s.OnOpen(rec.fn("open again"))
		s.Start(ctx)
		return asyncio.Sleep(ctx, time.Second)
	})
	if got, want := rec.String(), "0.300 open again"; got != want {
		t.Errorf("fired:\n%s\nwant:\n%s", got, want)
	}
}

func TestDelay(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		n := 0
		d := primitives.NewDelay(loop, time.Second, func() int { n++; rec.fn(fmt.Sprint("timeout ", n))(); return n })
		if d.Running() || d.Result() != 0 || d.Duration() != time.Second {
			t.Error("a new Delay runs, or has a result")
		}
		waiter := func(name string) {
			log := rec.fn(name)
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := d.Wait(ctx); err != nil {
						return err
					}
					log()
				}
			})
		}
		waiter("waiter a")
		waiter("waiter b")
		step := func(at time.Duration, what func()) error {
			if err := asyncio.Sleep(ctx, at-loop.Time()); err != nil {
				return err
			}
			what()
			return nil
		}
		for _, s := range []struct {
			at   time.Duration
			what func()
		}{
			{0, func() { d.Trigger(0) }},                       // times out at 1.000
			{500 * ms, func() { d.Trigger(0) }},                // retriggered: 1.500
			{1200 * ms, func() { d.Trigger(100 * ms) }},        // shorter than what is left: 1.300
			{1400 * ms, func() { d.Trigger(300 * ms) }},        // 1.700
			{1500 * ms, func() { d.Stop() }},                   // stopped: nothing at 1.700
			{2000 * ms, func() { d.Trigger(2 * time.Second) }}, // 4.000
			{2500 * ms, func() {
				if at, ok := d.Deadline(); !ok || at != 4*time.Second || !d.Running() {
					t.Errorf("Deadline = %v, %v", at, ok)
				}
			}},
			{4500 * ms, func() {
				if d.Running() || d.Result() != 2 {
					t.Errorf("after the time-out: running %v, result %d", d.Running(), d.Result())
				}
				// The function may retrigger its own Delay.
				d.SetFunc(func() int { rec.fn("again")(); d.Trigger(0); return -1 })
				d.Trigger(100 * ms)
			}},
			{6000 * ms, func() { d.Stop() }},
		} {
			if err := step(s.at, s.what); err != nil {
				return err
			}
		}
		if _, ok := d.Deadline(); ok {
			t.Error("a stopped Delay has a deadline")
		}
		return asyncio.Sleep(ctx, time.Second)
	})
	want := "1.300 timeout 1\n1.300 waiter a\n1.300 waiter b\n4.000 timeout 2\n4.000 waiter a\n4.000 waiter b\n" +
		"4.600 again\n4.600 waiter a\n4.600 waiter b\n5.600 again\n5.600 waiter a\n5.600 waiter b"
	if got := rec.String(); got != want {
		t.Errorf("fired:\n%s\nwant:\n%s", got, want)
	}
}

// TestDelayNoLeak leaves a Delay running and a task waiting on it when the
// loop closes: nothing is left behind (goleak checks goroutines at the end).
func TestDelayNoLeak(t *testing.T) {
	var waitErr error
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		d := primitives.NewDelay[struct{}](ctx.Loop(), time.Hour, nil)
		d.Trigger(0)
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			waitErr = d.Wait(ctx)
			return waitErr
		})
		return asyncio.Sleep(ctx, time.Second)
	})
	if !errors.Is(waitErr, asyncio.ErrCancelled) {
		t.Errorf("the waiter got %v, want ErrCancelled from the loop's shutdown", waitErr)
	}
}

func TestDelayPanic(t *testing.T) {
	var handled []string
	woke := false
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		d := primitives.NewDelay(ctx.Loop(), time.Second, func() bool { panic("boom") })
		d.Trigger(0)
		if err := d.Wait(ctx); err != nil {
			return err
		}
		woke = true
		return nil
	}, asyncio.VirtualClock(), asyncio.WithExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
		handled = append(handled, c.Err.Error())
	}))
	if err != nil || !woke || len(handled) != 1 || !strings.Contains(handled[0], "boom") {
		t.Errorf("err %v, woke %v, handled %q", err, woke, handled)
	}
}

// knob drives two pulled-up pins as a quadrature encoder does.
type knob struct {
	x, y *board.SimPin
	i    int // the position along 11 → 01 → 00 → 10 (x<<1 | y), counting up
}

var knobStates = [4][2]bool{{true, true}, {false, true}, {false, false}, {true, false}}

// turn schedules n steps, one edge every gap from at, up for n > 0 and down
// for n < 0, and returns the time after the last edge.
func (k *knob) turn(at time.Duration, n int, gap time.Duration) time.Duration {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for range n {
		cur := knobStates[k.i]
		k.i = (k.i + step + 4) % 4
		next := knobStates[k.i]
		if next[0] != cur[0] {
			k.x.DriveAt(at, next[0])
		} else {
			k.y.DriveAt(at, next[1])
		}
		at += gap
	}
	return at
}

func TestEncoder(t *testing.T) {
	var calls []string
	var values []int
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		sim := board.NewSim(ctx.Loop())
		x, y := sim.AddPin("x", board.PinInputPullup), sim.AddPin("y", board.PinInputPullup)
		x.SetBounce(board.Bounce{Duration: 2 * ms, Seed: 11})
		y.SetBounce(board.Bounce{Duration: 2 * ms, Seed: 12})
		enc, err := primitives.NewEncoder(x, y, primitives.EncoderConfig{Div: 4})
		if err != nil {
			return err
		}
		defer enc.Stop()
		enc.OnChange(func(v, d int) {
			calls = append(calls, fmt.Sprintf("%.3f %d %+d", ctx.Loop().Time().Seconds(), v, d))
		})
		enc.Start(ctx)
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				v, err := enc.Wait(ctx)
				if err != nil {
					return err
				}
				values = append(values, v)
			}
		})
		// Two detents up, 10 ms an edge, with bounce on every edge; a pause;
		// three detents down; a pause; one edge up and back (no detent).
		k := &knob{x: x, y: y}
		at := k.turn(time.Second, 8, 10*ms)
		at = k.turn(at+time.Second, -12, 10*ms)
		at = k.turn(at+time.Second, 1, 10*ms)
		k.turn(at+10*ms, -1, 10*ms)
		if err := asyncio.Sleep(ctx, 6*time.Second); err != nil {
			return err
		}
		if enc.Count() != -4 || enc.Value() != -1 {
			t.Errorf("count %d value %d, want -4 and -1", enc.Count(), enc.Value())
		}
		return nil
	})
	_ = rec
	// The first edge at 1.000 starts a 100 ms wait: by 1.100 the edges up
	// to 1.070 (the eighth) are in: +2 at once, as one call.
	want := []string{"1.100 2 +2", "2.180 -1 -3"}
	if strings.Join(calls, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q", calls, want)
	}
	if fmt.Sprint(values) != "[2 -1]" {
		t.Errorf("Wait saw %v", values)
	}
}

func TestEncoderLimitsAndWrap(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfg   primitives.EncoderConfig
		moves []int // detents per movement, a second apart
		want  string
	}{
		{"limits", primitives.EncoderConfig{Div: 4, Limits: &primitives.Limits{Min: 0, Max: 3}, Value: 1},
			[]int{5, -1, -7, 1}, "3 +5|2 -1|0 -7|1 +1"},
		{"wrap", primitives.EncoderConfig{Div: 4, Mod: 4}, []int{3, 2, -6}, "3 +3|1 +2|3 -6"},
		{"no div", primitives.EncoderConfig{Delay: 20 * ms}, []int{1, -2}, "4 +4|-4 -8"},
		{"start clamped", primitives.EncoderConfig{Div: 4, Limits: &primitives.Limits{Min: 10, Max: 20}}, []int{-1, 1}, "11 +1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls []string
			runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
				sim := board.NewSim(ctx.Loop())
				x, y := sim.AddPin("x", board.PinInputPullup), sim.AddPin("y", board.PinInputPullup)
				enc, err := primitives.NewEncoder(x, y, c.cfg)
				if err != nil {
					return err
				}
				enc.OnChange(func(v, d int) { calls = append(calls, fmt.Sprintf("%d %+d", v, d)) })
				enc.Start(ctx)
				at := time.Second
				k := &knob{x: x, y: y}
				for _, m := range c.moves {
					at = k.turn(at, 4*m, ms) + time.Second
				}
				return asyncio.Sleep(ctx, at+time.Second)
			})
			if got := strings.Join(calls, "|"); got != c.want {
				t.Errorf("calls %s, want %s", got, c.want)
			}
		})
	}
}

func TestEncoderSetValueAndErrors(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	x, y := sim.AddPin("x", board.PinInputPullup), sim.AddPin("y", board.PinInputPullup)
	enc, err := primitives.NewEncoder(x, y, primitives.EncoderConfig{Mod: 10})
	if err != nil {
		t.Fatal(err)
	}
	enc.SetValue(-3)
	if enc.Value() != 7 {
		t.Errorf("SetValue(-3) with Mod 10 gives %d", enc.Value())
	}
	if err := enc.Stop(); err != nil {
		t.Error(err)
	}
	for _, cfg := range []primitives.EncoderConfig{{Div: -1}, {Mod: -2}, {Limits: &primitives.Limits{Min: 3, Max: 1}}} {
		if _, err := primitives.NewEncoder(x, y, cfg); !errors.Is(err, primitives.ErrEncoderConfig) {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	if _, err := primitives.NewEncoder(irqless{x}, y, primitives.EncoderConfig{}); err == nil {
		t.Error("no error from a pin without interrupts")
	}
	if _, err := primitives.NewEncoder(x, irqless{y}, primitives.EncoderConfig{}); err == nil {
		t.Error("no error from a pin without interrupts")
	}
}

type irqless struct{ *board.SimPin }

func (irqless) SetInterrupt(board.PinChange, func(board.Pin)) error {
	return errors.New("no interrupts")
}

func TestEncoderCancelledWait(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		sim := board.NewSim(ctx.Loop())
		enc, err := primitives.NewEncoder(sim.AddPin("x", board.PinInputPullup), sim.AddPin("y", board.PinInputPullup), primitives.EncoderConfig{})
		if err != nil {
			return err
		}
		expired, err := asyncio.MoveOnAfter(ctx, 50*ms, func(ctx *asyncio.Ctx) error {
			_, err := enc.Wait(ctx)
			return err
		})
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		return nil
	})
}

// work simulates a task's work between ticks by sleeping (on the virtual
// clock the CPU takes no time).
func TestTickerNoDrift(t *testing.T) {
	var ticker, naive []string
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		tk := primitives.NewTicker(loop, 100*ms, primitives.Burst)
		if tk.Period() != 100*ms || tk.Deadline() != 100*ms {
			t.Errorf("period %v deadline %v", tk.Period(), tk.Deadline())
		}
		for range 5 {
			if err := tk.Next(ctx); err != nil {
				return err
			}
			ticker = append(ticker, loop.Time().String())
			if err := asyncio.Sleep(ctx, 30*ms); err != nil { // the work
				return err
			}
		}
		start := loop.Time()
		for range 5 {
			if err := asyncio.Sleep(ctx, 100*ms); err != nil {
				return err
			}
			naive = append(naive, (loop.Time() - start).String())
			if err := asyncio.Sleep(ctx, 30*ms); err != nil {
				return err
			}
		}
		return nil
	})
	if got := strings.Join(ticker, " "); got != "100ms 200ms 300ms 400ms 500ms" {
		t.Errorf("ticks at %s", got)
	}
	if got := strings.Join(naive, " "); got != "100ms 230ms 360ms 490ms 620ms" {
		t.Errorf("a sleep loop woke at %s (expected to drift)", got)
	}
}

// TestTickerMissed runs ticks with one long piece of work (350 ms, with a
// period of 100 ms) under each policy.
func TestTickerMissed(t *testing.T) {
	for _, c := range []struct {
		policy primitives.Missed
		want   string
		skips  int
	}{
		// Late at 450 for the ticks of 200, 300, 400: three at once, then
		// on schedule.
		{primitives.Burst, "100ms 450ms 450ms 450ms 500ms 600ms", 0},
		// The tick of 200 is returned late at 450; 300 and 400 are dropped.
		{primitives.Skip, "100ms 450ms 500ms 600ms 700ms 800ms", 2},
		// The tick of 200 is returned late at 450; the schedule restarts.
		{primitives.Restart, "100ms 450ms 550ms 650ms 750ms 850ms", 0},
	} {
		t.Run(c.policy.String(), func(t *testing.T) {
			var ticks []string
			var tk *primitives.Ticker
			runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
				tk = primitives.NewTicker(ctx.Loop(), 100*ms, c.policy)
				for i := range 6 {
					if err := tk.Next(ctx); err != nil {
						return err
					}
					ticks = append(ticks, ctx.Loop().Time().String())
					if i == 0 {
						if err := asyncio.Sleep(ctx, 350*ms); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if got := strings.Join(ticks, " "); got != c.want {
				t.Errorf("ticks at %s, want %s", got, c.want)
			}
			if tk.Skipped() != c.skips {
				t.Errorf("skipped %d, want %d", tk.Skipped(), c.skips)
			}
		})
	}
}

func TestTickerResetCancelAndPanics(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		tk := primitives.NewTicker(ctx.Loop(), time.Second, primitives.Burst)
		expired, err := asyncio.MoveOnAfter(ctx, 300*ms, tk.Next)
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		if tk.Deadline() != time.Second {
			t.Errorf("a cancelled Next consumed its tick: next at %v", tk.Deadline())
		}
		tk.Reset()
		if tk.Deadline() != 1300*ms {
			t.Errorf("after Reset at 300ms the next tick is at %v", tk.Deadline())
		}
		return nil
	})
	if primitives.Missed(9).String() != "burst" {
		t.Error(primitives.Missed(9).String())
	}
	defer func() {
		if recover() == nil {
			t.Error("NewTicker with period 0 did not panic")
		}
	}()
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	primitives.NewTicker(loop, 0, primitives.Burst)
}
