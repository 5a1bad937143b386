package main

import (
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/boardtest"
	"github.com/goasyncio/asyncio/board/scenario"
)

// TestScenario plays the lab's shipped scenario (also run by
// "go run ./cmd/board test examples/blink/testdata/blink.yaml").
func TestScenario(t *testing.T) {
	boardtest.Run(t, "testdata/blink.yaml", func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		return asyncMain(ctx, scenario.Lab(sim))
	})
}
