// Command button is the second lab of Lecture 14, "Asyncio in MicroPython"
// (slide "Lab : Blink + Button Example"): a task polls a button every 20 ms
// and lights the red LED once the button is pressed; main sleeps for 10 s.
//
// The LED is active-low, as in the lecture: led.value(1) puts it out and
// led.value(0) lights it. The button reads 1 released and 0 pressed (a
// pull-up). The command prints each change of the LED as it happens, one
// line each: the loop's time in seconds, the LED's name, and "on" or "off".
// The LED starts off, so without a press nothing is printed.
//
// Usage:
//
//	go run ./examples/button                     # 10 s in real time; Enter presses the button
//	go run ./examples/button -virtual -press 3s  # virtual clock, button pressed at 3 s
//
// A press stays down until the run ends. -press takes a Go duration (3s,
// 3.5s, 3000ms) on either clock.
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
)

// readButton mirrors the lecture's
//
//	# Coroutine: Button
//	async def read_button(btn):
//	    while btn.value() == 1:
//	        await uasyncio.sleep(0.02)
func readButton(ctx *asyncio.Ctx, btn board.Button) error {
	for btn.Value() == 1 {
		if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// blink mirrors the lecture's
//
//	# Coroutine: blink
//	async def blink(led, btn):
//	    while True:
//	        await read_button(btn)
//	        led.value(0)
//	        await uasyncio.sleep(0.01)
//
// Once the button is pressed the LED is lit and stays lit: led.value(0) on a
// lit LED changes nothing, so it is printed once.
func blink(ctx *asyncio.Ctx, led board.LED, btn board.Button) error {
	for {
		if err := readButton(ctx, btn); err != nil {
			return err
		}
		led.SetValue(0)
		if err := asyncio.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
}

// asyncMain mirrors the lecture's
//
//	async def main():
//	    global led_red
//	    global led_green
//	    uasyncio.create_task(blink(led_red, btn))
//	    await uasyncio.sleep(10)
func asyncMain(ctx *asyncio.Ctx, b *board.Lab) error {
	ledRed, btn := b.Red, b.Button
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, ledRed, btn) }, asyncio.Named("blink"))
	return asyncio.Sleep(ctx, runTime)
}

// runTime is how long the lab runs (the lecture's sleep(10)).
const runTime = 10 * time.Second

// config is what the command line asks for.
type config struct {
	virtual bool          // run on the virtual clock
	press   time.Duration // when to press the button; negative for never
	enter   io.Reader     // if not nil, each line read from it presses the button
}

// lab runs the lab on the lecture's board and writes each LED change to out
// as it happens. It mirrors
//
//	led_red.value(1)
//	uasyncio.run(main())
//
// except that the board, made on the loop's clock, is set up in the loop's
// first task.
//
// When the button is pressed at a multiple of 20 ms, the poll at that very
// time sees it: the press is scheduled when the run starts, before the
// poller's wake-up for that time (scheduled 20 ms earlier), and what is due
// at the same time runs in the order it was scheduled. So -press 3s lights
// the LED at 3.000, and -press 3.005s at the next poll, 3.020. A press at 0
// comes after the poller's first read (the poller was ready before the press
// fell due), so it too is seen at 0.020.
func lab(out io.Writer, c config) error {
	var opts []asyncio.Option
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		b := board.NewLab(loop)
		b.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		b.Red.SetValue(1) // led_red.value(1): the LED is off already
		if c.press >= 0 {
			b.Button.PressAt(c.press)
		}
		if c.enter != nil {
			// The reader may block until the process exits: this goroutine
			// is left behind when the run ends, and its next post fails.
			press := b.Button.Press
			go func() {
				for sc := bufio.NewScanner(c.enter); sc.Scan(); {
					if loop.CallSoonThreadsafe(press) != nil {
						return
					}
				}
			}()
		}
		return asyncMain(ctx, b)
	}, opts...)
}

// pressFlag is the -press flag: a Go duration, not negative.
type pressFlag struct{ d *time.Duration }

func (p pressFlag) String() string {
	if p.d == nil || *p.d < 0 {
		return ""
	}
	return p.d.String()
}

func (p pressFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 3s, 3.5s or 3000ms: %w", err)
	}
	if d < 0 {
		return errors.New("the press time must not be negative")
	}
	*p.d = d
	return nil
}

// run is the command: it parses args and runs the lab, and returns the exit
// code: 0 on success, 1 if the lab failed, 2 for bad usage. Each line read
// from stdin presses the button.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("button", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: button [-virtual] [-press duration]\n\nLights LED red once the button is pressed, polling it every 20 ms for 10 s,\nand prints each change. In real time, Enter presses the button.\n\n")
		fs.PrintDefaults()
	}
	c := config{press: -1}
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock: print the whole trace at once")
	fs.Var(pressFlag{&c.press}, "press", "press the button at this `duration` into the run, e.g. 3s (default: no press)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "button: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	// Each line read presses the button, on either clock: on the virtual
	// board's viewer (cmd/board) the console's input line is the program's
	// standard input.
	if c.press >= runTime {
		fmt.Fprintf(stderr, "button: note: -press %v comes when the run, which lasts %v, is over: nothing will see it\n", c.press, runTime)
	}
	c.enter = stdin
	if !c.virtual {
		fmt.Fprintln(stderr, "button: press Enter to press the button; the run lasts 10 s")
	}
	if err := lab(stdout, c); err != nil {
		fmt.Fprintln(stderr, "button:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
