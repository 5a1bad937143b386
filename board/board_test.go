package board_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

const ms = time.Millisecond

// state is an LED's lit state and pin level.
type state struct {
	lit   bool
	value int
}

func stateOf(l board.LED) state { return state{l.Get(), l.Value()} }

func TestLEDLevels(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	hi := sim.AddLED("hi", board.ActiveHigh)
	lo := sim.AddLED("lo", board.ActiveLow)

	steps := []struct {
		name   string
		do     func(board.LED)
		hi, lo state
	}{
		{"start", func(board.LED) {}, state{false, 0}, state{false, 1}},
		{"On", board.LED.On, state{true, 1}, state{true, 0}},
		{"On again", board.LED.On, state{true, 1}, state{true, 0}},
		{"Off", board.LED.Off, state{false, 0}, state{false, 1}},
		{"SetValue(0)", func(l board.LED) { l.SetValue(0) }, state{false, 0}, state{true, 0}},
		{"SetValue(1)", func(l board.LED) { l.SetValue(1) }, state{true, 1}, state{false, 1}},
		{"SetValue(7)", func(l board.LED) { l.SetValue(7) }, state{true, 1}, state{false, 1}},
		{"Set(false)", func(l board.LED) { l.Set(false) }, state{false, 0}, state{false, 1}},
		{"Set(true)", func(l board.LED) { l.Set(true) }, state{true, 1}, state{true, 0}},
		{"Toggle", board.LED.Toggle, state{false, 0}, state{false, 1}},
		{"Toggle again", board.LED.Toggle, state{true, 1}, state{true, 0}},
	}
	for _, s := range steps {
		s.do(hi)
		s.do(lo)
		if got := stateOf(hi); got != s.hi {
			t.Errorf("%s: active-high LED: lit, value = %v, want %v", s.name, got, s.hi)
		}
		if got := stateOf(lo); got != s.lo {
			t.Errorf("%s: active-low LED: lit, value = %v, want %v", s.name, got, s.lo)
		}
	}
	if hi.Polarity() != board.ActiveHigh || lo.Polarity() != board.ActiveLow {
		t.Errorf("polarities = %v, %v", hi.Polarity(), lo.Polarity())
	}
	if hi.Name() != "hi" || lo.Name() != "lo" {
		t.Errorf("names = %q, %q", hi.Name(), lo.Name())
	}
}

func TestPolarityString(t *testing.T) {
	if got := board.ActiveHigh.String(); got != "active-high" {
		t.Errorf("ActiveHigh.String() = %q", got)
	}
	if got := board.ActiveLow.String(); got != "active-low" {
		t.Errorf("ActiveLow.String() = %q", got)
	}
}

// TestRecordsOnlyChanges checks that each change of the light, and nothing
// else, is recorded, whatever call made it.
func TestRecordsOnlyChanges(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	led := sim.AddLED("led", board.ActiveLow)
	led.Off()         // already off
	led.SetValue(1)   // high: off, no change
	led.SetValue(0)   // on
	led.On()          // no change
	led.Set(true)     // no change
	led.Toggle()      // off
	led.SetValue(1)   // no change
	led.Set(true)     // on
	led.SetValue(100) // off
	want := []board.LEDChange{{0, "led", true}, {0, "led", false}, {0, "led", true}, {0, "led", false}}
	if got := sim.Events(); !slices.Equal(got, want) {
		t.Errorf("Events() = %v, want %v", got, want)
	}
}

func TestRecordsLoopTime(t *testing.T) {
	var sim *board.Lab
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim = board.NewLab(ctx.Loop())
		sim.Red.Toggle()
		for range 3 {
			if err := asyncio.Sleep(ctx, 250*ms); err != nil {
				return err
			}
			sim.Green.Toggle()
		}
		if err := asyncio.Sleep(ctx, 1500*ms+1); err != nil {
			return err
		}
		sim.Red.Off()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := []board.LEDChange{
		{0, "red", true},
		{250 * ms, "green", true},
		{500 * ms, "green", false},
		{750 * ms, "green", true},
		{2250*ms + 1, "red", false},
	}
	if got := sim.Events(); !slices.Equal(got, want) {
		t.Errorf("Events() = %v, want %v", got, want)
	}
	wantTrace := "0.000 red on\n0.250 green on\n0.500 green off\n0.750 green on\n2.250 red off\n"
	if got := sim.Trace(); got != wantTrace {
		t.Errorf("Trace() =\n%s\nwant\n%s", got, wantTrace)
	}
}

