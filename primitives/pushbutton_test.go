package primitives_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/primitives"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

const ms = time.Millisecond

// bounce is the contact bounce of every test button: up to 6 flips within
// 5 ms, well under the 50 ms poll.
var bounce = board.Bounce{Duration: 5 * ms, Seed: 1}

// recorder logs "seconds name" lines on the loop's clock.
type recorder struct {
	loop  *asyncio.Loop
	lines []string
}

func (r *recorder) fn(name string) func() {
	return func() { r.lines = append(r.lines, fmt.Sprintf("%.3f %s", r.loop.Time().Seconds(), name)) }
}

func (r *recorder) String() string { return strings.Join(r.lines, "\n") }

// which gestures a test asks for
const (
	wantLong = 1 << iota
	wantDouble
	wantEvents // as events, each watched by a task, instead of callbacks
)

// gestures runs a Pushbutton on a bouncy simulated button driven by
// script, for the given time, and returns what fired.
func gestures(t *testing.T, cfg primitives.PushbuttonConfig, want int, script string, b board.Bounce, until time.Duration) string {
	t.Helper()
	sc, err := board.ParseScript(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		rec.loop = ctx.Loop()
		lab := board.NewLab(ctx.Loop())
		lab.Button.SetBounce(b)
		if _, err := lab.Play(sc); err != nil {
			return err
		}
		pb := primitives.NewPushbutton(lab.Button, cfg)
		if want&wantEvents != 0 {
			watch := func(name string, ev *asyncio.Event) {
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
			watch("press", pb.PressEvent())
			watch("release", pb.ReleaseEvent())
			if want&wantLong != 0 {
				watch("long", pb.LongEvent())
			}
			if want&wantDouble != 0 {
				watch("double", pb.DoubleEvent())
			}
		} else {
			pb.OnPress(rec.fn("press"))
			pb.OnRelease(rec.fn("release"))
			if want&wantLong != 0 {
				pb.OnLong(rec.fn("long"))
			}
			if want&wantDouble != 0 {
				pb.OnDouble(rec.fn("double"))
			}
		}
		pb.Start(ctx)
		return asyncio.Sleep(ctx, until)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	return rec.String()
}

// Presses and releases fall 3 ms after a poll (polls are at multiples of
// 50 ms from 0), so the next poll sees the contacts settled: each gesture
// is seen exactly one poll later.
var pushbuttonCases = []struct {
	name     string
	suppress bool
	want     int
	script   string
	out      string
}{
	{"click", false, wantLong | wantDouble,
		"1.003 button press\n1.203 button release",
		"1.050 press\n1.250 release"},
	{"click suppressed: release at the end of the double-click window", true, wantLong | wantDouble,
		"1.003 button press\n1.203 button release",
		"1.050 press\n1.450 release"},
	{"click suppressed without double: release at once", true, wantLong,
		"1.003 button press\n1.203 button release",
		"1.050 press\n1.250 release"},
	{"click without long or double", true, 0,
		"1.003 button press\n1.203 button release",
		"1.050 press\n1.250 release"},
	{"double click", false, wantLong | wantDouble,
		"1.003 button press\n1.103 button release\n1.203 button press\n1.303 button release",
		"1.050 press\n1.150 release\n1.250 press\n1.350 release\n1.350 double"},
	{"double click suppressed", true, wantLong | wantDouble,
		"1.003 button press\n1.103 button release\n1.203 button press\n1.303 button release",
		"1.050 press\n1.250 press\n1.350 double"},
	{"double click not asked for: two clicks", false, wantLong,
		"1.003 button press\n1.103 button release\n1.203 button press\n1.303 button release",
		"1.050 press\n1.150 release\n1.250 press\n1.350 release"},
	{"second press held: no long, double at its release", true, wantLong | wantDouble,
		"1.003 button press\n1.103 button release\n1.203 button press\n3.003 button release",
		"1.050 press\n1.250 press\n3.050 double"},
	{"second click too late: two single clicks", true, wantLong | wantDouble,
		"1.003 button press\n1.103 button release\n1.453 button press\n1.553 button release",
		"1.050 press\n1.450 release\n1.500 press\n1.900 release"},
	{"second press at the window's end is a new gesture", true, wantLong | wantDouble,
		// The first press is seen at 1.050, its window closes at 1.450;
		// the second press is seen at the poll at 1.450, after the timer.
		"1.003 button press\n1.103 button release\n1.403 button press\n1.503 button release",
		"1.050 press\n1.450 release\n1.450 press\n1.850 release"},
	{"long press", false, wantLong | wantDouble,
		"1.003 button press\n2.503 button release",
		"1.050 press\n2.050 long\n2.550 release"},
	{"long press suppressed", true, wantLong | wantDouble,
		"1.003 button press\n2.503 button release",
		"1.050 press\n2.050 long"},
	{"held exactly LongPress: long", false, wantLong,
		"1.003 button press\n2.003 button release",
		"1.050 press\n2.050 long\n2.050 release"},
	{"held one poll less: click", false, wantLong,
		"1.003 button press\n1.953 button release",
		"1.050 press\n2.000 release"},
	{"long not asked for: a long hold is a click", true, wantDouble,
		"1.003 button press\n2.503 button release",
		"1.050 press\n2.550 release"},
	{"held past the window, released before long", true, wantLong | wantDouble,
		"1.003 button press\n1.703 button release",
		"1.050 press\n1.750 release"},
	{"a click, then a long press", true, wantLong | wantDouble,
		"1.003 button press\n1.103 button release\n2.003 button press\n3.503 button release",
		"1.050 press\n1.450 release\n2.050 press\n3.050 long"},
}

func TestPushbuttonGestures(t *testing.T) {
	for _, c := range pushbuttonCases {
		for _, events := range []bool{false, true} {
			name := c.name
			want := c.want
			if events {
				name += " (events)"
				want |= wantEvents
			}
			t.Run(name, func(t *testing.T) {
				got := gestures(t, primitives.PushbuttonConfig{Suppress: c.suppress}, want, c.script, bounce, 5*time.Second)
				if got != c.out {
					t.Errorf("fired:\n%s\nwant:\n%s", got, c.out)
				}
			})
		}
	}
}

// TestPushbuttonBounceAtPoll puts the bounce over a poll: the press at
// 0.998 bounces until before 1.003, so the poll at 1.000 reads whatever the
// contacts show then, and so does the poll at 1.200 for the release at
// 1.198. Whichever they read, exactly one press and one release are seen,
// at most one poll late. For seed 1 the contacts read closed at 1.000 and
// open at 1.200; for seed 3 the other way round.
func TestPushbuttonBounceAtPoll(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		out  string
	}{
		{1, "1.000 press\n1.200 release"},
		{3, "1.050 press\n1.250 release"},
	} {
		b := board.Bounce{Duration: 5 * ms, Seed: c.seed}
		got := gestures(t, primitives.PushbuttonConfig{}, 0, "0.998 button press\n1.198 button release", b, 3*time.Second)
		if got != c.out {
			t.Errorf("seed %d: fired:\n%s\nwant:\n%s", c.seed, got, c.out)
		}
	}
}

// TestPushbuttonBounceProperty clicks with many seeds and click times: the
// bounce never shows as an extra press or release.
func TestPushbuttonBounceProperty(t *testing.T) {
	for seed := range uint64(40) {
		var script strings.Builder
		for i := range 10 {
			at := time.Duration(i)*700*ms + time.Duration(seed*7%50)*ms + 100*ms
			fmt.Fprintf(&script, "%.3f button click %dms\n", at.Seconds(), 100+seed%5*30)
		}
		b := board.Bounce{Duration: 8 * ms, Flips: 10, Seed: seed}
		got := gestures(t, primitives.PushbuttonConfig{}, 0, script.String(), b, 8*time.Second)
		if n, m := strings.Count(got, "press"), strings.Count(got, "release"); n != 10 || m != 10 {
			t.Errorf("seed %d: %d presses, %d releases, want 10 each:\n%s", seed, n, m, got)
		}
	}
}

// TestPushbuttonPerInstance runs two buttons with different timings at
// once: the timings belong to each instance.
func TestPushbuttonPerInstance(t *testing.T) {
	rec := &recorder{}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		rec.loop = ctx.Loop()
		sim := board.NewSim(ctx.Loop())
		fast, slow := sim.AddButton("fast"), sim.AddButton("slow")
		fast.SetBounce(bounce)
		slow.SetBounce(bounce)
		for _, b := range []*board.SimButton{fast, slow} {
			b.PressAt(1003 * ms)
			b.ReleaseAt(1703 * ms)
		}
		pf := primitives.NewPushbutton(fast, primitives.PushbuttonConfig{Debounce: 20 * ms, LongPress: 500 * ms, DoubleClick: 250 * ms})
		ps := primitives.NewPushbutton(slow, primitives.PushbuttonConfig{})
		if got := ps.Config(); got.Debounce != 50*ms || got.LongPress != time.Second || got.DoubleClick != 400*ms {
			t.Errorf("defaults %+v", got)
		}
		for name, pb := range map[string]*primitives.Pushbutton{"fast": pf, "slow": ps} {
			pb.OnPress(rec.fn(name + " press"))
			pb.OnRelease(rec.fn(name + " release"))
			pb.OnLong(rec.fn(name + " long"))
			pb.Start(ctx)
		}
		return asyncio.Sleep(ctx, 3*time.Second)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// fast polls every 20 ms: sees the press at 1.020, long at 1.520, the
	// release at 1.720; slow: 1.050 and 1.750, no long.
	got := strings.Split(rec.String(), "\n")
	want := []string{"1.020 fast press", "1.050 slow press", "1.520 fast long", "1.720 fast release", "1.750 slow release"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("fired %q, want %q", got, want)
	}
}

func TestPushbuttonSense(t *testing.T) {
	for _, c := range []struct {
		name     string
		polarity board.Polarity
		held     bool // pressed before the Pushbutton is made
		sense    primitives.Sense
		out      string
	}{
		{"auto, active-low", board.ActiveLow, false, primitives.SenseAuto, "1.050 press\n1.250 release"},
		{"auto, active-high", board.ActiveHigh, false, primitives.SenseAuto, "1.050 press\n1.250 release"},
		{"high, active-low", board.ActiveLow, false, primitives.SenseHigh, "1.050 press\n1.250 release"},
		{"low, active-high", board.ActiveHigh, false, primitives.SenseLow, "1.050 press\n1.250 release"},
		// Held at start: auto takes it as released, so the release reads
		// as a press; an explicit sense gets it right.
		{"auto, held at start", board.ActiveLow, true, primitives.SenseAuto, "0.550 press"},
		{"high, held at start", board.ActiveLow, true, primitives.SenseHigh, "0.550 release\n1.050 press\n1.250 release"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			err := asyncio.Run(func(ctx *asyncio.Ctx) error {
				rec.loop = ctx.Loop()
				b := board.NewSim(ctx.Loop()).AddButtonOf("b", c.polarity)
				if c.held {
					b.Press()
					b.ReleaseAt(503 * ms)
					b.PressAt(1003 * ms)
				} else {
					b.PressAt(1003 * ms)
				}
				b.ReleaseAt(1203 * ms)
				pb := primitives.NewPushbutton(b, primitives.PushbuttonConfig{Sense: c.sense})
				if pb.Pressed() != (c.held && c.sense != primitives.SenseAuto) {
					t.Errorf("Pressed() at start = %v", pb.Pressed())
				}
				pb.OnPress(rec.fn("press"))
				pb.OnRelease(rec.fn("release"))
				pb.Start(ctx)
				return asyncio.Sleep(ctx, 2*time.Second)
			}, asyncio.VirtualClock())
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.String(); !strings.HasPrefix(got, c.out) {
				t.Errorf("fired:\n%s\nwant it to start with:\n%s", got, c.out)
			}
		})
	}
}

