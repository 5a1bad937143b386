// Command button-debounced is the lecture's button lab (examples/button)
// with a debounced, gesture-aware button: primitives.Pushbutton instead of
// the hand-written 20 ms poll, on a simulated button whose contacts bounce
// for a few milliseconds after each press and release, as real ones do.
//
//   - a press toggles the red LED (the original lab lights it at the first
//     press; toggling shows that each press counts once, bounce or not);
//   - a double click toggles the green LED;
//   - a long press (1 s) puts both out.
//
// The LEDs are the lecture's: active-low. The command prints each change of
// an LED and each gesture as it happens, one line each: the loop's time in
// seconds, a name, and what happened ("0.050 button press", "0.050 red on").
//
// With -raw, the button is read the naive way instead, by an edge interrupt
// that toggles red at every falling edge: contact bounce then toggles it
// several times per press. That is what debouncing is for.
//
// Usage:
//
//	go run ./examples/button-debounced                         # 10 s in real time; Enter clicks the button
//	go run ./examples/button-debounced -virtual -press 3s      # a bouncy click at 3 s, on the virtual clock
//	go run ./examples/button-debounced -virtual -script examples/button-debounced/testdata/gestures.txt
//	go run ./examples/button-debounced -virtual -script examples/button-debounced/testdata/gestures.txt -vcd out.vcd
//
// -script takes a board script (see board.ParseScript): "3.000 button
// press", "3.200 button release", "+1 button click 150ms". -vcd writes the
// run's waveform (every level, bounce included) as a VCD for GTKWave;
// -wavedrom writes it as WaveDrom JSON.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/primitives"
)

// config is what the command line asks for.
type config struct {
	virtual  bool
	run      time.Duration // how long the lab runs
	press    time.Duration // a click at this time; negative for none
	hold     time.Duration // how long a -press click holds the button
	script   board.Script
	bounce   board.Bounce
	raw      bool
	vcd      string
	wavedrom string
	enter    io.Reader // in real time, each line clicks the button
}

// debounced runs the lab's logic: the Pushbutton's gestures drive the LEDs.
func debounced(ctx *asyncio.Ctx, lab *board.Lab, say func(string)) error {
	pb := primitives.NewPushbutton(lab.Button, primitives.PushbuttonConfig{})
	pb.OnPress(func() { say("button press"); lab.Red.Toggle() })
	pb.OnRelease(func() { say("button release") })
	pb.OnDouble(func() { say("button double"); lab.Green.Toggle() })
	pb.OnLong(func() { say("button long"); lab.Red.Off(); lab.Green.Off() })
	return pb.Run(ctx)
}

// raw is the naive version: every falling edge of the button's pin is a
// press, reported through board.WatchEdges.
func raw(ctx *asyncio.Ctx, lab *board.Lab, say func(string)) error {
	edges, err := board.WatchEdges(lab.Button.Pin(), board.PinFalling)
	if err != nil {
		return err
	}
	defer edges.Stop()
	for {
		n, _, err := edges.Wait(ctx)
		if err != nil {
			return err
		}
		for range n {
			say("button edge")
			lab.Red.Toggle()
		}
	}
}

// lab runs the lab and writes each LED change and gesture to out as it
// happens.
func lab(out io.Writer, c config) error {
	var opts []asyncio.Option
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	var b *board.Lab
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		b = board.NewLab(loop)
		b.Button.SetBounce(c.bounce)
		b.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		say := func(what string) { fmt.Fprintf(out, "%.3f %s\n", loop.Time().Seconds(), what) }
		if c.press >= 0 {
			b.Button.PressAt(c.press)
			b.Button.ReleaseAt(c.press + c.hold)
		}
		if _, err := b.Play(c.script); err != nil {
			return err
		}
		if c.enter != nil {
			// The reader may block until the process exits: this goroutine
			// is left behind when the run ends, and its next post fails.
			click := func() {
				b.Button.Press()
				b.Button.ReleaseAt(loop.Time() + c.hold)
			}
			go func() {
				for sc := bufio.NewScanner(c.enter); sc.Scan(); {
					if loop.CallSoonThreadsafe(click) != nil {
						return
					}
				}
			}()
		}
		logic := debounced
		if c.raw {
			logic = raw
		}
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return logic(ctx, b, say) }, asyncio.Named("button"))
		return asyncio.Sleep(ctx, c.run)
	}, opts...)
	if err != nil {
		return err
	}
	if c.vcd != "" {
		if err := b.SaveWaveform(c.vcd, wave.WaveDromOptions{}); err != nil {
			return err
		}
	}
	if c.wavedrom != "" {
		if err := b.SaveWaveform(c.wavedrom, wave.WaveDromOptions{Title: "button-debounced"}); err != nil {
			return err
		}
	}
	return nil
}

// durationFlag is a flag holding a Go duration that must not be negative.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil || *f.d < 0 {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 3s, 3.5s or 3000ms: %w", err)
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.d = d
	return nil
}

// run is the command: it parses args and runs the lab, and returns the exit
// code: 0 on success, 1 if the lab failed, 2 for bad usage.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("button-debounced", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: button-debounced [-virtual] [-press duration] [-script file] [-vcd file] [flags]\n\n"+
			"The lecture's button lab with a debounced Pushbutton: a press toggles red,\n"+
			"a double click toggles green, a long press puts both out. In real time,\n"+
			"Enter clicks the button.\n\n")
		fs.PrintDefaults()
	}
	c := config{press: -1, run: 10 * time.Second, hold: 200 * time.Millisecond}
	bounce := 5 * time.Millisecond
	var seed uint64
	var scriptFile string
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock: print the whole trace at once")
	fs.Var(durationFlag{&c.press}, "press", "click the button at this `duration` into the run, e.g. 3s")
	fs.Var(durationFlag{&c.hold}, "hold", "how long -press and Enter hold the button")
	fs.Var(durationFlag{&c.run}, "for", "how long the lab runs")
	fs.Var(durationFlag{&bounce}, "bounce", "how long the contacts bounce after each change (0 for none)")
	fs.Uint64Var(&seed, "seed", 1, "the seed of the bounce")
	fs.StringVar(&scriptFile, "script", "", "a board script `file` of button presses and releases")
	fs.BoolVar(&c.raw, "raw", false, "read the button by raw edges, without debouncing")
	fs.StringVar(&c.vcd, "vcd", "", "write the waveform as a VCD to this `file`")
	fs.StringVar(&c.wavedrom, "wavedrom", "", "write the waveform as WaveDrom JSON to this `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "button-debounced: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	switch {
	case c.run <= 0:
		fmt.Fprintf(stderr, "button-debounced: -for %v: want a positive duration, such as 10s\n", c.run)
		return 2
	case c.press >= c.run:
		fmt.Fprintf(stderr, "button-debounced: note: -press %v comes when the run, which lasts %v (-for), is over: nothing will see it\n", c.press, c.run)
	}
	c.bounce = board.Bounce{Duration: bounce, Seed: seed}
	if scriptFile != "" {
		sc, err := board.ReadScriptFile(scriptFile)
		if err != nil {
			fmt.Fprintln(stderr, "button-debounced:", err)
			return 2
		}
		c.script = sc
	}
	if !c.virtual {
		c.enter = stdin
		fmt.Fprintf(stderr, "button-debounced: press Enter to click the button; the run lasts %v\n", c.run)
	}
	if err := lab(stdout, c); err != nil {
		fmt.Fprintln(stderr, "button-debounced:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