func TestEventsIsACopy(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	led := sim.AddLED("led", board.ActiveHigh)
	led.On()
	ev := sim.Events()
	ev[0].Name = "changed"
	if got := sim.Events()[0].Name; got != "led" {
		t.Errorf("Events()[0].Name = %q after changing a returned copy", got)
	}
}

func TestOnChangeLive(t *testing.T) {
	var seen []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		sim := board.NewLab(loop)
		sim.OnChange(func(e board.LEDChange) {
			if e.At != loop.Time() {
				t.Errorf("event %v seen at %v", e, loop.Time())
			}
			if got := sim.Events(); got[len(got)-1] != e {
				t.Errorf("event %v seen before it was recorded", e)
			}
			seen = append(seen, "1:"+e.String())
		})
		sim.OnChange(func(e board.LEDChange) { seen = append(seen, "2:"+e.String()) })
		sim.Green.On()
		if err := asyncio.Sleep(ctx, 20*ms); err != nil {
			return err
		}
		sim.Green.Off()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:0.000 green on", "2:0.000 green on", "1:0.020 green off", "2:0.020 green off"}
	if !slices.Equal(seen, want) {
		t.Errorf("seen %q, want %q", seen, want)
	}
}

func TestEventString(t *testing.T) {
	for _, c := range []struct {
		e    board.LEDChange
		want string
	}{
		{board.LEDChange{0, "red", true}, "0.000 red on"},
		{board.LEDChange{250 * ms, "green", false}, "0.250 green off"},
		{board.LEDChange{9750 * ms, "green", false}, "9.750 green off"},
		{board.LEDChange{1234567 * time.Microsecond, "x", true}, "1.235 x on"},
		{board.LEDChange{2 * time.Minute, "red", true}, "120.000 red on"},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.e, got, c.want)
		}
	}
}

func TestTraceEmpty(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	if got := board.NewLab(loop).Trace(); got != "" {
		t.Errorf("Trace() of an untouched board = %q, want empty", got)
	}
}

func TestButton(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	b := board.NewSim(loop).AddButton("b")
	check := func(when string, pressed bool) {
		t.Helper()
		want := 1
		if pressed {
			want = 0
		}
		if b.Pressed() != pressed || b.Value() != want {
			t.Errorf("%s: Pressed, Value = %v, %d, want %v, %d", when, b.Pressed(), b.Value(), pressed, want)
		}
	}
	check("start", false)
	b.Press()
	check("Press", true)
	b.Press()
	check("Press again", true)
	b.Release()
	check("Release", false)
	b.Release()
	check("Release again", false)
	if b.Name() != "b" {
		t.Errorf("Name() = %q", b.Name())
	}
}

// poll runs a task that reads the button every 10 ms from 0 to 100 ms and
// returns the levels it read.
func poll(t *testing.T, setup func(*asyncio.Loop, *board.SimButton)) string {
	t.Helper()
	var levels strings.Builder
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewSim(ctx.Loop()).AddButton("b")
		setup(ctx.Loop(), b)
		for i := 0; ; i++ {
			levels.WriteByte(byte('0' + b.Value()))
			if i == 10 {
				return nil
			}
			if err := asyncio.Sleep(ctx, 10*ms); err != nil {
				return err
			}
		}
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	return levels.String()
}

