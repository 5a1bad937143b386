// Command traffic-light is a pelican crossing: three lights for the cars
// (red, amber, green) and a button for pedestrians, run by a few small
// tasks on one asyncio loop. It is the showcase of what cooperative
// multitasking buys: each task is straight-line code that reads like the
// timing diagram, and they share state (an Event, the LEDs) without locks.
//
//   - the controller is the state machine, one await per state: green for
//     at least 5 s and until a pedestrian asks, amber 2 s, red 6 s (walk),
//     red and amber 1 s, green again;
//   - the button is a primitives.Pushbutton, debounced (the simulated
//     button bounces): a press asks to cross (an asyncio.Event the
//     controller waits on), a long press (1 s) switches night mode;
//   - in night mode the controller task is cancelled, wherever it is, and a
//     flasher task blinks amber on a primitives.Ticker; another long press
//     cancels the flasher and starts the controller afresh.
//
// A press during the crossing asks for the next one: the request is
// cleared when the red phase starts, and one made later is served after
// the next 5 s of green.
//
// The command prints each change of a light, each press and each change of
// mode as it happens, one line each: the loop's time in seconds, a name,
// and what happened ("8.000 amber on").
//
// Usage:
//
//	go run ./examples/traffic-light                          # 30 s in real time, presses at 8 s and 12 s
//	go run ./examples/traffic-light -virtual                 # the same trace at once, on the virtual clock
//	go run ./examples/traffic-light -virtual -press 1s,20s -for 1m
//	go run ./examples/traffic-light -virtual -script examples/traffic-light/testdata/night.txt -for 40s
//	go run ./examples/traffic-light -virtual -vcd out.vcd    # and the waveform, for GTKWave
//	go run ./examples/traffic-light -gpio examples/traffic-light/gpio-board.json   # on Linux GPIO lines
//
// -press takes a comma-separated list of Go durations, the times at which
// the button is clicked (each click holds it -hold, 500 ms); -script takes a
// board script instead (see board.ParseScript). -board describes the
// simulated board with a board file (parts red, amber, green and button);
// -gpio runs on the Linux GPIO lines such a file gives, in real time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/primitives"
)

// The crossing's timing.
const (
	minGreen  = 5 * time.Second
	amberTime = 2 * time.Second
	redTime   = 6 * time.Second
	readyTime = 1 * time.Second        // red and amber
	flash     = 500 * time.Millisecond // night mode: amber on, then off, each this long
)

// Spec is the crossing's board: three active-high LEDs and a button.
func Spec() *board.Spec {
	return &board.Spec{
		Name: "crossing",
		Parts: []board.PartSpec{
			{Name: "red", Kind: board.KindLED, Colour: "red"},
			{Name: "amber", Kind: board.KindLED, Colour: "orange"},
			{Name: "green", Kind: board.KindLED, Colour: "green"},
			{Name: "button", Kind: board.KindButton, Bounce: &board.BounceSpec{Duration: "5ms", Seed: 1}},
		},
	}
}

// lights are the crossing's three LEDs.
type lights struct{ red, amber, green board.LED }

// show lights exactly the given LEDs: those to go out first, then those to
// light, so that two lights are never on by mistake.
func (l *lights) show(red, amber, green bool) {
	leds := []board.LED{l.red, l.amber, l.green}
	on := []bool{red, amber, green}
	for i, led := range leds {
		if !on[i] {
			led.Off()
		}
	}
	for i, led := range leds {
		if on[i] {
			led.On()
		}
	}
}

// controller is the day-time state machine. Each state is a few lines,
// each wait an await point where it may be cancelled (night mode).
func controller(ctx *asyncio.Ctx, l *lights, request *asyncio.Event) error {
	request.Clear() // a request from before (the long press that ended night) does not count
	for {
		l.show(false, false, true) // green
		if err := asyncio.Sleep(ctx, minGreen); err != nil {
			return err
		}
		if err := request.Wait(ctx); err != nil { // until a pedestrian asks
			return err
		}
		l.show(false, true, false) // amber
		if err := asyncio.Sleep(ctx, amberTime); err != nil {
			return err
		}
		l.show(true, false, false) // red: walk
		request.Clear()
		if err := asyncio.Sleep(ctx, redTime); err != nil {
			return err
		}
		l.show(true, true, false) // red and amber
		if err := asyncio.Sleep(ctx, readyTime); err != nil {
			return err
		}
	}
}

