package linuxgpio_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxgpio"
	"github.com/goasyncio/asyncio/primitives"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

func fake(name string) *gpiotest.Pin {
	return &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level)}
}

func TestPinConfigureAndLevels(t *testing.T) {
	f := fake("GPIO17")
	p := linuxgpio.NewPin(f)
	if p.PinIO() != f || p.String() != "GPIO17(0)" {
		t.Errorf("PinIO %v, String %q", p.PinIO(), p.String())
	}
	for _, c := range []struct {
		mode  board.PinMode
		pull  gpio.Pull
		level gpio.Level
	}{
		{board.PinInputPullup, gpio.PullUp, gpio.High},
		{board.PinInputPulldown, gpio.PullDown, gpio.Low},
		{board.PinInput, gpio.Float, gpio.Low},
	} {
		if err := p.Configure(board.PinConfig{Mode: c.mode}); err != nil {
			t.Fatal(err)
		}
		if f.P != c.pull || f.L != c.level || p.Get() != bool(c.level) {
			t.Errorf("%v: pull %v level %v Get %v", c.mode, f.P, f.L, p.Get())
		}
	}
	p.Set(true) // an input: only remembered
	if f.L != gpio.Low {
		t.Error("Set on an input drove the line")
	}
	if err := p.Configure(board.PinConfig{Mode: board.PinOutput}); err != nil {
		t.Fatal(err)
	}
	if f.L != gpio.High || !p.Get() {
		t.Error("Configure(output) does not drive the level Set before")
	}
	p.Low()
	if f.L != gpio.Low || p.Get() {
		t.Error("Low")
	}
	p.Toggle()
	if f.L != gpio.High || !p.Get() {
		t.Error("Toggle")
	}
	// Get on an output reports the driven level, without reading the line.
	f.Lock()
	f.L = gpio.Low
	f.Unlock()
	if !p.Get() {
		t.Error("Get on an output read the line")
	}
	p.High()
	if p.Err() != nil {
		t.Error(p.Err())
	}
	if err := p.Configure(board.PinConfig{Mode: 42}); err == nil {
		t.Error("Configure with an unknown mode: no error")
	}
}

// failing is a line whose every operation fails.
type failing struct{ *gpiotest.Pin }

var errLine = errors.New("line busy")

func (failing) In(gpio.Pull, gpio.Edge) error          { return errLine }
func (failing) Out(gpio.Level) error                   { return errLine }
func (failing) PWM(gpio.Duty, physic.Frequency) error  { return errLine }
func (failing) WaitForEdge(timeout time.Duration) bool { return false }

func TestPinErrors(t *testing.T) {
	p := linuxgpio.NewPin(failing{fake("bad")})
	for _, m := range []board.PinMode{board.PinOutput, board.PinInput} {
		if err := p.Configure(board.PinConfig{Mode: m}); !errors.Is(err, errLine) {
			t.Errorf("Configure(%v) = %v", m, err)
		}
	}
	if err := p.SetDuty(50); !errors.Is(err, errLine) {
		t.Errorf("SetDuty = %v", err)
	}
	if err := p.SetInterrupt(board.PinToggle, func(board.Pin) {}); !errors.Is(err, errLine) {
		t.Errorf("SetInterrupt = %v", err)
	}
	if err := p.SetInterrupt(0, nil); !errors.Is(err, errLine) {
		t.Errorf("SetInterrupt(0) = %v", err)
	}
	// An output whose Out fails keeps the error for Err.
	good := fake("ok")
	q := linuxgpio.NewPin(good)
	q.Configure(board.PinConfig{Mode: board.PinOutput})
	fq := &flaky{Pin: good}
	r := linuxgpio.NewPin(fq)
	r.Configure(board.PinConfig{Mode: board.PinOutput})
	fq.fail = true
	r.High()
	if !errors.Is(r.Err(), errLine) {
		t.Errorf("Err() = %v", r.Err())
	}
	if err := q.SetInterrupt(board.PinRising, func(board.Pin) {}); !errors.Is(err, linuxgpio.ErrOutputInterrupt) {
		t.Errorf("SetInterrupt on an output = %v", err)
	}
	if err := q.SetInterrupt(0, nil); err != nil {
		t.Errorf("removing no interrupt from an output = %v", err)
	}
}

type flaky struct {
	*gpiotest.Pin
	fail bool
}

func (f *flaky) Out(l gpio.Level) error {
	if f.fail {
		return errLine
	}
	return f.Pin.Out(l)
}

