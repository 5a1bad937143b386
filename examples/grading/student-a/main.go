// Command student-a is a correct blink lab, as a student might hand it in; see
// examples/grading/README.md.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

func blink(ctx *asyncio.Ctx, period time.Duration, led board.LED) error {
	for {
		led.Toggle()
		if err := asyncio.Sleep(ctx, period); err != nil {
			return err
		}
	}
}

func asyncMain(ctx *asyncio.Ctx, b *board.Lab) error {
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 1*time.Second, b.Red) })
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 250*time.Millisecond, b.Green) })
	return asyncio.Sleep(ctx, 10*time.Second)
}

func main() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewLab(ctx.Loop())
		b.OnChange(func(e board.LEDChange) { fmt.Println(e) })
		return asyncMain(ctx, b)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
