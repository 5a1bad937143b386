package board_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// slowBus is a bus whose transfers block, as an ioctl does: each one
// until the loop has run its ticker task three more times, which it can
// only do if the transfer is off the loop.
type slowBus struct {
	busy  atomic.Int32
	max   atomic.Int32
	ticks atomic.Int32
}

var errStalled = errors.New("the loop did not run during the transfer")

func (b *slowBus) Tx(addr uint16, w, r []byte) error {
	n := b.busy.Add(1)
	defer b.busy.Add(-1)
	if n > b.max.Load() {
		b.max.Store(n)
	}
	for start, bound := b.ticks.Load(), time.Now().Add(10*time.Second); b.ticks.Load() < start+3; {
		if time.Now().After(bound) { // a hang guard: on the loop, no tick comes
			return errStalled
		}
		time.Sleep(100 * time.Microsecond)
	}
	if addr == 0x50 {
		return errors.New("nack")
	}
	return nil
}

// TestBlockingOffLoop: a blocking transfer on a bus that is not simulated
// runs off the loop, so another task goes on meanwhile; two tasks on the
// same bus take turns.
func TestBlockingOffLoop(t *testing.T) {
	bus := &slowBus{}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ticker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				bus.ticks.Add(1)
				if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
			}
		})
		defer ticker.Cancel()
		a := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return board.Blocking(ctx, bus, func() error { return bus.Tx(0x10, []byte{1}, nil) })
		})
		err := board.Blocking(ctx, bus, func() error { return bus.Tx(0x50, []byte{1}, nil) })
		if err == nil || err.Error() != "nack" {
			t.Errorf("Blocking = %v, want the bus's error", err)
		}
		return a.Await(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if bus.max.Load() != 1 {
		t.Errorf("%d transfers at once on one bus, want 1", bus.max.Load())
	}
}

// TestBlockingSim: on a simulated bus the driver runs on the loop, at the
// loop's time.
func TestBlockingSim(t *testing.T) {
	loop, sim, bus := newI2CBoard(t)
	sim.AddBME280("env", bus, 0x76)
	run(t, loop, func(ctx *asyncio.Ctx) error {
		asyncio.Sleep(ctx, time.Second)
		id, err := board.BlockingOf(ctx, bus, func() (byte, error) {
			r := make([]byte, 1)
			err := bus.Tx(0x76, []byte{0xd0}, r)
			return r[0], err
		})
		if id != 0x60 || err != nil {
			t.Errorf("chip id = %#x, %v", id, err)
		}
		return nil
	})
	if tr := sim.Transfers(); len(tr) != 1 || tr[0].At != time.Second {
		t.Errorf("transfers = %v", tr)
	}
}
