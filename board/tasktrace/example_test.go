package tasktrace_test

import (
	"fmt"
	"os"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board/tasktrace"
)

// A recorder installed on a loop traces each task's steps: when it ran,
// why it stopped and who woke it.
func ExampleRecorder_WriteText() {
	rec := tasktrace.New(tasktrace.Options{})
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		w := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return ev.Wait(c) }, asyncio.Named("waiter"))
		asyncio.Sleep(ctx, 100*time.Millisecond)
		ev.Set()
		return w.Await(ctx)
	}, asyncio.VirtualClock(), asyncio.WithInstrument(rec))
	rec.WriteText(os.Stdout)
	// Output:
	// 0.000 main created
	// 0.000 main ready
	// 0.000 main runs
	// 0.000 waiter created by main
	// 0.000 waiter ready (woken by main)
	// 0.000 main stops: sleeping until 0.100
	// 0.000 waiter runs
	// 0.000 waiter stops: waiting for an event
	// 0.100 main ready
	// 0.100 main runs
	// 0.100 waiter ready (woken by main)
	// 0.100 main stops: awaiting task "waiter"
	// 0.100 waiter runs
	// 0.100 waiter stops: done
	// 0.100 waiter exits
	// 0.100 main ready (woken by waiter)
	// 0.100 main runs
	// 0.100 main stops: done
	// 0.100 main exits
}

// The task lanes go beside a board's pins in its waveform (WriteVCD for
// GTKWave, WriteWaveDrom), and the run goes to Perfetto as Chrome
// trace-event JSON (WriteChromeTrace).
func ExampleRecorder_AddLanes() {
	rec := tasktrace.New(tasktrace.Options{})
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.Sleep(ctx, time.Second)
	}, asyncio.VirtualClock(), asyncio.WithInstrument(rec))
	w := rec.Waveform(tasktrace.WaveOptions{MinRun: 250 * time.Millisecond})
	for _, c := range w.Changes {
		fmt.Println(c)
	}
	// Output:
	// 0.000 task main 0
	// 0.000 task main 1
	// 0.000 task main 2
	// 0.250 task main 0
	// 1.000 task main 1
	// 1.000 task main 2
	// 1.250 task main -1
}
