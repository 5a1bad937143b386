package board_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
)

// runFor runs loop (virtual) until its clock reaches d.
func runFor(t *testing.T, loop *asyncio.Loop, d time.Duration) {
	t.Helper()
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, d-loop.Time()) })
	if err := loop.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
}

func levels(cs []wave.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%v %s %d", c.At, c.Signal, c.Value))
	}
	return out
}

func TestPinModesAndLevels(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	p := sim.AddPin("p", board.PinInput)
	check := func(step string, want bool) {
		t.Helper()
		if p.Get() != want {
			t.Errorf("%s: level %v, want %v", step, p.Get(), want)
		}
	}
	check("floating input", false)
	p.Configure(board.PinConfig{Mode: board.PinInputPullup})
	check("pull-up", true)
	p.Drive(false)
	check("driven low", false)
	p.Float()
	check("floated", true)
	p.Configure(board.PinConfig{Mode: board.PinInputPulldown})
	check("pull-down", false)
	p.Drive(true)
	check("driven high", true)
	p.Set(false) // not an output yet: only remembered
	check("Set on an input", true)
	p.Configure(board.PinConfig{Mode: board.PinOutput})
	check("output low", false)
	p.High()
	check("High", true)
	p.Toggle()
	check("Toggle", false)
	p.Drive(true) // the output wins
	check("output driven from outside", false)
	p.Configure(board.PinConfig{Mode: board.PinInput})
	check("back to input, still driven high", true)
	if d, h := p.Driven(); !d || !h {
		t.Errorf("Driven() = %v, %v", d, h)
	}
	if err := p.Configure(board.PinConfig{Mode: 9}); err == nil {
		t.Error("Configure with an unknown mode: no error")
	}
	if p.Mode() != board.PinInput || p.Name() != "p" {
		t.Errorf("mode %v, name %q", p.Mode(), p.Name())
	}
	want := []string{"0s p 1", "0s p 0", "0s p 1", "0s p 0", "0s p 1", "0s p 0", "0s p 1", "0s p 0", "0s p 1"}
	if got := levels(sim.Levels()); !slices.Equal(got, want) {
		t.Errorf("levels %q, want %q", got, want)
	}
}