// flasher is night mode: amber blinks, on a ticker so that it keeps its
// rhythm whatever else the loop does.
func flasher(ctx *asyncio.Ctx, l *lights) error {
	tick := primitives.NewTicker(ctx.Loop(), flash, primitives.Skip)
	on := true
	for {
		l.show(false, on, false)
		if err := tick.Next(ctx); err != nil {
			return err
		}
		on = !on
	}
}

// supervise runs the controller or the flasher, and switches between them
// each time toggle is set: it cancels the one running and waits for it to
// stop before it starts the other.
func supervise(ctx *asyncio.Ctx, l *lights, request, toggle *asyncio.Event, say func(string)) error {
	night := false
	for {
		mode := func(ctx *asyncio.Ctx) error { return controller(ctx, l, request) }
		name := "controller"
		if night {
			mode = func(ctx *asyncio.Ctx) error { return flasher(ctx, l) }
			name = "flasher"
		}
		task := asyncio.CreateTask(ctx, mode, asyncio.Named(name))
		err := toggle.Wait(ctx)
		toggle.Clear()
		task.Cancel()
		if err2 := task.Await(ctx); err2 != nil && !errors.Is(err2, asyncio.ErrCancelled) {
			return err2
		}
		if err != nil {
			return err
		}
		night = !night
		if night {
			say("mode night")
		} else {
			say("mode day")
		}
	}
}

// crossing is the crossing's parts and tasks on a board.
type crossing struct {
	lights          lights
	button          *primitives.Pushbutton
	request, toggle asyncio.Event
	say             func(string)
}

// newCrossing finds the crossing's parts on b: LEDs red, amber and green
// and a button, "button". It returns an error naming a missing part.
func newCrossing(b board.Board, say func(string)) (*crossing, error) {
	c := &crossing{say: say}
	var err error
	for _, p := range []struct {
		led  *board.LED
		name string
	}{{&c.lights.red, "red"}, {&c.lights.amber, "amber"}, {&c.lights.green, "green"}} {
		if *p.led, err = b.LED(p.name); err != nil {
			return nil, err
		}
	}
	pin, err := b.Pin("button")
	if err != nil {
		return nil, err
	}
	c.button = primitives.NewPushbutton(pin, primitives.PushbuttonConfig{})
	c.button.OnPress(func() { say("button press"); c.request.Set() })
	c.button.OnLong(func() { say("button long"); c.toggle.Set() })
	return c, nil
}

// run runs the crossing's tasks, in a task group, until cancelled.
func (c *crossing) run(ctx *asyncio.Ctx) error {
	return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
		g.Go(c.button.Run, asyncio.Named("button"))
		g.Go(func(ctx *asyncio.Ctx) error {
			return supervise(ctx, &c.lights, &c.request, &c.toggle, c.say)
		}, asyncio.Named("supervisor"))
		return nil
	})
}

// runFor runs the crossing on b for d: main starts its tasks and sleeps.
// Main's wake-up is the first thing due at d, so the run ends before
// anything else due then happens; the tasks are cancelled as Run returns.
func runFor(ctx *asyncio.Ctx, b board.Board, d time.Duration, say func(string)) error {
	c, err := newCrossing(b, say)
	if err != nil {
		return err
	}
	asyncio.CreateTask(ctx, c.run, asyncio.Named("crossing"))
	return asyncio.Sleep(ctx, d)
}

// config is what the command line asks for.
type config struct {
	virtual  bool
	run      time.Duration
	presses  []time.Duration
	hold     time.Duration
	script   board.Script
	spec     *board.Spec
	vcd      string
	wavedrom string
	gpio     string // a board file of Linux GPIO lines
}

