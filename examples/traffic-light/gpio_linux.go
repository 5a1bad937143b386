//go:build linux

package main

import (
	"fmt"
	"io"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxgpio"
)

// onGPIO runs the crossing in real time on the Linux GPIO lines that the
// board file c.gpio gives for red, amber, green and button.
func onGPIO(out io.Writer, c config) error {
	spec, err := board.ReadSpecFile(c.gpio)
	if err != nil {
		return err
	}
	b, err := linuxgpio.Open(spec, nil)
	if err != nil {
		return err
	}
	defer b.Close()
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		say := func(what string) { fmt.Fprintf(out, "%.3f %s\n", loop.Time().Seconds(), what) }
		return runFor(ctx, b, c.run, say)
	})
}
