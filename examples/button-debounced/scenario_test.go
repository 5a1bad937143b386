package main

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/boardtest"
	"github.com/goasyncio/asyncio/board/scenario"
)

// TestScenario plays the lab's shipped scenario on a button that bounces
// for 5 ms after each change, as the command's does by default: one toggle
// per press.
func TestScenario(t *testing.T) {
	boardtest.Run(t, "testdata/debounced.yaml", func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		lab := scenario.Lab(sim)
		lab.Button.SetBounce(board.Bounce{Duration: 5 * time.Millisecond, Seed: 1})
		return debounced(ctx, lab, func(string) {})
	})
}

// The same scenario fails with the naive edge-counting version, whose red
// toggles at every bounce: that is what debouncing is for.
func TestScenarioFailsWithoutDebouncing(t *testing.T) {
	sc, err := scenario.ReadFile("testdata/debounced.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenario.RunProgram(sc, func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		lab := scenario.Lab(sim)
		lab.Button.SetBounce(board.Bounce{Duration: 5 * time.Millisecond, Seed: 1})
		return raw(ctx, lab, func(string) {})
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed() {
		t.Fatal("the naive version passed the debounce scenario")
	}
}
