package main

import (
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/boardtest"
	"github.com/goasyncio/asyncio/board/scenario"
)

// TestScenario plays the crossing's shipped scenario: the pedestrian cycle's
// timings and night mode, on a board file that matches Spec.
func TestScenario(t *testing.T) {
	boardtest.Run(t, "testdata/crossing.yaml", func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		c, err := newCrossing(sim, func(string) {})
		if err != nil {
			return err
		}
		return c.run(ctx)
	})
}