func TestSetDuty(t *testing.T) {
	f := fake("pwm")
	p := linuxgpio.NewPin(f)
	for _, c := range []struct {
		percent int
		duty    gpio.Duty
	}{{50, gpio.DutyHalf}, {100, gpio.DutyMax}, {150, gpio.DutyMax}, {-1, 0}, {25, gpio.DutyMax / 4}} {
		if err := p.SetDuty(c.percent); err != nil {
			t.Fatal(err)
		}
		if f.D != c.duty || f.F != linuxgpio.PWMFrequency {
			t.Errorf("SetDuty(%d): duty %v freq %v", c.percent, f.D, f.F)
		}
	}
	led, err := board.NewPWMLED("lamp", p, board.ActiveLow)
	if err != nil {
		t.Fatal(err)
	}
	led.SetDuty(30)
	if f.D != gpio.Duty(int64(gpio.DutyMax)*70/100) {
		t.Errorf("an active-low PWM LED at 30%% drives duty %v", f.D)
	}
}

// TestEdgesReachTasks sends edges from a goroutine, as the kernel does,
// through the Pin's edge goroutine and board.WatchEdges to a task on the
// loop.
func TestEdgesReachTasks(t *testing.T) {
	f := fake("GPIO27")
	p := linuxgpio.NewPin(f)
	if err := p.Configure(board.PinConfig{Mode: board.PinInputPullup}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	var levels []bool
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		edges, err := board.WatchEdges(p, board.PinToggle)
		if err != nil {
			return err
		}
		defer edges.Stop()
		go func() {
			for i := range n {
				f.EdgesChan <- gpio.Level(i%2 == 1)
			}
		}()
		total := 0
		for total < n {
			k, level, err := edges.Wait(ctx)
			if err != nil {
				return err
			}
			total += k
			levels = append(levels, level)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if last := levels[len(levels)-1]; last != true {
		t.Errorf("last level read %v, want high", last)
	}
	if f.P != gpio.PullNoChange && f.P != gpio.PullUp {
		t.Errorf("pull after removing the interrupt: %v", f.P)
	}
}

// TestEncoderOnLines runs the Encoder primitive on two fake lines: each
// line's goroutine calls the Encoder's interrupt.
func TestEncoderOnLines(t *testing.T) {
	fx, fy := fake("A"), fake("B")
	x, y := linuxgpio.NewPin(fx), linuxgpio.NewPin(fy)
	for _, p := range []*linuxgpio.Pin{x, y} {
		if err := p.Configure(board.PinConfig{Mode: board.PinInputPullup}); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		enc, err := primitives.NewEncoder(x, y, primitives.EncoderConfig{Div: 4, Delay: time.Millisecond})
		if err != nil {
			return err
		}
		defer enc.Stop()
		enc.Start(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// Two detents up: 11 → 01 → 00 → 10 → 11, twice. Each edge
			// waits for the previous to be counted, as real edges are
			// apart in time.
			for range 2 {
				for i, e := range []struct {
					ch chan gpio.Level
					l  gpio.Level
				}{{fx.EdgesChan, gpio.Low}, {fy.EdgesChan, gpio.Low}, {fx.EdgesChan, gpio.High}, {fy.EdgesChan, gpio.High}} {
					e.ch <- e.l
					for enc.Count()%4 != (i+1)%4 {
						time.Sleep(time.Millisecond)
					}
				}
			}
		}()
		for {
			v, err := enc.Wait(ctx)
			if err != nil {
				return err
			}
			got = append(got, v)
			if v == 2 {
				<-done
				return nil
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2]" && fmt.Sprint(got) != "[2]" {
		t.Errorf("values %v", got)
	}
}

func TestOpen(t *testing.T) {
	spec, err := board.ParseSpec([]byte(`{"name": "pi", "parts": [
		{"name": "red", "kind": "led", "active": "low", "chip": "gpiochip0", "line": 17},
		{"name": "lamp", "kind": "pwm-led", "chip": "gpiochip0", "line": 18},
		{"name": "go", "kind": "button", "chip": "gpiochip0", "line": 22},
		{"name": "sensor", "kind": "pin", "mode": "input-pulldown", "chip": "/dev/gpiochip1", "line": 3}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]*gpiotest.Pin{}
	open := func(chip string, line int) (gpio.PinIO, error) {
		key := fmt.Sprintf("%s/%d", chip, line)
		f := fake(key)
		lines[key] = f
		return f, nil
	}
	b, err := linuxgpio.Open(spec, open)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var _ board.Board = b
	if b.Name() != "pi" {
		t.Error(b.Name())
	}
	red, err := b.LED("red")
	if err != nil {
		t.Fatal(err)
	}
	if f := lines["gpiochip0/17"]; f.L != gpio.High || red.Get() {
		t.Error("the active-low LED does not start out (line high)")
	}
	red.On()
	if lines["gpiochip0/17"].L != gpio.Low {
		t.Error("the active-low LED lit does not drive its line low")
	}
	lamp, err := b.PWMLED("lamp")
	if err != nil {
		t.Fatal(err)
	}
	lamp.SetDuty(50)
	if lines["gpiochip0/18"].D != gpio.DutyHalf {
		t.Error("the PWM LED does not drive its line's PWM")
	}
	if _, err := b.LED("lamp"); err != nil {
		t.Error("a PWM LED is not an LED")
	}
	btn, err := b.Button("go")
	if err != nil {
		t.Fatal(err)
	}
	if f := lines["gpiochip0/22"]; f.P != gpio.PullUp || btn.Pressed() {
		t.Error("the button's line is not pulled up, or reads pressed")
	}
	lines["gpiochip0/22"].Out(gpio.Low)
	if !btn.Pressed() {
		t.Error("the button does not read pressed with its line low")
	}
	if f := lines["/dev/gpiochip1/3"]; f.P != gpio.PullDown {
		t.Errorf("sensor's pull %v", f.P)
	}
	if p, err := b.Pin("red"); err != nil || p == nil {
		t.Errorf("Pin(red) = %v, %v", p, err)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(b.LED("go")), `part "go" is not a LED`},
		{second(b.PWMLED("red")), `part "red" is not a PWM LED`},
		{second(b.Button("red")), `part "red" is not a button`},
		{second(b.Button("nope")), `no part "nope"`},
		{second(b.Pin("nope")), `no part "nope"`},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestOpenErrors(t *testing.T) {
	line := 4
	ok := func(string, int) (gpio.PinIO, error) { return fake("x"), nil }
	for _, c := range []struct {
		part board.PartSpec
		open linuxgpio.Opener
		want string
	}{
		{board.PartSpec{Name: "a", Kind: board.KindLED}, ok, `part "a": no chip and line`},
		{board.PartSpec{Name: "a", Kind: board.KindLED, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return nil, errLine }, "line busy"},
		{board.PartSpec{Name: "a", Kind: board.KindLED, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return nil, nil }, "no line 4 on c"},
		{board.PartSpec{Name: "a", Kind: board.KindLED, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return failing{fake("x")}, nil }, "line busy"},
		{board.PartSpec{Name: "a", Kind: board.KindPWMLED, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return failing{fake("x")}, nil }, "line busy"},
		{board.PartSpec{Name: "a", Kind: board.KindButton, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return failing{fake("x")}, nil }, "line busy"},
		{board.PartSpec{Name: "a", Kind: board.KindPin, Chip: "c", Line: &line},
			func(string, int) (gpio.PinIO, error) { return failing{fake("x")}, nil }, "line busy"},
		{board.PartSpec{Name: "a", Kind: "bad"}, ok, "unknown kind"},
	} {
		_, err := linuxgpio.Open(&board.Spec{Parts: []board.PartSpec{c.part}}, c.open)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.part, err, c.want)
		}
	}
}

// TestHostGPIO runs on a machine with a GPIO character device: it opens
// periph's driver and lists the chips. It requests no line, so it cannot
// disturb what is wired to them. Elsewhere it skips.
func TestHostGPIO(t *testing.T) {
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) == 0 {
		t.Skip("no /dev/gpiochip* on this machine: the Linux GPIO character device is not there to test against (the adapter's logic is tested with periph's gpiotest fakes above)")
	}
	open, err := linuxgpio.HostOpener()
	if err != nil {
		if os.IsPermission(errors.Unwrap(err)) {
			t.Skipf("no permission to open the GPIO chips: %v", err)
		}
		t.Fatal(err)
	}
	chips := linuxgpio.Chips()
	if len(chips) == 0 {
		t.Fatal("HostOpener succeeded but found no chips")
	}
	t.Logf("GPIO chips: %s", strings.Join(chips, "; "))
	if _, err := open("no-such-chip", 0); err == nil {
		t.Error("opening a missing chip: no error")
	}
}

func TestHostOpenerWithoutChips(t *testing.T) {
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) > 0 {
		t.Skip("this machine has GPIO chips")
	}
	if _, err := linuxgpio.HostOpener(); err == nil {
		t.Error("HostOpener without /dev/gpiochip*: no error")
	}
	if _, err := linuxgpio.Open(&board.Spec{}, nil); err == nil {
		t.Error("Open with the host's lines and no chips: no error")
	}
	if len(linuxgpio.Chips()) != 0 {
		t.Error("Chips() lists chips")
	}
}

// TestStopEdgesPromptly removes an interrupt while its goroutine waits: it
// ends within EdgeTimeout (goleak checks at the end that it has).
func TestStopEdgesPromptly(t *testing.T) {
	f := fake("x")
	p := linuxgpio.NewPin(f)
	p.Configure(board.PinConfig{Mode: board.PinInputPullup})
	var mu sync.Mutex
	calls := 0
	if err := p.SetInterrupt(board.PinFalling, func(board.Pin) { mu.Lock(); calls++; mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	f.EdgesChan <- gpio.Low
	// Let the watching goroutine deliver that edge before replacing it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		n := calls
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
	}
	start := time.Now()
	if err := p.SetInterrupt(board.PinRising, func(board.Pin) {}); err != nil { // replaces it
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*linuxgpio.EdgeTimeout {
		t.Errorf("stopping took %v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}