func TestPinInterrupts(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	p := sim.AddPin("p", board.PinOutput)
	for _, c := range []struct {
		change board.PinChange
		want   string
	}{
		{board.PinRising, "111"},
		{board.PinFalling, "000"},
		{board.PinToggle, "101010"},
		{0, ""},
	} {
		var got strings.Builder
		p.SetInterrupt(c.change, func(q board.Pin) {
			if q != p {
				t.Errorf("callback got %v, want the pin", q)
			}
			got.WriteByte(byte('0' + b2i(q.Get())))
		})
		for range 6 {
			p.Toggle()
		}
		if got.String() != c.want {
			t.Errorf("%v: interrupts saw %q, want %q", c.change, got.String(), c.want)
		}
	}
	p.SetInterrupt(board.PinToggle, nil) // nil removes too
	p.Toggle()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPinModeAndChangeStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{board.PinInput.String(), "input"},
		{board.PinOutput.String(), "output"},
		{board.PinInputPullup.String(), "input-pullup"},
		{board.PinInputPulldown.String(), "input-pulldown"},
		{board.PinMode(9).String(), "PinMode(9)"},
		{board.PinChange(0).String(), "none"},
		{board.PinRising.String(), "rising"},
		{board.PinFalling.String(), "falling"},
		{board.PinToggle.String(), "toggle"},
		{board.PinChange(8).String(), "PinChange(8)"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

// burst checks one bounce burst in cs: it starts at start with value first,
// alternates, stays strictly within d, and ends on first after an even
// number of extra flips.
func burst(t *testing.T, cs []wave.Change, start, d time.Duration, first int) {
	t.Helper()
	if len(cs) == 0 || cs[0].At != start || cs[0].Value != first {
		t.Fatalf("burst %v does not start at %v with %d", cs, start, first)
	}
	if len(cs)%2 != 1 || len(cs) < 3 {
		t.Errorf("burst of %d changes, want 1 plus an even number ≥ 2", len(cs))
	}
	for i, c := range cs {
		if c.Value != first^(i%2) {
			t.Errorf("change %d = %v: does not alternate", i, c)
		}
		if i > 0 && (c.At <= cs[i-1].At || c.At >= start+d || c.At%time.Microsecond != 0) {
			t.Errorf("change %d at %v: not strictly after the previous and within %v, on a microsecond", i, c.At, d)
		}
	}
}

func bouncy(t *testing.T, seed uint64) []wave.Change {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	b := sim.AddButton("b")
	b.SetBounce(board.Bounce{Duration: 5 * ms, Seed: seed})
	b.PressAt(time.Second)
	b.ReleaseAt(2 * time.Second)
	var sawPressed []bool
	loop.CallAt(1500*ms, func() { sawPressed = append(sawPressed, b.Pressed()) })
	loop.CallAt(2500*ms, func() { sawPressed = append(sawPressed, b.Pressed()) })
	runFor(t, loop, 3*time.Second)
	if !slices.Equal(sawPressed, []bool{true, false}) {
		t.Errorf("settled states %v, want pressed then released", sawPressed)
	}
	return sim.Levels()
}

func TestBounce(t *testing.T) {
	cs := bouncy(t, 1)
	i := slices.IndexFunc(cs, func(c wave.Change) bool { return c.At >= 2*time.Second })
	burst(t, cs[:i], time.Second, 5*ms, 0)
	burst(t, cs[i:], 2*time.Second, 5*ms, 1)
	if again := bouncy(t, 1); !slices.Equal(again, cs) {
		t.Errorf("same seed, different bursts:\n%v\n%v", cs, again)
	}
	if other := bouncy(t, 2); slices.Equal(other, cs) {
		t.Errorf("seeds 1 and 2 give the same bursts %v", cs)
	}
}

func TestBounceFlipsBound(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	p := sim.AddPin("p", board.PinInputPullup)
	p.SetBounce(board.Bounce{Duration: 2 * ms, Flips: 2, Seed: 7})
	for i := range 20 {
		p.DriveAt(time.Duration(i)*10*ms, i%2 == 1)
	}
	runFor(t, loop, time.Second)
	cs := sim.Levels()
	// Drive(false) at 0 starts a burst from high; each later drive flips.
	if len(cs) != 20*3 {
		t.Errorf("%d changes, want 3 per drive (Flips 2): %v", len(cs), levels(cs))
	}
	// A very short bounce still flips, on whole nanoseconds.
	p.SetBounce(board.Bounce{Duration: 5, Seed: 1})
	start := loop.Time()
	p.Drive(false)
	runFor(t, loop, start+time.Second)
	tail := sim.Levels()[len(cs):]
	if len(tail) < 3 || tail[0].At != start || tail[0].Value != 0 || tail[len(tail)-1].Value != 0 {
		t.Errorf("short burst %v", levels(tail))
	}
	for _, c := range tail[1:] {
		if c.At <= start || c.At >= start+5 {
			t.Errorf("flip at %v outside (%v, %v)", c.At, start, start+5)
		}
	}
}

func TestBounceInterrupted(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	b := sim.AddButton("b")
	b.SetBounce(board.Bounce{Duration: 10 * ms, Flips: 20, Seed: 3})
	b.PressAt(0)
	b.PressAt(ms) // pressed already (bouncing towards pressed): nothing
	b.ReleaseAt(5 * ms)
	runFor(t, loop, 100*ms)
	cs := sim.Levels()
	i := slices.IndexFunc(cs, func(c wave.Change) bool { return c.At >= 5*ms })
	if i < 0 || cs[i].At != 5*ms {
		t.Fatalf("no release at 5ms: %v", levels(cs))
	}
	for _, c := range cs[:i] {
		if c.At >= 5*ms {
			t.Errorf("the press burst goes on after the release: %v", c)
		}
	}
	// The release starts from wherever the press burst was, so its first
	// change may be a no-op; it ends released either way.
	if last := cs[len(cs)-1]; last.Value != 1 || last.At >= 15*ms || b.Pressed() {
		t.Errorf("ends with %v, pressed %v", last, b.Pressed())
	}
	// Bounce off again: single changes.
	b.SetBounce(board.Bounce{})
	n := len(sim.Levels())
	b.Press()
	b.Release()
	if got := len(sim.Levels()) - n; got != 2 {
		t.Errorf("without bounce a press and release made %d changes", got)
	}
}

func TestButtonActiveHigh(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	b := sim.AddButtonOf("b", board.ActiveHigh)
	if b.Pressed() || b.Get() || b.Value() != 0 || b.Polarity() != board.ActiveHigh {
		t.Errorf("released: pressed %v, get %v, value %d", b.Pressed(), b.Get(), b.Value())
	}
	b.Press()
	if !b.Pressed() || !b.Get() || b.Value() != 1 {
		t.Errorf("pressed: pressed %v, get %v, value %d", b.Pressed(), b.Get(), b.Value())
	}
	if sim.AddButton("c").Polarity() != board.ActiveLow {
		t.Error("AddButton is not active-low")
	}
	if b.Pin().Mode() != board.PinInputPulldown || sim.SimButton("c").Pin().Mode() != board.PinInputPullup {
		t.Error("button pins' pulls are wrong")
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("AddButtonOf with a bad polarity did not panic")
		}
	}()
	sim.AddButtonOf("d", 5)
}

func TestSimPWMLED(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	hi := sim.AddPWMLED("hi", board.ActiveHigh)
	lo := sim.AddPWMLED("lo", board.ActiveLow)
	for _, l := range []*board.SimPWMLED{hi, lo} {
		l.SetDuty(50)
		l.SetDuty(50) // no change
		l.SetDuty(150)
		l.Off()
		l.SetValue(l.Value()) // stays off
		l.Toggle()
		l.SetDuty(-3)
		l.Set(true)
	}
	if got := sim.Trace(); got != "0.000 hi on\n0.000 hi off\n0.000 hi on\n0.000 hi off\n0.000 hi on\n"+
		"0.000 lo on\n0.000 lo off\n0.000 lo on\n0.000 lo off\n0.000 lo on\n" {
		t.Errorf("trace:\n%s", got)
	}
	want := []string{"0s hi 50", "0s hi 100", "0s hi 0", "0s hi 100", "0s hi 0", "0s hi 100",
		"0s lo 50", "0s lo 0", "0s lo 100", "0s lo 0", "0s lo 100", "0s lo 0"}
	if got := levels(sim.Levels()); !slices.Equal(got, want) {
		t.Errorf("levels %q, want %q", got, want)
	}
	if s, _ := sim.Waveform().Signal("lo"); s.Init != 100 || s.Kind != wave.Vector || s.Unit != "%" {
		t.Errorf("lo's signal %+v", s)
	}
	if hi.Duty() != 100 || !hi.Get() || hi.Value() != 1 || lo.Value() != 0 || hi.Polarity() != board.ActiveHigh || lo.Polarity() != board.ActiveLow {
		t.Errorf("duty %d get %v values %d %d", hi.Duty(), hi.Get(), hi.Value(), lo.Value())
	}
	lo.SetColour("white")
	if lo.Colour() != "white" || lo.Name() != "lo" {
		t.Error(lo.Colour(), lo.Name())
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("AddPWMLED with a bad polarity did not panic")
		}
	}()
	sim.AddPWMLED("x", 4)
}

