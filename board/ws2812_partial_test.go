package board_test

import (
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// TestWS2812IncompleteLED: a frame that ends 1 bit short of an LED's
// 24 (23 data bits, then the reset) must not change that LED ("Each LED
// takes the first 24 bits that reach it"); latch counts the partly filled
// last byte of frame as a whole one (nbits is dropped before the check), so
// the LED shows the 23 bits with a 0 for the missing one.
func TestWS2812IncompleteLED(t *testing.T) {
	loop, sim, bus := newSPIBoard(t, board.WS2812SPIFrequency)
	strip, _ := sim.AddWS2812("strip", bus, 1)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		var raw []byte
		for range 11 {
			raw = append(raw, 0xEE) // two 1 bits: 1110 1110
		}
		raw = append(raw, 0xE0) // the 23rd 1 bit, then low
		raw = append(raw, make([]byte, 150)...)
		return bus.Tx(raw, nil)
	})
	if got := strip.Colours()[0]; got != black {
		t.Errorf("23 bits changed the LED to %v; it should keep %v", got, black)
	}
	if strip.Frames() != 0 {
		t.Errorf("Frames() = %d, want 0 for a frame that reached no LED whole", strip.Frames())
	}
}