// WaveDrom draws the waveform of the default run, for the README: a step
// of a second, numbered.
var waveDrom = wave.WaveDromOptions{Step: time.Second, Title: "traffic-light -virtual (seconds)", Ticks: true}

// lab runs the crossing for c.run and writes each change to out as it
// happens.
func lab(out io.Writer, c config) error {
	if c.gpio != "" {
		return onGPIO(out, c)
	}
	var opts []asyncio.Option
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	var sim *board.Sim
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		var err error
		if sim, err = board.NewSimFrom(loop, c.spec); err != nil {
			return err
		}
		btn := sim.SimButton("button")
		if btn == nil {
			return errors.New(`the board has no button "button"`)
		}
		for _, at := range c.presses {
			btn.PressAt(at)
			btn.ReleaseAt(at + c.hold)
		}
		if _, err := sim.Play(c.script); err != nil {
			return err
		}
		sim.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		say := func(what string) { fmt.Fprintf(out, "%.3f %s\n", loop.Time().Seconds(), what) }
		return runFor(ctx, sim, c.run, say)
	}, opts...)
	if err != nil {
		return err
	}
	for _, f := range []string{c.vcd, c.wavedrom} {
		if f != "" {
			if err := sim.SaveWaveform(f, waveDrom); err != nil {
				return err
			}
		}
	}
	return nil
}

// parsePresses parses a comma-separated list of durations.
func parsePresses(s string) ([]time.Duration, error) {
	var ds []time.Duration
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil {
			return nil, err
		}
		if d < 0 {
			return nil, fmt.Errorf("negative press time %v", d)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// run is the command: it parses args and runs the lab, and returns the exit
// code: 0 on success, 1 if the lab failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("traffic-light", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: traffic-light [-virtual] [-press 8s,12s] [-script file] [-for 30s] [-vcd file] [flags]\n\n"+
			"Runs a pelican crossing, printing each change of its lights, each press\n"+
			"and each change of mode. A long press switches night mode.\n\n")
		fs.PrintDefaults()
	}
	c := config{hold: 500 * time.Millisecond}
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock: print the whole trace at once")
	pressList := fs.String("press", "8s,12s", "comma-separated times at which the button is clicked")
	fs.DurationVar(&c.hold, "hold", c.hold, "how long each -press click holds the button")
	fs.DurationVar(&c.run, "for", 30*time.Second, "how long the crossing runs")
	scriptFile := fs.String("script", "", "a board script `file` of button presses (replaces -press)")
	boardFile := fs.String("board", "", "a board `file` for the simulated board (default: three LEDs and a bouncy button)")
	fs.StringVar(&c.vcd, "vcd", "", "write the waveform as a VCD to this `file`")
	fs.StringVar(&c.wavedrom, "wavedrom", "", "write the waveform as WaveDrom JSON to this `file`")
	fs.StringVar(&c.gpio, "gpio", "", "run on the Linux GPIO lines of this board `file`, in real time")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "traffic-light: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if c.run <= 0 {
		fmt.Fprintf(stderr, "traffic-light: -for %v: want a positive duration, such as 30s\n", c.run)
		return 2
	}
	var err error
	if c.presses, err = parsePresses(*pressList); err != nil {
		fmt.Fprintf(stderr, "traffic-light: -press: %v\n", err)
		return 2
	}
	if *scriptFile != "" {
		if c.script, err = board.ReadScriptFile(*scriptFile); err != nil {
			fmt.Fprintln(stderr, "traffic-light:", err)
			return 2
		}
		c.presses = nil
	}
	c.spec = Spec()
	if *boardFile != "" {
		if c.spec, err = board.ReadSpecFile(*boardFile); err != nil {
			fmt.Fprintln(stderr, "traffic-light:", err)
			return 2
		}
	}
	if err := lab(stdout, c); err != nil {
		fmt.Fprintln(stderr, "traffic-light:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