func TestSimBoardInterface(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	lab.AddPWMLED("lamp", board.ActiveHigh)
	lab.AddPin("p", board.PinOutput)
	var b board.Board = lab.Sim
	if l, err := b.LED("red"); err != nil || l != lab.Red {
		t.Errorf("LED(red) = %v, %v", l, err)
	}
	if l, err := b.LED("lamp"); err != nil || l.Name() != "lamp" {
		t.Errorf("LED(lamp) = %v, %v", l, err)
	}
	if l, err := b.PWMLED("lamp"); err != nil || l.Name() != "lamp" {
		t.Errorf("PWMLED(lamp) = %v, %v", l, err)
	}
	if bt, err := b.Button("button"); err != nil || bt != lab.Button {
		t.Errorf("Button = %v, %v", bt, err)
	}
	if p, err := b.Pin("button"); err != nil || p != lab.Button.Pin() {
		t.Errorf("Pin(button) = %v, %v", p, err)
	}
	if p, err := b.Pin("p"); err != nil || p != lab.SimPin("p") {
		t.Errorf("Pin(p) = %v, %v", p, err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(b.LED("button")), `part "button" is not a LED`},
		{second(b.LED("nope")), `no part "nope"`},
		{second(b.PWMLED("red")), `part "red" is not a PWM LED`},
		{second(b.Button("red")), `part "red" is not a button`},
		{second(b.Pin("red")), `part "red" is not a pin`},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
	if got := lab.Parts(); !slices.Equal(got, []string{"red", "green", "button", "lamp", "p"}) {
		t.Errorf("Parts() = %q", got)
	}
	if lab.SimLED("green") != lab.Green || lab.SimLED("button") != nil || lab.SimPWMLED("lamp") == nil || lab.SimButton("red") != nil {
		t.Error("typed lookups are wrong")
	}
	if lab.Name() != "lab" || lab.Loop() != loop || lab.Red.Colour() != "red" {
		t.Errorf("name %q colour %q", lab.Name(), lab.Red.Colour())
	}
}

func second[T any](_ T, err error) error { return err }

func TestSimWaveform(t *testing.T) {
	var lab *board.Lab
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		lab = board.NewLab(ctx.Loop())
		lab.Button.PressAt(300 * ms)
		lab.Button.ReleaseAt(700 * ms)
		for range 4 {
			lab.Green.Toggle()
			if err := asyncio.Sleep(ctx, 250*ms); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	lab.OnLevel(func(c wave.Change) { seen = append(seen, c.String()) })
	lab.Red.On() // after the run, at its end
	w := lab.Waveform()
	if w.Scope != "lab" || w.End != time.Second {
		t.Errorf("scope %q end %v", w.Scope, w.End)
	}
	var sigs []string
	for _, s := range w.Signals {
		sigs = append(sigs, fmt.Sprintf("%s/%v/%d", s.Name, s.Kind, s.Init))
	}
	if want := []string{"red/bit/1", "green/bit/1", "button/bit/1"}; !slices.Equal(sigs, want) {
		t.Errorf("signals %q, want %q", sigs, want)
	}
	want := []string{"0s green 0", "250ms green 1", "300ms button 0", "500ms green 0", "700ms button 1", "750ms green 1", "1s red 0"}
	if got := levels(w.Changes); !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	if !slices.Equal(seen, []string{"1.000 red 0"}) {
		t.Errorf("OnLevel saw %q", seen)
	}
}

func TestNewLEDOnPins(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	lo, err := board.NewLED("lo", sim.AddPin("p1", board.PinInput), board.ActiveLow)
	if err != nil {
		t.Fatal(err)
	}
	hi, err := board.NewLED("hi", sim.AddPin("p2", board.PinInput), board.ActiveHigh)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		do     func(board.LED)
		hi, lo state
	}{
		{"start", func(board.LED) {}, state{false, 0}, state{false, 1}},
		{"On", board.LED.On, state{true, 1}, state{true, 0}},
		{"Off", board.LED.Off, state{false, 0}, state{false, 1}},
		{"SetValue(0)", func(l board.LED) { l.SetValue(0) }, state{false, 0}, state{true, 0}},
		{"SetValue(1)", func(l board.LED) { l.SetValue(1) }, state{true, 1}, state{false, 1}},
		{"Toggle", board.LED.Toggle, state{false, 0}, state{true, 0}},
		{"Set(true)", func(l board.LED) { l.Set(true) }, state{true, 1}, state{true, 0}},
	}
	for _, s := range steps {
		s.do(hi)
		s.do(lo)
		if got := stateOf(hi); got != s.hi {
			t.Errorf("%s: active-high: %v, want %v", s.name, got, s.hi)
		}
		if got := stateOf(lo); got != s.lo {
			t.Errorf("%s: active-low: %v, want %v", s.name, got, s.lo)
		}
	}
	if lo.Name() != "lo" || lo.Pin() != sim.SimPin("p1") || sim.SimPin("p1").Mode() != board.PinOutput {
		t.Error("NewLED did not configure its pin as an output")
	}
	if _, err := board.NewLED("x", sim.AddPin("p3", board.PinInput), 7); err == nil {
		t.Error("NewLED with a bad polarity: no error")
	}
	if _, err := board.NewLED("x", failingPin{}, board.ActiveHigh); err == nil {
		t.Error("NewLED on a failing pin: no error")
	}
}

// failingPin refuses to be configured.
type failingPin struct{ board.Pin }

func (failingPin) Configure(board.PinConfig) error { return errors.New("no such line") }

func TestNewButtonOnPins(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	p1, p2 := sim.AddPin("p1", board.PinOutput), sim.AddPin("p2", board.PinOutput)
	lo, err := board.NewButton("lo", p1, board.ActiveLow)
	if err != nil {
		t.Fatal(err)
	}
	hi, err := board.NewButton("hi", p2, board.ActiveHigh)
	if err != nil {
		t.Fatal(err)
	}
	if lo.Pressed() || hi.Pressed() || lo.Value() != 1 || hi.Value() != 0 || !lo.Get() || hi.Get() {
		t.Error("buttons on pins do not start released")
	}
	p1.Drive(false)
	p2.Drive(true)
	if !lo.Pressed() || !hi.Pressed() {
		t.Error("buttons on pins do not read pressed")
	}
	if lo.Name() != "lo" || lo.Pin() != p1 {
		t.Error(lo.Name())
	}
	if _, err := board.NewButton("x", p1, 3); err == nil {
		t.Error("NewButton with a bad polarity: no error")
	}
	if _, err := board.NewButton("x", failingPin{}, board.ActiveLow); err == nil {
		t.Error("NewButton on a failing pin: no error")
	}
}

// fakePWM records duties and fails on request.
type fakePWM struct {
	duties []int
	fail   bool
}

func (f *fakePWM) SetDuty(p int) error {
	if f.fail {
		return errors.New("PWM off")
	}
	f.duties = append(f.duties, p)
	return nil
}

func TestNewPWMLED(t *testing.T) {
	out := &fakePWM{}
	l, err := board.NewPWMLED("lamp", out, board.ActiveLow)
	if err != nil {
		t.Fatal(err)
	}
	l.SetDuty(30)
	l.On()
	l.Toggle()
	l.SetValue(0) // active-low: lit
	l.SetDuty(120)
	if want := []int{100, 70, 0, 100, 0, 0}; !slices.Equal(out.duties, want) {
		t.Errorf("pin duties %v, want %v", out.duties, want)
	}
	if l.Duty() != 100 || !l.Get() || l.Value() != 0 || l.Name() != "lamp" || l.Err() != nil {
		t.Errorf("duty %d get %v value %d", l.Duty(), l.Get(), l.Value())
	}
	out.fail = true
	l.Off()
	if l.Err() == nil || l.Duty() != 100 {
		t.Errorf("a failing SetDuty: err %v, duty %d", l.Err(), l.Duty())
	}
	if _, err := board.NewPWMLED("x", out, board.ActiveHigh); err == nil {
		t.Error("NewPWMLED on a failing channel: no error")
	}
	if _, err := board.NewPWMLED("x", &fakePWM{}, 8); err == nil {
		t.Error("NewPWMLED with a bad polarity: no error")
	}
	h, _ := board.NewPWMLED("h", &fakePWM{}, board.ActiveHigh)
	h.Set(true)
	if h.Value() != 1 {
		t.Error("active-high lit PWM LED value is not 1")
	}
}

// goroutinePin is a pin whose interrupt fires from another goroutine, as
// Linux GPIO's do.
type goroutinePin struct {
	board.Pin
	mu sync.Mutex
	cb func(board.Pin)
}

func (p *goroutinePin) SetInterrupt(_ board.PinChange, cb func(board.Pin)) error {
	p.mu.Lock()
	p.cb = cb
	p.mu.Unlock()
	return nil
}

func (p *goroutinePin) Get() bool { return true }

func (p *goroutinePin) fire() {
	p.mu.Lock()
	cb := p.cb
	p.mu.Unlock()
	if cb != nil {
		cb(p)
	}
}

func TestWatchEdgesFromGoroutines(t *testing.T) {
	const n = 1000
	pin := &goroutinePin{}
	total := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		e, err := board.WatchEdges(pin, board.PinToggle)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n / 4 {
					pin.fire()
				}
			}()
		}
		defer wg.Wait()
		for total < n {
			k, level, err := e.Wait(ctx)
			if err != nil {
				return err
			}
			if k < 1 || !level {
				t.Errorf("Wait = %d, %v", k, level)
			}
			total += k
		}
		return e.Stop()
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != n || pin.cb != nil {
		t.Errorf("counted %d edges of %d; callback left %v", total, n, pin.cb != nil)
	}
}

