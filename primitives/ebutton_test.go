package primitives_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/primitives"
)

// watchEvent starts a task that logs name each time ev is set, and clears
// it.
func watchEvent(ctx *asyncio.Ctx, rec *recorder, name string, ev *asyncio.Event) {
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

func TestESwitch(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		sw := board.NewSim(ctx.Loop()).AddButton("sw")
		sw.SetBounce(board.Bounce{Duration: 10 * ms, Flips: 8, Seed: 5})
		sw.PressAt(1003 * ms)
		sw.ReleaseAt(1503 * ms)
		sw.PressAt(1520 * ms) // closes again before the next poll: only bounce to it
		sw.ReleaseAt(2003 * ms)
		es := primitives.NewESwitch(sw, primitives.SwitchConfig{})
		if es.Closed() || es.Raw() {
			t.Error("the switch does not start open")
		}
		watchEvent(ctx, rec, "close", &es.Close)
		watchEvent(ctx, rec, "open", &es.Open)
		task := es.Start(ctx)
		asyncio.Sleep(ctx, 1100*ms)
		if !es.Closed() {
			t.Error("not closed at 1.1 s")
		}
		asyncio.Sleep(ctx, 1900*ms)
		task.Cancel()
		return asyncio.Sleep(ctx, time.Second)
	})
	if got, want := rec.String(), "1.050 close\n2.050 open"; got != want {
		t.Errorf("fired:\n%s\nwant:\n%s", got, want)
	}
}

// Presses and releases fall 3 ms after a poll, so each is seen at the next
// poll, as in the Pushbutton tests.
var ebuttonCases = []struct {
	name     string
	suppress bool
	script   string
	out      string
}{
	{"click", false,
		"1.003 button press\n1.203 button release",
		"1.050 press\n1.250 release"},
	{"click suppressed: both when the window closes", true,
		"1.003 button press\n1.203 button release",
		"1.450 press\n1.450 release"},
	{"double click: double at the second press", false,
		"1.003 button press\n1.103 button release\n1.203 button press\n1.303 button release",
		"1.050 press\n1.150 release\n1.250 press\n1.250 double\n1.350 release"},
	{"double click suppressed", true,
		"1.003 button press\n1.103 button release\n1.203 button press\n1.303 button release",
		"1.250 double\n1.350 release"},
	{"second press held: no long", false,
		"1.003 button press\n1.103 button release\n1.203 button press\n3.003 button release",
		"1.050 press\n1.150 release\n1.250 press\n1.250 double\n3.050 release"},
	{"second click too late: two clicks", true,
		"1.003 button press\n1.103 button release\n1.453 button press\n1.553 button release",
		"1.450 press\n1.450 release\n1.900 press\n1.900 release"},
	{"long press", false,
		"1.003 button press\n2.503 button release",
		"1.050 press\n2.050 long\n2.550 release"},
	{"long press suppressed", true,
		"1.003 button press\n2.503 button release",
		"2.050 long\n2.550 release"},
	{"held past the window, released before long, suppressed: a click", true,
		"1.003 button press\n1.703 button release",
		"1.750 press\n1.750 release"},
	{"a click, then a long press, suppressed", true,
		"1.003 button press\n1.103 button release\n2.003 button press\n3.503 button release",
		"1.450 press\n1.450 release\n3.050 long\n3.550 release"},
}

func TestEButton(t *testing.T) {
	for _, c := range ebuttonCases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := board.ParseScript(strings.NewReader(c.script))
			if err != nil {
				t.Fatal(err)
			}
			rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
				lab := board.NewLab(ctx.Loop())
				lab.Button.SetBounce(bounce)
				if _, err := lab.Play(sc); err != nil {
					return err
				}
				b := primitives.NewEButton(lab.Button, primitives.PushbuttonConfig{Suppress: c.suppress})
				watchEvent(ctx, rec, "press", &b.Press)
				watchEvent(ctx, rec, "release", &b.Release)
				watchEvent(ctx, rec, "long", &b.Long)
				watchEvent(ctx, rec, "double", &b.Double)
				b.Start(ctx)
				return asyncio.Sleep(ctx, 5*time.Second)
			})
			if got := rec.String(); got != c.out {
				t.Errorf("fired:\n%s\nwant:\n%s", got, c.out)
			}
		})
	}
}

// Per-instance timings, an active-high button, and a cancel in the middle
// of a gesture: the long timer it started never fires.
func TestEButtonConfigAndCancel(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		btn := board.NewSim(ctx.Loop()).AddButtonOf("b", board.ActiveHigh)
		btn.SetBounce(bounce)
		btn.PressAt(1003 * ms)
		btn.ReleaseAt(1103 * ms)
		btn.PressAt(2003 * ms)
		b := primitives.NewEButton(btn, primitives.PushbuttonConfig{Debounce: 20 * ms, LongPress: 300 * ms, DoubleClick: 100 * ms, Sense: primitives.SenseLow})
		if cfg := b.Config(); cfg.Debounce != 20*ms || cfg.LongPress != 300*ms || cfg.DoubleClick != 100*ms {
			t.Errorf("Config %+v", cfg)
		}
		watchEvent(ctx, rec, "press", &b.Press)
		watchEvent(ctx, rec, "release", &b.Release)
		watchEvent(ctx, rec, "long", &b.Long)
		task := b.Start(ctx)
		asyncio.Sleep(ctx, 2100*ms) // pressed at 2.020: long due at 2.320
		if !b.Pressed() {
			t.Error("not pressed at 2.1 s")
		}
		task.Cancel()
		return asyncio.Sleep(ctx, time.Second)
	})
	if got, want := rec.String(), "1.020 press\n1.120 release\n2.020 press"; got != want {
		t.Errorf("fired:\n%s\nwant:\n%s", got, want)
	}
}
