// Command strip is an RGB LED strip lab: eight WS2812 (NeoPixel) LEDs on
// an SPI bus's MOSI line and a button. The strip is driven through
// board.WS2812SPI, which has the methods of TinyGo's ws2812 driver, so the
// drawing code is written against board.LEDStrip, which TinyGo's
// ws2812.Device implements too. Two tasks share the comet's colour without
// locks:
//
//   - comet: every 100 ms moves a comet, a lit LED with a fading tail, one
//     LED along the strip and writes the strip's colours;
//   - button: a primitives.Pushbutton; a press changes the comet's colour,
//     red, green, blue, then red again.
//
// The command prints what the strip shows each time it changes: the loop's
// time in seconds and each LED's colour in hex, as the simulated strip
// decoded it from the bytes on the SPI bus.
//
// Usage:
//
//	go run ./examples/strip                          # 10 s in real time
//	go run ./examples/strip -virtual -press 1s,2s    # the same at once, the button clicked twice
//	go run ./examples/strip -virtual -vcd strip.vcd  # the pins, the bus's bytes and the strip's colours for GTKWave
//	go run ./cmd/board ./examples/strip -virtual -for 10m  # the strip in the page (-tui: in the terminal)
package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/primitives"
)

// The lab's settings.
const (
	leds = 8                      // LEDs on the strip
	step = 100 * time.Millisecond // between the comet's moves
)

// colours are the comet's colours, in the order a press goes through them.
var colours = []struct {
	name string
	c    color.RGBA
}{
	{"red", color.RGBA{R: 0xff, A: 0xff}},
	{"green", color.RGBA{G: 0xff, A: 0xff}},
	{"blue", color.RGBA{B: 0xff, A: 0xff}},
}

// Spec is the lab's board: a button, an SPI bus at the clock WS2812SPI
// wants, and the strip on it (testdata/strip.json is the same as a board
// file).
func Spec() *board.Spec {
	return &board.Spec{
		Name: "strip",
		Parts: []board.PartSpec{
			{Name: "button", Kind: board.KindButton, Bounce: &board.BounceSpec{Duration: "5ms", Seed: 1}},
			{Name: "spi0", Kind: board.KindSPI, Frequency: board.WS2812SPIFrequency, Device: "/dev/spidev0.0"},
			{Name: "strip", Kind: board.KindWS2812, Bus: "spi0", LEDs: leds},
		},
	}
}

// comet is the state the tasks share: each field has one writer.
type comet struct {
	strip  board.LEDStrip
	button *primitives.Pushbutton
	colour int // index in colours (button)
	head   int // the lit LED (comet)
	say    func(string)
}

// frame is what the strip shows with the comet's head at head: the head
// in full, the two LEDs behind it at a quarter and a sixteenth.
func frame(head int, c color.RGBA) []color.RGBA {
	f := make([]color.RGBA, leds)
	for i, shift := range []uint{0, 2, 4} {
		k := ((head-i)%leds + leds) % leds
		f[k] = color.RGBA{R: c.R >> shift, G: c.G >> shift, B: c.B >> shift, A: 0xff}
	}
	return f
}

// move moves the comet one LED every step and writes the strip.
func (m *comet) move(ctx *asyncio.Ctx) error {
	tick := primitives.NewTicker(ctx.Loop(), step, primitives.Skip)
	for {
		if err := m.strip.WriteColors(frame(m.head, colours[m.colour].c)); err != nil {
			return err
		}
		if err := tick.Next(ctx); err != nil {
			return err
		}
		m.head = (m.head + 1) % leds
	}
}

// run runs the two tasks in a task group until cancelled.
func (m *comet) run(ctx *asyncio.Ctx) error {
	m.button.OnPress(func() {
		m.colour = (m.colour + 1) % len(colours)
		m.say("button: the comet is " + colours[m.colour].name)
	})
	return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
		g.Go(m.move, asyncio.Named("comet"))
		g.Go(m.button.Run, asyncio.Named("button"))
		return nil
	})
}

// config is what the command line asks for.
type config struct {
	virtual bool
	run     time.Duration
	presses []time.Duration
	spec    *board.Spec
	vcd     string
}

// lab runs the strip for c.run on the simulated board, writing each change
// of the strip to out as it happens.
func lab(out io.Writer, c config) error {
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
		strip, btn := sim.SimWS2812("strip"), sim.SimButton("button")
		if strip == nil || btn == nil {
			return errors.New(`the board needs a ws2812 strip "strip" and a button "button"`)
		}
		bus, err := sim.SPI(strip.Bus().Name())
		if err != nil {
			return err
		}
		for _, at := range c.presses {
			btn.PressAt(at)
			btn.ReleaseAt(at + 200*time.Millisecond)
		}
		say := func(what string) { fmt.Fprintf(out, "%.3f %s\n", loop.Time().Seconds(), what) }
		strip.OnChange(func() { say("strip " + strip.Text()) })
		m := &comet{strip: board.NewWS2812SPI(bus), button: primitives.NewPushbutton(btn, primitives.PushbuttonConfig{}), say: say}
		asyncio.CreateTask(ctx, m.run, asyncio.Named("lab"))
		return asyncio.Sleep(ctx, c.run)
	}, opts...)
	if err != nil {
		return err
	}
	if c.vcd != "" {
		return saveWaveform(sim, c.vcd)
	}
	return nil
}

// saveWaveform writes the run's waveform, with lanes for the SPI bus's
// transfers and the strip's colours, as a VCD, or as WaveDrom JSON if the
// file's name ends in .json.
func saveWaveform(sim *board.Sim, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := sim.WaveformWithBuses()
	if strings.HasSuffix(path, ".json") {
		err = w.WriteWaveDrom(f, wave.WaveDromOptions{})
	} else {
		err = w.WriteVCD(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseTimes parses a comma-separated list of durations.
func parseTimes(s string) ([]time.Duration, error) {
	var ds []time.Duration
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad time %q", f)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// run is the command; it returns the exit code: 0 on success, 1 if the
// lab failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("strip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: strip [-virtual] [-for 10s] [-press 1s,2s] [-board file] [-vcd file]\n\n"+
			"Runs a comet along a WS2812 strip on the simulated board, printing\n"+
			"what the strip shows each time it changes.\n\n")
		fs.PrintDefaults()
	}
	c := config{}
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock: print the whole trace at once")
	fs.DurationVar(&c.run, "for", 10*time.Second, "how long the lab runs")
	press := fs.String("press", "", "comma-separated times at which the button is clicked (the comet's colour)")
	boardFile := fs.String("board", "", "a board `file` for the simulated board")
	fs.StringVar(&c.vcd, "vcd", "", "write the waveform, with the SPI bus's transfers and the strip's colours, as a VCD to this `file` (WaveDrom JSON if it ends in .json)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "strip: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if c.run <= 0 {
		fmt.Fprintf(stderr, "strip: -for %v: want a positive duration\n", c.run)
		return 2
	}
	var err error
	if c.presses, err = parseTimes(*press); err != nil {
		fmt.Fprintln(stderr, "strip: -press:", err)
		return 2
	}
	c.spec = Spec()
	if *boardFile != "" {
		if c.spec, err = board.ReadSpecFile(*boardFile); err != nil {
			fmt.Fprintln(stderr, "strip:", err)
			return 2
		}
	}
	if err := lab(stdout, c); err != nil {
		fmt.Fprintln(stderr, "strip:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