func TestWatchEdgesSim(t *testing.T) {
	var got []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim := board.NewSim(ctx.Loop())
		p := sim.AddPin("p", board.PinInputPullup)
		e, err := board.WatchEdges(p, board.PinFalling)
		if err != nil {
			return err
		}
		for i, at := range []time.Duration{10, 20, 30, 40, 40, 50} {
			p.DriveAt(at*ms, i%2 == 1)
		}
		p.FloatAt(55 * ms)
		p.DriveAt(55*ms, false)
		for range 4 {
			n, level, err := e.Wait(ctx)
			if err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%v:%d:%v", ctx.Loop().Time(), n, level))
		}
		// Cancelled while waiting: the error, and nothing lost.
		expired, err := asyncio.MoveOnAfter(ctx, 100*ms, func(ctx *asyncio.Ctx) error {
			_, _, err := e.Wait(ctx)
			return err
		})
		if !expired || err != nil {
			t.Errorf("MoveOnAfter = %v, %v", expired, err)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// Falling edges at 10, 30, 40 (high then low at the same time is still
	// an edge) and 55 (floating is high, then driven low).
	want := []string{"10ms:1:false", "30ms:1:false", "40ms:1:false", "55ms:1:false"}
	if !slices.Equal(got, want) {
		t.Errorf("edges %q, want %q", got, want)
	}
}

type errPin struct{ board.Pin }

func (errPin) SetInterrupt(board.PinChange, func(board.Pin)) error { return errors.New("no irq") }

func TestWatchEdgesError(t *testing.T) {
	if _, err := board.WatchEdges(errPin{}, board.PinRising); err == nil {
		t.Error("no error")
	}
}

// TestSimPartsArePinParts checks that a simulated LED, PWM LED and button
// are the pin-based parts on the board's pins: the LED trace comes from the
// LED's pin, whoever drives it, and each part tells its polarity.
func TestSimPartsArePinParts(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	red := sim.AddLED("red", board.ActiveLow)
	lamp := sim.AddPWMLED("lamp", board.ActiveLow)
	btn := sim.AddButtonOf("btn", board.ActiveHigh)

	red.Pin().Low() // the pin, not the LED: an active-low LED lights
	red.Pin().Low() // no change, no record
	red.Toggle()
	lamp.SetDuty(30)
	lamp.SetDuty(60) // lit either way: no LED change, a level change
	lamp.Off()
	want := "0.000 red on\n0.000 red off\n0.000 lamp on\n0.000 lamp off\n"
	if got := sim.Trace(); got != want {
		t.Errorf("trace:\n%swant:\n%s", got, want)
	}
	wantLevels := []string{"0s red 0", "0s red 1", "0s lamp 70", "0s lamp 40", "0s lamp 100"}
	if got := levels(sim.Levels()); !slices.Equal(got, wantLevels) {
		t.Errorf("levels %v, want %v", got, wantLevels)
	}
	if red.Polarity() != board.ActiveLow || lamp.Polarity() != board.ActiveLow || btn.Polarity() != board.ActiveHigh {
		t.Errorf("polarities: %v, %v, %v", red.Polarity(), lamp.Polarity(), btn.Polarity())
	}
	var pin board.Pin = btn.Pin()
	if btn.PinButton.Pin() != pin {
		t.Error("the button is not on its board's pin")
	}
	btn.Press()
	if !btn.Pressed() || btn.Value() != 1 {
		t.Errorf("an active-high button pressed: Pressed %v, Value %d", btn.Pressed(), btn.Value())
	}
}