// TestPushbuttonStop cancels the Pushbutton's task in the middle of a long
// press and of a double-click window: nothing fires after that.
func TestPushbuttonStop(t *testing.T) {
	rec := &recorder{}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		rec.loop = ctx.Loop()
		lab := board.NewLab(ctx.Loop())
		lab.Button.SetBounce(bounce)
		lab.Button.PressAt(1003 * ms)
		lab.Button.ReleaseAt(1103 * ms)
		lab.Button.PressAt(1503 * ms)
		pb := primitives.NewPushbutton(lab.Button, primitives.PushbuttonConfig{Suppress: true})
		pb.OnPress(rec.fn("press"))
		pb.OnRelease(rec.fn("release"))
		pb.OnLong(rec.fn("long"))
		pb.OnDouble(rec.fn("double"))
		task := pb.Start(ctx)
		// At 1.2 s the first click waits for its window (until 1.450).
		if err := asyncio.Sleep(ctx, 1200*ms); err != nil {
			return err
		}
		task.Cancel()
		if err := task.Await(ctx); !task.Cancelled() {
			t.Errorf("Run returned %v", err)
		}
		// Run again: the button is pressed from 1.503, long at 2.550.
		task = pb.Start(ctx)
		if err := asyncio.Sleep(ctx, 1000*ms); err != nil {
			return err
		}
		task.Cancel()
		return asyncio.Sleep(ctx, 3*time.Second)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// The second run starts at 1.200 with the button released, polls at
	// 1.200, 1.250, ...: the press at 1.503 is seen at 1.550; cancelled at
	// 2.200, before its long at 2.550.
	if got, want := rec.String(), "1.050 press\n1.550 press"; got != want {
		t.Errorf("fired:\n%s\nwant:\n%s", got, want)
	}
}

func TestPushbuttonRemoveCallbacks(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		lab := board.NewLab(ctx.Loop())
		lab.Button.PressAt(100 * ms)
		pb := primitives.NewPushbutton(lab.Button, primitives.PushbuttonConfig{})
		pb.OnLong(func() { t.Error("long fired after removal") })
		pb.OnLong(nil)
		pb.OnPress(func() { t.Error("press fired after removal") })
		pb.OnPress(nil)
		pb.Start(ctx)
		if err := asyncio.Sleep(ctx, 3*time.Second); err != nil {
			return err
		}
		if !pb.Pressed() || !pb.Raw() {
			t.Errorf("Pressed %v Raw %v", pb.Pressed(), pb.Raw())
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
