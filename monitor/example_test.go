package monitor_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/monitor"
)

// A program opts in to the monitor server; a client with the run's token
// gets the task dump.
func ExampleListen() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		s, err := monitor.Listen(ctx.Loop(), "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer s.Close()
		// The blinker sleeps until the run ends, however slow the dump; the
		// main task yields once so that it has begun to sleep before the
		// dump is asked for (a request that came first, on a loaded machine,
		// would find it not yet started).
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Hour) }, asyncio.Named("blinker"))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		answer, err := asyncio.ToThreadOf(ctx, func(context.Context) (string, error) { return monitor.Ask(s.Addr().String(), s.Token()) })
		if err != nil {
			return err
		}
		for _, line := range strings.Split(answer, "\n") {
			if strings.Contains(line, "blinker") && strings.Contains(line, "task") {
				state, _, _ := strings.Cut(line, "until")
				fmt.Println(strings.TrimSpace(state))
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// task "blinker": sleeping
}

// A program prints its task dump on SIGUSR1 (kill -USR1 <pid>).
func ExampleOnSignal() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		defer monitor.OnSignal(ctx.Loop(), os.Stderr)()
		return asyncio.Sleep(ctx, 10*time.Millisecond)
	})
	// Output:
}