func TestButtonScheduled(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*asyncio.Loop, *board.SimButton)
		want  string // levels read at 0, 10, ..., 100 ms
	}{
		{"none", func(*asyncio.Loop, *board.SimButton) {}, "11111111111"},
		// A press due when the poller wakes, and scheduled before the
		// poller's wake-up, is seen by that poll.
		{"press 30ms", func(_ *asyncio.Loop, b *board.SimButton) { b.PressAt(30 * ms) }, "11100000000"},
		{"press 25ms", func(_ *asyncio.Loop, b *board.SimButton) { b.PressAt(25 * ms) }, "11100000000"},
		{"press 0", func(_ *asyncio.Loop, b *board.SimButton) { b.PressAt(0) }, "10000000000"},
		{"press and release", func(_ *asyncio.Loop, b *board.SimButton) {
			b.PressAt(30 * ms)
			b.ReleaseAt(65 * ms)
		}, "11100001111"},
		{"release first", func(_ *asyncio.Loop, b *board.SimButton) {
			b.ReleaseAt(65 * ms)
			b.PressAt(30 * ms)
		}, "11100001111"},
		{"short press", func(_ *asyncio.Loop, b *board.SimButton) {
			b.PressAt(31 * ms)
			b.ReleaseAt(39 * ms) // between two polls: never seen
		}, "11111111111"},
		{"cancelled press", func(_ *asyncio.Loop, b *board.SimButton) {
			b.PressAt(30 * ms)
			h := b.PressAt(20 * ms)
			h.Cancel()
		}, "11100000000"},
		{"press now", func(_ *asyncio.Loop, b *board.SimButton) { b.Press() }, "00000000000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := poll(t, c.setup); got != c.want {
				t.Errorf("levels = %s, want %s", got, c.want)
			}
		})
	}
}

// TestPressScheduledLate checks the other side of insertion order: a press
// scheduled after the poller's wake-up for the same time is not seen by that
// poll, only by the next.
func TestPressScheduledLate(t *testing.T) {
	got := poll(t, func(loop *asyncio.Loop, b *board.SimButton) {
		// At 15 ms the poller already sleeps until 20 ms.
		loop.CallAt(15*ms, func() { b.PressAt(20 * ms) })
	})
	if want := "11100000000"; got != want {
		t.Errorf("levels = %s, want %s", got, want)
	}
}

func TestPressFromGoroutine(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		b := board.NewLab(loop).Button
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := loop.CallSoonThreadsafe(b.Press); err != nil {
				t.Error(err)
			}
		}()
		defer func() { <-done }()
		for start := loop.Time(); !b.Pressed(); {
			if loop.Time()-start > 5*time.Second {
				t.Error("press from another goroutine never arrived")
				return nil
			}
			if err := asyncio.Sleep(ctx, ms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLab(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	for _, c := range []struct {
		led  *board.SimLED
		name string
	}{{lab.Red, "red"}, {lab.Green, "green"}} {
		if c.led.Name() != c.name || c.led.Polarity() != board.ActiveLow || c.led.Get() || c.led.Value() != 1 {
			t.Errorf("LED %q: name %q, %v, lit %v, value %d; want %q, active-low, unlit, value 1",
				c.name, c.led.Name(), c.led.Polarity(), c.led.Get(), c.led.Value(), c.name)
		}
	}
	if lab.Button.Name() != "button" || lab.Button.Pressed() || lab.Button.Value() != 1 {
		t.Errorf("button: name %q, pressed %v, value %d", lab.Button.Name(), lab.Button.Pressed(), lab.Button.Value())
	}
	if len(lab.Events()) != 0 {
		t.Errorf("new lab board has events %v", lab.Events())
	}
}

func TestPanics(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"nil loop", func() { board.NewSim(nil) }, "nil loop"},
		{"duplicate LED", func() {
			s := board.NewSim(loop)
			s.AddLED("x", board.ActiveHigh)
			s.AddLED("x", board.ActiveLow)
		}, `duplicate part name "x"`},
		{"LED named like a button", func() {
			s := board.NewSim(loop)
			s.AddButton("x")
			s.AddLED("x", board.ActiveLow)
		}, `duplicate part name "x"`},
		{"bad polarity", func() { board.NewSim(loop).AddLED("x", board.Polarity(9)) }, "unknown polarity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want one mentioning %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}
