// Command starve is the blink lab with a third task that blocks the loop: a
// "sensor" task that reads a slow sensor with a blocking call (time.Sleep,
// as MicroPython's time.sleep_ms) instead of awaiting. While it blocks, no
// other task runs: the green LED, due every 0.25 s, is late each time the
// sensor is read. The fix is one line, in readSensor: await instead of
// blocking (run with -fixed to see it).
//
// It prints each LED change as blink does, and reports every run of a task
// longer than 100 ms (asyncio.DebugSlowTasks): the report names the task
// that starves the others. With -trace it prints the scheduler's trace
// (board/tasktrace) after the run: which task ran when and why it stopped;
// -vcd and -chrome write the task lanes beside the LEDs' pins as a VCD
// (GTKWave) and the run as Chrome trace-event JSON (ui.perfetto.dev).
//
// On the virtual clock (-virtual) the loop's clock stands still while a task
// runs, so the LEDs keep time there: the blocking shows in the trace (each
// run's real duration, in -chrome and in the slow-task report) instead.
//
// Usage:
//
//	go run ./examples/starve                 # 10 s in real time: green is late
//	go run ./examples/starve -fixed          # the one-line fix: green keeps time
//	go run ./examples/starve -virtual -trace # the trace of the run
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
	"github.com/goasyncio/asyncio/board/tasktrace"
)

// readTime is how long a sensor reading takes.
const readTime = 400 * time.Millisecond

// slowThreshold is the DebugSlowTasks threshold: a task that runs longer
// without yielding is reported.
const slowThreshold = 100 * time.Millisecond

// fixed selects the fixed readSensor (the -fixed flag).
var fixed bool

// readSensor waits for a reading. The bug: time.Sleep blocks the whole loop
// (as a busy-wait or any blocking call would). The fix is the other line:
// asyncio.Sleep lets the other tasks run meanwhile.
func readSensor(ctx *asyncio.Ctx) error {
	if fixed {
		return asyncio.Sleep(ctx, readTime) // the fix: await
	}
	time.Sleep(readTime) // the bug: blocks every task
	return nil
}

// sensor reads the sensor once a second.
func sensor(ctx *asyncio.Ctx) error {
	for {
		if err := readSensor(ctx); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

// blink is the blink lab's task.
func blink(ctx *asyncio.Ctx, period time.Duration, led board.LED) error {
	for {
		led.Toggle()
		if err := asyncio.Sleep(ctx, period); err != nil {
			return err
		}
	}
}

func asyncMain(ctx *asyncio.Ctx, b *board.Lab, d time.Duration) error {
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, time.Second, b.Red) }, asyncio.Named("blink red"))
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 250*time.Millisecond, b.Green) }, asyncio.Named("blink green"))
	asyncio.CreateTask(ctx, sensor, asyncio.Named("sensor"))
	return asyncio.Sleep(ctx, d)
}

type config struct {
	virtual, trace bool
	duration       time.Duration
	vcd, chrome    string
}

// lab runs the lab, writing each LED change and each slow-task report to
// out, then the trace if asked.
func lab(out, stderr io.Writer, c config) error {
	rec := tasktrace.New(tasktrace.Options{})
	opts := []asyncio.Option{
		asyncio.WithInstrument(rec),
		// The watchdog's report, with the blocked task's stack, goes to
		// stderr while it blocks; the exception handler gets one line
		// once it yields.
		asyncio.DebugSlowTasksFunc(slowThreshold, func(s asyncio.SlowTask) {
			fmt.Fprintf(stderr, "starve: task %q is blocking the loop; it is at:\n%s\n", s.Name, s.Stack)
		}),
		asyncio.WithExceptionHandler(func(l *asyncio.Loop, e asyncio.ExceptionContext) {
			if errors.Is(e.Err, asyncio.ErrSlowTask) && e.Task != nil {
				fmt.Fprintf(out, "%.3f slow task: %s ran longer than %v without yielding\n", l.Time().Seconds(), e.Task, slowThreshold)
				return
			}
			asyncio.DefaultExceptionHandler(l, e)
		}),
	}
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	var b *board.Lab
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b = board.NewLab(ctx.Loop())
		b.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		return asyncMain(ctx, b, c.duration)
	}, opts...)
	if err != nil {
		return err
	}
	if c.trace {
		fmt.Fprintln(out, "trace:")
		if err := rec.WriteText(out); err != nil {
			return err
		}
	}
	if c.vcd != "" {
		w := rec.AddLanes(b.Waveform(), tasktrace.WaveOptions{MinRun: time.Millisecond})
		if err := writeFile(c.vcd, w.WriteVCD); err != nil {
			return err
		}
	}
	if c.chrome != "" {
		if err := writeFile(c.chrome, rec.WriteChromeTrace); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run is the command; it returns the exit code: 0 on success, 1 if the lab
// failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("starve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: starve [flags]\n\nThe blink lab with a task that blocks the loop.\n\n")
		fs.PrintDefaults()
	}
	var c config
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock")
	fs.BoolVar(&fixed, "fixed", false, "await the sensor instead of blocking (the one-line fix)")
	fs.BoolVar(&c.trace, "trace", false, "print the scheduler's trace after the run")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long main runs")
	fs.StringVar(&c.vcd, "vcd", "", "write the LEDs' pins and the task lanes to this VCD file")
	fs.StringVar(&c.chrome, "chrome", "", "write the run as Chrome trace-event JSON to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "starve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := lab(stdout, stderr, c); err != nil {
		fmt.Fprintln(stderr, "starve:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
