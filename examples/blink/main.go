// Command blink is the first lab of Lecture 14, "Asyncio in MicroPython"
// (slide "Lab : Blinking Example"): two tasks blink two LEDs at different
// periods while main sleeps for 10 s.
//
// It prints each LED change as it happens, one line each: the loop's time in
// seconds, the LED's name, and "on" or "off". Both LEDs start off, so the
// first line is "0.000 red on".
//
// Usage:
//
//	go run ./examples/blink            # 10 s in real time
//	go run ./examples/blink -virtual   # on the virtual clock: the same trace at once
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// blink mirrors the lecture's
//
//	# Coroutine: blink
//	async def blink(period, led):
//	    while True:
//	        led.toggle()
//	        await uasyncio.sleep(period)
//
// The sleep returns an error when the task is cancelled (when main returns),
// and blink returns it, as the awaited sleep raises CancelledError there.
func blink(ctx *asyncio.Ctx, period time.Duration, led board.LED) error {
	for {
		led.Toggle()
		if err := asyncio.Sleep(ctx, period); err != nil {
			return err
		}
	}
}

// asyncMain mirrors the lecture's
//
//	async def main():
//	    global led_red
//	    global led_green
//	    uasyncio.create_task(blink(1, led_red))
//	    uasyncio.create_task(blink(0.25, led_green))
//	    await uasyncio.sleep(10)
//
// main's 10 s wake-up is scheduled at 0, before the blinkers' wake-ups for
// 10 s (scheduled at 9 s and 9.75 s). What is due at the same time runs in
// the order it was scheduled, so main returns first, the blinkers are
// cancelled, and no change happens at 10.000: the last line is at 9.750.
func asyncMain(ctx *asyncio.Ctx, b *board.Lab) error {
	ledRed, ledGreen := b.Red, b.Green
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 1*time.Second, ledRed) }, asyncio.Named("blink red"))
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 250*time.Millisecond, ledGreen) }, asyncio.Named("blink green"))
	return asyncio.Sleep(ctx, 10*time.Second)
}

// lab runs the lab on the lecture's board and writes each LED change to out
// as it happens; virtual selects the virtual clock. It mirrors
//
//	uasyncio.run(main())
func lab(out io.Writer, virtual bool) error {
	var opts []asyncio.Option
	if virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewLab(ctx.Loop())
		b.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		return asyncMain(ctx, b)
	}, opts...)
}

// run is the command: it parses args and runs the lab, and returns the exit
// code: 0 on success, 1 if the lab failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("blink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: blink [-virtual]\n\nBlinks LED red every 1 s and LED green every 0.25 s for 10 s,\nprinting each change.\n\n")
		fs.PrintDefaults()
	}
	virtual := fs.Bool("virtual", false, "run on the virtual clock: print the whole trace at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "blink: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := lab(stdout, *virtual); err != nil {
		fmt.Fprintln(stderr, "blink:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
